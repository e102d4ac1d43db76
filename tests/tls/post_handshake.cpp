// Certificates that arrive after the first handshake: TLS 1.3 post-handshake client
// authentication (RFC 8446 §4.6.2) and TLS 1.2 renegotiation (RFC 5746) in which the client
// presents another certificate. The certificate that arrives is the one judged, and the
// outcome never names an earlier peer, with the policy on the SSL_CTX or on the SSL.
#include <svcid/openssl/verify.hpp>

#include "catch.hpp"
#include "loopback.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <csignal>
#include <memory>
#include <string>
#include <thread>

namespace der = svcid_test::der;
using svcid_test::built_certificate;
using svcid_test::cert_spec;

namespace {

using ctx_ptr = std::unique_ptr<SSL_CTX, svcid_test::ssl_ctx_free>;
using ssl_ptr = std::unique_ptr<SSL, svcid_test::ssl_free>;

struct pki {
    built_certificate ca = make_ca();
    built_certificate server = issue(der::dns("a.test"));
    built_certificate reader = issue(der::uri("spiffe://example.org/reader"));
    built_certificate admin = issue(der::uri("spiffe://example.org/admin"));
    built_certificate intruder = issue(der::uri("spiffe://example.org/intruder"));

    static built_certificate make_ca() { return svcid_test::make_ca("svcid post-handshake CA"); }
    built_certificate issue(std::string san) const { return svcid_test::issue_leaf(ca, std::move(san)); }
};
const pki& the_pki() {
    static const pki p;
    return p;
}

/// Where the allow-list {admin, reader} lives.
enum class placement { context, per_ssl };
const char* name_of(placement p) { return p == placement::context ? "policy on the SSL_CTX" : "policy on the SSL"; }

const svcid::identity_policy& allow_list() {
    static const svcid::identity_policy policy = svcid::identity_policy::make(
        {*svcid::make_spiffe_reference("spiffe://example.org/admin"), *svcid::make_spiffe_reference("spiffe://example.org/reader")});
    return policy;
}

ctx_ptr context(bool server, int version, const built_certificate* identity) {
    ctx_ptr ctx(SSL_CTX_new(server ? TLS_server_method() : TLS_client_method()));
    REQUIRE(ctx);
    REQUIRE(SSL_CTX_set_min_proto_version(ctx.get(), version) == 1);
    REQUIRE(SSL_CTX_set_max_proto_version(ctx.get(), version) == 1);
    if (identity != nullptr) {
        REQUIRE(SSL_CTX_use_certificate(ctx.get(), identity->cert.get()) == 1);
        REQUIRE(SSL_CTX_use_PrivateKey(ctx.get(), identity->key.get()) == 1);
    }
    REQUIRE(X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx.get()), the_pki().ca.cert.get()) == 1);
    return ctx;
}

/// A server SSL judged by the allow-list, placed as asked; `post_handshake` asks for the
/// client's certificate only after the handshake (TLS 1.3).
ssl_ptr server_ssl(SSL_CTX* ctx, placement where, bool post_handshake) {
    const int mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT | (post_handshake ? SSL_VERIFY_POST_HANDSHAKE : 0);
    if (where == placement::context) {
        REQUIRE(svcid::set_identity_policy(ctx, allow_list()));
        SSL_CTX_set_verify(ctx, mode, svcid::verify_callback);
    }
    ssl_ptr ssl(SSL_new(ctx));
    REQUIRE(ssl);
    if (where == placement::per_ssl) {
        REQUIRE(svcid::require_client_identity(ssl.get(), allow_list()) != nullptr);
        SSL_set_verify(ssl.get(), mode, svcid::verify_callback);
    }
    return ssl;
}

/// What the server saw: after its handshake, and after the later certificate.
struct server_view {
    bool handshake = false;
    // Once the handshake is done, before the later certificate (copied: the outcome views a
    // certificate that a renegotiation may free).
    bool before_accepted = false;
    std::string before_presented;
    std::size_t before_index = svcid::no_reference_index;
    bool later_ok = false;       // the step that carried the later certificate succeeded
    std::string error;           // OpenSSL's first error on the server, for the report
    long verify_result = X509_V_OK;
    bool accepted = false;
    std::string presented;
    std::size_t index = svcid::no_reference_index;
};

void read_before(SSL* ssl, server_view& v) {
    const svcid::peer_outcome who = svcid::peer_outcome_of(ssl);
    v.before_accepted = who.accepted;
    v.before_presented = std::string(who.presented);
    v.before_index = who.reference_index;
}

void read_after(SSL* ssl, server_view& v) {
    char text[256] = {};
    ERR_error_string_n(ERR_peek_error(), text, sizeof text);
    v.error = text;
    v.verify_result = SSL_get_verify_result(ssl);
    const svcid::peer_outcome who = svcid::peer_outcome_of(ssl);
    v.accepted = who.accepted;
    v.presented = std::string(who.presented);
    v.index = who.reference_index;
}

/// TLS 1.3: a handshake with no client certificate, then SSL_verify_client_post_handshake;
/// the client (post-handshake auth on) answers with `client_identity`.
server_view post_handshake_auth(placement where, const built_certificate& client_identity) {
    auto server_ctx = context(true, TLS1_3_VERSION, &the_pki().server);
    auto client_ctx = context(false, TLS1_3_VERSION, &client_identity);
    ssl_ptr server = server_ssl(server_ctx.get(), where, true);
    ssl_ptr client(SSL_new(client_ctx.get()));
    REQUIRE(client);
    SSL_set_post_handshake_auth(client.get(), 1);
    svcid_test::socket_pair sockets;
    REQUIRE(SSL_set_fd(server.get(), sockets.fds[1]) == 1);
    REQUIRE(SSL_set_fd(client.get(), sockets.fds[0]) == 1);
    server_view v;
    std::thread server_thread([&] {
        char buffer[2];
        v.handshake = SSL_accept(server.get()) == 1 && SSL_write(server.get(), "ok", 2) == 2 &&
                      SSL_read(server.get(), buffer, 2) == 2;
        read_before(server.get(), v);
        // The CertificateRequest goes out with the next write; the client's answer is read
        // before its next application data.
        v.later_ok = v.handshake && SSL_verify_client_post_handshake(server.get()) == 1 &&
                     SSL_write(server.get(), "go", 2) == 2 && SSL_read(server.get(), buffer, 2) == 2;
        read_after(server.get(), v);
        ERR_clear_error();
        shutdown(sockets.fds[1], SHUT_RDWR);
    });
    char buffer[2];
    if (SSL_connect(client.get()) == 1 && SSL_read(client.get(), buffer, 2) == 2 && SSL_write(client.get(), "hi", 2) == 2 &&
        SSL_read(client.get(), buffer, 2) == 2)
        SSL_write(client.get(), "ok", 2);
    ERR_clear_error();
    shutdown(sockets.fds[0], SHUT_RDWR);
    server_thread.join();
    return v;
}

/// TLS 1.2: a handshake as the reader, then a client-initiated secure renegotiation
/// (RFC 5746) in which the client presents `second` instead.
server_view renegotiate_as(placement where, const built_certificate& second, std::string& client_error) {
    auto server_ctx = context(true, TLS1_2_VERSION, &the_pki().server);
    // OpenSSL 3 refuses client-initiated renegotiation unless the server allows it; a server
    // that does is the one where a client could change certificates mid-connection.
    SSL_CTX_set_options(server_ctx.get(), SSL_OP_ALLOW_CLIENT_RENEGOTIATION);
    auto client_ctx = context(false, TLS1_2_VERSION, &the_pki().reader);
    ssl_ptr server = server_ssl(server_ctx.get(), where, false);
    ssl_ptr client(SSL_new(client_ctx.get()));
    REQUIRE(client);
    svcid_test::socket_pair sockets;
    REQUIRE(SSL_set_fd(server.get(), sockets.fds[1]) == 1);
    REQUIRE(SSL_set_fd(client.get(), sockets.fds[0]) == 1);
    server_view v;
    std::thread server_thread([&] {
        char buffer[2];
        v.handshake = SSL_accept(server.get()) == 1 && SSL_write(server.get(), "ok", 2) == 2;
        read_before(server.get(), v);
        // The renegotiation runs inside this read; then the client's data arrives.
        v.later_ok = v.handshake && SSL_read(server.get(), buffer, 2) == 2;
        read_after(server.get(), v);
        ERR_clear_error();
        shutdown(sockets.fds[1], SHUT_RDWR);
    });
    char buffer[2];
    if (SSL_connect(client.get()) == 1 && SSL_read(client.get(), buffer, 2) == 2) {
        REQUIRE(SSL_use_certificate(client.get(), second.cert.get()) == 1);
        REQUIRE(SSL_use_PrivateKey(client.get(), second.key.get()) == 1);
        if (SSL_renegotiate(client.get()) == 1 && SSL_do_handshake(client.get()) == 1) SSL_write(client.get(), "hi", 2);
    }
    char text[256] = {};
    ERR_error_string_n(ERR_peek_error(), text, sizeof text);
    client_error = text;
    ERR_clear_error();
    shutdown(sockets.fds[0], SHUT_RDWR);
    server_thread.join();
    return v;
}

} // namespace

TEST_CASE("TLS 1.3 post-handshake auth: no peer is reported before the certificate, which is then judged",
          "[tls][post-handshake][mtls]") {
    for (const placement where : {placement::context, placement::per_ssl}) {
        INFO(name_of(where));
        const server_view admitted = post_handshake_auth(where, the_pki().reader);
        REQUIRE(admitted.handshake);
        // The handshake completed without a client certificate: nobody is accepted yet.
        CHECK_FALSE(admitted.before_accepted);
        CHECK(admitted.before_index == svcid::no_reference_index);
        CHECK(admitted.before_presented.empty());
        CHECK(admitted.later_ok);
        CHECK(admitted.verify_result == X509_V_OK);
        CHECK(admitted.accepted);
        CHECK(admitted.presented == "spiffe://example.org/reader");
        CHECK(admitted.index == 1);

        const server_view refused = post_handshake_auth(where, the_pki().intruder);
        REQUIRE(refused.handshake);
        CHECK_FALSE(refused.before_accepted);
        CHECK_FALSE(refused.later_ok);
        CHECK(refused.verify_result == svcid::verify_error_application);
        CHECK_FALSE(refused.accepted);
        CHECK(refused.presented.empty());
    }
}

TEST_CASE("TLS 1.2 renegotiation: the certificate presented in the renegotiation is judged, and the outcome names it",
          "[tls][renegotiation][mtls]") {
    for (const placement where : {placement::context, placement::per_ssl}) {
        INFO(name_of(where));
        // Another allowed identity: accepted, and the outcome follows it (entry 0, admin).
        std::string client_error;
        const server_view switched = renegotiate_as(where, the_pki().admin, client_error);
        INFO("server: " << switched.error << "; client: " << client_error);
        REQUIRE(switched.handshake);
        CHECK(switched.before_accepted);
        CHECK(switched.before_presented == "spiffe://example.org/reader");
        CHECK(switched.later_ok);
        CHECK(switched.accepted);
        CHECK(switched.presented == "spiffe://example.org/admin");
        CHECK(switched.index == 0);

        // An identity the allow-list does not hold: the renegotiation fails, and the reader
        // admitted before is not reported for the connection any more.
        const server_view intruder = renegotiate_as(where, the_pki().intruder, client_error);
        REQUIRE(intruder.handshake);
        CHECK(intruder.before_accepted);
        CHECK_FALSE(intruder.later_ok);
        CHECK(intruder.verify_result == svcid::verify_error_application);
        CHECK_FALSE(intruder.accepted);
        CHECK(intruder.presented.empty());
    }
}
