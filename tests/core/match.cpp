#include <svcid/match.hpp>

#include "catch.hpp"
#include "list_adapter.hpp"

#include <string>

using svcid_test::list_adapter;
using namespace svcid_test::ids;
using svcid::match_status;
using svcid::rfc6125;
using svcid::rfc9525;
using svcid::san_state;

namespace {
svcid::dns_reference dns_ref(const char* name) {
    auto r = svcid::parse_dns_reference(name);
    REQUIRE(r);
    return *r;
}
svcid::ip_reference ip_ref(const char* text) {
    auto r = svcid::parse_ip_reference(text);
    REQUIRE(r);
    return *r;
}
const std::string v4_192_0_2_1("\xc0\x00\x02\x01", 4);
const std::string v4_192_0_2_2("\xc0\x00\x02\x02", 4);
const std::string mapped_192_0_2_1(std::string(10, '\0') + "\xff\xff" + v4_192_0_2_1);
} // namespace

TEST_CASE("a DNS reference matches the first dNSName that names it and says which") {
    list_adapter cert;
    cert.alt_names = {dns("a.example.com"), dns("*.example.com"), dns("www.example.com")};
    auto r = svcid::match(cert, dns_ref("www.example.com"));
    REQUIRE(r.matched());
    CHECK(r.presented.kind == svcid::presented_kind::dns_name);
    CHECK(r.presented.value == "*.example.com");
    CHECK(r.candidates == 2);
    CHECK(r.san == san_state::present);
}

TEST_CASE("dNSNames that name other hosts give no_match") {
    list_adapter cert;
    cert.alt_names = {dns("a.example.com"), ip(v4_192_0_2_1)};
    auto r = svcid::match(cert, dns_ref("www.example.com"));
    CHECK(r.status == match_status::no_match);
    CHECK(r.candidates == 1);
}

TEST_CASE("a malformed SAN never matches and never falls back to the CN (DESIGN: never downgrade)") {
    list_adapter cert;
    cert.san = san_state::malformed;
    cert.alt_names = {dns("www.example.com")};
    cert.common_names = {cn("www.example.com")};
    CHECK(svcid::match<rfc9525>(cert, dns_ref("www.example.com")).status == match_status::san_malformed);
    CHECK(svcid::match<rfc6125>(cert, dns_ref("www.example.com")).status == match_status::san_malformed);
}

TEST_CASE("the CN is never consulted under rfc9525 (RFC 9525 §6.3)") {
    list_adapter cert;
    cert.san = san_state::absent;
    cert.common_names = {cn("www.example.com")};
    auto r = svcid::match(cert, dns_ref("www.example.com"));
    CHECK(r.status == match_status::cn_not_consulted);
    CHECK_FALSE(r.cn_consulted);
}

TEST_CASE("rfc6125 consults the last CN when no DNS-, SRV-, URI-ID or IP SAN exists (RFC 6125 §6.4.4)") {
    list_adapter cert;
    cert.san = san_state::absent;
    cert.common_names = {cn("other.example.com"), cn("www.example.com")};
    auto r = svcid::match<rfc6125>(cert, dns_ref("www.example.com"));
    REQUIRE(r.matched());
    CHECK(r.presented.kind == svcid::presented_kind::common_name);
    CHECK(r.cn_consulted);
    CHECK(svcid::match<rfc6125>(cert, dns_ref("other.example.com")).status == match_status::no_match);
}

TEST_CASE("a SAN with only an e-mail or otherName still lets rfc6125 consult the CN") {
    list_adapter cert;
    cert.alt_names = {email("ops@example.com")};
    cert.common_names = {cn("www.example.com")};
    CHECK(svcid::match<rfc6125>(cert, dns_ref("www.example.com")).matched());
}

TEST_CASE("a DNS-ID, SRV-ID, URI-ID or iPAddress SAN blocks CN fallback (RFC 6125 §6.4.4, mozilla-pkix)") {
    const svcid::presented_id blockers[] = {dns("other.example.com"), srv("_imap.example.com"),
                                            uri("https://other.example.com/"), ip(v4_192_0_2_1)};
    for (const auto& blocker : blockers) {
        INFO(svcid::kind_name(blocker.kind));
        list_adapter cert;
        cert.alt_names = {blocker};
        cert.common_names = {cn("www.example.com")};
        auto r = svcid::match<rfc6125>(cert, dns_ref("www.example.com"));
        CHECK_FALSE(r.matched());
        CHECK_FALSE(r.cn_consulted);
    }
}

TEST_CASE("CN fallback takes the policy's wildcard rules and refuses non-ASCII string types") {
    list_adapter cert;
    cert.san = san_state::absent;
    cert.common_names = {cn("*.example.com")};
    CHECK(svcid::match<rfc6125>(cert, dns_ref("www.example.com")).matched());
    cert.common_names = {cn("*.com")};
    CHECK_FALSE(svcid::match<rfc6125>(cert, dns_ref("example.com")).matched());
    cert.common_names = {cn(std::string_view("w\0w\0w\0.\0", 8), svcid::string_tag::bmp_string)};
    CHECK_FALSE(svcid::match<rfc6125>(cert, dns_ref("www")).matched());
    cert.common_names = {cn(std::string_view("www.example.com\0.evil.com", 25))};
    CHECK_FALSE(svcid::match<rfc6125>(cert, dns_ref("www.example.com")).matched());
}

namespace {
struct strict_cn : rfc6125 {
    static constexpr bool refuse_multiple_cn = true;
};
} // namespace

TEST_CASE("a policy can refuse subjects with several CNs") {
    list_adapter cert;
    cert.san = san_state::absent;
    cert.common_names = {cn("a.example.com"), cn("www.example.com")};
    CHECK(svcid::match<strict_cn>(cert, dns_ref("www.example.com")).status == match_status::multiple_cn_refused);
    cert.common_names = {cn("www.example.com")};
    CHECK(svcid::match<strict_cn>(cert, dns_ref("www.example.com")).matched());
}

TEST_CASE("an unreadable subject is reported, not matched") {
    list_adapter cert;
    cert.san = san_state::absent;
    cert.subject_parses = false;
    cert.common_names = {cn("www.example.com")};
    CHECK(svcid::match<rfc6125>(cert, dns_ref("www.example.com")).status == match_status::subject_malformed);
}

TEST_CASE("an IP reference matches only iPAddress SANs, by octets (RFC 9525 §6.4)") {
    list_adapter cert;
    cert.alt_names = {dns("192.0.2.1"), ip(v4_192_0_2_2), ip(v4_192_0_2_1)};
    cert.common_names = {cn("192.0.2.1")};
    auto r = svcid::match<rfc6125>(cert, ip_ref("192.0.2.1"));
    REQUIRE(r.matched());
    CHECK(r.presented.value == v4_192_0_2_1);
    CHECK(r.candidates == 2);
}

TEST_CASE("an IP reference never matches a dNSName or a CN, even under rfc6125 (curl CVE-2014-0139)") {
    list_adapter cert;
    cert.alt_names = {dns("192.0.2.1"), dns("*.2.1")};
    cert.common_names = {cn("192.0.2.1")};
    CHECK(svcid::match<rfc6125>(cert, ip_ref("192.0.2.1")).status == match_status::no_identifier_of_type);
    cert.san = san_state::absent;
    CHECK(svcid::match<rfc6125>(cert, ip_ref("192.0.2.1")).status == match_status::no_identifier_of_type);
}

namespace {
struct mapped : rfc9525 {
    static constexpr bool ipv4_mapped_equal = true;
};
} // namespace

TEST_CASE("IPv4-mapped IPv6 equals IPv4 only when the policy says so") {
    list_adapter cert;
    cert.alt_names = {ip(mapped_192_0_2_1)};
    CHECK_FALSE(svcid::match(cert, ip_ref("192.0.2.1")).matched());
    CHECK(svcid::match<mapped>(cert, ip_ref("192.0.2.1")).matched());
}

TEST_CASE("iPAddress SANs of other lengths never match") {
    list_adapter cert;
    const std::string five("\xc0\x00\x02\x01\x00", 5);
    const std::string eight("\xc0\x00\x02\x01\xff\xff\xff\x00", 8);
    cert.alt_names = {ip(five), ip(eight), ip("")};
    auto r = svcid::match(cert, ip_ref("192.0.2.1"));
    CHECK(r.status == match_status::no_match);
    CHECK(r.candidates == 3);
}

TEST_CASE("matching is noexcept and usable in constant expressions") {
    static constexpr svcid::example_adapter cert{};
    constexpr auto ref = svcid::parse_dns_reference("www.example.com");
    STATIC_REQUIRE(noexcept(svcid::match(cert, *ref)));
    STATIC_REQUIRE(svcid::match(cert, *ref).matched());
    STATIC_REQUIRE(svcid::is_certificate_adapter_v<list_adapter>);
    STATIC_REQUIRE(!svcid::is_certificate_adapter_v<int>);
}

TEST_CASE("SRV, URI, SPIFFE and e-mail references meet only their own SAN types (RFC 6125 §6.5)") {
    list_adapter cert;
    cert.alt_names = {dns("example.net"), srv("_imap.example.net"), uri("sip://example.net/"),
                      email("ops@example.net")};
    CHECK(svcid::match(cert, *svcid::make_srv_reference("imap", "example.net")).matched());
    CHECK(svcid::match(cert, *svcid::make_uri_reference("sip", "example.net")).matched());
    CHECK(svcid::match(cert, *svcid::parse_email_reference("ops@Example.NET")).matched());
    CHECK(svcid::match(cert, *svcid::make_srv_reference("xmpp", "example.net")).status == match_status::no_match);
    CHECK(svcid::match(cert, *svcid::parse_email_reference("Ops@example.net")).status == match_status::no_match);
    CHECK(svcid::match(cert, *svcid::make_spiffe_reference("spiffe://example.net")).status == match_status::no_match);
}

TEST_CASE("a URI SAN's host never satisfies a DNS reference (Node CVE-2021-44531)") {
    list_adapter cert;
    cert.alt_names = {uri("https://www.example.com/")};
    cert.common_names = {cn("www.example.com")};
    auto r = svcid::match<rfc6125>(cert, dns_ref("www.example.com"));
    CHECK(r.status == match_status::cn_not_permitted);
}

TEST_CASE("an SRV-ID's domain never satisfies a DNS reference, nor pairs with another reference's service") {
    list_adapter cert;
    cert.alt_names = {srv("_imap.example.net"), srv("_xmpp.example.org")};
    CHECK_FALSE(svcid::match(cert, dns_ref("example.net")).matched());
    CHECK_FALSE(svcid::match(cert, *svcid::make_srv_reference("imap", "example.org")).matched());
    CHECK_FALSE(svcid::match(cert, *svcid::make_srv_reference("xmpp", "example.net")).matched());
}

TEST_CASE("SmtpUTF8Mailbox values match e-mail references (RFC 8398)") {
    list_adapter cert;
    cert.alt_names = {{svcid::presented_kind::smtp_utf8_mailbox, svcid::string_tag::utf8_string,
                       "j\xc3\xb6rg@example.net", {}},
                      {svcid::presented_kind::smtp_utf8_mailbox, svcid::string_tag::utf8_string, "ops@EXAMPLE.net", {}}};
    auto r = svcid::match(cert, *svcid::parse_email_reference("ops@example.net"));
    REQUIRE(r.matched());
    CHECK(r.presented.kind == svcid::presented_kind::smtp_utf8_mailbox);
    CHECK(r.candidates == 2);
}

TEST_CASE("a certificate with more than one URI SAN is no SVID and matches no SPIFFE reference (X509-SVID §2)") {
    const auto workload = *svcid::make_spiffe_reference("spiffe://prod.example/api");
    list_adapter svid;
    svid.alt_names = {uri("spiffe://prod.example/api"), dns("api.prod.example")};
    auto ok = svcid::match(svid, workload);
    REQUIRE(ok.matched());
    CHECK(ok.presented.value == "spiffe://prod.example/api");

    list_adapter two;
    two.alt_names = {uri("spiffe://prod.example/api"), uri("https://api.prod.example/")};
    CHECK(svcid::match(two, workload).status == match_status::not_an_svid);
    two.alt_names = {uri("https://api.prod.example/"), uri("spiffe://prod.example/api")};
    CHECK(svcid::match(two, workload).status == match_status::not_an_svid);
}

TEST_CASE("more than 65535 URI SANs are still more than one: the candidate count never wraps (X509-SVID §2)") {
    std::vector<std::string> texts(65537, "spiffe://prod.example/other");
    texts.back() = "spiffe://prod.example/api";
    list_adapter cert;
    for (const auto& t : texts) cert.alt_names.push_back(uri(t));
    const auto r = svcid::match(cert, *svcid::make_spiffe_reference("spiffe://prod.example/api"));
    CHECK(r.status == match_status::not_an_svid);
    CHECK(r.candidates == 65537);
}

TEST_CASE("the last CN is the last CN attribute, whatever its string type (RFC 6125 §6.4.4)") {
    list_adapter cert;
    cert.san = san_state::absent;
    cert.common_names = {cn("victim.example"), cn("\x00v\x00i\x00", svcid::string_tag::none)};
    const auto r = svcid::match<rfc6125>(cert, dns_ref("victim.example"));
    CHECK(r.status == match_status::no_match);
    CHECK(r.cn_consulted);
}

TEST_CASE("an SRVName of the wrong string type still blocks CN fallback (RFC 6125 §6.4.4)") {
    list_adapter cert;
    const std::string srv_oid("\x2B\x06\x01\x05\x05\x07\x08\x07", 8);
    cert.alt_names = {{svcid::presented_kind::other_name, svcid::string_tag::none, "\x0C\x0a_imap.test", srv_oid}};
    cert.common_names = {cn("victim.example")};
    CHECK(svcid::match<rfc6125>(cert, dns_ref("victim.example")).status == match_status::cn_not_permitted);
    cert.alt_names[0].oid = "\x2B\x06\x01\x04\x01\x82\x37";  // another type: no SRV-ID
    CHECK(svcid::match<rfc6125>(cert, dns_ref("victim.example")).matched());
}

TEST_CASE("an otherName whose type cannot be read blocks CN fallback: it may be an SRV-ID (RFC 6125 §6.4.4)") {
    list_adapter cert;
    cert.alt_names = {{svcid::presented_kind::other_name, svcid::string_tag::none, "", ""}};
    cert.common_names = {cn("victim.example")};
    CHECK(svcid::match<rfc6125>(cert, dns_ref("victim.example")).status == match_status::cn_not_permitted);
}
