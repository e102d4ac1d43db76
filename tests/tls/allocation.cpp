#include <svcid/openssl/verify.hpp>

#include "catch.hpp"
#include "cert_builder.hpp"
#include "counting_allocator.hpp"

#include <openssl/ssl.h>

#include <memory>
#include <string>

namespace der = svcid_test::der;

// OpenSSL allocates plenty during a handshake, so the tests below measure only svcid's own
// per-handshake work: peer_identity::check() and verify_callback() on a prepared store.

namespace {
struct ssl_ctx_free { void operator()(SSL_CTX* p) const noexcept { SSL_CTX_free(p); } };
struct ssl_free { void operator()(SSL* p) const noexcept { SSL_free(p); } };
struct store_free { void operator()(X509_STORE* p) const noexcept { X509_STORE_free(p); } };
struct store_ctx_free { void operator()(X509_STORE_CTX* p) const noexcept { X509_STORE_CTX_free(p); } };

svcid_test::built_certificate many_names() {
    svcid_test::cert_spec spec;
    spec.subject_cn("leaf");
    for (int i = 0; i < 20; ++i) spec.add_san(der::dns("host-" + std::to_string(i) + ".example.com"));
    spec.add_san(der::uri("spiffe://example.org/ns/payments/sa/api"));
    spec.add_san(der::rfc822("ops@example.com"));
    return svcid_test::make_certificate(spec);
}
} // namespace

TEST_CASE("attaching allocates once per SSL; each check, matched or refused and explained, allocates nothing",
          "[tls][allocation]") {
    REQUIRE(svcid_test::openssl_allocations_counted());
    const auto cert = many_names();
    std::unique_ptr<SSL_CTX, ssl_ctx_free> ctx(SSL_CTX_new(TLS_client_method()));
    std::unique_ptr<SSL, ssl_free> ssl(SSL_new(ctx.get()));
    REQUIRE(ssl);
    const svcid::reference refs[] = {*svcid::parse_reference("api.example.com"),
                                     *svcid::parse_reference("10.0.0.1"),
                                     *svcid::parse_reference("host-19.example.com")};
    for (auto rules : {svcid::verify_rules::rfc9525, svcid::verify_rules::rfc6125}) {
        for (auto mode : {svcid::verify_match::any_of, svcid::verify_match::all_of}) {
            svcid::verify_options options;
            options.rules = rules;
            options.match = mode;
            svcid::peer_identity* state = svcid::verify_server_identity(ssl.get(), refs, 3, options);
            REQUIRE(state != nullptr);
            const long before = svcid_test::allocations();
            const int error = state->check(cert.cert.get());
            const long after = svcid_test::allocations();
            CHECK(after - before == 0);
            // any-of: the third reference matches; all-of: the first one fails.
            CHECK(error == (mode == svcid::verify_match::any_of ? X509_V_OK : X509_V_ERR_HOSTNAME_MISMATCH));
            char text[512];
            CHECK(state->explain(text, sizeof text) != 0);
            // Explained on demand: the matching reference (any-of) or the first failing one (all-of).
            const char* about = mode == svcid::verify_match::any_of ? "host-19.example.com" : "api.example.com";
            CHECK(std::string(text).find(about) != std::string::npos);
        }
    }
}

TEST_CASE("verify_callback on a prepared store allocates nothing, whether it accepts or refuses", "[tls][allocation]") {
    REQUIRE(svcid_test::openssl_allocations_counted());
    const auto cert = many_names();
    std::unique_ptr<SSL_CTX, ssl_ctx_free> ctx(SSL_CTX_new(TLS_server_method()));
    std::unique_ptr<SSL, ssl_free> ssl(SSL_new(ctx.get()));
    std::unique_ptr<X509_STORE, store_free> store(X509_STORE_new());
    std::unique_ptr<X509_STORE_CTX, store_ctx_free> store_ctx(X509_STORE_CTX_new());
    REQUIRE(X509_STORE_CTX_init(store_ctx.get(), store.get(), cert.cert.get(), nullptr) == 1);
    REQUIRE(X509_STORE_CTX_set_ex_data(store_ctx.get(), SSL_get_ex_data_X509_STORE_CTX_idx(), ssl.get()) == 1);
    X509_STORE_CTX_set_current_cert(store_ctx.get(), cert.cert.get());
    X509_STORE_CTX_set_error_depth(store_ctx.get(), 0);

    auto spiffe_prefix = svcid::make_spiffe_reference("spiffe://example.org/ns/payments", svcid::spiffe_match::path_prefix);
    auto other_workload = svcid::make_spiffe_reference("spiffe://example.org/ns/billing", svcid::spiffe_match::path_prefix);
    REQUIRE(spiffe_prefix.has_value());
    REQUIRE(other_workload.has_value());

    const svcid::reference allowed[] = {*other_workload, *spiffe_prefix};
    REQUIRE(svcid::require_client_identity(ssl.get(), allowed, 2) != nullptr);
    long before = svcid_test::allocations();
    int verdict = svcid::verify_callback(1, store_ctx.get());
    long after = svcid_test::allocations();
    CHECK(after - before == 0);
    CHECK(verdict == 1);
    CHECK(svcid::peer_identity_of(ssl.get())->presented_value() == "spiffe://example.org/ns/payments/sa/api");

    const svcid::reference refused[] = {*other_workload};
    REQUIRE(svcid::require_client_identity(ssl.get(), refused, 1) != nullptr);
    before = svcid_test::allocations();
    verdict = svcid::verify_callback(1, store_ctx.get());
    after = svcid_test::allocations();
    CHECK(after - before == 0);
    CHECK(verdict == 0);
    CHECK(X509_STORE_CTX_get_error(store_ctx.get()) == svcid::verify_error_application);
}
