#include <svcid/policy.hpp>

#include "catch.hpp"

TEST_CASE("rfc9525 is strict and rfc6125 adds only partial wildcards and CN fallback") {
    STATIC_REQUIRE(svcid::rfc9525::wildcards);
    STATIC_REQUIRE(!svcid::rfc9525::partial_wildcards);
    STATIC_REQUIRE(!svcid::rfc9525::cn_fallback);
    STATIC_REQUIRE(svcid::rfc9525::min_labels_after_wildcard == 2);
    STATIC_REQUIRE(!svcid::rfc9525::ipv4_mapped_equal);
    STATIC_REQUIRE(svcid::rfc6125::partial_wildcards);
    STATIC_REQUIRE(svcid::rfc6125::cn_fallback);
    STATIC_REQUIRE(svcid::rfc6125::min_labels_after_wildcard == 2);
    STATIC_REQUIRE(!svcid::rfc6125::ipv4_mapped_equal);
}

namespace {
struct mine : svcid::rfc9525 {
    static constexpr bool ipv4_mapped_equal = true;
};
struct incomplete {
    static constexpr bool wildcards = true;
};
} // namespace

TEST_CASE("a user policy derived from a shipped one is a policy; one missing a knob is not") {
    STATIC_REQUIRE(svcid::is_policy_v<mine>);
    STATIC_REQUIRE(svcid::is_policy_v<svcid::rfc6125>);
    STATIC_REQUIRE(!svcid::is_policy_v<incomplete>);
    STATIC_REQUIRE(!svcid::detail::policy_has_cn_fallback<incomplete>::value);
}
