// Table-driven refusal tests: one row per input a parser must refuse, with the error code
// and byte offset it must report, and why (the rule and its RFC section).
#ifndef SVCID_TEST_REFUSALS_HPP
#define SVCID_TEST_REFUSALS_HPP

#include <svcid/error.hpp>

#include "catch.hpp"

#include <cstddef>
#include <string_view>

namespace svcid_test {

struct refusal {
    std::string_view text;
    svcid::errc code;
    std::size_t offset;
    const char* why;
};

/// `parse(text)` must fail with each row's code at each row's offset.
template <class Parse, std::size_t N>
void check_refusals(const refusal (&rows)[N], Parse parse) {
    for (const auto& row : rows) {
        CAPTURE(row.text, row.why);
        const auto parsed = parse(row.text);
        REQUIRE_FALSE(parsed);
        CHECK(parsed.error().code == row.code);
        CHECK(parsed.error().offset == row.offset);
    }
}

} // namespace svcid_test

#endif
