// mbedTLS endpoints for real handshakes over a socketpair: a configuration that lives
// across handshakes (so sessions can resume through its cache or tickets), and one
// handshake of a client against a server, each side in its own thread, reporting what
// mbedTLS and svcid saw. Certificates come from cert_builder.hpp (made with OpenSSL at run
// time) and are handed to mbedTLS as DER and PEM. Sockets time out after a few seconds, so
// a bug cannot hang CI.
#ifndef SVCID_TEST_MBEDTLS_PEER_HPP
#define SVCID_TEST_MBEDTLS_PEER_HPP

#include <svcid/mbedtls.hpp>

#include "cert_builder.hpp"
#include "pem.hpp"
#include "socketpair.hpp"

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_cache.h>
#include <mbedtls/ssl_ticket.h>
#include <mbedtls/x509_crt.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <sys/socket.h>
#include <vector>

namespace svcid_test {

inline void mbed_check(int ret, const char* what) {
    if (ret != 0) {
        char text[160];
        mbedtls_strerror(ret, text, sizeof text);
        openssl_failure((std::string(what) + ": " + text).c_str());
    }
}

/// A certificate list in mbedTLS form.
struct mbed_chain {
    mbedtls_x509_crt crt;
    mbed_chain() { mbedtls_x509_crt_init(&crt); }
    explicit mbed_chain(const std::vector<const built_certificate*>& certs) : mbed_chain() {
        for (const built_certificate* c : certs)
            mbed_check(mbedtls_x509_crt_parse_der(&crt, reinterpret_cast<const unsigned char*>(c->der.data()), c->der.size()),
                       "mbedtls_x509_crt_parse_der");
    }
    mbed_chain(const mbed_chain&) = delete;
    mbed_chain& operator=(const mbed_chain&) = delete;
    ~mbed_chain() { mbedtls_x509_crt_free(&crt); }
};

/// How a server lets sessions resume.
enum class mbed_resumption { none, session_id, ticket };

/// One side's configuration, kept across handshakes.
struct mbed_config {
    mbedtls_ssl_config conf;
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbed_chain own;
    mbed_chain trusted;
    mbedtls_pk_context key;
    mbedtls_ssl_cache_context* cache = nullptr;   ///< shared with other configurations
    mbedtls_ssl_ticket_context* tickets = nullptr;
    /// How often the application's own verify callback ran at depth 0 (the leaf): 0 in a
    /// handshake that resumed, since a resumed handshake verifies no certificate.
    std::atomic<int> leaf_checks{0};

    mbed_config(bool server, const built_certificate* identity, const std::vector<const built_certificate*>& trust)
        : trusted(trust) {
        mbedtls_ssl_config_init(&conf);
        mbedtls_entropy_init(&entropy);
        mbedtls_ctr_drbg_init(&drbg);
        mbedtls_pk_init(&key);
        mbed_check(mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, nullptr, 0), "mbedtls_ctr_drbg_seed");
        mbed_check(mbedtls_ssl_config_defaults(&conf, server ? MBEDTLS_SSL_IS_SERVER : MBEDTLS_SSL_IS_CLIENT,
                                               MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT),
                   "mbedtls_ssl_config_defaults");
        mbedtls_ssl_conf_rng(&conf, mbedtls_ctr_drbg_random, &drbg);
        // mbedTLS 2.28's TLS 1.3 is experimental (off in Debian): every handshake is TLS 1.2.
        mbedtls_ssl_conf_min_version(&conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
        if (!trust.empty()) mbedtls_ssl_conf_ca_chain(&conf, &trusted.crt, nullptr);
        if (identity != nullptr) {
            mbed_check(mbedtls_x509_crt_parse_der(&own.crt, reinterpret_cast<const unsigned char*>(identity->der.data()),
                                                  identity->der.size()),
                       "own certificate");
            const std::string pem = pem_key(identity->key.get());
            mbed_check(mbedtls_pk_parse_key(&key, reinterpret_cast<const unsigned char*>(pem.c_str()), pem.size() + 1,
                                            nullptr, 0),
                       "mbedtls_pk_parse_key");
            mbed_check(mbedtls_ssl_conf_own_cert(&conf, &own.crt, &key), "mbedtls_ssl_conf_own_cert");
        }
        mbedtls_ssl_conf_verify(&conf, &count_leaf, this);
    }
    mbed_config(const mbed_config&) = delete;
    mbed_config& operator=(const mbed_config&) = delete;
    ~mbed_config() {
        mbedtls_ssl_config_free(&conf);
        mbedtls_pk_free(&key);
        mbedtls_ctr_drbg_free(&drbg);
        mbedtls_entropy_free(&entropy);
    }

    /// Server: resume sessions through `cache` (session IDs) or `ticket_ctx` (RFC 5077).
    void resume_with(mbedtls_ssl_cache_context* c, mbedtls_ssl_ticket_context* t) {
        if (c != nullptr) mbedtls_ssl_conf_session_cache(&conf, c, mbedtls_ssl_cache_get, mbedtls_ssl_cache_set);
        if (t != nullptr)
            mbedtls_ssl_conf_session_tickets_cb(&conf, mbedtls_ssl_ticket_write, mbedtls_ssl_ticket_parse, t);
        // The client side of tickets is on by default in mbedTLS; a session-ID server must
        // not issue tickets.
        mbedtls_ssl_conf_session_tickets(&conf, t != nullptr ? MBEDTLS_SSL_SESSION_TICKETS_ENABLED
                                                             : MBEDTLS_SSL_SESSION_TICKETS_DISABLED);
    }

    static int count_leaf(void* self, mbedtls_x509_crt*, int depth, std::uint32_t*) {
        if (depth == 0) ++static_cast<mbed_config*>(self)->leaf_checks;
        return 0;
    }
};

/// A session cache and a ticket key, shared by the server configurations of a test.
struct mbed_resumption_store {
    mbedtls_ssl_cache_context cache;
    mbedtls_ssl_ticket_context tickets;
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbed_resumption_store() {
        mbedtls_ssl_cache_init(&cache);
        mbedtls_ssl_ticket_init(&tickets);
        mbedtls_entropy_init(&entropy);
        mbedtls_ctr_drbg_init(&drbg);
        mbed_check(mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, nullptr, 0), "seed");
        mbed_check(mbedtls_ssl_ticket_setup(&tickets, mbedtls_ctr_drbg_random, &drbg, MBEDTLS_CIPHER_AES_256_GCM, 3600),
                   "mbedtls_ssl_ticket_setup");
    }
    mbed_resumption_store(const mbed_resumption_store&) = delete;
    mbed_resumption_store& operator=(const mbed_resumption_store&) = delete;
    ~mbed_resumption_store() {
        mbedtls_ssl_cache_free(&cache);
        mbedtls_ssl_ticket_free(&tickets);
        mbedtls_ctr_drbg_free(&drbg);
        mbedtls_entropy_free(&entropy);
    }
};

/// What one side saw in one handshake.
struct mbed_outcome {
    int handshake = 0;            ///< mbedtls_ssl_handshake()'s last result
    bool completed = false;       ///< handshake done and the server's greeting exchanged
    std::uint32_t verify_result = 0;
    int leaf_checks = 0;          ///< the application callback's depth-0 calls in this handshake
    bool accepted = false;        ///< peer_outcome_of()
    std::uint32_t outcome_result = 0;
    std::size_t index = svcid::mbedtls::no_reference_index;
    std::string presented;
    std::string explanation;
    int set_session = 0;          ///< client: what offering the stored session returned
};

struct mbed_ssl {
    mbedtls_ssl_context ssl;
    mbed_ssl() { mbedtls_ssl_init(&ssl); }
    mbed_ssl(const mbed_ssl&) = delete;
    mbed_ssl& operator=(const mbed_ssl&) = delete;
    ~mbed_ssl() { mbedtls_ssl_free(&ssl); }
};

inline int fd_send(void* ctx, const unsigned char* buf, std::size_t len) {
    const ssize_t n = ::send(*static_cast<int*>(ctx), buf, len, MSG_NOSIGNAL);
    return n < 0 ? MBEDTLS_ERR_SSL_INTERNAL_ERROR : static_cast<int>(n);
}
inline int fd_recv(void* ctx, unsigned char* buf, std::size_t len) {
    const ssize_t n = ::recv(*static_cast<int*>(ctx), buf, len, 0);
    // 0 is end of stream for mbedTLS; a timeout or reset ends the handshake.
    return n < 0 ? MBEDTLS_ERR_SSL_INTERNAL_ERROR : static_cast<int>(n);
}

/// Per-handshake hooks of one side: called after mbedtls_ssl_setup, before the handshake.
using mbed_setup = std::function<void(mbedtls_ssl_context*)>;

/// Drives one mbedTLS side over `fd`. A client offers `offer` (if any) through
/// svcid::mbedtls::set_session, or plain mbedtls_ssl_set_session when `plain_offer`, and
/// saves its new session into `save`. The session is `kept` when given (so a test can read
/// it after both sides are done), otherwise freed.
inline mbed_outcome run_mbed_side(mbed_config& c, int fd, const mbed_setup& setup, bool server,
                                  const mbedtls_ssl_session* offer = nullptr, mbedtls_ssl_session* save = nullptr,
                                  bool plain_offer = false, mbed_ssl* kept = nullptr) {
    mbed_outcome out;
    mbed_ssl local;
    mbed_ssl& s = kept != nullptr ? *kept : local;
    mbed_check(mbedtls_ssl_setup(&s.ssl, &c.conf), "mbedtls_ssl_setup");
    mbedtls_ssl_set_bio(&s.ssl, &fd, fd_send, fd_recv, nullptr);
    if (setup) setup(&s.ssl);
    if (offer != nullptr)
        out.set_session = plain_offer ? mbedtls_ssl_set_session(&s.ssl, offer) : svcid::mbedtls::set_session(&s.ssl, offer);
    const int before = c.leaf_checks.load();
    int ret;
    do {
        ret = mbedtls_ssl_handshake(&s.ssl);
    } while (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE);
    out.handshake = ret;
    out.leaf_checks = c.leaf_checks.load() - before;
    if (ret == 0) {
        unsigned char greeting[2] = {'o', 'k'};
        if (server) {
            out.completed = mbedtls_ssl_write(&s.ssl, greeting, 2) == 2;
        } else {
            out.completed = mbedtls_ssl_read(&s.ssl, greeting, 2) == 2;
        }
        if (save != nullptr) mbed_check(mbedtls_ssl_get_session(&s.ssl, save), "mbedtls_ssl_get_session");
    }
    out.verify_result = mbedtls_ssl_get_verify_result(&s.ssl);
    const svcid::mbedtls::peer_outcome who = svcid::mbedtls::peer_outcome_of(&s.ssl);
    char text[1024];
    svcid::mbedtls::explain(&s.ssl, text, sizeof text);
    out.accepted = who.accepted;
    out.outcome_result = who.verify_result;
    out.index = who.reference_index;
    out.presented = std::string(who.presented);
    out.explanation = text;
    if (ret == 0) mbedtls_ssl_close_notify(&s.ssl);
    return out;
}

struct mbed_handshake {
    mbed_outcome client;
    mbed_outcome server;
};

/// One mbedTLS client against one mbedTLS server, both sessions kept for the caller.
inline mbed_handshake handshake_kept(mbed_config& client, mbed_config& server, mbed_ssl& client_ssl, mbed_ssl& server_ssl,
                                     mbedtls_ssl_session* save = nullptr) {
    mbed_handshake h;
    over_socketpair([&](int fd) { h.client = run_mbed_side(client, fd, {}, false, nullptr, save, false, &client_ssl); },
                    [&](int fd) { h.server = run_mbed_side(server, fd, {}, true, nullptr, nullptr, false, &server_ssl); });
    return h;
}

/// One mbedTLS client against one mbedTLS server.
inline mbed_handshake handshake(mbed_config& client, mbed_config& server, const mbed_setup& client_setup = {},
                                const mbed_setup& server_setup = {}, const mbedtls_ssl_session* offer = nullptr,
                                mbedtls_ssl_session* save = nullptr, bool plain_offer = false) {
    mbed_handshake h;
    over_socketpair([&](int fd) { h.client = run_mbed_side(client, fd, client_setup, false, offer, save, plain_offer); },
                    [&](int fd) { h.server = run_mbed_side(server, fd, server_setup, true); });
    return h;
}

/// A stored client session.
struct mbed_session {
    mbedtls_ssl_session s;
    mbed_session() { mbedtls_ssl_session_init(&s); }
    mbed_session(const mbed_session&) = delete;
    mbed_session& operator=(const mbed_session&) = delete;
    ~mbed_session() { mbedtls_ssl_session_free(&s); }
};

} // namespace svcid_test

#endif
