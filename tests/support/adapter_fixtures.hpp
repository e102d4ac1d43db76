// One certificate, three ways to read it: the X509 that cert_builder signed, an X509
// decoded again from its DER (what a TLS handshake hands over), and the raw DER through
// der_certificate. TEMPLATE_TEST_CASEs over these types prove every adapter reports the
// same identifiers for the same certificate.
#ifndef SVCID_TEST_ADAPTER_FIXTURES_HPP
#define SVCID_TEST_ADAPTER_FIXTURES_HPP

#include "cert_builder.hpp"

#include <svcid/der_certificate.hpp>
#include <svcid/openssl.hpp>

#include <cstdlib>
#include <stdexcept>

namespace svcid_test {

struct openssl_built {
    static constexpr const char* name = "openssl_certificate over the signed X509";
    built_certificate built;
    explicit openssl_built(const cert_spec& spec) : built(make_certificate(spec)) {}
    svcid::openssl_certificate adapter() const { return svcid::openssl_certificate(built.cert.get()); }
};

struct openssl_decoded {
    static constexpr const char* name = "openssl_certificate over d2i_X509 of the DER";
    built_certificate built;
    x509_ptr decoded;
    explicit openssl_decoded(const cert_spec& spec) : built(make_certificate(spec)) {
        const auto* p = reinterpret_cast<const unsigned char*>(built.der.data());
        decoded.reset(check(d2i_X509(nullptr, &p, static_cast<long>(built.der.size())), "d2i_X509"));
    }
    svcid::openssl_certificate adapter() const { return svcid::openssl_certificate(decoded.get()); }
};

struct der_parsed {
    static constexpr const char* name = "der_certificate over the DER";
    built_certificate built;
    explicit der_parsed(const cert_spec& spec) : built(make_certificate(spec)) {}
    svcid::der_certificate adapter() const {
        const auto cert = svcid::parse_der_certificate(built.der);
        if (!cert) {
#if defined(__cpp_exceptions)
            throw std::runtime_error("parse_der_certificate failed on cert_builder output");
#else
            std::abort();  // the -fno-exceptions configuration builds this too
#endif
        }
        return *cert;
    }
};

/// An adapter already made, for the odd test that has to doctor a certificate first.
template <class Adapter>
struct adapter_view {
    static constexpr const char* name = "a prepared adapter";
    Adapter a;
    Adapter adapter() const { return a; }
};
using der_parsed_view = adapter_view<svcid::der_certificate>;
using openssl_view = adapter_view<svcid::openssl_certificate>;

} // namespace svcid_test

#endif
