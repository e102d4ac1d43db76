#include <svcid/identity_policy.hpp>

#include "catch.hpp"
#include "list_adapter.hpp"

#include <cstring>
#include <string>
#include <thread>
#include <vector>

using svcid_test::list_adapter;
using namespace svcid_test::ids;

namespace {
// Presented identifiers view their bytes: the address outlives every adapter that holds it.
const std::string v4_10_0_0_7("\x0a\x00\x00\x07", 4);

list_adapter cert_with(std::initializer_list<svcid::presented_id> names) {
    list_adapter c;
    c.alt_names = names;
    return c;
}
std::vector<unsigned char> serialised(const svcid::identity_policy& p) {
    std::vector<unsigned char> bytes;
    p.serialise([&](const void* data, std::size_t n) {
        const auto* b = static_cast<const unsigned char*>(data);
        bytes.insert(bytes.end(), b, b + n);
    });
    return bytes;
}
} // namespace

TEST_CASE("identity_policy: copies share one block; the caller's array need not outlive make()") {
    svcid::identity_policy policy;
    {
        std::vector<svcid::reference> refs = {*svcid::parse_dns_reference("a.example"),
                                              *svcid::parse_ip_reference("192.0.2.7")};
        policy = svcid::identity_policy::make(refs.data(), refs.size());
        refs.assign(2, svcid::reference{});
    }
    REQUIRE(policy);
    CHECK(policy.error() == svcid::policy_error::none);
    REQUIRE(policy.size() == 2);
    const svcid::identity_policy copy = policy;
    CHECK(copy.same_as(policy));
    CHECK(copy.references() == policy.references());
    const auto r = copy.check(cert_with({dns("b.example"), ip(std::string_view("\xC0\x00\x02\x07", 4))}));
    CHECK(r.matched());
    CHECK(r.reference_index == 1);
    CHECK_FALSE(copy.check(cert_with({dns("b.example")})).matched());
    svcid::identity_policy moved = std::move(policy);
    CHECK_FALSE(policy);
    CHECK(moved.same_as(copy));
}

TEST_CASE("identity_policy: an empty policy and one with no reference refuse (mbedTLS CVE-2025-27809)") {
    const auto cert = cert_with({dns("a.example")});
    const svcid::identity_policy empty;
    CHECK_FALSE(empty);
    CHECK(empty.check(cert).status == svcid::match_status::no_reference);
    const svcid::identity_policy none = svcid::identity_policy::make(nullptr, 0);
    REQUIRE(none);
    CHECK(none.check(cert).status == svcid::match_status::no_reference);
    const svcid::identity_policy bad = svcid::identity_policy::make(nullptr, 3);
    CHECK_FALSE(bad);
    CHECK(bad.error() == svcid::policy_error::null_references);
    CHECK(bad.check(cert).status == svcid::match_status::no_reference);
    char text[128];
    const std::size_t n = none.explain(cert, none.check(cert), text, sizeof text);
    CHECK(n == std::strlen(text));
    CHECK(std::string(text) == svcid::status_message(svcid::match_status::no_reference));
}

TEST_CASE("identity_policy: a viewed SPIFFE ID is copied, so the caller's buffer may go (SPIFFE ID §2.3)") {
    std::string id = "spiffe://prod.example/" + std::string(1500, 'p');
    svcid::identity_policy policy;
    {
        std::string buffer = id;
        const svcid::reference refs[] = {*svcid::view_spiffe_reference(buffer)};
        policy = svcid::identity_policy::make(refs);
        buffer.assign(buffer.size(), 'x');
    }
    REQUIRE(policy.size() == 1);
    CHECK(policy.check(cert_with({uri(id)})).matched());
    CHECK_FALSE(policy.check(cert_with({uri(id + "q")})).matched());
}

TEST_CASE("identity_policy: rules and combination decide, as match_any/match_all under rfc9525/rfc6125") {
    list_adapter cn_only;
    cn_only.san = svcid::san_state::absent;
    cn_only.common_names = {cn("a.example")};
    const svcid::reference one[] = {*svcid::parse_dns_reference("a.example")};
    CHECK_FALSE(svcid::identity_policy::make(one).check(cn_only).matched());  // RFC 9525 §6.3: no CN-ID
    CHECK(svcid::identity_policy::make(one, svcid::verify_rules::rfc6125).check(cn_only).matched());  // RFC 6125 §6.4.4

    const svcid::reference both[] = {*svcid::parse_dns_reference("a.example"), *svcid::parse_dns_reference("b.example")};
    const auto only_a = cert_with({dns("a.example")});
    CHECK(svcid::identity_policy::make(both).check(only_a).matched());
    const auto all = svcid::identity_policy::make(both, svcid::verify_rules::rfc9525, svcid::verify_match::all_of);
    const auto r = all.check(only_a);
    CHECK_FALSE(r.matched());
    CHECK(r.reference_index == 1);
    CHECK(all.check(cert_with({dns("a.example"), dns("b.example")})).matched());
}

TEST_CASE("identity_policy: one reference gives exactly match_any's and match_all's result") {
    using svcid::match_status;
    const auto with_ip = cert_with({dns("db.internal"), ip(v4_10_0_0_7)});
    const auto dns_only = cert_with({dns("db.internal")});
    const svcid::reference optional_ip[] = {svcid::reference(*svcid::parse_ip_reference("10.0.0.8"), svcid::requirement::optional)};
    for (const auto* cert : {&with_ip, &dns_only}) {
        const auto any = svcid::identity_policy::make(optional_ip).check(*cert);
        const auto expected_any = svcid::match_any(*cert, optional_ip);
        CHECK(any.status == expected_any.status);
        CHECK(any.reference_index == 0);
        CHECK(any.candidates == expected_any.candidates);
        const auto all =
            svcid::identity_policy::make(optional_ip, svcid::verify_rules::rfc9525, svcid::verify_match::all_of).check(*cert);
        CHECK(all.status == svcid::match_all(*cert, optional_ip).status);
    }
    // An optional reference whose type the certificate presents must match under all-of
    // (pyca/service-identity's model); any-of reports a plain mismatch.
    CHECK(svcid::identity_policy::make(optional_ip, svcid::verify_rules::rfc9525, svcid::verify_match::all_of)
              .check(with_ip)
              .status == match_status::optional_not_matched);
    CHECK(svcid::identity_policy::make(optional_ip).check(with_ip).status == match_status::no_match);
}

TEST_CASE("identity_policy from a reference_set: any entry admits under RFC 9525, an empty set refuses") {
    using svcid::match_status;
    svcid::reference_set allowed;
    REQUIRE(allowed.add(*svcid::make_spiffe_reference("spiffe://prod.example/ns/payments/sa/api")));
    for (int i = 0; i < 1000; ++i) REQUIRE(allowed.add(*svcid::parse_dns_reference("host" + std::to_string(i) + ".example")));
    const auto policy = svcid::identity_policy::make(std::move(allowed));
    REQUIRE(policy);
    REQUIRE(policy.set() != nullptr);
    CHECK(policy.size() == 0);
    CHECK_FALSE(policy.empty());
    CHECK(policy.rules() == svcid::verify_rules::rfc9525);

    const auto listed = cert_with({dns("www.other.example"), dns("host999.example")});
    const auto r = policy.check(listed);
    REQUIRE(r.matched());
    CHECK(r.presented.value == "host999.example");
    CHECK(policy.check(cert_with({uri("spiffe://prod.example/ns/payments/sa/api")})).matched());

    const auto unlisted = cert_with({dns("host1000.example"), ip(v4_10_0_0_7)});
    const auto miss = policy.check(unlisted);
    CHECK(miss.status == match_status::no_match);
    char text[256];
    const std::size_t n = policy.explain(unlisted, miss, text, sizeof text);
    CHECK(n < sizeof text);
    CHECK(std::string(text) == "allow-list: no presented identifier matches\n"
                               "  dNSName \"host1000.example\": not on the allow-list\n"
                               "  iPAddress 10.0.0.7: not on the allow-list");
    policy.explain(listed, r, text, sizeof text);
    CHECK(std::string(text) == "allow-list: matched dNSName \"host999.example\"");

    // RFC 9525 §6.3: a set never reads the subject CN; a malformed SAN never matches.
    list_adapter cn_only;
    cn_only.san = svcid::san_state::absent;
    cn_only.common_names = {cn("host1.example")};
    CHECK(policy.check(cn_only).status == match_status::no_identifier_of_type);
    list_adapter malformed = cert_with({dns("host1.example")});
    malformed.san = svcid::san_state::malformed;
    CHECK(policy.check(malformed).status == match_status::san_malformed);

    // CVE-2025-27809: a verifier with nothing to compare never accepts.
    const auto none = svcid::identity_policy::make(svcid::reference_set{});
    REQUIRE(none);
    CHECK(none.empty());
    CHECK(none.check(listed).status == match_status::no_reference);
}

TEST_CASE("identity_policy from a reference_set: serialise tells sets apart, and a set from a list") {
    auto bytes_of = [](std::initializer_list<const char*> names) {
        svcid::reference_set set;
        for (const char* n : names) REQUIRE(set.add(*svcid::parse_dns_reference(n)));
        return serialised(svcid::identity_policy::make(std::move(set)));
    };
    CHECK(bytes_of({"a.example", "b.example"}) == bytes_of({"a.example", "b.example"}));
    CHECK(bytes_of({"a.example", "b.example"}) != bytes_of({"a.example", "c.example"}));
    CHECK(bytes_of({"a.example"}) != bytes_of({"a.example", "b.example"}));
    // An address key may hold any octet: keys are delimited, so regrouping octets differs.
    auto ips = [](std::initializer_list<const char*> addresses) {
        svcid::reference_set set;
        for (const char* a : addresses) REQUIRE(set.add(*svcid::parse_ip_reference(a)));
        return serialised(svcid::identity_policy::make(std::move(set)));
    };
    CHECK(ips({"1.2.3.4", "5.6.7.8"}) != ips({"1.2.3.4", "5.6.7.9"}));
    const svcid::reference one[] = {*svcid::parse_dns_reference("a.example")};
    CHECK(bytes_of({"a.example"}) != serialised(svcid::identity_policy::make(one)));
}

TEST_CASE("identity_policy: serialise tells apart every input that changes a verdict") {
    auto make = [](std::initializer_list<svcid::reference> refs, svcid::verify_rules rules = svcid::verify_rules::rfc9525,
                   svcid::verify_match m = svcid::verify_match::any_of) {
        return serialised(svcid::identity_policy::make(refs, rules, m));
    };
    const auto a = *svcid::parse_dns_reference("a.example");
    const auto b = *svcid::parse_dns_reference("b.example");
    const auto base = make({a, b});
    CHECK(base == make({a, b}));
    CHECK(base != make({b, a}));  // reference_index differs
    CHECK(base != make({a}));
    CHECK(base != make({a, b}, svcid::verify_rules::rfc6125));
    CHECK(base != make({a, b}, svcid::verify_rules::rfc9525, svcid::verify_match::all_of));
    CHECK(base != make({a, svcid::reference(b, svcid::requirement::optional)}));
    // Length prefixes: "ab"+"c" is not "a"+"bc".
    CHECK(make({*svcid::parse_email_reference("ab@c.example")}) != make({*svcid::parse_email_reference("a@bc.example")}));
    const auto td = *svcid::make_spiffe_reference("spiffe://prod.example", svcid::spiffe_match::trust_domain);
    const auto exact = *svcid::make_spiffe_reference("spiffe://prod.example");
    CHECK(make({td}) != make({exact}));
}

TEST_CASE("identity_policy: explain on demand names each refused reference, and cuts cleanly") {
    const auto policy = svcid::identity_policy::make({*svcid::parse_dns_reference("a.example"),
                                                      *svcid::parse_dns_reference("b.example")});
    const auto cert = cert_with({dns("c.example")});
    const auto r = policy.check(cert);
    REQUIRE_FALSE(r.matched());
    char text[512];
    const std::size_t n = policy.explain(cert, r, text, sizeof text);
    REQUIRE(n < sizeof text);
    CHECK(std::strlen(text) == n);
    const std::string s = text;
    CHECK(s.find("a.example") != std::string::npos);
    CHECK(s.find("b.example") != std::string::npos);
    CHECK(s.find('\n') != std::string::npos);
    for (std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{10}, n, n + 1}) {
        std::vector<char> small(size + 1, '#');
        CHECK(policy.explain(cert, r, small.data(), size) == n);
        CHECK(small[size] == '#');
        if (size != 0) CHECK(std::string(small.data()) == s.substr(0, std::min(size - 1, n)));
    }
}

TEST_CASE("identity_policy: copies made and dropped on many threads keep one block alive") {
    const auto policy = svcid::identity_policy::make({*svcid::parse_dns_reference("a.example")});
    const auto cert = cert_with({dns("a.example")});
    std::vector<std::thread> threads;
    std::vector<int> matched(4, 0);
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 2000; ++i) {
                const svcid::identity_policy copy = policy;
                matched[static_cast<std::size_t>(t)] += copy.check(cert).matched() ? 1 : 0;
            }
        });
    for (auto& th : threads) th.join();
    for (int m : matched) CHECK(m == 2000);
}
