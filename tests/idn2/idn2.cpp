#include <svcid/idn2.hpp>
#include <svcid/syntax/idna.hpp>

#include "catch.hpp"

#include <string>
#include <string_view>

namespace {

struct converted {
    svcid::errc error;
    std::string text;
};

converted with_idn2(std::string_view utf8) {
    char out[svcid::idna_max_name_octets + 1]{};
    auto r = svcid::to_ascii_name_idn2(utf8, out, sizeof out);
    if (!r) return {r.error().code, {}};
    return {svcid::errc::ok, std::string(out, *r)};
}

converted built_in(std::string_view utf8) {
    char out[svcid::idna_max_name_octets + 1]{};
    auto r = svcid::to_ascii_name(utf8, out, sizeof out);
    if (!r) return {r.error().code, {}};
    return {svcid::errc::ok, std::string(out, *r)};
}

} // namespace

TEST_CASE("the libidn2 adapter maps case and compatibility forms with UTS #46", "[idn2]") {
    CHECK(with_idn2("B\xC3\x9C" "CHER.Example").text == "xn--bcher-kva.example");  // BÜCHER
    CHECK(with_idn2("\xEF\xBD\x81" "bc.example").text == "abc.example");           // full-width a
    CHECK(with_idn2("\xE2\x84\xAA" "a.example").text == "ka.example");             // KELVIN SIGN -> k
}

TEST_CASE("the libidn2 adapter reports libidn2's reasons as svcid errors", "[idn2]") {
    CHECK(with_idn2("i\xE2\x99\xA5nyc.example").error == svcid::errc::idna_disallowed_code_point);
    CHECK(with_idn2("\xC0\xAF.example").error == svcid::errc::invalid_utf8);
    CHECK(with_idn2("").error == svcid::errc::empty_name);
    CHECK(with_idn2(std::string_view("a\0b", 3)).error == svcid::errc::nul_in_name);
    char tiny[4];
    CHECK(svcid::to_ascii_name_idn2("b\xC3\xBC" "cher", tiny, sizeof tiny).error() == svcid::errc::buffer_too_small);
}

// Where both accept a name the results must be identical. Documented differences:
// - upper case outside ASCII (Ä, Ω): libidn2 maps it, svcid refuses (idna_uppercase_needs_mapping);
// - compatibility characters (U+212A KELVIN SIGN, full-width letters, U+3002 as a dot):
//   libidn2 maps them, svcid refuses (idna_disallowed_code_point);
// - the Bidi rule (RFC 5893): libidn2 checks it, svcid does not;
// - NFC: libidn2 normalises, svcid accepts only what is NFC code point by code point;
// - ZWNJ outside a virama context: libidn2 applies the joining-type rule, svcid refuses;
// - ASCII labels: svcid lower-cases them and leaves syntax to the DNS reference parser.
TEST_CASE("the built-in path and libidn2 agree wherever both accept a name", "[idn2][idna]") {
    const std::string_view names[] = {
        "b\xC3\xBC" "cher.example",
        "B\xC3\xBC" "cher.example",
        "M\xC3\xBCnchen.de",
        "\xE4\xBE\x8B\xE3\x81\x88.\xE3\x83\x86\xE3\x82\xB9\xE3\x83\x88",
        "\xD0\xBF\xD1\x80\xD0\xB8\xD0\xBC\xD0\xB5\xD1\x80.\xD1\x80\xD1\x84",
        "stra\xC3\x9F" "e.de",
        "\xCF\x83\xCF\x82.gr",
        "pl\xC2\xB7la.cat",
        "\xE0\xA4\x95\xE0\xA5\x8D\xE2\x80\x8D\xE0\xA4\xB7.in",
        "xn--bcher-kva.example",
        "www.example.com",
        "\xC3\x84rger.de",
        "\xE2\x84\xAA" "a.example",
        "i\xE2\x99\xA5nyc.example",
        "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D.il",
        "\xE3\x83\x86\xE3\x82\xB9\xE3\x83\x88\xE3\x83\xBB\xE3\x83\x86.jp",
    };
    int both = 0;
    for (auto name : names) {
        INFO(std::string(name));
        const auto ours = built_in(name);
        const auto theirs = with_idn2(name);
        if (ours.error == svcid::errc::ok && theirs.error == svcid::errc::ok) {
            CHECK(ours.text == theirs.text);
            ++both;
        }
    }
    CHECK(both >= 10);
}

TEST_CASE("a decomposed a + U+0308 is normalised by libidn2 and refused as not NFC by svcid", "[idn2][idna]") {
    CHECK(with_idn2("a\xCC\x88rger.de").text == "xn--rger-koa.de");
    CHECK(built_in("a\xCC\x88rger.de").error == svcid::errc::idna_not_nfc);
}

TEST_CASE("the libidn2 adapter's output is a DNS name or an error, never other ASCII (RFC 5890 §2.3.1)", "[idn2]") {
    // UTS #46 without STD3 rules maps these to ASCII that is no host name.
    CHECK(with_idn2("a\xEF\xBC\xA0" "b.test").error == svcid::errc::non_ldh_character);         // U+FF20 -> '@'
    CHECK(with_idn2("evil.com\xEF\xBC\x8F" ".good.com").error == svcid::errc::non_ldh_character);  // U+FF0F -> '/'
    // Fullwidth digits become "1.2.3.4", which is an IPv4 address, not a DNS name.
    CHECK(with_idn2("\xEF\xBC\x91.\xEF\xBC\x92.\xEF\xBC\x93.\xEF\xBC\x94").error == svcid::errc::ip_literal_as_dns_name);
    CHECK(with_idn2("\xEF\xBD\x81" "bc.example").error == svcid::errc::ok);
}
