// svcid/ip_reference.hpp — IP reference identities: strict text parsing, RFC 5952
// formatting and octet matching against a certificate's iPAddress SAN (RFC 9525 §6.4).
//
// An application that connects to "192.0.2.1" or "[2001:db8::1]" expects an iPAddress
// subjectAltName carrying those exact octets. The text parser is deliberately strict: the
// historic inet_aton forms ("127.1", "0x7f.0.0.1", "010.0.0.1") mean different addresses
// to different parsers, and an identity check must never guess.
#ifndef SVCID_IP_REFERENCE_HPP
#define SVCID_IP_REFERENCE_HPP

#include "config.hpp"
#include "detail/ascii.hpp"
#include "error.hpp"
#include "result.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

SVCID_BEGIN_NAMESPACE

/// The address family of an ip_reference.
/// `none` only in a default-constructed ip_reference, which holds no address and matches
/// nothing.
enum class ip_family : std::uint8_t { none = 0, v4 = 4, v6 = 6 };

/// An IPv4 or IPv6 address as a reference identity (RFC 9525 §6.4): 4 or 16 octets in
/// network order plus the family, stored inline.
///
/// Ownership: the object owns its octets; it holds no pointer, is trivially copyable and
/// can live in a constant. Obtain one from parse_ip_reference() or from_octets().
///
/// ```
/// constexpr auto ref = svcid::parse_ip_reference("2001:db8::1");
/// static_assert(ref && ref->family() == svcid::ip_family::v6);
/// ```
class ip_reference {
public:
    /// Longest text format() writes: "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255".
    static constexpr std::size_t max_text_len = 45;
    /// Longest text parse_ip_reference() reads: max_text_len plus the brackets. Longer input
    /// is refused before any other work, which bounds parsing cost and keeps offsets small.
    static constexpr std::size_t max_input_len = max_text_len + 2;

    /// No address (family none, size 0): matches nothing. Exists so that
    /// result<ip_reference> can be default-constructed.
    constexpr ip_reference() noexcept = default;

    /// From raw octets: 4 for IPv4, 16 for IPv6 (an iPAddress SAN's content, for example).
    /// Any other length is errc::ip_bad_octet_count.
    static constexpr result<ip_reference> from_octets(std::string_view octets) noexcept {
        if (octets.size() != 4 && octets.size() != 16) return result<ip_reference>(errc::ip_bad_octet_count, 0);
        ip_reference r;
        r.family_ = octets.size() == 4 ? ip_family::v4 : ip_family::v6;
        for (std::size_t i = 0; i < octets.size(); ++i) r.octets_[i] = octets[i];
        return r;
    }

    /// v4 or v6 as parsed (never normalised: "::ffff:1.2.3.4" stays v6); none when defaulted.
    constexpr ip_family family() const noexcept { return family_; }
    /// True for an IPv4 address.
    constexpr bool is_v4() const noexcept { return family_ == ip_family::v4; }
    /// True for an IPv6 address (IPv4-mapped ones included).
    constexpr bool is_v6() const noexcept { return family_ == ip_family::v6; }

    /// 4 or 16; 0 for a default-constructed object.
    constexpr std::size_t size() const noexcept { return is_v4() ? 4 : is_v6() ? 16 : 0; }

    /// The octets in network order, as a view into this object (valid while it lives).
    /// Compares directly with an iPAddress SAN's content octets.
    constexpr std::string_view octets() const noexcept { return std::string_view(octets_, size()); }

    /// Octet `i` (0-based, `i < size()`), as a number.
    constexpr std::uint8_t operator[](std::size_t i) const noexcept {
        return static_cast<std::uint8_t>(static_cast<unsigned char>(octets_[i]));
    }

    /// True for an IPv6 address in "::ffff:0:0/96" (RFC 4291 §2.5.5.2).
    constexpr bool is_v4_mapped() const noexcept {
        if (!is_v6()) return false;
        for (std::size_t i = 0; i < 10; ++i)
            if (octets_[i] != 0) return false;
        return (*this)[10] == 0xff && (*this)[11] == 0xff;
    }

    /// Same family and same octets: "::ffff:1.2.3.4" and "1.2.3.4" are *different* here.
    friend constexpr bool operator==(const ip_reference& a, const ip_reference& b) noexcept {
        if (a.family_ != b.family_) return false;
        for (std::size_t i = 0; i < a.size(); ++i)
            if (a.octets_[i] != b.octets_[i]) return false;
        return true;
    }
    /// Not equal: the negation of operator==.
    friend constexpr bool operator!=(const ip_reference& a, const ip_reference& b) noexcept { return !(a == b); }

private:
    friend constexpr result<ip_reference> parse_ip_reference(std::string_view) noexcept;

    // char, not unsigned char, so that octets() is a std::string_view in constant expressions.
    char octets_[16] = {};
    ip_family family_ = ip_family::none;
};

namespace detail {

constexpr int ip_hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Strict dotted decimal (RFC 791 §3.2 writes addresses as four decimal octets; RFC 3986
// §3.2.2 `IPv4address` has exactly this grammar). `base` makes offsets relative to the
// caller's whole input.
constexpr error parse_ipv4_text(std::string_view s, std::size_t base, char* out) noexcept {
    std::size_t i = 0;
    for (int part = 0; part < 4; ++part) {
        if (part > 0) {
            if (i >= s.size() || s[i] != '.') return error(errc::bad_ipv4_syntax, base + i);
            ++i;
        }
        const std::size_t start = i;
        if (i >= s.size() || !is_ascii_digit(s[i])) return error(errc::bad_ipv4_syntax, base + i);
        if (s[i] == '0' && i + 1 < s.size() && is_ascii_digit(s[i + 1]))
            return error(errc::ipv4_leading_zero, base + i);
        unsigned value = 0;
        while (i < s.size() && is_ascii_digit(s[i])) {
            value = value * 10 + static_cast<unsigned>(s[i] - '0');
            if (value > 255) return error(errc::ipv4_part_too_large, base + start);
            ++i;
        }
        out[part] = static_cast<char>(value);
    }
    if (i != s.size()) return error(errc::bad_ipv4_syntax, base + i);
    return error();
}

// RFC 4291 §2.2 forms 1-3. "::" must stand for at least one zero group, so seven explicit
// groups plus "::" are accepted ("1:2:3:4:5:6:7::") and eight plus "::" are not. RFC 5952
// §4.2.2 only asks *writers* not to compress a single group; readers accept it, as
// inet_pton does, because RFC 4291 allows it and real configuration files contain it.
constexpr error parse_ipv6_text(std::string_view s, std::size_t base, char* out) noexcept {
    std::uint16_t groups[8] = {};
    std::size_t count = 0;       // groups seen, an embedded IPv4 counting two
    std::size_t gap = 8;         // group index where "::" stands; 8 means none
    std::size_t i = 0;
    const std::size_t n = s.size();

    if (n >= 2 && s[0] == ':' && s[1] == ':') {
        gap = 0;
        i = 2;
    } else if (n >= 1 && s[0] == ':') {
        return error(errc::bad_ipv6_syntax, base);
    }
    while (i < n) {
        const std::size_t start = i;
        if (s[i] == '%') return error(errc::ipv6_zone_id_not_allowed, base + i);
        unsigned value = 0;
        while (i < n && ip_hex_value(s[i]) >= 0) {
            // Bounded so that a long run of digits cannot overflow before it is reported.
            if (i - start < 4) value = value * 16 + static_cast<unsigned>(ip_hex_value(s[i]));
            ++i;
        }
        if (i < n && s[i] == '.') {
            if (count + 2 > (gap == 8 ? 8u : 7u)) return error(errc::ipv6_too_many_groups, base + start);
            char v4[4] = {};
            const error e = parse_ipv4_text(s.substr(start), base + start, v4);
            if (e.code != errc::ok) return e;
            groups[count++] = static_cast<std::uint16_t>(static_cast<unsigned char>(v4[0]) << 8 | static_cast<unsigned char>(v4[1]));
            groups[count++] = static_cast<std::uint16_t>(static_cast<unsigned char>(v4[2]) << 8 | static_cast<unsigned char>(v4[3]));
            i = n;
            break;
        }
        if (i == start) return error(errc::bad_ipv6_syntax, base + i);
        if (i - start > 4) return error(errc::ipv6_group_too_long, base + start);
        if (count == (gap == 8 ? 8u : 7u)) return error(errc::ipv6_too_many_groups, base + start);
        groups[count++] = static_cast<std::uint16_t>(value);
        if (i == n) break;
        if (s[i] == '%') return error(errc::ipv6_zone_id_not_allowed, base + i);
        if (s[i] != ':') return error(errc::bad_ipv6_syntax, base + i);
        ++i;
        if (i < n && s[i] == ':') {
            if (gap != 8) return error(errc::ipv6_double_compression, base + i - 1);
            if (count == 8) return error(errc::ipv6_too_many_groups, base + i - 1);
            gap = count;
            ++i;
        } else if (i == n) {
            return error(errc::bad_ipv6_syntax, base + i - 1);
        }
    }
    if (gap == 8 && count != 8) return error(errc::ipv6_too_few_groups, base + n);

    const std::size_t zeros = 8 - count;
    for (std::size_t g = 0, k = 0; g < 8; ++g) {
        std::uint16_t v = 0;
        if (g < gap || g >= gap + zeros) v = groups[k++];
        out[2 * g] = static_cast<char>(v >> 8);
        out[2 * g + 1] = static_cast<char>(v & 0xff);
    }
    return error();
}

} // namespace detail

/// Parses the text of an IP reference identity. No allocation, never throws, constexpr.
///
/// Accepts strict IPv4 dotted decimal ("192.0.2.1": four decimal parts 0-255, no leading
/// zeros, nothing else) and every RFC 4291 §2.2 IPv6 text form ("2001:db8::1",
/// "::ffff:192.0.2.1", upper or lower case), optionally in brackets as in a URI host
/// ("[::1]", RFC 3986 §3.2.2). Refuses IPv6 zone ids ("fe80::1%eth0"): they name a link on
/// one host, never a certificate subject. Errors carry the byte offset of the problem.
///
/// ```
/// auto r = svcid::parse_ip_reference("127.1");   // r.error() == errc::bad_ipv4_syntax, offset 5
/// ```
constexpr result<ip_reference> parse_ip_reference(std::string_view text) noexcept {
    if (text.empty()) return result<ip_reference>(errc::empty_address, 0);
    if (text.size() > ip_reference::max_input_len)
        return result<ip_reference>(errc::ip_address_too_long, ip_reference::max_input_len);

    ip_reference r;
    std::string_view body = text;
    std::size_t base = 0;
    bool bracketed = false;
    if (text.front() == '[') {
        if (text.back() != ']' || text.size() < 2) return result<ip_reference>(errc::bad_ipv6_syntax, text.size());
        body = text.substr(1, text.size() - 2);
        base = 1;
        bracketed = true;
    }
    bool has_colon = false;
    for (char c : body)
        if (c == ':') has_colon = true;

    error e;
    if (has_colon) {
        r.family_ = ip_family::v6;
        e = detail::parse_ipv6_text(body, base, r.octets_);
    } else {
        r.family_ = ip_family::v4;
        e = detail::parse_ipv4_text(body, base, r.octets_);
        if (e.code == errc::ok && bracketed) e = error(errc::ipv4_in_brackets, 0);
        else if (e.code != errc::ok && bracketed) e = error(errc::bad_ipv6_syntax, e.offset);
    }
    if (e.code != errc::ok) return result<ip_reference>(e);
    return r;
}

namespace detail {

constexpr std::size_t ip_put_decimal(unsigned v, char* out, std::size_t at, std::size_t cap) noexcept {
    char digits[3] = {};
    std::size_t n = 0;
    do {
        digits[n++] = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v != 0);
    for (std::size_t k = 0; k < n; ++k, ++at)
        if (at < cap) out[at] = digits[n - 1 - k];
    return at;
}

constexpr std::size_t ip_put_hex16(unsigned v, char* out, std::size_t at, std::size_t cap) noexcept {
    constexpr const char* hex = "0123456789abcdef";
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
        const unsigned nibble = (v >> shift) & 0xf;
        if (nibble == 0 && !started && shift != 0) continue;  // RFC 5952 §4.1: no leading zeros
        started = true;
        if (at < cap) out[at] = hex[nibble];
        ++at;
    }
    return at;
}

constexpr std::size_t ip_put_char(char c, char* out, std::size_t at, std::size_t cap) noexcept {
    if (at < cap) out[at] = c;
    return at + 1;
}

constexpr std::size_t ip_put_v4(std::string_view o, char* out, std::size_t at, std::size_t cap) noexcept {
    for (std::size_t k = 0; k < 4; ++k) {
        if (k != 0) at = ip_put_char('.', out, at, cap);
        at = ip_put_decimal(static_cast<unsigned char>(o[k]), out, at, cap);
    }
    return at;
}

// Writes as much as fits and returns the full length, so a caller learns the size it needs.
constexpr std::size_t ip_format_octets(std::string_view o, char* out, std::size_t cap) noexcept {
    if (o.size() == 4) return ip_put_v4(o, out, 0, cap);
    if (o.size() != 16) {
        // Not an address (an iPAddress SAN of the wrong length): show it in hex so that a
        // diagnostic can still say what the certificate holds.
        constexpr const char* hex = "0123456789abcdef";
        std::size_t at = ip_put_char('0', out, 0, cap);
        at = ip_put_char('x', out, at, cap);
        for (char c : o) {
            at = ip_put_char(hex[static_cast<unsigned char>(c) >> 4], out, at, cap);
            at = ip_put_char(hex[static_cast<unsigned char>(c) & 0xf], out, at, cap);
        }
        return at;
    }
    unsigned g[8] = {};
    for (std::size_t k = 0; k < 8; ++k)
        g[k] = static_cast<unsigned>(static_cast<unsigned char>(o[2 * k])) << 8 | static_cast<unsigned char>(o[2 * k + 1]);

    // RFC 5952 §5: only IPv4-mapped addresses are written with a dotted quad.
    const bool mapped = g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xffff;
    if (mapped) {
        std::size_t at = 0;
        for (char c : std::string_view("::ffff:")) at = ip_put_char(c, out, at, cap);
        return ip_put_v4(o.substr(12), out, at, cap);
    }

    // RFC 5952 §4.2: compress the longest run of two or more zero groups, the first on a tie.
    std::size_t best = 8, best_len = 1;
    for (std::size_t k = 0; k < 8;) {
        if (g[k] != 0) { ++k; continue; }
        std::size_t e = k;
        while (e < 8 && g[e] == 0) ++e;
        if (e - k > best_len) { best = k; best_len = e - k; }
        k = e;
    }
    std::size_t at = 0;
    for (std::size_t k = 0; k < 8; ++k) {
        if (k == best) {
            at = ip_put_char(':', out, at, cap);
            if (k == 0) at = ip_put_char(':', out, at, cap);
            k += best_len - 1;
            continue;
        }
        at = ip_put_hex16(g[k], out, at, cap);
        if (k != 7) at = ip_put_char(':', out, at, cap);
    }
    return at;
}

} // namespace detail

/// Writes `ip` as text for diagnostics: IPv4 dotted decimal, IPv6 in the RFC 5952 canonical
/// form (lower case, longest zero run compressed, IPv4-mapped as "::ffff:a.b.c.d"). No NUL
/// is appended. Returns the length of the full text; the text is complete when the return
/// value is <= `cap` (a buffer of ip_reference::max_text_len always suffices). No allocation.
///
/// ```
/// char buf[svcid::ip_reference::max_text_len];
/// std::string_view text(buf, svcid::format(*svcid::parse_ip_reference("2001:DB8:0:0:0::1"), buf, sizeof buf));
/// // text == "2001:db8::1"
/// ```
constexpr std::size_t format(const ip_reference& ip, char* out, std::size_t cap) noexcept {
    return detail::ip_format_octets(ip.octets(), out, cap);
}

/// As format(), for a presented iPAddress SAN's raw octets. 4 and 16 octets are formatted as
/// addresses; any other length (malformed, or a name-constraint address/mask pair) as "0x"
/// followed by two lowercase hex digits per octet.
constexpr std::size_t format_ip_octets(std::string_view octets, char* out, std::size_t cap) noexcept {
    return detail::ip_format_octets(octets, out, cap);
}

/// Does a presented iPAddress SAN (its 4 or 16 content octets) name `ref`? RFC 9525 §6.4:
/// octet-for-octet equality; any other presented length never matches.
///
/// `ipv4_mapped_equal` (off by default, as in rustls-webpki and mozilla::pkix) additionally
/// lets an IPv4 address and its IPv4-mapped IPv6 form "::ffff:a.b.c.d" match each other. Turn
/// it on only when the transport itself treats the two as one endpoint (a dual-stack socket).
constexpr bool match_ip_address(std::string_view presented_octets, const ip_reference& ref,
                                bool ipv4_mapped_equal = false) noexcept {
    const std::string_view want = ref.octets();
    if (want.empty()) return false;
    if (presented_octets.size() == want.size()) {
        // At most 16 octets: compared in place rather than through a memcmp call.
        for (std::size_t i = 0; i < want.size(); ++i)
            if (presented_octets[i] != want[i]) return false;
        return true;
    }
    if (!ipv4_mapped_equal) return false;

    std::string_view v6 = presented_octets, v4 = want;
    if (presented_octets.size() == 4 && want.size() == 16) {
        v6 = want;
        v4 = presented_octets;
    } else if (!(presented_octets.size() == 16 && want.size() == 4)) {
        return false;
    }
    for (std::size_t k = 0; k < 10; ++k)
        if (v6[k] != 0) return false;
    if (static_cast<unsigned char>(v6[10]) != 0xff || static_cast<unsigned char>(v6[11]) != 0xff) return false;
    return v6.substr(12) == v4;
}

SVCID_END_NAMESPACE

#endif
