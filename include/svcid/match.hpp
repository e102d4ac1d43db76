// svcid/match.hpp — is a certificate valid for a reference identity?
//
// The matcher walks the presented identifiers an adapter (presented.hpp) delivers and
// compares each of the right type with the reference, under a policy (policy.hpp). It
// answers with a match_result: matched or not, which presented identifier matched, and
// on failure the reason. Nothing here allocates or throws; a mismatch is an answer, not an
// error.
#ifndef SVCID_MATCH_HPP
#define SVCID_MATCH_HPP

#include "config.hpp"
#include "syntax/der.hpp"
#include "detail/ascii.hpp"
#include "detail/writer.hpp"
#include "dns_id.hpp"
#include "dns_reference.hpp"
#include "email.hpp"
#include "ip_reference.hpp"
#include "policy.hpp"
#include "presented.hpp"
#include "spiffe_reference.hpp"
#include "srv_reference.hpp"
#include "uri_reference.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

SVCID_BEGIN_NAMESPACE

/// The answer of a match.
enum class match_status : std::uint8_t {
    matched,
    no_identifier_of_type,   ///< the certificate presents no identifier of the reference's type
    no_match,                ///< it presents some; none names the reference
    san_malformed,           ///< the subjectAltName extension does not parse: no match, no CN fallback
    cn_not_consulted,        ///< no SAN identifier of the type; the policy never consults the CN
    cn_not_permitted,        ///< the policy would consult the CN, but a DNS-, SRV-, URI-ID or IP SAN forbids it
    multiple_cn_refused,     ///< the policy refuses subjects with several CNs
    subject_malformed,       ///< the subject Name does not parse, so its CN cannot be read
    no_reference,            ///< no reference identity was given: fail closed (CVE-2025-27809)
    optional_not_matched,    ///< match_all: an optional reference's type is presented but did not match
    not_an_svid,             ///< a SPIFFE reference, and the certificate has more than one URI SAN (X509-SVID §2)
    // The leaf profile's refusals (svcid::web_pki); with the first two, `presented` is the
    // offending identifier.
    dns_name_not_preferred,  ///< a dNSName outside the preferred name syntax (RFC 5280 §4.2.1.6, RFC 1034 §3.5)
    cn_not_in_san,           ///< a subject CN that copies no SAN entry exactly (CA/B Forum BR 7.1.4.3)
    critical_san_with_subject,           ///< a critical subjectAltName and a subject (CA/B Forum BR 7.1.2.7.12)
    empty_subject_without_critical_san,  ///< an empty subject without a critical subjectAltName (RFC 5280 §4.2.1.6)
    leaf_facts_unknown,      ///< the adapter cannot say whether the subject is empty or the SAN critical
};

/// A sentence a user can act on for each status, naming the RFC rule where one applies.
/// noexcept; static strings, no heap.
constexpr const char* status_message(match_status s) noexcept {
    switch (s) {
    case match_status::matched: return "matched";
    case match_status::no_identifier_of_type: return "the certificate presents no identifier of this type";
    case match_status::no_match: return "no presented identifier matches";
    case match_status::san_malformed: return "the subjectAltName extension is malformed, so nothing is matched";
    case match_status::cn_not_consulted: return "the certificate has no DNS-ID and this policy never consults the subject CN (RFC 9525 §6.3)";
    case match_status::cn_not_permitted: return "the subject CN is not consulted because the certificate has DNS-, SRV-, URI-ID or iPAddress SANs (RFC 6125 §6.4.4)";
    case match_status::multiple_cn_refused: return "the subject has more than one CN and the policy refuses that";
    case match_status::subject_malformed: return "the subject name is malformed, so its CN cannot be read";
    case match_status::no_reference: return "no reference identity was configured: refusing to accept any peer";
    case match_status::optional_not_matched: return "the certificate presents identifiers of an optional reference's type, and none matches";
    case match_status::not_an_svid: return "the certificate has more than one URI SAN, so it is no X509-SVID (X509-SVID §2)";
    case match_status::dns_name_not_preferred: return "a dNSName is not in the preferred name syntax of letters, digits and hyphens (RFC 5280 §4.2.1.6, RFC 1034 §3.5)";
    case match_status::cn_not_in_san: return "the subject CN is not a character-for-character copy of a dNSName or iPAddress SAN (CA/B Forum BR 7.1.4.3)";
    case match_status::critical_san_with_subject: return "the subjectAltName is critical although the subject is not empty (CA/B Forum BR 7.1.2.7.12)";
    case match_status::empty_subject_without_critical_san: return "the subject is empty and the subjectAltName is absent or not critical (RFC 5280 §4.1.2.6, §4.2.1.6)";
    case match_status::leaf_facts_unknown: return "the certificate adapter cannot say whether the subject is empty or the subjectAltName critical, so the leaf profile refuses";
    }
    return "unknown";
}

/// The outcome of matching one certificate against one reference (or a list of them).
///
/// `presented` views into the certificate's bytes: valid while the certificate is.
struct match_result {
    /// Why the match succeeded or failed.
    match_status status = match_status::no_reference;
    presented_id presented{};          ///< the identifier that matched, or the one a leaf profile rule refused
    std::size_t reference_index = 0;   ///< with lists: the reference this status is about
    san_state san = san_state::absent; ///< what the adapter found of the SAN extension
    std::size_t candidates = 0;        ///< presented identifiers of the reference's type compared
    bool cn_consulted = false;         ///< the subject's last CN was compared (CN-ID fallback)

    /// True when the certificate names the reference.
    constexpr bool matched() const noexcept { return status == match_status::matched; }
    /// True when there is a value (or a match).
    constexpr explicit operator bool() const noexcept { return matched(); }
};

namespace detail {
/// Writes presented iPAddress octets as an address, or as cut hex when they are no address.
constexpr void put_ip_octets(std::string_view octets, bounded_writer& out) noexcept {
    char text[ip_reference::max_text_len] = {};
    const std::size_t wanted = format_ip_octets(octets, text, sizeof text);
    out.put(std::string_view(text, wanted < sizeof text ? wanted : sizeof text));
    if (wanted > sizeof text) out.put("...");
}
} // namespace detail

/// How a reference type meets presented identifiers. Specialised for each reference type;
/// `kinds` says which presented kinds are compared with it, `matches` compares one.
template <class Reference>
struct reference_traits;

/// Each specialisation has: `type_name` (RFC 6125 term), `considers(kind)`,
/// `may_fall_back_to_cn`, `single_candidate` (all candidates are counted and more than one
/// fails), `matches<Policy>(ref, id)` (hot path), and for explanations `write(ref, writer)`
/// and `why<Policy>(ref, id)`, a phrase saying why one candidate did not match.
struct reference_traits_base {
    /// Whether the subject CN may stand in when no SAN of this type exists (as the policy allows).
    static constexpr bool may_fall_back_to_cn = false;
    /// Whether more than one candidate SAN refuses the certificate (X509-SVID §2).
    static constexpr bool single_candidate = false;
};

/// DNS-IDs (RFC 9525 §6.3, RFC 6125 §6.4): dNSName SANs; the CN only as the policy allows.
template <>
struct reference_traits<dns_reference> : reference_traits_base {
    /// How explanations name this reference type.
    static constexpr const char* type_name = "DNS-ID";
    /// Whether a presented identifier of kind `k` is of this reference type.
    static constexpr bool considers(presented_kind k) noexcept { return k == presented_kind::dns_name; }
    /// Whether the subject CN may stand in when no SAN of this type exists (as the policy allows).
    static constexpr bool may_fall_back_to_cn = true;
    /// Whether `id` names `ref` under `Policy`.
    template <class Policy>
    SVCID_HOT_INLINE static constexpr bool matches(const dns_reference& ref, const presented_id& id) noexcept {
        return match_dns_id<Policy>(id.value, ref);
    }
    /// Writes `ref` for an explanation.
    static constexpr void write(const dns_reference& ref, detail::bounded_writer& out) noexcept {
        out.put_quoted(ref.name());
        // parse_dns_reference never yields an empty name; a default-constructed reference does,
        // e.g. `*parse_reference(bad)` in an NDEBUG build, where the parse error was lost.
        if (ref.name().empty()) out.put(" (empty: no name was parsed; was an error result dereferenced?)");
    }
    /// Why `id` does not name `ref`, for an explanation.
    template <class Policy>
    static constexpr const char* why(const dns_reference& ref, const presented_id& id) noexcept {
        return verdict_message(check_dns_id<Policy>(id.value, ref));
    }
};

/// IP-IDs (RFC 9525 §6.4): octet equality with iPAddress SANs only. Never a DNS-ID or CN,
/// never a wildcard (curl CVE-2014-0139), so no CN fallback.
template <>
struct reference_traits<ip_reference> : reference_traits_base {
    /// How explanations name this reference type.
    static constexpr const char* type_name = "IP-ID";
    /// Whether a presented identifier of kind `k` is of this reference type.
    static constexpr bool considers(presented_kind k) noexcept { return k == presented_kind::ip_address; }
    /// Whether `id` names `ref` under `Policy`.
    template <class Policy>
    SVCID_HOT_INLINE static constexpr bool matches(const ip_reference& ref, const presented_id& id) noexcept {
        return match_ip_address(id.value, ref, Policy::ipv4_mapped_equal);
    }
    /// Writes `ref` for an explanation.
    static constexpr void write(const ip_reference& ref, detail::bounded_writer& out) noexcept {
        detail::put_ip_octets(ref.octets(), out);
    }
    /// Why `id` does not name `ref`, for an explanation.
    template <class Policy>
    static constexpr const char* why(const ip_reference& ref, const presented_id& id) noexcept {
        if (id.value.size() != 4 && id.value.size() != 16) return "is not 4 or 16 octets long, so it is no address";
        if (match_ip_address(id.value, ref, true))
            return "is the same address in the other family (IPv4-mapped IPv6); this policy keeps them apart";
        return "is another address";
    }
};

/// SRV-IDs (RFC 6125 §6.5.1, RFC 4985): SRVName otherNames only.
template <>
struct reference_traits<srv_reference> : reference_traits_base {
    /// How explanations name this reference type.
    static constexpr const char* type_name = "SRV-ID";
    /// Whether a presented identifier of kind `k` is of this reference type.
    static constexpr bool considers(presented_kind k) noexcept { return k == presented_kind::srv_name; }
    /// Whether `id` names `ref` under `Policy`.
    template <class Policy>
    SVCID_HOT_INLINE static constexpr bool matches(const srv_reference& ref, const presented_id& id) noexcept {
        return match_srv_id(id.value, ref);
    }
    /// Writes `ref` for an explanation.
    static constexpr void write(const srv_reference& ref, detail::bounded_writer& out) noexcept {
        out.put("\"_");
        out.put(ref.service());
        out.put(".");
        out.put(ref.domain().name());
        out.put("\"");
    }
    /// Why `id` does not name `ref`, for an explanation.
    template <class Policy>
    static constexpr const char* why(const srv_reference&, const presented_id&) noexcept {
        return "names another service or domain (no wildcards in SRV-IDs: RFC 4985 §2 names a domain, not a pattern)";
    }
};

/// URI-IDs (RFC 6125 §6.5.2): URI SANs with a DNS host; never a DNS-ID (Node CVE-2021-44531).
template <>
struct reference_traits<uri_reference> : reference_traits_base {
    /// How explanations name this reference type.
    static constexpr const char* type_name = "URI-ID";
    /// Whether a presented identifier of kind `k` is of this reference type.
    static constexpr bool considers(presented_kind k) noexcept { return k == presented_kind::uri; }
    /// Whether `id` names `ref` under `Policy`.
    template <class Policy>
    SVCID_HOT_INLINE static constexpr bool matches(const uri_reference& ref, const presented_id& id) noexcept {
        return match_uri_id(id.value, ref);
    }
    /// Writes `ref` for an explanation.
    static constexpr void write(const uri_reference& ref, detail::bounded_writer& out) noexcept {
        out.put("\"");
        out.put(ref.scheme());
        // As the scheme writes its URIs: "sip:host" (RFC 3261 §19.1.1), "https://host".
        out.put(detail::authority_free_scheme(ref.scheme()) ? ":" : "://");
        out.put(ref.domain().name());
        out.put("\"");
    }
    /// Why `id` does not name `ref`, for an explanation.
    template <class Policy>
    static constexpr const char* why(const uri_reference&, const presented_id& id) noexcept {
        auto uri = parse_uri(id.value);
        if (!uri) return "is not a URI (RFC 3986)";
        if (!uri_id_host(*uri))
            return "has no DNS host (an address, no authority, or a scheme-specific part with no single host), so it is no URI-ID";
        return "names another scheme or host";
    }
};

/// SPIFFE IDs: the one URI SAN of an X509-SVID.
template <>
struct reference_traits<spiffe_reference> : reference_traits_base {
    /// How explanations name this reference type.
    static constexpr const char* type_name = "SPIFFE-ID";
    /// Whether a presented identifier of kind `k` is of this reference type.
    static constexpr bool considers(presented_kind k) noexcept { return k == presented_kind::uri; }
    /// Whether more than one candidate SAN refuses the certificate (X509-SVID §2).
    static constexpr bool single_candidate = true;
    /// Whether `id` names `ref` under `Policy`.
    template <class Policy>
    SVCID_HOT_INLINE static constexpr bool matches(const spiffe_reference& ref, const presented_id& id) noexcept {
        return match_spiffe(id.value, ref);
    }
    /// Writes `ref` for an explanation.
    static constexpr void write(const spiffe_reference& ref, detail::bounded_writer& out) noexcept {
        out.put_quoted(ref.text());
        switch (ref.mode()) {
        case spiffe_match::trust_domain: out.put(" (any workload of the trust domain)"); break;
        case spiffe_match::path_prefix: out.put(" (and the workloads below it)"); break;
        case spiffe_match::exact: break;
        }
    }
    /// Why `id` does not name `ref`, for an explanation.
    template <class Policy>
    static constexpr const char* why(const spiffe_reference&, const presented_id& id) noexcept {
        if (!parse_spiffe_id(id.value)) return "is not a valid SPIFFE ID (SPIFFE ID §2)";
        return "is another SPIFFE ID";
    }
};

/// E-mail addresses (RFC 5280 §4.2.1.6, RFC 8398): rfc822Name and SmtpUTF8Mailbox.
template <>
struct reference_traits<email_reference> : reference_traits_base {
    /// How explanations name this reference type.
    static constexpr const char* type_name = "e-mail";
    /// Whether a presented identifier of kind `k` is of this reference type.
    static constexpr bool considers(presented_kind k) noexcept {
        return k == presented_kind::rfc822_name || k == presented_kind::smtp_utf8_mailbox;
    }
    /// Whether `id` names `ref` under `Policy`.
    template <class Policy>
    SVCID_HOT_INLINE static constexpr bool matches(const email_reference& ref, const presented_id& id) noexcept {
        return match_email(id.value, ref);
    }
    /// Writes `ref` for an explanation.
    static constexpr void write(const email_reference& ref, detail::bounded_writer& out) noexcept {
        out.put("\"");
        out.put(ref.local_part());
        out.put("@");
        out.put(ref.domain());
        out.put("\"");
    }
    /// Why `id` does not name `ref`, for an explanation.
    template <class Policy>
    static constexpr const char* why(const email_reference&, const presented_id&) noexcept {
        return "is another mailbox (local part exact, domain case-insensitive)";
    }
};

namespace detail {

/// RFC 6125 §6.4.4: the CN is a last resort only when the certificate presents no
/// identifier of any of these types (an iPAddress SAN blocks it too, as in mozilla-pkix
/// and GnuTLS: a certificate naming an address does not name a host through its CN).
constexpr bool blocks_cn_fallback(const presented_id& id) noexcept {
    switch (id.kind) {
    case presented_kind::dns_name:
    case presented_kind::srv_name:
    case presented_kind::uri:
    case presented_kind::ip_address: return true;
    // An SRVName of the wrong string type, or an otherName whose type cannot be read (it may
    // be an SRVName): when in doubt, the CN stays out.
    case presented_kind::other_name: return id.oid.empty() || id.oid == oid::on_dns_srv;
    default: return false;
    }
}

/// Only character strings that are ASCII-compatible byte for byte can be DNS names;
/// BMPString and UniversalString CNs would need transcoding and are not consulted.
constexpr bool cn_string_is_bytes(string_tag t) noexcept {
    return t == string_tag::utf8_string || t == string_tag::printable_string || t == string_tag::ia5_string ||
           t == string_tag::teletex_string;
}

template <class Policy, class Reference>
struct san_visitor {
    const Reference& reference;
    match_result& out;
    bool cn_blocked = false;
    bool found = false;

    SVCID_HOT_INLINE constexpr visit operator()(const presented_id& id) noexcept {
        // Only a reference that may fall back to the CN, under a policy that does, needs to
        // know; the test costs a little on every name of every other match.
        if (reference_traits<Reference>::may_fall_back_to_cn && Policy::cn_fallback)
            cn_blocked = cn_blocked || blocks_cn_fallback(id);
        if (!reference_traits<Reference>::considers(id.kind)) return visit::next;
        ++out.candidates;
        // Only a single-candidate type is visited after its match (to count the rest).
        if ((reference_traits<Reference>::single_candidate && found) ||
            !reference_traits<Reference>::template matches<Policy>(reference, id))
            return visit::next;
        out.presented = id;
        found = true;
        return reference_traits<Reference>::single_candidate ? visit::next : visit::stop;
    }
};

struct last_cn_visitor {
    presented_id last{};
    std::size_t count = 0;
    constexpr visit operator()(const presented_id& id) noexcept {
        last = id;
        ++count;
        return visit::next;
    }
};

/// RFC 1034 §3.5 as RFC 1123 §2.1 relaxes it (a label may start with a digit): labels of
/// letters, digits and inner hyphens, at most 63 octets, at most 253 in all (RFC 1034 §3.1's
/// 255 on the wire), no empty label, so no trailing dot. A whole `*` left-most label is the
/// BRs' Wildcard Domain Name (BR 1.6.1), which the matcher judges on its own.
constexpr bool is_preferred_dns_name(std::string_view name) noexcept {
    if (name.size() >= 2 && name[0] == '*' && name[1] == '.') name.remove_prefix(2);
    if (name.empty() || name.size() > 253) return false;
    std::size_t label = 0;
    for (std::size_t i = 0; i <= name.size(); ++i) {
        const bool end = i == name.size() || name[i] == '.';
        if (end) {
            if (label == 0 || label > 63 || name[i - 1] == '-') return false;
            label = 0;
            continue;
        }
        const char c = name[i];
        if (!is_ascii_alnum(c) && !(c == '-' && label != 0)) return false;
        ++label;
    }
    return true;
}

/// BR 7.1.4.3: the CN is the dNSName byte for byte, or the iPAddress in its one text form
/// (RFC 3986 §3.2.2 dotted decimal; RFC 5952 §4 for IPv6, lower-case and compressed), which
/// is the form format_ip_octets writes.
constexpr bool cn_copies(const presented_id& cn, const presented_id& san) noexcept {
    if (san.kind == presented_kind::dns_name) return cn.value == san.value;
    if (san.kind != presented_kind::ip_address || (san.value.size() != 4 && san.value.size() != 16)) return false;
    char text[ip_reference::max_text_len] = {};
    const std::size_t n = format_ip_octets(san.value, text, sizeof text);
    return n <= sizeof text && cn.value == std::string_view(text, n);
}

template <class Adapter>
struct cn_in_san_visitor {
    const Adapter& certificate;
    presented_id refused{};
    bool any_refused = false;

    struct copy_finder {
        const presented_id& cn;
        bool found = false;
        constexpr visit operator()(const presented_id& san) noexcept {
            found = cn_copies(cn, san);
            return found ? visit::stop : visit::next;
        }
    };

    constexpr visit operator()(const presented_id& cn) noexcept {
        copy_finder finder{cn};
        // A CN in a string type that is not byte-compatible copies nothing.
        if (cn_string_is_bytes(cn.tag)) certificate.visit_subject_alt_names(finder);
        if (finder.found) return visit::next;
        refused = cn;
        any_refused = true;
        return visit::stop;
    }
};

struct preferred_syntax_visitor {
    presented_id refused{};
    bool any_refused = false;
    constexpr visit operator()(const presented_id& id) noexcept {
        if (id.kind != presented_kind::dns_name || is_preferred_dns_name(id.value)) return visit::next;
        refused = id;
        any_refused = true;
        return visit::stop;
    }
};

/// The leaf profile of svcid::web_pki: match_status::matched when the leaf keeps every rule,
/// otherwise the first rule it breaks, with the offending identifier in `out.presented`.
/// Runs only under a policy with leaf_profile, so other policies pay nothing for it.
template <class Adapter>
constexpr match_status check_leaf_profile(const Adapter& certificate, match_result& out) noexcept {
    if constexpr (!has_leaf_facts<Adapter>::value) {
        (void)certificate;
        (void)out;
        return match_status::leaf_facts_unknown;
    } else {
        preferred_syntax_visitor syntax;
        const san_state san = certificate.visit_subject_alt_names(syntax);
        out.san = san;
        if (san == san_state::malformed) return match_status::san_malformed;
        if (syntax.any_refused) {
            out.presented = syntax.refused;
            return match_status::dns_name_not_preferred;
        }
        const bool critical = san == san_state::present && certificate.san_is_critical();
        if (certificate.subject_is_empty()) return critical ? match_status::matched : match_status::empty_subject_without_critical_san;
        if (critical) return match_status::critical_san_with_subject;
        cn_in_san_visitor<Adapter> cns{certificate};
        if (!certificate.visit_common_names(cns)) return match_status::subject_malformed;
        if (cns.any_refused) {
            out.presented = cns.refused;
            return match_status::cn_not_in_san;
        }
        return match_status::matched;
    }
}

template <class Policy, class Reference, class Adapter>
constexpr match_result match_one(const Adapter& certificate, const Reference& reference) noexcept {
    match_result out;
    if constexpr (policy_leaf_profile<Policy>::value) {
        const match_status profile = check_leaf_profile(certificate, out);
        if (profile != match_status::matched) {
            out.status = profile;
            return out;
        }
    }
    san_visitor<Policy, Reference> visitor{reference, out};
    out.san = certificate.visit_subject_alt_names(visitor);
    if (out.san == san_state::malformed) {
        out.presented = {};
        out.status = match_status::san_malformed;
        return out;
    }
    if (reference_traits<Reference>::single_candidate && out.candidates > 1) {
        out.presented = {};
        out.status = match_status::not_an_svid;
        return out;
    }
    if (out.candidates != 0) {
        out.status = visitor.found ? match_status::matched : match_status::no_match;
        return out;
    }
    if (!reference_traits<Reference>::may_fall_back_to_cn) {
        out.status = match_status::no_identifier_of_type;
        return out;
    }
    if (!Policy::cn_fallback) {
        out.status = match_status::cn_not_consulted;
        return out;
    }
    if (visitor.cn_blocked) {
        out.status = match_status::cn_not_permitted;
        return out;
    }
    last_cn_visitor cns;
    if (!certificate.visit_common_names(cns)) {
        out.status = match_status::subject_malformed;
        return out;
    }
    if (cns.count == 0) {
        out.status = match_status::no_identifier_of_type;
        return out;
    }
    if (Policy::refuse_multiple_cn && cns.count > 1) {
        out.status = match_status::multiple_cn_refused;
        return out;
    }
    out.candidates = 1;
    out.cn_consulted = true;
    if (cn_string_is_bytes(cns.last.tag) && reference_traits<Reference>::template matches<Policy>(reference, cns.last)) {
        out.presented = cns.last;
        out.status = match_status::matched;
    } else {
        out.status = match_status::no_match;
    }
    return out;
}

} // namespace detail

/// Matches a certificate against one reference identity.
///
/// RFC 9525 §6 (RFC 6125 §6): presented identifiers of the reference's type are compared
/// in certificate order; the first match wins. The CN is consulted only as the policy
/// and RFC 6125 §6.4.4 allow. A malformed subjectAltName never matches and never leads to
/// the CN.
///
/// ```
/// auto ref = svcid::parse_dns_reference("api.example.com");
/// svcid::openssl_certificate cert{x509};
/// if (auto r = svcid::match(cert, *ref)) use(r.presented.value);
/// ```
/// noexcept; allocates nothing (the adapters promise the same).
template <class Policy = rfc9525, class Adapter, class Reference>
constexpr match_result match(const Adapter& certificate, const Reference& reference) noexcept {
    static_assert(detail::check_adapter<Adapter>(), "");
    static_assert(detail::check_policy<Policy>::value, "");
    return detail::match_one<Policy>(certificate, reference);
}

SVCID_END_NAMESPACE

#endif
