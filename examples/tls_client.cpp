// svcid-tls-client HOST PORT CA_FILE — connects with TLS and verifies that the server's
// certificate chains to CA_FILE and names HOST (a DNS name or an IP address), with svcid as
// the verify callback. Prints svcid's explanation either way; exit status 0 on success.
#include <svcid/openssl/verify.hpp>

#include "support/net.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cstdio>
#include <memory>
#include <string>

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: %s HOST PORT CA_FILE\n", argv[0]);
        return 2;
    }
    const char* host = argv[1];
    const auto expected = svcid::parse_reference(host);
    if (!expected) {
        char why[128];
        svcid::describe(expected.error(), why, sizeof why);
        std::fprintf(stderr, "%s is no usable server name: %s\n", host, why);
        return 2;
    }
    svcid_example::ignore_sigpipe();
    std::unique_ptr<SSL_CTX, void (*)(SSL_CTX*)> ctx(SSL_CTX_new(TLS_client_method()), SSL_CTX_free);
    if (!ctx || SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION) != 1 ||
        SSL_CTX_load_verify_locations(ctx.get(), argv[3], nullptr) != 1) {
        ERR_print_errors_fp(stderr);
        return 2;
    }
    const int fd = svcid_example::connect_tcp(host, argv[2]);
    if (fd < 0) return 2;
    svcid_example::set_timeouts(fd, 10);
    std::unique_ptr<SSL, void (*)(SSL*)> ssl(SSL_new(ctx.get()), SSL_free);
    // svcid checks the certificate; SNI tells the server which one to send (never for an
    // IP address, RFC 6066 §3).
    const svcid::peer_identity* state = svcid::verify_server_identity(ssl.get(), &*expected, 1);
    if (state == nullptr || SSL_set_fd(ssl.get(), fd) != 1 ||
        (expected->type() == svcid::reference_type::dns && SSL_set_tlsext_host_name(ssl.get(), host) != 1)) {
        ERR_print_errors_fp(stderr);
        return 2;
    }
    const bool ok = SSL_connect(ssl.get()) == 1;
    const long result = SSL_get_verify_result(ssl.get());
    std::printf("verify result: %s (%ld)\n", X509_verify_cert_error_string(result), result);
    if (state->checked()) {
        char why[1024];
        state->explain(why, sizeof why);
        std::printf("svcid: %s\n", why);
    }
    if (!ok) {
        ERR_print_errors_fp(stderr);
        close(fd);
        return 1;
    }
    std::printf("connected to %s with %s\n", host, SSL_get_version(ssl.get()));
    SSL_shutdown(ssl.get());
    close(fd);
    return 0;
}
