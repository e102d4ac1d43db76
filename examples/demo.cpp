// svcid-demo: mutual TLS on 127.0.0.1 with svcid on both sides, and a table of who refused
// whom and why.
//
// It makes a throwaway CA and certificates in memory, starts an mTLS server on an
// ephemeral loopback port (a thread) that accepts only the payments workloads
// (spiffe://demo.test/ns/payments/...) and ops@demo.test, and connects to it as a series
// of clients, some of which should be refused. Exit status 0 means every scenario ended
// as expected.
#include <svcid/openssl/verify.hpp>

#include "support/net.hpp"
#include "support/pki.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using svcid_example::credential;
using svcid_example::need;

struct ssl_ctx_free { void operator()(SSL_CTX* p) const noexcept { SSL_CTX_free(p); } };
struct ssl_free { void operator()(SSL* p) const noexcept { SSL_free(p); } };
using ctx_ptr = std::unique_ptr<SSL_CTX, ssl_ctx_free>;
using ssl_ptr = std::unique_ptr<SSL, ssl_free>;

enum class verdict { accepted, refused, not_reached };

const char* verdict_name(verdict v) {
    switch (v) {
    case verdict::accepted: return "accepted";
    case verdict::refused: return "refused";
    case verdict::not_reached: break;
    }
    return "-";
}

/// How one side judged its peer, and why: OpenSSL's reason and svcid's explanation.
struct judgement {
    verdict outcome = verdict::not_reached;
    std::string reason;
    std::string svcid;
};

/// Reads one side's verdict off its SSL after the handshake: a verify error, an OpenSSL
/// error queued by this side (such as "peer did not return a certificate"), or svcid's
/// account of what matched.
judgement judge(SSL* ssl, bool handshake_ok, unsigned long error) {
    judgement j;
    const svcid::peer_identity* state = svcid::peer_identity_of(ssl);
    if (state != nullptr && state->checked()) {
        char why[1024];
        state->explain(why, sizeof why);
        j.svcid = why;
    }
    const long result = SSL_get_verify_result(ssl);
    if (result != X509_V_OK) {
        j.outcome = verdict::refused;
        j.reason = std::string(X509_verify_cert_error_string(result)) + " (verify error " + std::to_string(result) + ")";
        if (state == nullptr || !state->checked()) j.reason += ", from chain validation: svcid not consulted";
    } else if (state != nullptr && state->accepted()) {
        j.outcome = verdict::accepted;
    } else if (!handshake_ok && ERR_GET_LIB(error) == ERR_LIB_SSL &&
               ERR_GET_REASON(error) == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE) {
        j.outcome = verdict::refused;
        j.reason = ERR_reason_error_string(error);
    }
    return j;
}

ctx_ptr make_context(bool server, const credential* identity, const credential& trusted_ca) {
    ctx_ptr ctx(SSL_CTX_new(server ? TLS_server_method() : TLS_client_method()));
    need(ctx != nullptr, "SSL_CTX_new");
    need(SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION) == 1, "minimum TLS version");
    if (identity != nullptr)
        need(SSL_CTX_use_certificate(ctx.get(), identity->cert.get()) == 1 &&
                 SSL_CTX_use_PrivateKey(ctx.get(), identity->key.get()) == 1,
             "certificate and key");
    need(X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx.get()), trusted_ca.cert.get()) == 1, "trust the CA");
    return ctx;
}

/// The server: a fixed number of connections, one at a time, each judged by svcid.
class server {
public:
    server(const credential& identity, const credential& ca, int connections)
        : ctx_(make_context(true, &identity, ca)), connections_(connections) {
        svcid::require_client_certificate(ctx_.get());
        listener_ = svcid_example::listen_loopback(0, &port_);
        need(listener_ >= 0, "listen on 127.0.0.1");
        svcid_example::set_timeouts(listener_, 5);
        thread_ = std::thread([this] { run(); });
    }
    ~server() {
        thread_.join();
        close(listener_);
    }
    unsigned short port() const { return port_; }

    /// The server's judgement of connection `i`, once it has one (or after a time-out).
    judgement wait_for(std::size_t i) {
        std::unique_lock<std::mutex> lock(mutex_);
        if (!done_.wait_for(lock, std::chrono::seconds(10), [&] { return judgements_.size() > i; })) return {};
        return judgements_[i];
    }

private:
    void run() {
        // The allow-list: any payments workload, or the ops team's certificate.
        const svcid::reference allowed[] = {
            *svcid::make_spiffe_reference("spiffe://demo.test/ns/payments", svcid::spiffe_match::path_prefix),
            *svcid::parse_email_reference("ops@demo.test")};
        for (int i = 0; i < connections_; ++i) {
            judgement j;
            const int fd = accept(listener_, nullptr, nullptr);
            if (fd >= 0) {
                svcid_example::set_timeouts(fd, 5);
                ssl_ptr ssl(SSL_new(ctx_.get()));
                need(ssl && SSL_set_fd(ssl.get(), fd) == 1, "server SSL");
                need(svcid::attach_peer_identity(ssl.get(), allowed, 2) != nullptr, "attach the allow-list");
                ERR_clear_error();
                const bool ok = SSL_accept(ssl.get()) == 1 && SSL_write(ssl.get(), "hi", 2) == 2;
                j = judge(ssl.get(), ok, ERR_peek_error());
                if (ok) SSL_shutdown(ssl.get());
                ERR_clear_error();
                close(fd);
            }
            std::lock_guard<std::mutex> lock(mutex_);
            judgements_.push_back(j);
            done_.notify_all();
        }
    }

    ctx_ptr ctx_;
    int connections_;
    int listener_ = -1;
    unsigned short port_ = 0;
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable done_;
    std::vector<judgement> judgements_;
};

struct scenario {
    const char* name;
    const credential* identity;   // the client's certificate, or none
    const char* expected_server;  // what the client expects, or nullptr for no reference at all
    verdict client_should;
    verdict server_should;
};

/// One client connection; the client greets only if the server answers.
judgement run_client(const scenario& s, const credential& ca, unsigned short port) {
    ctx_ptr ctx = make_context(false, s.identity, ca);
    const int fd = svcid_example::connect_tcp("127.0.0.1", std::to_string(port).c_str());
    need(fd >= 0, "connect to the demo server");
    svcid_example::set_timeouts(fd, 5);
    ssl_ptr ssl(SSL_new(ctx.get()));
    need(ssl && SSL_set_fd(ssl.get(), fd) == 1, "client SSL");
    if (s.expected_server != nullptr) {
        const auto ref = svcid::parse_reference(s.expected_server);
        need(ref.has_value(), "parse the expected server name");
        need(svcid::verify_server_identity(ssl.get(), &*ref, 1) != nullptr, "attach the expected name");
    } else {
        need(svcid::verify_server_identity(ssl.get(), nullptr, 0) != nullptr, "attach an empty list");
    }
    ERR_clear_error();
    char greeting[2];
    const bool ok = SSL_connect(ssl.get()) == 1 && SSL_read(ssl.get(), greeting, 2) == 2;
    judgement j = judge(ssl.get(), ok, ERR_peek_error());
    if (ok) SSL_shutdown(ssl.get());
    ERR_clear_error();
    close(fd);
    return j;
}

void print_why(const char* side, const judgement& j) {
    if (!j.reason.empty()) std::printf("      %s refused: %s\n", side, j.reason.c_str());
    if (j.svcid.empty()) return;
    std::printf("      %s svcid: ", side);
    for (char c : j.svcid) {
        std::putchar(c);
        if (c == '\n') std::printf("             %*s", static_cast<int>(std::string_view(side).size()), "");
    }
    std::putchar('\n');
}

} // namespace

int main() {
    svcid_example::ignore_sigpipe();
    const credential ca = svcid_example::make_ca("svcid demo CA");
    const credential rogue_ca = svcid_example::make_ca("some other CA");
    const credential server_identity = svcid_example::issue(ca, {"demo server", "DNS:server.demo.test, IP:127.0.0.1"});
    const credential payments = svcid_example::issue(ca, {"payments", "URI:spiffe://demo.test/ns/payments/sa/api"});
    const credential ops = svcid_example::issue(ca, {"ops", "email:ops@demo.test"});
    const credential billing = svcid_example::issue(ca, {"billing", "URI:spiffe://demo.test/ns/billing/sa/api"});
    const credential rogue = svcid_example::issue(rogue_ca, {"impostor", "URI:spiffe://demo.test/ns/payments/sa/api"});
    const credential expired =
        svcid_example::issue(ca, {"payments (expired)", "URI:spiffe://demo.test/ns/payments/sa/api", -7L * 24 * 3600, -3600});

    const scenario scenarios[] = {
        {"payments workload, expects server.demo.test", &payments, "server.demo.test", verdict::accepted, verdict::accepted},
        {"ops engineer by e-mail, expects 127.0.0.1", &ops, "127.0.0.1", verdict::accepted, verdict::accepted},
        {"payments workload, expects db.demo.test", &payments, "db.demo.test", verdict::refused, verdict::not_reached},
        {"payments workload, expects 10.0.0.7", &payments, "10.0.0.7", verdict::refused, verdict::not_reached},
        {"client with no expected server identity", &payments, nullptr, verdict::refused, verdict::not_reached},
        {"billing workload (not on the allow-list)", &billing, "server.demo.test", verdict::accepted, verdict::refused},
        {"client without a certificate", nullptr, "server.demo.test", verdict::accepted, verdict::refused},
        {"payments ID signed by an untrusted CA", &rogue, "server.demo.test", verdict::accepted, verdict::refused},
        {"payments workload, expired certificate", &expired, "server.demo.test", verdict::accepted, verdict::refused},
    };
    const int count = static_cast<int>(sizeof scenarios / sizeof scenarios[0]);

    server srv(server_identity, ca, count);
    std::printf("svcid demo: mutual TLS on 127.0.0.1:%u, certificates from a throwaway in-memory CA.\n",
                static_cast<unsigned>(srv.port()));
    std::printf("The server is server.demo.test / 127.0.0.1 and admits spiffe://demo.test/ns/payments/... "
                "or ops@demo.test.\n\n");
    std::printf(" #  %-44s %-9s %-9s %s\n", "scenario", "client", "server", "as expected?");

    int unexpected = 0;
    for (int i = 0; i < count; ++i) {
        const scenario& s = scenarios[i];
        const judgement client = run_client(s, ca, srv.port());
        const judgement server_side = srv.wait_for(static_cast<std::size_t>(i));
        const bool as_expected = client.outcome == s.client_should && server_side.outcome == s.server_should;
        if (!as_expected) ++unexpected;
        std::printf("%2d  %-44s %-9s %-9s %s\n", i + 1, s.name, verdict_name(client.outcome),
                    verdict_name(server_side.outcome), as_expected ? "yes" : "NO");
        print_why("client", client);
        print_why("server", server_side);
    }
    std::printf("\n%d of %d scenarios behaved as expected.\n", count - unexpected, count);
    return unexpected == 0 ? 0 : 1;
}
