// example: raw_der.cpp
#include <svcid/der_certificate.hpp>
#include <svcid/match.hpp>

#include <string_view>

// Any TLS stack that hands over the peer's certificate as DER bytes, no OpenSSL needed.
bool der_certificate_names(std::string_view der, std::string_view host) {
    const auto cert = svcid::parse_der_certificate(der);   // views into `der`, no copy
    const auto expected = svcid::parse_dns_reference(host);
    return cert && expected && svcid::match(*cert, *expected).matched();
}
