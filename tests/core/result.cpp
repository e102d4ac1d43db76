#include <svcid/result.hpp>

#include "catch.hpp"

#include <cstring>
#include <string>
#include <system_error>

TEST_CASE("errors are std::error_codes in the \"svcid\" category with actionable messages") {
    std::error_code ec = svcid::errc::label_too_long;
    CHECK(std::string(ec.category().name()) == "svcid");
    CHECK(ec.message() == "a label is longer than 63 octets");
    CHECK(ec == svcid::errc::label_too_long);
    CHECK(ec != svcid::errc::empty_label);
    CHECK_FALSE(std::error_code(svcid::errc::ok));
}

TEST_CASE("every error value has its own message") {
    for (int v = 1; v < 256; ++v) {
        const char* m = svcid::message(static_cast<svcid::errc>(v));
        REQUIRE(m != nullptr);
        if (std::strcmp(m, "unknown svcid error") == 0) continue;
        CHECK(std::strlen(m) > 10);
        CHECK(std::string(m).find("invalid") == std::string::npos);
    }
}

TEST_CASE("describe() says which label and byte, and truncates to the caller's buffer") {
    svcid::error e{svcid::errc::label_too_long, 17, 2};
    char buffer[128];
    const std::size_t wanted = svcid::describe(e, buffer, sizeof buffer);
    CHECK(std::string(buffer) == "label 2: a label is longer than 63 octets (at byte 17)");
    CHECK(wanted == std::strlen(buffer));
    char small[8];
    CHECK(svcid::describe(e, small, sizeof small) == wanted);
    CHECK(std::string(small) == "label 2");
}

TEST_CASE("a result holds a value or an error, never both") {
    svcid::result<int> good(42);
    svcid::result<int> bad(svcid::errc::empty_name);
    REQUIRE(good);
    CHECK(*good == 42);
    CHECK(good.error() == svcid::errc::ok);
    REQUIRE_FALSE(bad);
    CHECK(bad.error() == svcid::errc::empty_name);
#if defined(SVCID_HAS_EXCEPTIONS)
    CHECK_THROWS_AS(bad.value(), std::system_error);
    CHECK(good.value() == 42);
#endif
}

TEST_CASE("error offsets and labels past 65,535 are kept, and saturate instead of wrapping") {
    // A 70 kB certificate once reported a fault at byte 70,192 as byte 4,656.
    const svcid::error e(svcid::errc::der_trailing_bytes, 70192, 70000);
    CHECK(e.offset == 70192u);
    CHECK(e.label == 70000u);
    const svcid::error huge(svcid::errc::der_trailing_bytes, ~std::size_t{0}, ~std::size_t{0});
    CHECK(huge.offset == svcid::error::far);
    CHECK(huge.label == svcid::error::far);
    char text[160];
    svcid::describe(svcid::error(svcid::errc::der_trailing_bytes, 70192), text, sizeof text);
    CHECK(std::string(text).find("(at byte 70192)") != std::string::npos);
    svcid::describe(huge, text, sizeof text);
    CHECK(std::string(text).find("(at byte 4294967295 or later)") != std::string::npos);
}
