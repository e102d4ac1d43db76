#include <svcid/der_certificate.hpp>
#include <svcid/match.hpp>

#include "catch.hpp"
#include "adapter_fixtures.hpp"
#include "cert_builder.hpp"
#include "collect.hpp"

#include <string>
#include <vector>

using svcid::san_state;
using svcid::string_tag;
using svcid_test::cert_spec;
using svcid_test::collector;
using svcid_test::seen;
namespace der = svcid_test::der;

namespace {

template <class Fixture>
std::vector<seen> sans_of(const Fixture& f, san_state expected, std::size_t stop_after = 0) {
    collector c;
    c.stop_after = stop_after;
    INFO(Fixture::name);
    CHECK(f.adapter().visit_subject_alt_names(c) == expected);
    return c.ids;
}

template <class Fixture>
std::vector<seen> cns_of(const Fixture& f) {
    collector c;
    INFO(Fixture::name);
    CHECK(f.adapter().visit_common_names(c));
    return c.ids;
}

const std::string v4("\xC0\x00\x02\x01", 4);
const std::string v6("\x20\x01\x0D\xB8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);

} // namespace

#define ALL_ADAPTERS svcid_test::openssl_built, svcid_test::openssl_decoded, svcid_test::der_parsed

TEMPLATE_TEST_CASE("every adapter delivers each SAN type of a real certificate in order (RFC 5280 §4.2.1.6)",
                   "[adapters]", ALL_ADAPTERS) {
    cert_spec spec;
    spec.subject_cn("cn.example")
        .add_san(der::dns("www.example.com"))
        .add_san(der::ip(v4))
        .add_san(der::ip(v6))
        .add_san(der::uri("spiffe://example.org/workload"))
        .add_san(der::rfc822("ops@example.com"))
        .add_san(der::srv_name("_imaps.example.com"))
        .add_san(der::xmpp_addr("chat.example.com"))
        .add_san(der::smtp_utf8_mailbox("δοκιμή@example.com"));
    const TestType f(spec);
    CHECK(sans_of(f, san_state::present) ==
          std::vector<seen>{svcid_test::dns("www.example.com"), svcid_test::ip(v4), svcid_test::ip(v6),
                            svcid_test::uri("spiffe://example.org/workload"), svcid_test::email("ops@example.com"),
                            svcid_test::srv("_imaps.example.com"), svcid_test::xmpp("chat.example.com"),
                            svcid_test::smtp("δοκιμή@example.com")});
    CHECK(cns_of(f) == std::vector<seen>{svcid_test::common_name("cn.example")});
}

TEMPLATE_TEST_CASE("every adapter reports an absent SAN and still yields the CN", "[adapters]", ALL_ADAPTERS) {
    cert_spec spec;
    spec.subject_cn("only-cn.example");
    const TestType f(spec);
    CHECK(sans_of(f, san_state::absent).empty());
    CHECK(cns_of(f) == std::vector<seen>{svcid_test::common_name("only-cn.example")});
}

TEMPLATE_TEST_CASE("every adapter delivers a dNSName with a NUL, NUL included", "[adapters]", ALL_ADAPTERS) {
    const std::string poisoned("www.bank.example\0.attacker.example", 34);
    cert_spec spec;
    spec.add_san(der::dns(poisoned));
    const TestType f(spec);
    CHECK(sans_of(f, san_state::present) == std::vector<seen>{svcid_test::dns(poisoned)});
}

TEMPLATE_TEST_CASE("every adapter delivers a 5-octet iPAddress as raw octets", "[adapters]", ALL_ADAPTERS) {
    cert_spec spec;
    spec.add_san(der::ip("\x0A\x01\x02\x03\x04"));
    const TestType f(spec);
    CHECK(sans_of(f, san_state::present) == std::vector<seen>{svcid_test::ip("\x0A\x01\x02\x03\x04")});
}

TEMPLATE_TEST_CASE("every adapter delivers an otherName of a known type with the wrong inner string type as a plain otherName",
                   "[adapters]", ALL_ADAPTERS) {
    cert_spec spec;
    spec.add_san(der::other_name("1.3.6.1.5.5.7.8.7", der::utf8("_imaps.example.com")))  // RFC 4985: IA5String
        .add_san(der::dns("after.example"));
    const TestType f(spec);
    CHECK(sans_of(f, san_state::present) ==
          std::vector<seen>{svcid_test::other("1.3.6.1.5.5.7.8.7", der::utf8("_imaps.example.com")),
                            svcid_test::dns("after.example")});
}

TEMPLATE_TEST_CASE("every adapter delivers an unknown otherName with its OID", "[adapters]", ALL_ADAPTERS) {
    cert_spec spec;
    spec.add_san(der::other_name("1.3.6.1.4.1.311.20.2.3", der::utf8("upn@example.com")));  // Microsoft UPN
    const TestType f(spec);
    const auto ids = sans_of(f, san_state::present);
    REQUIRE(ids.size() == 1);
    CHECK(ids[0].kind == svcid::presented_kind::other_name);
    CHECK(ids[0].oid == der::oid_content("1.3.6.1.4.1.311.20.2.3"));
    CHECK(ids[0].value == der::utf8("upn@example.com"));
}

TEMPLATE_TEST_CASE("every adapter matches a dNSName after an empty otherName A0 00: one bad entry is skipped (RFC 5280 §4.2.1.6)",
                   "[adapters]", ALL_ADAPTERS) {
    cert_spec spec;
    spec.subject_cn("victim.example");
    spec.san_raw = der::tlv(0x30, std::string("\xA0\x00", 2) + der::dns("www.example.com"));
    const TestType f(spec);
    const auto ids = sans_of(f, san_state::present);
    REQUIRE(ids.size() == 2);
    CHECK(ids[0].kind == svcid::presented_kind::other_name);
    CHECK(ids[0].oid.empty());
    CHECK(ids[1] == svcid_test::dns("www.example.com"));
    const auto www = *svcid::parse_dns_reference("www.example.com");
    CHECK(svcid::match(f.adapter(), www).matched());
    // Alone, the unreadable otherName might have been an SRV-ID, so the CN stays out (RFC 6125 §6.4.4).
    spec.san_raw = der::tlv(0x30, std::string("\xA0\x00", 2));
    const TestType only_other_name(spec);
    CHECK(svcid::match<svcid::rfc6125>(only_other_name.adapter(), *svcid::parse_dns_reference("victim.example")).status ==
          svcid::match_status::cn_not_permitted);
}

TEMPLATE_TEST_CASE("every adapter reports a duplicate SAN extension as malformed (RFC 5280 §4.2)", "[adapters]",
                   ALL_ADAPTERS) {
    cert_spec spec;
    spec.add_san(der::dns("one.example")).san_copies = 2;
    const TestType f(spec);
    CHECK(sans_of(f, san_state::malformed).empty());
}

TEMPLATE_TEST_CASE("every adapter reports broken SAN DER as malformed", "[adapters]", ALL_ADAPTERS) {
    const std::string broken[] = {
        std::string("\x30\x00", 2),                              // empty GeneralNames
        std::string("\x30\x05\x82\x01" "a", 5),                  // overlong SEQUENCE
        std::string("\x30\x03\x82\x01" "a" "\x00", 6),           // trailing byte
        std::string("\x30\x80\x82\x01" "a\x00\x00", 7),          // indefinite length
        std::string("\x30\x04\x82\x81\x01" "a", 6),              // non-minimal length
        std::string("\x30\x03\x16\x01" "a", 5),                  // not a GeneralName tag
        std::string(),                                           // nothing at all
    };
    for (const auto& extn_value : broken) {
        cert_spec spec;
        spec.san_raw = extn_value;
        const TestType f(spec);
        CHECK(sans_of(f, san_state::malformed).empty());
    }
}

TEMPLATE_TEST_CASE("every adapter reports a match followed by a broken element as malformed", "[adapters]",
                   ALL_ADAPTERS) {
    cert_spec spec;
    spec.san_raw = der::dns("a.example") + std::string("\x82\x05" "b", 3);
    spec.san_raw = der::tlv(0x30, *spec.san_raw);
    const TestType f(spec);
    CHECK(sans_of(f, san_state::malformed, 1) == std::vector<seen>{svcid_test::dns("a.example")});
}

TEMPLATE_TEST_CASE("every adapter delivers each CN of a multi-valued RDN and skips other attributes", "[adapters]",
                   ALL_ADAPTERS) {
    cert_spec spec;
    // Same length and type, so DER's SET OF ordering (X.690 §11.6) keeps them in this order.
    spec.subject = {{{"C", V_ASN1_PRINTABLESTRING, "NL"}},
                    {svcid_test::cn("a.example"), {"O", V_ASN1_UTF8STRING, "Org"}, svcid_test::cn("b.example")},
                    {svcid_test::cn("last.example", V_ASN1_IA5STRING)}};
    const TestType f(spec);
    CHECK(cns_of(f) == std::vector<seen>{svcid_test::common_name("a.example"), svcid_test::common_name("b.example"),
                                         svcid_test::common_name("last.example", string_tag::ia5_string)});
}

TEMPLATE_TEST_CASE("every adapter reports CN string types and delivers a CN with a NUL", "[adapters]", ALL_ADAPTERS) {
    const std::string bmp("\0w\0w\0w", 6);
    const std::string nul("a.example\0.evil", 15);
    cert_spec spec;
    spec.subject_cn(bmp, V_ASN1_BMPSTRING).subject_cn("printable", V_ASN1_PRINTABLESTRING).subject_cn(nul);
    const TestType f(spec);
    CHECK(cns_of(f) == std::vector<seen>{svcid_test::common_name(bmp, string_tag::bmp_string),
                                         svcid_test::common_name("printable", string_tag::printable_string),
                                         svcid_test::common_name(nul)});
}

TEST_CASE("both adapters deliver an odd-length BMPString CN untyped, so it stays the CN before the last", "[adapters]") {
    // OpenSSL will neither encode nor decode such a Name (ASN1_R_BMPSTRING_IS_WRONG_LENGTH),
    // so the certificate is made with a 3-octet UTF8String CN that is then retyped: in the
    // DER (the signature no longer verifies, which adapters do not check) and in the X509.
    const std::string odd("\0a\0", 3);
    cert_spec spec;
    spec.subject_cn(odd).subject_cn("kept.example");
    auto built = svcid_test::make_certificate(spec);
    const std::string utf8_cn = std::string("\x55\x04\x03\x0C\x03", 5) + odd;
    const auto at = built.der.rfind(utf8_cn);  // the subject; the issuer, the same Name, comes first
    REQUIRE(at != std::string::npos);
    built.der[at + 3] = '\x1E';
    const auto cert = svcid::parse_der_certificate(built.der);
    REQUIRE(cert);
    const std::vector<seen> expected{svcid_test::common_name(odd, svcid::string_tag::none),
                                     svcid_test::common_name("kept.example")};
    CHECK(cns_of(svcid_test::der_parsed_view{*cert}) == expected);

    ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(X509_get_subject_name(built.cert.get()), 0));
    REQUIRE(ASN1_STRING_length(value) == 3);
    value->type = V_ASN1_BMPSTRING;
    CHECK(cns_of(svcid_test::openssl_view{svcid::openssl_certificate(built.cert.get())}) == expected);
}

TEMPLATE_TEST_CASE("every adapter reads certificates with RSA and Ed25519 keys", "[adapters]",
                   ALL_ADAPTERS) {
    for (auto type : {svcid_test::key_type::rsa_2048, svcid_test::key_type::ed25519}) {
        cert_spec spec;
        spec.key = type;
        spec.subject_cn("leaf.example").add_san(der::dns("leaf.example"));
        const TestType f(spec);
        CHECK(sans_of(f, san_state::present) == std::vector<seen>{svcid_test::dns("leaf.example")});
    }
}
