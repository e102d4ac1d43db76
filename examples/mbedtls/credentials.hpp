// What both mbedTLS examples set up: a TLS 1.2 configuration with a random generator, the
// CA certificates to trust, and this side's own certificate and key, from PEM files.
#ifndef SVCID_EXAMPLE_MBEDTLS_CREDENTIALS_HPP
#define SVCID_EXAMPLE_MBEDTLS_CREDENTIALS_HPP

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>

#include <cstdio>

namespace svcid_example {

/// One side's mbedTLS configuration and the objects it points to (they live as long).
struct mbedtls_side {
    mbedtls_ssl_config conf;
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_x509_crt ca, own;
    mbedtls_pk_context key;

    mbedtls_side() {
        mbedtls_ssl_config_init(&conf);
        mbedtls_entropy_init(&entropy);
        mbedtls_ctr_drbg_init(&drbg);
        mbedtls_x509_crt_init(&ca);
        mbedtls_x509_crt_init(&own);
        mbedtls_pk_init(&key);
    }
    mbedtls_side(const mbedtls_side&) = delete;
    mbedtls_side& operator=(const mbedtls_side&) = delete;
    ~mbedtls_side() {
        mbedtls_ssl_config_free(&conf);
        mbedtls_pk_free(&key);
        mbedtls_x509_crt_free(&own);
        mbedtls_x509_crt_free(&ca);
        mbedtls_ctr_drbg_free(&drbg);
        mbedtls_entropy_free(&entropy);
    }

    /// Loads the files and fills the configuration; false, with mbedTLS's reason printed,
    /// on any failure.
    bool load(int endpoint, const char* cert_file, const char* key_file, const char* ca_file) {
        int ret = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, nullptr, 0);
        if (ret == 0) ret = mbedtls_x509_crt_parse_file(&ca, ca_file);
        if (ret == 0) ret = mbedtls_x509_crt_parse_file(&own, cert_file);
#if MBEDTLS_VERSION_MAJOR >= 3
        if (ret == 0) ret = mbedtls_pk_parse_keyfile(&key, key_file, nullptr, mbedtls_ctr_drbg_random, &drbg);
#else
        if (ret == 0) ret = mbedtls_pk_parse_keyfile(&key, key_file, nullptr);
#endif
        if (ret == 0)
            ret = mbedtls_ssl_config_defaults(&conf, endpoint, MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
        if (ret == 0) ret = mbedtls_ssl_conf_own_cert(&conf, &own, &key);
        if (ret != 0) return failed("loading the credentials", ret);
        mbedtls_ssl_conf_rng(&conf, mbedtls_ctr_drbg_random, &drbg);
        mbedtls_ssl_conf_ca_chain(&conf, &ca, nullptr);
        return true;
    }

    /// Sets `ssl` up from the configuration over the connected socket `net` and runs the
    /// handshake; returns mbedtls_ssl_handshake()'s result.
    int handshake(mbedtls_ssl_context* ssl, mbedtls_net_context* net) const {
        int ret = mbedtls_ssl_setup(ssl, &conf);
        mbedtls_ssl_set_bio(ssl, net, mbedtls_net_send, mbedtls_net_recv, nullptr);
        while (ret == 0) {
            ret = mbedtls_ssl_handshake(ssl);
            if (ret != MBEDTLS_ERR_SSL_WANT_READ && ret != MBEDTLS_ERR_SSL_WANT_WRITE) break;
            ret = 0;
        }
        return ret;
    }

    static bool failed(const char* what, int ret) {
        char reason[128];
        mbedtls_strerror(ret, reason, sizeof reason);
        std::fprintf(stderr, "%s: %s\n", what, reason);
        return false;
    }
};

} // namespace svcid_example

#endif
