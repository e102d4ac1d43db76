#include <svcid/reference_set.hpp>
#include <svcid/reference.hpp>

#include "catch.hpp"
#include "list_adapter.hpp"

#include <string>

using svcid_test::list_adapter;
using namespace svcid_test::ids;
using namespace std::string_literals;

namespace {
svcid::dns_reference dns_ref(const char* s) { return *svcid::parse_dns_reference(s); }
svcid::spiffe_reference spiffe_ref(const char* s, svcid::spiffe_match m = svcid::spiffe_match::exact) {
    return *svcid::make_spiffe_reference(s, m);
}
list_adapter cert_with(std::initializer_list<svcid::presented_id> names) {
    list_adapter c;
    c.alt_names = names;
    return c;
}
} // namespace

TEST_CASE("reference_set: exact DNS names, case-insensitively, and presented wildcards over them (RFC 9525 §6.3)") {
    svcid::reference_set set;
    REQUIRE(set.add(dns_ref("api.example.com")));
    CHECK(set.match(cert_with({dns("other.example.com"), dns("API.Example.COM")})));
    CHECK(set.match(cert_with({dns("api.example.com.")})));
    CHECK(set.match(cert_with({dns("*.example.com")})).presented.value == "*.example.com");
    CHECK_FALSE(set.match(cert_with({dns("*.com")})));
    CHECK_FALSE(set.match(cert_with({dns("*.api.example.com")})));
    CHECK_FALSE(set.match(cert_with({dns("example.com"), dns("api.example.com.evil")})));
    CHECK_FALSE(set.match(cert_with({dns("api.example.com\0"s)})));
    CHECK_FALSE(set.match(cert_with({dns("api.exa\xC3\xA9mple.com")})));
    CHECK_FALSE(set.match(cert_with({cn("api.example.com")})));
    CHECK_FALSE(svcid::reference_set().match(cert_with({dns("api.example.com")})));
}

TEST_CASE("reference_set: DNS names strictly under a suffix") {
    svcid::reference_set set;
    REQUIRE(set.add_dns_suffix(dns_ref("svc.internal")));
    CHECK(set.match(cert_with({dns("a.svc.internal")})));
    CHECK(set.match(cert_with({dns("b.a.SVC.internal")})));
    CHECK(set.match(cert_with({dns("*.svc.internal")})));
    CHECK(set.match(cert_with({dns("*.a.svc.internal")})));
    CHECK_FALSE(set.match(cert_with({dns("svc.internal")})));
    CHECK_FALSE(set.match(cert_with({dns("*.internal")})));
    CHECK_FALSE(set.match(cert_with({dns("asvc.internal")})));
}

TEST_CASE("reference_set: SPIFFE exact, trust domain and path prefix; two URI SANs are no SVID (X509-SVID §2)") {
    svcid::reference_set set;
    REQUIRE(set.add(spiffe_ref("spiffe://prod.example/ns/payments/sa/api")));
    REQUIRE(set.add(spiffe_ref("spiffe://dev.example", svcid::spiffe_match::trust_domain)));
    REQUIRE(set.add(spiffe_ref("spiffe://prod.example/ns/billing", svcid::spiffe_match::path_prefix)));
    CHECK(set.match(cert_with({uri("spiffe://prod.example/ns/payments/sa/api")})));
    CHECK_FALSE(set.match(cert_with({uri("spiffe://prod.example/ns/payments/sa/api2")})));
    CHECK_FALSE(set.match(cert_with({uri("spiffe://prod.example/ns/payments")})));
    CHECK(set.match(cert_with({uri("spiffe://dev.example/anything")})));
    CHECK(set.match(cert_with({uri("spiffe://dev.example")})));
    CHECK_FALSE(set.match(cert_with({uri("spiffe://dev.example.evil/x")})));
    CHECK(set.match(cert_with({uri("spiffe://prod.example/ns/billing")})));
    CHECK(set.match(cert_with({uri("spiffe://prod.example/ns/billing/sa/x")})));
    CHECK_FALSE(set.match(cert_with({uri("spiffe://prod.example/ns/billingx")})));
    CHECK_FALSE(set.match(cert_with({uri("spiffe://prod.example/ns/billing/../admin")})));
    CHECK_FALSE(set.match(cert_with({uri("spiffe://dev.example/a"), uri("https://other.example/")})));
    CHECK_FALSE(set.match(cert_with({uri("https://other.example/"), uri("spiffe://dev.example/a")})));

    svcid::reference_set whole;
    REQUIRE(whole.add(spiffe_ref("spiffe://prod.example", svcid::spiffe_match::path_prefix)));
    CHECK(whole.match(cert_with({uri("spiffe://prod.example/x")})));
    CHECK(whole.match(cert_with({uri("spiffe://prod.example")})));
}

TEST_CASE("reference_set: IP addresses as octets and mailboxes with an exact local part") {
    svcid::reference_set set;
    REQUIRE(set.add(*svcid::parse_ip_reference("10.0.0.7")));
    REQUIRE(set.add(*svcid::parse_email_reference("Alice@Example.com")));
    CHECK(set.match(cert_with({ip(std::string("\x0a\x00\x00\x07", 4))})));
    CHECK_FALSE(set.match(cert_with({ip(std::string("\x0a\x00\x00\x08", 4))})));
    CHECK_FALSE(set.match(cert_with({dns("10.0.0.7")})));
    CHECK(set.match(cert_with({email("Alice@EXAMPLE.com")})));
    CHECK_FALSE(set.match(cert_with({email("alice@example.com")})));
    CHECK_FALSE(set.match(cert_with({email("Alice@example.com@evil.example")})));
    CHECK_FALSE(set.match(cert_with({email("Alice@example.com\0@evil.example"s)})));
}

TEST_CASE("reference_set: a malformed SAN never matches") {
    svcid::reference_set set;
    REQUIRE(set.add(dns_ref("api.example.com")));
    list_adapter c = cert_with({dns("api.example.com")});
    c.san = svcid::san_state::malformed;
    CHECK_FALSE(set.match(c));
}

TEST_CASE("reference_set answers as match_any with 100,000 references") {
    svcid::reference_set set;
    std::vector<svcid::reference> refs;
    for (int i = 0; i < 100000; ++i) {
        const std::string name = "host" + std::to_string(i) + ".example.net";
        REQUIRE(set.add(dns_ref(name.c_str())));
        if (i % 1000 == 0) refs.emplace_back(dns_ref(name.c_str()));
    }
    struct row {
        const char* presented;
        bool in_set, in_sample;
    };
    for (const row& r : {row{"host0.example.net", true, true}, row{"host99000.example.net", true, true},
                         row{"host99999.example.net", true, false}, row{"host100000.example.net", false, false},
                         row{"*.example.net", true, true}, row{"example.net", false, false},
                         row{"host5.example.org", false, false}}) {
        const auto c = cert_with({dns(r.presented)});
        CHECK(set.match(c).matched == r.in_set);
        CHECK(svcid::match_any(c, refs.data(), refs.size()).matched() == r.in_sample);
    }
}
