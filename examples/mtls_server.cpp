// svcid-mtls-server PORT CERT_FILE KEY_FILE CA_FILE ALLOWED... — the server half of mutual
// TLS on 127.0.0.1:PORT. A client must present a certificate that chains to CA_FILE and
// names one of ALLOWED:
//   spiffe://td/path          that SPIFFE ID exactly
//   spiffe://td/path/...      that ID and every workload below it (a path prefix)
//   spiffe://td/*             any workload of the trust domain
//   a@b, dns.name, 10.0.0.1   an e-mail address, a DNS-ID, an IP address
// Each accepted client is greeted by the identity it matched. Serves until killed, or
// SVCID_MAX_CONNECTIONS connections when that is set.
#include <svcid/openssl/verify.hpp>

#include "support/allowed.hpp"
#include "support/net.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

int main(int argc, char** argv) {
    if (argc < 6) {
        std::fprintf(stderr, "usage: %s PORT CERT_FILE KEY_FILE CA_FILE ALLOWED...\n", argv[0]);
        return 2;
    }
    std::vector<svcid::reference> allowed;
    if (!svcid_example::parse_allowed_arguments(5, argc, argv, allowed)) return 2;
    svcid_example::ignore_sigpipe();
    std::unique_ptr<SSL_CTX, void (*)(SSL_CTX*)> ctx(SSL_CTX_new(TLS_server_method()), SSL_CTX_free);
    if (!ctx || SSL_CTX_use_certificate_chain_file(ctx.get(), argv[2]) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx.get(), argv[3], SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_load_verify_locations(ctx.get(), argv[4], nullptr) != 1) {
        ERR_print_errors_fp(stderr);
        return 2;
    }
    // Every SSL from this context requires a client certificate; each gets the allow-list.
    svcid::require_client_certificate(ctx.get());

    unsigned short port = 0;
    const int listener = svcid_example::listen_loopback(static_cast<unsigned short>(std::atoi(argv[1])), &port);
    if (listener < 0) return 2;
    std::printf("listening on 127.0.0.1:%u\n", static_cast<unsigned>(port));
    std::fflush(stdout);
    const char* limit = std::getenv("SVCID_MAX_CONNECTIONS");
    for (long served = 0; limit == nullptr || served < std::atol(limit); ++served) {
        const int fd = accept(listener, nullptr, nullptr);
        if (fd < 0) continue;
        svcid_example::set_timeouts(fd, 10);
        std::unique_ptr<SSL, void (*)(SSL*)> ssl(SSL_new(ctx.get()), SSL_free);
        const svcid::peer_identity* state =
            ssl ? svcid::attach_peer_identity(ssl.get(), allowed.data(), allowed.size()) : nullptr;
        const bool handshake_ok = state != nullptr && SSL_set_fd(ssl.get(), fd) == 1 && SSL_accept(ssl.get()) == 1;
        // Authorisation reads the outcome of this connection, which is "none" unless its
        // peer was accepted (also after a resumption).
        const svcid::peer_outcome who = handshake_ok ? svcid::peer_outcome_of(ssl.get()) : svcid::peer_outcome{};
        if (who.accepted) {
            // Which allow-list entry matched and the client's identifier.
            const std::string greeting = "hello " + std::string(who.presented) + " (allowed by entry " +
                                         std::to_string(who.reference_index + 1) + ")\n";
            SSL_write(ssl.get(), greeting.data(), static_cast<int>(greeting.size()));
            char why[1024];
            svcid::explain_peer(ssl.get(), why, sizeof why);
            std::printf("accepted: %s\n", why);
            SSL_shutdown(ssl.get());
        } else {
            const long result = ssl ? SSL_get_verify_result(ssl.get()) : X509_V_OK;
            std::printf("refused%s%s\n", result != X509_V_OK ? ": " : "",
                        result != X509_V_OK ? X509_verify_cert_error_string(result) : "");
            if (state != nullptr && state->checked()) {
                char why[1024];
                state->explain(why, sizeof why);
                std::printf("svcid: %s\n", why);
            }
            ERR_print_errors_fp(stdout);
        }
        std::fflush(stdout);
        close(fd);
    }
    close(listener);
    return 0;
}
