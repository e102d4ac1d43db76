// Test certificates made at run time with OpenSSL: keys, self-signed or CA-signed X.509
// certificates and CSRs, with subjects and subjectAltNames that may be as strange as a
// test needs (multi-valued RDNs, BMPString CNs, NULs, raw otherName values, a SAN whose
// extnValue is arbitrary bytes, a SAN twice). The SAN's DER is written by der_writer.hpp,
// not by OpenSSL's GENERAL_NAME code, so nothing sanitises it on the way in.
//
// Failures throw std::runtime_error with OpenSSL's reason (abort without exceptions): this
// is test code.
#ifndef SVCID_TEST_CERT_BUILDER_HPP
#define SVCID_TEST_CERT_BUILDER_HPP

#include "der_writer.hpp"

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>  // EVP_PKEY_CTX_set_rsa_keygen_bits, not reached through x509.h under OPENSSL_NO_DEPRECATED
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace svcid_test {

struct x509_free { void operator()(X509* p) const noexcept { X509_free(p); } };
struct x509_req_free { void operator()(X509_REQ* p) const noexcept { X509_REQ_free(p); } };
struct evp_pkey_free { void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); } };
struct evp_pkey_ctx_free { void operator()(EVP_PKEY_CTX* p) const noexcept { EVP_PKEY_CTX_free(p); } };
struct x509_name_free { void operator()(X509_NAME* p) const noexcept { X509_NAME_free(p); } };
struct x509_extension_free { void operator()(X509_EXTENSION* p) const noexcept { X509_EXTENSION_free(p); } };
struct asn1_octet_string_free { void operator()(ASN1_OCTET_STRING* p) const noexcept { ASN1_OCTET_STRING_free(p); } };
struct asn1_object_free { void operator()(ASN1_OBJECT* p) const noexcept { ASN1_OBJECT_free(p); } };
struct extension_stack_free {
    void operator()(STACK_OF(X509_EXTENSION)* p) const noexcept { sk_X509_EXTENSION_pop_free(p, X509_EXTENSION_free); }
};

using x509_ptr = std::unique_ptr<X509, x509_free>;
using x509_req_ptr = std::unique_ptr<X509_REQ, x509_req_free>;
using pkey_ptr = std::unique_ptr<EVP_PKEY, evp_pkey_free>;

[[noreturn]] inline void openssl_failure(const char* what) {
    char reason[256] = "no OpenSSL error queued";
    if (unsigned long code = ERR_get_error()) ERR_error_string_n(code, reason, sizeof reason);
    ERR_clear_error();
#if defined(__cpp_exceptions)
    throw std::runtime_error(std::string("cert_builder: ") + what + ": " + reason);
#else
    // The -fno-exceptions configuration builds these tests too; a test that cannot make
    // its certificate must still stop loudly.
    std::fprintf(stderr, "cert_builder: %s: %s\n", what, reason);
    std::abort();
#endif
}

inline void check(int ok, const char* what) {
    if (ok <= 0) openssl_failure(what);
}

template <class T>
T* check(T* p, const char* what) {
    if (p == nullptr) openssl_failure(what);
    return p;
}

enum class key_type { ec_p256, rsa_2048, ed25519 };

inline pkey_ptr make_key(key_type type = key_type::ec_p256) {
    const int id = type == key_type::ec_p256 ? EVP_PKEY_EC : type == key_type::rsa_2048 ? EVP_PKEY_RSA : EVP_PKEY_ED25519;
    std::unique_ptr<EVP_PKEY_CTX, evp_pkey_ctx_free> ctx(check(EVP_PKEY_CTX_new_id(id, nullptr), "EVP_PKEY_CTX_new_id"));
    check(EVP_PKEY_keygen_init(ctx.get()), "EVP_PKEY_keygen_init");
    if (type == key_type::ec_p256)
        check(EVP_PKEY_CTX_set_ec_paramgen_curve_nid(ctx.get(), NID_X9_62_prime256v1), "set curve");
    if (type == key_type::rsa_2048) check(EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), 2048), "set RSA bits");
    EVP_PKEY* key = nullptr;
    check(EVP_PKEY_keygen(ctx.get(), &key), "EVP_PKEY_keygen");
    return pkey_ptr(key);
}

/// One attribute of a subject RDN. `string_type` is the ASN.1 universal tag the value is
/// stored under (V_ASN1_UTF8STRING, V_ASN1_BMPSTRING, ...); `value` is the content octets,
/// taken verbatim (NULs, odd-length BMP and all).
struct name_attribute {
    std::string type;  ///< dotted OID or OpenSSL short name ("CN", "O", "2.5.4.3")
    int string_type = V_ASN1_UTF8STRING;
    std::string value;
};
using rdn = std::vector<name_attribute>;

inline name_attribute cn(std::string value, int string_type = V_ASN1_UTF8STRING) {
    return {"CN", string_type, std::move(value)};
}

/// What to put in a certificate or CSR. The default is an EC P-256, self-signed end-entity
/// certificate valid from an hour ago for 30 days, with neither subject nor SAN.
struct cert_spec {
    std::vector<rdn> subject;
    /// GeneralName DER, one per entry (der::dns("a.example"), der::ip(...), ...). The SAN
    /// extension is added when this is non-empty or `san_raw` is set.
    std::vector<std::string> san;
    /// When set, the SAN extnValue verbatim instead of SEQUENCE OF `san`.
    std::optional<std::string> san_raw;
    int san_copies = 1;  ///< 2 adds the same SAN extension twice
    bool san_critical = false;
    long not_before_offset = -3600;  ///< seconds from now
    long not_after_offset = 30L * 24 * 3600;
    bool ca = false;
    key_type key = key_type::ec_p256;

    cert_spec& subject_cn(std::string value, int string_type = V_ASN1_UTF8STRING) {
        subject.push_back({cn(std::move(value), string_type)});
        return *this;
    }
    cert_spec& add_san(std::string general_name_der) {
        san.push_back(std::move(general_name_der));
        return *this;
    }
    bool has_san() const { return san_raw.has_value() || !san.empty(); }
    std::string san_extn_value() const {
        if (san_raw) return *san_raw;
        std::string names;
        for (const auto& n : san) names += n;
        return der::tlv(0x30, names);
    }
};

inline std::unique_ptr<X509_NAME, x509_name_free> make_name(const std::vector<rdn>& rdns) {
    std::unique_ptr<X509_NAME, x509_name_free> name(check(X509_NAME_new(), "X509_NAME_new"));
    for (const auto& attributes : rdns) {
        bool first = true;
        for (const auto& a : attributes) {
            std::unique_ptr<ASN1_OBJECT, asn1_object_free> type(check(OBJ_txt2obj(a.type.c_str(), 0), "OBJ_txt2obj"));
            // set 0 opens a new RDN; -1 joins the previous one, making it multi-valued.
            check(X509_NAME_add_entry_by_OBJ(name.get(), type.get(), a.string_type,
                                             reinterpret_cast<const unsigned char*>(a.value.data()),
                                             static_cast<int>(a.value.size()), -1, first ? 0 : -1),
                  "X509_NAME_add_entry_by_OBJ");
            first = false;
        }
    }
    return name;
}

inline std::unique_ptr<X509_EXTENSION, x509_extension_free> make_extension(int nid, bool critical, const std::string& value) {
    std::unique_ptr<ASN1_OCTET_STRING, asn1_octet_string_free> data(check(ASN1_OCTET_STRING_new(), "ASN1_OCTET_STRING_new"));
    check(ASN1_OCTET_STRING_set(data.get(), reinterpret_cast<const unsigned char*>(value.data()), static_cast<int>(value.size())),
          "ASN1_OCTET_STRING_set");
    return std::unique_ptr<X509_EXTENSION, x509_extension_free>(
        check(X509_EXTENSION_create_by_NID(nullptr, nid, critical ? 1 : 0, data.get()), "X509_EXTENSION_create_by_NID"));
}

inline const EVP_MD* digest_for(const EVP_PKEY* key) {
    return EVP_PKEY_id(key) == EVP_PKEY_ED25519 ? nullptr : EVP_sha256();
}

/// A certificate with its key and DER encoding.
struct built_certificate {
    x509_ptr cert;
    pkey_ptr key;
    std::string der;
};

/// Who signs: a CA certificate and its key. Omitted: the certificate signs itself.
struct issuer_ref {
    const X509* cert = nullptr;
    EVP_PKEY* key = nullptr;
};

inline std::string to_der(const X509* cert) {
    const int length = i2d_X509(cert, nullptr);
    check(length, "i2d_X509");
    std::string out(static_cast<std::size_t>(length), '\0');
    auto* p = reinterpret_cast<unsigned char*>(&out[0]);
    check(i2d_X509(cert, &p), "i2d_X509");
    return out;
}

inline built_certificate make_certificate(const cert_spec& spec, issuer_ref issuer = {}) {
    static long serial = 1;
    built_certificate out;
    out.key = make_key(spec.key);
    out.cert.reset(check(X509_new(), "X509_new"));
    X509* x = out.cert.get();
    check(X509_set_version(x, 2), "X509_set_version");
    check(ASN1_INTEGER_set(X509_get_serialNumber(x), serial++), "serial");
    check(X509_gmtime_adj(X509_getm_notBefore(x), spec.not_before_offset) != nullptr, "notBefore");
    check(X509_gmtime_adj(X509_getm_notAfter(x), spec.not_after_offset) != nullptr, "notAfter");
    auto subject = make_name(spec.subject);
    check(X509_set_subject_name(x, subject.get()), "X509_set_subject_name");
    check(X509_set_issuer_name(x, issuer.cert != nullptr ? X509_get_subject_name(issuer.cert) : subject.get()),
          "X509_set_issuer_name");
    check(X509_set_pubkey(x, out.key.get()), "X509_set_pubkey");
    if (spec.ca) {
        // BasicConstraints { cA TRUE } (RFC 5280 §4.2.1.9), critical as a CA's must be.
        auto bc = make_extension(NID_basic_constraints, true, der::seq({der::tlv(0x01, "\xFF")}));
        check(X509_add_ext(x, bc.get(), -1), "X509_add_ext basicConstraints");
    }
    if (spec.has_san()) {
        auto san = make_extension(NID_subject_alt_name, spec.san_critical, spec.san_extn_value());
        for (int i = 0; i < spec.san_copies; ++i) check(X509_add_ext(x, san.get(), -1), "X509_add_ext subjectAltName");
    }
    EVP_PKEY* signer = issuer.key != nullptr ? issuer.key : out.key.get();
    check(X509_sign(x, signer, digest_for(signer)), "X509_sign");
    out.der = to_der(x);
    return out;
}

/// A self-signed CA certificate named `cn`.
inline built_certificate make_ca(const char* cn) {
    cert_spec spec;
    spec.subject_cn(cn);
    spec.ca = true;
    return make_certificate(spec);
}

/// A leaf (CN "leaf") issued by `ca` with one SAN entry (der::dns, der::uri, ...).
inline built_certificate issue_leaf(const built_certificate& ca, std::string san) {
    cert_spec spec;
    spec.subject_cn("leaf");
    spec.add_san(std::move(san));
    return make_certificate(spec, {ca.cert.get(), ca.key.get()});
}

/// A CSR (PKCS #10) with the spec's subject and, in an extensionRequest, its SAN.
struct built_request {
    x509_req_ptr request;
    pkey_ptr key;
};

inline built_request make_request(const cert_spec& spec) {
    built_request out;
    out.key = make_key(spec.key);
    out.request.reset(check(X509_REQ_new(), "X509_REQ_new"));
    X509_REQ* req = out.request.get();
    check(X509_REQ_set_version(req, 0), "X509_REQ_set_version");
    auto subject = make_name(spec.subject);
    check(X509_REQ_set_subject_name(req, subject.get()), "X509_REQ_set_subject_name");
    check(X509_REQ_set_pubkey(req, out.key.get()), "X509_REQ_set_pubkey");
    if (spec.has_san()) {
        std::unique_ptr<STACK_OF(X509_EXTENSION), extension_stack_free> extensions(
            check(sk_X509_EXTENSION_new_null(), "sk_X509_EXTENSION_new_null"));
        for (int i = 0; i < spec.san_copies; ++i) {
            auto san = make_extension(NID_subject_alt_name, spec.san_critical, spec.san_extn_value());
            check(sk_X509_EXTENSION_push(extensions.get(), san.get()), "sk_X509_EXTENSION_push");
            san.release();
        }
        check(X509_REQ_add_extensions(req, extensions.get()), "X509_REQ_add_extensions");
    }
    check(X509_REQ_sign(req, out.key.get(), digest_for(out.key.get())), "X509_REQ_sign");
    return out;
}

} // namespace svcid_test

#endif
