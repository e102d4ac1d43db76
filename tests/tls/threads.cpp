// Eight threads handshaking at once on one client SSL_CTX and one server SSL_CTX, each
// SSL with its own svcid expectation: accepted and refused peers interleave, so a state
// shared by mistake between SSLs, or a race on the layer's ex_data index, shows up as a
// wrong verdict here and as a data race in the ThreadSanitizer configuration.
#include <svcid/openssl/verify.hpp>

#include "catch.hpp"
#include "loopback.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <csignal>
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using svcid_test::built_certificate;
using svcid_test::cert_spec;
namespace der = svcid_test::der;

namespace {

built_certificate make_ca() {
    cert_spec spec;
    spec.subject_cn("svcid thread test CA");
    spec.ca = true;
    return svcid_test::make_certificate(spec);
}

built_certificate issue(const built_certificate& ca, std::string san) {
    cert_spec spec;
    spec.subject_cn("leaf");
    spec.add_san(std::move(san));
    return svcid_test::make_certificate(spec, {ca.cert.get(), ca.key.get()});
}

template <class Result>
svcid::reference must(Result r) {
    REQUIRE(r.has_value());
    return svcid::reference(*r);
}

constexpr std::size_t not_read = static_cast<std::size_t>(-1);

/// One handshake's plan: what the client expects of the server and which certificate it shows.
enum class plan { accepted, wrong_server_name, unlisted_client };

/// What one handshake saw, recorded by the worker threads and asserted by the main thread
/// (Catch2's assertions are not thread-safe).
struct record {
    plan kind = plan::accepted;
    bool client_attached = false;
    bool server_attached = false;
    bool client_completed = false;
    bool server_completed = false;
    long client_verify = -1;
    long server_verify = -1;
    bool client_accepted = false;
    bool server_accepted = false;
    std::size_t server_index = not_read; ///< read only from an accepted state
    std::string server_presented;
};

struct fixture {
    built_certificate ca = make_ca();
    built_certificate server = issue(ca, der::dns("server.example.com"));
    built_certificate payments = issue(ca, der::uri("spiffe://example.org/ns/payments/sa/api"));
    built_certificate billing = issue(ca, der::uri("spiffe://example.org/ns/billing/sa/api"));
    std::vector<svcid::reference> allowed{
        must(svcid::make_spiffe_reference("spiffe://example.org/ns/admin/sa/root", svcid::spiffe_match::exact)),
        must(svcid::make_spiffe_reference("spiffe://example.org/ns/payments", svcid::spiffe_match::path_prefix))};
    svcid::reference right_name = must(svcid::parse_dns_reference("server.example.com"));
    svcid::reference wrong_name = must(svcid::parse_dns_reference("other.example.com"));
};

/// Where the server's allow-list lives: a state per SSL, or one policy on the SSL_CTX.
enum class server_policy { per_ssl, context };

void run_server(SSL_CTX* ctx, int fd, const fixture& f, server_policy where, record& out) {
    std::unique_ptr<SSL, svcid_test::ssl_free> ssl(SSL_new(ctx));
    if (!ssl || SSL_set_fd(ssl.get(), fd) != 1) return;
    if (where == server_policy::context) {
        out.server_attached = svcid::context_identity_of(ctx) != nullptr && svcid::peer_identity_of(ssl.get()) == nullptr;
    } else {
        out.server_attached = svcid::require_client_identity(ssl.get(), f.allowed.data(), f.allowed.size()) != nullptr;
    }
    out.server_completed = SSL_accept(ssl.get()) == 1 && SSL_write(ssl.get(), "ok", 2) == 2;
    out.server_verify = SSL_get_verify_result(ssl.get());
    if (where == server_policy::context) {
        const svcid::peer_outcome who = svcid::peer_outcome_of(ssl.get());
        out.server_accepted = who.accepted;
        if (who.accepted) {
            out.server_index = who.reference_index;
            out.server_presented = std::string(who.presented);
        }
    } else if (const svcid::peer_identity* who = svcid::peer_identity_of(ssl.get())) {
        out.server_accepted = who->accepted();
        if (who->accepted()) {
            out.server_index = who->reference_index();
            out.server_presented = std::string(who->presented_value());
        }
    }
    if (out.server_completed) SSL_shutdown(ssl.get());
    ERR_clear_error();
}

void run_client(SSL_CTX* ctx, int fd, const fixture& f, record& out) {
    std::unique_ptr<SSL, svcid_test::ssl_free> ssl(SSL_new(ctx));
    if (!ssl || SSL_set_fd(ssl.get(), fd) != 1) return;
    const built_certificate& mine = out.kind == plan::unlisted_client ? f.billing : f.payments;
    if (SSL_use_certificate(ssl.get(), mine.cert.get()) != 1 || SSL_use_PrivateKey(ssl.get(), mine.key.get()) != 1)
        return;
    const svcid::reference& expected = out.kind == plan::wrong_server_name ? f.wrong_name : f.right_name;
    out.client_attached = svcid::verify_server_identity(ssl.get(), &expected, 1) != nullptr;
    char greeting[2] = {};
    out.client_completed = SSL_connect(ssl.get()) == 1 && SSL_read(ssl.get(), greeting, 2) == 2;
    out.client_verify = SSL_get_verify_result(ssl.get());
    if (const svcid::peer_identity* state = svcid::peer_identity_of(ssl.get())) out.client_accepted = state->accepted();
    if (out.client_completed) SSL_shutdown(ssl.get());
    ERR_clear_error();
}

void handshake_once(SSL_CTX* client_ctx, SSL_CTX* server_ctx, const fixture& f, server_policy where, record& out) {
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) return;
    svcid_test::set_timeouts(fds[0]);
    svcid_test::set_timeouts(fds[1]);
    std::thread server_thread([&] {
        run_server(server_ctx, fds[1], f, where, out);
        shutdown(fds[1], SHUT_RDWR);
    });
    run_client(client_ctx, fds[0], f, out);
    shutdown(fds[0], SHUT_RDWR);
    server_thread.join();
    close(fds[0]);
    close(fds[1]);
}

void eight_threads(server_policy where) {
    const fixture f;
    // The loopback helper ignores SIGPIPE once; do the same before any thread writes.
    REQUIRE(std::signal(SIGPIPE, SIG_IGN) != SIG_ERR);
    svcid_test::endpoint client_side;
    client_side.trusted = {f.ca.cert.get()};
    svcid_test::endpoint server_side;
    server_side.identity = &f.server;
    server_side.trusted = {f.ca.cert.get()};
    auto client_ctx = svcid_test::make_context(client_side, false);
    auto server_ctx = svcid_test::make_context(server_side, true);
    if (where == server_policy::context)
        REQUIRE(svcid::set_identity_policy(server_ctx.get(), svcid::identity_policy::make(f.allowed.data(), f.allowed.size())));

    constexpr std::size_t threads = 8;
    constexpr std::size_t per_thread = 6;
    std::vector<record> records(threads * per_thread);
    for (std::size_t i = 0; i < records.size(); ++i)
        records[i].kind = static_cast<plan>(i % 3);
    std::vector<std::thread> workers;
    for (std::size_t t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            for (std::size_t k = 0; k < per_thread; ++k)
                handshake_once(client_ctx.get(), server_ctx.get(), f, where, records[t * per_thread + k]);
        });
    }
    for (auto& w : workers) w.join();

    std::size_t accepted = 0;
    for (const record& r : records) {
        INFO("plan " << static_cast<int>(r.kind));
        REQUIRE(r.client_attached);
        switch (r.kind) {
        case plan::accepted:
            REQUIRE(r.server_attached);
            CHECK(r.client_completed);
            CHECK(r.server_completed);
            CHECK(r.client_verify == X509_V_OK);
            CHECK(r.server_verify == X509_V_OK);
            CHECK(r.client_accepted);
            CHECK(r.server_accepted);
            CHECK(r.server_index == 1);
            CHECK(r.server_presented == "spiffe://example.org/ns/payments/sa/api");
            ++accepted;
            break;
        case plan::wrong_server_name:
            // The client refuses the server before it ever shows its own certificate.
            CHECK_FALSE(r.client_completed);
            CHECK_FALSE(r.server_completed);
            CHECK(r.client_verify == X509_V_ERR_HOSTNAME_MISMATCH);
            CHECK_FALSE(r.client_accepted);
            CHECK_FALSE(r.server_accepted);
            break;
        case plan::unlisted_client:
            REQUIRE(r.server_attached);
            CHECK_FALSE(r.client_completed);
            CHECK_FALSE(r.server_completed);
            CHECK(r.client_verify == X509_V_OK);
            CHECK(r.client_accepted);
            CHECK(r.server_verify == svcid::verify_error_application);
            CHECK_FALSE(r.server_accepted);
            CHECK(r.server_index == not_read);
            break;
        }
    }
    CHECK(accepted == records.size() / 3);
}

} // namespace

TEST_CASE("8 threads on one shared SSL_CTX pair: every connection judged by its own expectation") {
    eight_threads(server_policy::per_ssl);
}

TEST_CASE("8 threads on one server SSL_CTX whose policy every connection shares (set_identity_policy)") {
    eight_threads(server_policy::context);
}
