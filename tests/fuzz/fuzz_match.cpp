// The whole path on hostile input: a reference string and a DER certificate from one
// input, split at the first 0xFF byte (UTF-8 text never contains 0xFF, so any reference
// fits before it). parse_reference, parse_der_certificate, match under both policies,
// match_any, and explain into a small buffer with guard bytes after it.
// Checked: explain's text is NUL-terminated inside the buffer and nothing is written past
// it; a match names a presented value that lies inside the certificate bytes.
#include <svcid/der_certificate.hpp>
#include <svcid/explain.hpp>
#include <svcid/reference.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace {
constexpr std::size_t buffer_size = 64;
constexpr std::size_t guard = 8;

void require_inside(const svcid::match_result& r, std::string_view der) {
    if (!r.matched()) return;
    const std::string_view v = r.presented.value;
    if (v.empty() || v.data() < der.data() || v.data() + v.size() > der.data() + der.size()) std::abort();
}

template <class Policy>
struct check_with {
    const svcid::der_certificate& cert;
    std::string_view der;
    template <class Typed>
    void operator()(const Typed& typed) const {
        const auto r = svcid::match<Policy>(cert, typed);
        require_inside(r, der);
        char buffer[buffer_size + guard];
        std::memset(buffer, 'G', sizeof buffer);
        const std::size_t wanted = svcid::explain<Policy>(cert, typed, r, buffer, buffer_size);
        const std::size_t written = wanted < buffer_size ? wanted : buffer_size - 1;
        if (buffer[written] != '\0' || std::strlen(buffer) != written) std::abort();
        for (std::size_t i = buffer_size; i < sizeof buffer; ++i)
            if (buffer[i] != 'G') std::abort();
    }
};
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::size_t split = input.find('\xFF');
    if (split == std::string_view::npos) return 0;
    const std::string_view reference_text = input.substr(0, split);
    const std::string_view der = input.substr(split + 1);

    const auto cert = svcid::parse_der_certificate(der);
    if (!cert) {
        if (cert.error().offset > der.size()) std::abort();
        return 0;
    }
    const auto ref = svcid::parse_reference(reference_text);
    if (!ref) return 0;
    const auto strict = svcid::match<svcid::rfc9525>(*cert, *ref);
    const auto lenient = svcid::match<svcid::rfc6125>(*cert, *ref);
    require_inside(strict, der);
    require_inside(lenient, der);
    if (strict.matched() && !lenient.matched()) std::abort();
    if (strict.matched() && strict.cn_consulted) std::abort();  // rfc9525 never reads the CN
    // The leaf profile only ever refuses more: web_pki ⊆ rfc9525, with the same identifier.
    const auto profiled = svcid::match<svcid::web_pki>(*cert, *ref);
    if (profiled.matched() && (!strict.matched() || profiled.presented.value.data() != strict.presented.value.data()))
        std::abort();
    if (profiled.status == svcid::match_status::dns_name_not_preferred ||
        profiled.status == svcid::match_status::cn_not_in_san) {
        const std::string_view v = profiled.presented.value;
        if (v.data() < der.data() || v.data() + v.size() > der.data() + der.size()) std::abort();
    }
    const svcid::reference list[] = {*ref};
    const auto any = svcid::match_any<svcid::rfc9525>(*cert, list);
    if (any.matched() != strict.matched() || any.status != strict.status) std::abort();
    if (svcid::match_any<svcid::rfc9525>(*cert, list, 0).matched()) std::abort();
    ref->visit(check_with<svcid::rfc9525>{*cert, der});
    ref->visit(check_with<svcid::rfc6125>{*cert, der});
    ref->visit(check_with<svcid::web_pki>{*cert, der});
    return 0;
}
