// svcid/reference.hpp — one reference identity of any type, and lists of them.
//
// Applications often accept a peer under several names (a DNS name and an IP address, a
// SPIFFE ID or a DNS name) or need several to hold at once (pyca/service-identity's
// obligatory and optional identities). `reference` holds any one typed reference by value
// so such lists are plain arrays: no heap, trivially copyable.
#ifndef SVCID_REFERENCE_HPP
#define SVCID_REFERENCE_HPP

#include "config.hpp"
#include "dns_reference.hpp"
#include "email.hpp"
#include "ip_reference.hpp"
#include "match.hpp"
#include "result.hpp"
#include "spiffe_reference.hpp"
#include "srv_reference.hpp"
#include "uri_reference.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

SVCID_BEGIN_NAMESPACE

/// The type of a reference identity, named as RFC 6125 §1.8 names them.
enum class reference_type : std::uint8_t { dns, ip, srv, uri, spiffe, email };

/// Whether a reference must match (obligatory) or must match only when the certificate
/// presents identifiers of its type (optional), as in pyca/service-identity.
enum class requirement : std::uint8_t { obligatory, optional };

/// Any one reference identity, held by value (its own inline storage: no heap), in at
/// most 320 octets so lists of them and per-connection copies stay cheap. Every type is
/// copied inline except a SPIFFE ID longer than spiffe_reference::inline_capacity, which
/// views the caller's buffer (view_spiffe_reference; the caller owns and keeps it).
///
/// ```
/// svcid::reference refs[] = {*svcid::parse_dns_reference("db.internal"),
///                            *svcid::parse_ip_reference("10.0.0.7")};
/// auto r = svcid::match_any(cert, refs);
/// ```
class reference {
public:
    /// An empty DNS reference that matches nothing; exists for result<reference>.
    constexpr reference() noexcept : type_(reference_type::dns), requirement_(requirement::obligatory), dns_() {}
    // One octet for both tags: with alignment-1 members the object is 1 + the largest.
    /// Holds `r`; `q` says whether match_all() requires it.
    constexpr reference(const dns_reference& r, requirement q = requirement::obligatory) noexcept
        : type_(reference_type::dns), requirement_(q), dns_(r) {}
    /// Holds `r`; `q` says whether match_all() requires it.
    constexpr reference(const ip_reference& r, requirement q = requirement::obligatory) noexcept
        : type_(reference_type::ip), requirement_(q), ip_(r) {}
    /// Holds `r`; `q` says whether match_all() requires it.
    constexpr reference(const srv_reference& r, requirement q = requirement::obligatory) noexcept
        : type_(reference_type::srv), requirement_(q), srv_(r) {}
    /// Holds `r`; `q` says whether match_all() requires it.
    constexpr reference(const uri_reference& r, requirement q = requirement::obligatory) noexcept
        : type_(reference_type::uri), requirement_(q), uri_(r) {}
    /// Holds `r`; `q` says whether match_all() requires it.
    constexpr reference(const spiffe_reference& r, requirement q = requirement::obligatory) noexcept
        : type_(reference_type::spiffe), requirement_(q), spiffe_(r) {}
    /// Holds `r`; `q` says whether match_all() requires it.
    constexpr reference(const email_reference& r, requirement q = requirement::obligatory) noexcept
        : type_(reference_type::email), requirement_(q), email_(r) {}

    /// Which reference type this holds.
    constexpr reference_type type() const noexcept { return type_; }
    /// Whether match_all() needs this reference to match (obligatory) or only when its type is presented (optional).
    constexpr svcid::requirement required() const noexcept { return requirement_; }

    /// Calls `f` with the typed reference; returns what `f` returns.
    template <class F>
    constexpr decltype(auto) visit(F&& f) const noexcept {
        switch (type_) {
        case reference_type::ip: return f(ip_);
        case reference_type::srv: return f(srv_);
        case reference_type::uri: return f(uri_);
        case reference_type::spiffe: return f(spiffe_);
        case reference_type::email: return f(email_);
        case reference_type::dns: break;
        }
        return f(dns_);
    }

private:
    reference_type type_ : 7;
    svcid::requirement requirement_ : 1;
    union {
        dns_reference dns_;
        ip_reference ip_;
        srv_reference srv_;
        uri_reference uri_;
        spiffe_reference spiffe_;
        email_reference email_;
    };
};

/// Parses a reference whose type is told by its text, for command lines and configuration
/// files (code that knows the type should call the typed parser):
/// - `spiffe://...` is an exact SPIFFE ID;
/// - another `scheme://host...` is a URI-ID, and so is `sip:`, `sips:`, `xmpp:`, `im:` or
///   `pres:` followed by its host or `user@host` (see uri_id_host());
/// - `local@domain` is an e-mail address;
/// - an IP address is an IP reference (RFC 9525 §6.1: an address is never a DNS name);
/// - anything else is a DNS name. An SRV-ID (`_imap.example.net`) must be asked for with
///   parse_srv_reference(), since `_` labels are also valid DNS names.
constexpr result<reference> parse_reference(std::string_view text) noexcept {
    if (detail::iequals(text.substr(0, 9), "spiffe://")) {
        auto spiffe = make_spiffe_reference(text);
        if (!spiffe) return spiffe.error();
        return reference(*spiffe);
    }
    const std::size_t colon = text.find(':');
    if (text.find("://") != std::string_view::npos ||
        (colon != std::string_view::npos && detail::authority_free_scheme(text.substr(0, colon)))) {
        auto uri = parse_uri_reference(text);
        if (!uri) return uri.error();
        return reference(*uri);
    }
    if (text.find('@') != std::string_view::npos) {
        auto email = parse_email_reference(text);
        if (!email) return email.error();
        return reference(*email);
    }
    if (auto ip = parse_ip_reference(text)) return reference(*ip);
    auto dns = parse_dns_reference(text);
    if (!dns) return dns.error();
    return reference(*dns);
}

namespace detail {
template <class Policy, class Adapter>
struct match_typed {
    const Adapter& certificate;
    template <class Typed>
    constexpr match_result operator()(const Typed& typed) const noexcept {
        return match_one<Policy>(certificate, typed);
    }
};
} // namespace detail

/// Matches one reference of any type; see match() in match.hpp.
template <class Policy = rfc9525, class Adapter>
constexpr match_result match(const Adapter& certificate, const reference& ref) noexcept {
    static_assert(detail::check_adapter<Adapter>(), "");
    static_assert(detail::check_policy<Policy>::value, "");
    return ref.visit(detail::match_typed<Policy, Adapter>{certificate});
}

/// Succeeds when any one of `refs` matches; the result names the first that does
/// (`reference_index`). With no references it fails closed with `no_reference`
/// (mbedTLS CVE-2025-27809). On failure the result is the first reference's.
/// noexcept; no heap.
template <class Policy = rfc9525, class Adapter>
constexpr match_result match_any(const Adapter& certificate, const reference* refs, std::size_t count) noexcept {
    match_result first;
    for (std::size_t i = 0; i < count; ++i) {
        match_result r = match<Policy>(certificate, refs[i]);
        r.reference_index = i;
        if (r.matched()) return r;
        if (i == 0) first = r;
        if (r.status == match_status::san_malformed) return r;
    }
    return first;
}

/// match_any over a built-in array: `svcid::match_any(cert, allowed)`. noexcept; no heap.
template <class Policy = rfc9525, class Adapter, std::size_t N>
constexpr match_result match_any(const Adapter& certificate, const reference (&refs)[N]) noexcept {
    return match_any<Policy>(certificate, refs, N);
}

/// pyca/service-identity's model: every obligatory reference must match; an optional one
/// must match only when the certificate presents identifiers of its type. Stricter than
/// pyca in one way: at least one reference must actually match, so a list of optional
/// references the certificate says nothing about fails (when in doubt, do not match).
/// The result is the first failing reference's, or the last matching one's.
/// noexcept; no heap.
template <class Policy = rfc9525, class Adapter>
constexpr match_result match_all(const Adapter& certificate, const reference* refs, std::size_t count) noexcept {
    match_result last;
    bool any_matched = false;
    for (std::size_t i = 0; i < count; ++i) {
        match_result r = match<Policy>(certificate, refs[i]);
        r.reference_index = i;
        if (r.matched()) {
            any_matched = true;
            last = r;
            continue;
        }
        // Presented means in the SAN: a CN consulted by rfc6125 must not make an optional
        // reference stricter than under rfc9525, which never reads it.
        const bool presented = (r.candidates != 0 && !r.cn_consulted) || r.status == match_status::san_malformed;
        if (refs[i].required() == requirement::obligatory) return r;
        if (presented) {
            if (r.status != match_status::san_malformed) r.status = match_status::optional_not_matched;
            return r;
        }
        if (!any_matched) last = r;
    }
    return last;
}

/// match_all over a built-in array: `svcid::match_all(cert, expected)`. noexcept; no heap.
template <class Policy = rfc9525, class Adapter, std::size_t N>
constexpr match_result match_all(const Adapter& certificate, const reference (&refs)[N]) noexcept {
    return match_all<Policy>(certificate, refs, N);
}

static_assert(sizeof(reference) <= 320, "svcid::reference is copied into per-connection state: keep it small");

SVCID_END_NAMESPACE

#endif
