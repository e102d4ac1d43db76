// svcid/uri_reference.hpp — URI-ID references: a scheme plus a DNS domain.
//
// RFC 6125 §6.5.2 and RFC 9525 §6.5: a URI-ID names an application service by the scheme
// and the host (a DNS domain name) of a URI SAN; the port, path, query and fragment are
// not part of the identity. A URI SAN whose host is an address or absent is no URI-ID.
#ifndef SVCID_URI_REFERENCE_HPP
#define SVCID_URI_REFERENCE_HPP

#include "config.hpp"
#include "detail/ascii.hpp"
#include "dns_reference.hpp"
#include "result.hpp"
#include "syntax/uri.hpp"

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

/// Parses a URI ("sip:example.net" has no authority and is refused; "sips://example.net/"
/// is fine) and keeps its scheme and host as a URI-ID reference; the rest is dropped.
constexpr result<uri_reference> parse_uri_reference(std::string_view text) noexcept {
    auto uri = parse_uri(text);
    if (!uri) return uri.error();
    if (uri->host_kind != uri_host_kind::reg_name || uri->host.empty()) return {errc::uri_host_not_dns};
    return make_uri_reference(uri->scheme, uri->host);
}

/// Compares a presented URI SAN with a URI-ID reference (RFC 6125 §6.5.2): the scheme
/// ASCII case-insensitively, the host as an exact DNS name; a presented URI that does not
/// parse, or whose host is an address or absent, never matches. Wildcards are DNS-ID rules
/// only (RFC 9525 §6.3), so a '*' host never matches. noexcept; no heap; constexpr.
constexpr bool match_uri_id(std::string_view presented, const uri_reference& ref) noexcept {
    if (ref.scheme().empty()) return false;
    auto uri = parse_uri(presented);
    if (!uri || uri->host_kind != uri_host_kind::reg_name) return false;
    if (!detail::equals_folded(uri->scheme, ref.scheme())) return false;
    return detail::equals_folded(detail::strip_trailing_dot(uri->host), ref.domain().name());
}

SVCID_END_NAMESPACE

#endif
