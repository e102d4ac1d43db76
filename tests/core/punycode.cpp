#include <svcid/syntax/punycode.hpp>

#include "catch.hpp"

#include <string>
#include <string_view>

namespace {

struct rfc3492_sample {
    const char* name;
    char32_t code_points[40];
    std::size_t size;
    const char* encoded;
};

// RFC 3492 §7.1, samples (A) to (S): the code points and the punycode the RFC gives.
constexpr rfc3492_sample rfc3492_samples[] = {
    {"(A) Arabic (Egyptian)", {0x0644, 0x064A, 0x0647, 0x0645, 0x0627, 0x0628, 0x062A, 0x0643, 0x0644, 0x0645, 0x0648, 0x0634, 0x0639, 0x0631, 0x0628, 0x064A, 0x061F}, 17, "egbpdaj6bu4bxfgehfvwxn"},
    {"(B) Chinese (simplified)", {0x4ED6, 0x4EEC, 0x4E3A, 0x4EC0, 0x4E48, 0x4E0D, 0x8BF4, 0x4E2D, 0x6587}, 9, "ihqwcrb4cv8a8dqg056pqjye"},
    {"(C) Chinese (traditional)", {0x4ED6, 0x5011, 0x7232, 0x4EC0, 0x9EBD, 0x4E0D, 0x8AAA, 0x4E2D, 0x6587}, 9, "ihqwctvzc91f659drss3x8bo0yb"},
    {"(D) Czech", {0x0050, 0x0072, 0x006F, 0x010D, 0x0070, 0x0072, 0x006F, 0x0073, 0x0074, 0x011B, 0x006E, 0x0065, 0x006D, 0x006C, 0x0075, 0x0076, 0x00ED, 0x010D, 0x0065, 0x0073, 0x006B, 0x0079}, 22, "Proprostnemluvesky-uyb24dma41a"},
    {"(E) Hebrew", {0x05DC, 0x05DE, 0x05D4, 0x05D4, 0x05DD, 0x05E4, 0x05E9, 0x05D5, 0x05D8, 0x05DC, 0x05D0, 0x05DE, 0x05D3, 0x05D1, 0x05E8, 0x05D9, 0x05DD, 0x05E2, 0x05D1, 0x05E8, 0x05D9, 0x05EA}, 22, "4dbcagdahymbxekheh6e0a7fei0b"},
    {"(F) Hindi (Devanagari)", {0x092F, 0x0939, 0x0932, 0x094B, 0x0917, 0x0939, 0x093F, 0x0928, 0x094D, 0x0926, 0x0940, 0x0915, 0x094D, 0x092F, 0x094B, 0x0902, 0x0928, 0x0939, 0x0940, 0x0902, 0x092C, 0x094B, 0x0932, 0x0938, 0x0915, 0x0924, 0x0947, 0x0939, 0x0948, 0x0902}, 30, "i1baa7eci9glrd9b2ae1bj0hfcgg6iyaf8o0a1dig0cd"},
    {"(G) Japanese (kanji and hiragana)", {0x306A, 0x305C, 0x307F, 0x3093, 0x306A, 0x65E5, 0x672C, 0x8A9E, 0x3092, 0x8A71, 0x3057, 0x3066, 0x304F, 0x308C, 0x306A, 0x3044, 0x306E, 0x304B}, 18, "n8jok5ay5dzabd5bym9f0cm5685rrjetr6pdxa"},
    {"(H) Korean (Hangul syllables)", {0xC138, 0xACC4, 0xC758, 0xBAA8, 0xB4E0, 0xC0AC, 0xB78C, 0xB4E4, 0xC774, 0xD55C, 0xAD6D, 0xC5B4, 0xB97C, 0xC774, 0xD574, 0xD55C, 0xB2E4, 0xBA74, 0xC5BC, 0xB9C8, 0xB098, 0xC88B, 0xC744, 0xAE4C}, 24, "989aomsvi5e83db1d2a355cv1e0vak1dwrv93d5xbh15a0dt30a5jpsd879ccm6fea98c"},
    {"(I) Russian (Cyrillic)", {0x043F, 0x043E, 0x0447, 0x0435, 0x043C, 0x0443, 0x0436, 0x0435, 0x043E, 0x043D, 0x0438, 0x043D, 0x0435, 0x0433, 0x043E, 0x0432, 0x043E, 0x0440, 0x044F, 0x0442, 0x043F, 0x043E, 0x0440, 0x0443, 0x0441, 0x0441, 0x043A, 0x0438}, 28, "b1abfaaepdrnnbgefbadotcwatmq2g4l"},
    {"(J) Spanish", {0x0050, 0x006F, 0x0072, 0x0071, 0x0075, 0x00E9, 0x006E, 0x006F, 0x0070, 0x0075, 0x0065, 0x0064, 0x0065, 0x006E, 0x0073, 0x0069, 0x006D, 0x0070, 0x006C, 0x0065, 0x006D, 0x0065, 0x006E, 0x0074, 0x0065, 0x0068, 0x0061, 0x0062, 0x006C, 0x0061, 0x0072, 0x0065, 0x006E, 0x0045, 0x0073, 0x0070, 0x0061, 0x00F1, 0x006F, 0x006C}, 40, "PorqunopuedensimplementehablarenEspaol-fmd56a"},
    {"(K) Vietnamese", {0x0054, 0x1EA1, 0x0069, 0x0073, 0x0061, 0x006F, 0x0068, 0x1ECD, 0x006B, 0x0068, 0x00F4, 0x006E, 0x0067, 0x0074, 0x0068, 0x1EC3, 0x0063, 0x0068, 0x1EC9, 0x006E, 0x00F3, 0x0069, 0x0074, 0x0069, 0x1EBF, 0x006E, 0x0067, 0x0056, 0x0069, 0x1EC7, 0x0074}, 31, "TisaohkhngthchnitingVit-kjcr8268qyxafd2f1b9g"},
    {"(L) 3<nen>B<gumi><kinpachi><sensei>", {0x0033, 0x5E74, 0x0042, 0x7D44, 0x91D1, 0x516B, 0x5148, 0x751F}, 8, "3B-ww4c5e180e575a65lsy2b"},
    {"(M) <amuro><namie>-with-SUPER-MONKEYS", {0x5B89, 0x5BA4, 0x5948, 0x7F8E, 0x6075, 0x002D, 0x0077, 0x0069, 0x0074, 0x0068, 0x002D, 0x0053, 0x0055, 0x0050, 0x0045, 0x0052, 0x002D, 0x004D, 0x004F, 0x004E, 0x004B, 0x0045, 0x0059, 0x0053}, 24, "-with-SUPER-MONKEYS-pc58ag80a8qai00g7n9n"},
    {"(N) Hello-Another-Way-<sorezore><no><basho>", {0x0048, 0x0065, 0x006C, 0x006C, 0x006F, 0x002D, 0x0041, 0x006E, 0x006F, 0x0074, 0x0068, 0x0065, 0x0072, 0x002D, 0x0057, 0x0061, 0x0079, 0x002D, 0x305D, 0x308C, 0x305E, 0x308C, 0x306E, 0x5834, 0x6240}, 25, "Hello-Another-Way--fc4qua05auwb3674vfr0b"},
    {"(O) <hitotsu><yane><no><shita>2", {0x3072, 0x3068, 0x3064, 0x5C4B, 0x6839, 0x306E, 0x4E0B, 0x0032}, 8, "2-u9tlzr9756bt3uc0v"},
    {"(P) Maji<de>Koi<suru>5<byou><mae>", {0x004D, 0x0061, 0x006A, 0x0069, 0x3067, 0x004B, 0x006F, 0x0069, 0x3059, 0x308B, 0x0035, 0x79D2, 0x524D}, 13, "MajiKoi5-783gue6qz075azm5e"},
    {"(Q) <pafii>de<runba>", {0x30D1, 0x30D5, 0x30A3, 0x30FC, 0x0064, 0x0065, 0x30EB, 0x30F3, 0x30D0}, 9, "de-jg4avhby1noc0d"},
    {"(R) <sono><supiido><de>", {0x305D, 0x306E, 0x30B9, 0x30D4, 0x30FC, 0x30C9, 0x3067}, 7, "d9juau41awczczp"},
    {"(S) -> $1.00 <-", {0x002D, 0x003E, 0x0020, 0x0024, 0x0031, 0x002E, 0x0030, 0x0030, 0x0020, 0x003C, 0x002D}, 11, "-> $1.00 <--"},
};

constexpr bool fits_a_label(const rfc3492_sample& s) {
    return std::string_view(s.encoded).size() <= svcid::punycode_max_encoded;
}

std::u32string decode_to_string(std::string_view in) {
    char32_t out[svcid::punycode_max_code_points]{};
    auto r = svcid::punycode_decode(in, out, svcid::punycode_max_code_points);
    REQUIRE(r);
    return std::u32string(out, *r);
}

std::string encode_to_string(std::u32string_view in) {
    char out[svcid::punycode_max_encoded]{};
    auto r = svcid::punycode_encode(in.data(), in.size(), out, sizeof out);
    REQUIRE(r);
    return std::string(out, *r);
}

svcid::errc decode_error(std::string_view in, std::size_t cap = svcid::punycode_max_code_points) {
    char32_t out[svcid::punycode_max_code_points]{};
    return svcid::punycode_decode(in, out, cap).error().code;
}

svcid::errc encode_error(std::u32string_view in, std::size_t cap = svcid::punycode_max_encoded) {
    char out[svcid::punycode_max_encoded]{};
    return svcid::punycode_encode(in.data(), in.size(), out, cap).error().code;
}

constexpr bool encodes_bucher_at_compile_time() {
    const char32_t in[] = {U'b', 0xFC, U'c', U'h', U'e', U'r'};
    char out[16]{};
    const auto r = svcid::punycode_encode(in, 6, out, sizeof out);
    return r && std::string_view(out, *r) == "bcher-kva";
}

constexpr bool decodes_bucher_at_compile_time() {
    char32_t out[16]{};
    const auto r = svcid::punycode_decode("bcher-kva", out, 16);
    return r && *r == 6 && out[0] == U'b' && out[1] == 0xFC && out[5] == U'r';
}

} // namespace

TEST_CASE("punycode encodes and decodes in constant expressions", "[punycode]") {
    STATIC_REQUIRE(encodes_bucher_at_compile_time());
    STATIC_REQUIRE(decodes_bucher_at_compile_time());
}

TEST_CASE("punycode encodes every RFC 3492 §7.1 sample that fits a DNS label", "[punycode][rfc3492]") {
    for (const auto& s : rfc3492_samples) {
        if (!fits_a_label(s)) continue;
        INFO(s.name);
        CHECK(encode_to_string({s.code_points, s.size}) == s.encoded);
    }
}

TEST_CASE("punycode decodes every RFC 3492 §7.1 sample that fits a DNS label", "[punycode][rfc3492]") {
    for (const auto& s : rfc3492_samples) {
        if (!fits_a_label(s)) continue;
        INFO(s.name);
        CHECK(decode_to_string(s.encoded) == std::u32string(s.code_points, s.size));
    }
}

TEST_CASE("punycode refuses RFC 3492 §7.1 sample (H), whose 69 octets exceed a 63-octet label", "[punycode][rfc3492]") {
    const auto& korean = rfc3492_samples[7];
    REQUIRE(std::string_view(korean.encoded).size() == 69);
    CHECK(encode_error({korean.code_points, korean.size}) == svcid::errc::punycode_output_too_long);
    CHECK(decode_error(korean.encoded) == svcid::errc::punycode_input_too_long);
}

TEST_CASE("punycode decodes upper-case digits like lower-case ones (RFC 3492 §5)", "[punycode]") {
    CHECK(decode_to_string("BCHER-KVA") == U"BüCHER");
    CHECK(decode_to_string("bcher-KVA") == U"bücher");
}

TEST_CASE("punycode round-trips names made of one repeated or rising code point", "[punycode]") {
    for (char32_t base : {char32_t{0xE9}, char32_t{0x4E00}, char32_t{0x10FFFF}, char32_t{0x1F600}}) {
        for (std::size_t n = 1; n <= 12; ++n) {
            std::u32string s;
            for (std::size_t k = 0; k < n; ++k) s.push_back(base - static_cast<char32_t>(k % 3));
            char out[svcid::punycode_max_encoded]{};
            auto e = svcid::punycode_encode(s.data(), s.size(), out, sizeof out);
            if (!e) {
                CHECK(e.error() == svcid::errc::punycode_output_too_long);
                continue;
            }
            CHECK(decode_to_string({out, *e}) == s);
        }
    }
}

TEST_CASE("punycode keeps a lone basic string with its delimiter (RFC 3492 §6.3)", "[punycode]") {
    CHECK(encode_to_string(U"abc") == "abc-");
    CHECK(decode_to_string("abc-") == U"abc");
    CHECK(decode_to_string("") == U"");
}

TEST_CASE("punycode decoding rejects a character that is not a base-36 digit", "[punycode]") {
    CHECK(decode_error("bcher-kv!") == svcid::errc::punycode_bad_digit);
    CHECK(decode_error("bcher-k_a") == svcid::errc::punycode_bad_digit);
    // With no basic part the leading '-' is not a delimiter but a (bad) digit.
    CHECK(decode_error("-abc") == svcid::errc::punycode_bad_digit);
}

TEST_CASE("punycode decoding rejects non-ASCII octets in the basic part", "[punycode]") {
    CHECK(decode_error("b\xC3\xBC-kva") == svcid::errc::punycode_bad_input);
}

TEST_CASE("punycode decoding rejects a number cut off before its last digit", "[punycode]") {
    // 'z' (25) is at or above every threshold, so another digit must follow.
    CHECK(decode_error("bcher-z") == svcid::errc::punycode_bad_input);
}

TEST_CASE("punycode decoding detects overflow of i and w (RFC 3492 §6.4, CVE-2022-3602)", "[punycode]") {
    // Each '9' (35) multiplies w; seven of them pass 2^32 in i.
    CHECK(decode_error("99999999999") == svcid::errc::punycode_overflow);
    CHECK(decode_error("a-999999999999999999a") == svcid::errc::punycode_overflow);
}

TEST_CASE("punycode decoding rejects results past U+10FFFF and in the surrogate range", "[punycode]") {
    // One non-basic code point decodes to 0x80 + the generalized integer (RFC 3492 §3.3).
    CHECK(decode_error("ib9b") == svcid::errc::punycode_bad_input);      // U+D800
    CHECK(decode_error("zy0c") == svcid::errc::punycode_bad_input);      // U+DFFF
    CHECK(decode_error("en32g") == svcid::errc::punycode_bad_input);     // 0x110000
    CHECK(decode_error("8016146o") == svcid::errc::punycode_bad_input);  // 0x7FFFFFFF
}

TEST_CASE("punycode encoding rejects surrogates and values past U+10FFFF", "[punycode]") {
    CHECK(encode_error(U"a\xD800") == svcid::errc::punycode_bad_input);
    const char32_t too_big[] = {U'a', 0x110000};
    char out[16]{};
    auto r = svcid::punycode_encode(too_big, 2, out, sizeof out);
    CHECK(r.error() == svcid::errc::punycode_bad_input);
    CHECK(r.error().offset == 1);
}

TEST_CASE("punycode stops at 63 octets of output and 63 code points of input", "[punycode]") {
    CHECK(encode_to_string(std::u32string(55, U'a') + U"\u00e9").size() == 59);
    CHECK(encode_to_string(std::u32string(59, U'a') + U"\u00e9").size() == 63);
    CHECK(encode_error(std::u32string(60, U'a') + U"\u00e9") == svcid::errc::punycode_output_too_long);
    CHECK(encode_error(std::u32string(64, U'a')) == svcid::errc::punycode_output_too_long);
    CHECK(decode_error(std::string(64, 'a')) == svcid::errc::punycode_input_too_long);
}

TEST_CASE("punycode never writes past the caller's buffer", "[punycode]") {
    const std::u32string bucher = U"b\u00fccher";
    for (std::size_t cap = 0; cap < 9; ++cap) {
        char out[16];
        for (char& c : out) c = '#';
        auto r = svcid::punycode_encode(bucher.data(), bucher.size(), out, cap);
        CHECK(r.error() == svcid::errc::buffer_too_small);
        for (std::size_t k = cap; k < sizeof out; ++k) CHECK(out[k] == '#');
    }
    for (std::size_t cap = 0; cap < 6; ++cap) {
        char32_t out[16];
        for (char32_t& c : out) c = U'#';
        CHECK(decode_error("bcher-kva", cap) == svcid::errc::buffer_too_small);
        auto r = svcid::punycode_decode("bcher-kva", out, cap);
        CHECK(!r);
        for (std::size_t k = cap; k < 16; ++k) CHECK(out[k] == U'#');
    }
}
