// GnuTLS endpoints for real handshakes over a socketpair: credentials that live across
// handshakes, a server-side session store (session IDs through GnuTLS's db callbacks, and
// one ticket key), and one handshake of a client against a server, reporting what GnuTLS
// and svcid saw. Certificates come from cert_builder.hpp (made with OpenSSL at run time).
#ifndef SVCID_TEST_GNUTLS_PEER_HPP
#define SVCID_TEST_GNUTLS_PEER_HPP

#include <svcid/gnutls.hpp>

#include "cert_builder.hpp"
#include "pem.hpp"
#include "socketpair.hpp"

#include <gnutls/gnutls.h>

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace svcid_test {

inline void gnutls_check(int ret, const char* what) {
    if (ret < 0) openssl_failure((std::string(what) + ": " + gnutls_strerror(ret)).c_str());
}

inline gnutls_datum_t datum_of(const std::string& s) {
    return {reinterpret_cast<unsigned char*>(const_cast<char*>(s.data())), static_cast<unsigned>(s.size())};
}

/// How sessions resume.
enum class gtls_resumption { none, tls12_session_id, tls12_ticket, tls13_ticket };

inline const char* name_of(gtls_resumption r) {
    switch (r) {
    case gtls_resumption::none: return "none";
    case gtls_resumption::tls12_session_id: return "TLS 1.2 session ID";
    case gtls_resumption::tls12_ticket: return "TLS 1.2 ticket";
    case gtls_resumption::tls13_ticket: return "TLS 1.3 PSK ticket";
    }
    return "";
}

/// A server's stored sessions: a session-ID database and a ticket key, shareable between
/// server credentials.
struct gtls_store {
    std::mutex lock;
    std::map<std::string, std::string> sessions;
    gnutls_datum_t ticket_key{};
    gtls_store() { gnutls_check(gnutls_session_ticket_key_generate(&ticket_key), "gnutls_session_ticket_key_generate"); }
    gtls_store(const gtls_store&) = delete;
    gtls_store& operator=(const gtls_store&) = delete;
    ~gtls_store() { gnutls_free(ticket_key.data); }

    static int store(void* self, gnutls_datum_t key, gnutls_datum_t data) {
        auto* s = static_cast<gtls_store*>(self);
        std::lock_guard<std::mutex> hold(s->lock);
        s->sessions[std::string(reinterpret_cast<char*>(key.data), key.size)] =
            std::string(reinterpret_cast<char*>(data.data), data.size);
        return 0;
    }
    static gnutls_datum_t retrieve(void* self, gnutls_datum_t key) {
        auto* s = static_cast<gtls_store*>(self);
        std::lock_guard<std::mutex> hold(s->lock);
        const auto found = s->sessions.find(std::string(reinterpret_cast<char*>(key.data), key.size));
        gnutls_datum_t out{nullptr, 0};
        if (found == s->sessions.end()) return out;
        out.data = static_cast<unsigned char*>(gnutls_malloc(found->second.size()));
        if (out.data == nullptr) return out;
        std::copy(found->second.begin(), found->second.end(), out.data);
        out.size = static_cast<unsigned>(found->second.size());
        return out;
    }
    static int remove(void* self, gnutls_datum_t key) {
        auto* s = static_cast<gtls_store*>(self);
        std::lock_guard<std::mutex> hold(s->lock);
        return s->sessions.erase(std::string(reinterpret_cast<char*>(key.data), key.size)) == 1 ? 0 : -1;
    }
};

/// One side's credentials and how its sessions are made.
struct gtls_config {
    gnutls_certificate_credentials_t credentials = nullptr;
    bool server = false;
    gtls_resumption resumption = gtls_resumption::none;
    gtls_store* store = nullptr;
    /// Server: GNUTLS_CERT_REQUIRE, GNUTLS_CERT_REQUEST (optional) or GNUTLS_CERT_IGNORE.
    gnutls_certificate_request_t request = GNUTLS_CERT_REQUIRE;
    /// Whether each session is guarded by svcid (svcid::gnutls::guard).
    bool guarded = false;
    bool tls13 = false;

    gtls_config(bool is_server, const built_certificate* identity, const std::vector<const built_certificate*>& trust)
        : server(is_server) {
        gnutls_check(gnutls_certificate_allocate_credentials(&credentials), "gnutls_certificate_allocate_credentials");
        for (const built_certificate* ca : trust) {
            const std::string pem = pem_certificate(ca->cert.get());
            const gnutls_datum_t d = datum_of(pem);
            gnutls_check(gnutls_certificate_set_x509_trust_mem(credentials, &d, GNUTLS_X509_FMT_PEM), "trust");
        }
        if (identity != nullptr) {
            const std::string cert = pem_certificate(identity->cert.get());
            const std::string key = pem_key(identity->key.get());
            const gnutls_datum_t c = datum_of(cert), k = datum_of(key);
            gnutls_check(gnutls_certificate_set_x509_key_mem(credentials, &c, &k, GNUTLS_X509_FMT_PEM), "own key");
        }
    }
    gtls_config(const gtls_config&) = delete;
    gtls_config& operator=(const gtls_config&) = delete;
    ~gtls_config() { gnutls_certificate_free_credentials(credentials); }

    const char* priority() const {
        return tls13 ? "NORMAL:-VERS-ALL:+VERS-TLS1.3" : "NORMAL:-VERS-ALL:+VERS-TLS1.2";
    }
};

/// What one side saw in one handshake.
struct gtls_outcome {
    int handshake = 0;           ///< gnutls_handshake()'s last result
    bool completed = false;      ///< handshake done and the server's greeting exchanged
    bool resumed = false;
    unsigned status = 0;         ///< svcid::gnutls::verify_status()
    bool accepted = false;       ///< peer_outcome_of()
    int outcome_error = 0;
    std::size_t index = svcid::gnutls::no_reference_index;
    std::string presented;
    std::string explanation;
};

using gtls_setup = std::function<void(gnutls_session_t)>;

/// Drives one GnuTLS side over `fd`: a client offers `offer` (stored session data) when
/// non-empty and stores its new session data into `save`.
inline gtls_outcome run_gtls_side(gtls_config& c, int fd, const gtls_setup& setup, const std::string* offer = nullptr,
                                  std::string* save = nullptr) {
    gtls_outcome out;
    gnutls_session_t s = nullptr;
    unsigned flags = c.server ? GNUTLS_SERVER : GNUTLS_CLIENT;
    if (c.resumption == gtls_resumption::tls12_session_id || c.resumption == gtls_resumption::none) flags |= GNUTLS_NO_TICKETS;
    gnutls_check(gnutls_init(&s, flags), "gnutls_init");
    gnutls_check(gnutls_priority_set_direct(s, c.priority(), nullptr), "gnutls_priority_set_direct");
    gnutls_check(gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, c.credentials), "gnutls_credentials_set");
    if (c.server) {
        gnutls_certificate_server_set_request(s, c.request);
        if (c.store != nullptr && c.resumption == gtls_resumption::tls12_session_id) {
            gnutls_db_set_ptr(s, c.store);
            gnutls_db_set_store_function(s, &gtls_store::store);
            gnutls_db_set_retrieve_function(s, &gtls_store::retrieve);
            gnutls_db_set_remove_function(s, &gtls_store::remove);
        }
        if (c.store != nullptr && (c.resumption == gtls_resumption::tls12_ticket || c.resumption == gtls_resumption::tls13_ticket))
            gnutls_check(gnutls_session_ticket_enable_server(s, &c.store->ticket_key), "ticket_enable_server");
    } else if (offer != nullptr && !offer->empty()) {
        gnutls_check(gnutls_session_set_data(s, offer->data(), offer->size()), "gnutls_session_set_data");
    }
    if (c.guarded) gnutls_check(svcid::gnutls::guard(s), "svcid::gnutls::guard");
    if (setup) setup(s);
    gnutls_transport_set_int(s, fd);
    int ret;
    do {
        ret = gnutls_handshake(s);
    } while (ret < 0 && gnutls_error_is_fatal(ret) == 0);
    out.handshake = ret;
    if (ret == 0) {
        char greeting[2] = {'o', 'k'};
        if (c.server) {
            out.completed = gnutls_record_send(s, greeting, 2) == 2;
        } else {
            ssize_t n;
            do {
                n = gnutls_record_recv(s, greeting, 2);
            } while (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED);
            out.completed = n == 2;
        }
        out.resumed = gnutls_session_is_resumed(s) != 0;
        if (save != nullptr) {
            gnutls_datum_t data{};
            gnutls_check(gnutls_session_get_data2(s, &data), "gnutls_session_get_data2");
            save->assign(reinterpret_cast<char*>(data.data), data.size);
            gnutls_free(data.data);
        }
    }
    out.status = svcid::gnutls::verify_status(s);
    const svcid::gnutls::peer_outcome who = svcid::gnutls::peer_outcome_of(s);
    out.accepted = who.accepted;
    out.outcome_error = who.error;
    out.index = who.reference_index;
    out.presented = std::string(who.presented);
    char text[1024];
    svcid::gnutls::explain(s, text, sizeof text);
    out.explanation = text;
    if (ret == 0) gnutls_bye(s, GNUTLS_SHUT_WR);
    gnutls_deinit(s);
    return out;
}

struct gtls_handshake {
    gtls_outcome client;
    gtls_outcome server;
};

/// One GnuTLS client against one GnuTLS server.
inline gtls_handshake handshake(gtls_config& client, gtls_config& server, const gtls_setup& client_setup = {},
                                const gtls_setup& server_setup = {}, const std::string* offer = nullptr,
                                std::string* save = nullptr) {
    gtls_handshake h;
    over_socketpair([&](int fd) { h.client = run_gtls_side(client, fd, client_setup, offer, save); },
                    [&](int fd) { h.server = run_gtls_side(server, fd, server_setup); });
    return h;
}

} // namespace svcid_test

#endif
