// svcid/dns_id.hpp — comparing one presented DNS-ID (or CN-ID) with a DNS reference.
//
// RFC 6125 §6.4.1–6.4.3 and RFC 9525 §6.3. Because the reference was validated when it was
// parsed (LDH labels, valid A-labels, no '*', lower case, no trailing dot), a presented
// name that compares equal to it byte for byte (ASCII case folded) is necessarily well
// formed, A-labels included: the hot path is one length test and one folded compare, with
// no separate validation pass. The full
// classification of a presented name, for diagnostics, is check_dns_id() below.
#ifndef SVCID_DNS_ID_HPP
#define SVCID_DNS_ID_HPP

#include "config.hpp"
#include "detail/ascii.hpp"
#include "dns_reference.hpp"
#include "syntax/idna.hpp"
#include "policy.hpp"
#include "public_suffix.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

SVCID_BEGIN_NAMESPACE

/// Why a presented DNS name did or did not match.
enum class dns_id_verdict : std::uint8_t {
    match,
    no_match,                      ///< well formed, names something else
    malformed,                     ///< empty label, NUL, non-LDH byte, over 63/253 octets
    wildcard_not_left_most,        ///< '*' outside the left-most label, or more than one
    wildcards_disabled,            ///< the policy does not accept wildcards at all
    partial_wildcard_not_allowed,  ///< `f*.example.com` under a policy without them
    wildcard_too_few_labels,       ///< `*.com`: fewer labels after '*' than the policy needs
    wildcard_in_a_label,           ///< `xn--*` or a partial wildcard against an A-label
    bad_a_label,                   ///< an `xn--` label that is not valid punycode or no valid U-label
    wildcard_covers_one_label,     ///< `*.example.com` for `a.b.example.com` or `example.com`: its domain, but not one label before it
    wildcard_under_public_suffix,  ///< `*.co.uk`: directly under a public suffix the policy refuses wildcards for
};

/// A phrase for each verdict, for explanations and logs. noexcept; static strings, no heap.
constexpr const char* verdict_message(dns_id_verdict v) noexcept {
    switch (v) {
    case dns_id_verdict::match: return "matches";
    case dns_id_verdict::no_match: return "names another host";
    case dns_id_verdict::malformed: return "is not a well-formed DNS name (empty or over-long label, NUL or non-LDH byte)";
    case dns_id_verdict::wildcard_not_left_most: return "has '*' outside the left-most label or more than one '*' (RFC 6125 §6.4.3)";
    case dns_id_verdict::wildcards_disabled: return "is a wildcard and the policy accepts none";
    case dns_id_verdict::partial_wildcard_not_allowed: return "is a partial wildcard, which only the rfc6125 policy accepts (RFC 9525 §6.3)";
    case dns_id_verdict::wildcard_too_few_labels: return "is a wildcard with too few labels after '*' (e.g. *.com)";
    case dns_id_verdict::wildcard_in_a_label: return "is a partial wildcard in or against an A-label (RFC 6125 §6.4.3)";
    case dns_id_verdict::bad_a_label: return "has an xn-- label that is not a valid A-label (RFC 5890 §2.3.2.1)";
    case dns_id_verdict::wildcard_covers_one_label:
        return "is a wildcard for the same domain, but '*' stands for exactly one label and the reference has none or several there (RFC 9525 §6.3)";
    case dns_id_verdict::wildcard_under_public_suffix:
        return "is a wildcard directly under a public suffix, standing for unrelated registrants' names (Public Suffix List; CA/Browser Forum BR §3.2.2.6)";
    }
    return "unknown";
}

namespace detail {
constexpr std::size_t count_char(std::string_view s, char c) noexcept {
    std::size_t n = 0;
    for (char x : s) n += (x == c);
    return n;
}

/// Matches the left-most presented label `pattern` (holding one '*') against the
/// reference label `label`, with the '*' standing for at least one character.
template <class Policy>
constexpr dns_id_verdict match_wildcard_label(std::string_view pattern, std::string_view label) noexcept {
    if (pattern.size() == 1) {
        return Policy::wildcards ? dns_id_verdict::match : dns_id_verdict::wildcards_disabled;
    }
    if (!Policy::wildcards) return dns_id_verdict::wildcards_disabled;
    if (!Policy::partial_wildcards) return dns_id_verdict::partial_wildcard_not_allowed;
    // RFC 6125 §6.4.3: no partial wildcard may touch an internationalised label, since a
    // prefix or suffix of an A-label says nothing about the U-label (curl CVE-2023-28321).
    if (has_ace_prefix(pattern) || has_ace_prefix(label)) return dns_id_verdict::wildcard_in_a_label;
    const std::size_t star = pattern.find('*');
    const std::string_view prefix = pattern.substr(0, star);
    const std::string_view suffix = pattern.substr(star + 1);
    if (label.size() < prefix.size() + suffix.size() + 1) return dns_id_verdict::no_match;
    if (!equals_folded(prefix, label.substr(0, prefix.size()))) return dns_id_verdict::no_match;
    if (!equals_folded(suffix, label.substr(label.size() - suffix.size()))) return dns_id_verdict::no_match;
    return dns_id_verdict::match;
}
} // namespace detail

namespace detail {
/// Whether Policy refuses wildcards directly under public suffixes (policy.hpp,
/// public_suffixes), and if so under the suffixes of which sections of the list.
template <class Policy>
constexpr bool refused_suffix_sections(public_suffix_sections& sections) noexcept {
    switch (Policy::public_suffixes) {
    case public_suffix_wildcards::allowed: return false;
    case public_suffix_wildcards::refuse_icann: sections = public_suffix_sections::icann; return true;
    case public_suffix_wildcards::refuse_icann_and_private: break;
    }
    sections = public_suffix_sections::icann_and_private;
    return true;
}

/// Whether Policy refuses a wildcard for `reference`'s parent domain because that domain is
/// a public suffix; the lookup was made when the reference was parsed, so this is a bit test.
template <class Policy>
constexpr bool wildcard_refused_as_public_suffix(const dns_reference& reference) noexcept {
    public_suffix_sections sections = public_suffix_sections::icann;
    return refused_suffix_sections<Policy>(sections) && reference.after_first_label_is_public_suffix(sections);
}

/// The rest of match_dns_id() for a policy with partial wildcards: rare, so out of line.
template <class Policy>
constexpr bool match_partial_wildcard(std::string_view presented, const dns_reference& reference) noexcept {
    const std::string_view ref_tail = reference.after_first_label();
    if (ref_tail.empty() || presented.size() < ref_tail.size() + 2) return false;
    const std::size_t dot = presented.size() - ref_tail.size() - 1;
    if (presented[dot] != '.' || dot > dns_reference::max_label_length) return false;
    // One '*', and no '.' (that would make this not the left-most label). A '*' further
    // right can never equal the reference's tail, which holds none, so that part is
    // checked by the compare below.
    std::size_t stars = 0;
    for (std::size_t i = 0; i < dot; ++i) {
        if (presented[i] == '.') return false;
        stars += (presented[i] == '*');
    }
    if (stars != 1) return false;
    if (reference.label_count() < Policy::min_labels_after_wildcard + 1) return false;
    if (!equals_folded(std::string_view(presented.data() + dot + 1, ref_tail.size()), ref_tail)) return false;
    if (wildcard_refused_as_public_suffix<Policy>(reference)) return false;
    return match_wildcard_label<Policy>(std::string_view(presented.data(), dot), reference.first_label()) ==
           dns_id_verdict::match;
}
} // namespace detail

/// Compares a presented DNS-ID with a reference (RFC 9525 §6.3, RFC 6125 §6.4.1–6.4.3).
/// `presented` is the raw content of a dNSName or CN: not NUL-terminated, compared by
/// length, so a NUL inside it can never match.
///
/// ```
/// auto ref = svcid::parse_dns_reference("www.example.com");
/// svcid::match_dns_id<svcid::rfc9525>("*.example.com", *ref);  // true
/// svcid::match_dns_id<svcid::rfc9525>("w*.example.com", *ref); // false: partial wildcard
/// ```
/// noexcept, no heap, constexpr. Always inlined: it runs once per dNSName of every
/// certificate, and most names are refused by a length or first-octet test.
template <class Policy = rfc9525>
SVCID_HOT_INLINE constexpr bool match_dns_id(std::string_view presented, const dns_reference& reference) noexcept {
    static_assert(detail::check_policy<Policy>::value, "");
    const std::string_view ref = reference.name();
    const std::size_t wildcard_size = reference.wildcard_size();
    // A trailing dot is dropped (strip_trailing_dot), but its octet is read only when the
    // length says it could matter: most names are refused by their length alone, and a
    // load on the way to that test cost about 0.1 ns per name on AMD Zen (1.29x the
    // floor's time per entry at 0.94x its instructions). Left in place, a dot cannot make
    // a name of the reference's or the wildcard's own length match: no reference ends in one.
    if (Policy::partial_wildcards || presented.size() == ref.size() + 1 || presented.size() == wildcard_size + 1)
        presented = detail::strip_trailing_dot(presented);
    // A default-constructed reference names nothing; only an empty presented name could
    // equal it, and that must not count (its wildcard_size is 0, so no wildcard can).
    if (presented.size() == ref.size() && !ref.empty() && detail::equals_folded(presented, ref)) return true;
    if (!Policy::wildcards) return false;
    if (Policy::partial_wildcards) return detail::match_partial_wildcard<Policy>(presented, reference);

    // The left-most label can only be "*" itself, and the wildcard's tail must equal the
    // reference's: "*." plus the reference less its first label. Most names fail on that
    // length (kept in the reference) or on their first octet. A one-label reference has no
    // tail for a wildcard to stand before (its wildcard_size is 0), whatever a policy's
    // min_labels_after_wildcard says.
    if (presented.size() != wildcard_size || wildcard_size == 0) return false;
    if (presented[0] != '*' || presented[1] != '.') return false;
    if (reference.label_count() < Policy::min_labels_after_wildcard + 1) return false;
    const std::size_t tail = wildcard_size - 2;
    return detail::equals_folded(std::string_view(presented.data() + 2, tail), std::string_view(ref.data() + ref.size() - tail, tail)) &&
           !detail::wildcard_refused_as_public_suffix<Policy>(reference);
}

/// The full verdict for one presented name, with the reason it cannot match when it is
/// malformed or a wildcard the policy refuses. Slower than match_dns_id (it validates the
/// whole name); meant for explanations and the inspector, not the hot path.
template <class Policy = rfc9525>
constexpr dns_id_verdict check_dns_id(std::string_view presented, const dns_reference& reference) noexcept {
    static_assert(detail::check_policy<Policy>::value, "");
    const std::string_view name = detail::strip_trailing_dot(presented);
    if (name.empty() || name.size() > dns_reference::max_length) return dns_id_verdict::malformed;
    if (reference.name().empty()) return dns_id_verdict::no_match;
    std::size_t label_start = 0;
    std::size_t labels = 0;
    for (std::size_t i = 0; i <= name.size(); ++i) {
        if (i == name.size() || name[i] == '.') {
            const std::size_t length = i - label_start;
            if (length == 0 || length > dns_reference::max_label_length) return dns_id_verdict::malformed;
            const std::string_view label = name.substr(label_start, length);
            if (detail::has_ace_prefix(label) && detail::count_char(label, '*') == 0 &&
                validate_a_label(label) != errc::ok)
                return dns_id_verdict::bad_a_label;
            ++labels;
            label_start = i + 1;
            continue;
        }
        if (name[i] == '*') {
            if (labels != 0) return dns_id_verdict::wildcard_not_left_most;
        } else if (!detail::is_label_char(name[i])) {
            return dns_id_verdict::malformed;
        }
    }
    const std::size_t dot = name.find('.');
    const std::string_view first = name.substr(0, dot);
    const std::size_t stars = detail::count_char(first, '*');
    if (stars > 1) return dns_id_verdict::wildcard_not_left_most;
    if (stars == 0) return detail::equals_folded(name, reference.name()) ? dns_id_verdict::match : dns_id_verdict::no_match;

    if (!Policy::wildcards) return dns_id_verdict::wildcards_disabled;
    if (first.size() > 1 && !Policy::partial_wildcards) return dns_id_verdict::partial_wildcard_not_allowed;
    if (first.size() > 1 && detail::has_ace_prefix(first)) return dns_id_verdict::wildcard_in_a_label;
    if (labels - 1 < Policy::min_labels_after_wildcard) return dns_id_verdict::wildcard_too_few_labels;
    if (dot == std::string_view::npos) return dns_id_verdict::no_match;
    const std::string_view domain = name.substr(dot + 1);
    if (!detail::equals_folded(domain, reference.after_first_label())) {
        // The reference is the wildcard's domain itself, or lies more than one label below
        // it: the names share the domain, and only the one-label rule refuses them.
        const std::string_view ref = reference.name();
        const bool under = ref.size() > domain.size() && ref[ref.size() - domain.size() - 1] == '.' &&
                           detail::equals_folded(ref.substr(ref.size() - domain.size()), domain);
        return under || detail::equals_folded(ref, domain) ? dns_id_verdict::wildcard_covers_one_label
                                                           : dns_id_verdict::no_match;
    }
    const dns_id_verdict label = detail::match_wildcard_label<Policy>(first, reference.first_label());
    if (label == dns_id_verdict::match && detail::wildcard_refused_as_public_suffix<Policy>(reference))
        return dns_id_verdict::wildcard_under_public_suffix;
    return label;
}

SVCID_END_NAMESPACE

#endif
