// svcid/error.hpp — the one error enumeration of svcid, wired into std::error_code.
//
// Errors describe input svcid refuses to work with: a malformed reference string, a
// certificate it cannot parse, a buffer too small. A certificate that simply does not
// match a reference is *not* an error; see match.hpp.
#ifndef SVCID_ERROR_HPP
#define SVCID_ERROR_HPP

#include "config.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <system_error>
#include <type_traits>

SVCID_BEGIN_NAMESPACE

/// Why svcid refused an input. Values are stable within a major version.
/// Use with std::error_code: `std::error_code ec = svcid::errc::empty_label;`
enum class errc : std::uint8_t {
    ok = 0,

    // DNS names (RFC 1034 §3.1, RFC 5890 §2.3.1, RFC 9525 §6.3)
    empty_name = 1,
    empty_label,
    label_too_long,
    name_too_long,
    nul_in_name,
    control_or_space_in_name,
    wildcard_in_reference,
    non_ldh_character,
    hyphen_at_label_edge,
    ip_literal_as_dns_name,
    numeric_last_label,

    // IP addresses (RFC 791 dotted decimal, RFC 4291 §2.2)
    empty_address = 30,
    bad_ipv4_syntax,
    ipv4_leading_zero,
    ipv4_part_too_large,
    bad_ipv6_syntax,
    ipv6_zone_id_not_allowed,
    ip_address_too_long = 36,
    ipv6_group_too_long,
    ipv6_too_many_groups,
    ipv6_too_few_groups,
    ipv6_double_compression,
    ipv4_in_brackets,
    ip_bad_octet_count,

    // Punycode and IDNA (RFC 3492, RFC 5890-5892)
    punycode_bad_digit = 50,
    punycode_overflow,
    punycode_output_too_long,
    punycode_bad_input,
    invalid_utf8,
    idna_disallowed_code_point,
    idna_bad_a_label,
    idna_uppercase_needs_mapping,
    idna_contextual_rule,
    punycode_input_too_long,
    idna_leading_combining_mark,
    idna_hyphen_in_positions_3_4,
    idna_bidi_rule,
    idna_not_nfc,
    idna_library_failure,

    // SRV-ID, URI-ID, SPIFFE ID, e-mail (RFC 4985, RFC 3986, SPIFFE ID spec, RFC 5321)
    bad_service_name = 70,
    bad_uri_syntax,
    uri_scheme_missing,
    uri_host_not_dns,
    bad_spiffe_id,
    bad_email_address,
    uri_bad_scheme = 76,
    uri_bad_percent_encoding,
    uri_bad_character,
    uri_bad_port,
    uri_bad_ip_literal,
    uri_too_long,
    spiffe_bad_trust_domain,
    spiffe_trust_domain_too_long,
    spiffe_bad_path,
    spiffe_id_too_long,
    spiffe_forbidden_component,
    email_local_part_too_long,
    email_bad_local_part,
    email_bad_domain,

    // Certificates and DER (X.690 §8, §10; RFC 5280 §4.1, §4.2.1.6)
    der_truncated = 90,
    der_bad_tag,
    der_bad_length,
    der_indefinite_length,
    der_trailing_bytes,
    der_too_deep,
    san_malformed,
    certificate_malformed,

    // Output and configuration
    buffer_too_small = 110,
    no_reference_configured,
    uri_id_is_spiffe_id,
    spiffe_id_needs_view,
};

SVCID_END_NAMESPACE

namespace std {
template <> struct is_error_code_enum<svcid::errc> : true_type {};
}

SVCID_BEGIN_NAMESPACE

/// A short sentence a user can act on, for each error. Never null. No allocation.
constexpr const char* message(errc e) noexcept {
    switch (e) {
    case errc::ok: return "no error";
    case errc::empty_name: return "the name is empty";
    case errc::empty_label: return "the name has an empty label (two dots in a row or a leading dot)";
    case errc::label_too_long: return "a label is longer than 63 octets";
    case errc::name_too_long: return "the name is longer than 253 octets";
    case errc::nul_in_name: return "the name contains a NUL byte";
    case errc::control_or_space_in_name: return "the name contains a control character or a space";
    case errc::wildcard_in_reference: return "a reference identity may not contain '*': it names one service, it is never a pattern";
    case errc::non_ldh_character: return "the name contains a character other than a letter, digit, hyphen or underscore";
    case errc::hyphen_at_label_edge: return "a label starts or ends with a hyphen";
    case errc::ip_literal_as_dns_name: return "the name is an IP address literal: use an IP reference (RFC 9525 §6.1)";
    case errc::numeric_last_label: return "the last label is all digits, which no DNS name has: use an IP reference (RFC 9525 §6.1)";
    case errc::empty_address: return "the address is empty";
    case errc::bad_ipv4_syntax: return "not an IPv4 address in dotted-decimal form a.b.c.d";
    case errc::ipv4_leading_zero: return "an IPv4 part has a leading zero (octal forms are ambiguous and refused)";
    case errc::ipv4_part_too_large: return "an IPv4 part is larger than 255";
    case errc::bad_ipv6_syntax: return "not an IPv6 address in RFC 4291 §2.2 text form";
    case errc::ipv6_zone_id_not_allowed: return "an IPv6 zone id (%...) is local to one host and cannot be in a certificate";
    case errc::ip_address_too_long: return "the address text is longer than 47 characters, the longest bracketed IPv6 form";
    case errc::ipv6_group_too_long: return "an IPv6 group has more than 4 hex digits (RFC 4291 §2.2)";
    case errc::ipv6_too_many_groups: return "the IPv6 address has more than 8 groups ('::' counts as at least one, an embedded IPv4 as two)";
    case errc::ipv6_too_few_groups: return "the IPv6 address has fewer than 8 groups and no '::' to stand for the rest";
    case errc::ipv6_double_compression: return "'::' appears twice; it may stand for only one run of zero groups (RFC 4291 §2.2)";
    case errc::ipv4_in_brackets: return "brackets are only for IPv6 literals (RFC 3986 §3.2.2): write the IPv4 address without them";
    case errc::ip_bad_octet_count: return "an IP address has exactly 4 (IPv4) or 16 (IPv6) octets";
    case errc::punycode_bad_digit: return "punycode: a character that is not a base-36 digit";
    case errc::punycode_overflow: return "punycode: the encoded value overflows (RFC 3492 §6.4)";
    case errc::punycode_output_too_long: return "punycode: the result does not fit in a 63-octet label";
    case errc::punycode_bad_input: return "punycode: the input is not a valid encoding";
    case errc::invalid_utf8: return "the text is not valid UTF-8 (bad, overlong or surrogate sequence)";
    case errc::idna_disallowed_code_point: return "a code point that IDNA2008 disallows (RFC 5892)";
    case errc::idna_bad_a_label: return "an xn-- label that is not a valid A-label";
    case errc::idna_uppercase_needs_mapping: return "upper-case letters outside ASCII need UTS #46 mapping first: lower-case the name or use svcid/idn2.hpp";
    case errc::idna_contextual_rule: return "a code point whose IDNA2008 contextual rule is not met (RFC 5892 Appendix A)";
    case errc::punycode_input_too_long: return "punycode: the input is longer than a 63-octet label can hold";
    case errc::idna_leading_combining_mark: return "a label starts with a combining mark (RFC 5891 §4.2.3.2)";
    case errc::idna_bidi_rule: return "a label breaks the right-to-left (Bidi) rule (RFC 5893 §2)";
    case errc::idna_not_nfc: return "a label is not in Unicode Normalization Form C (RFC 5891 §5.3)";
    case errc::idna_library_failure: return "the IDNA library failed for a reason other than the input (out of memory?)";
    case errc::idna_hyphen_in_positions_3_4: return "a U-label has '--' in its third and fourth positions, reserved for tagged labels such as xn-- (RFC 5891 §4.2.3.1)";
    case errc::bad_service_name: return "not a service name: expected '_service.domain' with 1-15 letters, digits or hyphens";
    case errc::bad_uri_syntax: return "not a URI (RFC 3986)";
    case errc::uri_scheme_missing: return "the URI has no scheme";
    case errc::uri_host_not_dns: return "the URI's host is not a DNS domain name";
    case errc::bad_spiffe_id: return "not a SPIFFE ID (spiffe://trust-domain/path)";
    case errc::bad_email_address: return "not an e-mail address local@domain";
    case errc::uri_bad_scheme: return "the URI scheme must start with a letter followed by letters, digits, '+', '-' or '.' (RFC 3986 §3.1)";
    case errc::uri_bad_percent_encoding: return "a '%' in the URI is not followed by two hex digits (RFC 3986 §2.1)";
    case errc::uri_bad_character: return "a character that this part of a URI may not contain unencoded: percent-encode it (RFC 3986 Appendix A)";
    case errc::uri_bad_port: return "the URI port has a character other than a decimal digit (RFC 3986 §3.2.3)";
    case errc::uri_bad_ip_literal: return "the bracketed URI host is neither an IPv6 address nor an IPvFuture literal (RFC 3986 §3.2.2)";
    case errc::uri_too_long: return "the URI is longer than 65535 bytes";
    case errc::spiffe_bad_trust_domain: return "the SPIFFE trust domain is empty or has a character other than a-z, 0-9, '.', '-', '_' (SPIFFE ID §2.1)";
    case errc::spiffe_trust_domain_too_long: return "the SPIFFE trust domain is longer than 255 bytes (SPIFFE ID §2.3)";
    case errc::spiffe_bad_path: return "a SPIFFE path segment is empty, '.', '..', or has a character other than a-z, A-Z, 0-9, '.', '-', '_' (SPIFFE ID §2.2)";
    case errc::spiffe_id_too_long: return "the SPIFFE ID is longer than 2048 bytes (SPIFFE ID §2.3)";
    case errc::spiffe_forbidden_component: return "a SPIFFE ID may not have user info, a port, a query or a fragment (SPIFFE ID §2)";
    case errc::email_local_part_too_long: return "the e-mail local part is longer than 64 octets (RFC 5321 §4.5.3.1.1)";
    case errc::email_bad_local_part: return "the e-mail local part is neither a dot-atom nor a quoted string of printable ASCII (RFC 5321 §4.1.2)";
    case errc::email_bad_domain: return "the e-mail domain is not letters, digits, hyphens and dots in labels of 1-63 octets, 253 octets at most";
    case errc::der_truncated: return "DER: the data ends before the element does";
    case errc::der_bad_tag: return "DER: an unexpected tag";
    case errc::der_bad_length: return "DER: a length that is not in minimal definite form or exceeds its container";
    case errc::der_indefinite_length: return "DER: indefinite lengths are not allowed (X.690 §10.1)";
    case errc::der_trailing_bytes: return "DER: bytes follow the end of the element";
    case errc::der_too_deep: return "DER: nesting deeper than svcid reads";
    case errc::san_malformed: return "the subjectAltName extension cannot be parsed";
    case errc::certificate_malformed: return "the certificate cannot be parsed";
    case errc::buffer_too_small: return "the output buffer is too small";
    case errc::no_reference_configured: return "no reference identity was configured: refusing to accept any peer";
    case errc::spiffe_id_needs_view: return "the SPIFFE ID is longer than a spiffe_reference holds inline (314 bytes): keep it in a buffer of your own and use view_spiffe_reference";
    case errc::uri_id_is_spiffe_id: return "a spiffe URI is a SPIFFE ID, not a URI-ID: use make_spiffe_reference (spiffe_match::trust_domain for a whole trust domain)";
    }
    return "unknown svcid error";
}

namespace detail {
class error_category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "svcid"; }
    // std::error_category's interface returns std::string; svcid itself never calls this, and
    // the allocation-free message is svcid::message(errc).
    std::string message(int value) const override { return svcid::message(static_cast<errc>(value)); }
};
} // namespace detail

/// The "svcid" error category. A function-local static: no global constructors.
inline const std::error_category& error_category() noexcept {
    static const detail::error_category_impl category;
    return category;
}

/// Makes `errc` a std::error_code of category "svcid" (found by ADL):
/// `std::error_code ec = svcid::errc::label_too_long;`. noexcept; no heap.
inline std::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), error_category()};
}

SVCID_END_NAMESPACE

#endif
