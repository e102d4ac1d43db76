#include <svcid/reference.hpp>

#include "catch.hpp"
#include "list_adapter.hpp"

#include <string>

using svcid_test::list_adapter;
using namespace svcid_test::ids;
using svcid::match_status;
using svcid::reference;
using svcid::requirement;

namespace {
reference parse(const char* text, requirement q = requirement::obligatory) {
    auto r = svcid::parse_reference(text);
    REQUIRE(r);
    return r->visit([q](const auto& typed) { return reference(typed, q); });
}
const std::string v4_10_0_0_7("\x0a\x00\x00\x07", 4);
} // namespace

TEST_CASE("parse_reference reads an IP address as an IP reference and anything else as a DNS name (RFC 9525 §6.1)") {
    CHECK(parse("10.0.0.7").type() == svcid::reference_type::ip);
    CHECK(parse("[2001:db8::1]").type() == svcid::reference_type::ip);
    CHECK(parse("db.internal").type() == svcid::reference_type::dns);
    CHECK(svcid::parse_reference("10.0.0.07").error() == svcid::errc::ip_literal_as_dns_name);
    CHECK(svcid::parse_reference("*.example.com").error() == svcid::errc::wildcard_in_reference);
}

TEST_CASE("parse_reference reads sip:, sips:, xmpp:, im: and pres: text as a URI-ID, not a mailbox (RFC 3261 §19.1.1)") {
    CHECK(parse("sip:voice.example.edu").type() == svcid::reference_type::uri);
    CHECK(parse("sip:alice@voice.example.edu").type() == svcid::reference_type::uri);
    CHECK(parse("SIPS:voice.example.edu").type() == svcid::reference_type::uri);
    CHECK(parse("xmpp:romeo@example.com").type() == svcid::reference_type::uri);
    CHECK(parse("im:fred@example.com").type() == svcid::reference_type::uri);
    CHECK(parse("pres:fred@example.com").type() == svcid::reference_type::uri);
    CHECK(parse("fred@example.com").type() == svcid::reference_type::email);
    CHECK(svcid::parse_reference("sip:192.0.2.1").error() == svcid::errc::uri_host_not_dns);
    list_adapter cert;
    cert.alt_names = {uri("sip:voice.example.edu")};
    CHECK(svcid::match(cert, parse("sip:bob@voice.example.edu")).matched());
    CHECK_FALSE(svcid::match(cert, parse("sips:voice.example.edu")).matched());
}

TEST_CASE("a reference fits in 320 octets and a long SPIFFE ID in it is a view of the caller's buffer") {
    static_assert(sizeof(reference) <= 320, "");
    std::string id = "spiffe://prod.example/";
    id.append(1000, 'a');
    CHECK(svcid::parse_reference(id).error() == svcid::errc::spiffe_id_needs_view);
    const reference r(*svcid::view_spiffe_reference(id));
    list_adapter cert;
    cert.alt_names = {uri(id)};
    CHECK(svcid::match(cert, r).matched());
}

TEST_CASE("a default-constructed reference matches nothing, not even an empty dNSName") {
    list_adapter cert;
    cert.alt_names = {dns(""), ip("")};
    CHECK_FALSE(svcid::match(cert, reference()).matched());
    CHECK_FALSE(svcid::match(cert, svcid::ip_reference()).matched());
}

TEST_CASE("match_any succeeds on the first reference that matches and names it") {
    list_adapter cert;
    cert.alt_names = {dns("db.internal"), ip(v4_10_0_0_7)};
    const reference refs[] = {parse("cache.internal"), parse("10.0.0.7"), parse("db.internal")};
    auto r = svcid::match_any(cert, refs);
    REQUIRE(r.matched());
    CHECK(r.reference_index == 1);
    CHECK(r.presented.kind == svcid::presented_kind::ip_address);
}

TEST_CASE("match_any with no references fails closed (mbedTLS CVE-2025-27809)") {
    list_adapter cert;
    cert.alt_names = {dns("db.internal")};
    auto r = svcid::match_any(cert, static_cast<const reference*>(nullptr), 0);
    CHECK(r.status == match_status::no_reference);
    CHECK(svcid::match_all(cert, static_cast<const reference*>(nullptr), 0).status == match_status::no_reference);
}

TEST_CASE("match_all needs every obligatory reference (pyca/service-identity's model)") {
    list_adapter cert;
    cert.alt_names = {dns("db.internal"), ip(v4_10_0_0_7)};
    const reference both[] = {parse("db.internal"), parse("10.0.0.7")};
    CHECK(svcid::match_all(cert, both).matched());
    const reference one_wrong[] = {parse("db.internal"), parse("10.0.0.8")};
    auto r = svcid::match_all(cert, one_wrong);
    CHECK(r.status == match_status::no_match);
    CHECK(r.reference_index == 1);
}

TEST_CASE("an optional reference must match only when its type is presented") {
    list_adapter dns_only;
    dns_only.alt_names = {dns("db.internal")};
    const reference refs[] = {parse("db.internal"), parse("10.0.0.8", requirement::optional)};
    CHECK(svcid::match_all(dns_only, refs).matched());

    list_adapter with_ip = dns_only;
    with_ip.alt_names.push_back(ip(v4_10_0_0_7));
    auto r = svcid::match_all(with_ip, refs);
    CHECK(r.status == match_status::optional_not_matched);
    CHECK(r.reference_index == 1);
}

TEST_CASE("a list of only optional references the certificate says nothing about fails") {
    list_adapter cert;
    cert.alt_names = {dns("db.internal")};
    const reference refs[] = {parse("10.0.0.8", requirement::optional)};
    CHECK_FALSE(svcid::match_all(cert, refs).matched());
}

TEST_CASE("a reference and the lists are trivially copyable values") {
    STATIC_REQUIRE(std::is_trivially_copyable<reference>::value);
    STATIC_REQUIRE(std::is_trivially_copyable<svcid::match_result>::value);
    STATIC_REQUIRE(svcid::parse_reference("10.0.0.7")->type() == svcid::reference_type::ip);
}

TEST_CASE("a spiffe URI in any case is a SPIFFE ID, never a URI-ID that would admit its whole trust domain") {
    CHECK(svcid::parse_reference("SPIFFE://prod.example/ns/payments").error() == svcid::errc::bad_spiffe_id);
    CHECK(svcid::parse_reference("Spiffe://prod.example/ns/payments").error() == svcid::errc::bad_spiffe_id);
    CHECK(svcid::make_uri_reference("spiffe", "prod.example").error() == svcid::errc::uri_id_is_spiffe_id);
    CHECK(svcid::make_uri_reference("SPIFFE", "prod.example").error() == svcid::errc::uri_id_is_spiffe_id);
    CHECK(svcid::parse_uri_reference("sPiFfE://prod.example/x").error() == svcid::errc::uri_id_is_spiffe_id);
}

TEST_CASE("a default e-mail reference matches no mailbox, not even \"@\"") {
    list_adapter cert;
    cert.alt_names = {email("@"), email("@.")};
    CHECK_FALSE(svcid::match(cert, svcid::email_reference()).matched());
    CHECK_FALSE(svcid::match_email("@", svcid::email_reference()));
}

TEST_CASE("match_all is monotonic in the policy: rfc9525 never accepts what rfc6125 refuses") {
    // An optional DNS reference, no dNSName, a CN that rfc6125 consults: the CN is no reason
    // to call the optional type presented, or rfc9525 (which never reads it) would be laxer.
    list_adapter cert;
    cert.alt_names = {email("ops@example.com")};
    cert.common_names = {cn("other.example")};
    const reference refs[] = {reference(*svcid::parse_email_reference("ops@example.com")),
                              reference(*svcid::parse_dns_reference("a.example"), requirement::optional)};
    const auto strict = svcid::match_all<svcid::rfc9525>(cert, refs);
    const auto legacy = svcid::match_all<svcid::rfc6125>(cert, refs);
    CHECK(strict.matched());
    CHECK(legacy.matched() == strict.matched());
}
