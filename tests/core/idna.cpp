#include <svcid/syntax/idna.hpp>

#include "catch.hpp"

#include <string>
#include <string_view>

namespace {

struct converted {
    svcid::error error;
    std::string text;
};

converted ascii_name(std::string_view utf8) {
    char out[svcid::idna_max_name_octets + 1]{};
    auto r = svcid::to_ascii_name(utf8, out, sizeof out);
    if (!r) return {r.error(), {}};
    return {{}, std::string(out, *r)};
}

converted display_name(std::string_view ascii) {
    char out[4 * svcid::idna_max_name_octets]{};
    auto r = svcid::a_label_to_utf8(ascii, out, sizeof out);
    if (!r) return {r.error(), {}};
    return {{}, std::string(out, *r)};
}

svcid::errc u_label_error(std::u32string_view label) {
    return svcid::validate_u_label(label.data(), label.size()).code;
}

constexpr bool converts_at_compile_time() {
    char out[64]{};
    const auto r = svcid::to_ascii_name("B\xC3\xBC" "cher.example", out, sizeof out);
    return r && std::string_view(out, *r) == "xn--bcher-kva.example";
}

} // namespace

TEST_CASE("IDNA conversion and A-label validation work in constant expressions", "[idna]") {
    STATIC_REQUIRE(converts_at_compile_time());
    STATIC_REQUIRE(svcid::validate_a_label("xn--bcher-kva") == svcid::errc::ok);
    STATIC_REQUIRE(svcid::has_a_label("www.xn--bcher-kva.example"));
}

TEST_CASE("decode_utf8 accepts the shortest forms up to U+10FFFF (RFC 3629 §4)", "[idna][utf8]") {
    char32_t out[8]{};
    auto r = svcid::decode_utf8("a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF", out, 8);
    REQUIRE(r);
    CHECK(std::u32string(out, *r) == U"a\u00e9\u20ac\U0001F600\U0010FFFF");
}

TEST_CASE("decode_utf8 rejects overlong, surrogate, too-large and truncated sequences (RFC 3629 §3, §10)",
          "[idna][utf8]") {
    char32_t out[8]{};
    const struct {
        std::string_view bytes;
        std::size_t offset;
    } bad[] = {
        {"\xC0\xAF", 0},          // overlong '/'
        {"a\xE0\x80\xAF", 1},     // overlong three-byte '/'
        {"\xF0\x80\x80\xAF", 0},  // overlong four-byte '/'
        {"\xED\xA0\x80", 0},      // U+D800, a surrogate
        {"\xED\xBF\xBF", 0},      // U+DFFF
        {"\xF4\x90\x80\x80", 0},  // 0x110000
        {"\xF5\x80\x80\x80", 0},  // no lead byte above F4
        {"ab\xC3", 2},            // truncated at the end
        {"\xE2\x82", 0},          // truncated three-byte sequence
        {"\x80", 0},              // stray continuation byte
        {"\xC3\x28", 0},          // continuation byte missing
        {"\xFF", 0},
    };
    for (const auto& b : bad) {
        INFO(std::string(b.bytes));
        auto r = svcid::decode_utf8(b.bytes, out, 8);
        CHECK(r.error() == svcid::errc::invalid_utf8);
        CHECK(r.error().offset == b.offset);
    }
}

TEST_CASE("to_ascii_name turns U-labels into xn-- A-labels and lower-cases ASCII (RFC 5891 §4)", "[idna]") {
    CHECK(ascii_name("b\xC3\xBC" "cher.example").text == "xn--bcher-kva.example");
    CHECK(ascii_name("WWW.B\xC3\xBC" "cher.Example").text == "www.xn--bcher-kva.example");
    CHECK(ascii_name("\xE4\xBE\x8B\xE3\x81\x88.\xE3\x83\x86\xE3\x82\xB9\xE3\x83\x88").text == "xn--r8jz45g.xn--zckzah");
    CHECK(ascii_name("Example.COM").text == "example.com");
    CHECK(ascii_name("b\xC3\xBC" "cher.example.").text == "xn--bcher-kva.example.");
    // German sharp s and Greek final sigma are PVALID (RFC 5892 §2.6): kept, not mapped.
    CHECK(ascii_name("stra\xC3\x9F" "e.de").text == "xn--strae-oqa.de");
    CHECK(ascii_name("\xCF\x83\xCF\x82").text == "xn--3xab");
}

TEST_CASE("to_ascii_name accepts names mixing U-labels and A-labels", "[idna]") {
    CHECK(ascii_name("xn--bcher-kva.m\xC3\xBCnchen.de").text == "xn--bcher-kva.xn--mnchen-3ya.de");
    CHECK(ascii_name("XN--BCHER-KVA.example").text == "xn--bcher-kva.example");
}

TEST_CASE("to_ascii_name rejects a fake xn-- label even in an ASCII name (RFC 5891 §5.4)", "[idna]") {
    auto r = ascii_name("www.xn--abc-.example");
    CHECK(r.error == svcid::errc::idna_bad_a_label);
    CHECK(r.error.label == 2);
    CHECK(r.error.offset == 4);
}

TEST_CASE("to_ascii_name reports the label and byte of the problem", "[idna]") {
    auto r = ascii_name("ok.b\xC3\xBC\xE2\x99\xA5.example");
    CHECK(r.error == svcid::errc::idna_disallowed_code_point);
    CHECK(r.error.label == 2);
    CHECK(r.error.offset == 6);

    r = ascii_name("a..b");
    CHECK(r.error == svcid::errc::empty_label);
    CHECK(r.error.label == 2);
    CHECK(ascii_name("").error == svcid::errc::empty_name);
    CHECK(ascii_name(".").error == svcid::errc::empty_label);
    CHECK(ascii_name("a.\xC0\xAF").error == svcid::errc::invalid_utf8);
    CHECK(ascii_name("a.\xC0\xAF").error.offset == 2);
}

TEST_CASE("to_ascii_name accepts an A-label of 63 octets and rejects one of 64 (RFC 1034 §3.1)", "[idna]") {
    // 55 ASCII letters and one é encode to 59 octets; with "xn--" that is 63.
    const std::string e_acute = "\xC3\xA9";
    auto r = ascii_name(std::string(55, 'a') + e_acute);
    CHECK(r.error == svcid::errc::ok);
    CHECK(r.text.size() == 63);
    r = ascii_name("x." + std::string(56, 'a') + e_acute);
    CHECK(r.error == svcid::errc::punycode_output_too_long);
    CHECK(r.error.label == 2);
    CHECK(ascii_name(std::string(64, 'a')).error == svcid::errc::label_too_long);
    std::string many;
    for (int k = 0; k < 64; ++k) many += e_acute;
    CHECK(ascii_name(many).error == svcid::errc::punycode_output_too_long);
}

TEST_CASE("to_ascii_name refuses names longer than 253 octets once converted", "[idna]") {
    std::string name;
    for (int k = 0; k < 4; ++k) name += std::string(62, 'a') + ".";
    name += "b";  // 4 * 63 + 1 = 253
    CHECK(ascii_name(name).text.size() == 253);
    CHECK(ascii_name(name + "b").error == svcid::errc::name_too_long);
}

TEST_CASE("to_ascii_name never writes past the caller's buffer", "[idna]") {
    const std::string_view in = "b\xC3\xBC" "cher.example";
    for (std::size_t cap = 0; cap < 21; ++cap) {
        char out[32];
        for (char& c : out) c = '#';
        auto r = svcid::to_ascii_name(in, out, cap);
        CHECK(r.error() == svcid::errc::buffer_too_small);
        for (std::size_t k = cap; k < sizeof out; ++k) CHECK(out[k] == '#');
    }
}

TEST_CASE("KELVIN SIGN is rejected, never folded to 'k' (CVE-2020-14577, CVE-2021-0341)", "[idna][rfc5892]") {
    auto r = ascii_name("\xE2\x84\xAA" "example.com");
    CHECK(r.error == svcid::errc::idna_disallowed_code_point);
    CHECK(r.error.offset == 0);
    CHECK(u_label_error(U"\u212Aa") == svcid::errc::idna_disallowed_code_point);
}

TEST_CASE("non-ASCII capitals need UTS #46 mapping: IDNA2008 disallows them (RFC 5892 §2.2)",
          "[idna][rfc5892]") {
    CHECK(ascii_name("\xC3\x84rger.de").error == svcid::errc::idna_uppercase_needs_mapping);  // Ä
    CHECK(ascii_name("\xCE\xA9mega").error == svcid::errc::idna_uppercase_needs_mapping);     // Ω
    CHECK(ascii_name("\xC3\xA4rger.de").text == "xn--rger-koa.de");                            // ä
}

TEST_CASE("code points RFC 5892 derives as DISALLOWED or UNASSIGNED are refused", "[idna][rfc5892]") {
    using svcid::errc;
    CHECK(u_label_error(U"i\u2665nyc") == errc::idna_disallowed_code_point);   // ♥ symbol (So)
    CHECK(u_label_error(U"a\uff21") == errc::idna_disallowed_code_point);      // full-width A: Unstable
    CHECK(u_label_error(U"a\u00ad") == errc::idna_disallowed_code_point);      // soft hyphen: ignorable
    CHECK(u_label_error(U"a\u3000b") == errc::idna_disallowed_code_point);     // ideographic space
    CHECK(u_label_error(U"a\u20d0") == errc::idna_disallowed_code_point);      // IgnorableBlocks
    CHECK(u_label_error(U"\u1100\u1161") == errc::idna_disallowed_code_point); // OldHangulJamo
    CHECK(u_label_error(U"a\u0640b") == errc::idna_disallowed_code_point);     // Exceptions: TATWEEL
    CHECK(u_label_error(U"a\u0378") == errc::idna_disallowed_code_point);      // unassigned in 14.0
    CHECK(u_label_error(U"a\ufdd0") == errc::idna_disallowed_code_point);      // noncharacter
    CHECK(u_label_error(U"a_b") == errc::idna_disallowed_code_point);          // not LDH
    CHECK(u_label_error(U"a\U0001F600") == errc::idna_disallowed_code_point);  // emoji
}

TEST_CASE("code points RFC 5892 derives as PVALID are accepted", "[idna][rfc5892]") {
    using svcid::errc;
    CHECK(u_label_error(U"\u00e4\u00df\u03c2") == errc::ok);         // Ll and Exceptions PVALID
    CHECK(u_label_error(U"\u0915\u094d\u0937") == errc::ok);         // Lo, Mn (virama)
    CHECK(u_label_error(U"\u3007\u4e00") == errc::ok);               // Exceptions PVALID, Lo
    CHECK(u_label_error(U"\uac00\ud7a3") == errc::ok);               // precomposed Hangul
    CHECK(u_label_error(U"\u0661\u0662") == errc::ok);               // Arabic-Indic digits
    CHECK(u_label_error(U"a-b") == errc::ok);                        // LDH
}

TEST_CASE("a U-label may not start with a combining mark (RFC 5891 §4.2.3.2)", "[idna]") {
    CHECK(u_label_error(U"\u0301a") == svcid::errc::idna_leading_combining_mark);
    CHECK(u_label_error(U"x\u0301") == svcid::errc::ok);  // no precomposed x with acute
}

TEST_CASE("a U-label in decomposed form is refused as not NFC (RFC 5891 §5.3)", "[idna][nfc]") {
    CHECK(u_label_error(U"a\u0308rger") == svcid::errc::idna_not_nfc);
    CHECK(u_label_error(U"\u0915\u093c") == svcid::errc::ok);  // U+0958 is excluded from composition
    CHECK(u_label_error(U"\u00e4\u0301") == svcid::errc::ok);
}

TEST_CASE("a U-label may not have hyphens at its edges or in positions 3 and 4 (RFC 5891 §4.2.3.1)", "[idna]") {
    CHECK(u_label_error(U"-\u00e4") == svcid::errc::hyphen_at_label_edge);
    CHECK(u_label_error(U"\u00e4-") == svcid::errc::hyphen_at_label_edge);
    CHECK(u_label_error(U"\u00e4b--c") == svcid::errc::idna_hyphen_in_positions_3_4);
    CHECK(u_label_error(U"\u00e4b-c-d") == svcid::errc::ok);
}

TEST_CASE("ZWJ and ZWNJ are accepted only after a virama (RFC 5892 Appendix A.1, A.2)", "[idna][contextj]") {
    CHECK(u_label_error(U"\u0915\u094d\u200d\u0937") == svcid::errc::ok);
    CHECK(u_label_error(U"\u0915\u094d\u200c\u0937") == svcid::errc::ok);
    CHECK(u_label_error(U"a\u200db") == svcid::errc::idna_contextual_rule);
    CHECK(u_label_error(U"a\u200cb") == svcid::errc::idna_contextual_rule);
    CHECK(u_label_error(U"\u200ca") == svcid::errc::idna_contextual_rule);
}

TEST_CASE("CONTEXTO rules of RFC 5892 Appendix A.3 to A.9 are enforced", "[idna][contexto]") {
    using svcid::errc;
    CHECK(u_label_error(U"pl\u00b7la") == errc::ok);                    // A.3 Catalan l·l
    CHECK(u_label_error(U"pa\u00b7la") == errc::idna_contextual_rule);
    CHECK(u_label_error(U"l\u00b7") == errc::idna_contextual_rule);
    CHECK(u_label_error(U"\u03b1\u0375\u03b2") == errc::ok);            // A.4 keraia before Greek
    CHECK(u_label_error(U"\u03b1\u0375b") == errc::idna_contextual_rule);
    CHECK(u_label_error(U"\u05d0\u05f3") == errc::ok);                  // A.5 geresh after Hebrew
    CHECK(u_label_error(U"a\u05f4") == errc::idna_contextual_rule);     // A.6 gershayim
    CHECK(u_label_error(U"\u30a2\u30fb\u30a4") == errc::ok);            // A.7 with Katakana
    CHECK(u_label_error(U"\u4e00\u30fb") == errc::ok);                  // A.7 with Han
    CHECK(u_label_error(U"a\u30fbb") == errc::idna_contextual_rule);
    CHECK(u_label_error(U"\u0628\u0661\u06f1") == errc::idna_contextual_rule);  // A.8/A.9 mixed digits
    CHECK(u_label_error(U"\u06f1\u06f2") == errc::ok);
}

TEST_CASE("validate_a_label accepts canonical A-labels in any case (RFC 5891 §5.4)", "[idna][a-label]") {
    CHECK(svcid::validate_a_label("xn--bcher-kva") == svcid::errc::ok);
    CHECK(svcid::validate_a_label("XN--BCHER-KVA") == svcid::errc::ok);
    CHECK(svcid::validate_a_label("xn--r8jz45g") == svcid::errc::ok);
}

TEST_CASE("validate_a_label rejects A-labels that are not what an encoder produces", "[idna][a-label]") {
    using svcid::errc;
    CHECK(svcid::validate_a_label("bcher-kva") == errc::idna_bad_a_label);     // no prefix
    CHECK(svcid::validate_a_label("xn--") == errc::idna_bad_a_label);          // empty
    CHECK(svcid::validate_a_label("xn--abc-") == errc::idna_bad_a_label);      // all ASCII
    CHECK(svcid::validate_a_label("xn--abc") == errc::idna_disallowed_code_point);  // U+0082 U+0081 U+0080
    CHECK(svcid::validate_a_label("xn--bcher-kv4") == errc::punycode_bad_input);      // number cut off
    CHECK(svcid::validate_a_label("xn--bcher-kv!") == errc::punycode_bad_digit);
    CHECK(svcid::validate_a_label("xn--99999999999") == errc::punycode_overflow);
    CHECK(svcid::validate_a_label("xn--bcher-kva" + std::string(60, 'a')) == errc::label_too_long);
}

TEST_CASE("validate_a_label rejects A-labels whose U-label IDNA2008 disallows", "[idna][a-label]") {
    using svcid::errc;
    char a_label[64]{};
    const char32_t heart[] = {U'i', 0x2665, U'n', U'y', U'c'};
    auto r = svcid::punycode_encode(heart, 5, a_label + 4, 59);
    REQUIRE(r);
    a_label[0] = 'x', a_label[1] = 'n', a_label[2] = '-', a_label[3] = '-';
    CHECK(svcid::validate_a_label({a_label, 4 + *r}) == errc::idna_disallowed_code_point);

    const char32_t kelvin[] = {0x212A, U'a'};
    r = svcid::punycode_encode(kelvin, 2, a_label + 4, 59);
    REQUIRE(r);
    CHECK(svcid::validate_a_label({a_label, 4 + *r}) == errc::idna_disallowed_code_point);
}

TEST_CASE("has_a_label finds an xn-- label anywhere in a name", "[idna]") {
    CHECK(svcid::has_a_label("xn--bcher-kva.example"));
    CHECK(svcid::has_a_label("www.XN--bcher-kva.example"));
    CHECK_FALSE(svcid::has_a_label("www.example.com"));
    CHECK_FALSE(svcid::has_a_label("axn--b.example"));
    CHECK_FALSE(svcid::has_a_label(""));
}

TEST_CASE("a_label_to_utf8 shows A-labels as Unicode for people", "[idna]") {
    CHECK(display_name("xn--bcher-kva.example").text == "b\xC3\xBC" "cher.example");
    CHECK(display_name("www.XN--R8JZ45G.jp").text == "www.\xE4\xBE\x8B\xE3\x81\x88.jp");
    CHECK(display_name("plain.example.").text == "plain.example.");
    auto r = display_name("ok.xn--abc-.example");
    CHECK(r.error == svcid::errc::idna_bad_a_label);
    CHECK(r.error.label == 2);
}

TEST_CASE("U-label to A-label to U-label is the identity for valid names", "[idna]") {
    for (std::string_view name : {"b\xC3\xBC" "cher.example", "\xE4\xBE\x8B\xE3\x81\x88.jp",
                                  "\xD0\xBF\xD1\x80\xD0\xB8\xD0\xBC\xD0\xB5\xD1\x80.\xD1\x80\xD1\x84"}) {
        auto a = ascii_name(name);
        REQUIRE(a.error == svcid::errc::ok);
        CHECK(display_name(a.text).text == std::string(name));
    }
}
