// PEM text of test certificates and keys, for the stacks (GnuTLS, mbedTLS) that load
// credentials from PEM.
#ifndef SVCID_TEST_PEM_HPP
#define SVCID_TEST_PEM_HPP

#include "cert_builder.hpp"

#include <openssl/bio.h>
#include <openssl/pem.h>

#include <string>

namespace svcid_test {

inline std::string pem_of(BIO* bio) {
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    std::string out(data, static_cast<std::size_t>(n));
    BIO_free(bio);
    return out;
}

/// The key as PKCS #8 PEM.
inline std::string pem_key(EVP_PKEY* key) {
    BIO* bio = check(BIO_new(BIO_s_mem()), "BIO_new");
    check(PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr), "PEM_write_bio_PrivateKey");
    return pem_of(bio);
}

/// The certificate as PEM.
inline std::string pem_certificate(const X509* cert) {
    BIO* bio = check(BIO_new(BIO_s_mem()), "BIO_new");
    check(PEM_write_bio_X509(bio, const_cast<X509*>(cert)), "PEM_write_bio_X509");
    return pem_of(bio);
}

} // namespace svcid_test

#endif
