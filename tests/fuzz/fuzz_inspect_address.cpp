// svcid-inspect fetch's HOST[:PORT] parser on arbitrary text: a name, an IPv4 address or a
// bracketed IPv6 address, then an optional port. What it accepts must be usable as it stands:
// a host, a port from 1 to 65535, brackets only around an IPv6 address.
#include "inspect.hpp"

#include <arpa/inet.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace svcid_inspect;
    const std::string text(reinterpret_cast<const char*>(data), size);
    server_address address;
    std::string error;
    if (!parse_server_address(text, address, error)) {
        if (error.empty()) std::abort();
        return 0;
    }
    if (address.host.empty() || address.port == 0) std::abort();
    unsigned char probe[16];
    if (text[0] == '[' && ::inet_pton(AF_INET6, address.host.c_str(), probe) != 1) std::abort();
    if (address.is_ip && ::inet_pton(AF_INET6, address.host.c_str(), probe) != 1 &&
        ::inet_pton(AF_INET, address.host.c_str(), probe) != 1)
        std::abort();
    return 0;
}
