// svcid/spiffe.hpp — SPIFFE IDs (spiffe://trust-domain/path) as reference identities for
// mutual TLS, and the three ways a workload is usually authorised by one: the exact ID,
// any ID of a trust domain, or any ID under a path prefix.
//
// Implements the SPIFFE ID specification (github.com/spiffe/spiffe, standards/SPIFFE-ID.md)
// §2 (scheme, trust domain, path) and §2.3 (maximum lengths). An X.509-SVID carries its ID
// as the one URI SAN (X509-SVID.md §2); the matchers here take that SAN's bytes.
#ifndef SVCID_SPIFFE_HPP
#define SVCID_SPIFFE_HPP

#include "../config.hpp"
#include "../error.hpp"
#include "../result.hpp"

#include <cstddef>
#include <string_view>

SVCID_BEGIN_NAMESPACE

/// A validated SPIFFE ID, as views into the parsed string.
///
/// Ownership: `trust_domain()` and `path()` point into the string given to
/// parse_spiffe_id(); the caller keeps it alive and unchanged while the spiffe_id is used
/// (a string literal or a configuration string that outlives the TLS context). Trivially
/// copyable; no allocation.
///
/// ```
/// constexpr auto id = svcid::parse_spiffe_id("spiffe://prod.example/ns/payments/sa/api");
/// static_assert(id->trust_domain() == "prod.example" && id->path() == "/ns/payments/sa/api");
/// ```
class spiffe_id {
public:
    static constexpr std::size_t max_len = 2048;              ///< SPIFFE ID §2.3
    static constexpr std::size_t max_trust_domain_len = 255;  ///< SPIFFE ID §2.3

    constexpr spiffe_id() noexcept = default;

    /// "prod.example": lowercase by construction, so comparisons are byte comparisons.
    constexpr std::string_view trust_domain() const noexcept { return trust_domain_; }
    /// "" or "/seg/seg...": never a trailing '/', never an empty, "." or ".." segment.
    constexpr std::string_view path() const noexcept { return path_; }

    /// Same trust domain and same path (SPIFFE ID §2: IDs compare as strings once valid).
    friend constexpr bool operator==(const spiffe_id& a, const spiffe_id& b) noexcept {
        return a.trust_domain_ == b.trust_domain_ && a.path_ == b.path_;
    }
    /// Not equal: the negation of operator==.
    friend constexpr bool operator!=(const spiffe_id& a, const spiffe_id& b) noexcept { return !(a == b); }

private:
    friend constexpr result<spiffe_id> parse_spiffe_id(std::string_view) noexcept;
    std::string_view trust_domain_;
    std::string_view path_;
};

namespace detail {
constexpr bool spiffe_td_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
}
constexpr bool spiffe_path_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
           c == '_';
}
} // namespace detail

/// Parses and validates a SPIFFE ID. No allocation, never throws, constexpr.
///
/// Rules (SPIFFE ID §2): scheme exactly "spiffe" followed by "//" (the spec's libraries
/// compare it case-sensitively, so "SPIFFE://" is refused rather than guessed at); trust
/// domain of 1-255 bytes of a-z, 0-9, '.', '-', '_' (§2.1: no upper case, so IDs compare
/// as bytes); no user info, port, query or fragment; path segments of a-z, A-Z, 0-9, '.',
/// '-', '_' (§2.2: no percent-encoding), none empty, "." or "..", and no trailing '/';
/// at most 2048 bytes in all (§2.3).
///
/// ```
/// auto bad = svcid::parse_spiffe_id("spiffe://example.org/a//b");  // errc::spiffe_bad_path, offset 22
/// ```
constexpr result<spiffe_id> parse_spiffe_id(std::string_view s) noexcept {
    constexpr std::string_view prefix = "spiffe://";
    if (s.size() > spiffe_id::max_len) return result<spiffe_id>(errc::spiffe_id_too_long, spiffe_id::max_len);
    if (s.substr(0, prefix.size()) != prefix) return result<spiffe_id>(errc::bad_spiffe_id, 0);

    std::size_t i = prefix.size();
    const std::size_t td_start = i;
    while (i < s.size() && s[i] != '/') {
        const char c = s[i];
        if (c == '@' || c == ':' || c == '?' || c == '#') return result<spiffe_id>(errc::spiffe_forbidden_component, i);
        if (!detail::spiffe_td_char(c)) return result<spiffe_id>(errc::spiffe_bad_trust_domain, i);
        ++i;
    }
    if (i == td_start) return result<spiffe_id>(errc::spiffe_bad_trust_domain, i);
    if (i - td_start > spiffe_id::max_trust_domain_len)
        return result<spiffe_id>(errc::spiffe_trust_domain_too_long, td_start + spiffe_id::max_trust_domain_len);

    spiffe_id id;
    id.trust_domain_ = s.substr(td_start, i - td_start);
    id.path_ = s.substr(i);
    while (i < s.size()) {
        const std::size_t seg = ++i;  // skip the '/'
        while (i < s.size() && s[i] != '/') {
            const char c = s[i];
            if (c == '?' || c == '#') return result<spiffe_id>(errc::spiffe_forbidden_component, i);
            if (!detail::spiffe_path_char(c)) return result<spiffe_id>(errc::spiffe_bad_path, i);
            ++i;
        }
        const std::string_view segment = s.substr(seg, i - seg);
        if (segment.empty() || segment == "." || segment == "..") return result<spiffe_id>(errc::spiffe_bad_path, seg);
    }
    return id;
}

/// Does a presented URI SAN name exactly this workload? The presented bytes must themselves
/// be a valid SPIFFE ID (anything else never matches) with the same trust domain and path.
constexpr bool match_spiffe_id(std::string_view presented_uri, const spiffe_id& ref) noexcept {
    const auto p = parse_spiffe_id(presented_uri);
    return p && *p == ref;
}

/// Does a presented URI SAN name any workload of `trust_domain` ("prod.example", as
/// returned by spiffe_id::trust_domain())? The presented bytes must be a valid SPIFFE ID.
constexpr bool match_spiffe_trust_domain(std::string_view presented_uri, std::string_view trust_domain) noexcept {
    const auto p = parse_spiffe_id(presented_uri);
    return p && p->trust_domain() == trust_domain;
}

/// Does a presented URI SAN name `prefix` or a workload below it, on segment boundaries?
/// With prefix "spiffe://td/ns/prod": "/ns/prod" and "/ns/prod/x" match, "/ns/production"
/// does not. A prefix with an empty path matches the whole trust domain.
constexpr bool match_spiffe_path_prefix(std::string_view presented_uri, const spiffe_id& prefix) noexcept {
    const auto p = parse_spiffe_id(presented_uri);
    if (!p || p->trust_domain() != prefix.trust_domain()) return false;
    const std::string_view path = p->path(), want = prefix.path();
    if (path.substr(0, want.size()) != want) return false;
    return path.size() == want.size() || path[want.size()] == '/';
}

SVCID_END_NAMESPACE

#endif
