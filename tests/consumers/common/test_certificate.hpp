// A self-signed certificate made in-process with plain OpenSSL calls, for the consumer
// programs and the README examples' driver. No exceptions and no svcid test support, so it
// builds in every route (pkg-config, single header) and under -fno-exceptions.
#ifndef SVCID_CONSUMER_TEST_CERTIFICATE_HPP
#define SVCID_CONSUMER_TEST_CERTIFICATE_HPP

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace svcid_consumer {

struct x509_free {
    void operator()(X509* p) const noexcept { X509_free(p); }
};
struct pkey_free {
    void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};

/// An Ed25519 certificate with subject CN "consumer" and the subjectAltName `san`, in
/// OpenSSL's configuration syntax ("DNS:a.example,URI:spiffe://td/x"); nullptr when
/// OpenSSL fails.
inline std::unique_ptr<X509, x509_free> make_certificate(const char* san) {
    std::unique_ptr<EVP_PKEY, pkey_free> key;
    EVP_PKEY* raw = nullptr;
    EVP_PKEY_CTX* kctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr);
    if (kctx && EVP_PKEY_keygen_init(kctx) == 1 && EVP_PKEY_keygen(kctx, &raw) == 1) key.reset(raw);
    EVP_PKEY_CTX_free(kctx);
    std::unique_ptr<X509, x509_free> cert(X509_new());
    if (!key || !cert) return nullptr;
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
    X509_set_pubkey(cert.get(), key.get());
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("consumer"), -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name, san);
    const bool ok =
        extension && X509_add_ext(cert.get(), extension, -1) == 1 && X509_sign(cert.get(), key.get(), nullptr) > 0;
    X509_EXTENSION_free(extension);
    return ok ? std::move(cert) : nullptr;
}

} // namespace svcid_consumer

#endif
