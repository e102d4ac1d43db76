// example: verify_server.cpp
#include <svcid/openssl.hpp>

#include <openssl/ssl.h>

// SSL_set_verify(ssl, SSL_VERIFY_PEER, verify_api_server): the handshake itself fails unless
// the server's certificate names api.example.com, so no byte goes to the wrong peer.
int verify_api_server(int chain_ok, X509_STORE_CTX* store) {
    if (!chain_ok || X509_STORE_CTX_get_error_depth(store) != 0) return chain_ok;  // CAs: OpenSSL's job
    static const auto expected = svcid::parse_dns_reference("api.example.com").value();
    const svcid::openssl_certificate server{X509_STORE_CTX_get_current_cert(store)};
    if (svcid::match(server, expected).matched()) return 1;
    X509_STORE_CTX_set_error(store, X509_V_ERR_HOSTNAME_MISMATCH);
    return 0;
}
