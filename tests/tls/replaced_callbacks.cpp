// An application that turns verification off from inside a callback, mid-handshake, after
// svcid re-asserted its verify mode at the handshake's start: from the servername callback
// (a server then never asks for a client certificate) or from a verify callback (a client
// with SSL_VERIFY_NONE ignores the refusal it has just been given). svcid's verdict must
// stand either way; docs/tls.md promises a refused wrong peer and a required client certificate.
#include <svcid/openssl/verify.hpp>

#include "catch.hpp"
#include "loopback.hpp"
#include "small_pki.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <string>

using svcid_test::built_certificate;
using svcid_test::endpoint;
namespace der = svcid_test::der;

namespace {

struct certificates : svcid_test::small_pki {
    built_certificate server = issue(der::dns("server.example.com"));
    built_certificate payments = issue(der::uri("spiffe://example.org/ns/payments/sa/api"));
    built_certificate billing = issue(der::uri("spiffe://example.org/ns/billing/sa/api"));
};

const certificates& certs() {
    static const certificates c;
    return c;
}

SSL* ssl_of(X509_STORE_CTX* store) {
    return static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
}

// An application verify callback that switches verification off and lets svcid decide.
int verify_none_from_inside(int preverify_ok, X509_STORE_CTX* store) {
    SSL_set_verify(ssl_of(store), SSL_VERIFY_NONE, nullptr);
    return preverify_ok;
}

void log_nothing(const SSL*, int, int) {}

enum class in_servername { verify_none, verify_none_and_context, verify_none_and_info_callback };

int servername_verify_none(SSL* ssl, int*, void* arg) {
    const auto what = *static_cast<const in_servername*>(arg);
    SSL_set_verify(ssl, SSL_VERIFY_NONE, nullptr);
    if (what == in_servername::verify_none_and_context) SSL_CTX_set_verify(SSL_get_SSL_CTX(ssl), SSL_VERIFY_NONE, nullptr);
    if (what == in_servername::verify_none_and_info_callback) SSL_set_info_callback(ssl, log_nothing);
    return SSL_TLSEXT_ERR_OK;
}

endpoint client_of(const char* host, const built_certificate* identity, svcid::verify_options options = {}) {
    endpoint e;
    e.identity = identity;
    e.trusted = {certs().ca.cert.get()};
    e.setup = [host, options](SSL* ssl) { REQUIRE(svcid::verify_server_host(ssl, host, options) != nullptr); };
    return e;
}

endpoint policy_server(const in_servername& what) {
    endpoint e;
    e.identity = &certs().server;
    e.trusted = {certs().ca.cert.get()};
    e.context_setup = [&what](SSL_CTX* ctx) {
        REQUIRE(svcid::set_identity_policy(ctx, svcid::identity_policy::make({*svcid::make_spiffe_reference(
                                                    "spiffe://example.org/ns/payments", svcid::spiffe_match::path_prefix)})));
        SSL_CTX_set_tlsext_servername_callback(ctx, servername_verify_none);
        SSL_CTX_set_tlsext_servername_arg(ctx, const_cast<in_servername*>(&what));
    };
    return e;
}

} // namespace

TEST_CASE("a client's verify callback switching to SSL_VERIFY_NONE mid-handshake does not let a wrong server in",
          "[tls][callbacks]") {
    endpoint server;
    server.identity = &certs().server;
    for (const auto order : {svcid::chain_order::before_svcid, svcid::chain_order::after_svcid}) {
        INFO("chained " << (order == svcid::chain_order::before_svcid ? "before" : "after") << " svcid");
        svcid::verify_options options;
        options.chained = verify_none_from_inside;
        options.order = order;
        const auto wrong = svcid_test::handshake(client_of("api.example.com", nullptr, options), server);
        CHECK_FALSE(wrong.client.completed);
        CHECK(wrong.client.verify_result == X509_V_ERR_HOSTNAME_MISMATCH);
        CHECK(ERR_GET_REASON(wrong.client.first_error) == SSL_R_CERTIFICATE_VERIFY_FAILED);
        CHECK_FALSE(wrong.client.outcome_accepted);

        const auto right = svcid_test::handshake(client_of("server.example.com", nullptr, options), server);
        CHECK(right.client.completed);
        CHECK(right.client.outcome_accepted);
    }
    SECTION("the same from an application callback set with SSL_set_verify after svcid (adopted)") {
        endpoint client = client_of("api.example.com", nullptr);
        client.setup = [](SSL* ssl) {
            REQUIRE(svcid::verify_server_host(ssl, "api.example.com") != nullptr);
            SSL_set_verify(ssl, SSL_VERIFY_PEER, verify_none_from_inside);
        };
        const auto wrong = svcid_test::handshake(client, server);
        CHECK_FALSE(wrong.client.completed);
        CHECK(wrong.client.verify_result == X509_V_ERR_HOSTNAME_MISMATCH);
        CHECK_FALSE(wrong.client.outcome_accepted);
    }
}

TEST_CASE("a servername callback switching to SSL_VERIFY_NONE does not make a policy server admit clients unchecked",
          "[tls][callbacks]") {
    for (const auto what : {in_servername::verify_none, in_servername::verify_none_and_context}) {
        INFO("SSL_CTX_set_verify too: " << (what == in_servername::verify_none_and_context));
        const auto anonymous = svcid_test::handshake(client_of("server.example.com", nullptr), policy_server(what));
        CHECK_FALSE(anonymous.server.completed);
        CHECK(ERR_GET_REASON(anonymous.server.first_error) == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE);
        CHECK_FALSE(anonymous.server.outcome_accepted);

        const auto billing = svcid_test::handshake(client_of("server.example.com", &certs().billing), policy_server(what));
        CHECK_FALSE(billing.server.completed);
        CHECK(billing.server.verify_result == X509_V_ERR_APPLICATION_VERIFICATION);
        CHECK_FALSE(billing.server.outcome_accepted);

        const auto payments = svcid_test::handshake(client_of("server.example.com", &certs().payments), policy_server(what));
        CHECK(payments.server.completed);
        CHECK(payments.server.outcome_accepted);
        CHECK(payments.server.outcome_presented == "spiffe://example.org/ns/payments/sa/api");
    }
    SECTION("replacing svcid's info callback too: the handshake may complete, but never with an accepted outcome") {
        const in_servername what = in_servername::verify_none_and_info_callback;
        const auto anonymous = svcid_test::handshake(client_of("server.example.com", nullptr), policy_server(what));
        CHECK_FALSE(anonymous.server.outcome_accepted);
        CHECK(anonymous.server.outcome_presented.empty());
        const auto billing = svcid_test::handshake(client_of("server.example.com", &certs().billing), policy_server(what));
        CHECK_FALSE(billing.server.outcome_accepted);
        CHECK(billing.server.outcome_presented.empty());
    }
}
