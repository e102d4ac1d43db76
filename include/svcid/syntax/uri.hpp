// svcid/uri.hpp — an allocation-free reader for absolute URIs (RFC 3986 §3), the syntax of
// a URI-ID (RFC 9525 §6.5) and of a uniformResourceIdentifier SAN.
//
// The reader validates the whole URI against RFC 3986 Appendix A and splits it into views.
// It decodes nothing and normalises nothing: a matcher decides which components it compares
// and how (a URI-ID compares the scheme and the host, never the path).
#ifndef SVCID_URI_HPP
#define SVCID_URI_HPP

#include "../config.hpp"
#include "../detail/ascii.hpp"
#include "../error.hpp"
#include "../ip_reference.hpp"
#include "../result.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

SVCID_BEGIN_NAMESPACE

/// What the host of a URI is (RFC 3986 §3.2.2).
enum class uri_host_kind : std::uint8_t {
    none,        ///< no authority ("urn:...", "mailto:...")
    reg_name,    ///< a registered name, possibly empty ("file:///x") or percent-encoded
    ipv4,        ///< matches IPv4address, so it is an address, not a name (RFC 3986 §3.2.2)
    ip_literal,  ///< in brackets: an IPv6 address or an IPvFuture literal
};

/// The components of an absolute URI, as views into the parsed string.
///
/// Ownership: every view points into the string given to parse_uri(); the caller keeps that
/// string alive and unchanged for as long as the uri_view is used. Components are exactly
/// as written (still percent-encoded, original case). `host` excludes the brackets of an
/// IP-literal. An absent component is empty and its `has_*` flag is false, which tells
/// "http://h" (no port) from "http://h:" (empty port).
///
/// ```
/// auto u = svcid::parse_uri("https://user@[2001:db8::1]:8443/a?b#c");
/// // u->scheme == "https", u->host == "2001:db8::1", u->host_kind == uri_host_kind::ip_literal
/// ```
struct uri_view {
    /// Longest input parse_uri() reads; error offsets are 16-bit, and no certificate or
    /// configuration needs more.
    static constexpr std::size_t max_input_len = 65535;

    /// The scheme, as written.
    std::string_view scheme;
    /// The userinfo, without the `@`.
    std::string_view userinfo;
    /// The host, without brackets.
    std::string_view host;
    /// The port digits, without the `:`.
    std::string_view port;
    /// The path, possibly empty.
    std::string_view path;
    /// The query, without the `?`.
    std::string_view query;
    /// The fragment, without the `#`.
    std::string_view fragment;
    /// Whether the host is a registered name, an IP literal or IPv4 text.
    uri_host_kind host_kind = uri_host_kind::none;
    /// True when `//` introduced an authority.
    bool has_authority = false;
    /// True when an `@` gave a userinfo, even an empty one.
    bool has_userinfo = false;
    /// True when a `:` gave a port, even an empty one.
    bool has_port = false;
    /// True when a `?` gave a query, even an empty one.
    bool has_query = false;
    /// True when a `#` gave a fragment, even an empty one.
    bool has_fragment = false;
};

namespace detail {

constexpr bool uri_unreserved(char c) noexcept {
    return is_ascii_alpha(c) || is_ascii_digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}
constexpr bool uri_sub_delim(char c) noexcept {
    switch (c) {
    case '!': case '$': case '&': case '\'': case '(': case ')':
    case '*': case '+': case ',': case ';': case '=':
        return true;
    default:
        return false;
    }
}

// Which characters a component allows besides unreserved, sub-delims and pct-encoded.
enum class uri_part : std::uint8_t { userinfo, reg_name, path, query_or_fragment };

constexpr bool uri_extra_allowed(char c, uri_part part) noexcept {
    switch (part) {
    case uri_part::userinfo: return c == ':';
    case uri_part::reg_name: return false;
    case uri_part::path: return c == ':' || c == '@' || c == '/';
    case uri_part::query_or_fragment: return c == ':' || c == '@' || c == '/' || c == '?';
    }
    return false;
}

// Checks s (at offset `base` in the whole URI) against one component's character set.
constexpr error uri_check_chars(std::string_view s, std::size_t base, uri_part part) noexcept {
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '%') {
            if (s.size() - i < 3 || !is_ascii_hex(s[i + 1]) || !is_ascii_hex(s[i + 2]))
                return error(errc::uri_bad_percent_encoding, base + i);
            i += 2;
            continue;
        }
        if (!uri_unreserved(c) && !uri_sub_delim(c) && !uri_extra_allowed(c, part))
            return error(errc::uri_bad_character, base + i);
    }
    return error();
}

// RFC 3986 §3.2.2: IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )
constexpr bool uri_ipvfuture(std::string_view s) noexcept {
    if (s.size() < 4 || (s[0] != 'v' && s[0] != 'V')) return false;
    std::size_t i = 1;
    while (i < s.size() && is_ascii_hex(s[i])) ++i;
    if (i == 1 || i >= s.size() || s[i] != '.') return false;
    if (++i == s.size()) return false;
    for (; i < s.size(); ++i)
        if (!uri_unreserved(s[i]) && !uri_sub_delim(s[i]) && s[i] != ':') return false;
    return true;
}

constexpr bool uri_is_ipv4(std::string_view s) noexcept {
    char scratch[4] = {};
    return parse_ipv4_text(s, 0, scratch).code == errc::ok;
}

} // namespace detail

/// Reads an absolute URI (RFC 3986 §3 `URI`: scheme ":" hier-part [ "?" query ]
/// [ "#" fragment ]) without allocating. Relative references are refused
/// (errc::uri_scheme_missing): a URI-ID always has a scheme.
///
/// Validates every character against RFC 3986 Appendix A and every '%' as pct-encoded; a
/// bracketed host must be an IPv6 address (strict, as parse_ip_reference(); RFC 6874 zone
/// ids are refused) or IPvFuture. The port must be digits; its value is not checked.
/// Non-ASCII bytes, spaces and controls are refused: an IRI must be converted first.
///
/// ```
/// auto u = svcid::parse_uri("sip:alice@example.com");   // no authority: path "alice@example.com"
/// ```
constexpr result<uri_view> parse_uri(std::string_view s SVCID_LIFETIMEBOUND) noexcept {
    using detail::uri_part;
    if (s.size() > uri_view::max_input_len) return result<uri_view>(errc::uri_too_long, uri_view::max_input_len);

    // RFC 3986 §4.2: a ':' before any '/', '?' or '#' is what makes a scheme.
    std::size_t colon = 0;
    while (colon < s.size() && s[colon] != ':' && s[colon] != '/' && s[colon] != '?' && s[colon] != '#') ++colon;
    if (colon == s.size() || s[colon] != ':') return result<uri_view>(errc::uri_scheme_missing, 0);
    if (colon == 0 || !detail::is_ascii_alpha(s[0])) return result<uri_view>(errc::uri_bad_scheme, 0);
    for (std::size_t i = 1; i < colon; ++i) {
        const char c = s[i];
        if (!detail::is_ascii_alpha(c) && !detail::is_ascii_digit(c) && c != '+' && c != '-' && c != '.')
            return result<uri_view>(errc::uri_bad_scheme, i);
    }

    uri_view u;
    u.scheme = s.substr(0, colon);
    std::size_t i = colon + 1;

    if (s.substr(i, 2) == "//") {
        i += 2;
        std::size_t end = i;
        while (end < s.size() && s[end] != '/' && s[end] != '?' && s[end] != '#') ++end;
        u.has_authority = true;

        std::size_t at = i;
        while (at < end && s[at] != '@') ++at;
        if (at < end) {
            u.has_userinfo = true;
            u.userinfo = s.substr(i, at - i);
            const error e = detail::uri_check_chars(u.userinfo, i, uri_part::userinfo);
            if (e.code != errc::ok) return result<uri_view>(e);
            i = at + 1;
        }

        std::size_t host_end = i;
        if (i < end && s[i] == '[') {
            std::size_t close = i;
            while (close < end && s[close] != ']') ++close;
            if (close == end) return result<uri_view>(errc::uri_bad_ip_literal, i);
            const std::string_view literal = s.substr(i + 1, close - i - 1);
            const bool v6 = parse_ip_reference(literal).has_value() && !detail::uri_is_ipv4(literal);
            if (!v6 && !detail::uri_ipvfuture(literal)) return result<uri_view>(errc::uri_bad_ip_literal, i);
            u.host = literal;
            u.host_kind = uri_host_kind::ip_literal;
            host_end = close + 1;
            if (host_end < end && s[host_end] != ':') return result<uri_view>(errc::uri_bad_character, host_end);
        } else {
            while (host_end < end && s[host_end] != ':') ++host_end;
            u.host = s.substr(i, host_end - i);
            const error e = detail::uri_check_chars(u.host, i, uri_part::reg_name);
            if (e.code != errc::ok) return result<uri_view>(e);
            u.host_kind = detail::uri_is_ipv4(u.host) ? uri_host_kind::ipv4 : uri_host_kind::reg_name;
        }

        if (host_end < end) {
            u.has_port = true;
            u.port = s.substr(host_end + 1, end - host_end - 1);
            for (std::size_t k = 0; k < u.port.size(); ++k)
                if (!detail::is_ascii_digit(u.port[k])) return result<uri_view>(errc::uri_bad_port, host_end + 1 + k);
        }
        i = end;
    }

    std::size_t path_end = i;
    while (path_end < s.size() && s[path_end] != '?' && s[path_end] != '#') ++path_end;
    u.path = s.substr(i, path_end - i);
    {
        const error e = detail::uri_check_chars(u.path, i, uri_part::path);
        if (e.code != errc::ok) return result<uri_view>(e);
    }
    i = path_end;

    if (i < s.size() && s[i] == '?') {
        std::size_t q_end = i + 1;
        while (q_end < s.size() && s[q_end] != '#') ++q_end;
        u.has_query = true;
        u.query = s.substr(i + 1, q_end - i - 1);
        const error e = detail::uri_check_chars(u.query, i + 1, uri_part::query_or_fragment);
        if (e.code != errc::ok) return result<uri_view>(e);
        i = q_end;
    }
    if (i < s.size()) {  // s[i] == '#'
        u.has_fragment = true;
        u.fragment = s.substr(i + 1);
        const error e = detail::uri_check_chars(u.fragment, i + 1, uri_part::query_or_fragment);
        if (e.code != errc::ok) return result<uri_view>(e);
    }
    return u;
}

// The result views the text, so a temporary std::string would dangle; literals and named
// strings still take the string_view (see parse_der_certificate).
template <class String, std::enable_if_t<std::is_same<std::remove_cv_t<String>, std::string>::value, int> = 0>
result<uri_view> parse_uri(String&&) = delete;

SVCID_END_NAMESPACE

#endif
