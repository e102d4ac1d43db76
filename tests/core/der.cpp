#include <svcid/syntax/der.hpp>

#include "catch.hpp"

#include <string>
#include <string_view>

using namespace std::string_view_literals;
using svcid::errc;
using svcid::detail::der_check_nested;
using svcid::detail::der_reader;
using svcid::detail::der_tlv;
using svcid::detail::read_exact;
using svcid::detail::read_tlv;

namespace {
constexpr errc error_of(std::string_view in) { return read_tlv(in).error().code; }
} // namespace

TEST_CASE("read_tlv reads a short-form element and leaves what follows (X.690 §8.1.3.4)", "[der]") {
    constexpr auto in = "\x04\x03" "abc" "\x05\x00"sv;
    constexpr auto tlv = read_tlv(in);
    STATIC_REQUIRE(tlv.has_value());
    STATIC_REQUIRE(tlv->tag == 0x04);
    STATIC_REQUIRE(tlv->content == "abc"sv);
    STATIC_REQUIRE(tlv->encoding.size() == 5);
    STATIC_REQUIRE(!tlv->constructed());
    STATIC_REQUIRE(read_tlv("\x30\x00"sv)->constructed());
}

TEST_CASE("read_tlv reads long-form lengths of one to four octets (X.690 §8.1.3.5)", "[der]") {
    const std::string in = std::string("\x04\x81\x80") + std::string(0x80, 'x');
    auto one = read_tlv(in);
    REQUIRE(one);
    CHECK(one->content.size() == 0x80);

    std::string big(0x1234, 'y');
    std::string two = std::string("\x04\x82\x12\x34", 4) + big;
    auto parsed = read_tlv(two);
    REQUIRE(parsed);
    CHECK(parsed->content.size() == 0x1234);
    CHECK(parsed->encoding.size() == two.size());

    std::string three = std::string("\x04\x83\x01\x00\x00", 5) + std::string(0x10000, 'z');
    REQUIRE(read_tlv(three));
    CHECK(read_tlv(three)->content.size() == 0x10000);

    std::string four = std::string("\x04\x84\x01\x00\x00\x00", 6) + std::string(0x1000000, 'w');
    REQUIRE(read_tlv(four));
    CHECK(read_tlv(four)->content.size() == 0x1000000);
}

TEST_CASE("read_tlv refuses lengths that are not minimal (X.690 §10.1)", "[der]") {
    STATIC_REQUIRE(error_of("\x04\x81\x05" "abcde"sv) == errc::der_bad_length);      // fits the short form
    STATIC_REQUIRE(error_of("\x04\x81\x7F"sv) == errc::der_bad_length);
    STATIC_REQUIRE(error_of("\x04\x82\x00\x80"sv) == errc::der_bad_length);          // leading zero octet
    STATIC_REQUIRE(error_of("\x04\x81\x00"sv) == errc::der_bad_length);
}

TEST_CASE("read_tlv refuses the indefinite length form (X.690 §10.1)", "[der]") {
    STATIC_REQUIRE(error_of("\x30\x80\x04\x00\x00\x00"sv) == errc::der_indefinite_length);
}

TEST_CASE("read_tlv refuses more than four length octets and the reserved 0xFF (X.690 §8.1.3.5)", "[der]") {
    STATIC_REQUIRE(error_of("\x04\x85\x01\x00\x00\x00\x00"sv) == errc::der_bad_length);
    STATIC_REQUIRE(error_of("\x04\xFF"sv) == errc::der_bad_length);
}

TEST_CASE("read_tlv reports a length larger than the bytes that follow as der_bad_length", "[der]") {
    STATIC_REQUIRE(error_of("\x04\x05" "abcd"sv) == errc::der_bad_length);
    STATIC_REQUIRE(error_of("\x04\x82\x01\x00" "abc"sv) == errc::der_bad_length);
    // A length near 2^32 must not wrap around any bounds check.
    STATIC_REQUIRE(error_of("\x04\x84\xFF\xFF\xFF\xFF" "abc"sv) == errc::der_bad_length);
}

TEST_CASE("read_tlv reports input that ends inside the header as der_truncated", "[der]") {
    STATIC_REQUIRE(error_of(""sv) == errc::der_truncated);
    STATIC_REQUIRE(error_of("\x04"sv) == errc::der_truncated);
    STATIC_REQUIRE(error_of("\x04\x82\x01"sv) == errc::der_truncated);
}

TEST_CASE("read_tlv refuses high tag numbers and tag 0 (X.690 §8.1.2.4, §8.1.5)", "[der]") {
    STATIC_REQUIRE(error_of("\x1F\x22\x00"sv) == errc::der_bad_tag);
    STATIC_REQUIRE(error_of("\xBF\x81\x00\x00"sv) == errc::der_bad_tag);
    STATIC_REQUIRE(error_of("\x00\x00"sv) == errc::der_bad_tag);
}

TEST_CASE("read_tlv keeps the class and constructed bits in the tag", "[der]") {
    STATIC_REQUIRE(read_tlv("\xA3\x00"sv)->tag == 0xA3);
    STATIC_REQUIRE(read_tlv("\x82\x01z"sv)->tag == 0x82);
}

TEST_CASE("read_tlv never looks past the view it is given, NUL or not", "[der]") {
    const char buffer[] = "\x04\x05" "abcdefgh";
    CHECK(read_tlv(std::string_view(buffer, 4)).error() == errc::der_bad_length);
    CHECK(std::string(read_tlv(std::string_view(buffer, 7))->content) == "abcde");
    const char nul_inside[] = {'\x04', '\x03', 'a', '\0', 'b'};
    auto tlv = read_tlv(std::string_view(nul_inside, sizeof nul_inside));
    REQUIRE(tlv);
    CHECK(std::string(tlv->content) == std::string("a\0b", 3));
}

TEST_CASE("read_exact requires the expected tag and no trailing bytes", "[der]") {
    STATIC_REQUIRE(read_exact("\x30\x00"sv, 0x30).has_value());
    STATIC_REQUIRE(read_exact("\x31\x00"sv, 0x30).error() == errc::der_bad_tag);
    constexpr auto trailing = read_exact("\x30\x00\x00"sv, 0x30);
    STATIC_REQUIRE(trailing.error() == errc::der_trailing_bytes);
    STATIC_REQUIRE(trailing.error().offset == 2);
}

TEST_CASE("der_reader iterates a SEQUENCE's children in order", "[der]") {
    const auto seq = read_exact("\x30\x08\x02\x01\x05\x04\x00\x01\x01\xFF"sv, 0x30);
    REQUIRE(seq);
    der_reader r(seq->content);
    der_tlv child;
    REQUIRE(r.expect(0x02, child) == errc::ok);
    CHECK(std::string(child.content) == "\x05");
    CHECK(r.offset() == 3);
    bool present = true;
    REQUIRE(r.optional(0xA0, child, present) == errc::ok);
    CHECK_FALSE(present);
    CHECK(r.offset() == 3);
    CHECK(r.expect(0x05, child) == errc::der_bad_tag);
    REQUIRE(r.next(child) == errc::ok);
    CHECK(child.tag == 0x04);
    CHECK(child.content.empty());
    REQUIRE(r.optional(0x01, child, present) == errc::ok);
    CHECK(present);
    CHECK(r.empty());
    CHECK(r.expect(0x01, child) == errc::der_truncated);
}

TEST_CASE("der_reader reports a broken child and does not move past it", "[der]") {
    der_reader r("\x04\x01" "a" "\x04\x05" "ab"sv);
    der_tlv child;
    REQUIRE(r.next(child) == errc::ok);
    CHECK(r.next(child) == errc::der_bad_length);
    CHECK(r.offset() == 3);
    CHECK(r.remaining().size() == 4);
}

TEST_CASE("der_check_nested accepts well-formed nesting and bounds the depth", "[der]") {
    STATIC_REQUIRE(der_check_nested("\x30\x06\x31\x04\x30\x02\x05\x00"sv) == errc::ok);
    // Four levels of elements: SEQUENCE, SET, SEQUENCE, NULL.
    STATIC_REQUIRE(der_check_nested("\x30\x06\x31\x04\x30\x02\x05\x00"sv, 4) == errc::ok);
    STATIC_REQUIRE(der_check_nested("\x30\x06\x31\x04\x30\x02\x05\x00"sv, 3) == errc::der_too_deep);
    STATIC_REQUIRE(der_check_nested("\x30\x04\x31\x02\x30\x00"sv, 3) == errc::ok);
    STATIC_REQUIRE(der_check_nested("\x30\x04\x31\x02\x04\x05"sv) == errc::der_bad_length);

    std::string deep;
    for (int i = 0; i < 40; ++i) deep = std::string(1, '\x30') + std::string(1, static_cast<char>(deep.size())) + deep;
    CHECK(der_check_nested(deep) == errc::der_too_deep);
}
