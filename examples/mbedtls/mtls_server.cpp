// svcid-mbedtls-server PORT CERT_FILE KEY_FILE CA_FILE ALLOWED... — an mbedTLS mutual-TLS
// server on 127.0.0.1:PORT (0: any free port, printed) that admits a device only if its
// certificate chains to CA_FILE and names one of ALLOWED (support/allowed.hpp: SPIFFE IDs
// exactly, by path prefix "spiffe://td/path/..." or trust domain "spiffe://td/*", DNS
// names, IP and e-mail addresses).
// One svcid verifier is bound to the configuration: every session shares its policy, and
// sessions resumed from the cache are admitted only if the policy admits their device.
// Each admitted device is greeted with the identity it matched. Serves until killed, or
// SVCID_MAX_CONNECTIONS connections when that is set.
#include <svcid/mbedtls.hpp>

#include "../support/allowed.hpp"
#include "../support/net.hpp"
#include "credentials.hpp"

#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl_cache.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    if (argc < 6) {
        std::fprintf(stderr, "usage: %s PORT CERT_FILE KEY_FILE CA_FILE ALLOWED...\n", argv[0]);
        return 2;
    }
    std::vector<svcid::reference> allowed;
    if (!svcid_example::parse_allowed_arguments(5, argc, argv, allowed)) return 2;
    svcid_example::ignore_sigpipe();
    svcid_example::mbedtls_side side;
    if (!side.load(MBEDTLS_SSL_IS_SERVER, argv[2], argv[3], argv[4])) return 2;
    mbedtls_ssl_cache_context cache;
    mbedtls_ssl_cache_init(&cache);
    mbedtls_ssl_conf_session_cache(&side.conf, &cache, mbedtls_ssl_cache_get, mbedtls_ssl_cache_set);
    // Bound last: it wraps the cache, requires a client certificate, and judges each one.
    svcid::mbedtls::verifier policy(svcid::identity_policy::make(allowed.data(), allowed.size()));
    if (!policy.policy() || policy.bind(&side.conf) != 0) {
        std::fprintf(stderr, "svcid: out of memory\n");
        return 2;
    }

    unsigned short port = 0;
    const int listener = svcid_example::listen_loopback(static_cast<unsigned short>(std::atoi(argv[1])), &port);
    if (listener < 0) return 2;
    std::printf("listening on 127.0.0.1:%u\n", static_cast<unsigned>(port));
    std::fflush(stdout);
    const char* limit = std::getenv("SVCID_MAX_CONNECTIONS");
    for (long served = 0; limit == nullptr || served < std::atol(limit); ++served) {
        mbedtls_net_context client;
        mbedtls_net_init(&client);
        client.fd = accept(listener, nullptr, nullptr);
        if (client.fd < 0) continue;
        svcid_example::set_timeouts(client.fd, 10);
        mbedtls_ssl_context ssl;
        mbedtls_ssl_init(&ssl);
        const int ret = side.handshake(&ssl, &client);
        // Authorisation reads this session's outcome: "none" unless svcid admits its device.
        const svcid::mbedtls::peer_outcome who = svcid::mbedtls::peer_outcome_of(&ssl);
        if (ret == 0 && who.accepted) {
            const std::string greeting = "hello " + std::string(who.presented) + " (allowed by entry " +
                                         std::to_string(who.reference_index + 1) + ")\n";
            mbedtls_ssl_write(&ssl, reinterpret_cast<const unsigned char*>(greeting.data()), greeting.size());
            std::printf("accepted %.*s\n", static_cast<int>(who.presented.size()), who.presented.data());
            mbedtls_ssl_close_notify(&ssl);
        } else {
            char flags[256];
            mbedtls_x509_crt_verify_info(flags, sizeof flags, "", mbedtls_ssl_get_verify_result(&ssl));
            std::printf("refused (-0x%04x): %s", static_cast<unsigned>(-ret), flags);
        }
        std::fflush(stdout);
        mbedtls_ssl_free(&ssl);
        mbedtls_net_free(&client);
    }
    close(listener);
    mbedtls_ssl_cache_free(&cache);
    return 0;
}
