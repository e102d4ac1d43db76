// svcid/presented.hpp — presented identifiers (what a certificate says about its subject)
// and the contract every certificate adapter fulfils.
//
// RFC 6125 §1.8 / RFC 9525 §2: a *presented identifier* is an identifier in a certificate;
// a *reference identifier* is what the application expects. Adapters turn one certificate
// representation (OpenSSL X509*, raw DER, a test list) into a stream of presented
// identifiers, handed to a visitor one at a time as views: an adapter never builds a
// container, so visiting never allocates.
#ifndef SVCID_PRESENTED_HPP
#define SVCID_PRESENTED_HPP

#include "config.hpp"

#include <cstdint>
#include <string_view>
#include <type_traits>
#include <utility>

SVCID_BEGIN_NAMESPACE

/// The type of one presented identifier: a GeneralName choice of the subjectAltName
/// extension (RFC 5280 §4.2.1.6), a known otherName type, or a subject commonName.
enum class presented_kind : std::uint8_t {
    dns_name,           ///< SAN dNSName [2] IA5String — a DNS-ID (RFC 6125 §1.8)
    ip_address,         ///< SAN iPAddress [7] OCTET STRING, 4 or 16 octets
    uri,                ///< SAN uniformResourceIdentifier [6] IA5String — URI-ID candidate
    rfc822_name,        ///< SAN rfc822Name [1] IA5String — an e-mail address
    srv_name,           ///< SAN otherName id-on-dnsSRV 1.3.6.1.5.5.7.8.7 (RFC 4985) — SRV-ID
    xmpp_addr,          ///< SAN otherName id-on-xmppAddr 1.3.6.1.5.5.7.8.5 (RFC 6120 §13.7.1.4)
    smtp_utf8_mailbox,  ///< SAN otherName id-on-SmtpUTF8Mailbox 1.3.6.1.5.5.7.8.9 (RFC 8398)
    other_name,         ///< SAN otherName of another type; `oid` names it (empty: the otherName does not decode)
    directory_name,     ///< SAN directoryName [4]; value is the Name's DER
    registered_id,      ///< SAN registeredID [8]; value is the OID's content octets
    other_general_name, ///< x400Address [3] or ediPartyName [5]; value is the raw content
    common_name,        ///< subject CN attribute (2.5.4.3) — CN-ID candidate (RFC 6125 §6.4.4)
};

/// A short, stable name for each kind, for diagnostics ("dNSName", "CN", ...).
constexpr const char* kind_name(presented_kind k) noexcept {
    switch (k) {
    case presented_kind::dns_name: return "dNSName";
    case presented_kind::ip_address: return "iPAddress";
    case presented_kind::uri: return "uniformResourceIdentifier";
    case presented_kind::rfc822_name: return "rfc822Name";
    case presented_kind::srv_name: return "SRVName";
    case presented_kind::xmpp_addr: return "XmppAddr";
    case presented_kind::smtp_utf8_mailbox: return "SmtpUTF8Mailbox";
    case presented_kind::other_name: return "otherName";
    case presented_kind::directory_name: return "directoryName";
    case presented_kind::registered_id: return "registeredID";
    case presented_kind::other_general_name: return "x400Address/ediPartyName";
    case presented_kind::common_name: return "CN";
    }
    return "unknown";
}

/// ASN.1 universal string tags that a CN or otherName value may carry (X.680 §8.6).
enum class string_tag : std::uint8_t {
    none = 0,  ///< not a character string (iPAddress octets, DER blobs)
    utf8_string = 12,
    printable_string = 19,
    teletex_string = 20,
    ia5_string = 22,
    universal_string = 28,
    bmp_string = 30,
};

/// One presented identifier, as a view into the certificate's own bytes.
///
/// Ownership: `value` and `oid` point into memory owned by the certificate object the
/// adapter reads (the X509, the DER buffer); they are valid for as long as that object is
/// alive and unmodified. `value` is the raw content octets, never NUL-terminated, never
/// decoded: a dNSName with an embedded NUL arrives with that NUL, so the matcher sees it.
struct presented_id {
    /// Which kind of presented identifier this is (dNSName, iPAddress, ...).
    presented_kind kind = presented_kind::dns_name;
    string_tag tag = string_tag::none;  ///< string type of a CN or otherName value
    std::string_view value;             ///< content octets
    std::string_view oid;               ///< otherName type-id content octets; empty otherwise
};

/// What the adapter found of the subjectAltName extension (RFC 5280 §4.2.1.6).
enum class san_state : std::uint8_t {
    absent,     ///< the certificate has no subjectAltName extension
    present,    ///< present and every GeneralName's framing parsed
    malformed,  ///< present but its DER framing does not parse (or it appears twice)
};

/// Visitors return `visit::stop` to end the walk early (a match was found) or
/// `visit::next` to see the next identifier.
enum class visit : std::uint8_t { next, stop };

/// The adapter contract. A type `A` is a certificate adapter when, for a visitor `v`
/// callable as `visit v(const presented_id&) noexcept`:
///
///   san_state A::visit_subject_alt_names(v) const noexcept;
///       Calls v once per GeneralName of the subjectAltName extension, in certificate
///       order, until v returns visit::stop. A single GeneralName whose *content* is
///       malformed (an otherName whose value does not decode) is still delivered with
///       its raw bytes, or skipped — never turned into another kind. Returns the SAN's
///       state; `malformed` when the extension's framing fails anywhere, even after a
///       stop (the adapter keeps checking the framing of the remaining elements).
///
///   bool A::visit_common_names(v) const noexcept;
///       Calls v once per subject CN attribute, in the order they appear in the subject
///       (the last is the most specific, RFC 6125 §6.4.4), with `tag` set. Returns false
///       when the subject's DER cannot be read.
///
/// A policy with the leaf profile (svcid::web_pki) needs two more facts, and refuses
/// (match_status::leaf_facts_unknown) with an adapter that cannot give them:
///
///   bool A::subject_is_empty() const noexcept;   // the subject Name is an empty SEQUENCE
///   bool A::san_is_critical() const noexcept;    // the subjectAltName is marked critical
///
/// `svcid::example_adapter` below is the exemplar; tests/support/list_adapter.hpp is a
/// complete one over a plain list.
struct example_adapter {
    /// Calls `v` with each subjectAltName entry; says whether the SAN was absent, present or malformed.
    template <class Visitor>
    constexpr san_state visit_subject_alt_names(Visitor&& v) const noexcept {
        presented_id id{presented_kind::dns_name, string_tag::ia5_string, "www.example.com", {}};
        (void)v(id);
        return san_state::present;
    }
    /// Calls `v` with each subject CN, in order; false when the subject does not parse.
    template <class Visitor>
    constexpr bool visit_common_names(Visitor&& v) const noexcept {
        presented_id id{presented_kind::common_name, string_tag::utf8_string, "www.example.com", {}};
        (void)v(id);
        return true;
    }
    /// Whether the subject Name is empty (RFC 5280 §4.1.2.6).
    constexpr bool subject_is_empty() const noexcept { return false; }
    /// Whether the subjectAltName extension is marked critical (RFC 5280 §4.2.1.6).
    constexpr bool san_is_critical() const noexcept { return false; }
};

namespace detail {
struct probe_visitor {
    visit operator()(const presented_id&) const noexcept { return visit::next; }
};

template <class A, class = void>
struct has_visit_san : std::false_type {};
template <class A>
struct has_visit_san<A, std::enable_if_t<std::is_same<
    decltype(std::declval<const A&>().visit_subject_alt_names(std::declval<probe_visitor&>())), san_state>::value>>
    : std::true_type {};

template <class A, class = void>
struct has_visit_cn : std::false_type {};
template <class A>
struct has_visit_cn<A, std::enable_if_t<std::is_same<
    decltype(std::declval<const A&>().visit_common_names(std::declval<probe_visitor&>())), bool>::value>>
    : std::true_type {};

template <class A, class = void>
struct has_leaf_facts : std::false_type {};
template <class A>
struct has_leaf_facts<A, std::enable_if_t<std::is_same<decltype(std::declval<const A&>().subject_is_empty()), bool>::value &&
                                          std::is_same<decltype(std::declval<const A&>().san_is_critical()), bool>::value>>
    : std::true_type {};

template <class A>
constexpr bool check_adapter() noexcept {
    static_assert(has_visit_san<A>::value,
                  "svcid: a certificate adapter needs `template <class V> san_state "
                  "visit_subject_alt_names(V&&) const noexcept` (see svcid/presented.hpp)");
    static_assert(has_visit_cn<A>::value,
                  "svcid: a certificate adapter needs `template <class V> bool "
                  "visit_common_names(V&&) const noexcept` (see svcid/presented.hpp)");
    return has_visit_san<A>::value && has_visit_cn<A>::value;
}
} // namespace detail

/// True when A fulfils the adapter contract above.
template <class A>
constexpr bool is_certificate_adapter_v = detail::has_visit_san<A>::value && detail::has_visit_cn<A>::value;

#if defined(__cpp_concepts) && __cpp_concepts >= 201907L
/// The adapter contract as a C++20 concept: `template <svcid::certificate_adapter A>`.
template <class A>
concept certificate_adapter = is_certificate_adapter_v<A>;
#endif

SVCID_END_NAMESPACE

#endif
