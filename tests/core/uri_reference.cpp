#include <svcid/uri_reference.hpp>

#include "catch.hpp"

using svcid::errc;

TEST_CASE("a URI-ID reference is a scheme plus a DNS domain (RFC 6125 §6.5.2)") {
    auto a = svcid::make_uri_reference("SIP", "Example.NET");
    REQUIRE(a);
    CHECK(a->scheme() == "sip");
    CHECK(a->domain().name() == "example.net");
    auto b = svcid::parse_uri_reference("https://api.example.com:8443/v1?x#y");
    REQUIRE(b);
    CHECK(b->scheme() == "https");
    CHECK(b->domain().name() == "api.example.com");
}

TEST_CASE("URI-ID references need a scheme and a DNS host") {
    CHECK(svcid::make_uri_reference("", "example.net").error() == errc::uri_scheme_missing);
    CHECK(svcid::make_uri_reference("1sip", "example.net").error() == errc::uri_bad_scheme);
    CHECK(svcid::make_uri_reference("si p", "example.net").error() == errc::uri_bad_scheme);
    CHECK(svcid::parse_uri_reference("urn:example:thing").error() == errc::uri_host_not_dns);
    CHECK(svcid::parse_uri_reference("https://192.0.2.1/").error() == errc::uri_host_not_dns);
    CHECK(svcid::parse_uri_reference("https://[2001:db8::1]/").error() == errc::uri_host_not_dns);
    CHECK(svcid::parse_uri_reference("https://*.example.com/").error() == errc::wildcard_in_reference);
}

TEST_CASE("presented URIs match on scheme and host only; port, path, query and fragment are ignored (RFC 6125 §6.5.2)") {
    const auto ref = *svcid::make_uri_reference("sip", "example.net");
    CHECK(svcid::match_uri_id("sip://example.net", ref));
    CHECK(svcid::match_uri_id("SIP://EXAMPLE.net:5061/path?q#f", ref));
    CHECK(svcid::match_uri_id("sip://user@example.net/", ref));
    CHECK(svcid::match_uri_id("sip://example.net./", ref));
    CHECK_FALSE(svcid::match_uri_id("sips://example.net", ref));
    CHECK_FALSE(svcid::match_uri_id("sip://www.example.net", ref));
    CHECK_FALSE(svcid::match_uri_id("sip://*.net", ref));
    CHECK_FALSE(svcid::match_uri_id("sip://example.net@evil.example/", ref));
    CHECK_FALSE(svcid::match_uri_id(std::string_view("sip://example.net\0.evil", 23), ref));
    CHECK_FALSE(svcid::match_uri_id("sip://ex%61mple.net", ref));
}

TEST_CASE("a URI SAN with no reg-name host is no URI-ID") {
    const auto ref = *svcid::make_uri_reference("https", "example.net");
    CHECK_FALSE(svcid::match_uri_id("urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66", ref));
    CHECK_FALSE(svcid::match_uri_id("https://[::1]/", ref));
    CHECK_FALSE(svcid::match_uri_id("https://192.0.2.1/", ref));
    CHECK_FALSE(svcid::match_uri_id("", ref));
}

TEST_CASE("a SIP URI names its host without an authority: sip:[user@]host[:port][;params][?headers] (RFC 3261 §19.1.1)") {
    const auto ref = *svcid::make_uri_reference("sip", "voice.example.edu");
    // RFC 6125 §1.8 and RFC 9525 §2 give sip:voice.example.edu as their URI-ID example.
    CHECK(svcid::match_uri_id("sip:voice.example.edu", ref));
    CHECK(svcid::match_uri_id("sip:alice@voice.example.edu", ref));
    CHECK(svcid::match_uri_id("SIP:alice:secret@Voice.Example.EDU:5061;transport=tls?subject=x", ref));
    CHECK(svcid::match_uri_id("sip:a?b;c@voice.example.edu", ref));  // '?' and ';' are user-unreserved (§25.1)
    CHECK(svcid::match_uri_id("sip:voice.example.edu.", ref));
    CHECK_FALSE(svcid::match_uri_id("sips:voice.example.edu", ref));
    CHECK_FALSE(svcid::match_uri_id("sip:evil.example;x=voice.example.edu", ref));
    CHECK_FALSE(svcid::match_uri_id("sip:voice.example.edu:50x1", ref));

    const auto secure = svcid::parse_uri_reference("sips:bob@voice.example.edu:5061;transport=tls");
    REQUIRE(secure);
    CHECK(secure->scheme() == "sips");
    CHECK(secure->domain().name() == "voice.example.edu");
    CHECK(svcid::match_uri_id("sips:voice.example.edu", *secure));
}

TEST_CASE("a SIP URI whose host is in doubt or is an address names no host (RFC 3261 §19.1.1, §25.1)") {
    const auto ref = *svcid::make_uri_reference("sip", "good.example");
    // Only the user part may end in '@', so two of them leave the host in doubt.
    CHECK_FALSE(svcid::match_uri_id("sip:evil.example@x@good.example", ref));
    CHECK_FALSE(svcid::match_uri_id("sip:a@good.example?h=b@evil.example", ref));
    CHECK_FALSE(svcid::match_uri_id("sip:good.example#frag", ref));  // SIP URIs have no fragment
    CHECK_FALSE(svcid::match_uri_id("sip:@good.example", ref));
    for (const char* text : {"sip:192.0.2.1", "sip:alice@192.0.2.1:5060", "sip:", "sip:alice@", "sip:;x=y", "sip:@x@y"}) {
        INFO(text);
        CHECK(svcid::parse_uri_reference(text).error() == errc::uri_host_not_dns);
    }
    CHECK_FALSE(svcid::parse_uri_reference("sip:[2001:db8::1]"));  // not even an RFC 3986 path
}

TEST_CASE("an xmpp URI names the server of the addressed JID, never the authority's account (RFC 5122 §2.2)") {
    const auto ref = *svcid::make_uri_reference("xmpp", "example.com");
    CHECK(svcid::match_uri_id("xmpp:example.com", ref));
    CHECK(svcid::match_uri_id("xmpp:romeo@example.com", ref));
    CHECK(svcid::match_uri_id("xmpp:romeo@example.com/orchard?message;subject=hi", ref));
    CHECK(svcid::match_uri_id("xmpp://guest@example.net/romeo@example.com", ref));
    // The authority is who logs in, not whom the URI addresses.
    CHECK_FALSE(svcid::match_uri_id("xmpp://guest@example.com/romeo@example.net", ref));
    CHECK_FALSE(svcid::match_uri_id("xmpp://example.com", ref));
    CHECK_FALSE(svcid::match_uri_id("xmpp:example.net/res@example.com", ref));  // no '@' in a resid
    CHECK_FALSE(svcid::match_uri_id("xmpp:a@b@example.com", ref));
    const auto parsed = svcid::parse_uri_reference("xmpp:juliet@capulet.example/balcony");
    REQUIRE(parsed);
    CHECK(parsed->domain().name() == "capulet.example");
    CHECK(svcid::parse_uri_reference("xmpp:[::1]").error().code != errc::ok);
    CHECK(svcid::parse_uri_reference("xmpp:198.51.100.7").error() == errc::uri_host_not_dns);
}

TEST_CASE("im: and pres: URIs name the domain of one mailbox (RFC 3860 §3, RFC 3859 §3)") {
    const auto im = *svcid::make_uri_reference("im", "example.com");
    CHECK(svcid::match_uri_id("im:fred@example.com", im));
    CHECK(svcid::match_uri_id("im:fred@example.com?subject=x", im));
    CHECK_FALSE(svcid::match_uri_id("im:example.com", im));  // a mailbox, not a bare host
    CHECK_FALSE(svcid::match_uri_id("im:@example.com", im));
    CHECK_FALSE(svcid::match_uri_id("pres:fred@example.com", im));
    const auto pres = svcid::parse_uri_reference("pres:fred@example.com");
    REQUIRE(pres);
    CHECK(pres->scheme() == "pres");
    CHECK(svcid::match_uri_id("PRES:barney@Example.COM", *pres));
}

TEST_CASE("URIs of other schemes without an authority still name no host (RFC 6125 §6.5.2)") {
    for (const char* text : {"mailto:fred@example.com", "urn:example:example.com", "tel:+1-201-555-0123",
                             "news:comp.lang.c", "https:example.com"}) {
        INFO(text);
        CHECK(svcid::parse_uri_reference(text).error() == errc::uri_host_not_dns);
    }
    const auto ref = *svcid::make_uri_reference("mailto", "example.com");
    CHECK_FALSE(svcid::match_uri_id("mailto:fred@example.com", ref));
}

TEST_CASE("uri_id_host is usable in constant expressions") {
    STATIC_REQUIRE(*svcid::uri_id_host(*svcid::parse_uri("sip:alice@voice.example.edu;transport=tls")) ==
                   std::string_view("voice.example.edu"));
    STATIC_REQUIRE(!svcid::uri_id_host(*svcid::parse_uri("urn:x:y")));
}
