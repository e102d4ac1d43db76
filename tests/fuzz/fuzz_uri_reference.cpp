// Parse arbitrary bytes as a URI-ID reference. An accepted reference keeps a lower-case
// scheme and a valid DNS host, and the text it came from, presented as a URI SAN, must
// match it (parse_uri accepts only ASCII, so no U-label conversion intervenes).
#include <svcid/uri_reference.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    static const svcid::uri_reference sip = *svcid::make_uri_reference("sip", "example.net");
    (void)svcid::match_uri_id(text, sip);
    const auto ref = svcid::parse_uri_reference(text);
    if (!ref) {
        if (ref.error().offset > size) std::abort();
        return 0;
    }
    for (char c : ref->scheme())
        if (c >= 'A' && c <= 'Z') std::abort();
    if (!svcid::parse_dns_reference(ref->domain().name())) std::abort();
    if (!svcid::match_uri_id(text, *ref)) std::abort();
    return 0;
}
