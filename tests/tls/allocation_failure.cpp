// Every allocation of a client's svcid set-up and handshake fails in turn — C++'s and
// OpenSSL's, on the client's thread — and for each the client, judging the server by
// svcid, never completes a handshake with a server its policy refuses, and never reports an
// outcome its peer does not bear out.
#include <svcid/openssl/verify.hpp>

#include "catch.hpp"
#include "counting_allocator.hpp"
#include "loopback.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <chrono>
#include <csignal>
#include <memory>
#include <string>
#include <thread>

namespace der = svcid_test::der;
using svcid_test::built_certificate;

namespace {

using ctx_ptr = std::unique_ptr<SSL_CTX, svcid_test::ssl_ctx_free>;
using ssl_ptr = std::unique_ptr<SSL, svcid_test::ssl_free>;

struct pki {
    built_certificate ca = svcid_test::make_ca("svcid allocation-failure CA");
    built_certificate server = svcid_test::issue_leaf(ca, der::dns("a.test"));
};
const pki& the_pki() {
    static const pki p;
    return p;
}

ctx_ptr context(bool server) {
    ctx_ptr ctx(SSL_CTX_new(server ? TLS_server_method() : TLS_client_method()));
    REQUIRE(ctx);
    REQUIRE(SSL_CTX_set_min_proto_version(ctx.get(), TLS1_3_VERSION) == 1);
    if (server) {
        REQUIRE(SSL_CTX_use_certificate(ctx.get(), the_pki().server.cert.get()) == 1);
        REQUIRE(SSL_CTX_use_PrivateKey(ctx.get(), the_pki().server.key.get()) == 1);
    } else {
        REQUIRE(X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx.get()), the_pki().ca.cert.get()) == 1);
    }
    return ctx;
}

/// Where the client's expectation lives.
enum class placement { context, per_ssl };

struct attempt {
    bool injected = false;   // the armed allocation was reached (and failed)
    bool completed = false;  // handshake done and the server's greeting read
    bool accepted = false;   // peer_outcome_of(client)
    std::string presented;
};

/// One client handshake with the `k`-th allocation of the client's thread failing, from its
/// SSL_new (and per-SSL attach) to the server's greeting.
attempt run_failing(SSL_CTX* client_ctx, SSL_CTX* server_ctx, placement where, const char* host, long k) {
    svcid_test::socket_pair sockets;
    int* fds = sockets.fds;
    ssl_ptr server(SSL_new(server_ctx));
    REQUIRE(server);
    REQUIRE(SSL_set_fd(server.get(), fds[1]) == 1);
    std::thread server_thread([&] {
        if (SSL_accept(server.get()) == 1 && SSL_write(server.get(), "ok", 2) == 2) SSL_shutdown(server.get());
        ERR_clear_error();
        shutdown(fds[1], SHUT_RDWR);
    });
    attempt a;
    // Armed only around OpenSSL and svcid calls: nothing of the test allocates in between.
    svcid_test::fail_allocation_on_this_thread(k);
    ssl_ptr client(SSL_new(client_ctx));
    bool ready = client != nullptr && SSL_set_fd(client.get(), fds[0]) == 1;
    if (ready && where == placement::per_ssl) ready = svcid::verify_server_host(client.get(), host) != nullptr;
    char greeting[2] = {};
    // A client whose set-up failed never connects: what the application does on nullptr.
    a.completed = ready && SSL_connect(client.get()) == 1 && SSL_read(client.get(), greeting, 2) == 2;
    a.injected = !svcid_test::allocation_failure_pending_on_this_thread();
    svcid_test::fail_allocation_on_this_thread(0);
    if (client) {
        const svcid::peer_outcome who = svcid::peer_outcome_of(client.get());
        a.accepted = who.accepted;
        a.presented = std::string(who.presented);
        if (a.completed) SSL_shutdown(client.get());
    }
    ERR_clear_error();
    shutdown(fds[0], SHUT_RDWR);
    server_thread.join();
    return a;
}

} // namespace

TEST_CASE("every allocation of a client's set-up and TLS 1.3 handshake fails in turn: a refused server is never "
          "admitted, and an accepted outcome is always the real peer's",
          "[tls][fail-closed][allocation][.exhaustive]") {
    REQUIRE(svcid_test::openssl_allocations_counted());
    auto server_ctx = context(true);
    const auto started = std::chrono::steady_clock::now();
    long attempts = 0;
    for (const placement where : {placement::context, placement::per_ssl}) {
        for (const char* host : {"b.test", "a.test"}) {
            const bool right_server = std::string(host) == "a.test";
            auto client_ctx = context(false);
            if (where == placement::context) {
                const svcid::reference expected[] = {*svcid::parse_reference(host)};
                REQUIRE(svcid::set_identity_policy(client_ctx.get(), svcid::identity_policy::make(expected)));
            }
            INFO((where == placement::context ? "policy on the SSL_CTX" : "verify_server_host") << ", expecting " << host);
            long failed_handshakes = 0;
            for (long k = 1;; ++k) {
                const attempt a = run_failing(client_ctx.get(), server_ctx.get(), where, host, k);
                ++attempts;
                if (!a.injected) {
                    // Past the last allocation: the handshake ran untouched, as a control.
                    CHECK(a.completed == right_server);
                    CHECK(a.accepted == right_server);
                    INFO("allocations in the set-up and handshake: " << k - 1);
                    CHECK(k > 100);
                    break;
                }
                if (!right_server) {
                    if (a.completed || a.accepted) FAIL_CHECK("failing allocation " << k << " admitted b.test's impostor");
                    continue;
                }
                if (!a.completed) ++failed_handshakes;
                // Whatever failed, an accepted outcome names the server's real identity.
                if (a.accepted && a.presented != "a.test") FAIL_CHECK("failing allocation " << k << " reported " << a.presented);
                if (a.completed && !a.accepted) FAIL_CHECK("failing allocation " << k << ": completed, outcome none");
            }
            if (right_server) CHECK(failed_handshakes > 0);
        }
    }
    const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    WARN(attempts << " handshakes with one failing allocation each, in " << seconds << " s");
}
