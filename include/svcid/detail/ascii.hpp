// svcid/detail/ascii.hpp — locale-free ASCII character classes and case folding.
//
// Only ASCII letters fold: Unicode-aware lowercasing turned U+212A KELVIN SIGN into 'k' in
// other libraries (CVE-2020-14577, CVE-2021-0341). Everything here is constexpr so the
// name rules built on it can run in constant expressions.
#ifndef SVCID_DETAIL_ASCII_HPP
#define SVCID_DETAIL_ASCII_HPP

#include "../config.hpp"

#include <cstddef>
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

/// ASCII case-insensitive equality of `a` against `lower`, which is already lower case.
/// Compares by length; never reads past either view.
constexpr bool equals_folded(std::string_view a, std::string_view lower) noexcept {
    if (a.size() != lower.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (to_ascii_lower(a[i]) != lower[i]) return false;
    return true;
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
constexpr std::string_view strip_trailing_dot(std::string_view s) noexcept {
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
