// Parse arbitrary bytes as a DNS reference, and use them as a presented DNS-ID. A parsed
// reference's normalised name must parse back to itself; as a presented name, the fast
// matcher and the full classifier must agree under both policies, because explanations
// (check_dns_id) must never contradict the answer they explain (match_dns_id).
#include <svcid/dns_id.hpp>
#include <svcid/dns_reference.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {
template <class Policy>
void agree(std::string_view presented, const svcid::dns_reference& ref) {
    const bool fast = svcid::match_dns_id<Policy>(presented, ref);
    const bool full = svcid::check_dns_id<Policy>(presented, ref) == svcid::dns_id_verdict::match;
    if (fast != full) std::abort();
}

const svcid::dns_reference& fixed(std::size_t i) {
    static const svcid::dns_reference refs[] = {
        *svcid::parse_dns_reference("www.example.com"),
        *svcid::parse_dns_reference("foo.bar.example"),
        *svcid::parse_dns_reference("xn--bcher-kva.example.com"),
        *svcid::parse_dns_reference("a.b"),
        *svcid::parse_dns_reference("_srv.example.net"),
    };
    return refs[i % (sizeof refs / sizeof refs[0])];
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto ref = svcid::parse_dns_reference(text);
    if (ref) {
        const auto again = svcid::parse_dns_reference(ref->name());
        if (!again || *again != *ref || again->label_count() != ref->label_count()) std::abort();
        if (!svcid::match_dns_id<svcid::rfc9525>(ref->name(), *ref)) std::abort();
        agree<svcid::rfc9525>(text, *ref);
        agree<svcid::rfc6125>(text, *ref);
    } else if (ref.error().offset > size) {
        std::abort();
    }
    for (std::size_t i = 0; i < 5; ++i) {
        agree<svcid::rfc9525>(text, fixed(i));
        agree<svcid::rfc6125>(text, fixed(i));
    }
    return 0;
}
