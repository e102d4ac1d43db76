// example: spiffe_allow_list.cpp
#include <svcid/openssl.hpp>
#include <svcid/reference.hpp>

#include <openssl/ssl.h>

// Server side of mutual TLS: only two workloads may call this service.
// SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_client);
int verify_client(int chain_ok, X509_STORE_CTX* store) {
    if (!chain_ok) return 0;
    if (X509_STORE_CTX_get_error_depth(store) != 0) return 1;  // a CA: no identity to check
    static const svcid::reference allowed[] = {
        svcid::make_spiffe_reference("spiffe://prod.example/ns/shop/sa/frontend").value(),
        svcid::make_spiffe_reference("spiffe://prod.example/ns/shop/sa/checkout").value(),
    };
    const svcid::openssl_certificate client{X509_STORE_CTX_get_current_cert(store)};
    return svcid::match_any(client, allowed).matched() ? 1 : 0;
}
