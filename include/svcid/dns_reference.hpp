// svcid/dns_reference.hpp — a DNS domain name the application expects the peer to hold.
//
// RFC 6125 §6.2 / RFC 9525 §6.2: the reference identifier is the fully qualified DNS
// name the user or configuration supplied. It is validated and normalised once, here,
// so that matching against every presented identifier is a plain length-bounded compare.
#ifndef SVCID_DNS_REFERENCE_HPP
#define SVCID_DNS_REFERENCE_HPP

#include "config.hpp"
#include "detail/ascii.hpp"
#include "public_suffix.hpp"
#include "syntax/idna.hpp"
#include "result.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

SVCID_BEGIN_NAMESPACE

class dns_reference;
namespace detail {
constexpr result<dns_reference> parse_dns_name(std::string_view input, bool look_up_suffix) noexcept;
} // namespace detail

/// A validated DNS reference identity, e.g. `api.example.com`.
///
/// Ownership: the name lives in the object's own inline buffer (no heap); the object is
/// trivially copyable and stays valid independently of the string it was parsed from.
///
/// Invariants, established by parse_dns_reference():
/// - 1 to 253 octets, labels of 1 to 63 octets, no trailing dot (one is stripped);
/// - U-labels converted to A-labels (idna.hpp: IDNA2008 validity, built in), and every
///   `xn--` label a valid A-label;
/// - only ASCII letters (stored lower case), digits, '-' and '_'; no label starts or ends
///   with '-'. '_' is accepted because real service names carry it (`_dmarc`, SRV owner
///   names) and Go and rustls-webpki accept it; whether a CA may issue it is not a
///   question for the relying party;
/// - never '*' (a reference names one service and is never a pattern — OpenSSL's
///   X509_check_host accepts one, svcid does not), never an IP literal, never an
///   all-numeric last label (RFC 9525 §6.1: use an IP reference instead).
class dns_reference {
public:
    /// Longest name in octets, without a trailing dot (RFC 1035 §2.3.4).
    static constexpr std::size_t max_length = 253;
    /// Longest label in octets (RFC 1035 §2.3.4).
    static constexpr std::size_t max_label_length = 63;

    constexpr dns_reference() noexcept = default;

    /// The normalised name: lower case, no trailing dot.
    constexpr std::string_view name() const noexcept { return {storage_, length_}; }
    /// The left-most label, the one a wildcard may stand for.
    constexpr std::string_view first_label() const noexcept { return {storage_, first_label_length_}; }
    /// Everything after the left-most label and its dot; empty for a one-label name.
    constexpr std::string_view after_first_label() const noexcept {
        return first_label_length_ == length_ ? std::string_view{}
                                              : std::string_view{storage_ + first_label_length_ + 1,
                                                                 static_cast<std::size_t>(length_ - first_label_length_ - 1)};
    }
    /// Number of labels (`api.example.com`: 3); a wildcard needs min_labels_after_wildcard + 1.
    constexpr std::size_t label_count() const noexcept { return label_count_; }
    /// The size of the only whole-label wildcard that can name this reference, `*.` plus
    /// after_first_label() (`*.example.com` for `api.example.com`: 13); 0 for a one-label
    /// name. Kept so that the matcher refuses most presented names with one compare.
    constexpr std::size_t wildcard_size() const noexcept { return wildcard_size_; }
    /// Whether after_first_label() is a public suffix under `sections` (public_suffix.hpp):
    /// then the only wildcard for this name, `*.` plus it, lies directly under a public
    /// suffix. Looked up once, when the reference is parsed.
    constexpr bool after_first_label_is_public_suffix(public_suffix_sections sections) const noexcept {
        return (tail_suffix_ & (sections == public_suffix_sections::icann ? icann_suffix : any_suffix)) != 0;
    }

    /// Equal when both hold the same value.
    friend constexpr bool operator==(const dns_reference& a, const dns_reference& b) noexcept {
        return a.name() == b.name();
    }
    /// Not equal: the negation of operator==.
    friend constexpr bool operator!=(const dns_reference& a, const dns_reference& b) noexcept { return !(a == b); }

private:
    friend constexpr result<dns_reference> detail::parse_dns_name(std::string_view, bool) noexcept;

    static constexpr std::uint8_t icann_suffix = 1;  // after_first_label() is an ICANN suffix
    static constexpr std::uint8_t any_suffix = 2;    // ... an ICANN or a PRIVATE one

    char storage_[max_length] = {};
    std::uint8_t length_ = 0;
    std::uint8_t first_label_length_ = 0;
    std::uint8_t label_count_ = 0;
    std::uint8_t tail_suffix_ = 0;
    std::uint8_t wildcard_size_ = 0;
};

namespace detail {
/// A reference written as an address: IPv6 text (has ':' or brackets) or four numeric
/// labels. Such strings must become IP references, not DNS ones (RFC 9525 §6.1).
constexpr bool looks_like_ip_literal(std::string_view s) noexcept {
    if (!s.empty() && s.front() == '[') return true;
    if (s.find(':') != std::string_view::npos) return true;
    std::size_t dots = 0;
    for (char c : s) {
        if (c == '.') ++dots;
        else if (!is_ascii_digit(c)) return false;
    }
    return dots == 3;
}

/// Offset of the 1-based `label`'s first byte in `name` (its end when there are fewer).
constexpr std::size_t label_offset(std::string_view name, std::size_t label) noexcept {
    std::size_t at = 0;
    for (std::size_t seen = 1; seen < label; ++seen) {
        const std::size_t dot = name.find('.', at);
        if (dot == std::string_view::npos) return name.size();
        at = dot + 1;
    }
    return at;
}

/// parse_dns_reference(), with the public-suffix lookup of the name's parent only when
/// `look_up_suffix`: reference_set validates every presented name with it and needs the
/// lookup for wildcards alone.
constexpr result<dns_reference> parse_dns_name(std::string_view input, bool look_up_suffix) noexcept {
    if (input.empty()) return {errc::empty_name};
    if (detail::looks_like_ip_literal(input)) return {errc::ip_literal_as_dns_name};
    std::string_view name = detail::strip_trailing_dot(input);
    for (char c : name) {
        if (static_cast<unsigned char>(c) < 0x80) continue;
        // RFC 6125 §6.4.2 / RFC 9525 §6.3: U-labels become A-labels before any comparison,
        // so presented names (always A-labels) compare as ASCII.
        char ascii[dns_reference::max_length] = {};
        auto converted = to_ascii_name(name, ascii, sizeof ascii);
        if (!converted) return converted.error();
        auto parsed = parse_dns_name(std::string_view(ascii, *converted), look_up_suffix);
        if (parsed) return parsed;
        // The error's offset is into the converted name, which the caller never saw and
        // which is longer than the input; it must index the input, so it points at the
        // start of the offending label there instead.
        const svcid::error e = parsed.error();
        return svcid::error(e.code, e.label != 0 ? detail::label_offset(name, e.label) : 0, e.label);
    }
    if (name.size() > dns_reference::max_length) return {errc::name_too_long, dns_reference::max_length};

    dns_reference ref;
    std::size_t label = 1;
    std::size_t label_start = 0;
    bool last_label_numeric = true;
    for (std::size_t i = 0; i <= name.size(); ++i) {
        if (i == name.size() || name[i] == '.') {
            const std::size_t label_length = i - label_start;
            if (label_length == 0) return {errc::empty_label, i, label};
            if (label_length > dns_reference::max_label_length)
                return {errc::label_too_long, label_start + dns_reference::max_label_length, label};
            if (name[label_start] == '-') return {errc::hyphen_at_label_edge, label_start, label};
            if (name[i - 1] == '-') return {errc::hyphen_at_label_edge, i - 1, label};
            // A presented A-label can only match a reference's label it equals, so an
            // invalid presented A-label never matches once references hold valid ones.
            const std::string_view text = name.substr(label_start, label_length);
            if (detail::has_ace_prefix(text) && validate_a_label(text) != errc::ok)
                return {errc::idna_bad_a_label, label_start, label};
            if (label == 1) ref.first_label_length_ = static_cast<std::uint8_t>(label_length);
            if (i < name.size()) {
                ref.storage_[i] = '.';
                last_label_numeric = true;
                label_start = i + 1;
                ++label;
            }
            continue;
        }
        const char c = name[i];
        const auto byte = static_cast<unsigned char>(c);
        if (byte == 0) return {errc::nul_in_name, i, label};
        if (byte < 0x20 || byte == 0x7f || c == ' ') return {errc::control_or_space_in_name, i, label};
        if (c == '*') return {errc::wildcard_in_reference, i, label};
        if (!detail::is_label_char(c)) return {errc::non_ldh_character, i, label};
        if (!detail::is_ascii_digit(c)) last_label_numeric = false;
        ref.storage_[i] = detail::to_ascii_lower(c);
    }
    if (last_label_numeric) return {errc::numeric_last_label, label_start, label};
    ref.length_ = static_cast<std::uint8_t>(name.size());
    ref.label_count_ = static_cast<std::uint8_t>(label);
    if (label > 1) ref.wildcard_size_ = static_cast<std::uint8_t>(name.size() - ref.first_label_length_ + 1);
    const std::string_view tail = ref.after_first_label();
    if (look_up_suffix && is_public_suffix(tail, public_suffix_sections::icann_and_private)) {
        ref.tail_suffix_ = dns_reference::any_suffix;
        if (is_public_suffix(tail, public_suffix_sections::icann)) ref.tail_suffix_ |= dns_reference::icann_suffix;
    }
    return ref;
}
} // namespace detail

/// Validates and normalises a DNS reference identity (RFC 9525 §6.2, RFC 1034 §3.1,
/// RFC 5890 §2.3.1).
///
/// ```
/// auto ref = svcid::parse_dns_reference("API.Example.com.");  // name() == "api.example.com"
/// auto bad = svcid::parse_dns_reference("*.example.com");     // errc::wildcard_in_reference
/// ```
/// The error names the offending label (1-based) and byte offset. noexcept; no heap.
constexpr result<dns_reference> parse_dns_reference(std::string_view input) noexcept {
    return detail::parse_dns_name(input, true);
}

SVCID_END_NAMESPACE

#endif
