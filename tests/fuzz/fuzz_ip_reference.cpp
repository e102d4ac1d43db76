// Parse arbitrary bytes as an IP reference; whatever parses must format and parse back to
// the same octets, and formatting raw octets must stay within the buffer.
#include <svcid/ip_reference.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto r = svcid::parse_ip_reference(text);

    char buf[svcid::ip_reference::max_text_len];
    if (r) {
        const std::size_t n = svcid::format(*r, buf, sizeof buf);
        if (n > sizeof buf) std::abort();
        const auto again = svcid::parse_ip_reference(std::string_view(buf, n));
        if (!again || *again != *r) std::abort();
        if (!svcid::match_ip_address(r->octets(), *r)) std::abort();
    } else if (r.error().offset > size) {
        std::abort();
    }
    char small[7];
    if (svcid::format_ip_octets(text, small, sizeof small) < (size == 4 ? 7u : 2u)) std::abort();
    return 0;
}
