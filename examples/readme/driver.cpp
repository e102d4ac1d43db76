// Runs the README's examples (the other files in this directory, shown verbatim in the
// README by scripts/check_readme_examples.py) on certificates made here, and checks their
// answers, so an example that compiles but no longer does what the README says fails too.
#include "test_certificate.hpp"

#include <svcid/openssl/verify.hpp>

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <cstdio>
#include <string>
#include <string_view>

bool is_api_server(const X509* peer);
bool admit_shop_workloads(SSL_CTX* ctx);
bool is_checkout(const SSL* ssl);
bool expect_api_server(SSL* ssl);
int verify_client(int chain_ok, X509_STORE_CTX* store);
bool der_certificate_names(std::string_view der, std::string_view host);

namespace {

int failures = 0;

void expect(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "README example gave a wrong answer: %s\n", what);
        ++failures;
    }
}

std::string to_der(X509* cert) {
    unsigned char* der = nullptr;
    const int length = i2d_X509(cert, &der);
    std::string out;
    if (length > 0) out.assign(reinterpret_cast<const char*>(der), static_cast<std::size_t>(length));
    OPENSSL_free(der);
    return out;
}

using verify_callback = int (*)(int, X509_STORE_CTX*);

// Calls a verify callback the way OpenSSL would for the certificate at `depth`.
int verify_as_openssl_would(verify_callback callback, X509* cert, int chain_ok, int depth) {
    X509_STORE* store = X509_STORE_new();
    X509_STORE_CTX* ctx = X509_STORE_CTX_new();
    int answer = -1;
    if (store && ctx && X509_STORE_CTX_init(ctx, store, cert, nullptr) == 1) {
        X509_STORE_CTX_set_current_cert(ctx, cert);
        X509_STORE_CTX_set_error_depth(ctx, depth);
        answer = callback(chain_ok, ctx);
    }
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    return answer;
}

} // namespace

int main() {
    const auto api = svcid_consumer::make_certificate("DNS:api.example.com");
    const auto www = svcid_consumer::make_certificate("DNS:www.example.com");
    const auto frontend = svcid_consumer::make_certificate("URI:spiffe://prod.example/ns/shop/sa/frontend");
    const auto admin = svcid_consumer::make_certificate("URI:spiffe://prod.example/ns/shop/sa/admin");
    if (!api || !www || !frontend || !admin) {
        std::fprintf(stderr, "could not build the test certificates\n");
        return 2;
    }

    expect(is_api_server(api.get()), "quick.cpp accepts a certificate for api.example.com");
    expect(!is_api_server(www.get()), "quick.cpp refuses a certificate for www.example.com");

    expect(verify_as_openssl_would(verify_client, frontend.get(), 1, 0) == 1, "spiffe_allow_list.cpp lets the frontend in");
    expect(verify_as_openssl_would(verify_client, admin.get(), 1, 0) == 0, "spiffe_allow_list.cpp keeps an unlisted workload out");
    expect(verify_as_openssl_would(verify_client, frontend.get(), 0, 0) == 0, "spiffe_allow_list.cpp never overrides a failed chain");
    expect(verify_as_openssl_would(verify_client, admin.get(), 1, 1) == 1, "spiffe_allow_list.cpp checks no identity on CAs");


    {
        SSL_CTX* server = SSL_CTX_new(TLS_server_method());
        expect(admit_shop_workloads(server), "context_policy.cpp sets its policy");
        const svcid::context_identity* policy = svcid::context_identity_of(server);
        expect(policy != nullptr && policy->policy().size() == 2, "context_policy.cpp hangs two SPIFFE IDs on the SSL_CTX");
        expect(SSL_CTX_get_verify_mode(server) == (SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT),
               "context_policy.cpp requires a client certificate");
        SSL* ssl = SSL_new(server);
        expect(!is_checkout(ssl), "context_policy.cpp reads none before a handshake");
        SSL_free(ssl);
        SSL_CTX_free(server);
        SSL_CTX* client = SSL_CTX_new(TLS_client_method());
        SSL* c = SSL_new(client);
        expect(expect_api_server(c), "context_policy.cpp attaches api.example.com");
        const char* sni = SSL_get_servername(c, TLSEXT_NAMETYPE_host_name);
        expect(sni != nullptr && std::string_view(sni) == "api.example.com", "context_policy.cpp sends SNI");
        SSL_free(c);
        SSL_CTX_free(client);
    }

    const std::string der = to_der(api.get());
    expect(der_certificate_names(der, "api.example.com"), "raw_der.cpp finds api.example.com in the DER");
    expect(!der_certificate_names(der, "www.example.com"), "raw_der.cpp refuses www.example.com");
    expect(!der_certificate_names(std::string_view(der).substr(0, der.size() / 2), "api.example.com"),
           "raw_der.cpp refuses a truncated certificate");

    std::printf("README examples: %d wrong answers\n", failures);
    return failures == 0 ? 0 : 1;
}
