// Handshakes after the handshake: TLS 1.3 post-handshake client authentication (RFC 8446
// §4.6.2), TLS 1.2 secure renegotiation (RFC 5746) with a client that changes certificate,
// and a session resumed on another SSL_CTX that shares the ticket keys. Each side runs a
// script of its own over a socketpair; the results are read after both threads finish.
#include <svcid/openssl/verify.hpp>

#include "catch.hpp"
#include "loopback.hpp"
#include "small_pki.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <csignal>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <thread>

using svcid_test::built_certificate;
namespace der = svcid_test::der;

namespace {

struct session_free { void operator()(SSL_SESSION* p) const noexcept { SSL_SESSION_free(p); } };
using context_ptr = std::unique_ptr<SSL_CTX, svcid_test::ssl_ctx_free>;
using session_ptr = std::unique_ptr<SSL_SESSION, session_free>;

struct certificates : svcid_test::small_pki {
    built_certificate server = issue(der::dns("server.example.com"));
    built_certificate payments = issue(der::uri("spiffe://example.org/ns/payments/sa/api"));
    built_certificate ops = issue(der::uri("spiffe://ops.example/oncall"));
    built_certificate billing = issue(der::uri("spiffe://example.org/ns/billing/sa/api"));
};

const certificates& certs() {
    static const certificates c;
    return c;
}

// Payments workloads are entry 0, anything of ops.example entry 1; billing is not allowed.
svcid::identity_policy allow_list() {
    return svcid::identity_policy::make(
        {*svcid::make_spiffe_reference("spiffe://example.org/ns/payments", svcid::spiffe_match::path_prefix),
         *svcid::make_spiffe_reference("spiffe://ops.example", svcid::spiffe_match::trust_domain)});
}

context_ptr context(bool server, const built_certificate* identity, int max_version) {
    svcid_test::endpoint e;
    e.identity = identity;
    e.trusted = {certs().ca.cert.get()};
    context_ptr ctx = svcid_test::make_context(e, server);
    svcid_test::check(SSL_CTX_set_max_proto_version(ctx.get(), max_version) == 1 ? 1 : 0, "max version");
    return ctx;
}

context_ptr policy_server(int max_version, const svcid::identity_policy& policy = allow_list()) {
    context_ptr ctx = context(true, &certs().server, max_version);
    REQUIRE(svcid::set_identity_policy(ctx.get(), policy));
    return ctx;
}

// A client presenting `identity` that checks the server's name.
context_ptr client_context(const built_certificate& identity, int max_version) {
    return context(false, &identity, max_version);
}

// A completed connection ends with close_notify: OpenSSL marks the session of one freed
// without it not resumable.
void close_cleanly(SSL* ssl) {
    if (ssl != nullptr && SSL_is_init_finished(ssl)) SSL_shutdown(ssl);
    ERR_clear_error();
}

/// Runs `server(ssl)` in a thread and `client(ssl)` here, over a fresh socketpair. The
/// client expects server.example.com per SSL, or only by its context's policy.
void converse(SSL_CTX* client_ctx, SSL_CTX* server_ctx, const std::function<void(SSL*)>& client,
              const std::function<void(SSL*)>& server, bool per_ssl_host = true) {
    // A side that writes after its peer hung up must see EPIPE, not die of SIGPIPE.
    static const bool sigpipe_ignored = std::signal(SIGPIPE, SIG_IGN) != SIG_ERR;
    svcid_test::check(sigpipe_ignored ? 1 : 0, "signal(SIGPIPE)");
    int fds[2];
    svcid_test::check(socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0 ? 1 : 0, "socketpair");
    svcid_test::set_timeouts(fds[0]);
    svcid_test::set_timeouts(fds[1]);
    std::thread server_thread([&] {
        std::unique_ptr<SSL, svcid_test::ssl_free> ssl(SSL_new(server_ctx));
        if (ssl && SSL_set_fd(ssl.get(), fds[1]) == 1) server(ssl.get());
        close_cleanly(ssl.get());
        shutdown(fds[1], SHUT_RDWR);
    });
    {
        std::unique_ptr<SSL, svcid_test::ssl_free> ssl(SSL_new(client_ctx));
        if (ssl && SSL_set_fd(ssl.get(), fds[0]) == 1 &&
            (!per_ssl_host || svcid::verify_server_host(ssl.get(), "server.example.com")))
            client(ssl.get());
        close_cleanly(ssl.get());
        shutdown(fds[0], SHUT_RDWR);
    }
    server_thread.join();
    close(fds[0]);
    close(fds[1]);
}

bool send(SSL* ssl, const char* two) { return SSL_write(ssl, two, 2) == 2; }
bool receive(SSL* ssl, const char* two) {
    char got[2] = {};
    return SSL_read(ssl, got, 2) == 2 && std::memcmp(got, two, 2) == 0;
}

/// The server's view after the post-handshake step.
struct seen {
    // peer_outcome views the SSL's certificate; these copies outlive the SSL.
    svcid::peer_outcome before;    ///< after the first handshake (presented not kept)
    bool step_sent = false;        ///< the CertificateRequest or HelloRequest went out
    bool after_read = false;       ///< the client's data after the step arrived
    svcid::peer_outcome after;
    std::string before_presented;
    std::string after_presented;
    long verify_result = X509_V_OK;
    int reason = 0;                ///< ERR_GET_REASON of the server's first error
    bool client_done = false;
};

// The server's script: handshake and greet, run `step` (the post-handshake exchange it
// starts), read the client's "hi" and record what it saw.
void serve(SSL* ssl, seen& s, const std::function<bool()>& step) {
    if (SSL_accept(ssl) != 1 || !send(ssl, "ok")) return;
    s.before = svcid::peer_outcome_of(ssl);
    s.before_presented = std::string(s.before.presented);
    s.step_sent = step();
    s.after_read = s.step_sent && receive(ssl, "hi");
    s.reason = ERR_GET_REASON(ERR_peek_error());
    s.verify_result = SSL_get_verify_result(ssl);
    s.after = svcid::peer_outcome_of(ssl);
    s.after_presented = std::string(s.after.presented);
    if (s.after_read) send(ssl, "ac");
}

seen post_handshake_auth(const built_certificate& client_identity, bool client_offers_pha = true) {
    context_ptr server_ctx = policy_server(TLS1_3_VERSION);
    context_ptr client_ctx = client_context(client_identity, TLS1_3_VERSION);
    seen s;
    converse(
        client_ctx.get(), server_ctx.get(),
        [&](SSL* ssl) {
            if (client_offers_pha) SSL_set_post_handshake_auth(ssl, 1);
            // The CertificateRequest is answered inside this read, before "go" is returned.
            s.client_done = SSL_connect(ssl) == 1 && receive(ssl, "ok") && receive(ssl, "go") && send(ssl, "hi") &&
                            receive(ssl, "ac");
        },
        [&](SSL* ssl) {
            SSL_set_verify(ssl, SSL_VERIFY_PEER | SSL_VERIFY_POST_HANDSHAKE, svcid::verify_callback);
            serve(ssl, s, [&] {
                return SSL_verify_client_post_handshake(ssl) == 1 && SSL_do_handshake(ssl) == 1 && send(ssl, "go");
            });
        });
    return s;
}

} // namespace

TEST_CASE("RFC 8446 §4.6.2: post-handshake authentication is judged by the context policy when the certificate arrives",
          "[tls][pha]") {
    SECTION("an allowed client: none after the handshake, its own entry once its certificate came") {
        const seen s = post_handshake_auth(certs().ops);
        CHECK_FALSE(s.before.accepted);
        CHECK(s.before.reference_index == svcid::no_reference_index);
        CHECK(s.before_presented.empty());
        CHECK(s.step_sent);
        CHECK(s.after_read);
        CHECK(s.client_done);
        CHECK(s.verify_result == X509_V_OK);
        CHECK(s.after.accepted);
        CHECK(s.after.reference_index == 1);
        CHECK(s.after_presented == "spiffe://ops.example/oncall");
    }
    SECTION("a client the policy does not allow is refused with the verify error, and the outcome stays none") {
        const seen s = post_handshake_auth(certs().billing);
        CHECK_FALSE(s.before.accepted);
        CHECK(s.step_sent);
        CHECK_FALSE(s.after_read);
        CHECK_FALSE(s.client_done);
        CHECK(s.reason == SSL_R_CERTIFICATE_VERIFY_FAILED);
        CHECK(s.verify_result == X509_V_ERR_APPLICATION_VERIFICATION);
        CHECK_FALSE(s.after.accepted);
        CHECK(s.after_presented.empty());
    }
    SECTION("a client that did not offer post-handshake authentication cannot be asked; the outcome stays none") {
        const seen s = post_handshake_auth(certs().payments, false);
        CHECK_FALSE(s.before.accepted);
        CHECK_FALSE(s.step_sent);
        CHECK(s.reason == SSL_R_EXTENSION_NOT_RECEIVED);
        CHECK_FALSE(s.after.accepted);
        CHECK(s.after.reference_index == svcid::no_reference_index);
    }
}

namespace {

// TLS 1.2 secure renegotiation (RFC 5746; OpenSSL 3 refuses the insecure kind) after the
// client swapped its certificate: who starts it, the server or the client.
enum class initiator { server, client };

seen renegotiate(const built_certificate& first, const built_certificate& second, initiator who) {
    context_ptr server_ctx = policy_server(TLS1_2_VERSION);
    // A client answering a HelloRequest asks to resume (an abbreviated handshake, no new
    // certificate); the server insists on a full one so that the new certificate is sent.
    SSL_CTX_set_options(server_ctx.get(), SSL_OP_ALLOW_CLIENT_RENEGOTIATION | SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION);
    context_ptr client_ctx = client_context(first, TLS1_2_VERSION);
    seen s;
    converse(
        client_ctx.get(), server_ctx.get(),
        [&](SSL* ssl) {
            // Without auto-retry the read that runs a server-requested renegotiation returns
            // once it is done, so the client can then speak.
            SSL_clear_mode(ssl, SSL_MODE_AUTO_RETRY);
            if (SSL_connect(ssl) != 1 || !receive(ssl, "ok")) return;
            if (SSL_use_certificate(ssl, second.cert.get()) != 1 || SSL_use_PrivateKey(ssl, second.key.get()) != 1) return;
            if (who == initiator::client) {
                if (SSL_renegotiate(ssl) != 1 || SSL_do_handshake(ssl) != 1) return;
            } else {
                char byte = 0;
                if (SSL_read(ssl, &byte, 1) > 0 || SSL_get_error(ssl, -1) != SSL_ERROR_WANT_READ) return;
                if (SSL_renegotiate_pending(ssl) == 1) return;
            }
            s.client_done = send(ssl, "hi") && receive(ssl, "ac");
        },
        [&](SSL* ssl) {
            // A renegotiation either side starts runs inside the server's read of "hi".
            serve(ssl, s, [&] {
                return who == initiator::client || (SSL_renegotiate(ssl) == 1 && SSL_do_handshake(ssl) == 1);
            });
        });
    return s;
}

} // namespace

TEST_CASE("RFC 5746: a renegotiation judges the client's new certificate, never reporting the first one for it",
          "[tls][renegotiation]") {
    for (const initiator who : {initiator::server, initiator::client}) {
        INFO((who == initiator::server ? "server" : "client") << " renegotiates");
        const seen allowed = renegotiate(certs().payments, certs().ops, who);
        CHECK(allowed.before.accepted);
        CHECK(allowed.before.reference_index == 0);
        CHECK(allowed.before_presented == "spiffe://example.org/ns/payments/sa/api");
        CHECK(allowed.after_read);
        CHECK(allowed.client_done);
        CHECK(allowed.verify_result == X509_V_OK);
        CHECK(allowed.after.accepted);
        CHECK(allowed.after.reference_index == 1);
        CHECK(allowed.after_presented == "spiffe://ops.example/oncall");

        const seen refused = renegotiate(certs().payments, certs().billing, who);
        CHECK(refused.before.accepted);
        CHECK_FALSE(refused.after_read);
        CHECK_FALSE(refused.client_done);
        CHECK(refused.reason == SSL_R_CERTIFICATE_VERIFY_FAILED);
        CHECK(refused.verify_result == X509_V_ERR_APPLICATION_VERIFICATION);
        CHECK_FALSE(refused.after.accepted);
        CHECK(refused.after.reference_index == svcid::no_reference_index);
        CHECK(refused.after_presented.empty());
    }
}

namespace {

/// What a server saw of one handshake that may resume.
struct resumed_view {
    bool completed = false;
    bool resumed = false;
    long verify_result = X509_V_OK;
    int reason = 0;
    bool accepted = false;
    std::size_t index = svcid::no_reference_index;
    std::string presented;
};

// One handshake of the payments client with `server_ctx`, offering `offer` (if any); the
// session the client ends with is stored in `kept`.
resumed_view connect_offering(SSL_CTX* client_ctx, SSL_CTX* server_ctx, SSL_SESSION* offer, session_ptr& kept) {
    resumed_view v;
    converse(
        client_ctx, server_ctx,
        [&](SSL* ssl) {
            if (offer != nullptr && SSL_set_session(ssl, offer) != 1) return;
            // Reading the greeting also takes in a TLS 1.3 server's NewSessionTicket.
            if (SSL_connect(ssl) == 1 && receive(ssl, "ok")) kept.reset(SSL_get1_session(ssl));
        },
        [&](SSL* ssl) {
            v.completed = SSL_accept(ssl) == 1 && send(ssl, "ok");
            v.resumed = SSL_session_reused(ssl) == 1;
            v.reason = ERR_GET_REASON(ERR_peek_error());
            v.verify_result = SSL_get_verify_result(ssl);
            const svcid::peer_outcome who = svcid::peer_outcome_of(ssl);
            v.accepted = who.accepted;
            v.index = who.reference_index;
            v.presented = std::string(who.presented);
        });
    return v;
}

} // namespace

TEST_CASE("RFC 5077 / RFC 8446 §4.6.1: a ticket from one SSL_CTX does not resume on another that shares the ticket keys "
          "under another policy",
          "[tls][resumption][tickets]") {
    // Both contexts decrypt each other's tickets; only the policy digest tells them apart.
    unsigned char keys[80];
    for (std::size_t i = 0; i < sizeof keys; ++i) keys[i] = static_cast<unsigned char>(i * 7 + 3);
    for (const int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
        INFO("TLS " << (version == TLS1_2_VERSION ? "1.2" : "1.3"));
        context_ptr payments_server = policy_server(version);
        context_ptr ops_only = policy_server(version, svcid::identity_policy::make({*svcid::make_spiffe_reference(
                                                          "spiffe://ops.example", svcid::spiffe_match::trust_domain)}));
        for (SSL_CTX* ctx : {payments_server.get(), ops_only.get()})
            REQUIRE(SSL_CTX_ctrl(ctx, SSL_CTRL_SET_TLSEXT_TICKET_KEYS, sizeof keys, keys) == 1);
        context_ptr client_ctx = client_context(certs().payments, version);

        session_ptr ticket;
        const resumed_view first = connect_offering(client_ctx.get(), payments_server.get(), nullptr, ticket);
        CHECK(first.completed);
        CHECK(first.accepted);
        REQUIRE(ticket);

        session_ptr unused;
        const resumed_view elsewhere = connect_offering(client_ctx.get(), ops_only.get(), ticket.get(), unused);
        CHECK_FALSE(elsewhere.resumed);
        CHECK_FALSE(elsewhere.completed);
        CHECK(elsewhere.verify_result == X509_V_ERR_APPLICATION_VERIFICATION);
        CHECK(elsewhere.reason == SSL_R_CERTIFICATE_VERIFY_FAILED);
        CHECK_FALSE(elsewhere.accepted);
        CHECK(elsewhere.presented.empty());

        // The same ticket resumes where it was made: the refusal above is the policy's.
        const resumed_view home = connect_offering(client_ctx.get(), payments_server.get(), ticket.get(), unused);
        CHECK(home.completed);
        CHECK(home.resumed);
        CHECK(home.accepted);
        CHECK(home.index == 0);
        CHECK(home.presented == "spiffe://example.org/ns/payments/sa/api");
    }
}

namespace {

/// What the client saw of an abbreviated TLS 1.2 renegotiation (RFC 5746 with the
/// connection's own session offered, RFC 5246 §7.3), after it may have changed its policy.
struct abbreviated_view {
    bool first_accepted = false;
    bool renegotiated = false;
    bool resumed = false;
    int reason = 0;  ///< ERR_GET_REASON of the client's first error
    long verify_result = X509_V_OK;
    bool accepted = false;
    std::string presented;
};

svcid::identity_policy expect_host(const char* host) {
    return svcid::identity_policy::make({*svcid::parse_reference(host)});
}

// The client expects server.example.com, first per SSL or by its context's policy; after the
// first handshake the application switches that policy to `expected_after` and asks for an
// abbreviated renegotiation.
abbreviated_view renegotiate_abbreviated(bool per_ssl, const char* expected_after) {
    context_ptr server_ctx = policy_server(TLS1_2_VERSION);
    SSL_CTX_set_options(server_ctx.get(), SSL_OP_ALLOW_CLIENT_RENEGOTIATION);
    context_ptr client_ctx = client_context(certs().payments, TLS1_2_VERSION);
    if (!per_ssl) REQUIRE(svcid::set_identity_policy(client_ctx.get(), expect_host("server.example.com")));
    abbreviated_view v;
    seen unused;
    converse(
        client_ctx.get(), server_ctx.get(),
        [&](SSL* ssl) {
            if (SSL_connect(ssl) != 1 || !receive(ssl, "ok")) return;
            v.first_accepted = svcid::peer_outcome_of(ssl).accepted;
            const bool switched = per_ssl ? svcid::verify_server_host(ssl, expected_after) != nullptr
                                          : svcid::set_identity_policy(client_ctx.get(), expect_host(expected_after));
            if (!switched) return;
            v.renegotiated = SSL_renegotiate_abbreviated(ssl) == 1 && SSL_do_handshake(ssl) == 1;
            v.reason = ERR_GET_REASON(ERR_peek_error());
            v.resumed = SSL_session_reused(ssl) == 1;
            v.verify_result = SSL_get_verify_result(ssl);
            const svcid::peer_outcome who = svcid::peer_outcome_of(ssl);
            v.accepted = who.accepted;
            v.presented = std::string(who.presented);
            if (v.renegotiated) send(ssl, "hi");
        },
        [&](SSL* ssl) { serve(ssl, unused, [] { return true; }); }, per_ssl);
    return v;
}

} // namespace

TEST_CASE("RFC 5746: an abbreviated renegotiation under a policy the server does not meet does not pass as verified",
          "[tls][renegotiation]") {
    for (const bool per_ssl : {true, false}) {
        INFO((per_ssl ? "per-SSL policy" : "context policy"));
        // The same name again: the session resumes and the server is still the one expected.
        const abbreviated_view same = renegotiate_abbreviated(per_ssl, "server.example.com");
        CHECK(same.first_accepted);
        CHECK(same.renegotiated);
        CHECK(same.resumed);
        CHECK(same.verify_result == X509_V_OK);
        CHECK(same.accepted);
        CHECK(same.presented == "server.example.com");

        // Another name. No certificate would be sent in an abbreviated handshake, so svcid's
        // verify callback would never run.
        const abbreviated_view other = renegotiate_abbreviated(per_ssl, "other.example.com");
        INFO("renegotiated " << other.renegotiated << ", verify result " << other.verify_result << ", reason " << other.reason);
        CHECK(other.first_accepted);
        CHECK_FALSE(other.accepted);
        CHECK(other.presented.empty());
        // The new policy binds the SSL to its own session id context (its digest), which the
        // connection's session does not carry, so OpenSSL refuses to offer the session and
        // the renegotiation fails instead of resuming with a server the policy refuses.
        CHECK_FALSE(other.renegotiated);
        CHECK(other.reason == SSL_R_ATTEMPT_TO_REUSE_SESSION_IN_DIFFERENT_CONTEXT);
    }
}
