// svcid/mbedtls.hpp — the mbedTLS backend's umbrella: the verify layer
// (svcid/mbedtls/verify.hpp), which judges peers through the raw-DER adapter.
//
// Link svcid::mbedtls. The core (svcid/svcid.hpp) never includes this, and nothing here
// includes OpenSSL or GnuTLS.
#ifndef SVCID_MBEDTLS_HPP
#define SVCID_MBEDTLS_HPP

#include "mbedtls/verify.hpp"

#endif // SVCID_MBEDTLS_HPP
