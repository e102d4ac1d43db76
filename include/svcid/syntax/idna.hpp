// svcid/idna.hpp — internationalised DNS names: U-labels to A-labels and back (IDNA2008).
//
// A reference identity may be typed in Unicode ("bücher.example"); certificates carry the
// ASCII form ("xn--bcher-kva.example", RFC 9525 §6.3). This header converts references to
// A-labels, checks presented xn-- labels (RFC 5891 §5.4), and decodes A-labels for display.
// Everything works on caller buffers with fixed limits: no heap, constexpr, noexcept.
//
// What the built-in path checks (RFC 5891 §4.2, §5.4): UTF-8 well-formedness; the IDNA2008
// derived property of every code point (RFC 5892, table for Unicode 14.0 in
// detail/idna_table.hpp: DISALLOWED and UNASSIGNED are refused); hyphen placement; no
// leading combining mark; CONTEXTJ (ZWJ and ZWNJ only after a virama) and the CONTEXTO
// rules of RFC 5892 Appendix A.3-A.9.
//
// What it leaves to libidn2 (svcid/idn2.hpp):
// - Mapping (UTS #46, RFC 5895). ASCII A-Z is lower-cased, as DNS is case-insensitive.
//   Any other upper-case letter is DISALLOWED by IDNA2008 (it is unstable under
//   NFKC_Casefold) and fails with `idna_uppercase_needs_mapping`; compatibility characters
//   such as U+212A KELVIN SIGN fail with `idna_disallowed_code_point` and are never folded
//   to 'k' (the confusion behind CVE-2020-14577 and CVE-2021-0341). Full-width dots such as
//   U+3002 are not label separators here.
// - Full NFC (RFC 5891 §5.3). Code points that NFC changes on their own are DISALLOWED
//   already, and a mark that composes with the code point right before it ("a" U+0308,
//   NFC "ä") fails with `idna_not_nfc`; marks in non-canonical order, and compositions
//   across an intervening mark, are not detected.
// - The ZWNJ joining-type rule (RFC 5892 Appendix A.1, second clause): ZWNJ is accepted
//   only after a virama.
// - The Bidi rule (RFC 5893).
#ifndef SVCID_IDNA_HPP
#define SVCID_IDNA_HPP

#include "../config.hpp"
#include "../detail/ascii.hpp"
#include "../detail/idna_table.hpp"
#include "../error.hpp"
#include "punycode.hpp"
#include "../result.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

SVCID_BEGIN_NAMESPACE

/// The longest label, A-label included (RFC 1034 §3.1, RFC 5890 §2.3.2.1).
inline constexpr std::size_t idna_max_label_octets = 63;

/// The longest name in presentation form, without a trailing dot (RFC 1034 §3.1).
inline constexpr std::size_t idna_max_name_octets = 253;

namespace detail {

struct utf8_step {
    char32_t code_point = 0;
    std::size_t length = 0;
    errc error = errc::ok;
};

// RFC 3629 §4, with the table of well-formed sequences from Unicode §3.9 D92: the second
// byte's range is what excludes overlong forms, surrogates and values past U+10FFFF.
constexpr utf8_step utf8_decode_one(std::string_view s, std::size_t at) noexcept {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[at + k]); };
    const unsigned char b0 = byte(0);
    if (b0 < 0x80) return {b0, 1};
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    char32_t cp = 0;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        len = 2;
        cp = b0 & 0x1Fu;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        len = 3;
        cp = b0 & 0x0Fu;
        if (b0 == 0xE0) lo = 0xA0;
        if (b0 == 0xED) hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        len = 4;
        cp = b0 & 0x07u;
        if (b0 == 0xF0) lo = 0x90;
        if (b0 == 0xF4) hi = 0x8F;
    } else {
        return {0, 0, errc::invalid_utf8};
    }
    if (s.size() - at < len) return {0, 0, errc::invalid_utf8};
    for (std::size_t k = 1; k < len; ++k) {
        const unsigned char b = byte(k);
        if (b < lo || b > hi) return {0, 0, errc::invalid_utf8};
        lo = 0x80;
        hi = 0xBF;
        cp = (cp << 6) | (b & 0x3Fu);
    }
    return {cp, len};
}

// Writes one scalar value as UTF-8; false when it does not fit.
constexpr bool utf8_encode_one(char32_t cp, char* out, std::size_t cap, std::size_t& at) noexcept {
    const std::size_t len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (at > cap || cap - at < len) return false;
    if (len == 1) {
        out[at++] = static_cast<char>(cp);
        return true;
    }
    const unsigned lead = len == 2 ? 0xC0u : len == 3 ? 0xE0u : 0xF0u;
    out[at] = static_cast<char>(lead | (cp >> (6 * (len - 1))));
    for (std::size_t k = 1; k < len; ++k)
        out[at + k] = static_cast<char>(0x80u | ((cp >> (6 * (len - 1 - k))) & 0x3Fu));
    at += len;
    return true;
}

constexpr char32_t ascii_lower(char32_t c) noexcept {
    return c >= U'A' && c <= U'Z' ? c - U'A' + U'a' : c;
}


constexpr bool is_ascii(std::string_view s) noexcept {
    for (char c : s)
        if (static_cast<unsigned char>(c) >= 0x80) return false;
    return true;
}

enum class idna_property : std::uint8_t { disallowed, pvalid, pvalid_mark, contextj, contexto, uppercase };

constexpr idna_property idna_property_of(char32_t cp) noexcept {
    std::size_t lo = 0;
    std::size_t hi = sizeof idna_property_table / sizeof idna_property_table[0];
    while (hi - lo > 1) {
        const std::size_t mid = lo + (hi - lo) / 2;
        if ((idna_property_table[mid] >> 3) <= cp)
            lo = mid;
        else
            hi = mid;
    }
    return static_cast<idna_property>(idna_property_table[lo] & 7u);
}

template <std::size_t N>
constexpr bool in_ranges(const char32_t (&ranges)[N][2], char32_t cp) noexcept {
    std::size_t lo = 0, hi = N;
    while (lo < hi) {
        const std::size_t mid = lo + (hi - lo) / 2;
        if (cp < ranges[mid][0])
            hi = mid;
        else if (cp > ranges[mid][1])
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

constexpr bool composes(char32_t first, char32_t second) noexcept {
    std::size_t lo = 0, hi = sizeof idna_nfc_pairs / sizeof idna_nfc_pairs[0];
    while (lo < hi) {
        const std::size_t mid = lo + (hi - lo) / 2;
        const char32_t a = idna_nfc_pairs[mid][0], b = idna_nfc_pairs[mid][1];
        if (first < a || (first == a && second < b))
            hi = mid;
        else if (first > a || second > b)
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

constexpr bool any_in(const char32_t* cps, std::size_t n, char32_t first, char32_t last) noexcept {
    for (std::size_t j = 0; j < n; ++j)
        if (cps[j] >= first && cps[j] <= last) return true;
    return false;
}

// RFC 5892 Appendix A: the rule for the CONTEXTJ or CONTEXTO code point at cps[i].
constexpr bool idna_context_holds(const char32_t* cps, std::size_t n, std::size_t i) noexcept {
    const char32_t cp = cps[i];
    const bool has_before = i > 0;
    const bool has_after = i + 1 < n;
    switch (cp) {
    case 0x200C: // A.1 ZERO WIDTH NON-JOINER (the joining-type clause is not implemented)
    case 0x200D: // A.2 ZERO WIDTH JOINER
        return has_before && in_ranges(idna_virama, cps[i - 1]);
    case 0x00B7: // A.3 MIDDLE DOT, as in Catalan "l·l"
        return has_before && has_after && cps[i - 1] == U'l' && cps[i + 1] == U'l';
    case 0x0375: // A.4 GREEK LOWER NUMERAL SIGN (KERAIA)
        return has_after && in_ranges(idna_greek, cps[i + 1]);
    case 0x05F3: // A.5 HEBREW PUNCTUATION GERESH
    case 0x05F4: // A.6 HEBREW PUNCTUATION GERSHAYIM
        return has_before && in_ranges(idna_hebrew, cps[i - 1]);
    case 0x30FB: // A.7 KATAKANA MIDDLE DOT
        for (std::size_t j = 0; j < n; ++j)
            if (in_ranges(idna_kana_han, cps[j])) return true;
        return false;
    default:
        break;
    }
    if (cp >= 0x0660 && cp <= 0x0669) return !any_in(cps, n, 0x06F0, 0x06F9); // A.8
    if (cp >= 0x06F0 && cp <= 0x06F9) return !any_in(cps, n, 0x0660, 0x0669); // A.9
    return false;
}

} // namespace detail

/// Decodes UTF-8 into code points in `out[0..cap)`; returns how many. Rejects what RFC 3629
/// forbids: stray continuation bytes, overlong forms (C0 AF), surrogates (ED A0 80), values
/// past U+10FFFF (F4 90 80 80) and truncated sequences, with `invalid_utf8` and the byte
/// offset. `buffer_too_small` when more than `cap` code points. constexpr, noexcept, no heap.
SVCID_NODISCARD constexpr result<std::size_t> decode_utf8(std::string_view in, char32_t* out,
                                                          std::size_t cap) noexcept {
    std::size_t count = 0;
    for (std::size_t at = 0; at < in.size();) {
        const detail::utf8_step step = detail::utf8_decode_one(in, at);
        if (step.error != errc::ok) return {step.error, at};
        if (count >= cap) return {errc::buffer_too_small, at};
        out[count++] = step.code_point;
        at += step.length;
    }
    return count;
}

/// Checks that code points form a valid U-label under IDNA2008 (RFC 5891 §5.4 as applied
/// to a U-label; see the header comment for what is left to libidn2). Expects ASCII
/// already lower-cased. On failure `offset` is the index of the offending code point.
///
/// ```
/// const char32_t u[] = {U'b', 0xFC, U'c', U'h', U'e', U'r'};
/// svcid::validate_u_label(u, 6).code == svcid::errc::ok
/// ```
/// constexpr, noexcept, no allocation.
SVCID_NODISCARD constexpr error validate_u_label(const char32_t* cps, std::size_t n) noexcept {
    using detail::idna_property;
    if (n == 0) return errc::empty_label;
    if (cps[0] == U'-') return {errc::hyphen_at_label_edge, 0};
    if (cps[n - 1] == U'-') return {errc::hyphen_at_label_edge, n - 1};
    if (n >= 4 && cps[2] == U'-' && cps[3] == U'-') return {errc::idna_hyphen_in_positions_3_4, 2};
    for (std::size_t i = 0; i < n; ++i) {
        switch (detail::idna_property_of(cps[i])) {
        case idna_property::pvalid: break;
        case idna_property::pvalid_mark:
            if (i == 0) return {errc::idna_leading_combining_mark, 0};
            if (detail::composes(cps[i - 1], cps[i])) return {errc::idna_not_nfc, i};
            break;
        case idna_property::contextj:
        case idna_property::contexto:
            if (!detail::idna_context_holds(cps, n, i)) return {errc::idna_contextual_rule, i};
            break;
        case idna_property::uppercase: return {errc::idna_uppercase_needs_mapping, i};
        case idna_property::disallowed: return {errc::idna_disallowed_code_point, i};
        }
    }
    return errc::ok;
}

/// Checks a presented "xn--" label (RFC 5891 §5.4, RFC 5890 §2.3.2.1): it decodes, the
/// result is not all ASCII, it re-encodes to the same string ignoring ASCII case, and the
/// U-label is valid (validate_u_label). Returns `errc::ok` or why not: `idna_bad_a_label`
/// (no xn-- prefix, decodes to ASCII, or not the canonical encoding), `label_too_long`,
/// a punycode error, or a U-label error.
///
/// ```
/// svcid::validate_a_label("xn--bcher-kva") == svcid::errc::ok
/// svcid::validate_a_label("xn--abc-") == svcid::errc::idna_bad_a_label  // decodes to ASCII
/// ```
/// constexpr, noexcept, no allocation.
SVCID_NODISCARD constexpr errc validate_a_label(std::string_view label) noexcept {
    if (label.size() > idna_max_label_octets) return errc::label_too_long;
    if (!detail::has_ace_prefix(label)) return errc::idna_bad_a_label;
    const std::string_view encoded = label.substr(4);
    char32_t cps[punycode_max_code_points]{};
    const auto decoded = punycode_decode(encoded, cps, punycode_max_code_points);
    if (!decoded) return decoded.error().code;
    const std::size_t n = *decoded;
    bool ascii_only = true;
    for (std::size_t i = 0; i < n; ++i) {
        cps[i] = detail::ascii_lower(cps[i]);
        if (cps[i] >= 0x80) ascii_only = false;
    }
    if (ascii_only) return errc::idna_bad_a_label;
    char again[punycode_max_encoded]{};
    const auto reencoded = punycode_encode(cps, n, again, punycode_max_encoded);
    if (!reencoded || *reencoded != encoded.size()) return errc::idna_bad_a_label;
    for (std::size_t i = 0; i < encoded.size(); ++i)
        if (detail::to_ascii_lower(encoded[i]) != again[i]) return errc::idna_bad_a_label;
    return validate_u_label(cps, n).code;
}

/// True when some label of `name` starts with "xn--" (any case): a cheap test for whether a
/// presented name needs validate_a_label or a_label_to_utf8 at all.
constexpr bool has_a_label(std::string_view name) noexcept {
    std::size_t start = 0;
    while (start <= name.size()) {
        std::size_t end = name.find('.', start);
        if (end == std::string_view::npos) end = name.size();
        if (detail::has_ace_prefix(name.substr(start, end - start))) return true;
        start = end + 1;
    }
    return false;
}

/// Converts one label from UTF-8 to the form used in DNS and certificates (RFC 5891 §4):
/// an ASCII label is lower-cased (and, if it is an xn-- label, checked with
/// validate_a_label); any other label must be a valid U-label (after lower-casing its ASCII
/// letters) and becomes "xn--" + punycode. Writes to `out[0..cap)` and returns the length.
///
/// Errors: `invalid_utf8`, U-label errors (validate_u_label), `punycode_output_too_long`
/// when the A-label would exceed 63 octets, `buffer_too_small`. `offset` is a byte offset
/// into `utf8_label`.
///
/// ```
/// char buf[svcid::idna_max_label_octets];
/// auto r = svcid::to_a_label("Bücher", buf, sizeof buf);  // "xn--bcher-kva"
/// ```
/// constexpr, noexcept, no allocation.
SVCID_NODISCARD constexpr result<std::size_t> to_a_label(std::string_view utf8_label, char* out,
                                                         std::size_t cap) noexcept {
    if (detail::is_ascii(utf8_label)) {
        if (utf8_label.size() > cap) return errc::buffer_too_small;
        for (std::size_t i = 0; i < utf8_label.size(); ++i) out[i] = detail::to_ascii_lower(utf8_label[i]);
        if (detail::has_ace_prefix(utf8_label)) {
            if (errc e = validate_a_label(utf8_label); e != errc::ok) return e;
        }
        return utf8_label.size();
    }
    char32_t cps[punycode_max_code_points]{};
    // Byte offset of each code point, to report errors against the caller's text; a label
    // of at most 63 code points spans at most 252 bytes.
    std::uint8_t at[punycode_max_code_points]{};
    std::size_t n = 0;
    for (std::size_t pos = 0; pos < utf8_label.size();) {
        const detail::utf8_step step = detail::utf8_decode_one(utf8_label, pos);
        if (step.error != errc::ok) return {step.error, pos};
        if (n == punycode_max_code_points) return {errc::punycode_output_too_long, pos};
        at[n] = static_cast<std::uint8_t>(pos);
        cps[n++] = detail::ascii_lower(step.code_point);
        pos += step.length;
    }
    if (const error e = validate_u_label(cps, n); e.code != errc::ok) return {e.code, at[e.offset]};

    constexpr std::size_t prefix = 4;
    char encoded[punycode_max_encoded]{};
    const auto r = punycode_encode(cps, n, encoded, idna_max_label_octets - prefix);
    if (!r) {
        const errc e = r.error().code == errc::buffer_too_small ? errc::punycode_output_too_long : r.error().code;
        return {e, at[r.error().offset]};
    }
    if (prefix + *r > cap) return errc::buffer_too_small;
    out[0] = 'x';
    out[1] = 'n';
    out[2] = '-';
    out[3] = '-';
    for (std::size_t i = 0; i < *r; ++i) out[prefix + i] = encoded[i];
    return prefix + *r;
}

/// Converts a whole name from UTF-8 to ASCII, label by label with to_a_label, into
/// `out[0..cap)`; returns the length. One trailing dot (an absolute name) is kept. The
/// syntax of ASCII labels (letters, digits, hyphens) is the DNS reference parser's job.
///
/// Errors carry the 1-based label index and the byte offset in `utf8_name`: those of
/// to_a_label, plus `empty_name`, `empty_label`, `name_too_long` (over 253 octets of
/// output), `buffer_too_small`.
///
/// ```
/// char buf[svcid::idna_max_name_octets + 1];
/// auto r = svcid::to_ascii_name("Bücher.Example", buf, sizeof buf);  // "xn--bcher-kva.example"
/// ```
/// constexpr, noexcept, no allocation.
SVCID_NODISCARD constexpr result<std::size_t> to_ascii_name(std::string_view utf8_name, char* out,
                                                            std::size_t cap) noexcept {
    if (utf8_name.empty()) return errc::empty_name;
    const bool absolute = utf8_name.back() == '.';
    const std::string_view body = absolute ? utf8_name.substr(0, utf8_name.size() - 1) : utf8_name;
    std::size_t written = 0;
    std::size_t index = 0;
    for (std::size_t start = 0; start <= body.size();) {
        ++index;
        std::size_t end = body.find('.', start);
        if (end == std::string_view::npos) end = body.size();
        if (end == start) return {errc::empty_label, start, index};
        if (index > 1) {
            if (written >= cap) return {errc::buffer_too_small, start, index};
            out[written++] = '.';
        }
        char label[idna_max_label_octets]{};
        const auto r = to_a_label(body.substr(start, end - start), label, idna_max_label_octets);
        if (!r) {
            const errc e = r.error().code == errc::buffer_too_small ? errc::label_too_long : r.error().code;
            return {e, start + r.error().offset, index};
        }
        if (written + *r > idna_max_name_octets) return {errc::name_too_long, start, index};
        if (*r > cap - written) return {errc::buffer_too_small, start, index};
        for (std::size_t i = 0; i < *r; ++i) out[written++] = label[i];
        start = end + 1;
    }
    if (absolute) {
        if (written >= cap) return {errc::buffer_too_small, utf8_name.size() - 1};
        out[written++] = '.';
    }
    return written;
}

/// Renders an ASCII name for people: each valid A-label is decoded to UTF-8, other labels
/// are copied unchanged. Writes to `out[0..cap)` and returns the length. For display (an
/// inspector, a log line), never for matching: match on the A-labels.
///
/// Errors carry the 1-based label index: the errors of validate_a_label for an xn-- label
/// that is not a valid A-label (show the raw name instead), `buffer_too_small`.
///
/// ```
/// char buf[4 * svcid::idna_max_name_octets];
/// auto r = svcid::a_label_to_utf8("xn--bcher-kva.example", buf, sizeof buf);  // "bücher.example"
/// ```
/// constexpr, noexcept, no allocation.
SVCID_NODISCARD constexpr result<std::size_t> a_label_to_utf8(std::string_view ascii_name, char* out,
                                                              std::size_t cap) noexcept {
    std::size_t written = 0;
    std::size_t index = 0;
    for (std::size_t start = 0; start <= ascii_name.size();) {
        ++index;
        std::size_t end = ascii_name.find('.', start);
        if (end == std::string_view::npos) end = ascii_name.size();
        const std::string_view label = ascii_name.substr(start, end - start);
        if (detail::has_ace_prefix(label)) {
            if (errc e = validate_a_label(label); e != errc::ok) return {e, start, index};
            char32_t cps[punycode_max_code_points]{};
            const auto n = punycode_decode(label.substr(4), cps, punycode_max_code_points);
            for (std::size_t i = 0; i < *n; ++i)
                if (!detail::utf8_encode_one(detail::ascii_lower(cps[i]), out, cap, written))
                    return {errc::buffer_too_small, start, index};
        } else {
            if (label.size() > cap - written) return {errc::buffer_too_small, start, index};
            for (char c : label) out[written++] = c;
        }
        if (end < ascii_name.size()) {
            if (written >= cap) return {errc::buffer_too_small, end, index};
            out[written++] = '.';
        }
        start = end + 1;
    }
    return written;
}

SVCID_END_NAMESPACE

#endif
