// A throwaway certificate authority in memory, for svcid's examples: EC P-256 keys, a CA,
// and leaf certificates with whatever subjectAltName the example needs, written in
// OpenSSL's configuration syntax ("DNS:a.example, IP:127.0.0.1, URI:spiffe://td/x").
// Nothing touches the disk. Failures print OpenSSL's reason and exit: this is example code.
#ifndef SVCID_EXAMPLE_PKI_HPP
#define SVCID_EXAMPLE_PKI_HPP

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

namespace svcid_example {

struct x509_free { void operator()(X509* p) const noexcept { X509_free(p); } };
struct pkey_free { void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); } };
using x509_ptr = std::unique_ptr<X509, x509_free>;
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;

[[noreturn]] inline void die(const char* what) {
    char reason[256] = "no OpenSSL error queued";
    if (unsigned long code = ERR_get_error()) ERR_error_string_n(code, reason, sizeof reason);
    std::fprintf(stderr, "pki: %s: %s\n", what, reason);
    std::exit(2);
}

inline void need(bool ok, const char* what) {
    if (!ok) die(what);
}

/// A certificate and its private key.
struct credential {
    x509_ptr cert;
    pkey_ptr key;
};

inline pkey_ptr make_key() {
    std::unique_ptr<EVP_PKEY_CTX, void (*)(EVP_PKEY_CTX*)> ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_EC, nullptr), EVP_PKEY_CTX_free);
    need(ctx && EVP_PKEY_keygen_init(ctx.get()) == 1 &&
             EVP_PKEY_CTX_set_ec_paramgen_curve_nid(ctx.get(), NID_X9_62_prime256v1) == 1,
         "EC key parameters");
    EVP_PKEY* key = nullptr;
    need(EVP_PKEY_keygen(ctx.get(), &key) == 1, "EVP_PKEY_keygen");
    return pkey_ptr(key);
}

inline void add_extension(X509* cert, const X509* issuer, int nid, const std::string& value) {
    X509V3_CTX v3;
    X509V3_set_ctx(&v3, const_cast<X509*>(issuer), cert, nullptr, nullptr, 0);
    std::string text = value;  // OpenSSL 1.1.1 takes a non-const char*
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, &text[0]);
    need(ext != nullptr, "X509V3_EXT_conf_nid");
    need(X509_add_ext(cert, ext, -1) == 1, "X509_add_ext");
    X509_EXTENSION_free(ext);
}

/// What a certificate should say; validity is in seconds relative to now.
struct leaf_spec {
    std::string common_name;
    std::string subject_alt_name;  ///< OpenSSL syntax; empty for none
    long not_before = -3600;
    long not_after = 7L * 24 * 3600;
};

inline credential make_certificate(const leaf_spec& spec, const credential* issuer, bool ca) {
    static long serial = 1;
    credential out;
    out.key = make_key();
    out.cert.reset(X509_new());
    X509* x = out.cert.get();
    need(x != nullptr, "X509_new");
    need(X509_set_version(x, 2) == 1 && ASN1_INTEGER_set(X509_get_serialNumber(x), serial++) == 1, "version, serial");
    need(X509_gmtime_adj(X509_getm_notBefore(x), spec.not_before) != nullptr &&
             X509_gmtime_adj(X509_getm_notAfter(x), spec.not_after) != nullptr,
         "validity");
    X509_NAME* subject = X509_get_subject_name(x);
    need(X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                                    reinterpret_cast<const unsigned char*>(spec.common_name.c_str()), -1, -1, 0) == 1,
         "subject CN");
    const X509* signer_cert = issuer != nullptr ? issuer->cert.get() : x;
    EVP_PKEY* signer_key = issuer != nullptr ? issuer->key.get() : out.key.get();
    need(X509_set_issuer_name(x, X509_get_subject_name(signer_cert)) == 1, "issuer name");
    need(X509_set_pubkey(x, out.key.get()) == 1, "X509_set_pubkey");
    add_extension(x, signer_cert, NID_subject_key_identifier, "hash");
    if (ca) {
        add_extension(x, signer_cert, NID_basic_constraints, "critical,CA:TRUE");
        add_extension(x, signer_cert, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        add_extension(x, signer_cert, NID_authority_key_identifier, "keyid");
        add_extension(x, signer_cert, NID_basic_constraints, "critical,CA:FALSE");
        add_extension(x, signer_cert, NID_ext_key_usage, "serverAuth,clientAuth");
        if (!spec.subject_alt_name.empty())
            add_extension(x, signer_cert, NID_subject_alt_name, spec.subject_alt_name);
    }
    need(X509_sign(x, signer_key, EVP_sha256()) > 0, "X509_sign");
    return out;
}

/// A self-signed CA named `name`.
inline credential make_ca(const std::string& name) { return make_certificate({name, "", -3600, 30L * 24 * 3600}, nullptr, true); }

/// A leaf certificate issued by `ca`.
inline credential issue(const credential& ca, const leaf_spec& spec) { return make_certificate(spec, &ca, false); }

} // namespace svcid_example

#endif
