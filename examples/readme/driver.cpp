// Runs the README's examples (the other files in this directory, shown verbatim in the
// README by scripts/check_readme_examples.py) on certificates made here, and checks their
// answers, so an example that compiles but no longer does what the README says fails too.
#include "test_certificate.hpp"

#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <cstdio>
#include <string>
#include <string_view>

bool is_api_server(const X509* peer);
int verify_client(int chain_ok, X509_STORE_CTX* store);
int verify_api_server(int chain_ok, X509_STORE_CTX* store);
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

// Calls a verify callback the way OpenSSL would for the certificate at `depth`; `error` gets
// the verification error the callback left (X509_V_OK when it set none).
int verify_as_openssl_would(verify_callback callback, X509* cert, int chain_ok, int depth, int* error = nullptr) {
    X509_STORE* store = X509_STORE_new();
    X509_STORE_CTX* ctx = X509_STORE_CTX_new();
    int answer = -1;
    if (store && ctx && X509_STORE_CTX_init(ctx, store, cert, nullptr) == 1) {
        X509_STORE_CTX_set_current_cert(ctx, cert);
        X509_STORE_CTX_set_error_depth(ctx, depth);
        answer = callback(chain_ok, ctx);
        if (error) *error = X509_STORE_CTX_get_error(ctx);
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

    int error = -1;
    expect(verify_as_openssl_would(verify_api_server, api.get(), 1, 0, &error) == 1 && error == X509_V_OK,
           "verify_server.cpp accepts api.example.com in the handshake");
    expect(verify_as_openssl_would(verify_api_server, www.get(), 1, 0, &error) == 0 &&
               error == X509_V_ERR_HOSTNAME_MISMATCH,
           "verify_server.cpp fails the handshake for www.example.com with X509_V_ERR_HOSTNAME_MISMATCH");
    expect(verify_as_openssl_would(verify_api_server, api.get(), 0, 0) == 0,
           "verify_server.cpp never overrides a failed chain");
    expect(verify_as_openssl_would(verify_api_server, www.get(), 1, 1) == 1, "verify_server.cpp checks no identity on CAs");

    const std::string der = to_der(api.get());
    expect(der_certificate_names(der, "api.example.com"), "raw_der.cpp finds api.example.com in the DER");
    expect(!der_certificate_names(der, "www.example.com"), "raw_der.cpp refuses www.example.com");
    expect(!der_certificate_names(std::string_view(der).substr(0, der.size() / 2), "api.example.com"),
           "raw_der.cpp refuses a truncated certificate");

    std::printf("README examples: %d wrong answers\n", failures);
    return failures == 0 ? 0 : 1;
}
