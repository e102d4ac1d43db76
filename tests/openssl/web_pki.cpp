// svcid::web_pki: the Web PKI leaf profile, rule by rule, over certificates cert_builder
// signs, read through every adapter (the X509, the X509 decoded from DER, the prepared X509,
// the raw DER). Each rule has a refusal and a control the same rule lets through.
#include <svcid/der_certificate.hpp>
#include <svcid/explain.hpp>
#include <svcid/identity_policy.hpp>
#include <svcid/openssl.hpp>

#include "catch.hpp"
#include "adapter_fixtures.hpp"
#include "cert_builder.hpp"
#include "list_adapter.hpp"

#include <string>
#include <vector>

using svcid::match_status;
using svcid_test::cert_spec;
namespace der = svcid_test::der;

namespace {

struct openssl_prepared {
    static constexpr const char* name = "openssl_prepared_certificate over the signed X509";
    svcid_test::built_certificate built;
    explicit openssl_prepared(const cert_spec& spec) : built(svcid_test::make_certificate(spec)) {}
    svcid::openssl_prepared_certificate adapter() const { return svcid::openssl_prepared_certificate(built.cert.get()); }
};

#define PROFILE_ADAPTERS svcid_test::openssl_built, svcid_test::openssl_decoded, openssl_prepared, svcid_test::der_parsed

const std::string v4_192_0_2_1("\xC0\x00\x02\x01", 4);
const std::string v6_2001_db8_1("\x20\x01\x0D\xB8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);

svcid::reference dns_ref(const char* name) { return svcid::reference(*svcid::parse_dns_reference(name)); }

template <class Fixture, class Policy = svcid::web_pki>
match_status status_of(const cert_spec& spec, const svcid::reference& ref = dns_ref("www.example.com")) {
    const Fixture f(spec);
    INFO(Fixture::name);
    return svcid::match<Policy>(f.adapter(), ref).status;
}

cert_spec leaf(std::vector<std::string> sans, std::vector<std::string> cns = {"www.example.com"}) {
    cert_spec spec;
    for (auto& cn : cns) spec.subject_cn(std::move(cn));
    for (auto& san : sans) spec.add_san(std::move(san));
    return spec;
}

} // namespace

TEMPLATE_TEST_CASE("web_pki matches a leaf that keeps the profile, as rfc9525 does", "[web_pki]", PROFILE_ADAPTERS) {
    CHECK(status_of<TestType>(leaf({der::dns("www.example.com"), der::dns("api.example.com")})) == match_status::matched);
    CHECK(status_of<TestType>(leaf({der::dns("*.example.com")}, {"*.example.com"})) == match_status::matched);
    CHECK(status_of<TestType>(leaf({der::dns("api.example.com")})) == match_status::cn_not_in_san);
    CHECK(status_of<TestType>(leaf({der::dns("api.example.com"), der::dns("www.example.com")})) == match_status::matched);
    CHECK(status_of<TestType>(leaf({der::dns("api.example.com")}, {"api.example.com"})) == match_status::no_match);
}

TEMPLATE_TEST_CASE("web_pki refuses a dNSName outside the preferred name syntax (RFC 5280 §4.2.1.6, RFC 1034 §3.5)",
                   "[web_pki]", PROFILE_ADAPTERS) {
    // The reference matches the first name; the second still refuses the leaf.
    CHECK(status_of<TestType>(leaf({der::dns("www.example.com"), der::dns("foo_bar.example.com")})) ==
          match_status::dns_name_not_preferred);
    CHECK(status_of<TestType, svcid::rfc9525>(leaf({der::dns("www.example.com"), der::dns("foo_bar.example.com")})) ==
          match_status::matched);
    CHECK(status_of<TestType>(leaf({der::dns("www.example.com"), der::dns("xn--bcher-kva.example")})) ==
          match_status::matched);
}

TEST_CASE("the preferred name syntax: LDH labels, inner hyphens, 63 octets, a whole * left-most label",
          "[web_pki]") {
    const char* const preferred[] = {"www.example.com", "*.example.com", "1.example.com", "a-b.example.com",
                                     "xn--bcher-kva.example", "localhost"};
    const char* const not_preferred[] = {"foo_bar.example.com", "-a.example.com", "a-.example.com",
                                         "a..example.com", "example.com.", ".example.com", "f*.example.com",
                                         "www.*.example.com", "*", "*.", "caf\xC3\xA9.example", "a b.example"};
    for (const char* name : preferred) {
        INFO(name);
        CHECK(svcid::detail::is_preferred_dns_name(name));
    }
    for (const char* name : not_preferred) {
        INFO(name);
        CHECK_FALSE(svcid::detail::is_preferred_dns_name(name));
    }
    const std::string label63(63, 'a'), label64(64, 'a');
    CHECK(svcid::detail::is_preferred_dns_name(label63 + ".example"));
    CHECK_FALSE(svcid::detail::is_preferred_dns_name(label64 + ".example"));
    std::string long_name;
    while (long_name.size() < 250) long_name += label63.substr(0, 9) + ".";
    long_name += "example";  // 257 octets: over the 253 a name's text may have (RFC 1034 §3.1)
    CHECK_FALSE(svcid::detail::is_preferred_dns_name(long_name));
}

TEMPLATE_TEST_CASE("web_pki refuses a CN that is no character-for-character copy of a dNSName (CA/B Forum BR 7.1.4.3)",
                   "[web_pki]", PROFILE_ADAPTERS) {
    CHECK(status_of<TestType>(leaf({der::dns("www.example.com")}, {"WWW.example.com"})) == match_status::cn_not_in_san);
    CHECK(status_of<TestType>(leaf({der::dns("www.example.com")}, {"www.example.com."})) == match_status::cn_not_in_san);
    // The U-label of the dNSName's A-label is the same name, but no copy of it.
    CHECK(status_of<TestType>(leaf({der::dns("xn--bcher-kva.example")}, {"b\xC3\xBC" "cher.example"}),
                              dns_ref("xn--bcher-kva.example")) == match_status::cn_not_in_san);
    CHECK(status_of<TestType>(leaf({der::dns("xn--bcher-kva.example")}, {"xn--bcher-kva.example"}),
                              dns_ref("xn--bcher-kva.example")) == match_status::matched);
    // Every CN must be a copy, not only the last one.
    CHECK(status_of<TestType>(leaf({der::dns("www.example.com")}, {"other.example.com", "www.example.com"})) ==
          match_status::cn_not_in_san);
    CHECK(status_of<TestType, svcid::rfc9525>(leaf({der::dns("www.example.com")}, {"WWW.example.com"})) ==
          match_status::matched);
}

TEMPLATE_TEST_CASE("web_pki refuses a CN in a string type that cannot copy an IA5String (CA/B Forum BR 7.1.4.3)",
                   "[web_pki]", PROFILE_ADAPTERS) {
    cert_spec bmp;
    bmp.subject_cn(std::string("\0w\0w\0w\0.\0e\0x\0a\0m\0p\0l\0e\0.\0c\0o\0m", 30), V_ASN1_BMPSTRING);
    bmp.add_san(der::dns("www.example.com"));
    CHECK(status_of<TestType>(bmp) == match_status::cn_not_in_san);
    cert_spec printable;
    printable.subject_cn("www.example.com", V_ASN1_PRINTABLESTRING);
    printable.add_san(der::dns("www.example.com"));
    CHECK(status_of<TestType>(printable) == match_status::matched);
}

TEMPLATE_TEST_CASE("web_pki takes a CN for an iPAddress only in its one text form (CA/B Forum BR 7.1.4.3, RFC 5952 §4)",
                   "[web_pki]", PROFILE_ADAPTERS) {
    const svcid::reference v4(*svcid::parse_ip_reference("192.0.2.1"));
    const svcid::reference v6(*svcid::parse_ip_reference("2001:db8::1"));
    CHECK(status_of<TestType>(leaf({der::ip(v4_192_0_2_1)}, {"192.0.2.1"}), v4) == match_status::matched);
    CHECK(status_of<TestType>(leaf({der::ip(v4_192_0_2_1)}, {"192.000.002.001"}), v4) == match_status::cn_not_in_san);
    CHECK(status_of<TestType>(leaf({der::ip(v4_192_0_2_1)}, {"0xC0000201"}), v4) == match_status::cn_not_in_san);
    CHECK(status_of<TestType>(leaf({der::ip(v6_2001_db8_1)}, {"2001:db8::1"}), v6) == match_status::matched);
    CHECK(status_of<TestType>(leaf({der::ip(v6_2001_db8_1)}, {"2001:DB8::1"}), v6) == match_status::cn_not_in_san);
    CHECK(status_of<TestType>(leaf({der::ip(v6_2001_db8_1)}, {"2001:db8:0:0:0:0:0:1"}), v6) == match_status::cn_not_in_san);
    CHECK(status_of<TestType>(leaf({der::ip(v6_2001_db8_1)}, {"[2001:db8::1]"}), v6) == match_status::cn_not_in_san);
    CHECK(status_of<TestType, svcid::rfc9525>(leaf({der::ip(v4_192_0_2_1)}, {"192.000.002.001"}), v4) ==
          match_status::matched);
}

TEMPLATE_TEST_CASE("web_pki ties a critical SAN to an empty subject (RFC 5280 §4.1.2.6, §4.2.1.6; BR 7.1.2.7.12)",
                   "[web_pki]", PROFILE_ADAPTERS) {
    cert_spec empty_critical = leaf({der::dns("www.example.com")}, {});
    empty_critical.san_critical = true;
    CHECK(status_of<TestType>(empty_critical) == match_status::matched);

    const cert_spec empty_noncritical = leaf({der::dns("www.example.com")}, {});
    CHECK(status_of<TestType>(empty_noncritical) == match_status::empty_subject_without_critical_san);
    CHECK(status_of<TestType, svcid::rfc9525>(empty_noncritical) == match_status::matched);

    CHECK(status_of<TestType>(cert_spec{}) == match_status::empty_subject_without_critical_san);

    cert_spec subject_critical = leaf({der::dns("www.example.com")});
    subject_critical.san_critical = true;
    CHECK(status_of<TestType>(subject_critical) == match_status::critical_san_with_subject);
    CHECK(status_of<TestType, svcid::rfc9525>(subject_critical) == match_status::matched);

    // A subject without a CN is not empty.
    cert_spec organisation;
    organisation.subject.push_back({{"O", V_ASN1_UTF8STRING, "Example"}});
    organisation.add_san(der::dns("www.example.com"));
    CHECK(status_of<TestType>(organisation) == match_status::matched);
    organisation.san_critical = true;
    CHECK(status_of<TestType>(organisation) == match_status::critical_san_with_subject);
}

TEMPLATE_TEST_CASE("web_pki refuses a malformed SAN before any other rule", "[web_pki]", PROFILE_ADAPTERS) {
    cert_spec broken = leaf({});
    broken.san_raw = der::seq({der::tlv(0x82, "www.example.com")}).substr(0, 10);
    CHECK(status_of<TestType>(broken) == match_status::san_malformed);
    cert_spec twice = leaf({der::dns("www.example.com")});
    twice.san_copies = 2;
    CHECK(status_of<TestType>(twice) == match_status::san_malformed);
}

TEMPLATE_TEST_CASE("web_pki refuses a wildcard under a PRIVATE public suffix too, as limbo's Web PKI cases expect",
                   "[web_pki]", PROFILE_ADAPTERS) {
    cert_spec s3 = leaf({der::dns("*.s3.amazonaws.com")}, {});
    s3.san_critical = true;
    const svcid::reference bucket = dns_ref("bucket.s3.amazonaws.com");
    CHECK(status_of<TestType, svcid::rfc9525>(s3, bucket) == match_status::matched);
    CHECK(status_of<TestType>(s3, bucket) == match_status::no_match);
    cert_spec own = leaf({der::dns("*.example.s3.amazonaws.com")}, {});
    own.san_critical = true;
    CHECK(status_of<TestType>(own, dns_ref("a.example.s3.amazonaws.com")) == match_status::matched);
}

TEMPLATE_TEST_CASE("the profile judges the leaf whatever the reference's type", "[web_pki]", PROFILE_ADAPTERS) {
    const cert_spec underscore = leaf({der::uri("https://www.example.com/"), der::dns("a_b.example.com")}, {});
    const svcid::reference uri(*svcid::parse_uri_reference("https://www.example.com"));
    CHECK(status_of<TestType, svcid::rfc9525>(underscore, uri) == match_status::matched);
    CHECK(status_of<TestType>(underscore, uri) == match_status::dns_name_not_preferred);
}

TEST_CASE("web_pki explanations name the rule and the offending identifier", "[web_pki]") {
    auto explained = [](const cert_spec& spec) {
        const auto built = svcid_test::make_certificate(spec);
        const svcid::openssl_certificate cert(built.cert.get());
        const svcid::reference ref = dns_ref("www.example.com");
        char text[512];
        svcid::explain<svcid::web_pki>(cert, ref, svcid::match<svcid::web_pki>(cert, ref), text, sizeof text);
        return std::string(text);
    };
    CHECK(explained(leaf({der::dns("www.example.com"), der::dns("foo_bar.example.com")})) ==
          "DNS-ID \"www.example.com\": a dNSName is not in the preferred name syntax of letters, digits and hyphens "
          "(RFC 5280 §4.2.1.6, RFC 1034 §3.5)\n  dNSName \"foo_bar.example.com\"");
    CHECK(explained(leaf({der::dns("www.example.com")}, {"WWW.example.com"})) ==
          "DNS-ID \"www.example.com\": the subject CN is not a character-for-character copy of a dNSName or iPAddress "
          "SAN (CA/B Forum BR 7.1.4.3)\n  CN \"WWW.example.com\"");
    cert_spec critical = leaf({der::dns("www.example.com")});
    critical.san_critical = true;
    CHECK(explained(critical) == "DNS-ID \"www.example.com\": the subjectAltName is critical although the subject is "
                                 "not empty (CA/B Forum BR 7.1.2.7.12)");
    CHECK(explained(leaf({der::dns("www.example.com")}, {})) ==
          "DNS-ID \"www.example.com\": the subject is empty and the subjectAltName is absent or not critical "
          "(RFC 5280 §4.1.2.6, §4.2.1.6)");
}

namespace {
// An adapter written before the profile: it cannot say whether its SAN is critical.
struct factless_adapter {
    template <class Visitor>
    svcid::san_state visit_subject_alt_names(Visitor&& v) const noexcept {
        (void)v(svcid::presented_id{svcid::presented_kind::dns_name, svcid::string_tag::ia5_string, "www.example.com", {}});
        return svcid::san_state::present;
    }
    template <class Visitor>
    bool visit_common_names(Visitor&&) const noexcept { return true; }
};
} // namespace

TEST_CASE("web_pki refuses through an adapter that cannot give the profile's facts", "[web_pki]") {
    const svcid::reference ref = dns_ref("www.example.com");
    CHECK(svcid::match(factless_adapter{}, ref).matched());
    CHECK(svcid::match<svcid::web_pki>(factless_adapter{}, ref).status == match_status::leaf_facts_unknown);
    // A CSR is no issued leaf: openssl_csr gives no such facts either.
    const auto request = svcid_test::make_request(leaf({der::dns("www.example.com")}));
    const svcid::openssl_csr csr(request.request.get());
    CHECK(svcid::match(csr, ref).matched());
    CHECK(svcid::match<svcid::web_pki>(csr, ref).status == match_status::leaf_facts_unknown);
}

TEST_CASE("identity_policy selects the profile with verify_rules::web_pki", "[web_pki]") {
    const svcid::reference refs[] = {dns_ref("www.example.com")};
    const auto plain = svcid::identity_policy::make(refs);
    const auto profiled = svcid::identity_policy::make(refs, svcid::verify_rules::web_pki);
    REQUIRE(profiled);
    CHECK(profiled.rules() == svcid::verify_rules::web_pki);

    const auto underscore = svcid_test::make_certificate(leaf({der::dns("www.example.com"), der::dns("a_b.example.com")}));
    const auto clean = svcid_test::make_certificate(leaf({der::dns("www.example.com")}));
    const auto der_underscore = *svcid::parse_der_certificate(underscore.der);
    const svcid::openssl_certificate x509_underscore(underscore.cert.get());

    CHECK(plain.check(x509_underscore).matched());
    CHECK(plain.check(der_underscore).matched());
    CHECK(profiled.check(x509_underscore).status == match_status::dns_name_not_preferred);
    CHECK(profiled.check(der_underscore).status == match_status::dns_name_not_preferred);
    CHECK(profiled.check(svcid::openssl_certificate(clean.cert.get())).matched());
    CHECK(profiled.check(*svcid::parse_der_certificate(clean.der)).matched());

    char text[512];
    profiled.explain(x509_underscore, profiled.check(x509_underscore), text, sizeof text);
    CHECK(std::string(text).find("preferred name syntax") != std::string::npos);

    // A session judged under one set of rules never resumes under the other.
    std::string plain_bytes, profiled_bytes;
    plain.serialise([&](const void* p, std::size_t n) { plain_bytes.append(static_cast<const char*>(p), n); });
    profiled.serialise([&](const void* p, std::size_t n) { profiled_bytes.append(static_cast<const char*>(p), n); });
    CHECK(plain_bytes != profiled_bytes);
}

namespace {
// A policy written before leaf_profile existed, not derived from rfc9525: it still compiles,
// and the profile stays off.
struct older_policy {
    static constexpr bool wildcards = true;
    static constexpr bool partial_wildcards = false;
    static constexpr unsigned min_labels_after_wildcard = 2;
    static constexpr bool ipv4_mapped_equal = false;
    static constexpr bool cn_fallback = false;
    static constexpr bool refuse_multiple_cn = false;
    static constexpr svcid::public_suffix_wildcards public_suffixes = svcid::public_suffix_wildcards::refuse_icann;
};
static_assert(svcid::is_policy_v<older_policy>, "leaf_profile is optional");
static_assert(svcid::is_policy_v<svcid::web_pki>, "web_pki is a policy");
} // namespace

TEST_CASE("a policy without the leaf_profile knob keeps the profile off", "[web_pki]") {
    const auto built = svcid_test::make_certificate(leaf({der::dns("www.example.com"), der::dns("a_b.example.com")}));
    const svcid::openssl_certificate cert(built.cert.get());
    CHECK(svcid::match<older_policy>(cert, dns_ref("www.example.com")).matched());
    CHECK(svcid::match<svcid::web_pki>(cert, dns_ref("www.example.com")).status == match_status::dns_name_not_preferred);
}
