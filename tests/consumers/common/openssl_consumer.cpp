// The OpenSSL route: svcid::openssl (or svcid-openssl.pc) must bring OpenSSL's headers and
// libraries with it. Builds a certificate in-process and checks svcid's answers on it.
// The single-header route builds this file with nothing but the amalgamation on its
// include path (scripts/amalgamate.py).
#if defined(SVCID_CONSUMER_SINGLE_HEADER)
#include "svcid_openssl_single.hpp"
#else
#include <svcid/openssl.hpp>
#include <svcid/svcid.hpp>
#endif

#include "test_certificate.hpp"

#include <cstdio>

int main() {
    const auto x509 = svcid_consumer::make_certificate("DNS:api.example.com,URI:spiffe://example.org/ns/prod/sa/web");
    if (!x509) {
        std::fprintf(stderr, "could not build the test certificate\n");
        return 2;
    }
    const svcid::openssl_certificate cert{x509.get()};
    int failures = 0;
    const auto api = svcid::parse_dns_reference("api.example.com");
    if (!api.has_value() || !svcid::match(cert, *api).matched()) {
        std::fprintf(stderr, "wrong answer: the DNS-ID in the SAN matches (RFC 9525 §6.3)\n");
        ++failures;
    }
    const auto www = svcid::parse_dns_reference("www.example.com");
    if (!www.has_value() || svcid::match(cert, *www).status != svcid::match_status::no_match) {
        std::fprintf(stderr, "wrong answer: another DNS name does not match\n");
        ++failures;
    }
    const auto consumer = svcid::parse_dns_reference("consumer");
    if (!consumer.has_value() || svcid::match(cert, *consumer).matched()) {
        std::fprintf(stderr, "wrong answer: the CN is never consulted by default (RFC 9525 §6.3)\n");
        ++failures;
    }
    const auto prod = svcid::make_spiffe_reference("spiffe://example.org/ns/prod", svcid::spiffe_match::path_prefix);
    if (!prod.has_value() || !svcid::match(cert, *prod).matched()) {
        std::fprintf(stderr, "wrong answer: the SVID is below the allowed SPIFFE path\n");
        ++failures;
    }
    std::printf("svcid openssl consumer: %d wrong answers\n", failures);
    return failures == 0 ? 0 : 1;
}
