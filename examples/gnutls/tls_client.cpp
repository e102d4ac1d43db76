// svcid-gnutls-client PORT CERT_FILE KEY_FILE CA_FILE SERVER — a GnuTLS client of mutual TLS:
// connects to 127.0.0.1:PORT with its certificate, accepts the server only if its chain
// verifies against CA_FILE and svcid finds SERVER (a DNS name, an IP address, or a SPIFFE ID,
// in the allow-list syntax of support/allowed.hpp) among its identifiers, and prints the server's
// greeting. Exit status: 0 for a greeting, 1 for a refused or failed connection, 2 for bad
// arguments or files.
//
// GnuTLS's own host check (gnutls_session_set_verify_cert) is not used: svcid judges the
// name, with RFC 9525's rules, and its verify function also runs GnuTLS's chain check.
#include <svcid/gnutls.hpp>

#include "../support/allowed.hpp"
#include "../support/net.hpp"

#include <gnutls/gnutls.h>

#include <cstdio>
#include <unistd.h>
#include <vector>

namespace {

// Closes what main opened, in reverse order, on every return path.
struct client {
    gnutls_certificate_credentials_t credentials = nullptr;
    gnutls_session_t session = nullptr;
    int fd = -1;
    ~client() {
        if (session != nullptr) gnutls_deinit(session);
        if (credentials != nullptr) gnutls_certificate_free_credentials(credentials);
        if (fd >= 0) close(fd);
    }
};

bool failed(int ret, const char* what) {
    if (ret >= 0) return false;
    std::fprintf(stderr, "%s: %s\n", what, gnutls_strerror(ret));
    return true;
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 6) {
        std::fprintf(stderr, "usage: %s PORT CERT_FILE KEY_FILE CA_FILE SERVER\n", argv[0]);
        return 2;
    }
    std::vector<svcid::reference> server;
    if (!svcid_example::parse_allowed_arguments(5, argc, argv, server)) return 2;
    svcid_example::ignore_sigpipe();
    client c;
    if (failed(gnutls_certificate_allocate_credentials(&c.credentials), "credentials") ||
        failed(gnutls_certificate_set_x509_trust_file(c.credentials, argv[4], GNUTLS_X509_FMT_PEM), argv[4]) ||
        failed(gnutls_certificate_set_x509_key_file(c.credentials, argv[2], argv[3], GNUTLS_X509_FMT_PEM), argv[2]))
        return 2;
    // One policy for the credentials; every session made with them shares it.
    svcid::gnutls::verifier expected(svcid::identity_policy::make(server.data(), server.size()));
    if (!expected.policy()) {
        std::fprintf(stderr, "svcid: out of memory\n");
        return 2;
    }
    if (failed(expected.bind(c.credentials), "svcid")) return 2;

    if (failed(gnutls_init(&c.session, GNUTLS_CLIENT), "session") ||
        failed(gnutls_set_default_priority(c.session), "priority") ||
        failed(gnutls_credentials_set(c.session, GNUTLS_CRD_CERTIFICATE, c.credentials), "credentials") ||
        failed(svcid::gnutls::guard(c.session), "svcid"))
        return 2;
    // SNI carries a DNS name only, never an IP address (RFC 6066 §3), and in its A-label
    // form, which the reference holds.
    if (const auto dns = svcid::parse_dns_reference(argv[5]);
        server[0].type() == svcid::reference_type::dns && dns &&
        failed(gnutls_server_name_set(c.session, GNUTLS_NAME_DNS, dns->name().data(), dns->name().size()), "server name"))
        return 2;

    c.fd = svcid_example::connect_tcp("127.0.0.1", argv[1]);
    if (c.fd < 0) return 1;
    svcid_example::set_timeouts(c.fd, 10);
    gnutls_transport_set_int(c.session, c.fd);
    int ret;
    do {
        ret = gnutls_handshake(c.session);
    } while (ret < 0 && gnutls_error_is_fatal(ret) == 0);

    // Read the outcome, not only the handshake's return: it is "none" unless this
    // session's peer was accepted by the policy (also after a resumption).
    const svcid::gnutls::peer_outcome who = svcid::gnutls::peer_outcome_of(c.session);
    if (ret < 0 || !who.accepted) {
        std::printf("handshake failed: %s\n", gnutls_strerror(ret < 0 ? ret : who.error));
        gnutls_datum_t status{};
        if (gnutls_certificate_verification_status_print(svcid::gnutls::verify_status(c.session), GNUTLS_CRT_X509,
                                                         &status, 0) == 0) {
            std::printf("%s\n", reinterpret_cast<const char*>(status.data));
            gnutls_free(status.data);
        }
        char why[1024];
        svcid::gnutls::explain(c.session, why, sizeof why);
        std::printf("svcid: %s\n", why);
        return 1;
    }
    char greeting[256];
    ssize_t n;
    // A TLS 1.3 server's session tickets arrive before the greeting; GnuTLS handles each and
    // returns GNUTLS_E_AGAIN, as it does when the socket's time-out expires: a bounded retry.
    int attempts = 0;
    do {
        n = gnutls_record_recv(c.session, greeting, sizeof greeting - 1);
    } while ((n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED) && ++attempts < 8);
    if (n <= 0) {
        std::printf("no greeting: %s\n", n < 0 ? gnutls_strerror(static_cast<int>(n)) : "connection closed");
        return 1;
    }
    std::printf("%.*s", static_cast<int>(n), greeting);
    gnutls_bye(c.session, GNUTLS_SHUT_RDWR);
    return 0;
}
