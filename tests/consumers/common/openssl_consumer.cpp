// The OpenSSL route: svcid::openssl (or svcid-openssl.pc) must bring OpenSSL's headers and
// libraries with it. Builds a certificate in-process and checks svcid's answers on it.
// The single-header route builds this file with nothing but the amalgamation on its
// include path (scripts/amalgamate.py).
#if defined(SVCID_CONSUMER_SINGLE_HEADER)
#include "svcid_openssl_single.hpp"
#else
#include <svcid/openssl.hpp>
#include <svcid/svcid.hpp>
#endif

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>

namespace {

struct x509_free {
    void operator()(X509* p) const noexcept { X509_free(p); }
};
struct pkey_free {
    void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};

// A self-signed Ed25519 certificate with subjectAltName DNS:api.example.com and one SPIFFE
// ID, or nullptr when OpenSSL fails.
std::unique_ptr<X509, x509_free> make_certificate() {
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
    X509_EXTENSION* san = X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name,
                                              "DNS:api.example.com,URI:spiffe://example.org/ns/prod/sa/web");
    const bool ok = san && X509_add_ext(cert.get(), san, -1) == 1 && X509_sign(cert.get(), key.get(), nullptr) > 0;
    X509_EXTENSION_free(san);
    return ok ? std::move(cert) : nullptr;
}

} // namespace

int main() {
    const auto x509 = make_certificate();
    if (!x509) {
        std::fprintf(stderr, "could not build the test certificate\n");
        return 2;
    }
    const svcid::openssl_certificate cert{x509.get()};
    int failures = 0;
    const auto api = svcid::parse_dns_reference("api.example.com");
    if (!api.has_value() || !svcid::match(cert, *api).matched()) {
        std::fprintf(stderr, "wrong answer: the DNS-ID in the SAN matches (RFC 9525 §6.3)\n");
        ++failures;
    }
    const auto www = svcid::parse_dns_reference("www.example.com");
    if (!www.has_value() || svcid::match(cert, *www).status != svcid::match_status::no_match) {
        std::fprintf(stderr, "wrong answer: another DNS name does not match\n");
        ++failures;
    }
    const auto consumer = svcid::parse_dns_reference("consumer");
    if (!consumer.has_value() || svcid::match(cert, *consumer).matched()) {
        std::fprintf(stderr, "wrong answer: the CN is never consulted by default (RFC 9525 §6.3)\n");
        ++failures;
    }
    const auto prod = svcid::make_spiffe_reference("spiffe://example.org/ns/prod", svcid::spiffe_match::path_prefix);
    if (!prod.has_value() || !svcid::match(cert, *prod).matched()) {
        std::fprintf(stderr, "wrong answer: the SVID is below the allowed SPIFFE path\n");
        ++failures;
    }
    std::printf("svcid openssl consumer: %d wrong answers\n", failures);
    return failures == 0 ? 0 : 1;
}
