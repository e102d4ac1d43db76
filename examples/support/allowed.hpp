// The allow-list syntax of svcid's mTLS examples (OpenSSL and mbedTLS servers, the GnuTLS
// client), one identity per command-line argument:
//   spiffe://td/path          that SPIFFE ID exactly
//   spiffe://td/path/...      that ID and every workload below it (a path prefix)
//   spiffe://td/*             any workload of the trust domain
//   a@b, dns.name, 10.0.0.1   an e-mail address, a DNS-ID, an IP address
#ifndef SVCID_EXAMPLE_ALLOWED_HPP
#define SVCID_EXAMPLE_ALLOWED_HPP

#include <svcid/reference.hpp>
#include <svcid/spiffe_reference.hpp>

#include <cstdio>
#include <string_view>
#include <vector>

namespace svcid_example {

inline svcid::result<svcid::reference> parse_allowed(std::string_view text) {
    if (text.substr(0, 9) == "spiffe://") {
        auto mode = svcid::spiffe_match::exact;
        if (text.size() > 2 && text.substr(text.size() - 2) == "/*") {
            mode = svcid::spiffe_match::trust_domain;
            text.remove_suffix(2);
        } else if (text.size() > 4 && text.substr(text.size() - 4) == "/...") {
            mode = svcid::spiffe_match::path_prefix;
            text.remove_suffix(4);
        }
        auto id = svcid::make_spiffe_reference(text, mode);
        if (!id) return id.error();
        return svcid::reference(*id);
    }
    return svcid::parse_reference(text);
}

/// The references named by argv[first..argc); false, with the reason printed, for the
/// first argument that names none.
inline bool parse_allowed_arguments(int first, int argc, char** argv, std::vector<svcid::reference>& out) {
    for (int i = first; i < argc; ++i) {
        auto ref = parse_allowed(argv[i]);
        if (!ref) {
            char why[128];
            svcid::describe(ref.error(), why, sizeof why);
            std::fprintf(stderr, "%s: %s\n", argv[i], why);
            return false;
        }
        out.push_back(*ref);
    }
    return true;
}

} // namespace svcid_example

#endif
