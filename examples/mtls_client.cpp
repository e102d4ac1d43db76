// svcid-mtls-client HOST PORT CERT_FILE KEY_FILE CA_FILE — the client half of mutual TLS:
// presents CERT_FILE, verifies that the server chains to CA_FILE and names HOST with svcid,
// and prints what the server sends (svcid-mtls-server greets the client by the identity it
// matched). Exit status 0 when the server accepted us.
#include <svcid/openssl/verify.hpp>

#include "support/net.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cstdio>
#include <memory>

int main(int argc, char** argv) {
    if (argc != 6) {
        std::fprintf(stderr, "usage: %s HOST PORT CERT_FILE KEY_FILE CA_FILE\n", argv[0]);
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
    if (!ctx || SSL_CTX_use_certificate_chain_file(ctx.get(), argv[3]) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx.get(), argv[4], SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_load_verify_locations(ctx.get(), argv[5], nullptr) != 1) {
        ERR_print_errors_fp(stderr);
        return 2;
    }
    const int fd = svcid_example::connect_tcp(host, argv[2]);
    if (fd < 0) return 2;
    svcid_example::set_timeouts(fd, 10);
    std::unique_ptr<SSL, void (*)(SSL*)> ssl(SSL_new(ctx.get()), SSL_free);
    const svcid::peer_identity* state = svcid::verify_server_identity(ssl.get(), &*expected, 1);
    if (state == nullptr || SSL_set_fd(ssl.get(), fd) != 1 ||
        (expected->type() == svcid::reference_type::dns && SSL_set_tlsext_host_name(ssl.get(), host) != 1)) {
        ERR_print_errors_fp(stderr);
        return 2;
    }
    // Under TLS 1.3 the server judges our certificate after SSL_connect returns; its
    // refusal arrives as an alert on the first read.
    char reply[512];
    const bool connected = SSL_connect(ssl.get()) == 1;
    const int n = connected ? SSL_read(ssl.get(), reply, sizeof reply) : 0;
    const long result = SSL_get_verify_result(ssl.get());
    std::printf("server verify result: %s\n", X509_verify_cert_error_string(result));
    if (state->checked()) {
        char why[1024];
        state->explain(why, sizeof why);
        std::printf("svcid: %s\n", why);
    }
    if (n <= 0) {
        std::printf("the handshake failed or the server refused us:\n");
        ERR_print_errors_fp(stdout);
        close(fd);
        return 1;
    }
    std::printf("server says: %.*s", n, reply);
    SSL_shutdown(ssl.get());
    close(fd);
    return 0;
}
