// svcid/policy.hpp — the matching rules svcid applies, as compile-time policies.
//
// A policy is a type with static constexpr knobs; the matcher is a template over it, so a
// disabled rule costs nothing at run time. `rfc9525` is the default: strict and compliant
// with both RFCs, since RFC 6125 makes CN fallback and partial wildcards MAYs.
#ifndef SVCID_POLICY_HPP
#define SVCID_POLICY_HPP

#include "config.hpp"

#include <cstdint>
#include <type_traits>

SVCID_BEGIN_NAMESPACE

/// Whether a wildcard directly under a public suffix may match (public_suffix.hpp).
enum class public_suffix_wildcards : std::uint8_t {
    /// No check: `*.co.uk` matches `example.co.uk` (OpenSSL, Go, rustls-webpki).
    allowed,
    /// Refused under a suffix of the list's ICANN section (`*.co.uk`, `*.com.au`), as
    /// Chromium refuses them; `*.s3.amazonaws.com` (PRIVATE section) still matches.
    refuse_icann,
    /// Refused under any listed suffix, PRIVATE section included (`*.github.io`,
    /// `*.s3.amazonaws.com`): x509-limbo's Web PKI expectation.
    refuse_icann_and_private,
};

/// RFC 9525 rules (the default).
///
/// - DNS-IDs only from subjectAltName; the subject CN is never consulted (RFC 9525 §6.3).
/// - `*` only as the whole left-most label, matching exactly one label (RFC 9525 §6.3),
///   with at least two labels after it, so `*.com` never matches.
/// - IPv4 and IPv4-mapped IPv6 are different addresses (RFC 9525 §6.4 compares octets).
/// - No wildcard directly under an ICANN public suffix (`*.co.uk`; CA/Browser Forum
///   Baseline Requirements §3.2.2.6 forbid issuing one).
///
/// Derive from it to change a knob:
/// ```
/// struct no_wildcards : svcid::rfc9525 { static constexpr bool wildcards = false; };
/// ```
struct rfc9525 {
    /// Whether a presented `*` label may match at all.
    static constexpr bool wildcards = true;
    /// Whether `f*`, `*o`, `f*o` left-most labels match (RFC 6125 §6.4.3 permits them).
    static constexpr bool partial_wildcards = false;
    /// How many labels must follow a wildcard label; below 2 would let `*.com` match.
    static constexpr unsigned min_labels_after_wildcard = 2;
    /// Whether a wildcard under a public suffix may match. ICANN suffixes are refused: no CA
    /// may issue `*.co.uk`, so one in a certificate is a mis-issuance. PRIVATE ones are not:
    /// their owners hold real wildcards for them (Amazon's S3 endpoints present
    /// `*.s3.amazonaws.com`), and a built-in list that lags behind a new private suffix
    /// would refuse or admit by the date of svcid's release.
    static constexpr public_suffix_wildcards public_suffixes = public_suffix_wildcards::refuse_icann;
    /// Whether an IPv4 reference equals a presented "::ffff:a.b.c.d" and vice versa.
    static constexpr bool ipv4_mapped_equal = false;
    /// Whether a DNS reference may match the subject's last CN when the certificate
    /// presents no DNS-ID, SRV-ID, URI-ID and no iPAddress (RFC 6125 §6.4.4).
    static constexpr bool cn_fallback = false;
    /// With cn_fallback: whether a subject with more than one CN is refused outright
    /// instead of consulting its last (most specific) CN.
    static constexpr bool refuse_multiple_cn = false;
    /// Whether the leaf must also keep the Web PKI name profile (see svcid::web_pki).
    static constexpr bool leaf_profile = false;
};

/// RFC 6125 rules: rfc9525 plus partial wildcards in the left-most label (never with an
/// A-label) and CN-ID fallback under the preconditions above — what OpenSSL users expect.
struct rfc6125 : rfc9525 {
    /// RFC 6125 §6.4.3 allows `f*.example.com`; never with an A-label.
    static constexpr bool partial_wildcards = true;
    /// RFC 6125 §6.4.4: the CN-ID stands in when the certificate has no DNS-, SRV-, URI-ID or iPAddress SAN.
    static constexpr bool cn_fallback = true;
};

/// rfc9525 plus the name profile the Web PKI requires of a TLS server leaf, for clients that
/// want to refuse what a publicly-trusted CA must never issue. Every rule refuses with its
/// own match_status, whatever the reference:
///
/// - every dNSName is in the preferred name syntax, a `*` left-most label aside: letters,
///   digits and inner hyphens, so no `_` (RFC 5280 §4.2.1.6, RFC 1034 §3.5, RFC 1123 §2.1);
///   match_status::dns_name_not_preferred;
/// - each subject CN is a byte-for-byte copy of a dNSName (same case, the A-label) or the
///   text of an iPAddress (dotted decimal, RFC 5952 for IPv6) (CA/B Forum BR 7.1.4.3);
///   match_status::cn_not_in_san;
/// - a critical subjectAltName only with an empty subject (CA/B Forum BR 7.1.2.7.12);
///   match_status::critical_san_with_subject;
/// - an empty subject only with a critical subjectAltName (RFC 5280 §4.1.2.6, §4.2.1.6);
///   match_status::empty_subject_without_critical_san.
///
/// And no wildcard directly under any public suffix, PRIVATE section included
/// (`*.github.io`, `*.s3.amazonaws.com`), as x509-limbo's Web PKI cases expect.
///
/// Opt-in: private PKIs issue `_` names and free-form CNs that RFC 9525 matching ignores.
struct web_pki : rfc9525 {
    /// The rules above apply to the leaf.
    static constexpr bool leaf_profile = true;
    /// Under a PRIVATE suffix too: the Web PKI profile judges by the list, not by who owns it.
    static constexpr public_suffix_wildcards public_suffixes = public_suffix_wildcards::refuse_icann_and_private;
};

namespace detail {
// leaf_profile is optional, so that a policy written before it that lists every knob itself
// (not derived from rfc9525) still compiles; absent means off.
template <class P, class = void>
struct policy_leaf_profile : std::false_type {};
template <class P>
struct policy_leaf_profile<P, std::enable_if_t<P::leaf_profile>> : std::true_type {};

#define SVCID_DETAIL_POLICY_KNOB(knob, type)                                                  \
    template <class P, class = void>                                                          \
    struct policy_has_##knob : std::false_type {};                                            \
    template <class P>                                                                        \
    struct policy_has_##knob<P, std::enable_if_t<std::is_convertible<decltype(P::knob), type>::value>> \
        : std::true_type {};
SVCID_DETAIL_POLICY_KNOB(wildcards, bool)
SVCID_DETAIL_POLICY_KNOB(partial_wildcards, bool)
SVCID_DETAIL_POLICY_KNOB(min_labels_after_wildcard, unsigned)
SVCID_DETAIL_POLICY_KNOB(ipv4_mapped_equal, bool)
SVCID_DETAIL_POLICY_KNOB(cn_fallback, bool)
SVCID_DETAIL_POLICY_KNOB(refuse_multiple_cn, bool)
SVCID_DETAIL_POLICY_KNOB(public_suffixes, public_suffix_wildcards)
#undef SVCID_DETAIL_POLICY_KNOB

/// Instantiated by every matcher: one readable message per missing knob.
template <class P>
struct check_policy {
    static_assert(policy_has_wildcards<P>::value, "svcid policy: missing `static constexpr bool wildcards` (derive from svcid::rfc9525)");
    static_assert(policy_has_partial_wildcards<P>::value, "svcid policy: missing `static constexpr bool partial_wildcards` (derive from svcid::rfc9525)");
    static_assert(policy_has_min_labels_after_wildcard<P>::value, "svcid policy: missing `static constexpr unsigned min_labels_after_wildcard` (derive from svcid::rfc9525)");
    static_assert(policy_has_ipv4_mapped_equal<P>::value, "svcid policy: missing `static constexpr bool ipv4_mapped_equal` (derive from svcid::rfc9525)");
    static_assert(policy_has_cn_fallback<P>::value, "svcid policy: missing `static constexpr bool cn_fallback` (derive from svcid::rfc9525)");
    static_assert(policy_has_refuse_multiple_cn<P>::value, "svcid policy: missing `static constexpr bool refuse_multiple_cn` (derive from svcid::rfc9525)");
    static_assert(policy_has_public_suffixes<P>::value, "svcid policy: missing `static constexpr public_suffix_wildcards public_suffixes` (derive from svcid::rfc9525)");
    static constexpr bool value = true;
};
} // namespace detail

/// True when P has every knob above.
template <class P>
constexpr bool is_policy_v = detail::policy_has_wildcards<P>::value && detail::policy_has_partial_wildcards<P>::value &&
                             detail::policy_has_min_labels_after_wildcard<P>::value &&
                             detail::policy_has_ipv4_mapped_equal<P>::value && detail::policy_has_cn_fallback<P>::value &&
                             detail::policy_has_refuse_multiple_cn<P>::value && detail::policy_has_public_suffixes<P>::value;

SVCID_END_NAMESPACE

#endif
