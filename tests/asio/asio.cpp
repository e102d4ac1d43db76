// svcid/asio.hpp in real Boost.Asio handshakes: ssl::stream over a loopback TCP connection,
// client and server each on their own thread and io_context. Each refusal asserts the exact
// verify error; each has a positive control.
#include <svcid/asio.hpp>

#include "catch.hpp"
#include "cert_builder.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>

#include <openssl/ssl.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#if defined(BOOST_NO_EXCEPTIONS)
namespace boost {
[[noreturn]] void throw_exception(const std::exception& e) {
    std::fprintf(stderr, "fatal: %s\n", e.what());
    std::abort();
}
} // namespace boost
#endif

namespace ssl = boost::asio::ssl;
using boost::asio::ip::tcp;
using svcid_test::built_certificate;
using svcid_test::cert_spec;
namespace der = svcid_test::der;

namespace {

struct pki {
    built_certificate ca = make_ca();
    built_certificate server = issue(der::dns("a.test"));
    built_certificate reader = issue(der::uri("spiffe://example.org/reader"));
    built_certificate admin = issue(der::uri("spiffe://example.org/admin"));

    static built_certificate make_ca() { return svcid_test::make_ca("svcid asio test CA"); }
    built_certificate issue(std::string san) const { return svcid_test::issue_leaf(ca, std::move(san)); }
};
const pki& the_pki() {
    static const pki p;
    return p;
}

// TLS 1.2 so the client's session exists when the handshake returns (a TLS 1.3 ticket comes later).
void prepare(ssl::context& context, const built_certificate* identity) {
    SSL_CTX* native = context.native_handle();
    REQUIRE(SSL_CTX_set_max_proto_version(native, TLS1_2_VERSION) == 1);
    if (identity != nullptr) {
        REQUIRE(SSL_CTX_use_certificate(native, identity->cert.get()) == 1);
        REQUIRE(SSL_CTX_use_PrivateKey(native, identity->key.get()) == 1);
    }
    REQUIRE(X509_STORE_add_cert(SSL_CTX_get_cert_store(native), the_pki().ca.cert.get()) == 1);
}

struct side {
    boost::system::error_code handshake;
    long verify_result = X509_V_OK;
    bool resumed = false;
    svcid::peer_outcome who;
    std::string presented;
};

struct result {
    side client;
    side server;
};

using stream = ssl::stream<tcp::socket>;

// One connection: `client_setup` and `server_setup` prepare each stream before its handshake.
// `client_done` sees the client stream after its handshake, before it is shut down.
result connect(ssl::context& client_context, ssl::context& server_context,
               const std::function<void(stream&)>& client_setup, const std::function<void(stream&)>& server_setup,
               const std::function<void(stream&)>& client_done = nullptr) {
    result out;
    boost::asio::io_context server_io;
    tcp::acceptor acceptor(server_io, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    const auto port = acceptor.local_endpoint().port();
    auto finish = [](stream& s, side& seen) {
        seen.verify_result = SSL_get_verify_result(s.native_handle());
        seen.resumed = SSL_session_reused(s.native_handle()) == 1;
        seen.who = svcid::asio::peer_outcome_of(s);
        seen.presented = std::string(seen.who.presented);
        if (!seen.handshake) {
            boost::system::error_code ignored;
            s.shutdown(ignored);
        }
    };
    std::thread server_thread([&] {
        stream s(server_io, server_context);
        acceptor.accept(s.next_layer());
        if (server_setup) server_setup(s);
        s.handshake(ssl::stream_base::server, out.server.handshake);
        finish(s, out.server);
    });
    boost::asio::io_context client_io;
    stream c(client_io, client_context);
    c.next_layer().connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    if (client_setup) client_setup(c);
    c.handshake(ssl::stream_base::client, out.client.handshake);
    if (client_done) client_done(c);
    finish(c, out.client);
    if (out.client.handshake) c.next_layer().close();
    server_thread.join();
    return out;
}

struct session_free { void operator()(SSL_SESSION* p) const noexcept { SSL_SESSION_free(p); } };

} // namespace

TEST_CASE("asio: identity_verification(stream, host) admits the named server and refuses another name",
          "[asio][client]") {
    ssl::context server_context(ssl::context::tls_server);
    prepare(server_context, &the_pki().server);
    ssl::context client_context(ssl::context::tls_client);
    prepare(client_context, nullptr);
    for (const char* host : {"a.test", "b.test", "*.test", ""}) {
        INFO(host);
        bool attached = false;
        const auto r = connect(
            client_context, server_context,
            [&](stream& s) {
                s.set_verify_mode(ssl::verify_peer);
                const svcid::asio::identity_verification check(s, host);
                attached = static_cast<bool>(check);
                s.set_verify_callback(check);
            },
            nullptr);
        if (std::string(host) == "a.test") {
            CHECK(attached);
            CHECK_FALSE(r.client.handshake);
            CHECK(r.client.verify_result == X509_V_OK);
            CHECK(r.client.who.accepted);
            CHECK(r.client.presented == "a.test");
        } else {
            CHECK(attached == (std::string(host) == "b.test"));
            CHECK(r.client.handshake);
            CHECK(r.client.verify_result ==
                  (attached ? X509_V_ERR_HOSTNAME_MISMATCH : svcid::verify_error_application));
            CHECK_FALSE(r.client.who.accepted);
        }
    }
}

TEST_CASE("asio: a session made for a.test does not carry a stream that expects b.test", "[asio][resumption]") {
    ssl::context server_context(ssl::context::tls_server);
    prepare(server_context, &the_pki().server);
    ssl::context client_context(ssl::context::tls_client);
    prepare(client_context, nullptr);
    // The first connection's session, kept past its stream.
    std::unique_ptr<SSL_SESSION, session_free> session;
    const auto first = connect(
        client_context, server_context,
        [&](stream& s) {
            s.set_verify_mode(ssl::verify_peer);
            s.set_verify_callback(svcid::asio::identity_verification(s, "a.test"));
        },
        nullptr, [&](stream& s) { session.reset(SSL_get1_session(s.native_handle())); });
    REQUIRE(first.client.who.accepted);
    REQUIRE(session);

    auto offering = [&](const char* host) {
        return connect(
            client_context, server_context,
            [&](stream& s) {
                s.set_verify_mode(ssl::verify_peer);
                s.set_verify_callback(svcid::asio::identity_verification(s, host));
                REQUIRE(SSL_set_session(s.native_handle(), session.get()) == 1);
            },
            nullptr);
    };
    const auto refused = offering("b.test");
    CHECK(refused.client.handshake);
    CHECK_FALSE(refused.client.resumed);
    CHECK(refused.client.verify_result == X509_V_ERR_HOSTNAME_MISMATCH);
    CHECK_FALSE(refused.client.who.accepted);

    const auto resumed = offering("a.test");
    CHECK_FALSE(resumed.client.handshake);
    CHECK(resumed.client.resumed);
    CHECK(resumed.client.who.accepted);
    CHECK(resumed.client.presented == "a.test");
}

TEST_CASE("asio: set_identity_policy on the server's ssl::context admits listed clients by entry",
          "[asio][server][mtls]") {
    ssl::context server_context(ssl::context::tls_server);
    prepare(server_context, &the_pki().server);
    const auto policy = svcid::identity_policy::make(
        {*svcid::make_spiffe_reference("spiffe://example.org/reader"), *svcid::parse_dns_reference("ops.example.org")});
    REQUIRE(svcid::asio::set_identity_policy(server_context, policy));
    for (const built_certificate* client : {&the_pki().reader, &the_pki().admin}) {
        ssl::context client_context(ssl::context::tls_client);
        prepare(client_context, client);
        const auto r = connect(
            client_context, server_context,
            [&](stream& s) {
                s.set_verify_mode(ssl::verify_peer);
                s.set_verify_callback(svcid::asio::identity_verification(s, "a.test"));
            },
            nullptr);
        if (client == &the_pki().reader) {
            CHECK_FALSE(r.server.handshake);
            CHECK(r.server.who.accepted);
            CHECK(r.server.who.reference_index == 0);
            CHECK(r.server.presented == "spiffe://example.org/reader");
        } else {
            CHECK(r.server.handshake);
            CHECK(r.server.verify_result == svcid::verify_error_application);
            CHECK_FALSE(r.server.who.accepted);
        }
    }
}
