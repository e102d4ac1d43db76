// example: quick.cpp
#include <svcid/explain.hpp>
#include <svcid/openssl.hpp>

#include <cstdio>

// After OpenSSL has validated the chain: is the server's certificate for api.example.com?
bool is_api_server(const X509* peer) {
    static const auto expected = svcid::parse_dns_reference("api.example.com").value();
    const svcid::openssl_certificate cert{peer};
    const svcid::match_result result = svcid::match(cert, expected);
    char why[512];
    svcid::explain(cert, expected, result, why, sizeof why);
    std::puts(why);  // DNS-ID "api.example.com": matched dNSName "api.example.com"
    return result.matched();
}
