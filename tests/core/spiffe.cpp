#include <svcid/syntax/spiffe.hpp>

#include "catch.hpp"
#include "refusals.hpp"

#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

using namespace std::string_view_literals;

TEST_CASE("accepts SPIFFE IDs and splits trust domain from path", "[spiffe]") {
    static const std::pair<std::string_view, std::pair<std::string_view, std::string_view>> cases[] = {
        {"spiffe://example.org", {"example.org", ""}},
        {"spiffe://prod.example/ns/payments/sa/api", {"prod.example", "/ns/payments/sa/api"}},
        {"spiffe://a_b-c.1/A.b-C_9/..x/x..", {"a_b-c.1", "/A.b-C_9/..x/x.."}},
    };
    for (const auto& c : cases) {
        CAPTURE(c.first);
        const auto id = svcid::parse_spiffe_id(c.first);
        REQUIRE(id);
        CHECK(id->trust_domain() == c.second.first);
        CHECK(id->path() == c.second.second);
    }
}

TEST_CASE("rejects what the SPIFFE ID specification forbids, with the offset", "[spiffe]") {
    using svcid::errc;
    static const svcid_test::refusal cases[] = {
        {"", errc::bad_spiffe_id, 0, "§2 the scheme is required"},
        {"https://example.org/a", errc::bad_spiffe_id, 0, "§2 scheme is spiffe"},
        {"SPIFFE://example.org/a", errc::bad_spiffe_id, 0, "§2 scheme is lowercase spiffe"},
        {"spiffe:example.org/a", errc::bad_spiffe_id, 0, "§2 the authority is required"},
        {"spiffe://", errc::spiffe_bad_trust_domain, 9, "§2.1 empty trust domain"},
        {"spiffe:///a", errc::spiffe_bad_trust_domain, 9, "§2.1 empty trust domain before a path"},
        {"spiffe://Example.org/a", errc::spiffe_bad_trust_domain, 9, "§2.1 lowercase only"},
        {"spiffe://exa%6dple.org", errc::spiffe_bad_trust_domain, 12, "§2.1 no percent-encoding"},
        {"spiffe://user@example.org/a", errc::spiffe_forbidden_component, 13, "§2.1 no userinfo"},
        {"spiffe://example.org:443/a", errc::spiffe_forbidden_component, 20, "§2.1 no port"},
        {"spiffe://example.org?x", errc::spiffe_forbidden_component, 20, "§2 no query"},
        {"spiffe://example.org/a?x", errc::spiffe_forbidden_component, 22, "§2 no query after a path"},
        {"spiffe://example.org/a#x", errc::spiffe_forbidden_component, 22, "§2 no fragment"},
        {"spiffe://example.org/", errc::spiffe_bad_path, 21, "§2.2 no trailing slash"},
        {"spiffe://example.org/a/", errc::spiffe_bad_path, 23, "§2.2 no trailing slash after a segment"},
        {"spiffe://example.org/a//b", errc::spiffe_bad_path, 23, "§2.2 no empty segment"},
        {"spiffe://example.org/./b", errc::spiffe_bad_path, 21, "§2.2 no '.' segment"},
        {"spiffe://example.org/a/..", errc::spiffe_bad_path, 23, "§2.2 no '..' segment"},
        {"spiffe://example.org/a%20b", errc::spiffe_bad_path, 22, "§2.2 no percent-encoding"},
        {"spiffe://example.org/a b", errc::spiffe_bad_path, 22, "§2.2 no space"},
        {"spiffe://example.org/a\0b"sv, errc::spiffe_bad_path, 22, "§2.2 no NUL"},
    };
    svcid_test::check_refusals(cases, [](std::string_view text) { return svcid::parse_spiffe_id(text); });
}

TEST_CASE("enforces the 255-byte trust domain and 2048-byte ID limits of section 2.3", "[spiffe]") {
    std::string td(255, 'a');
    CHECK(svcid::parse_spiffe_id("spiffe://" + td));
    CHECK(svcid::parse_spiffe_id("spiffe://" + td + "a").error().code == svcid::errc::spiffe_trust_domain_too_long);

    std::string id = "spiffe://example.org/";
    id.resize(svcid::spiffe_id::max_len, 'p');
    CHECK(svcid::parse_spiffe_id(id));
    CHECK(svcid::parse_spiffe_id(id + "p").error().code == svcid::errc::spiffe_id_too_long);
}

TEST_CASE("matches a presented URI against the exact ID", "[spiffe]") {
    const auto ref = *svcid::parse_spiffe_id("spiffe://example.org/ns/prod/sa/api");
    CHECK(svcid::match_spiffe_id("spiffe://example.org/ns/prod/sa/api", ref));
    CHECK_FALSE(svcid::match_spiffe_id("spiffe://example.org/ns/prod/sa/API", ref));  // §2.2 paths are case-sensitive
    CHECK_FALSE(svcid::match_spiffe_id("spiffe://example.org/ns/prod/sa/api/", ref));
    CHECK_FALSE(svcid::match_spiffe_id("spiffe://Example.org/ns/prod/sa/api", ref));  // not a valid ID at all
    CHECK_FALSE(svcid::match_spiffe_id("spiffe://example.org/ns/prod/sa/api\0"sv, ref));
    CHECK_FALSE(svcid::match_spiffe_id("spiffe://example.org/ns/prod/sa/api?x", ref));
    CHECK_FALSE(svcid::match_spiffe_id("spiffe://example.net/ns/prod/sa/api", ref));
}

TEST_CASE("matches any ID in a trust domain", "[spiffe]") {
    CHECK(svcid::match_spiffe_trust_domain("spiffe://example.org/any/thing", "example.org"));
    CHECK(svcid::match_spiffe_trust_domain("spiffe://example.org", "example.org"));
    CHECK_FALSE(svcid::match_spiffe_trust_domain("spiffe://example.org.evil/x", "example.org"));
    CHECK_FALSE(svcid::match_spiffe_trust_domain("spiffe://sub.example.org/x", "example.org"));
    CHECK_FALSE(svcid::match_spiffe_trust_domain("https://example.org/x", "example.org"));
}

TEST_CASE("matches a path prefix only on segment boundaries", "[spiffe]") {
    const auto prefix = *svcid::parse_spiffe_id("spiffe://example.org/ns/prod");
    CHECK(svcid::match_spiffe_path_prefix("spiffe://example.org/ns/prod", prefix));
    CHECK(svcid::match_spiffe_path_prefix("spiffe://example.org/ns/prod/x", prefix));
    CHECK(svcid::match_spiffe_path_prefix("spiffe://example.org/ns/prod/x/y", prefix));
    CHECK_FALSE(svcid::match_spiffe_path_prefix("spiffe://example.org/ns/production", prefix));
    CHECK_FALSE(svcid::match_spiffe_path_prefix("spiffe://example.org/ns", prefix));
    CHECK_FALSE(svcid::match_spiffe_path_prefix("spiffe://other.org/ns/prod", prefix));
    CHECK_FALSE(svcid::match_spiffe_path_prefix("spiffe://example.org/ns/prod/", prefix));

    const auto whole = *svcid::parse_spiffe_id("spiffe://example.org");
    CHECK(svcid::match_spiffe_path_prefix("spiffe://example.org/anything", whole));
    CHECK(svcid::match_spiffe_path_prefix("spiffe://example.org", whole));
}

TEST_CASE("parses and matches SPIFFE IDs in constant expressions", "[spiffe]") {
    constexpr auto id = svcid::parse_spiffe_id("spiffe://example.org/a/b");
    STATIC_REQUIRE(id);
    STATIC_REQUIRE(id->trust_domain() == "example.org");
    STATIC_REQUIRE(svcid::match_spiffe_path_prefix("spiffe://example.org/a/b/c", *id));
    STATIC_REQUIRE(std::is_trivially_copyable<svcid::spiffe_id>::value);
}
