// svcid-mbedtls-client PORT CERT_FILE KEY_FILE CA_FILE SERVER — a device: connects to
// 127.0.0.1:PORT with its certificate, accepts the server only if it chains to CA_FILE and
// names SERVER (a DNS name or an IP address, judged by svcid, not by mbedTLS's CN-fallback
// check), and prints the server's greeting. Exit status 0 only for a greeting.
#include <svcid/mbedtls.hpp>

#include "../support/net.hpp"
#include "credentials.hpp"

#include <mbedtls/net_sockets.h>

#include <cstdint>
#include <cstdio>

int main(int argc, char** argv) {
    if (argc != 6) {
        std::fprintf(stderr, "usage: %s PORT CERT_FILE KEY_FILE CA_FILE SERVER\n", argv[0]);
        return 2;
    }
    const auto server = svcid::parse_reference(argv[5]);
    if (!server) {
        char why[128];
        svcid::describe(server.error(), why, sizeof why);
        std::fprintf(stderr, "%s: %s\n", argv[5], why);
        return 2;
    }
    svcid_example::ignore_sigpipe();
    svcid_example::mbedtls_side side;
    if (!side.load(MBEDTLS_SSL_IS_CLIENT, argv[2], argv[3], argv[4])) return 2;
    svcid::mbedtls::verifier expected(svcid::identity_policy::make({*server}));
    if (!expected.policy() || expected.bind(&side.conf) != 0) return 2;

    mbedtls_net_context net;
    mbedtls_net_init(&net);
    net.fd = svcid_example::connect_tcp("127.0.0.1", argv[1]);
    if (net.fd < 0) return 1;
    svcid_example::set_timeouts(net.fd, 10);
    mbedtls_ssl_context ssl;
    mbedtls_ssl_init(&ssl);
    const int ret = side.handshake(&ssl, &net);
    int status = 1;
    if (ret == 0 && svcid::mbedtls::peer_outcome_of(&ssl).accepted) {
        unsigned char greeting[256];
        const int n = mbedtls_ssl_read(&ssl, greeting, sizeof greeting - 1);
        if (n > 0) {
            std::printf("%.*s", n, reinterpret_cast<const char*>(greeting));
            status = 0;
        } else {
            std::printf("refused by the server (-0x%04x)\n", static_cast<unsigned>(-n));
        }
        mbedtls_ssl_close_notify(&ssl);
    } else {
        // MBEDTLS_ERR_X509_CERT_VERIFY_FAILED with "CN_MISMATCH" flags: svcid refused the server.
        char flags[256] = "";
        const std::uint32_t result = mbedtls_ssl_get_verify_result(&ssl);
        if (result != 0 && result != 0xFFFFFFFFu) mbedtls_x509_crt_verify_info(flags, sizeof flags, "  ", result);
        std::printf("handshake failed (-0x%04x)\n%s", static_cast<unsigned>(-ret), flags);
    }
    mbedtls_ssl_free(&ssl);
    mbedtls_net_free(&net);
    return status;
}
