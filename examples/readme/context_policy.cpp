// example: context_policy.cpp
#include <svcid/openssl.hpp>

#include <openssl/ssl.h>

// Server side of mutual TLS: every SSL made from `ctx` admits only these workloads. The
// check runs inside the handshake (an unlisted client gets a verify error and no byte),
// resumed sessions included; the policy is shared, and svcid keeps nothing per connection.
bool admit_shop_workloads(SSL_CTX* ctx) {
    const auto policy = svcid::identity_policy::make({
        svcid::make_spiffe_reference("spiffe://prod.example/ns/shop/sa/frontend").value(),
        svcid::make_spiffe_reference("spiffe://prod.example/ns/shop/sa/checkout").value(),
    });
    return svcid::set_identity_policy(ctx, policy);  // false: out of memory, and ctx refuses everyone
}

// After SSL_accept(ssl) == 1: which entry let this client in ("none" unless it was accepted).
bool is_checkout(const SSL* ssl) {
    const svcid::peer_outcome who = svcid::peer_outcome_of(ssl);
    return who.accepted && who.reference_index == 1;
}

// Client side, one line, like SSL_set1_host but with RFC 9525's rules (and SNI set).
bool expect_api_server(SSL* ssl) { return svcid::verify_server_host(ssl, "api.example.com") != nullptr; }
