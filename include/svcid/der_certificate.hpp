// svcid/der_certificate.hpp — the certificate adapter for raw DER, with no TLS library.
//
// For stacks other than OpenSSL (mbedTLS, Schannel, rustls via FFI, a certificate read
// from a file) the peer's certificate is available as DER bytes. This adapter locates the
// subject and the subjectAltName in those bytes once, at parse time, and then visits them
// with the same walkers the OpenSSL adapter uses.
#ifndef SVCID_DER_CERTIFICATE_HPP
#define SVCID_DER_CERTIFICATE_HPP

#include "config.hpp"
#include "syntax/der.hpp"
#include "error.hpp"
#include "syntax/general_names.hpp"
#include "presented.hpp"
#include "result.hpp"
#include "syntax/x501_name.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>

SVCID_BEGIN_NAMESPACE

class der_certificate;
constexpr result<der_certificate> parse_der_certificate(std::string_view der SVCID_LIFETIMEBOUND) noexcept;
namespace detail {
constexpr bool scan_der_certificate(std::string_view der, der_certificate& out) noexcept;
constexpr result<der_certificate> parse_der_certificate_exactly(std::string_view der) noexcept;
} // namespace detail

/// A certificate adapter (see svcid/presented.hpp) over one DER-encoded X.509 certificate.
///
/// Ownership: a der_certificate is a pair of views into the bytes given to
/// parse_der_certificate(); the caller owns those bytes and must keep them alive and
/// unchanged while the der_certificate, or any presented_id it hands out, is in use.
/// Trivially copyable; a default-constructed one has no subject and no SAN.
///
/// ```
/// auto cert = svcid::parse_der_certificate(peer_der);
/// if (!cert) return reject(cert.error());
/// cert->visit_subject_alt_names(visitor);
/// ```
class der_certificate {
public:
    constexpr der_certificate() noexcept = default;

    /// Visits the subjectAltName's GeneralNames (RFC 5280 §4.2.1.6) per the adapter
    /// contract. A certificate with two subjectAltName extensions (forbidden by RFC 5280
    /// §4.2) is `malformed` and nothing is visited: svcid will not pick one of them.
    template <class Visitor>
    constexpr san_state visit_subject_alt_names(Visitor&& v) const noexcept {
        if (san_state_ != san_state::present) return san_state_;
        return visit_general_names(san_, v);
    }

    /// Visits the subject's commonName values (RFC 5280 §4.1.2.6) per the adapter contract.
    template <class Visitor>
    constexpr bool visit_common_names(Visitor&& v) const noexcept {
        return svcid::visit_common_names(subject_, v);
    }

    /// Whether the subject Name is an empty SEQUENCE (RFC 5280 §4.1.2.6); in DER that is
    /// exactly its two octets of tag and zero length.
    constexpr bool subject_is_empty() const noexcept { return subject_.size() == 2; }
    /// Whether the subjectAltName extension is marked critical (RFC 5280 §4.2.1.6).
    constexpr bool san_is_critical() const noexcept { return san_critical_; }

    /// The subject Name's DER, tag and length included.
    constexpr std::string_view subject_der() const noexcept { return subject_; }
    /// The subjectAltName extnValue (the OCTET STRING's content); empty when absent.
    constexpr std::string_view subject_alt_name_der() const noexcept { return san_; }

private:
    friend constexpr bool detail::scan_der_certificate(std::string_view der, der_certificate& out) noexcept;
    friend constexpr result<der_certificate> detail::parse_der_certificate_exactly(std::string_view der) noexcept;

    std::string_view subject_;
    std::string_view san_;
    san_state san_state_ = san_state::absent;
    bool san_critical_ = false;
};

namespace detail {

constexpr std::size_t offset_in(std::string_view whole, std::string_view part) noexcept {
    return static_cast<std::size_t>(part.data() - whole.data());
}

/// The element at `p` (before `end`) when it carries `tag` and a DER length of at most three
/// octets: `p` moves to its content and `content_end` past it. Any other form, well formed
/// or not, is false, and parse_der_certificate() then takes the exact reader, which knows
/// every form and every error.
SVCID_HOT_INLINE constexpr bool der_enter(const char*& p, const char* end, std::uint8_t tag,
                                          const char*& content_end) noexcept {
    const auto available = static_cast<std::size_t>(end - p);
    if (available < 2 || static_cast<std::uint8_t>(p[0]) != tag) return false;
    std::size_t length = static_cast<std::uint8_t>(p[1]);
    std::size_t header = 2;
    if (length >= 0x80) {
        // Minimal long forms only (X.690 §10.1): each has a first octet that is not zero.
        header += length & 0x7Fu;
        if (header > 5 || header == 2 || available < header || p[2] == 0) return false;
        length = 0;
        for (std::size_t i = 2; i < header; ++i) length = (length << 8) | static_cast<std::uint8_t>(p[i]);
        if (length < 0x80) return false;
    }
    if (length > available - header) return false;
    p += header;
    content_end = p + length;
    return true;
}

SVCID_HOT_INLINE constexpr bool der_skip(const char*& p, const char* end, std::uint8_t tag) noexcept {
    const char* next = nullptr;
    if (!der_enter(p, end, tag, next)) return false;
    p = next;
    return true;
}

SVCID_HOT_INLINE constexpr bool der_skip_optional(const char*& p, const char* end, std::uint8_t tag) noexcept {
    return p == end || static_cast<std::uint8_t>(*p) != tag || der_skip(p, end, tag);
}

constexpr result<der_certificate> parse_der_certificate_exactly(std::string_view der) noexcept {
    auto fail = [der](errc code, std::string_view where, std::size_t at) noexcept {
        return result<der_certificate>{code, offset_in(der, where) + at};
    };

    auto cert = read_tlv(der);
    if (!cert) return cert.error();
    if (cert->tag != der_tag::sequence) return {errc::der_bad_tag, 0};
    if (cert->encoding.size() != der.size()) return {errc::der_trailing_bytes, cert->encoding.size()};

    der_reader top(cert->content);
    der_tlv tbs, algorithm, signature;
    errc e = top.expect(der_tag::sequence, tbs);
    if (e == errc::ok) e = top.expect(der_tag::sequence, algorithm);
    if (e == errc::ok) e = top.expect(der_tag::bit_string, signature);
    if (e != errc::ok) return fail(e, cert->content, top.offset());
    if (!top.empty()) return fail(errc::der_trailing_bytes, cert->content, top.offset());

    der_reader fields(tbs.content);
    der_tlv version, serial, tbs_algorithm, issuer, validity, subject, spki, unique_id, extensions;
    bool present = false;
    constexpr std::uint8_t explicit_tag = der_tag::context | der_tag::constructed;
    e = fields.optional(explicit_tag | 0, version, present);
    if (e == errc::ok) e = fields.expect(der_tag::integer, serial);
    if (e == errc::ok) e = fields.expect(der_tag::sequence, tbs_algorithm);
    if (e == errc::ok) e = fields.expect(der_tag::sequence, issuer);
    if (e == errc::ok) e = fields.expect(der_tag::sequence, validity);
    if (e == errc::ok) e = fields.expect(der_tag::sequence, subject);
    if (e == errc::ok) e = fields.expect(der_tag::sequence, spki);
    if (e == errc::ok) e = fields.optional(der_tag::context | 1, unique_id, present);
    if (e == errc::ok) e = fields.optional(der_tag::context | 2, unique_id, present);
    bool has_extensions = false;
    if (e == errc::ok) e = fields.optional(explicit_tag | 3, extensions, has_extensions);
    if (e != errc::ok) return fail(e, tbs.content, fields.offset());
    if (!fields.empty()) return fail(errc::der_trailing_bytes, tbs.content, fields.offset());

    der_certificate out;
    out.subject_ = subject.encoding;
    if (!has_extensions) return out;

    // Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension, under [3] EXPLICIT.
    auto list = read_exact(extensions.content, der_tag::sequence);
    if (!list) return fail(errc::certificate_malformed, extensions.content, 0);
    if (list->content.empty()) return fail(errc::certificate_malformed, list->content, 0);
    der_reader exts(list->content);
    der_tlv extension, extn_id, critical, extn_value;
    while (!exts.empty()) {
        const std::size_t at = exts.offset();
        if (exts.expect(der_tag::sequence, extension) != errc::ok) return fail(errc::certificate_malformed, list->content, at);
        der_reader parts(extension.content);
        bool is_critical_present = false;
        if (parts.expect(der_tag::oid, extn_id) != errc::ok ||
            parts.optional(der_tag::boolean, critical, is_critical_present) != errc::ok ||
            parts.expect(der_tag::octet_string, extn_value) != errc::ok || !parts.empty())
            return fail(errc::certificate_malformed, list->content, at);
        const bool is_san = same_octets(extn_id.content, oid::ce_subject_alt_name);
        // DER: TRUE is 0xFF (X.690 §11.1) and the DEFAULT FALSE is omitted (§11.5). An
        // explicit FALSE (01 01 00) is BER that OpenSSL and old CA software write; on an
        // extension svcid never reads it cannot change a name decision, so it is accepted
        // there for availability. The SAN itself is read as DER only.
        if (is_critical_present && !same_octets(critical.content, std::string_view("\xFF", 1)) &&
            (is_san || !same_octets(critical.content, std::string_view("\x00", 1))))
            return fail(errc::certificate_malformed, list->content, at);
        if (!is_san) continue;
        if (out.san_state_ == san_state::absent) {
            out.san_state_ = san_state::present;
            out.san_ = extn_value.content;
            out.san_critical_ = is_critical_present;
        } else {
            out.san_state_ = san_state::malformed;
        }
    }
    return out;
}

/// The common case of parse_der_certificate_exactly(), in one pass that keeps only the
/// subject and the SAN: true with `out` filled when the certificate is one the exact reader
/// accepts, with the same result; false, with `out` unspecified, when it cannot tell (any
/// error, and any form it does not take: lengths of four octets, an explicit critical FALSE).
/// It reads each element's header once and keeps nothing of the fields it only frames,
/// which is what brings "DER in, answer out" near the cost of walking to the SAN.
constexpr bool scan_der_certificate(std::string_view der, der_certificate& out) noexcept {
    const char* p = der.data();
    const char* const end = p + der.size();
    const char* cert_end = nullptr;
    const char* tbs_end = nullptr;
    if (!der_enter(p, end, der_tag::sequence, cert_end) || cert_end != end) return false;
    if (!der_enter(p, cert_end, der_tag::sequence, tbs_end)) return false;
    const char* after_tbs = tbs_end;
    if (!der_skip(after_tbs, cert_end, der_tag::sequence) || !der_skip(after_tbs, cert_end, der_tag::bit_string) ||
        after_tbs != cert_end)
        return false;

    constexpr std::uint8_t explicit_tag = der_tag::context | der_tag::constructed;
    if (!der_skip_optional(p, tbs_end, explicit_tag | 0) || !der_skip(p, tbs_end, der_tag::integer) ||
        !der_skip(p, tbs_end, der_tag::sequence) || !der_skip(p, tbs_end, der_tag::sequence) ||
        !der_skip(p, tbs_end, der_tag::sequence))
        return false;
    const char* const subject = p;
    if (!der_skip(p, tbs_end, der_tag::sequence)) return false;
    out.subject_ = std::string_view(subject, static_cast<std::size_t>(p - subject));
    if (!der_skip(p, tbs_end, der_tag::sequence) || !der_skip_optional(p, tbs_end, der_tag::context | 1) ||
        !der_skip_optional(p, tbs_end, der_tag::context | 2))
        return false;
    out.san_ = {};
    out.san_state_ = san_state::absent;
    out.san_critical_ = false;
    if (p == tbs_end) return true;

    const char* extensions_end = nullptr;
    const char* list_end = nullptr;
    if (!der_enter(p, tbs_end, explicit_tag | 3, extensions_end) || extensions_end != tbs_end ||
        !der_enter(p, extensions_end, der_tag::sequence, list_end) || list_end != extensions_end || p == list_end)
        return false;
    while (p != list_end) {
        const char* extension_end = nullptr;
        const char* oid_end = nullptr;
        if (!der_enter(p, list_end, der_tag::sequence, extension_end) ||
            !der_enter(p, extension_end, der_tag::oid, oid_end))
            return false;
        const bool is_san = same_octets(std::string_view(p, static_cast<std::size_t>(oid_end - p)), oid::ce_subject_alt_name);
        p = oid_end;
        bool critical = false;
        if (p != extension_end && static_cast<std::uint8_t>(*p) == der_tag::boolean) {
            if (extension_end - p < 3 || p[1] != 1 || static_cast<std::uint8_t>(p[2]) != 0xFF) return false;
            critical = true;
            p += 3;
        }
        const char* value_end = nullptr;
        if (!der_enter(p, extension_end, der_tag::octet_string, value_end) || value_end != extension_end) return false;
        if (is_san) {
            if (out.san_state_ != san_state::absent) return false;
            out.san_state_ = san_state::present;
            out.san_ = std::string_view(p, static_cast<std::size_t>(value_end - p));
            out.san_critical_ = critical;
        }
        p = extension_end;
    }
    return true;
}

} // namespace detail

/// Reads one DER X.509 certificate (RFC 5280 §4.1) far enough to find its subject and its
/// subjectAltName extension; the signature is not checked (that is the TLS library's job,
/// before identity checks). Every TBSCertificate field is framed and tag-checked; the
/// subject's and the SAN's contents are read only when visited, so a broken SAN does not
/// stop a caller from reporting it as such.
///
/// Errors: the DER reader's (`der_truncated`, `der_bad_tag`, `der_bad_length`,
/// `der_indefinite_length`); `der_trailing_bytes` when anything follows the Certificate or
/// a structure's last field; `certificate_malformed` for an empty or badly framed extension
/// list, or a `critical` flag that is not DER (0xFF, or omitted for FALSE) — except an
/// explicit FALSE on an extension other than the subjectAltName, which is accepted. The
/// error offset is into `der`. Never allocates.
constexpr result<der_certificate> parse_der_certificate(std::string_view der SVCID_LIFETIMEBOUND) noexcept {
    der_certificate out;
    if (detail::scan_der_certificate(der, out)) return out;
    return detail::parse_der_certificate_exactly(der);
}

// The result views the bytes: a temporary string would be destroyed while it is in use
// (parse_der_certificate(read_file("x.der"))), so that call does not compile. A template,
// so that it is an exact match for an rvalue std::string only, as std::regex_search's
// deleted overloads are: literals and named strings still take the string_view.
template <class String, std::enable_if_t<std::is_same<std::remove_cv_t<String>, std::string>::value, int> = 0>
result<der_certificate> parse_der_certificate(String&&) = delete;

SVCID_END_NAMESPACE

#endif
