// svcid/openssl/certificate.hpp — certificate adapters for OpenSSL's X509 and X509_REQ.
//
// This is the only svcid header that includes <openssl/...>, and the compatibility section
// below is the only place that knows about OpenSSL versions: the rest of svcid builds for
// users of other TLS stacks. The SAN is read as DER straight out of the X509 (no
// GENERAL_NAMES decoding, which allocates) and walked by the same visit_general_names the
// raw-DER adapter uses, so both adapters give the same answer for the same certificate.
#ifndef SVCID_OPENSSL_CERTIFICATE_HPP
#define SVCID_OPENSSL_CERTIFICATE_HPP

#include "../config.hpp"
#include "../syntax/general_names.hpp"
#include "../presented.hpp"
#include "../syntax/x501_name.hpp"

#include <openssl/asn1.h>
#include <openssl/objects.h>
#include <openssl/opensslv.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string_view>

// ---- OpenSSL compatibility -------------------------------------------------------------
// svcid uses only accessors present, with these signatures, in OpenSSL 1.1.1 and 3.x
// (ASN1_STRING_get0_data, X509_get_ext_by_NID on a const X509, X509_getm_*). LibreSSL's
// numbering is not comparable and is not supported.
#if OPENSSL_VERSION_NUMBER < 0x10101000L
#error "svcid/openssl.hpp needs OpenSSL 1.1.1 or later"
#endif

SVCID_BEGIN_NAMESPACE
namespace detail {

inline std::string_view asn1_view(const ASN1_STRING* s) noexcept {
    const int length = ASN1_STRING_length(s);
    if (length <= 0) return {};
    return {reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), static_cast<std::size_t>(length)};
}

template <class Visitor>
san_state visit_openssl_san(X509_EXTENSION* extension, Visitor& v) noexcept {
    const ASN1_OCTET_STRING* value = X509_EXTENSION_get_data(extension);
    if (value == nullptr) return san_state::malformed;
    return visit_general_names(asn1_view(value), v);
}

template <class Visitor>
bool visit_openssl_common_names(const X509_NAME* name, Visitor& v) noexcept {
    if (name == nullptr) return false;
    // OBJ_cmp against the built-in object, not OBJ_obj2nid: for an attribute type OpenSSL
    // does not know, OBJ_obj2nid takes the object table's lock, whose first use allocates.
    const ASN1_OBJECT* common_name = OBJ_nid2obj(NID_commonName);
    const int count = X509_NAME_entry_count(name);
    for (int i = 0; i < count; ++i) {
        const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, i);
        if (entry == nullptr || OBJ_cmp(X509_NAME_ENTRY_get_object(entry), common_name) != 0) continue;
        const ASN1_STRING* data = X509_NAME_ENTRY_get_data(entry);
        if (data == nullptr) continue;
        const std::string_view value = asn1_view(data);
        // An X509_NAME built in memory has had no length check, so the DER walker's rule is
        // applied here too.
        const string_tag tag = common_name_string_tag(ASN1_STRING_type(data), value.size());
        if (v(presented_id{presented_kind::common_name, tag, value, {}}) == visit::stop) break;
    }
    return true;
}

/// Where the one subjectAltName extension is: its index, or -1 when there is none, or -2
/// when there are two (RFC 5280 §4.2 allows one). OpenSSL's own loop finds the first and
/// then looks for a second after it: it runs inside libcrypto, where four calls per
/// extension from here (element, object, length, octets) cost more time than their
/// instructions suggest (one name: 103 -> 85 ns, for about 70 more instructions).
/// OBJ_nid2obj answers a built-in NID with a pointer into OpenSSL's static table, so it is
/// asked once, not on every handshake.
inline int find_openssl_san(const X509* cert) noexcept {
    static const ASN1_OBJECT* const san = OBJ_nid2obj(NID_subject_alt_name);
    // Never null for a built-in NID; if it were, "malformed" refuses where "absent" could
    // let the CN stand in.
    if (san == nullptr) return -2;
    const int at = X509_get_ext_by_OBJ(cert, san, -1);
    if (at < 0) return -1;
    return X509_get_ext_by_OBJ(cert, san, at) >= 0 ? -2 : at;
}

struct openssl_extensions_free {
    void operator()(STACK_OF(X509_EXTENSION)* s) const noexcept { sk_X509_EXTENSION_pop_free(s, X509_EXTENSION_free); }
};

} // namespace detail

/// A certificate adapter (see svcid/presented.hpp) over an OpenSSL `X509`.
///
/// Ownership: does not own or reference-count the X509; the caller keeps it alive and
/// unmodified while the adapter, or any presented_id it hands out, is in use (the views
/// point into the X509's own ASN1_STRINGs). Trivially copyable. Visiting never allocates,
/// neither through operator new nor OpenSSL's allocator.
///
/// ```
/// X509* peer = SSL_get0_peer_certificate(ssl);   // OpenSSL 3; SSL_get_peer_certificate in 1.1.1
/// svcid::openssl_certificate cert{peer};
/// ```
class openssl_certificate {
public:
    /// Adapts `cert` (not owned, may be null); the X509 must outlive the adapter.
    constexpr explicit openssl_certificate(const X509* cert) noexcept : cert_(cert) {}

    /// Walks the subjectAltName extension (RFC 5280 §4.2.1.6). Two SAN extensions (RFC 5280
    /// §4.2 allows one) are `malformed` and nothing is visited.
    template <class Visitor>
    san_state visit_subject_alt_names(Visitor&& v) const noexcept {
        if (cert_ == nullptr) return san_state::absent;
        const int at = detail::find_openssl_san(cert_);
        if (at == -1) return san_state::absent;
        if (at < 0) return san_state::malformed;
        return detail::visit_openssl_san(X509_get_ext(cert_, at), v);
    }

    /// Walks the subject's commonName entries in order (RFC 5280 §4.1.2.6).
    template <class Visitor>
    bool visit_common_names(Visitor&& v) const noexcept {
        return cert_ != nullptr && detail::visit_openssl_common_names(X509_get_subject_name(cert_), v);
    }

    /// Whether the subject Name has no attribute (RFC 5280 §4.1.2.6).
    bool subject_is_empty() const noexcept {
        return cert_ != nullptr && X509_NAME_entry_count(X509_get_subject_name(cert_)) == 0;
    }
    /// Whether the one subjectAltName extension is marked critical (RFC 5280 §4.2.1.6).
    bool san_is_critical() const noexcept {
        if (cert_ == nullptr) return false;
        const int at = detail::find_openssl_san(cert_);
        return at >= 0 && X509_EXTENSION_get_critical(X509_get_ext(cert_, at)) > 0;
    }

    /// The wrapped certificate (not owned).
    constexpr const X509* get() const noexcept { return cert_; }

private:
    const X509* cert_;
};

/// A certificate adapter over an OpenSSL `X509` that locates the subjectAltName extension
/// and the subject once, when it is made, for matching many references against one
/// certificate (a server checking a client certificate against a list of allowed peers, a
/// proxy checking one upstream's certificate for several names). Each match then walks the
/// SAN's DER directly, with no extension lookup. Answers exactly as openssl_certificate.
///
/// Ownership: holds views into the X509's own extension and subject, so the X509 must stay
/// alive and unmodified while the prepared certificate, or any presented_id it hands out,
/// is in use. Trivially copyable. Neither preparing nor visiting allocates.
///
/// ```
/// const svcid::openssl_prepared_certificate cert{peer};
/// for (const auto& allowed : allowed_peers) if (svcid::match(cert, allowed)) return true;
/// ```
class openssl_prepared_certificate {
public:
    /// Adapts `cert` (not owned, may be null); the X509 must outlive the adapter.
    explicit openssl_prepared_certificate(const X509* cert) noexcept {
        if (cert == nullptr) return;
        subject_ = X509_get_subject_name(cert);
        const int at = detail::find_openssl_san(cert);
        if (at == -1) return;
        const ASN1_OCTET_STRING* value = at < 0 ? nullptr : X509_EXTENSION_get_data(X509_get_ext(cert, at));
        if (value == nullptr) {
            san_ = san_state::malformed;
            return;
        }
        san_ = san_state::present;
        san_critical_ = X509_EXTENSION_get_critical(X509_get_ext(cert, at)) > 0;
        san_der_ = detail::asn1_view(value);
    }

    /// Walks the subjectAltName extension found at preparation (RFC 5280 §4.2.1.6); two
    /// SAN extensions are `malformed` and nothing is visited.
    template <class Visitor>
    san_state visit_subject_alt_names(Visitor&& v) const noexcept {
        if (san_ != san_state::present) return san_;
        return visit_general_names(san_der_, v);
    }

    /// Walks the subject's commonName entries in order (RFC 5280 §4.1.2.6).
    template <class Visitor>
    bool visit_common_names(Visitor&& v) const noexcept {
        return detail::visit_openssl_common_names(subject_, v);
    }

    /// Whether the subject Name has no attribute (RFC 5280 §4.1.2.6).
    bool subject_is_empty() const noexcept { return subject_ != nullptr && X509_NAME_entry_count(subject_) == 0; }
    /// Whether the subjectAltName extension is marked critical (RFC 5280 §4.2.1.6).
    bool san_is_critical() const noexcept { return san_critical_; }

private:
    std::string_view san_der_;
    const X509_NAME* subject_ = nullptr;
    san_state san_ = san_state::absent;
    bool san_critical_ = false;
};

/// A certificate adapter over an OpenSSL certificate signing request (`X509_REQ`), for a
/// CA or an enrolment service checking the identities a CSR asks for (RFC 2986; the SAN is
/// in the PKCS #9 extensionRequest attribute, RFC 2985 §5.4.2).
///
/// Ownership: does not own the X509_REQ, which must outlive the adapter. It does own the
/// extension list OpenSSL decodes from the request: the constructor allocates it (this is
/// an enrolment-time object, not the handshake path), the destructor frees it, and the
/// SAN views point into it, so presented_ids live as long as the adapter. Move-only.
class openssl_csr {
public:
    /// Decodes the requested extensions. A malformed extensionRequest attribute leaves the
    /// SAN `malformed`; OpenSSL may push a reason onto its error queue.
    explicit openssl_csr(X509_REQ* request) noexcept : request_(request) {
        if (request_ == nullptr) return;
        extensions_.reset(X509_REQ_get_extensions(request_));
        // X509_REQ_get_extensions answers nullptr both for a broken attribute and, in
        // OpenSSL 1.1.1, for no attribute at all; the attribute's presence tells them apart.
        if (!extensions_)
            broken_ = X509_REQ_get_attr_by_NID(request_, NID_ext_req, -1) >= 0 ||
                      X509_REQ_get_attr_by_NID(request_, NID_ms_ext_req, -1) >= 0;
    }

    /// Walks the requested subjectAltName; `malformed` when it is requested twice.
    template <class Visitor>
    san_state visit_subject_alt_names(Visitor&& v) const noexcept {
        if (broken_) return san_state::malformed;
        if (!extensions_) return san_state::absent;
        const int at = X509v3_get_ext_by_NID(extensions_.get(), NID_subject_alt_name, -1);
        if (at < 0) return san_state::absent;
        if (X509v3_get_ext_by_NID(extensions_.get(), NID_subject_alt_name, at) >= 0) return san_state::malformed;
        return detail::visit_openssl_san(X509v3_get_ext(extensions_.get(), at), v);
    }

    /// Walks the requested subject's commonName entries in order.
    template <class Visitor>
    bool visit_common_names(Visitor&& v) const noexcept {
        return request_ != nullptr && detail::visit_openssl_common_names(X509_REQ_get_subject_name(request_), v);
    }

private:
    X509_REQ* request_;
    std::unique_ptr<STACK_OF(X509_EXTENSION), detail::openssl_extensions_free> extensions_;
    bool broken_ = false;
};

SVCID_END_NAMESPACE

#endif
