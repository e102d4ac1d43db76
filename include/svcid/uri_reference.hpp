// svcid/uri_reference.hpp — URI-ID references: a scheme plus a DNS domain.
//
// RFC 6125 §6.5.2 and RFC 9525 §6.5: a URI-ID names an application service by the scheme
// and the host (a DNS domain name) of a URI SAN; the port, path, query and fragment are
// not part of the identity. A URI SAN whose host is an address or absent is no URI-ID.
// Some schemes name their host without an RFC 3986 authority ("sip:voice.example.edu", the
// RFCs' own URI-ID example); uri_id_host() knows where those put it.
#ifndef SVCID_URI_REFERENCE_HPP
#define SVCID_URI_REFERENCE_HPP

#include "config.hpp"
#include "detail/ascii.hpp"
#include "dns_reference.hpp"
#include "result.hpp"
#include "syntax/uri.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

SVCID_BEGIN_NAMESPACE

/// A validated URI-ID reference, e.g. scheme "sip" at domain "example.net".
/// Ownership: inline storage (no heap). The scheme is stored lower case.
class uri_reference {
public:
    /// Longest scheme accepted, in octets.
    static constexpr std::size_t max_scheme_length = 32;

    constexpr uri_reference() noexcept = default;

    /// "sip", lower case.
    constexpr std::string_view scheme() const noexcept { return {scheme_, scheme_length_}; }
    /// The URI host, compared as an exact DNS name (no wildcards: RFC 9525 §6.3 gives them to DNS-IDs only).
    constexpr const dns_reference& domain() const noexcept { return domain_; }

private:
    friend constexpr result<uri_reference> make_uri_reference(std::string_view, std::string_view) noexcept;

    char scheme_[max_scheme_length] = {};
    std::uint8_t scheme_length_ = 0;
    dns_reference domain_;
};

namespace detail {

// The host of a scheme-specific part `[user "@"] host ...`, given as the text after the
// scheme's ':' (after "//authority/" for xmpp). In each grammar an unescaped '@' stands only
// after the user part (RFC 3261 §25.1: not in password, params or headers; RFC 5122 §2.2:
// not in nodeid, resid or query; RFC 5322 §3.4.1 for im/pres), so a second '@', or a user
// part holding a character that ends the user part, makes the URI ambiguous: it names no
// host, rather than one a CA and svcid might read differently.
struct scheme_grammar {
    std::string_view not_in_user;   // characters the user part cannot hold
    std::string_view ends_host;     // characters that end the host
    bool user_required;             // im/pres name a mailbox, never a bare host
    bool port_allowed;              // sip: host[:port]
};

constexpr result<std::string_view> scheme_specific_host(std::string_view text, const scheme_grammar& g) noexcept {
    const std::size_t at = text.find('@');
    if (at != std::string_view::npos) {
        if (text.find('@', at + 1) != std::string_view::npos) return errc::uri_host_not_dns;
        if (at == 0 || text.substr(0, at).find_first_of(g.not_in_user) != std::string_view::npos)
            return errc::uri_host_not_dns;
        text.remove_prefix(at + 1);
    } else if (g.user_required) {
        return errc::uri_host_not_dns;
    }
    const std::size_t host_end = std::min(text.find_first_of(g.ends_host), text.size());
    const std::string_view host = text.substr(0, host_end);
    // An IPv6reference or IPv4address is an address, not a DNS name (RFC 3261 §19.1.1).
    if (host.empty() || host.front() == '[' || uri_is_ipv4(host)) return errc::uri_host_not_dns;
    if (g.port_allowed && host_end < text.size() && text[host_end] == ':') {
        std::size_t i = host_end + 1;
        while (i < text.size() && is_ascii_digit(text[i])) ++i;
        if (i == host_end + 1 || (i < text.size() && text[i] != ';' && text[i] != '?')) return errc::uri_host_not_dns;
    }
    return host;
}

// Schemes whose URIs carry their host without "//" (RFC 3261 §19.1.1 sip and sips,
// RFC 5122 §2.2 xmpp, RFC 3860 §3 im, RFC 3859 §3 pres), so "sip:host" is a URI-ID.
constexpr bool authority_free_scheme(std::string_view scheme) noexcept {
    return iequals(scheme, "sip") || iequals(scheme, "sips") || iequals(scheme, "xmpp") || iequals(scheme, "im") ||
           iequals(scheme, "pres");
}

} // namespace detail

/// The DNS host that makes a parsed URI a URI-ID (RFC 6125 §6.5.2: "the DNS domain name
/// portion of the host component or its equivalent"), or errc::uri_host_not_dns:
///
/// - `sip:`/`sips:` without "//": `[user[:password]@]host[:port][;params][?headers]`
///   (RFC 3261 §19.1.1); with "//" the authority's host, as for any scheme.
/// - `xmpp:`: the server of the addressed JID, `[node@]domain[/resource]` (RFC 5122 §2.2),
///   never the "//" authority, which names the account to log in as, not the peer.
/// - `im:`/`pres:`: the domain of the one mailbox, `local@domain` (RFC 3860 §3, RFC 3859 §3).
/// - any other scheme: the RFC 3986 authority's reg-name; none, an address or an empty
///   host is no URI-ID.
///
/// ```
/// auto u = svcid::parse_uri("sip:alice@voice.example.edu;transport=tls");
/// svcid::uri_id_host(*u);   // "voice.example.edu"
/// ```
/// noexcept; no heap; constexpr.
constexpr result<std::string_view> uri_id_host(const uri_view& uri) noexcept {
    using detail::iequals;
    const bool sip = iequals(uri.scheme, "sip") || iequals(uri.scheme, "sips");
    const bool xmpp = iequals(uri.scheme, "xmpp");
    // The scheme-specific part is the path with what RFC 3986 took for a query or fragment
    // put back, since only the whole of it says where the one '@' stands.
    const char* const begin = uri.path.data();
    const char* end = uri.path.data() + uri.path.size();
    if (uri.has_query) end = uri.query.data() + uri.query.size();
    if (uri.has_fragment) end = uri.fragment.data() + uri.fragment.size();
    std::string_view text(begin, static_cast<std::size_t>(end - begin));
    if (xmpp) {
        if (uri.has_authority) {
            if (text.empty() || text.front() != '/') return errc::uri_host_not_dns;
            text.remove_prefix(1);
        }
        return detail::scheme_specific_host(text, {"/?#", "/?#", false, false});
    }
    if (!uri.has_authority && sip) {
        // SIP URIs have no fragment (RFC 3261 §19.1.1): a '#' leaves the host in doubt.
        if (uri.has_fragment) return errc::uri_host_not_dns;
        return detail::scheme_specific_host(text, {"", ":;?", false, true});
    }
    if (!uri.has_authority && (iequals(uri.scheme, "im") || iequals(uri.scheme, "pres")))
        return detail::scheme_specific_host(text, {"?#", "?#", true, false});
    if (uri.host_kind != uri_host_kind::reg_name || uri.host.empty()) return errc::uri_host_not_dns;
    return uri.host;
}

/// Makes a URI-ID reference from a scheme ("sip") and a DNS domain ("example.net").
/// The scheme follows RFC 3986 §3.1 and is at most 32 octets. noexcept; no heap.
constexpr result<uri_reference> make_uri_reference(std::string_view scheme, std::string_view domain) noexcept {
    if (scheme.empty()) return {errc::uri_scheme_missing};
    if (scheme.size() > uri_reference::max_scheme_length || !detail::is_ascii_alpha(scheme.front()))
        return {errc::uri_bad_scheme};
    for (char c : scheme)
        if (!detail::is_ascii_alnum(c) && c != '+' && c != '-' && c != '.') return {errc::uri_bad_scheme};
    // A URI-ID keeps only scheme and host, so a SPIFFE ID made into one would admit every
    // workload of its trust domain and skip the one-URI-SAN rule of X509-SVIDs.
    if (detail::iequals(scheme, "spiffe")) return {errc::uri_id_is_spiffe_id};
    auto parsed = parse_dns_reference(domain);
    if (!parsed) return parsed.error();
    uri_reference ref;
    for (std::size_t i = 0; i < scheme.size(); ++i) ref.scheme_[i] = detail::to_ascii_lower(scheme[i]);
    ref.scheme_length_ = static_cast<std::uint8_t>(scheme.size());
    ref.domain_ = *parsed;
    return ref;
}

/// Parses a URI and keeps its scheme and host (uri_id_host()) as a URI-ID reference; the
/// rest is dropped: "sips://example.net/", "sip:voice.example.edu" and
/// "xmpp:juliet@example.com" are fine, "urn:..." and "mailto:..." name no host and are
/// refused (errc::uri_host_not_dns).
constexpr result<uri_reference> parse_uri_reference(std::string_view text) noexcept {
    auto uri = parse_uri(text);
    if (!uri) return uri.error();
    auto host = uri_id_host(*uri);
    if (!host) return host.error();
    return make_uri_reference(uri->scheme, *host);
}

/// Compares a presented URI SAN with a URI-ID reference (RFC 6125 §6.5.2): the scheme
/// ASCII case-insensitively, the host (uri_id_host()) as an exact DNS name; a presented URI
/// that does not parse, or has no DNS host, never matches. Wildcards are DNS-ID rules only
/// (RFC 9525 §6.3), so a '*' host never matches. noexcept; no heap; constexpr.
constexpr bool match_uri_id(std::string_view presented, const uri_reference& ref) noexcept {
    if (ref.scheme().empty()) return false;
    auto uri = parse_uri(presented);
    if (!uri || !detail::equals_folded(uri->scheme, ref.scheme())) return false;
    auto host = uri_id_host(*uri);
    return host && detail::equals_folded(detail::strip_trailing_dot(*host), ref.domain().name());
}

SVCID_END_NAMESPACE

#endif
