// Parse arbitrary bytes as a SPIFFE ID. An accepted ID must be a valid RFC 3986 URI with a
// reg-name host equal to its trust domain, and must match itself in all three modes.
#include <svcid/syntax/spiffe.hpp>
#include <svcid/syntax/uri.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto id = svcid::parse_spiffe_id(text);
    if (!id) {
        if (id.error().offset > size) std::abort();
        return 0;
    }
    const auto u = svcid::parse_uri(text);
    if (!u || u->scheme != "spiffe" || u->host != id->trust_domain() || u->path != id->path()) std::abort();
    if (u->has_port || u->has_userinfo || u->has_query || u->has_fragment) std::abort();
    if (!svcid::match_spiffe_id(text, *id) || !svcid::match_spiffe_trust_domain(text, id->trust_domain()) ||
        !svcid::match_spiffe_path_prefix(text, *id))
        std::abort();
    return 0;
}
