// Resumption, reuse and fail-closed regressions (issue 13): each scenario is a real
// handshake, or a sequence of them on shared SSL_CTXs so that sessions can resume, and
// asserts the refusing side's exact verify error; each refusal has a positive control.
#include <svcid/openssl/verify.hpp>

#include "catch.hpp"
#include "counting_allocator.hpp"
#include "loopback.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace der = svcid_test::der;
using svcid_test::built_certificate;
using svcid_test::cert_spec;
using svcid_test::outcome;

namespace {

using ctx_ptr = std::unique_ptr<SSL_CTX, svcid_test::ssl_ctx_free>;
using ssl_ptr = std::unique_ptr<SSL, svcid_test::ssl_free>;
struct session_free { void operator()(SSL_SESSION* p) const noexcept { SSL_SESSION_free(p); } };
using session_ptr = std::unique_ptr<SSL_SESSION, session_free>;

struct pki {
    built_certificate ca = make("svcid resumption CA", nullptr);
    built_certificate server_a = issue(der::dns("a.test"));
    built_certificate admin = issue(der::uri("spiffe://example.org/admin"));
    built_certificate reader = issue(der::uri("spiffe://example.org/reader"));
    // An attacker's server: issued by a CA nobody trusts, for a name nobody expects.
    built_certificate rogue_ca = make("svcid resumption rogue CA", nullptr);
    built_certificate rogue_server = issue_by(rogue_ca, der::dns("evil.test"));

    static built_certificate make(const char* cn, const built_certificate* issuer) {
        cert_spec spec;
        spec.subject_cn(cn);
        spec.ca = issuer == nullptr;
        if (issuer == nullptr) return svcid_test::make_certificate(spec);
        return svcid_test::make_certificate(spec, {issuer->cert.get(), issuer->key.get()});
    }
    built_certificate issue(std::string san) const { return issue_by(ca, std::move(san)); }
    static built_certificate issue_by(const built_certificate& issuer, std::string san) {
        cert_spec spec;
        spec.subject_cn("leaf");
        spec.add_san(std::move(san));
        return svcid_test::make_certificate(spec, {issuer.cert.get(), issuer.key.get()});
    }
};
const pki& the_pki() {
    static const pki p;
    return p;
}

/// How sessions resume: TLS 1.2 with session IDs only, TLS 1.2 tickets, TLS 1.3 PSK tickets.
enum class resumption { tls12_session_id, tls12_ticket, tls13_psk };
const char* name_of(resumption r) {
    switch (r) {
    case resumption::tls12_session_id: return "TLS 1.2 session ID";
    case resumption::tls12_ticket: return "TLS 1.2 ticket";
    case resumption::tls13_psk: return "TLS 1.3 PSK";
    }
    return "";
}

ctx_ptr make_ctx(bool server, resumption mode, const built_certificate* identity, bool trust_ca = true) {
    ctx_ptr ctx(SSL_CTX_new(server ? TLS_server_method() : TLS_client_method()));
    REQUIRE(ctx);
    const int version = mode == resumption::tls13_psk ? TLS1_3_VERSION : TLS1_2_VERSION;
    REQUIRE(SSL_CTX_set_min_proto_version(ctx.get(), version) == 1);
    REQUIRE(SSL_CTX_set_max_proto_version(ctx.get(), version) == 1);
    if (mode == resumption::tls12_session_id) SSL_CTX_set_options(ctx.get(), SSL_OP_NO_TICKET);
    if (identity != nullptr) {
        REQUIRE(SSL_CTX_use_certificate(ctx.get(), identity->cert.get()) == 1);
        REQUIRE(SSL_CTX_use_PrivateKey(ctx.get(), identity->key.get()) == 1);
    }
    if (trust_ca) REQUIRE(X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx.get()), the_pki().ca.cert.get()) == 1);
    return ctx;
}

struct pair_outcome {
    outcome client;
    outcome server;
};

// One handshake between two prepared SSLs over a fresh socketpair; each side ends with a
// clean close_notify when it completed, so its session stays resumable.
pair_outcome run(SSL* client, SSL* server) {
    static const bool sigpipe_ignored = std::signal(SIGPIPE, SIG_IGN) != SIG_ERR;
    REQUIRE(sigpipe_ignored);
    int fds[2];
    REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
    svcid_test::set_timeouts(fds[0]);
    svcid_test::set_timeouts(fds[1]);
    REQUIRE(SSL_set_fd(client, fds[0]) == 1);
    REQUIRE(SSL_set_fd(server, fds[1]) == 1);
    pair_outcome result;
    std::thread server_thread([&] {
        ERR_clear_error();
        result.server.completed = SSL_accept(server) == 1 && SSL_write(server, "ok", 2) == 2;
        result.server.first_error = ERR_peek_error();
        result.server.verify_result = SSL_get_verify_result(server);
        svcid_test::read_svcid(server, result.server);
        if (result.server.completed) SSL_shutdown(server);
        ERR_clear_error();
        shutdown(fds[1], SHUT_RDWR);
    });
    ERR_clear_error();
    char greeting[2] = {};
    result.client.completed = SSL_connect(client) == 1 && SSL_read(client, greeting, 2) == 2;
    result.client.first_error = ERR_peek_error();
    result.client.verify_result = SSL_get_verify_result(client);
    svcid_test::read_svcid(client, result.client);
    if (result.client.completed) SSL_shutdown(client);
    ERR_clear_error();
    shutdown(fds[0], SHUT_RDWR);
    server_thread.join();
    close(fds[0]);
    close(fds[1]);
    return result;
}

svcid::reference ref(const char* text) {
    auto r = svcid::parse_reference(text);
    REQUIRE(r.has_value());
    return *r;
}
svcid::reference spiffe(const char* id) {
    auto r = svcid::make_spiffe_reference(id, svcid::spiffe_match::exact);
    REQUIRE(r.has_value());
    return *r;
}

ssl_ptr client_expecting(SSL_CTX* ctx, const char* host, SSL_SESSION* offer = nullptr) {
    ssl_ptr ssl(SSL_new(ctx));
    REQUIRE(ssl);
    const svcid::reference expected[] = {ref(host)};
    REQUIRE(svcid::verify_server_identity(ssl.get(), expected, 1) != nullptr);
    if (offer != nullptr) REQUIRE(SSL_set_session(ssl.get(), offer) == 1);
    return ssl;
}

ssl_ptr plain_server(SSL_CTX* ctx) {
    ssl_ptr ssl(SSL_new(ctx));
    REQUIRE(ssl);
    return ssl;
}

ssl_ptr server_allowing(SSL_CTX* ctx, std::vector<svcid::reference> allowed) {
    ssl_ptr ssl(SSL_new(ctx));
    REQUIRE(ssl);
    REQUIRE(svcid::require_client_identity(ssl.get(), allowed.data(), allowed.size()) != nullptr);
    return ssl;
}

const resumption all_modes[] = {resumption::tls12_session_id, resumption::tls12_ticket, resumption::tls13_psk};

} // namespace

TEST_CASE("client: a session made for a.test is not resumed by an SSL that expects b.test", "[tls][resumption]") {
    for (const resumption mode : all_modes) {
        INFO(name_of(mode));
        auto server_ctx = make_ctx(true, mode, &the_pki().server_a);
        auto client_ctx = make_ctx(false, mode, nullptr);

        auto first = client_expecting(client_ctx.get(), "a.test");
        auto s1 = plain_server(server_ctx.get());
        const auto made = run(first.get(), s1.get());
        REQUIRE(made.client.completed);
        REQUIRE(made.client.outcome_accepted);
        session_ptr session(SSL_get1_session(first.get()));
        REQUIRE(session);
        REQUIRE(SSL_SESSION_is_resumable(session.get()) == 1);

        // The attack: same session, another expected identity. A full handshake follows,
        // and svcid refuses a.test's certificate.
        auto other = client_expecting(client_ctx.get(), "b.test", session.get());
        auto s2 = plain_server(server_ctx.get());
        const auto refused = run(other.get(), s2.get());
        CHECK_FALSE(refused.client.completed);
        CHECK_FALSE(refused.client.resumed);
        CHECK(refused.client.verify_result == X509_V_ERR_HOSTNAME_MISMATCH);
        CHECK_FALSE(refused.client.outcome_accepted);

        // Positive control: the same expected identity resumes and reports the right peer.
        auto same = client_expecting(client_ctx.get(), "a.test", session.get());
        auto s3 = plain_server(server_ctx.get());
        const auto resumed = run(same.get(), s3.get());
        CHECK(resumed.client.completed);
        CHECK(resumed.client.resumed);
        CHECK(resumed.client.verify_result == X509_V_OK);
        CHECK(resumed.client.outcome_accepted);
        CHECK(resumed.client.outcome_index == 0);
        CHECK(resumed.client.outcome_presented == "a.test");
    }
}

TEST_CASE("client: SSL_clear reuse with a re-attached identity runs a full handshake", "[tls][resumption][reuse]") {
    for (const resumption mode : all_modes) {
        INFO(name_of(mode));
        auto server_ctx = make_ctx(true, mode, &the_pki().server_a);
        auto client_ctx = make_ctx(false, mode, nullptr);
        auto client = client_expecting(client_ctx.get(), "a.test");
        auto s1 = plain_server(server_ctx.get());
        REQUIRE(run(client.get(), s1.get()).client.outcome_accepted);

        // Reuse with the same expectation: resumed, accepted.
        REQUIRE(SSL_clear(client.get()) == 1);
        auto s2 = plain_server(server_ctx.get());
        const auto again = run(client.get(), s2.get());
        CHECK(again.client.completed);
        CHECK(again.client.resumed);
        CHECK(again.client.outcome_accepted);
        CHECK(again.client.outcome_presented == "a.test");

        // Reuse after re-attaching b.test: the kept session is dropped, the name refused.
        REQUIRE(SSL_clear(client.get()) == 1);
        const svcid::reference b[] = {ref("b.test")};
        REQUIRE(svcid::verify_server_identity(client.get(), b, 1) != nullptr);
        auto s3 = plain_server(server_ctx.get());
        const auto refused = run(client.get(), s3.get());
        CHECK_FALSE(refused.client.completed);
        CHECK_FALSE(refused.client.resumed);
        CHECK(refused.client.verify_result == X509_V_ERR_HOSTNAME_MISMATCH);
        CHECK_FALSE(refused.client.outcome_accepted);
        CHECK(refused.client.outcome_index == svcid::no_reference_index);
    }
}

TEST_CASE("client: a session from a context that verified nothing is not resumed (F4)", "[tls][resumption]") {
    for (const resumption mode : all_modes) {
        INFO(name_of(mode));
        auto server_ctx = make_ctx(true, mode, &the_pki().server_a);
        // A client that trusts no CA and does not verify: its session's verify result is a
        // chain error and it carries no svcid policy digest.
        auto careless_ctx = make_ctx(false, mode, nullptr, false);
        ssl_ptr careless(SSL_new(careless_ctx.get()));
        SSL_set_verify(careless.get(), SSL_VERIFY_NONE, nullptr);
        auto s1 = plain_server(server_ctx.get());
        const auto made = run(careless.get(), s1.get());
        REQUIRE(made.client.completed);
        REQUIRE(made.client.verify_result != X509_V_OK);
        session_ptr session(SSL_get1_session(careless.get()));
        REQUIRE(session);

        // svcid on a context that also trusts nothing: resuming would skip the chain check
        // that a full handshake fails.
        auto strict_ctx = make_ctx(false, mode, nullptr, false);
        auto strict = client_expecting(strict_ctx.get(), "a.test", session.get());
        auto s2 = plain_server(server_ctx.get());
        const auto refused = run(strict.get(), s2.get());
        CHECK_FALSE(refused.client.completed);
        CHECK_FALSE(refused.client.resumed);
        // The server sends its CA too (OpenSSL builds the chain from its store).
        CHECK(refused.client.verify_result == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN);
        CHECK_FALSE(refused.client.outcome_accepted);
    }
}

TEST_CASE("server: a client admitted under one allow-list does not resume under another", "[tls][resumption][mtls]") {
    for (const resumption mode : all_modes) {
        INFO(name_of(mode));
        auto server_ctx = make_ctx(true, mode, &the_pki().server_a);
        auto client_ctx = make_ctx(false, mode, &the_pki().reader);

        auto c1 = client_expecting(client_ctx.get(), "a.test");
        auto s1 = server_allowing(server_ctx.get(), {spiffe("spiffe://example.org/reader")});
        const auto made = run(c1.get(), s1.get());
        REQUIRE(made.server.completed);
        REQUIRE(made.server.outcome_accepted);
        session_ptr session(SSL_get1_session(c1.get()));
        REQUIRE(session);

        auto c2 = client_expecting(client_ctx.get(), "a.test", session.get());
        auto s2 = server_allowing(server_ctx.get(), {spiffe("spiffe://example.org/admin")});
        const auto refused = run(c2.get(), s2.get());
        CHECK_FALSE(refused.server.completed);
        CHECK_FALSE(refused.server.resumed);
        CHECK(refused.server.verify_result == svcid::verify_error_application);
        CHECK_FALSE(refused.server.outcome_accepted);
        CHECK(refused.server.outcome_index == svcid::no_reference_index);
        CHECK_FALSE(refused.client.completed);

        // Positive control: the same allow-list on another SSL of the context resumes.
        auto c3 = client_expecting(client_ctx.get(), "a.test", session.get());
        auto s3 = server_allowing(server_ctx.get(), {spiffe("spiffe://example.org/reader")});
        const auto resumed = run(c3.get(), s3.get());
        CHECK(resumed.server.completed);
        CHECK(resumed.server.resumed);
        CHECK(resumed.server.outcome_accepted);
        CHECK(resumed.server.outcome_presented == "spiffe://example.org/reader");
    }
}

TEST_CASE("server: a reader resuming under {admin, reader} is reported as entry 1, never entry 0",
          "[tls][resumption][mtls]") {
    for (const resumption mode : all_modes) {
        INFO(name_of(mode));
        auto server_ctx = make_ctx(true, mode, &the_pki().server_a);
        auto client_ctx = make_ctx(false, mode, &the_pki().reader);
        const std::vector<svcid::reference> roles = {spiffe("spiffe://example.org/admin"),
                                                     spiffe("spiffe://example.org/reader")};
        auto c1 = client_expecting(client_ctx.get(), "a.test");
        auto s1 = server_allowing(server_ctx.get(), roles);
        const auto made = run(c1.get(), s1.get());
        REQUIRE(made.server.outcome_accepted);
        CHECK(made.server.outcome_index == 1);
        session_ptr session(SSL_get1_session(c1.get()));

        auto c2 = client_expecting(client_ctx.get(), "a.test", session.get());
        auto s2 = server_allowing(server_ctx.get(), roles);
        const auto resumed = run(c2.get(), s2.get());
        CHECK(resumed.server.completed);
        CHECK(resumed.server.resumed);
        CHECK(resumed.server.outcome_accepted);
        CHECK(resumed.server.outcome_error == X509_V_OK);
        CHECK(resumed.server.outcome_index == 1);
        CHECK(resumed.server.outcome_presented == "spiffe://example.org/reader");
    }
}

TEST_CASE("server: SSL_clear reuse never reports the previous connection's peer", "[tls][reuse][mtls]") {
    for (const resumption mode : all_modes) {
        INFO(name_of(mode));
        auto server_ctx = make_ctx(true, mode, &the_pki().server_a);
        auto reader_ctx = make_ctx(false, mode, &the_pki().reader);
        auto admin_ctx = make_ctx(false, mode, &the_pki().admin);
        auto anonymous_ctx = make_ctx(false, mode, nullptr);
        auto server = server_allowing(server_ctx.get(), {spiffe("spiffe://example.org/admin"),
                                                          spiffe("spiffe://example.org/reader")});
        auto c1 = client_expecting(reader_ctx.get(), "a.test");
        REQUIRE(run(c1.get(), server.get()).server.outcome_index == 1);

        // A client with no certificate on the reused SSL: refused, and nothing reads as a match.
        REQUIRE(SSL_clear(server.get()) == 1);
        auto c2 = client_expecting(anonymous_ctx.get(), "a.test");
        const auto anonymous = run(c2.get(), server.get());
        CHECK_FALSE(anonymous.server.completed);
        CHECK(ERR_GET_REASON(anonymous.server.first_error) == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE);
        CHECK_FALSE(anonymous.server.svcid_accepted);
        CHECK_FALSE(anonymous.server.outcome_accepted);
        CHECK(anonymous.server.outcome_index == svcid::no_reference_index);
        CHECK(anonymous.server.outcome_presented.empty());

        // The admin on the reused SSL is entry 0 with its own identifier.
        REQUIRE(SSL_clear(server.get()) == 1);
        auto c3 = client_expecting(admin_ctx.get(), "a.test");
        const auto admin = run(c3.get(), server.get());
        CHECK(admin.server.completed);
        CHECK(admin.server.outcome_accepted);
        CHECK(admin.server.outcome_index == 0);
        CHECK(admin.server.outcome_presented == "spiffe://example.org/admin");
    }
}

TEST_CASE("server: an allow-list with SSL_VERIFY_PEER but no FAIL_IF_NO_PEER_CERT still refuses a client "
          "without a certificate",
          "[tls][fail-closed][mtls]") {
    for (const bool fail_if_none : {false, true}) {
        INFO("FAIL_IF_NO_PEER_CERT " << fail_if_none);
        auto server_ctx = make_ctx(true, resumption::tls13_psk, &the_pki().server_a);
        auto client_ctx = make_ctx(false, resumption::tls13_psk, nullptr);
        ssl_ptr server(SSL_new(server_ctx.get()));
        const svcid::reference allowed[] = {spiffe("spiffe://example.org/reader")};
        REQUIRE(svcid::attach_peer_identity(server.get(), allowed, 1) != nullptr);
        SSL_set_verify(server.get(), SSL_VERIFY_PEER | (fail_if_none ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0),
                       svcid::verify_callback);
        auto client = client_expecting(client_ctx.get(), "a.test");
        const auto result = run(client.get(), server.get());
        CHECK_FALSE(result.server.completed);
        CHECK(ERR_GET_REASON(result.server.first_error) == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE);
        CHECK_FALSE(result.server.svcid_checked);
        CHECK(result.server.svcid_error == svcid::verify_error_application);
        CHECK(result.server.reference_index == svcid::no_reference_index);
        CHECK_FALSE(result.server.outcome_accepted);
        CHECK(result.server.outcome_index == svcid::no_reference_index);
        CHECK_FALSE(result.client.completed);
    }
}

namespace {
int app_callback_calls = 0;
int accept_everything(int, X509_STORE_CTX*) {
    ++app_callback_calls;
    return 1;
}
} // namespace

TEST_CASE("an application callback set after svcid's does not unhook svcid (F1)", "[tls][fail-closed]") {
    auto server_ctx = make_ctx(true, resumption::tls13_psk, &the_pki().server_a);
    for (const char* host : {"b.test", "a.test"}) {
        INFO(host);
        auto client_ctx = make_ctx(false, resumption::tls13_psk, nullptr, false);
        auto client = client_expecting(client_ctx.get(), host);
        app_callback_calls = 0;
        SSL_set_verify(client.get(), SSL_VERIFY_NONE, accept_everything);
        auto server = plain_server(server_ctx.get());
        const auto result = run(client.get(), server.get());
        CHECK(app_callback_calls > 0);
        if (std::string(host) == "b.test") {
            // The app waives the chain error; svcid still refuses the name.
            CHECK_FALSE(result.client.completed);
            CHECK(result.client.verify_result == X509_V_ERR_HOSTNAME_MISMATCH);
        } else {
            // The name matches, the waived chain error is reported (F2): not accepted.
            CHECK(result.client.completed);
            CHECK(result.client.svcid_name_matched);
            CHECK_FALSE(result.client.outcome_accepted);
            CHECK(result.client.outcome_error == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN);
        }
    }
}

namespace {
int reattach_depth = -1;
int reattach_calls = 0;
// A chained callback that replaces svcid's state while svcid's callback is running.
int reattach_at_depth(int preverify_ok, X509_STORE_CTX* store) {
    if (X509_STORE_CTX_get_error_depth(store) != reattach_depth) return preverify_ok;
    auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    const svcid::reference any[] = {*svcid::parse_reference("a.test")};
    ++reattach_calls;
    if (svcid::attach_peer_identity(ssl, any, 1) == nullptr) return 0;
    return preverify_ok;
}
} // namespace

TEST_CASE("a chained callback that re-attaches during verification is refused, without use-after-free",
          "[tls][fail-closed][chain-callback]") {
    auto server_ctx = make_ctx(true, resumption::tls13_psk, &the_pki().server_a);
    // The server sends its CA too, so OpenSSL calls the callback at depth 1 and 0.
    REQUIRE(SSL_CTX_add1_chain_cert(server_ctx.get(), the_pki().ca.cert.get()) == 1);
    for (const auto order : {svcid::chain_order::before_svcid, svcid::chain_order::after_svcid}) {
        for (const int depth : {1, 0}) {
            INFO("depth " << depth);
            reattach_depth = depth;
            reattach_calls = 0;
            auto client_ctx = make_ctx(false, resumption::tls13_psk, nullptr);
            ssl_ptr client(SSL_new(client_ctx.get()));
            svcid::verify_options options;
            options.chained = reattach_at_depth;
            options.order = order;
            const svcid::reference expected[] = {ref("a.test")};
            REQUIRE(svcid::verify_server_identity(client.get(), expected, 1, options) != nullptr);
            auto server = plain_server(server_ctx.get());
            const auto result = run(client.get(), server.get());
            CHECK(reattach_calls == 1);
            CHECK_FALSE(result.client.completed);
            CHECK(result.client.verify_result == svcid::verify_error_application);
            CHECK_FALSE(result.client.outcome_accepted);
        }
    }
}

TEST_CASE("allocation failure at each allocation of an attach leaves an SSL that refuses every peer",
          "[tls][fail-closed][allocation]") {
    REQUIRE(svcid_test::openssl_allocations_counted());
    auto server_ctx = make_ctx(true, resumption::tls13_psk, &the_pki().server_a);
    auto client_ctx = make_ctx(false, resumption::tls13_psk, nullptr);
    const svcid::reference expected[] = {ref("a.test")};
    for (const bool reattach : {false, true}) {
        INFO("re-attach " << reattach);
        int failures = 0;
        for (long k = 1;; ++k) {
            INFO("failing allocation " << k);
            ssl_ptr client(SSL_new(client_ctx.get()));
            REQUIRE(client);
            // Before a re-attach, the SSL already has a state that would accept a.test.
            if (reattach) REQUIRE(svcid::verify_server_identity(client.get(), expected, 1) != nullptr);
            svcid_test::fail_allocation(k);
            const bool attached = svcid::verify_server_identity(client.get(), expected, 1) != nullptr;
            const bool injected = !svcid_test::allocation_failure_pending();
            svcid_test::fail_allocation(0);
            if (!injected) {
                // Past the last allocation: attaching worked.
                REQUIRE(attached);
                break;
            }
            auto server = plain_server(server_ctx.get());
            const auto result = run(client.get(), server.get());
            if (attached) {
                CHECK(result.client.outcome_accepted);
                continue;
            }
            ++failures;
            CHECK_FALSE(result.client.completed);
            CHECK(result.client.verify_result == svcid::verify_error_application);
            CHECK_FALSE(result.client.outcome_accepted);
        }
        // The state, the references and the digest context at least.
        CHECK(failures >= 3);
    }
}

TEST_CASE("SSL_dup: the copy keeps the policy and refuses a wrong name on its own", "[tls][ownership]") {
    auto server_ctx = make_ctx(true, resumption::tls13_psk, &the_pki().server_a);
    auto client_ctx = make_ctx(false, resumption::tls13_psk, nullptr);
    for (const char* host : {"b.test", "a.test"}) {
        auto original = client_expecting(client_ctx.get(), host);
        ssl_ptr copy(SSL_dup(original.get()));
        REQUIRE(copy);
        REQUIRE(svcid::peer_identity_of(copy.get()) != svcid::peer_identity_of(original.get()));
        auto server = plain_server(server_ctx.get());
        const auto result = run(copy.get(), server.get());
        if (std::string(host) == "b.test") {
            CHECK_FALSE(result.client.completed);
            CHECK(result.client.verify_result == X509_V_ERR_HOSTNAME_MISMATCH);
        } else {
            CHECK(result.client.completed);
            CHECK(result.client.outcome_accepted);
            CHECK(result.client.outcome_presented == "a.test");
        }
    }
}

TEST_CASE("an attached policy with no verify callback installed still checks the name", "[tls][fail-closed]") {
    auto server_ctx = make_ctx(true, resumption::tls13_psk, &the_pki().server_a);
    auto client_ctx = make_ctx(false, resumption::tls13_psk, nullptr);
    for (const char* host : {"b.test", "a.test"}) {
        INFO(host);
        ssl_ptr client(SSL_new(client_ctx.get()));
        const svcid::reference expected[] = {ref(host)};
        REQUIRE(svcid::attach_peer_identity(client.get(), expected, 1) != nullptr);
        auto server = plain_server(server_ctx.get());
        const auto result = run(client.get(), server.get());
        if (std::string(host) == "b.test") {
            CHECK_FALSE(result.client.completed);
            CHECK(result.client.verify_result == X509_V_ERR_HOSTNAME_MISMATCH);
        } else {
            CHECK(result.client.completed);
            CHECK(result.client.outcome_accepted);
        }
    }
}

// ---- One policy per SSL_CTX (set_identity_policy): no per-connection state -------------

namespace {
svcid::identity_policy policy_of(std::initializer_list<svcid::reference> refs) {
    auto p = svcid::identity_policy::make(refs);
    REQUIRE(p);
    return p;
}
ssl_ptr bare(SSL_CTX* ctx, SSL_SESSION* offer = nullptr) {
    ssl_ptr ssl(SSL_new(ctx));
    REQUIRE(ssl);
    if (offer != nullptr) REQUIRE(SSL_set_session(ssl.get(), offer) == 1);
    return ssl;
}
} // namespace

TEST_CASE("context policy: one allow-list on the server SSL_CTX admits by entry, refuses the unlisted and the "
          "certificate-less, and keeps no per-connection state",
          "[tls][context][mtls]") {
    for (const resumption mode : all_modes) {
        INFO(name_of(mode));
        auto server_ctx = make_ctx(true, mode, &the_pki().server_a);
        REQUIRE(svcid::set_identity_policy(server_ctx.get(), policy_of({spiffe("spiffe://example.org/admin"),
                                                                         spiffe("spiffe://example.org/reader")})));
        REQUIRE(svcid::context_identity_of(server_ctx.get()) != nullptr);
        auto client_for = [&](const built_certificate* who) { return make_ctx(false, mode, who); };
        auto reader_ctx = client_for(&the_pki().reader);
        auto admin_ctx = client_for(&the_pki().admin);
        auto anonymous_ctx = client_for(nullptr);
        auto outsider_ctx = client_for(&the_pki().server_a);  // trusted CA, DNS-ID only

        auto c1 = client_expecting(reader_ctx.get(), "a.test");
        auto s1 = bare(server_ctx.get());
        const auto reader = run(c1.get(), s1.get());
        CHECK(reader.server.completed);
        CHECK_FALSE(reader.server.svcid_attached);  // nothing per SSL
        CHECK(reader.server.outcome_accepted);
        CHECK(reader.server.outcome_index == 1);
        CHECK(reader.server.outcome_presented == "spiffe://example.org/reader");

        auto c2 = client_expecting(admin_ctx.get(), "a.test");
        auto s2 = bare(server_ctx.get());
        const auto admin = run(c2.get(), s2.get());
        CHECK(admin.server.outcome_accepted);
        CHECK(admin.server.outcome_index == 0);

        auto c3 = client_expecting(outsider_ctx.get(), "a.test");
        auto s3 = bare(server_ctx.get());
        const auto outsider = run(c3.get(), s3.get());
        CHECK_FALSE(outsider.server.completed);
        CHECK(outsider.server.verify_result == svcid::verify_error_application);
        CHECK_FALSE(outsider.server.outcome_accepted);
        CHECK(outsider.server.outcome_index == svcid::no_reference_index);

        auto c4 = client_expecting(anonymous_ctx.get(), "a.test");
        auto s4 = bare(server_ctx.get());
        const auto anonymous = run(c4.get(), s4.get());
        CHECK_FALSE(anonymous.server.completed);
        CHECK(ERR_GET_REASON(anonymous.server.first_error) == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE);
        CHECK_FALSE(anonymous.server.outcome_accepted);

        // The explanation is made on demand, from the SSL.
        char why[512];
        CHECK(svcid::explain_peer(s3.get(), why, sizeof why) != 0);
    }
}

TEST_CASE("context policy: SSL_new allocates nothing more for svcid, and the verify callback, the outcome and "
          "the explanation allocate nothing",
          "[tls][context][allocation]") {
    REQUIRE(svcid_test::openssl_allocations_counted());
    auto plain_ctx = make_ctx(true, resumption::tls13_psk, &the_pki().server_a);
    auto policy_ctx = make_ctx(true, resumption::tls13_psk, &the_pki().server_a);
    REQUIRE(svcid::set_identity_policy(policy_ctx.get(), policy_of({spiffe("spiffe://example.org/admin"),
                                                                     spiffe("spiffe://example.org/reader"),
                                                                     ref("ops.example.org")})));
    auto count_new = [](SSL_CTX* ctx) {
        const long before = svcid_test::allocations();
        ssl_ptr ssl(SSL_new(ctx));
        return svcid_test::allocations() - before;
    };
    CHECK(count_new(policy_ctx.get()) == count_new(plain_ctx.get()));

    auto client_ctx = make_ctx(false, resumption::tls13_psk, &the_pki().reader);
    auto c = client_expecting(client_ctx.get(), "a.test");
    auto s = bare(policy_ctx.get());
    REQUIRE(run(c.get(), s.get()).server.outcome_accepted);
    const long before = svcid_test::allocations();
    const svcid::peer_outcome who = svcid::peer_outcome_of(s.get());
    char why[512];
    const std::size_t n = svcid::explain_peer(s.get(), why, sizeof why);
    CHECK(svcid_test::allocations() - before == 0);
    CHECK(who.accepted);
    CHECK(n != 0);
}

TEST_CASE("context policy: a session made under one server policy is not resumed after the policy changes",
          "[tls][context][resumption][mtls]") {
    for (const resumption mode : all_modes) {
        INFO(name_of(mode));
        auto server_ctx = make_ctx(true, mode, &the_pki().server_a);
        REQUIRE(svcid::set_identity_policy(server_ctx.get(), policy_of({spiffe("spiffe://example.org/reader")})));
        auto client_ctx = make_ctx(false, mode, &the_pki().reader);
        auto c1 = client_expecting(client_ctx.get(), "a.test");
        auto s1 = bare(server_ctx.get());
        REQUIRE(run(c1.get(), s1.get()).server.outcome_accepted);
        session_ptr session(SSL_get1_session(c1.get()));
        REQUIRE(session);

        // Positive control: the same policy resumes and names the resumed peer.
        auto c2 = client_expecting(client_ctx.get(), "a.test", session.get());
        auto s2 = bare(server_ctx.get());
        const auto resumed = run(c2.get(), s2.get());
        CHECK(resumed.server.resumed);
        CHECK(resumed.server.outcome_accepted);
        CHECK(resumed.server.outcome_presented == "spiffe://example.org/reader");

        // The reader is no longer allowed: its session must not carry it in.
        REQUIRE(svcid::set_identity_policy(server_ctx.get(), policy_of({spiffe("spiffe://example.org/admin")})));
        auto c3 = client_expecting(client_ctx.get(), "a.test", session.get());
        auto s3 = bare(server_ctx.get());
        const auto refused = run(c3.get(), s3.get());
        CHECK_FALSE(refused.server.completed);
        CHECK_FALSE(refused.server.resumed);
        CHECK(refused.server.verify_result == svcid::verify_error_application);
        CHECK_FALSE(refused.server.outcome_accepted);
    }
}

/// A mesh server's allow-list: `count` workload IDs, and `extra` among them.
svcid::identity_policy workload_set(std::size_t count, const char* extra) {
    svcid::reference_set set;
    std::size_t added = 0;
    for (std::size_t i = 0; i < count; ++i) {
        const std::string id = "spiffe://example.org/workload/" + std::to_string(i);
        added += set.add(*svcid::make_spiffe_reference(id)) ? 1 : 0;
    }
    REQUIRE(added == count);
    REQUIRE(set.add(*svcid::make_spiffe_reference(extra)));
    auto p = svcid::identity_policy::make(std::move(set));
    REQUIRE(p);
    return p;
}

TEST_CASE("context policy from a reference_set of 100,000 SPIFFE IDs: a listed client is admitted, an unlisted one "
          "refused, and a session resumes only under the same set",
          "[tls][context][resumption][mtls][set]") {
    const svcid::identity_policy with_reader = workload_set(100000, "spiffe://example.org/reader");
    for (const resumption mode : all_modes) {
        INFO(name_of(mode));
        auto server_ctx = make_ctx(true, mode, &the_pki().server_a);
        REQUIRE(svcid::set_identity_policy(server_ctx.get(), with_reader));
        auto reader_ctx = make_ctx(false, mode, &the_pki().reader);
        auto admin_ctx = make_ctx(false, mode, &the_pki().admin);

        auto c1 = client_expecting(reader_ctx.get(), "a.test");
        auto s1 = bare(server_ctx.get());
        const auto reader = run(c1.get(), s1.get());
        REQUIRE(reader.server.completed);
        CHECK_FALSE(reader.server.svcid_attached);
        CHECK(reader.server.outcome_accepted);
        CHECK(reader.server.outcome_presented == "spiffe://example.org/reader");
        // A set names no single reference.
        CHECK(reader.server.outcome_index == svcid::no_reference_index);
        session_ptr session(SSL_get1_session(c1.get()));
        REQUIRE(session);

        auto c2 = client_expecting(admin_ctx.get(), "a.test");
        auto s2 = bare(server_ctx.get());
        const auto admin = run(c2.get(), s2.get());
        CHECK_FALSE(admin.server.completed);
        CHECK(admin.server.verify_result == svcid::verify_error_application);
        CHECK_FALSE(admin.server.outcome_accepted);
        // The refused certificate went with the failed handshake; the verify result stays.
        char why[512];
        REQUIRE(svcid::explain_peer(s2.get(), why, sizeof why) < sizeof why);
        CHECK(std::string(why) == "the handshake refused the peer: application verification failure");

        // Positive control: the same set resumes.
        auto c3 = client_expecting(reader_ctx.get(), "a.test", session.get());
        auto s3 = bare(server_ctx.get());
        const auto resumed = run(c3.get(), s3.get());
        CHECK(resumed.server.resumed);
        CHECK(resumed.server.outcome_accepted);

        // A set that no longer lists the reader (same size, another last entry): no resumption.
        REQUIRE(svcid::set_identity_policy(server_ctx.get(), workload_set(100000, "spiffe://example.org/admin")));
        auto c4 = client_expecting(reader_ctx.get(), "a.test", session.get());
        auto s4 = bare(server_ctx.get());
        const auto refused = run(c4.get(), s4.get());
        CHECK_FALSE(refused.server.completed);
        CHECK_FALSE(refused.server.resumed);
        CHECK(refused.server.verify_result == svcid::verify_error_application);
    }
}

TEST_CASE("context policy: a client SSL_CTX's session is not offered under another policy, and SSL_clear reuse "
          "follows the context",
          "[tls][context][resumption]") {
    for (const resumption mode : all_modes) {
        INFO(name_of(mode));
        auto server_ctx = make_ctx(true, mode, &the_pki().server_a);
        auto client_ctx = make_ctx(false, mode, nullptr);
        REQUIRE(svcid::set_identity_policy(client_ctx.get(), policy_of({ref("a.test")})));
        auto c1 = bare(client_ctx.get());
        auto s1 = plain_server(server_ctx.get());
        const auto made = run(c1.get(), s1.get());
        REQUIRE(made.client.completed);
        REQUIRE(made.client.outcome_accepted);
        session_ptr session(SSL_get1_session(c1.get()));

        REQUIRE(SSL_clear(c1.get()) == 1);
        auto s2 = plain_server(server_ctx.get());
        const auto again = run(c1.get(), s2.get());
        CHECK(again.client.resumed);
        CHECK(again.client.outcome_accepted);
        CHECK(again.client.outcome_presented == "a.test");

        REQUIRE(svcid::set_identity_policy(client_ctx.get(), policy_of({ref("b.test")})));
        auto c3 = bare(client_ctx.get(), session.get());
        auto s3 = plain_server(server_ctx.get());
        const auto refused = run(c3.get(), s3.get());
        CHECK_FALSE(refused.client.completed);
        CHECK_FALSE(refused.client.resumed);
        CHECK(refused.client.verify_result == X509_V_ERR_HOSTNAME_MISMATCH);
        CHECK_FALSE(refused.client.outcome_accepted);
    }
}

TEST_CASE("context policy: an SSL's own policy overrides the context's; a failed set leaves the context refusing",
          "[tls][context][fail-closed]") {
    auto server_ctx = make_ctx(true, resumption::tls13_psk, &the_pki().server_a);
    auto client_ctx = make_ctx(false, resumption::tls13_psk, nullptr);
    REQUIRE(svcid::set_identity_policy(client_ctx.get(), policy_of({ref("b.test")})));

    auto overridden = client_expecting(client_ctx.get(), "a.test");
    auto s1 = plain_server(server_ctx.get());
    const auto accepted = run(overridden.get(), s1.get());
    CHECK(accepted.client.completed);
    CHECK(accepted.client.outcome_accepted);

    auto by_context = bare(client_ctx.get());
    auto s2 = plain_server(server_ctx.get());
    const auto refused = run(by_context.get(), s2.get());
    CHECK_FALSE(refused.client.completed);
    CHECK(refused.client.verify_result == X509_V_ERR_HOSTNAME_MISMATCH);

    // An empty policy is refused, and the context then refuses every server.
    CHECK_FALSE(svcid::set_identity_policy(client_ctx.get(), svcid::identity_policy()));
    auto after = bare(client_ctx.get());
    auto s3 = plain_server(server_ctx.get());
    const auto withdrawn = run(after.get(), s3.get());
    CHECK_FALSE(withdrawn.client.completed);
    CHECK(withdrawn.client.verify_result == svcid::verify_error_application);
    CHECK_FALSE(withdrawn.client.outcome_accepted);
}

TEST_CASE("context policy: an application verify callback set on the SSL afterwards is adopted, not an unhook (F1)",
          "[tls][context][fail-closed]") {
    auto server_ctx = make_ctx(true, resumption::tls13_psk, &the_pki().server_a);
    for (const char* host : {"b.test", "a.test"}) {
        INFO(host);
        auto client_ctx = make_ctx(false, resumption::tls13_psk, nullptr, false);
        REQUIRE(svcid::set_identity_policy(client_ctx.get(), policy_of({ref(host)})));
        auto client = bare(client_ctx.get());
        app_callback_calls = 0;
        SSL_set_verify(client.get(), SSL_VERIFY_NONE, accept_everything);
        auto server = plain_server(server_ctx.get());
        const auto result = run(client.get(), server.get());
        CHECK(app_callback_calls > 0);
        if (std::string(host) == "b.test") {
            CHECK_FALSE(result.client.completed);
            CHECK(result.client.verify_result == X509_V_ERR_HOSTNAME_MISMATCH);
        } else {
            // The app waived the chain error: the name matched, but that is no acceptance (F2).
            CHECK(result.client.completed);
            CHECK_FALSE(result.client.outcome_accepted);
            CHECK(result.client.outcome_error == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN);
        }
    }
}

TEST_CASE("verify_server_host: one line for a DNS name or an IP address; a bad host leaves an SSL that refuses",
          "[tls][ergonomics]") {
    auto server_ctx = make_ctx(true, resumption::tls13_psk, &the_pki().server_a);
    auto client_ctx = make_ctx(false, resumption::tls13_psk, nullptr);
    {
        ssl_ptr c(SSL_new(client_ctx.get()));
        REQUIRE(svcid::verify_server_host(c.get(), "A.Test") != nullptr);
        CHECK(std::string(SSL_get_servername(c.get(), TLSEXT_NAMETYPE_host_name)) == "a.test");
        auto s = plain_server(server_ctx.get());
        const auto r = run(c.get(), s.get());
        CHECK(r.client.completed);
        CHECK(r.client.outcome_accepted);
    }
    for (const char* bad : {"", "*.test", "a..test", "xn--a.test"}) {
        INFO(bad);
        ssl_ptr c(SSL_new(client_ctx.get()));
        CHECK(svcid::verify_server_host(c.get(), bad) == nullptr);
        auto s = plain_server(server_ctx.get());
        const auto r = run(c.get(), s.get());
        CHECK_FALSE(r.client.completed);
        CHECK(r.client.verify_result == svcid::verify_error_application);
    }
    {
        ssl_ptr c(SSL_new(client_ctx.get()));
        CHECK(svcid::verify_server_host(c.get(), std::string_view("a.test\0evil", 11)) == nullptr);
        ssl_ptr ip(SSL_new(client_ctx.get()));
        REQUIRE(svcid::verify_server_host(ip.get(), "192.0.2.1") != nullptr);
        CHECK(SSL_get_servername(ip.get(), TLSEXT_NAMETYPE_host_name) == nullptr);  // RFC 6066 §3
        auto s = plain_server(server_ctx.get());
        const auto r = run(ip.get(), s.get());
        CHECK_FALSE(r.client.completed);
        CHECK(r.client.verify_result == X509_V_ERR_IP_ADDRESS_MISMATCH);
    }
}

namespace {
struct counting_chain {
    int calls = 0;
    int operator()(int preverify_ok, X509_STORE_CTX*) noexcept {
        ++calls;
        return preverify_ok;
    }
};
} // namespace

TEST_CASE("chained_callback runs any callable the application keeps alive", "[tls][ergonomics][chain-callback]") {
    auto server_ctx = make_ctx(true, resumption::tls13_psk, &the_pki().server_a);
    auto client_ctx = make_ctx(false, resumption::tls13_psk, nullptr);
    counting_chain chain;
    svcid::callback_options callbacks;
    callbacks.chained = svcid::chained_callback::of(chain);
    callbacks.order = svcid::chain_order::after_svcid;
    REQUIRE(svcid::set_identity_policy(client_ctx.get(), policy_of({ref("a.test")}), callbacks));
    auto c = bare(client_ctx.get());
    auto s = plain_server(server_ctx.get());
    const auto r = run(c.get(), s.get());
    CHECK(r.client.outcome_accepted);
    CHECK(chain.calls == 2);  // the CA and the leaf
}

// ---- SNI context switches, a client's session pre-check, adoption across contexts, re-entrancy ----

namespace {

// A client that expects a.test (per-SSL state), optionally with SNI and an offered session.
ssl_ptr client_for_a(SSL_CTX* ctx, const char* sni, SSL_SESSION* offer) {
    ssl_ptr ssl = bare(ctx);
    REQUIRE(svcid::verify_server_host(ssl.get(), "a.test") != nullptr);
    // verify_server_host sets SNI a.test; the cases below choose their own.
    if (sni != nullptr) {
        REQUIRE(SSL_set_tlsext_host_name(ssl.get(), sni) == 1);
    }
    if (offer != nullptr) REQUIRE(SSL_set_session(ssl.get(), offer) == 1);
    return ssl;
}

// SNI-based virtual hosting as OpenSSL documents it: the servername callback moves the SSL
// to the context of the name asked for.
int switch_on_sni(SSL* ssl, int*, void* arg) {
    const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    if (name != nullptr && std::strcmp(name, "b.test") == 0) SSL_set_SSL_CTX(ssl, static_cast<SSL_CTX*>(arg));
    return SSL_TLSEXT_ERR_OK;
}
// The same, through svcid::switch_context.
int switch_on_sni_with_svcid(SSL* ssl, int*, void* arg) {
    const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    if (name != nullptr && std::strcmp(name, "b.test") == 0) return svcid::switch_context(ssl, static_cast<SSL_CTX*>(arg));
    return SSL_TLSEXT_ERR_OK;
}
using servername_callback = int (*)(SSL*, int*, void*);
std::vector<std::pair<resumption, servername_callback>> modes_and_switches() {
    std::vector<std::pair<resumption, servername_callback>> all;
    for (const resumption mode : all_modes)
        for (const servername_callback used : {switch_on_sni, switch_on_sni_with_svcid}) all.emplace_back(mode, used);
    return all;
}

// What a resumption across a virtual-host switch may end in: with svcid::switch_context the
// handshake fails unless the final context's policy admits the peer; with a plain
// SSL_set_SSL_CTX (OpenSSL decided on the resumption before the callback ran) a completed
// handshake the final policy refuses reports the refusal in SSL_get_verify_result().
void check_switched(const pair_outcome& attack, servername_callback used) {
    if (used == switch_on_sni_with_svcid) {
        CHECK((!attack.server.completed || attack.server.outcome_accepted));
    } else {
        CHECK((!attack.server.completed || attack.server.outcome_accepted ||
               attack.server.verify_result == svcid::verify_error_application));
    }
}

} // namespace


TEST_CASE("an admin admitted on vhost b.test does not resume on vhost a.test, which admits readers",
          "[tls][review][sni]") {
    for (const auto& [mode, used] : modes_and_switches()) {
        INFO(name_of(mode) << (used == switch_on_sni ? ", SSL_set_SSL_CTX" : ", svcid::switch_context"));
        auto a_ctx = make_ctx(true, mode, &the_pki().server_a);
        auto b_ctx = make_ctx(true, mode, &the_pki().server_a);
        REQUIRE(svcid::set_identity_policy(a_ctx.get(), policy_of({spiffe("spiffe://example.org/reader")})));
        REQUIRE(svcid::set_identity_policy(b_ctx.get(), policy_of({spiffe("spiffe://example.org/admin")})));
        SSL_CTX_set_tlsext_servername_callback(a_ctx.get(), used);
        SSL_CTX_set_tlsext_servername_arg(a_ctx.get(), b_ctx.get());
        auto admin_ctx = make_ctx(false, mode, &the_pki().admin);

        // Control: a fresh admin handshake on a.test is refused.
        auto c0 = client_for_a(admin_ctx.get(), "a.test", nullptr);
        auto s0 = bare(a_ctx.get());
        const auto fresh = run(c0.get(), s0.get());
        REQUIRE_FALSE(fresh.server.completed);
        REQUIRE(fresh.server.verify_result == svcid::verify_error_application);

        // The admin is admitted on b.test (server SSL made from a.test's context, switched).
        auto c1 = client_for_a(admin_ctx.get(), "b.test", nullptr);
        auto s1 = bare(a_ctx.get());
        const auto made = run(c1.get(), s1.get());
        REQUIRE(made.server.completed);
        REQUIRE(made.server.outcome_accepted);
        session_ptr session(SSL_get1_session(c1.get()));
        REQUIRE(session);

        // The attack: the admin's session offered to a.test.
        auto c2 = client_for_a(admin_ctx.get(), "a.test", session.get());
        auto s2 = bare(a_ctx.get());
        const auto attack = run(c2.get(), s2.get());
        // Under TLS 1.2 OpenSSL reports the session's server name, so the SSL stays on the
        // vhost that admitted the peer; under TLS 1.3 it reports the new one.
        INFO("context switched: " << (SSL_get_SSL_CTX(s2.get()) == b_ctx.get()));
        check_switched(attack, used);
    }
}

TEST_CASE("a reader admitted on vhost a.test does not resume on vhost b.test, which admits admins",
          "[tls][review][sni]") {
    for (const auto& [mode, used] : modes_and_switches()) {
        INFO(name_of(mode) << (used == switch_on_sni ? ", SSL_set_SSL_CTX" : ", svcid::switch_context"));
        auto a_ctx = make_ctx(true, mode, &the_pki().server_a);
        auto b_ctx = make_ctx(true, mode, &the_pki().server_a);
        REQUIRE(svcid::set_identity_policy(a_ctx.get(), policy_of({spiffe("spiffe://example.org/reader")})));
        REQUIRE(svcid::set_identity_policy(b_ctx.get(), policy_of({spiffe("spiffe://example.org/admin")})));
        SSL_CTX_set_tlsext_servername_callback(a_ctx.get(), used);
        SSL_CTX_set_tlsext_servername_arg(a_ctx.get(), b_ctx.get());
        auto reader_ctx = make_ctx(false, mode, &the_pki().reader);

        // Control: a fresh reader handshake on b.test is refused.
        auto c0 = client_for_a(reader_ctx.get(), "b.test", nullptr);
        auto s0 = bare(a_ctx.get());
        const auto fresh = run(c0.get(), s0.get());
        REQUIRE_FALSE(fresh.server.completed);
        REQUIRE(fresh.server.verify_result == svcid::verify_error_application);

        auto c1 = client_for_a(reader_ctx.get(), "a.test", nullptr);
        auto s1 = bare(a_ctx.get());
        const auto made = run(c1.get(), s1.get());
        REQUIRE(made.server.completed);
        REQUIRE(made.server.outcome_accepted);
        session_ptr session(SSL_get1_session(c1.get()));
        REQUIRE(session);

        auto c2 = client_for_a(reader_ctx.get(), "b.test", session.get());
        auto s2 = bare(a_ctx.get());
        const auto attack = run(c2.get(), s2.get());
        // Under TLS 1.2 OpenSSL reports the session's server name, so the SSL stays on the
        // vhost that admitted the peer; under TLS 1.3 it reports the new one.
        INFO("context switched: " << (SSL_get_SSL_CTX(s2.get()) == b_ctx.get()));
        check_switched(attack, used);
    }
}

// A client's check of the session it offers is not the connection's outcome.

TEST_CASE("a failed full handshake after an offered session reports no accepted identity",
          "[tls][review][client]") {
    for (const resumption mode : all_modes) {
        INFO(name_of(mode));
        auto good_ctx = make_ctx(true, mode, &the_pki().server_a);
        auto rogue_ctx = make_ctx(true, mode, &the_pki().rogue_server);
        auto client_ctx = make_ctx(false, mode, nullptr);

        auto c1 = client_for_a(client_ctx.get(), nullptr, nullptr);
        auto s1 = bare(good_ctx.get());
        REQUIRE(run(c1.get(), s1.get()).client.outcome_accepted);
        session_ptr session(SSL_get1_session(c1.get()));
        REQUIRE(session);

        // The rogue server cannot resume (other session cache, other ticket keys): a full
        // handshake, its certificate's chain fails.
        auto c2 = client_for_a(client_ctx.get(), nullptr, session.get());
        auto s2 = bare(rogue_ctx.get());
        const auto attack = run(c2.get(), s2.get());
        REQUIRE_FALSE(attack.client.completed);
        CHECK(attack.client.verify_result == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
        CHECK_FALSE(attack.client.outcome_accepted);
        // peer_identity's own accessors must not name a.test: the rogue never presented it.
        CHECK_FALSE(attack.client.svcid_accepted);
        CHECK(attack.client.presented.empty());
        CHECK(attack.client.reference_index == svcid::no_reference_index);
    }
}

namespace {
// An application that tolerates one chain error at the leaf (a private CA it pins elsewhere,
// say); after_svcid promises that svcid's name check still has the last word.
int waive_unknown_issuer(int preverify_ok, X509_STORE_CTX* store) {
    const int error = X509_STORE_CTX_get_error(store);
    if (preverify_ok == 0 && (error == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
                              error == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE))
        return 1;
    return preverify_ok;
}

ssl_ptr waiving_client_for_a(SSL_CTX* ctx, SSL_SESSION* offer) {
    ssl_ptr ssl = bare(ctx);
    svcid::verify_options options;
    options.chained = waive_unknown_issuer;
    options.order = svcid::chain_order::after_svcid;
    REQUIRE(svcid::verify_server_host(ssl.get(), "a.test", options) != nullptr);
    if (offer != nullptr) REQUIRE(SSL_set_session(ssl.get(), offer) == 1);
    return ssl;
}
} // namespace

TEST_CASE("an after_svcid callback waiving a leaf chain error never skips the name check of a new server",
          "[tls][review][client]") {
    for (const resumption mode : all_modes) {
        INFO(name_of(mode));
        auto good_ctx = make_ctx(true, mode, &the_pki().server_a);
        auto rogue_ctx = make_ctx(true, mode, &the_pki().rogue_server);
        auto client_ctx = make_ctx(false, mode, nullptr);

        // Control: without a session, the rogue's evil.test is refused by name.
        auto c0 = waiving_client_for_a(client_ctx.get(), nullptr);
        auto s0 = bare(rogue_ctx.get());
        const auto fresh = run(c0.get(), s0.get());
        REQUIRE_FALSE(fresh.client.completed);
        REQUIRE(fresh.client.verify_result == X509_V_ERR_HOSTNAME_MISMATCH);

        auto c1 = waiving_client_for_a(client_ctx.get(), nullptr);
        auto s1 = bare(good_ctx.get());
        REQUIRE(run(c1.get(), s1.get()).client.outcome_accepted);
        session_ptr session(SSL_get1_session(c1.get()));
        REQUIRE(session);

        // The attack: the same client offers its a.test session to the rogue.
        auto c2 = waiving_client_for_a(client_ctx.get(), session.get());
        auto s2 = bare(rogue_ctx.get());
        const auto attack = run(c2.get(), s2.get());
        CHECK_FALSE(attack.client.resumed);
        CHECK_FALSE(attack.client.completed);
        CHECK(attack.client.verify_result == X509_V_ERR_HOSTNAME_MISMATCH);
        CHECK_FALSE(attack.client.svcid_accepted);
        CHECK(attack.client.presented.empty());
    }
}

// An adopted application callback is the SSL's own, whichever context the SSL is moved to.

namespace {
// Two application callbacks of two virtual hosts: one tolerates any chain (a lab host), the
// other refuses every peer (a host whose pinning the peer fails).
int lenient(int, X509_STORE_CTX*) { return 1; }
int pinned_refuses(int, X509_STORE_CTX* store) {
    X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
    return 0;
}
} // namespace

TEST_CASE("after an SNI switch the application's own verify callback still runs, not the other vhost's",
          "[tls][review][sni][adoption]") {
    auto a_ctx = make_ctx(true, resumption::tls13_psk, &the_pki().server_a);
    auto b_ctx = make_ctx(true, resumption::tls13_psk, &the_pki().server_a);
    REQUIRE(svcid::set_identity_policy(a_ctx.get(), policy_of({spiffe("spiffe://example.org/admin")})));
    REQUIRE(svcid::set_identity_policy(b_ctx.get(), policy_of({spiffe("spiffe://example.org/admin")})));
    SSL_CTX_set_tlsext_servername_callback(a_ctx.get(), switch_on_sni);
    SSL_CTX_set_tlsext_servername_arg(a_ctx.get(), b_ctx.get());
    auto admin_ctx = make_ctx(false, resumption::tls13_psk, &the_pki().admin);

    // b.test's own connections adopt the lenient callback (slot 0 of b's context).
    auto c1 = client_for_a(admin_ctx.get(), nullptr, nullptr);
    auto s1 = bare(b_ctx.get());
    SSL_set_verify(s1.get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, lenient);
    REQUIRE(run(c1.get(), s1.get()).server.completed);

    // A connection on a.test whose application callback refuses; the client asks for b.test.
    auto c2 = client_for_a(admin_ctx.get(), "b.test", nullptr);
    auto s2 = bare(a_ctx.get());
    SSL_set_verify(s2.get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, pinned_refuses);
    const auto switched = run(c2.get(), s2.get());
    CHECK(SSL_get_SSL_CTX(s2.get()) == b_ctx.get());
    CHECK_FALSE(switched.server.completed);
    CHECK(switched.server.verify_result == X509_V_ERR_APPLICATION_VERIFICATION);
}

// A chained callback that re-attaches more than once cannot free the state whose check runs.

namespace {
struct reattach_twice {
    svcid::identity_policy policy;
    int calls = 0;
    int operator()(int preverify_ok, X509_STORE_CTX* store) noexcept {
        if (X509_STORE_CTX_get_error_depth(store) != 0) return preverify_ok;
        ++calls;
        auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
        (void)svcid::attach_peer_identity(ssl, policy);
        (void)svcid::attach_peer_identity(ssl, policy);
        return preverify_ok;
    }
};
} // namespace

TEST_CASE("a chained callback that re-attaches twice at the leaf is refused without a use after free",
          "[tls][review][reentrancy]") {
    for (const auto order : {svcid::chain_order::before_svcid, svcid::chain_order::after_svcid}) {
        auto server_ctx = make_ctx(true, resumption::tls13_psk, &the_pki().server_a);
        auto admin_ctx = make_ctx(false, resumption::tls13_psk, &the_pki().admin);
        reattach_twice hook{policy_of({spiffe("spiffe://example.org/admin")})};
        auto c = client_for_a(admin_ctx.get(), nullptr, nullptr);
        auto s = bare(server_ctx.get());
        svcid::callback_options options;
        options.chained = svcid::chained_callback::of(hook);
        options.order = order;
        REQUIRE(svcid::require_client_identity(s.get(), policy_of({spiffe("spiffe://example.org/admin")}), options) != nullptr);
        const auto result = run(c.get(), s.get());
        CHECK(hook.calls == 1);
        CHECK_FALSE(result.server.completed);
        CHECK(result.server.verify_result == svcid::verify_error_application);
    }
}

TEST_CASE("client: an info callback set after svcid's does not let a session made for a.test resume on an SSL that "
          "expects b.test",
          "[tls][resumption][callbacks]") {
    for (const resumption mode : all_modes) {
        INFO(name_of(mode));
        auto server_ctx = make_ctx(true, mode, &the_pki().server_a);
        auto client_ctx = make_ctx(false, mode, nullptr);
        auto first = client_expecting(client_ctx.get(), "a.test");
        auto s1 = plain_server(server_ctx.get());
        REQUIRE(run(first.get(), s1.get()).client.outcome_accepted);
        session_ptr session(SSL_get1_session(first.get()));
        REQUIRE(session);

        static int app_calls = 0;
        app_calls = 0;
        auto other = client_expecting(client_ctx.get(), "b.test", session.get());
        SSL_set_info_callback(other.get(), [](const SSL*, int, int) { ++app_calls; });
        auto s2 = plain_server(server_ctx.get());
        const auto attempt = run(other.get(), s2.get());
        CHECK(app_calls > 0);
        CHECK_FALSE(attempt.client.completed);
        CHECK_FALSE(attempt.client.outcome_accepted);
    }
}
