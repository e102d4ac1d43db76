// mbedTLS against OpenSSL (TLS 1.2, over a socketpair): svcid's mbedTLS verifier judges a
// peer that OpenSSL drives through its plain API, in both directions of mutual TLS.
#include <svcid/mbedtls.hpp>

#include "catch.hpp"
#include "peer.hpp"
#include "stack_pki.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <memory>

using svcid_test::mbed_config;
using svcid_test::the_stack_pki;
namespace smb = svcid::mbedtls;

namespace {

struct openssl_outcome {
    bool completed = false;
    long verify_result = X509_V_OK;
};

// A plain OpenSSL endpoint: its certificate, the CA it trusts, peer verification on, and a
// client certificate required when it is the server.
openssl_outcome run_openssl(int fd, bool server, const svcid_test::built_certificate* identity) {
    std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(server ? TLS_server_method() : TLS_client_method()),
                                                          SSL_CTX_free);
    REQUIRE(ctx);
    REQUIRE(SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION) == 1);
    REQUIRE(SSL_CTX_set_max_proto_version(ctx.get(), TLS1_2_VERSION) == 1);
    if (identity != nullptr) {
        REQUIRE(SSL_CTX_use_certificate(ctx.get(), identity->cert.get()) == 1);
        REQUIRE(SSL_CTX_use_PrivateKey(ctx.get(), identity->key.get()) == 1);
    }
    REQUIRE(X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx.get()), the_stack_pki().ca.cert.get()) == 1);
    SSL_CTX_set_verify(ctx.get(), server ? SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT : SSL_VERIFY_PEER, nullptr);
    std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ctx.get()), SSL_free);
    REQUIRE(ssl);
    REQUIRE(SSL_set_fd(ssl.get(), fd) == 1);
    openssl_outcome out;
    char greeting[2] = {'o', 'k'};
    if (server) {
        out.completed = SSL_accept(ssl.get()) == 1 && SSL_write(ssl.get(), greeting, 2) == 2;
    } else {
        out.completed = SSL_connect(ssl.get()) == 1 && SSL_read(ssl.get(), greeting, 2) == 2;
    }
    out.verify_result = SSL_get_verify_result(ssl.get());
    if (out.completed) SSL_shutdown(ssl.get());
    ERR_clear_error();
    return out;
}

} // namespace

TEST_CASE("an mbedTLS device with svcid against an OpenSSL server", "[mbedtls][cross-stack]") {
    mbed_config device(false, &the_stack_pki().sensor, {&the_stack_pki().ca});
    SECTION("the server is the one the policy names") {
        smb::verifier expected(svcid_test::expect_server("a.test"));
        REQUIRE(expected.bind(&device.conf) == 0);
        svcid_test::mbed_outcome mine;
        openssl_outcome theirs;
        svcid_test::over_socketpair([&](int fd) { mine = svcid_test::run_mbed_side(device, fd, {}, false); },
                                    [&](int fd) { theirs = run_openssl(fd, true, &the_stack_pki().server_a); });
        CHECK(mine.handshake == 0);
        CHECK(mine.completed);
        CHECK(mine.accepted);
        CHECK(mine.presented == "a.test");
        CHECK(theirs.completed);
        CHECK(theirs.verify_result == X509_V_OK);
    }
    SECTION("another server") {
        smb::verifier expected(svcid_test::expect_server("b.test"));
        REQUIRE(expected.bind(&device.conf) == 0);
        svcid_test::mbed_outcome mine;
        openssl_outcome theirs;
        svcid_test::over_socketpair([&](int fd) { mine = svcid_test::run_mbed_side(device, fd, {}, false); },
                                    [&](int fd) { theirs = run_openssl(fd, true, &the_stack_pki().server_a); });
        CHECK(mine.handshake == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED);
        CHECK(mine.verify_result == MBEDTLS_X509_BADCERT_CN_MISMATCH);
        CHECK_FALSE(theirs.completed);
    }
}

TEST_CASE("an mbedTLS server with svcid admits OpenSSL clients by SPIFFE ID", "[mbedtls][cross-stack]") {
    mbed_config server(true, &the_stack_pki().server_a, {&the_stack_pki().ca});
    smb::verifier allowed(svcid_test::device_allow_list());
    REQUIRE(allowed.bind(&server.conf) == 0);
    SECTION("a device on the allow-list") {
        svcid_test::mbed_outcome mine;
        openssl_outcome theirs;
        svcid_test::over_socketpair([&](int fd) { theirs = run_openssl(fd, false, &the_stack_pki().admin); },
                                    [&](int fd) { mine = svcid_test::run_mbed_side(server, fd, {}, true); });
        CHECK(mine.handshake == 0);
        CHECK(mine.accepted);
        CHECK(mine.index == 0);
        CHECK(mine.presented == "spiffe://factory.test/admin");
        CHECK(theirs.completed);
    }
    SECTION("a device that is not") {
        svcid_test::mbed_outcome mine;
        openssl_outcome theirs;
        svcid_test::over_socketpair([&](int fd) { theirs = run_openssl(fd, false, &the_stack_pki().server_b); },
                                    [&](int fd) { mine = svcid_test::run_mbed_side(server, fd, {}, true); });
        CHECK(mine.handshake == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED);
        CHECK(mine.verify_result == MBEDTLS_X509_BADCERT_CN_MISMATCH);
        CHECK_FALSE(mine.accepted);
        CHECK_FALSE(theirs.completed);
    }
    SECTION("an OpenSSL client without a certificate") {
        svcid_test::mbed_outcome mine;
        openssl_outcome theirs;
        svcid_test::over_socketpair([&](int fd) { theirs = run_openssl(fd, false, nullptr); },
                                    [&](int fd) { mine = svcid_test::run_mbed_side(server, fd, {}, true); });
        CHECK(mine.handshake == MBEDTLS_ERR_SSL_NO_CLIENT_CERTIFICATE);
        CHECK(mine.verify_result == MBEDTLS_X509_BADCERT_MISSING);
        CHECK_FALSE(theirs.completed);
    }
}
