// svcid/x501_name.hpp — finds the commonName attributes in the DER of an X.501 Name.
//
// CN-IDs are a legacy fallback (RFC 9525 §6.3 forbids it, RFC 6125 §6.4.4 allows it only
// without a subjectAltName), but clients that still need it must read CNs the same way
// whichever TLS library holds the certificate; the raw-DER adapter uses this walker.
#ifndef SVCID_X501_NAME_HPP
#define SVCID_X501_NAME_HPP

#include "../config.hpp"
#include "der.hpp"
#include "general_names.hpp"
#include "../presented.hpp"

#include <cstdint>
#include <string_view>

SVCID_BEGIN_NAMESPACE
namespace detail {

/// The DirectoryString types (X.520) a CN may use, or `none` for any other tag. BMPString
/// holds UCS-2 and UniversalString UCS-4 code units, so a length that is not a whole
/// number of units is no string at all and yields `none` too.
/// `universal_tag` is the ASN.1 universal tag number, which OpenSSL's V_ASN1_* string
/// types equal, so both adapters classify CNs here.
constexpr string_tag common_name_string_tag(int universal_tag, std::size_t length) noexcept {
    switch (universal_tag) {
    case 12: return string_tag::utf8_string;
    case 19: return string_tag::printable_string;
    case 20: return string_tag::teletex_string;
    case 22: return string_tag::ia5_string;
    case 28: return length % 4 == 0 ? string_tag::universal_string : string_tag::none;
    case 30: return length % 2 == 0 ? string_tag::bmp_string : string_tag::none;
    default: return string_tag::none;
    }
}

} // namespace detail

/// Walks an X.501 Name, `RDNSequence ::= SEQUENCE OF SET SIZE (1..MAX) OF
/// AttributeTypeAndValue` (RFC 5280 §4.1.2.4), and calls `v` for every id-at-commonName
/// (2.5.4.3) value in order of appearance, including each CN of a multi-valued RDN, until
/// it returns `visit::stop`. Each call carries `kind` common_name, the value's `tag`, and
/// its content octets undecoded.
///
/// CN values of another type, BMPStrings of odd length and UniversalStrings whose length
/// is not a multiple of 4 are delivered with `tag` none — never skipped, since the last CN
/// is the most specific (RFC 6125 §6.4.4) and skipping one would promote the one before
/// it. Returns false when the Name's framing does not parse (the walk goes on after a stop,
/// so that verdict is complete). Never allocates.
///
/// ```
/// svcid::visit_common_names(subject_der, [&](const svcid::presented_id& cn) noexcept {
///     last_cn = cn.value;
///     return svcid::visit::next;
/// });
/// ```
template <class Visitor>
constexpr bool visit_common_names(std::string_view name_der, Visitor&& v) noexcept {
    detail::check_visitor<Visitor>();
    auto name = detail::read_exact(name_der, detail::der_tag::sequence);
    if (!name) return false;
    detail::der_reader rdns(name->content);
    detail::der_tlv rdn, atv, type, value;
    bool stopped = false;
    while (!rdns.empty()) {
        if (rdns.expect(detail::der_tag::set, rdn) != errc::ok || rdn.content.empty()) return false;
        detail::der_reader atvs(rdn.content);
        while (!atvs.empty()) {
            if (atvs.expect(detail::der_tag::sequence, atv) != errc::ok) return false;
            detail::der_reader parts(atv.content);
            if (parts.expect(detail::der_tag::oid, type) != errc::ok || parts.next(value) != errc::ok || !parts.empty())
                return false;
            if (stopped || type.content != detail::oid::at_common_name) continue;
            const string_tag tag = detail::common_name_string_tag(value.tag, value.content.size());
            const presented_id id{presented_kind::common_name, tag, value.content, {}};
            if (v(id) == visit::stop) stopped = true;
        }
    }
    return true;
}

SVCID_END_NAMESPACE

#endif
