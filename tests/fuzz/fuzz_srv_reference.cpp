// Parse arbitrary bytes as an SRV-ID reference ("_service.domain"). An accepted ASCII
// reference must match itself as a presented SRVName, and its parts must make the same
// reference again; the presented-side matcher must survive any bytes.
#include <svcid/srv_reference.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {
bool ascii(std::string_view s) {
    for (char c : s)
        if (static_cast<unsigned char>(c) >= 0x80) return false;
    return true;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    static const svcid::srv_reference imap = *svcid::make_srv_reference("imap", "example.net");
    (void)svcid::match_srv_id(text, imap);
    const auto ref = svcid::parse_srv_reference(text);
    if (!ref) {
        if (ref.error().offset > size) std::abort();
        return 0;
    }
    if (ref->service().empty() || ref->domain().name().empty()) std::abort();
    const auto again = svcid::make_srv_reference(ref->service(), ref->domain().name());
    if (!again || again->service() != ref->service() || again->domain() != ref->domain()) std::abort();
    if (ascii(text) && !svcid::match_srv_id(text, *ref)) std::abort();
    return 0;
}
