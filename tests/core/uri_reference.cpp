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
    CHECK_FALSE(svcid::match_uri_id("sip:example.net", ref));
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
