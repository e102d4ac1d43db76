// svcid/punycode.hpp — RFC 3492 Punycode (Bootstring with the IDNA parameters), without heap.
//
// Punycode is how a U-label travels through DNS and certificates: "bücher" is the A-label
// "xn--bcher-kva". Both directions work on caller buffers, stop at the 63-octet label limit
// before they do any arithmetic that could run away, and bounds-check every write: the
// OpenSSL punycode overflows (CVE-2022-3602, CVE-2022-3786) were missing exactly that.
// The functions handle the part after "xn--"; idna.hpp adds and strips the prefix.
#ifndef SVCID_PUNYCODE_HPP
#define SVCID_PUNYCODE_HPP

#include "../config.hpp"
#include "../error.hpp"
#include "../result.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

SVCID_BEGIN_NAMESPACE

/// The longest punycode string either function handles: a DNS label is at most 63 octets
/// (RFC 1034 §3.1), and an A-label is a label.
inline constexpr std::size_t punycode_max_encoded = 63;

/// The most code points either function handles. Every code point costs at least one
/// octet of encoding, so no 63-octet punycode string decodes to more.
inline constexpr std::size_t punycode_max_code_points = 63;

namespace detail {

// RFC 3492 §5: the Punycode parameter values.
inline constexpr std::uint32_t pc_base = 36;
inline constexpr std::uint32_t pc_tmin = 1;
inline constexpr std::uint32_t pc_tmax = 26;
inline constexpr std::uint32_t pc_skew = 38;
inline constexpr std::uint32_t pc_damp = 700;
inline constexpr std::uint32_t pc_initial_bias = 72;
inline constexpr std::uint32_t pc_initial_n = 0x80;
inline constexpr std::uint32_t pc_maxint = 0xFFFFFFFFu;

// RFC 3492 §6.1.
constexpr std::uint32_t pc_adapt(std::uint32_t delta, std::uint32_t numpoints, bool firsttime) noexcept {
    delta = firsttime ? delta / pc_damp : delta / 2;
    delta += delta / numpoints;
    std::uint32_t k = 0;
    while (delta > ((pc_base - pc_tmin) * pc_tmax) / 2) {
        delta /= pc_base - pc_tmin;
        k += pc_base;
    }
    return k + (pc_base - pc_tmin + 1) * delta / (delta + pc_skew);
}

constexpr std::uint32_t pc_threshold(std::uint32_t k, std::uint32_t bias) noexcept {
    if (k <= bias) return pc_tmin;
    if (k >= bias + pc_tmax) return pc_tmax;
    return k - bias;
}

// Lower-case digits: RFC 3492 §5 lets an encoder pick either case, and DNS names in
// certificates are compared after lower-casing, so lower case saves a step everywhere.
constexpr char pc_encode_digit(std::uint32_t d) noexcept {
    return static_cast<char>(d < 26 ? 'a' + d : '0' + (d - 26));
}

// Returns pc_base for a character that is not a base-36 digit.
constexpr std::uint32_t pc_decode_digit(char c) noexcept {
    if (c >= '0' && c <= '9') return static_cast<std::uint32_t>(c - '0') + 26;
    if (c >= 'a' && c <= 'z') return static_cast<std::uint32_t>(c - 'a');
    if (c >= 'A' && c <= 'Z') return static_cast<std::uint32_t>(c - 'A');
    return pc_base;
}

constexpr bool is_scalar_value(char32_t c) noexcept {
    return c <= 0x10FFFF && (c < 0xD800 || c > 0xDFFF);
}

// Where an encoder may write next: past the label limit is the caller's data being too
// long for DNS, past `cap` (but within the limit) is the caller's buffer being too small.
constexpr errc pc_room(std::size_t at, std::size_t cap) noexcept {
    if (at >= punycode_max_encoded) return errc::punycode_output_too_long;
    if (at >= cap) return errc::buffer_too_small;
    return errc::ok;
}

} // namespace detail

/// Encodes `n` Unicode scalar values as punycode into `out[0..cap)` (RFC 3492 §6.3), without
/// the "xn--" prefix, and returns the number of octets written. Basic code points are copied
/// unchanged (so callers lower-case ASCII first); digits are lower case.
///
/// Errors: `punycode_bad_input` (a surrogate or a value above U+10FFFF; `offset` is its
/// index), `punycode_output_too_long` (more than 63 code points, or the encoding would pass
/// 63 octets), `buffer_too_small` (it would pass `cap`), `punycode_overflow` (RFC 3492 §6.4;
/// unreachable within the 63-code-point limit, checked anyway).
///
/// ```
/// const char32_t u[] = {U'b', 0xFC, U'c', U'h', U'e', U'r'};
/// char buf[svcid::punycode_max_encoded];
/// auto r = svcid::punycode_encode(u, 6, buf, sizeof buf);  // "bcher-kva", *r == 9
/// ```
/// constexpr, noexcept, no allocation.
SVCID_NODISCARD constexpr result<std::size_t> punycode_encode(const char32_t* in, std::size_t n, char* out,
                                                              std::size_t cap) noexcept {
    using namespace detail;
    if (n > punycode_max_code_points) return errc::punycode_output_too_long;
    std::size_t written = 0;
    for (std::size_t j = 0; j < n; ++j) {
        if (!is_scalar_value(in[j])) return {errc::punycode_bad_input, j};
        if (in[j] < pc_initial_n) {
            if (errc e = pc_room(written, cap); e != errc::ok) return {e, j};
            out[written++] = static_cast<char>(in[j]);
        }
    }
    const std::uint32_t b = static_cast<std::uint32_t>(written);
    if (b > 0) {
        if (errc e = pc_room(written, cap); e != errc::ok) return e;
        out[written++] = '-';
    }

    std::uint32_t code = pc_initial_n;
    std::uint32_t delta = 0;
    std::uint32_t bias = pc_initial_bias;
    for (std::uint32_t h = b; h < n;) {
        std::uint32_t m = pc_maxint;
        for (std::size_t j = 0; j < n; ++j)
            if (in[j] >= code && in[j] < m) m = in[j];
        if (m - code > (pc_maxint - delta) / (h + 1)) return errc::punycode_overflow;
        delta += (m - code) * (h + 1);
        code = m;
        for (std::size_t j = 0; j < n; ++j) {
            if (in[j] < code) {
                if (delta == pc_maxint) return errc::punycode_overflow;
                ++delta;
            } else if (in[j] == code) {
                std::uint32_t q = delta;
                for (std::uint32_t k = pc_base;; k += pc_base) {
                    const std::uint32_t t = pc_threshold(k, bias);
                    if (q < t) break;
                    if (errc e = pc_room(written, cap); e != errc::ok) return {e, j};
                    out[written++] = pc_encode_digit(t + (q - t) % (pc_base - t));
                    q = (q - t) / (pc_base - t);
                }
                if (errc e = pc_room(written, cap); e != errc::ok) return {e, j};
                out[written++] = pc_encode_digit(q);
                bias = pc_adapt(delta, h + 1, h == b);
                delta = 0;
                ++h;
            }
        }
        if (delta == pc_maxint) return errc::punycode_overflow;
        ++delta;
        ++code;
    }
    return written;
}

/// Decodes punycode (without "xn--") into `out[0..cap)` (RFC 3492 §6.2) and returns the
/// number of code points. Digits are accepted in either case; basic code points keep theirs.
/// The last '-' separates the basic code points; with none, everything is digits.
///
/// Errors (`offset` is the byte index in `in` where decoding stopped):
/// `punycode_input_too_long` (more than 63 octets), `punycode_bad_input` (a non-ASCII octet
/// before the delimiter, a truncated number, or a result that is basic, a surrogate or past
/// U+10FFFF), `punycode_bad_digit`, `punycode_overflow` (RFC 3492 §6.4),
/// `buffer_too_small` (more than `cap` code points).
///
/// ```
/// char32_t u[svcid::punycode_max_code_points];
/// auto r = svcid::punycode_decode("bcher-kva", u, 63);  // b ü c h e r, *r == 6
/// ```
/// constexpr, noexcept, no allocation.
SVCID_NODISCARD constexpr result<std::size_t> punycode_decode(std::string_view in, char32_t* out,
                                                              std::size_t cap) noexcept {
    using namespace detail;
    if (in.size() > punycode_max_encoded) return {errc::punycode_input_too_long, punycode_max_encoded};
    std::size_t basic = 0;
    for (std::size_t j = in.size(); j > 0; --j) {
        if (in[j - 1] == '-') {
            basic = j - 1;
            break;
        }
    }
    if (basic > cap) return {errc::buffer_too_small, cap};
    for (std::size_t j = 0; j < basic; ++j) {
        const auto c = static_cast<unsigned char>(in[j]);
        if (c >= 0x80) return {errc::punycode_bad_input, j};
        out[j] = c;
    }
    std::size_t count = basic;
    std::size_t pos = basic > 0 ? basic + 1 : 0;

    std::uint32_t code = pc_initial_n;
    std::uint32_t i = 0;
    std::uint32_t bias = pc_initial_bias;
    while (pos < in.size()) {
        const std::uint32_t oldi = i;
        std::uint32_t w = 1;
        for (std::uint32_t k = pc_base;; k += pc_base) {
            if (pos >= in.size()) return {errc::punycode_bad_input, pos};
            const std::uint32_t digit = pc_decode_digit(in[pos]);
            if (digit >= pc_base) return {errc::punycode_bad_digit, pos};
            ++pos;
            if (digit > (pc_maxint - i) / w) return {errc::punycode_overflow, pos - 1};
            i += digit * w;
            const std::uint32_t t = pc_threshold(k, bias);
            if (digit < t) break;
            if (w > pc_maxint / (pc_base - t)) return {errc::punycode_overflow, pos - 1};
            w *= pc_base - t;
        }
        const auto points = static_cast<std::uint32_t>(count + 1);
        bias = pc_adapt(i - oldi, points, oldi == 0);
        if (i / points > pc_maxint - code) return {errc::punycode_overflow, pos - 1};
        code += i / points;
        i %= points;
        // `code` starts above ASCII and only grows, so RFC 3492's "fail if basic" cannot trip.
        if (!is_scalar_value(code)) return {errc::punycode_bad_input, pos - 1};
        if (count >= cap) return {errc::buffer_too_small, pos - 1};
        for (std::size_t j = count; j > i; --j) out[j] = out[j - 1];
        out[i] = code;
        ++count;
        ++i;
    }
    return count;
}

SVCID_END_NAMESPACE

#endif
