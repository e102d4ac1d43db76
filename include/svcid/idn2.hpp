// svcid/idn2.hpp — the optional libidn2 adapter: UTS #46 mapping for reference names.
//
// The built-in svcid/syntax/idna.hpp accepts only names already in IDNA2008 form (lower case, NFC,
// no compatibility characters). People type "Bücher.EXAMPLE" or full-width dots; UTS #46
// (non-transitional) maps those to a valid U-label first. That needs large Unicode tables,
// so svcid delegates it to libidn2 here, the only header that includes <idn2.h>. Link
// svcid::idn2 (CMake option SVCID_WITH_LIBIDN2) to use it.
//
// Allocation: libidn2 allocates its result internally; this adapter copies it to the
// caller's buffer and frees it before returning. Convert references once at start-up, not
// per connection.
#ifndef SVCID_IDN2_HPP
#define SVCID_IDN2_HPP

#include "config.hpp"
#include "dns_reference.hpp"
#include "error.hpp"
#include "result.hpp"

#include <idn2.h>

#include <cstddef>
#include <cstring>
#include <string_view>

SVCID_BEGIN_NAMESPACE

/// The longest UTF-8 name to_ascii_name_idn2 accepts: UTS #46 may delete characters (soft
/// hyphens, variation selectors), so the input may be longer than the 253-octet result.
inline constexpr std::size_t idn2_max_input_octets = 1024;

namespace detail {

inline errc from_idn2(int rc) noexcept {
    switch (rc) {
    case IDN2_ENCODING_ERROR: return errc::invalid_utf8;
    case IDN2_NFC:
    case IDN2_NOT_NFC: return errc::idna_not_nfc;
    case IDN2_PUNYCODE_BAD_INPUT: return errc::punycode_bad_input;
    case IDN2_PUNYCODE_BIG_OUTPUT:
    case IDN2_TOO_BIG_LABEL: return errc::punycode_output_too_long;
    case IDN2_PUNYCODE_OVERFLOW: return errc::punycode_overflow;
    case IDN2_TOO_BIG_DOMAIN: return errc::name_too_long;
    case IDN2_INVALID_ALABEL:
    case IDN2_UALABEL_MISMATCH:
    case IDN2_ALABEL_ROUNDTRIP_FAILED: return errc::idna_bad_a_label;
    case IDN2_2HYPHEN: return errc::idna_hyphen_in_positions_3_4;
    case IDN2_HYPHEN_STARTEND: return errc::hyphen_at_label_edge;
    case IDN2_LEADING_COMBINING: return errc::idna_leading_combining_mark;
    case IDN2_DISALLOWED:
    case IDN2_UNASSIGNED:
    case IDN2_DOT_IN_LABEL:
    case IDN2_INVALID_TRANSITIONAL:
    case IDN2_INVALID_NONTRANSITIONAL: return errc::idna_disallowed_code_point;
    case IDN2_CONTEXTJ:
    case IDN2_CONTEXTJ_NO_RULE:
    case IDN2_CONTEXTO:
    case IDN2_CONTEXTO_NO_RULE: return errc::idna_contextual_rule;
    case IDN2_BIDI: return errc::idna_bidi_rule;
    default: return errc::idna_library_failure;
    }
}

} // namespace detail

/// Converts a UTF-8 name to its ASCII (A-label) form with UTS #46 non-transitional mapping
/// and NFC (libidn2's idn2_to_ascii_8z with IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT), into
/// `out[0..cap)`; returns the length. Unlike the built-in to_ascii_name it maps case and
/// compatibility characters, and it checks the Bidi rule (RFC 5893).
///
/// Note that UTS #46 maps U+212A KELVIN SIGN to "k": that is correct for a name a person
/// typed, and why this is for building references only, never for reading certificates.
///
/// Errors: libidn2's reason mapped to svcid::errc (`idna_library_failure` for allocation
/// and other non-input failures), parse_dns_reference's reason when the result is not a
/// DNS name (`non_ldh_character`, `numeric_last_label`, ...), `nul_in_name`, `name_too_long` (input over
/// idn2_max_input_octets), `buffer_too_small`, `empty_name`.
///
/// ```
/// char buf[254];
/// auto r = svcid::to_ascii_name_idn2("Bücher.EXAMPLE", buf, sizeof buf);  // "xn--bcher-kva.example"
/// ```
/// noexcept; allocates inside libidn2.
SVCID_NODISCARD inline result<std::size_t> to_ascii_name_idn2(std::string_view utf8_name, char* out,
                                                              std::size_t cap) noexcept {
    if (utf8_name.empty()) return errc::empty_name;
    if (utf8_name.size() >= idn2_max_input_octets) return errc::name_too_long;
    if (const auto nul = utf8_name.find('\0'); nul != std::string_view::npos) return {errc::nul_in_name, nul};
    // libidn2 wants a NUL-terminated string; the caller's view need not be one.
    char input[idn2_max_input_octets];
    std::memcpy(input, utf8_name.data(), utf8_name.size());
    input[utf8_name.size()] = '\0';

    char* converted = nullptr;
    const int rc = idn2_to_ascii_8z(input, &converted, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
    if (rc != IDN2_OK) return detail::from_idn2(rc);
    const std::size_t length = std::strlen(converted);
    const bool fits = length <= cap;
    if (fits) std::memcpy(out, converted, length);
    idn2_free(converted);
    if (!fits) return errc::buffer_too_small;
    // UTS #46 without STD3 rules passes non-LDH ASCII through: "a\uFF20b.test" becomes
    // "a@b.test" (then typed as an e-mail) and fullwidth digits become an IPv4 address.
    // What leaves here must be a DNS name a reference can hold (RFC 5890 §2.3.1), or an
    // error; the offset would index the converted text the caller never saw, so none is given.
    if (auto checked = parse_dns_reference(std::string_view(out, length)); !checked) return checked.error().code;
    return length;
}

SVCID_END_NAMESPACE

#endif
