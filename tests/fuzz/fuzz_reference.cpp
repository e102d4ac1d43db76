// parse_reference over arbitrary bytes: whatever it accepts has the type its text
// announces (spiffe://, scheme:// or sip:/sips:/xmpp:/im:/pres:, local@domain, an address,
// else a DNS name), and
// matching and explaining it against a fixed certificate stays in bounds.
#include <svcid/explain.hpp>
#include <svcid/reference.hpp>
#include <svcid/uri_reference.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace {
// The scheme-specific forms parse_reference reads as URI-IDs without `//` (uri_reference.hpp).
bool authorityless_uri_id(std::string_view text) {
    const std::size_t colon = text.find(':');
    return colon != std::string_view::npos && svcid::detail::authority_free_scheme(text.substr(0, colon));
}

template <class Policy>
struct explain_with {
    const svcid::example_adapter& cert;
    template <class Typed>
    void operator()(const Typed& typed) const {
        char buffer[48 + 4];
        std::memset(buffer, 'G', sizeof buffer);
        const auto r = svcid::match<Policy>(cert, typed);
        const std::size_t wanted = svcid::explain<Policy>(cert, typed, r, buffer, 48);
        const std::size_t written = wanted < 48 ? wanted : 47;
        if (buffer[written] != '\0' || std::strlen(buffer) != written) std::abort();
        for (std::size_t i = 48; i < sizeof buffer; ++i)
            if (buffer[i] != 'G') std::abort();
    }
};
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto ref = svcid::parse_reference(text);
    if (!ref) {
        if (ref.error().offset > size) std::abort();
        return 0;
    }
    using type = svcid::reference_type;
    const type t = ref->type();
    if ((text.substr(0, 9) == "spiffe://") != (t == type::spiffe)) std::abort();
    if (t == type::uri && text.find("://") == std::string_view::npos && !authorityless_uri_id(text)) std::abort();
    if (t == type::email && text.find('@') == std::string_view::npos) std::abort();
    if (t == type::ip && !svcid::parse_ip_reference(text)) std::abort();
    if (t == type::dns && svcid::parse_ip_reference(text)) std::abort();
    const svcid::example_adapter cert;
    const auto a = svcid::match<svcid::rfc9525>(cert, *ref);
    const auto b = svcid::match<svcid::rfc6125>(cert, *ref);
    if (a.matched() && !b.matched()) std::abort();  // rfc6125 only adds ways to match
    ref->visit(explain_with<svcid::rfc9525>{cert});
    ref->visit(explain_with<svcid::rfc6125>{cert});
    return 0;
}
