#include <svcid/syntax/uri.hpp>

#include "catch.hpp"
#include "refusals.hpp"

#include <string_view>
#include <type_traits>

using namespace std::string_view_literals;

namespace {
struct split_case {
    std::string_view text, scheme, userinfo, host, port, path, query, fragment;
    svcid::uri_host_kind kind;
    const char* why;
};
} // namespace

TEST_CASE("splits absolute URIs into the components of RFC 3986 section 3", "[uri]") {
    using k = svcid::uri_host_kind;
    static const split_case cases[] = {
        {"https://example.com", "https", "", "example.com", "", "", "", "", k::reg_name, "§3.2 authority only"},
        {"https://user:pw@example.com:8443/a/b?x=1&y#frag", "https", "user:pw", "example.com", "8443", "/a/b", "x=1&y", "frag", k::reg_name, "§3 every component"},
        {"foo://[2001:db8::1]:80/", "foo", "", "2001:db8::1", "80", "/", "", "", k::ip_literal, "§3.2.2 IP-literal"},
        {"foo://[v7.fe80::a+en1]/", "foo", "", "v7.fe80::a+en1", "", "/", "", "", k::ip_literal, "§3.2.2 IPvFuture"},
        {"http://192.0.2.1/", "http", "", "192.0.2.1", "", "/", "", "", k::ipv4, "§3.2.2 IPv4address wins over reg-name"},
        {"http://192.0.2/", "http", "", "192.0.2", "", "/", "", "", k::reg_name, "§3.2.2 not four parts: a reg-name"},
        {"http://01.2.3.4/", "http", "", "01.2.3.4", "", "/", "", "", k::reg_name, "§3.2.2 dec-octet has no leading zero"},
        {"file:///etc/hosts", "file", "", "", "", "/etc/hosts", "", "", k::reg_name, "§3.2.2 an empty reg-name"},
        {"urn:example:animal:ferret:nose", "urn", "", "", "", "example:animal:ferret:nose", "", "", k::none, "§3 path-rootless"},
        {"mailto:John.Doe@example.com", "mailto", "", "", "", "John.Doe@example.com", "", "", k::none, "§1.1.2 example"},
        {"sip:alice@atlanta.com?subject=x", "sip", "", "", "", "alice@atlanta.com", "subject=x", "", k::none, "query without authority"},
        {"a+b.c-d:/p%20q", "a+b.c-d", "", "", "", "/p%20q", "", "", k::none, "§3.1 scheme characters, §2.1 pct-encoded"},
        {"http://ex%41mple.com/", "http", "", "ex%41mple.com", "", "/", "", "", k::reg_name, "§3.2.2 pct-encoded reg-name, kept encoded"},
        {"x:?#", "x", "", "", "", "", "", "", k::none, "empty query and fragment"},
        {"x:/a?b/c?d#e/f?g", "x", "", "", "", "/a", "b/c?d", "e/f?g", k::none, "§3.4, §3.5 '/' and '?' allowed"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.text, c.why);
        const auto u = svcid::parse_uri(c.text);
        REQUIRE(u);
        CHECK(u->scheme == c.scheme);
        CHECK(u->userinfo == c.userinfo);
        CHECK(u->host == c.host);
        CHECK(u->port == c.port);
        CHECK(u->path == c.path);
        CHECK(u->query == c.query);
        CHECK(u->fragment == c.fragment);
        CHECK(u->host_kind == c.kind);
    }
}

TEST_CASE("tells an absent component from an empty one", "[uri]") {
    const auto a = svcid::parse_uri("http://h");
    const auto b = svcid::parse_uri("http://@h:?#");
    REQUIRE(a);
    REQUIRE(b);
    CHECK_FALSE(a->has_userinfo);
    CHECK_FALSE(a->has_port);
    CHECK_FALSE(a->has_query);
    CHECK_FALSE(a->has_fragment);
    CHECK(b->has_userinfo);
    CHECK(b->has_port);
    CHECK(b->has_query);
    CHECK(b->has_fragment);
    CHECK(a->has_authority);
    CHECK_FALSE(svcid::parse_uri("urn:x")->has_authority);
}

TEST_CASE("rejects what RFC 3986 Appendix A does not allow, with the offset", "[uri]") {
    using svcid::errc;
    static const svcid_test::refusal cases[] = {
        {"", errc::uri_scheme_missing, 0, "§4.3 a URI has a scheme"},
        {"//example.com/", errc::uri_scheme_missing, 0, "§4.2 a relative reference"},
        {"example.com", errc::uri_scheme_missing, 0, "no ':' at all"},
        {":foo", errc::uri_bad_scheme, 0, "§3.1 an empty scheme"},
        {"1http://x", errc::uri_bad_scheme, 0, "§3.1 scheme starts with a letter"},
        {"ht_tp://x", errc::uri_bad_scheme, 2, "§3.1 '_' is not a scheme character"},
        {"http://exa mple.com/", errc::uri_bad_character, 10, "a space in the host"},
        {"http://example.com/a b", errc::uri_bad_character, 20, "a space in the path"},
        {"http://example.com/\x7f", errc::uri_bad_character, 19, "DEL"},
        {"http://ex\xc3\xa4mple.com/", errc::uri_bad_character, 9, "raw UTF-8: an IRI, not a URI"},
        {"http://example.com\0.evil/"sv, errc::uri_bad_character, 18, "an embedded NUL"},
        {"http://example.com/%", errc::uri_bad_percent_encoding, 19, "§2.1 '%' at the end"},
        {"http://example.com/%4", errc::uri_bad_percent_encoding, 19, "§2.1 one hex digit"},
        {"http://example.com/%zz", errc::uri_bad_percent_encoding, 19, "§2.1 not hex"},
        {"http://a@b@c/", errc::uri_bad_character, 10, "§3.2.1 '@' twice"},
        {"http://h:8a/", errc::uri_bad_port, 10, "§3.2.3 port is digits"},
        {"http://h:1:2/", errc::uri_bad_port, 10, "§3.2.3 two colons"},
        {"http://[::1/", errc::uri_bad_ip_literal, 7, "§3.2.2 unclosed bracket"},
        {"http://[1.2.3.4]/", errc::uri_bad_ip_literal, 7, "§3.2.2 IPv4 is never bracketed"},
        {"http://[fe80::1%25eth0]/", errc::uri_bad_ip_literal, 7, "RFC 6874 zone ids refused"},
        {"http://[v.x]/", errc::uri_bad_ip_literal, 7, "§3.2.2 IPvFuture needs a version"},
        {"http://[::1]x/", errc::uri_bad_character, 12, "junk after the literal"},
        {"http://h/#a#b", errc::uri_bad_character, 11, "§3.5 '#' inside a fragment"},
        {"http://h/[x]", errc::uri_bad_character, 9, "gen-delims in the path"},
    };
    svcid_test::check_refusals(cases, [](std::string_view text) { return svcid::parse_uri(text); });
}

TEST_CASE("refuses URIs longer than the published limit", "[uri]") {
    std::string long_uri = "http://h/";
    long_uri.resize(svcid::uri_view::max_input_len, 'a');
    CHECK(svcid::parse_uri(long_uri));
    long_uri += 'a';
    CHECK(svcid::parse_uri(long_uri).error().code == svcid::errc::uri_too_long);
}

TEST_CASE("reads URIs in constant expressions", "[uri]") {
    STATIC_REQUIRE(svcid::parse_uri("https://example.com:443/")->host == "example.com");
    STATIC_REQUIRE(svcid::parse_uri("https://[::1]/")->host_kind == svcid::uri_host_kind::ip_literal);
    STATIC_REQUIRE(svcid::parse_uri("no scheme").error().code == svcid::errc::uri_scheme_missing);
    STATIC_REQUIRE(std::is_trivially_copyable<svcid::uri_view>::value);
}
