// Inputs the libFuzzer targets in tests/fuzz found, kept as ordinary tests so that the
// fixed behaviour stays fixed in every configuration, fuzzer or not.
#include <svcid/dns_reference.hpp>

#include "catch.hpp"

#include <string_view>

using svcid::errc;

TEST_CASE("an error found after U-label conversion points into the caller's input, at the offending label") {
    // fuzz_dns_reference: the offset used to index the converted name
    // ("xn--bcher-kva.example.#om", offset 22), past the end of this 18-octet input.
    constexpr std::string_view input = "b\xc3\xbc" "cher.example.#om";
    const auto ref = svcid::parse_dns_reference(input);
    REQUIRE_FALSE(ref);
    CHECK(ref.error() == errc::non_ldh_character);
    CHECK(ref.error().label == 3);
    CHECK(ref.error().offset == input.find('#'));
    CHECK(ref.error().offset <= input.size());
}

TEST_CASE("an error in a later label after U-label conversion points at that label's start in the input") {
    constexpr std::string_view input = "b\xc3\xbc" "cher.-bad.example";
    const auto ref = svcid::parse_dns_reference(input);
    REQUIRE_FALSE(ref);
    CHECK(ref.error() == errc::hyphen_at_label_edge);
    CHECK(ref.error().label == 2);
    CHECK(ref.error().offset == input.find('-'));
}
