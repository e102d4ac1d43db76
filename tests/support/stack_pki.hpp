// The certificates the GnuTLS and mbedTLS tests use, made once per run: a CA, servers for a.test and
// b.test, two device identities (SPIFFE IDs), and a server and a device certificate from a
// CA nobody trusts.
#ifndef SVCID_TEST_STACK_PKI_HPP
#define SVCID_TEST_STACK_PKI_HPP

#include "cert_builder.hpp"
#include "counting_allocator.hpp"

#include <svcid/identity_policy.hpp>
#include <svcid/reference.hpp>
#include <svcid/spiffe_reference.hpp>

#include <string>
#include <vector>

namespace svcid_test {

struct stack_pki {
    built_certificate ca = make_ca("svcid stacks CA");
    built_certificate rogue_ca = make_ca("svcid untrusted CA");
    built_certificate server_a = issue(ca, der::dns("a.test"));
    built_certificate server_b = issue(ca, der::dns("b.test"));
    built_certificate sensor = issue(ca, der::uri("spiffe://factory.test/line/3/sensor"));
    built_certificate admin = issue(ca, der::uri("spiffe://factory.test/admin"));
    built_certificate rogue_server = issue(rogue_ca, der::dns("a.test"));
    built_certificate rogue_sensor = issue(rogue_ca, der::uri("spiffe://factory.test/line/3/sensor"));

    static built_certificate make_ca(const char* cn) { return svcid_test::make_ca(cn); }
    static built_certificate issue(const built_certificate& by, std::string san) { return issue_leaf(by, std::move(san)); }
};

inline const stack_pki& the_stack_pki() {
    static const stack_pki p;
    return p;
}

inline svcid::reference dns_ref(const char* name) { return *svcid::parse_dns_reference(name); }
inline svcid::reference spiffe_ref(const char* id) {
    return *svcid::make_spiffe_reference(id, svcid::spiffe_match::exact);
}
/// A policy naming one DNS server.
inline svcid::identity_policy expect_server(const char* name) { return svcid::identity_policy::make({dns_ref(name)}); }
/// A reference_set policy of `count` decoy names (host<i>.test) and `server`; empty when a
/// name does not go in.
inline svcid::identity_policy server_allow_list(std::size_t count, const char* server) {
    svcid::reference_set set;
    for (std::size_t i = 0; i < count; ++i)
        if (!set.add(*svcid::parse_dns_reference("host" + std::to_string(i) + ".test"))) return {};
    if (!set.add(*svcid::parse_dns_reference(server))) return {};
    return svcid::identity_policy::make(std::move(set));
}
/// The allow-list of the device tests: index 0 the admin, index 1 the sensor.
inline svcid::identity_policy device_allow_list() {
    return svcid::identity_policy::make(
        {spiffe_ref("spiffe://factory.test/admin"), spiffe_ref("spiffe://factory.test/line/3/sensor")});
}

/// A policy and what it is, for tables of test cases.
struct named_policy {
    const char* name;
    svcid::identity_policy policy;
};

/// The policies that can judge nothing, each of which must refuse every peer: an empty
/// one, one with no reference, and one whose allocation failed (injected).
inline std::vector<named_policy> policies_that_cannot_judge() {
    const svcid::reference reference = dns_ref("a.test");
    fail_allocation(1);
    svcid::identity_policy starved = svcid::identity_policy::make(&reference, 1);
    fail_allocation(0);
    std::vector<named_policy> out;
    out.push_back({"default-constructed", svcid::identity_policy{}});
    out.push_back({"no reference", svcid::identity_policy::make(nullptr, 0)});
    out.push_back({"out of memory", starved});
    return out;
}

} // namespace svcid_test

#endif
