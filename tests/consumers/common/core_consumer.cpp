// What every integration route must deliver: svcid's headers, usable from a consumer's own
// translation unit with the consumer's own certificate adapter. Checks real answers (RFC
// 9525 §6.3 wildcard rules) and exits non-zero on a wrong one, so a broken package fails.
// The single-header route builds this file with nothing but the amalgamation on its
// include path (scripts/amalgamate.py).
#if defined(SVCID_CONSUMER_SINGLE_HEADER)
#include "svcid_single.hpp"
#else
#include <svcid/svcid.hpp>
#endif

#include <cstdio>

namespace {

// The smallest adapter a third party could write against svcid/presented.hpp.
struct two_dns_names {
    svcid::presented_id names[2];

    template <class Visitor>
    svcid::san_state visit_subject_alt_names(Visitor&& visitor) const noexcept {
        for (const auto& id : names)
            if (visitor(id) == svcid::visit::stop) break;
        return svcid::san_state::present;
    }
    template <class Visitor>
    bool visit_common_names(Visitor&&) const noexcept {
        return true;
    }
};

int failures = 0;

void expect(bool ok, const char* rule) {
    if (!ok) {
        std::fprintf(stderr, "wrong answer: %s\n", rule);
        ++failures;
    }
}

svcid::match_status status_for(const two_dns_names& cert, const char* reference) {
    const auto ref = svcid::parse_dns_reference(reference);
    if (!ref.has_value()) return svcid::match_status::no_reference;
    return svcid::match(cert, *ref).status;
}

} // namespace

int main() {
    const two_dns_names cert{{{svcid::presented_kind::dns_name, svcid::string_tag::ia5_string, "*.example.com", {}},
                              {svcid::presented_kind::dns_name, svcid::string_tag::ia5_string, "example.net", {}}}};
    expect(status_for(cert, "api.example.com") == svcid::match_status::matched,
           "a wildcard matches one whole left-most label (RFC 9525 §6.3)");
    expect(status_for(cert, "a.b.example.com") == svcid::match_status::no_match,
           "a wildcard never spans two labels (RFC 9525 §6.3)");
    expect(status_for(cert, "EXAMPLE.NET.") == svcid::match_status::matched,
           "names compare case-insensitively, trailing dot normalised (RFC 9525 §6.3)");
    expect(status_for(cert, "example.org") == svcid::match_status::no_match, "another name does not match");
    expect(!svcid::parse_dns_reference("*.example.com").has_value(), "a reference is never a pattern (RFC 9525 §6.1)");
    std::printf("svcid %d.%d.%d core consumer: %d wrong answers\n", SVCID_VERSION_MAJOR, SVCID_VERSION_MINOR,
                SVCID_VERSION_PATCH, failures);
    return failures == 0 ? 0 : 1;
}
