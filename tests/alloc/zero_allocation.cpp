// The hot-path promise (STYLE.md rule 7): matching a prepared reference against a
// certificate allocates nothing, in C++ or in OpenSSL, through either adapter, for every
// reference type and outcome. Everything is built first; only the checks are counted.
#include <svcid/openssl.hpp>
#include <svcid/der_certificate.hpp>
#include <svcid/explain.hpp>
#include <svcid/reference.hpp>

#include "catch.hpp"
#include "cert_builder.hpp"
#include "counting_allocator.hpp"

#include <string>
#include <utility>
#include <vector>

namespace der = svcid_test::der;

namespace {

struct scenario {
    const char* name;
    svcid_test::built_certificate certificate;
    std::vector<svcid::reference> references;
};

svcid::reference dns(const char* text) { return *svcid::parse_dns_reference(text); }

std::vector<scenario> scenarios() {
    using svcid_test::cert_spec;
    const std::string v4("\xc0\x00\x02\x07", 4);
    std::vector<scenario> out;
    auto add = [&](const char* name, const cert_spec& spec, std::vector<svcid::reference> refs) {
        out.push_back({name, svcid_test::make_certificate(spec), std::move(refs)});
    };
    add("DNS-ID match", cert_spec().add_san(der::dns("a.example.com")).add_san(der::dns("www.example.com")),
        {dns("www.example.com")});
    add("DNS-ID miss", cert_spec().add_san(der::dns("a.example.com")), {dns("www.example.com")});
    add("wildcard", cert_spec().add_san(der::dns("*.example.com")), {dns("www.example.com")});
    add("IP", cert_spec().add_san(der::ip(std::string(4, '\1'))).add_san(der::ip(v4)),
        {*svcid::parse_ip_reference("192.0.2.7")});
    add("CN only", cert_spec().subject_cn("www.example.com"), {dns("www.example.com")});
    add("several references", cert_spec().add_san(der::dns("db.internal")).add_san(der::ip(v4)),
        {dns("cache.internal"), *svcid::parse_ip_reference("192.0.2.7"), dns("db.internal")});
    cert_spec malformed;
    malformed.san_raw = std::string("\x30\x05\x82\x09oops.example", 15);  // the inner length runs past the outer
    add("malformed SAN", malformed, {dns("oops.example")});
    add("SRV-ID", cert_spec().add_san(der::srv_name("_imap.example.net")),
        {*svcid::make_srv_reference("imap", "example.net")});
    add("URI-ID", cert_spec().add_san(der::uri("sip://example.net:5061/x")),
        {*svcid::make_uri_reference("sip", "example.net")});
    add("SPIFFE", cert_spec().add_san(der::uri("spiffe://prod.example/ns/api")),
        {*svcid::make_spiffe_reference("spiffe://prod.example/ns", svcid::spiffe_match::path_prefix)});
    add("e-mail", cert_spec().add_san(der::rfc822("ops@example.net")).add_san(der::smtp_utf8_mailbox("ops@example.net")),
        {*svcid::parse_email_reference("ops@example.net")});
    add("IDN", cert_spec().add_san(der::dns("xn--bcher-kva.example")), {dns("b\xc3\xbc" "cher.example")});
    return out;
}

template <class Policy, class Adapter>
long allocations_during_checks(const Adapter& certificate, const std::vector<svcid::reference>& refs, bool& matched) {
    char explanation[512];
    const long before = svcid_test::allocations();
    const auto any = svcid::match_any<Policy>(certificate, refs.data(), refs.size());
    const auto all = svcid::match_all<Policy>(certificate, refs.data(), refs.size());
    for (const auto& ref : refs) {
        const auto one = svcid::match<Policy>(certificate, ref);
        ref.visit([&](const auto& typed) {
            svcid::explain<Policy>(certificate, typed, svcid::match<Policy>(certificate, typed), explanation,
                                   sizeof explanation);
        });
        (void)one;
    }
    const long after = svcid_test::allocations();
    matched = any.matched() || all.matched();
    return after - before;
}

} // namespace

// Clang at -O2 elides an allocation nobody looks at (C++14 [expr.new]/10); the counter's
// self-test stores its vector's storage here so that the allocation stays.
int* volatile allocation_escape = nullptr;

TEST_CASE("the allocation counter sees both C++ and OpenSSL allocations, so the tests below can fail") {
    REQUIRE(svcid_test::openssl_allocations_counted());
    long before = svcid_test::allocations();
    std::unique_ptr<X509, decltype(&X509_free)> x(X509_new(), X509_free);
    CHECK(svcid_test::allocations() > before);
    before = svcid_test::allocations();
    std::vector<int> v(10);
    allocation_escape = v.data();
    CHECK(svcid_test::allocations() == before + 1);
}

TEMPLATE_TEST_CASE("matching allocates nothing, through the OpenSSL and raw-DER adapters, under both policies", "",
                   svcid::rfc9525, svcid::rfc6125) {
    const auto all = scenarios();
    std::size_t matched_scenarios = 0;
    for (const auto& s : all) {
        INFO(s.name);
        bool matched_openssl = false;
        bool matched_der = false;
        const svcid::openssl_certificate through_openssl(s.certificate.cert.get());
        CHECK(allocations_during_checks<TestType>(through_openssl, s.references, matched_openssl) == 0);

        const long before_parse = svcid_test::allocations();
        const auto parsed = svcid::parse_der_certificate(s.certificate.der);
        CHECK(svcid_test::allocations() == before_parse);
        REQUIRE(parsed);
        CHECK(allocations_during_checks<TestType>(*parsed, s.references, matched_der) == 0);
        CHECK(matched_openssl == matched_der);
        matched_scenarios += matched_openssl;
    }
    // The scenarios cover matches and refusals alike: all but the miss and the malformed SAN
    // match (the CN-only one under rfc6125 alone).
    CHECK(matched_scenarios == all.size() - (std::is_same<TestType, svcid::rfc9525>::value ? 3 : 2));
}

// Under web_pki every rule runs: the CN is compared with each dNSName and each iPAddress's
// text, which is written on the stack.
TEST_CASE("the web_pki leaf profile allocates nothing, through both adapters, matched or refused") {
    using svcid_test::cert_spec;
    const std::string v4("\xc0\x00\x02\x07", 4);
    cert_spec empty_subject = cert_spec().add_san(der::dns("www.example.com"));
    empty_subject.san_critical = true;
    cert_spec critical_with_subject = cert_spec().subject_cn("www.example.com").add_san(der::dns("www.example.com"));
    critical_with_subject.san_critical = true;
    const std::vector<std::pair<cert_spec, bool>> leaves = {
        {cert_spec().subject_cn("www.example.com").add_san(der::ip(v4)).add_san(der::dns("www.example.com")), true},
        {cert_spec().subject_cn("192.0.2.7").add_san(der::ip(v4)).add_san(der::dns("www.example.com")), true},
        {empty_subject, true},
        {cert_spec().subject_cn("WWW.example.com").add_san(der::ip(v4)).add_san(der::dns("www.example.com")), false},
        {cert_spec().subject_cn("www.example.com").add_san(der::dns("www.example.com")).add_san(der::dns("a_b.example.com")), false},
        {critical_with_subject, false},
        {cert_spec().add_san(der::dns("www.example.com")), false},
    };
    const std::vector<svcid::reference> refs = {dns("www.example.com")};
    for (const auto& leaf : leaves) {
        const auto built = svcid_test::make_certificate(leaf.first);
        const auto parsed = svcid::parse_der_certificate(built.der);
        REQUIRE(parsed);
        bool matched_openssl = false, matched_der = false;
        CHECK(allocations_during_checks<svcid::web_pki>(svcid::openssl_certificate(built.cert.get()), refs,
                                                        matched_openssl) == 0);
        CHECK(allocations_during_checks<svcid::web_pki>(*parsed, refs, matched_der) == 0);
        CHECK(matched_openssl == leaf.second);
        CHECK(matched_der == leaf.second);
    }
}

TEST_CASE("reference parsing allocates nothing either") {
    const long before = svcid_test::allocations();
    auto a = svcid::parse_reference("b\xc3\xbc" "cher.example");
    auto b = svcid::parse_reference("[2001:db8::1]");
    auto c = svcid::parse_reference("spiffe://prod.example/ns/api");
    auto d = svcid::parse_reference("ops@example.net");
    auto e = svcid::parse_srv_reference("_imap.example.net");
    CHECK(svcid_test::allocations() == before);
    CHECK((a && b && c && d && e));
}
