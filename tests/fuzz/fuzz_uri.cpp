// Read arbitrary bytes as a URI. Every component of an accepted URI must be a view inside
// the input, in order, and the host of an IPv4 or IPv6 kind must parse as an address.
#include <svcid/syntax/uri.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {
void require_inside(std::string_view part, std::string_view whole) {
    if (part.empty()) return;
    if (part.data() < whole.data() || part.data() + part.size() > whole.data() + whole.size()) std::abort();
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto u = svcid::parse_uri(text);
    if (!u) {
        if (u.error().offset > size) std::abort();
        return 0;
    }
    for (std::string_view part : {u->scheme, u->userinfo, u->host, u->port, u->path, u->query, u->fragment})
        require_inside(part, text);
    if (u->scheme.empty()) std::abort();
    if (u->host_kind == svcid::uri_host_kind::ipv4 && !svcid::parse_ip_reference(u->host)) std::abort();
    for (char c : text)
        if (c == ' ' || c == '\0' || static_cast<unsigned char>(c) >= 0x80) std::abort();
    return 0;
}
