#include <svcid/dns_reference.hpp>

#include "catch.hpp"

#include <string>

using svcid::errc;
using svcid::parse_dns_reference;

TEST_CASE("a DNS reference is lower-cased once and loses one trailing dot (RFC 9525 §6.2)") {
    auto ref = parse_dns_reference("API.Example.COM.");
    REQUIRE(ref);
    CHECK(ref->name() == "api.example.com");
    CHECK(ref->first_label() == "api");
    CHECK(ref->after_first_label() == "example.com");
    CHECK(ref->label_count() == 3);
    CHECK(ref->wildcard_size() == std::string("*.example.com").size());
}

TEST_CASE("a one-label reference has no tail") {
    auto ref = parse_dns_reference("localhost");
    REQUIRE(ref);
    CHECK(ref->first_label() == "localhost");
    CHECK(ref->after_first_label().empty());
    CHECK(ref->label_count() == 1);
    CHECK(ref->wildcard_size() == 0);
    CHECK(svcid::dns_reference{}.wildcard_size() == 0);
}

TEST_CASE("DNS reference parsing is usable in constant expressions") {
    STATIC_REQUIRE(parse_dns_reference("www.example.com").has_value());
    STATIC_REQUIRE(parse_dns_reference("www.example.com")->name() == "www.example.com");
    STATIC_REQUIRE(parse_dns_reference("*.example.com").error() == errc::wildcard_in_reference);
}

TEST_CASE("underscores are accepted in references, as Go and rustls-webpki accept them") {
    auto ref = parse_dns_reference("_dmarc.example.com");
    REQUIRE(ref);
    CHECK(ref->name() == "_dmarc.example.com");
}

TEST_CASE("malformed DNS references are refused with a specific error, label and offset") {
    struct row {
        std::string input;
        errc code;
        unsigned label;
        unsigned offset;
    };
    const std::string label63(63, 'a');
    const row rows[] = {
        {"", errc::empty_name, 0, 0},
        {".", errc::empty_label, 1, 0},
        {"..", errc::empty_label, 1, 0},
        {".example.com", errc::empty_label, 1, 0},
        {"www..example.com", errc::empty_label, 2, 4},
        {"example.com..", errc::empty_label, 3, 12},
        {label63 + "a.com", errc::label_too_long, 1, 63},
        {"www." + label63 + "a.com", errc::label_too_long, 2, 67},
        {std::string("www.exa\0mple.com", 16), errc::nul_in_name, 2, 7},
        {"www.exa mple.com", errc::control_or_space_in_name, 2, 7},
        {"www.example.com\t", errc::control_or_space_in_name, 3, 15},
        {"www.exa\x7fmple.com", errc::control_or_space_in_name, 2, 7},
        {"*.example.com", errc::wildcard_in_reference, 1, 0},
        {"w*.example.com", errc::wildcard_in_reference, 1, 1},
        {"www.ex*ample.com", errc::wildcard_in_reference, 2, 6},
        {"xn--bcher-kvb.example", errc::idna_bad_a_label, 1, 0},
        {"www.xn--99999999.example", errc::idna_bad_a_label, 2, 4},
        {"xn--ls8h.example", errc::idna_bad_a_label, 1, 0},
        {"xn--a.example", errc::idna_bad_a_label, 1, 0},
        {"www.xn--abc-.example", errc::hyphen_at_label_edge, 2, 11},
        {"b\xc3\xbc\xc3" "cher.example", errc::invalid_utf8, 1, 3},
        {"\xe2\x84\xaa" "elvin.example", errc::idna_disallowed_code_point, 1, 0},
        {"www.example.com/", errc::non_ldh_character, 3, 15},
        {"user@example.com", errc::non_ldh_character, 1, 4},
        {"-www.example.com", errc::hyphen_at_label_edge, 1, 0},
        {"www-.example.com", errc::hyphen_at_label_edge, 1, 3},
        {"1.2.3.4", errc::ip_literal_as_dns_name, 0, 0},
        {"::1", errc::ip_literal_as_dns_name, 0, 0},
        {"[::1]", errc::ip_literal_as_dns_name, 0, 0},
        {"fe80::1", errc::ip_literal_as_dns_name, 0, 0},
        {"example.123", errc::numeric_last_label, 2, 8},
        {"1.2.3", errc::numeric_last_label, 3, 4},
        {"1.2.3.4.5", errc::numeric_last_label, 5, 8},
    };
    for (const auto& r : rows) {
        INFO("input: " << r.input);
        auto ref = parse_dns_reference(r.input);
        REQUIRE_FALSE(ref);
        CHECK(ref.error().code == r.code);
        CHECK(ref.error().label == r.label);
        CHECK(ref.error().offset == r.offset);
    }
}

TEST_CASE("63-octet labels and 253-octet names are the limits (RFC 1034 §3.1, RFC 1035 §2.3.4)") {
    const std::string label63(63, 'a');
    std::string name253 = label63 + "." + label63 + "." + label63 + "." + std::string(61, 'b');
    REQUIRE(name253.size() == 253);
    CHECK(parse_dns_reference(label63 + ".example.com"));
    CHECK(parse_dns_reference(name253));
    CHECK(parse_dns_reference(name253 + "."));
    auto too_long = parse_dns_reference(name253 + "b");
    REQUIRE_FALSE(too_long);
    CHECK(too_long.error().code == errc::name_too_long);
}

TEST_CASE("a digit-initial label is fine as long as the last label is not all digits (RFC 1123 §2.1)") {
    CHECK(parse_dns_reference("3com.example"));
    CHECK(parse_dns_reference("1.2.3.4.example"));
    CHECK(parse_dns_reference("host.a1"));
}

TEST_CASE("U-labels in a reference become A-labels before comparison (RFC 6125 §6.4.2, RFC 9525 §6.3)") {
    auto ref = parse_dns_reference("www.b\xc3\xbc" "cher.example.");
    REQUIRE(ref);
    CHECK(ref->name() == "www.xn--bcher-kva.example");
    auto mixed = parse_dns_reference("XN--BCHER-KVA.m\xc3\xbcnchen.example");
    REQUIRE(mixed);
    CHECK(mixed->name() == "xn--bcher-kva.xn--mnchen-3ya.example");
    STATIC_REQUIRE(parse_dns_reference("b\xc3\xbc" "cher.example")->name() == "xn--bcher-kva.example");
}

TEST_CASE("a U-label whose A-label would pass 63 octets is refused") {
    std::string long_label;
    for (int i = 0; i < 70; ++i) long_label += "\xc3\xbc";
    auto ref = parse_dns_reference(long_label + ".example");
    REQUIRE_FALSE(ref);
    CHECK(ref.error().code == errc::punycode_output_too_long);
}
