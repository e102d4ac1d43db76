// svcid/detail/ascii.hpp — locale-free ASCII character classes and case folding.
//
// Only ASCII letters fold: Unicode-aware lowercasing turned U+212A KELVIN SIGN into 'k' in
// other libraries (CVE-2020-14577, CVE-2021-0341). Everything here is constexpr so the
// name rules built on it can run in constant expressions.
#ifndef SVCID_DETAIL_ASCII_HPP
#define SVCID_DETAIL_ASCII_HPP

#include "../config.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

SVCID_BEGIN_NAMESPACE
namespace detail {

constexpr bool is_ascii_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_ascii_upper(char c) noexcept { return c >= 'A' && c <= 'Z'; }
constexpr bool is_ascii_lower(char c) noexcept { return c >= 'a' && c <= 'z'; }
constexpr bool is_ascii_alpha(char c) noexcept { return is_ascii_upper(c) || is_ascii_lower(c); }
constexpr bool is_ascii_alnum(char c) noexcept { return is_ascii_alpha(c) || is_ascii_digit(c); }
constexpr bool is_ascii_hex(char c) noexcept {
    return is_ascii_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
constexpr char to_ascii_lower(char c) noexcept { return is_ascii_upper(c) ? static_cast<char>(c + ('a' - 'A')) : c; }

/// Letters, digits, hyphen and underscore: the bytes a DNS label may hold here (see
/// dns_reference.hpp for why '_' is accepted).
constexpr bool is_label_char(char c) noexcept { return is_ascii_alnum(c) || c == '-' || c == '_'; }

// GCC 12 at -O2 follows equals_folded() into the 8-octet path for constant names shorter
// than 8 octets, which the `n < 8` test excludes, and reports -Warray-bounds there.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Warray-bounds"
#endif
/// Eight octets from `p`, the first in the lowest byte. Written as shifts so that it is
/// constexpr; GCC and Clang turn it into one unaligned load.
SVCID_HOT_INLINE constexpr std::uint64_t load_le64(const char* p) noexcept {
    using u = std::uint64_t;
    const auto* b = p;
    return u{static_cast<unsigned char>(b[0])} | u{static_cast<unsigned char>(b[1])} << 8 |
           u{static_cast<unsigned char>(b[2])} << 16 | u{static_cast<unsigned char>(b[3])} << 24 |
           u{static_cast<unsigned char>(b[4])} << 32 | u{static_cast<unsigned char>(b[5])} << 40 |
           u{static_cast<unsigned char>(b[6])} << 48 | u{static_cast<unsigned char>(b[7])} << 56;
}

/// Whether eight ASCII-case-folded octets of `a` equal eight octets of `lower`. Each byte
/// of a word below 0x80 folds without a carry into its neighbour: adding 0x3F sets its top
/// bit from 'A' up, adding 0x25 from '[' up, so their difference marks 'A'-'Z', whose 0x20
/// bit is then set. A word with a non-ASCII octet is compared octet by octet.
SVCID_HOT_INLINE constexpr bool equals_folded8(const char* a, const char* lower) noexcept {
    constexpr std::uint64_t ones = 0x0101010101010101u;
    const std::uint64_t w = load_le64(a);
    if ((w & (0x80 * ones)) != 0) {
        for (int i = 0; i < 8; ++i)
            if (to_ascii_lower(a[i]) != lower[i]) return false;
        return true;
    }
    const std::uint64_t upper = (w + 0x3F * ones) & ~(w + 0x25 * ones) & (0x80 * ones);
    return (w | (upper >> 2)) == load_le64(lower);
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

/// ASCII case-insensitive equality of `a` against `lower`, which is already lower case.
/// Compares by length; never reads past either view. Eight octets at a time (the last
/// word overlapping the one before it), since names of 8 octets and more are the rule.
SVCID_HOT_INLINE constexpr bool equals_folded(std::string_view a, std::string_view lower) noexcept {
    const std::size_t n = a.size();
    if (n != lower.size()) return false;
    if (n < 8) {
        for (std::size_t i = 0; i < n; ++i)
            if (to_ascii_lower(a[i]) != lower[i]) return false;
        return true;
    }
    // Names that differ mostly differ at once (another host under the same domain): the
    // first octet alone refuses them.
    if (to_ascii_lower(a[0]) != lower[0]) return false;
    for (std::size_t i = 0; i + 8 < n; i += 8)
        if (!equals_folded8(a.data() + i, lower.data() + i)) return false;
    return equals_folded8(a.data() + n - 8, lower.data() + n - 8);
}

/// ASCII case-insensitive equality of two arbitrary views.
constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (to_ascii_lower(a[i]) != to_ascii_lower(b[i])) return false;
    return true;
}

/// Drops one trailing dot: an absolute name (`example.com.`) is the same name (RFC 1034
/// §3.1), on both the reference and the presented side. A lone "." stays, and fails later.
SVCID_HOT_INLINE constexpr std::string_view strip_trailing_dot(std::string_view s) noexcept {
    if (s.size() > 1 && s.back() == '.') s.remove_suffix(1);
    return s;
}

/// True when `label` begins with the ACE prefix "xn--" (RFC 5890 §2.3.2.1), in any case.
constexpr bool has_ace_prefix(std::string_view label) noexcept {
    return label.size() >= 4 && iequals(label.substr(0, 4), "xn--");
}

} // namespace detail
SVCID_END_NAMESPACE

#endif
