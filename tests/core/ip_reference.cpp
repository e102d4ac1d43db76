#include <svcid/ip_reference.hpp>

#include "catch.hpp"
#include "refusals.hpp"

#include <arpa/inet.h>

#include <cstring>
#include <iterator>
#include <random>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

using namespace std::string_view_literals;

namespace {

std::string text_of(const svcid::ip_reference& ip) {
    char buf[svcid::ip_reference::max_text_len];
    const std::size_t n = svcid::format(ip, buf, sizeof buf);
    REQUIRE(n <= sizeof buf);
    return std::string(buf, n);
}

struct accept_case {
    std::string_view text;
    std::string_view octets;
    const char* why;
};

} // namespace

TEST_CASE("accepts every RFC 4291 section 2.2 text form and strict dotted decimal", "[ip]") {
    static const accept_case cases[] = {
        {"1.2.3.4", "\x01\x02\x03\x04"sv, "RFC 791 dotted decimal"},
        {"0.0.0.0", "\0\0\0\0"sv, "zero parts are a single 0"},
        {"255.255.255.255", "\xff\xff\xff\xff"sv, "every part at its maximum"},
        {"::", "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"sv, "RFC 4291 §2.2 the unspecified address"},
        {"::1", "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01"sv, "RFC 4291 §2.2 the loopback address"},
        {"1::", "\0\x01\0\0\0\0\0\0\0\0\0\0\0\0\0\0"sv, "trailing compression"},
        {"2001:DB8::8:800:200C:417A", "\x20\x01\x0d\xb8\0\0\0\0\0\x08\x08\0\x20\x0c\x41\x7a"sv, "RFC 4291 §2.2 example, upper case"},
        {"2001:0db8:0000:0000:0008:0800:200c:417a", "\x20\x01\x0d\xb8\0\0\0\0\0\x08\x08\0\x20\x0c\x41\x7a"sv, "full form with leading zeros"},
        {"::ffff:1.2.3.4", "\0\0\0\0\0\0\0\0\0\0\xff\xff\x01\x02\x03\x04"sv, "RFC 4291 §2.5.5.2 IPv4-mapped"},
        {"64:ff9b::192.0.2.1", "\0\x64\xff\x9b\0\0\0\0\0\0\0\0\xc0\0\x02\x01"sv, "RFC 6052 NAT64 prefix with embedded IPv4"},
        {"::1.2.3.4", "\0\0\0\0\0\0\0\0\0\0\0\0\x01\x02\x03\x04"sv, "RFC 4291 §2.5.5.1 IPv4-compatible"},
        {"1:2:3:4:5:6:1.2.3.4", "\0\x01\0\x02\0\x03\0\x04\0\x05\0\x06\x01\x02\x03\x04"sv, "six groups and an IPv4 tail"},
        {"1:2:3:4:5:6:7::", "\0\x01\0\x02\0\x03\0\x04\0\x05\0\x06\0\x07\0\0"sv, "'::' standing for one group, as inet_pton accepts"},
        {"::2:3:4:5:6:7:8", "\0\0\0\x02\0\x03\0\x04\0\x05\0\x06\0\x07\0\x08"sv, "leading '::' standing for one group"},
        {"1::4:5:6:7:1.2.3.4", "\0\x01\0\0\0\x04\0\x05\0\x06\0\x07\x01\x02\x03\x04"sv, "'::' for one group before an IPv4 tail"},
        {"[::1]", "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01"sv, "RFC 3986 §3.2.2 IP-literal brackets"},
        {"[0000:0000:0000:0000:0000:ffff:255.255.255.255]",
         "\0\0\0\0\0\0\0\0\0\0\xff\xff\xff\xff\xff\xff"sv, "the longest accepted input, 47 characters"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.text, c.why);
        const auto r = svcid::parse_ip_reference(c.text);
        REQUIRE(r);
        CHECK(r->octets() == c.octets);
        CHECK(r->family() == (c.octets.size() == 4 ? svcid::ip_family::v4 : svcid::ip_family::v6));
    }
}

TEST_CASE("rejects ambiguous and malformed text with the error and its byte offset", "[ip]") {
    using svcid::errc;
    static const svcid_test::refusal cases[] = {
        {"", errc::empty_address, 0, "nothing to parse"},
        {"1.2.3", errc::bad_ipv4_syntax, 5, "inet_aton short form: three parts"},
        {"127.1", errc::bad_ipv4_syntax, 5, "inet_aton short form: two parts"},
        {"14.15", errc::bad_ipv4_syntax, 5, "Chromium once read this as 14.0.0.15"},
        {"01.2.3.4", errc::ipv4_leading_zero, 0, "octal to inet_aton, decimal to others"},
        {"1.2.3.010", errc::ipv4_leading_zero, 6, "leading zero in the last part"},
        {"1.2.3.4.", errc::bad_ipv4_syntax, 7, "trailing dot"},
        {"1.2.3.4 ", errc::bad_ipv4_syntax, 7, "trailing space"},
        {" 1.2.3.4", errc::bad_ipv4_syntax, 0, "leading space"},
        {"256.1.1.1", errc::ipv4_part_too_large, 0, "a part above 255"},
        {"1.2.3.1000", errc::ipv4_part_too_large, 6, "four digits"},
        {"0x7f.0.0.1", errc::bad_ipv4_syntax, 1, "hexadecimal part"},
        {"+1.2.3.4", errc::bad_ipv4_syntax, 0, "a sign"},
        {"1..3.4", errc::bad_ipv4_syntax, 2, "an empty part"},
        {"1.2.3.4\0"sv, errc::bad_ipv4_syntax, 7, "an embedded NUL after the address"},
        {"1.2\0.3.4"sv, errc::bad_ipv4_syntax, 3, "an embedded NUL inside the address"},
        {"[1.2.3.4]", errc::ipv4_in_brackets, 0, "RFC 3986 §3.2.2: brackets are for IPv6 only"},
        {":::", errc::bad_ipv6_syntax, 2, "three colons"},
        {"1:::2", errc::bad_ipv6_syntax, 3, "three colons in the middle"},
        {":1::", errc::bad_ipv6_syntax, 0, "a leading single colon"},
        {"1::2:", errc::bad_ipv6_syntax, 4, "a trailing single colon"},
        {"1::2::3", errc::ipv6_double_compression, 4, "RFC 4291 §2.2: '::' only once"},
        {"1:2:3:4:5:6:7:8::", errc::ipv6_too_many_groups, 15, "eight groups plus '::'"},
        {"::1:2:3:4:5:6:7:8", errc::ipv6_too_many_groups, 16, "'::' plus eight groups"},
        {"1:2:3:4:5:6:7:8:9", errc::ipv6_too_many_groups, 16, "nine groups"},
        {"1:2:3:4:5:6:7:1.2.3.4", errc::ipv6_too_many_groups, 14, "seven groups and an IPv4 tail"},
        {"1::3:4:5:6:7:8:1.2.3.4", errc::ipv6_too_many_groups, 15, "'::', six groups and an IPv4 tail"},
        {"1:2:3:4:5:6:7", errc::ipv6_too_few_groups, 13, "seven groups without '::'"},
        {"12345::", errc::ipv6_group_too_long, 0, "five hex digits"},
        {"1::00000", errc::ipv6_group_too_long, 3, "five hex digits, all zero"},
        {"::g", errc::bad_ipv6_syntax, 2, "not a hex digit"},
        {"::ffff:01.2.3.4", errc::ipv4_leading_zero, 7, "strict IPv4 rules inside IPv6"},
        {"::ffff:1.2.3", errc::bad_ipv4_syntax, 12, "short IPv4 inside IPv6"},
        {"::1.2.3.4:5", errc::bad_ipv4_syntax, 9, "the IPv4 tail must be last"},
        {"fe80::1%eth0", errc::ipv6_zone_id_not_allowed, 7, "RFC 6874 zone ids are host-local"},
        {"[fe80::1%25eth0]", errc::ipv6_zone_id_not_allowed, 8, "a zone id in a URI literal"},
        {"[::1", errc::bad_ipv6_syntax, 4, "an unclosed bracket"},
        {"::1]", errc::bad_ipv6_syntax, 3, "a lone closing bracket"},
        {"[]", errc::bad_ipv6_syntax, 1, "empty brackets"},
        {"[0000:0000:0000:0000:0000:ffff:255.255.255.255] ", errc::ip_address_too_long, 47, "one byte over the limit"},
    };
    svcid_test::check_refusals(cases, [](std::string_view text) { return svcid::parse_ip_reference(text); });
}

TEST_CASE("parses, compares and formats in constant expressions", "[ip]") {
    STATIC_REQUIRE(svcid::parse_ip_reference("192.0.2.1"));
    STATIC_REQUIRE(svcid::parse_ip_reference("2001:db8::1")->is_v6());
    STATIC_REQUIRE(svcid::parse_ip_reference("01.2.3.4").error().code == svcid::errc::ipv4_leading_zero);
    STATIC_REQUIRE(*svcid::parse_ip_reference("::1") == *svcid::parse_ip_reference("0:0:0:0:0:0:0:1"));
    STATIC_REQUIRE(*svcid::parse_ip_reference("1.2.3.4") != *svcid::parse_ip_reference("::ffff:1.2.3.4"));
    STATIC_REQUIRE(svcid::match_ip_address("\x7f\0\0\x01"sv, *svcid::parse_ip_reference("127.0.0.1")));
    STATIC_REQUIRE(std::is_trivially_copyable<svcid::ip_reference>::value);
}

TEST_CASE("formats IPv6 in the RFC 5952 canonical form", "[ip]") {
    static const std::pair<std::string_view, std::string_view> cases[] = {
        {"2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"},  // §4.1, §4.2.1, §4.3
        {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},            // §4.2.2 not one group
        {"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"},                      // §4.2.3 the longest run
        {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},                // §4.2.3 the first on a tie
        {"::", "::"},
        {"::1", "::1"},
        {"1::", "1::"},
        {"1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"},
        {"::ffff:192.0.2.1", "::ffff:192.0.2.1"},                     // §5 IPv4-mapped
        {"::ffff:c000:201", "::ffff:192.0.2.1"},
        {"64:ff9b::192.0.2.1", "64:ff9b::c000:201"},                  // §5: only mapped is dotted
        {"::1.2.3.4", "::102:304"},
        {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
        {"0.0.0.0", "0.0.0.0"},
        {"[::ffff:255.255.255.255]", "::ffff:255.255.255.255"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.first);
        const auto r = svcid::parse_ip_reference(c.first);
        REQUIRE(r);
        CHECK(text_of(*r) == c.second);
        const auto again = svcid::parse_ip_reference(text_of(*r));
        REQUIRE(again);
        CHECK(*again == *r);
    }
}

TEST_CASE("formatting reports the size it needs and never writes past the buffer", "[ip]") {
    const auto r = svcid::parse_ip_reference("2001:db8::1");
    REQUIRE(r);
    char buf[8] = {'#', '#', '#', '#', '#', '#', '#', '#'};
    CHECK(svcid::format(*r, buf, 4) == 11);
    CHECK(std::string_view(buf, 8) == "2001####");
    CHECK(svcid::format(*r, nullptr, 0) == 11);
}

TEST_CASE("formats presented octets of any length without reading out of bounds", "[ip]") {
    char buf[64];
    CHECK(std::string_view(buf, svcid::format_ip_octets("\xc0\x00\x02\x01"sv, buf, sizeof buf)) == "192.0.2.1");
    CHECK(std::string_view(buf, svcid::format_ip_octets("\x0a\0\0\0\xff\0\0\0"sv, buf, sizeof buf)) == "0x0a000000ff000000");
    CHECK(std::string_view(buf, svcid::format_ip_octets(""sv, buf, sizeof buf)) == "0x");
}

TEST_CASE("matches presented iPAddress octets exactly, as RFC 9525 section 6.4 requires", "[ip]") {
    const auto v4 = *svcid::parse_ip_reference("192.0.2.1");
    const auto v6 = *svcid::parse_ip_reference("2001:db8::1");

    CHECK(svcid::match_ip_address("\xc0\x00\x02\x01"sv, v4));
    CHECK_FALSE(svcid::match_ip_address("\xc0\x00\x02\x02"sv, v4));
    CHECK(svcid::match_ip_address(v6.octets(), v6));
    CHECK_FALSE(svcid::match_ip_address(v4.octets(), v6));

    // Lengths other than 4 and 16 are malformed (or a name-constraint pair): never a match.
    CHECK_FALSE(svcid::match_ip_address(""sv, v4));
    CHECK_FALSE(svcid::match_ip_address("\xc0\x00\x02\x01\xff\xff\xff\xff"sv, v4));
    CHECK_FALSE(svcid::match_ip_address("\xc0\x00\x02"sv, v4));
    CHECK_FALSE(svcid::match_ip_address(std::string_view("\xc0\x00\x02\x01\0", 5), v4));
}

TEST_CASE("treats IPv4 and IPv4-mapped IPv6 as different unless asked", "[ip]") {
    const auto v4 = *svcid::parse_ip_reference("192.0.2.1");
    const auto mapped = *svcid::parse_ip_reference("::ffff:192.0.2.1");
    const auto compat = *svcid::parse_ip_reference("::192.0.2.1");

    CHECK(mapped.is_v4_mapped());
    CHECK_FALSE(compat.is_v4_mapped());
    CHECK_FALSE(svcid::match_ip_address(mapped.octets(), v4));
    CHECK_FALSE(svcid::match_ip_address(v4.octets(), mapped));
    CHECK(svcid::match_ip_address(mapped.octets(), v4, true));
    CHECK(svcid::match_ip_address(v4.octets(), mapped, true));
    CHECK_FALSE(svcid::match_ip_address(compat.octets(), v4, true));
    CHECK_FALSE(svcid::match_ip_address(v4.octets(), compat, true));
    CHECK_FALSE(svcid::match_ip_address("\xc0\x00\x02\x02"sv, mapped, true));
}

TEST_CASE("builds a reference from raw octets of the two address lengths only", "[ip]") {
    CHECK(svcid::ip_reference::from_octets("\x7f\0\0\x01"sv)->is_v4());
    CHECK(svcid::ip_reference::from_octets(svcid::parse_ip_reference("::1")->octets())->is_v6());
    CHECK(svcid::ip_reference::from_octets("\x7f\0\0"sv).error().code == svcid::errc::ip_bad_octet_count);
}

// The oracle is the platform's inet_pton (glibc: no inet_aton short forms, no leading zeros
// in IPv4 parts, at most 4 hex digits per group, no zone ids). Intended differences:
//   - svcid accepts one pair of brackets around IPv6 (RFC 3986 IP-literal); the oracle is
//     given the text inside them;
//   - svcid refuses input longer than 47 bytes, which no valid address needs.
// Everything else must agree in both directions, octet for octet.
TEST_CASE("agrees with inet_pton on many generated strings", "[ip][inet_pton]") {
    std::mt19937 rng(20250501);
    static const char alphabet[] = "0123456789abcdefABCDEF::::....%[]x 0f1";
    static const char* const seeds[] = {"1.2.3.4", "255.255.255.255", "::", "::1", "1::",
                                        "::ffff:1.2.3.4", "64:ff9b::192.0.2.1", "1:2:3:4:5:6:7:8",
                                        "fe80::1", "2001:db8::8:800:200c:417a", "1:2:3:4:5:6:1.2.3.4",
                                        "0.0.0.0", "10.0.0.255", "1:2:3:4:5:6:7::"};
    auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
    std::size_t agreed_accepts = 0;
    for (int round = 0; round < 200000; ++round) {
        std::string s;
        if (round % 2 == 0) {
            s = seeds[pick(std::size(seeds))];
            const std::size_t edits = 1 + pick(3);
            for (std::size_t e = 0; e < edits; ++e) {
                const std::size_t at = pick(s.size() + 1);
                const char c = alphabet[pick(sizeof alphabet - 1)];
                switch (pick(3)) {
                case 0: s.insert(s.begin() + static_cast<std::ptrdiff_t>(at), c); break;
                case 1: if (at < s.size()) s.erase(at, 1); break;
                default: if (at < s.size()) s[at] = c; break;
                }
            }
        } else {
            const std::size_t len = pick(20);
            for (std::size_t k = 0; k < len; ++k) s += alphabet[pick(sizeof alphabet - 1)];
        }
        if (s.size() > svcid::ip_reference::max_input_len) continue;

        std::string inner = s;
        const bool bracketed = s.size() >= 2 && s.front() == '[' && s.back() == ']';
        if (bracketed) inner = s.substr(1, s.size() - 2);
        unsigned char v4[4], v6[16];
        const bool oracle_v4 = !bracketed && inet_pton(AF_INET, inner.c_str(), v4) == 1;
        const bool oracle_v6 = inet_pton(AF_INET6, inner.c_str(), v6) == 1;

        CAPTURE(s);
        const auto r = svcid::parse_ip_reference(s);
        REQUIRE(r.has_value() == (oracle_v4 || oracle_v6));
        if (!r) continue;
        ++agreed_accepts;
        if (r->is_v4()) REQUIRE(std::memcmp(r->octets().data(), v4, 4) == 0);
        else REQUIRE(std::memcmp(r->octets().data(), v6, 16) == 0);
    }
    CHECK(agreed_accepts > 1000);
}
