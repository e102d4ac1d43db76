// A TLS client and server talking over a socketpair, each in its own thread, so a test
// can run a real handshake and read what each side saw: whether it completed, the verify
// result, OpenSSL's first error and svcid's state. Both sockets time out after a few
// seconds, so a bug cannot hang CI.
#ifndef SVCID_TEST_LOOPBACK_HPP
#define SVCID_TEST_LOOPBACK_HPP

#include <svcid/openssl/verify.hpp>

#include "cert_builder.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <csignal>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace svcid_test {

struct ssl_ctx_free { void operator()(SSL_CTX* p) const noexcept { SSL_CTX_free(p); } };
struct ssl_free { void operator()(SSL* p) const noexcept { SSL_free(p); } };

/// One side's configuration: its certificate (or none), the CAs it trusts, and a hook that
/// installs svcid (or anything else) on its SSL before the handshake.
struct endpoint {
    const built_certificate* identity = nullptr;
    std::vector<const X509*> trusted;
    std::function<void(SSL*)> setup;
    std::function<void(SSL_CTX*)> context_setup;
};

/// What one side saw.
struct outcome {
    bool completed = false;        ///< handshake done and the server's greeting exchanged
    long verify_result = X509_V_OK;
    unsigned long first_error = 0; ///< ERR_get_error() after a failure
    bool svcid_attached = false;
    bool svcid_checked = false;
    bool svcid_accepted = false;
    bool svcid_name_matched = false;
    int svcid_error = X509_V_OK;
    std::size_t reference_index = svcid::no_reference_index;
    std::string presented;
    std::string explanation;
    bool resumed = false;
    bool outcome_accepted = false; ///< peer_outcome_of(ssl), the validated view
    int outcome_error = X509_V_OK;
    std::size_t outcome_index = svcid::no_reference_index;
    std::string outcome_presented;
};

/// Copies svcid's state and the validated outcome of `ssl` into `out`.
inline void read_svcid(SSL* ssl, outcome& out) {
    out.resumed = SSL_session_reused(ssl) == 1;
    if (const svcid::peer_identity* state = svcid::peer_identity_of(ssl)) {
        out.svcid_attached = true;
        out.svcid_checked = state->checked();
        out.svcid_accepted = state->accepted();
        out.svcid_name_matched = state->name_matched();
        out.svcid_error = state->verify_error();
        out.reference_index = state->accepted() ? state->reference_index() : state->failed_reference_index();
        out.presented = std::string(state->presented_value());
        char text[1024];
        state->explain(text, sizeof text);
        out.explanation = text;
    }
    const svcid::peer_outcome who = svcid::peer_outcome_of(ssl);
    out.outcome_accepted = who.accepted;
    out.outcome_error = who.verify_error;
    out.outcome_index = who.reference_index;
    out.outcome_presented = std::string(who.presented);
}

inline std::unique_ptr<SSL_CTX, ssl_ctx_free> make_context(const endpoint& e, bool server) {
    std::unique_ptr<SSL_CTX, ssl_ctx_free> ctx(check(SSL_CTX_new(server ? TLS_server_method() : TLS_client_method()), "SSL_CTX_new"));
    check(SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION) == 1 ? 1 : 0, "min version");
    if (e.identity != nullptr) {
        check(SSL_CTX_use_certificate(ctx.get(), e.identity->cert.get()), "SSL_CTX_use_certificate");
        check(SSL_CTX_use_PrivateKey(ctx.get(), e.identity->key.get()), "SSL_CTX_use_PrivateKey");
    }
    X509_STORE* store = SSL_CTX_get_cert_store(ctx.get());
    for (const X509* ca : e.trusted) check(X509_STORE_add_cert(store, const_cast<X509*>(ca)), "X509_STORE_add_cert");
    if (e.context_setup) e.context_setup(ctx.get());
    return ctx;
}

inline void set_timeouts(int fd) {
    timeval limit{5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
}

// The server greets after its handshake, and the client counts as done only once it reads
// the greeting: under TLS 1.3 SSL_connect returns before the server has judged the
// client's certificate, and the refusal arrives as an alert on the first read.
inline outcome run_side(SSL_CTX* ctx, int fd, const endpoint& e, bool server) {
    outcome out;
    ERR_clear_error();
    std::unique_ptr<SSL, ssl_free> ssl(check(SSL_new(ctx), "SSL_new"));
    check(SSL_set_fd(ssl.get(), fd), "SSL_set_fd");
    if (e.setup) e.setup(ssl.get());
    char greeting[2] = {};
    if (server) {
        out.completed = SSL_accept(ssl.get()) == 1 && SSL_write(ssl.get(), "ok", 2) == 2;
    } else {
        out.completed = SSL_connect(ssl.get()) == 1 && SSL_read(ssl.get(), greeting, 2) == 2;
    }
    out.first_error = ERR_peek_error();
    out.verify_result = SSL_get_verify_result(ssl.get());
    read_svcid(ssl.get(), out);
    if (out.completed) SSL_shutdown(ssl.get());
    ERR_clear_error();
    return out;
}

/// A connected pair of sockets with the timeouts above, closed when it goes; a side that
/// writes after its peer hung up sees EPIPE instead of dying of SIGPIPE.
struct socket_pair {
    int fds[2] = {-1, -1};
    socket_pair() {
        static const bool sigpipe_ignored = std::signal(SIGPIPE, SIG_IGN) != SIG_ERR;
        check(sigpipe_ignored ? 1 : 0, "signal(SIGPIPE)");
        check(socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0 ? 1 : 0, "socketpair");
        set_timeouts(fds[0]);
        set_timeouts(fds[1]);
    }
    ~socket_pair() {
        close(fds[0]);
        close(fds[1]);
    }
    socket_pair(const socket_pair&) = delete;
    socket_pair& operator=(const socket_pair&) = delete;
};

struct handshake_outcome {
    outcome client;
    outcome server;
};

/// Runs one handshake between `client` and `server` over a fresh socketpair.
inline handshake_outcome handshake(const endpoint& client, const endpoint& server) {
    // A side that writes after its peer hung up must see EPIPE, not die of SIGPIPE.
    static const bool sigpipe_ignored = std::signal(SIGPIPE, SIG_IGN) != SIG_ERR;
    check(sigpipe_ignored ? 1 : 0, "signal(SIGPIPE)");
    auto client_ctx = make_context(client, false);
    auto server_ctx = make_context(server, true);
    int fds[2];
    check(socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0 ? 1 : 0, "socketpair");
    set_timeouts(fds[0]);
    set_timeouts(fds[1]);
    handshake_outcome result;
    std::thread server_thread([&] {
        result.server = run_side(server_ctx.get(), fds[1], server, true);
        // Closing tells a client still waiting for the greeting that nothing will come.
        shutdown(fds[1], SHUT_RDWR);
    });
    result.client = run_side(client_ctx.get(), fds[0], client, false);
    shutdown(fds[0], SHUT_RDWR);
    server_thread.join();
    close(fds[0]);
    close(fds[1]);
    return result;
}

} // namespace svcid_test

#endif
