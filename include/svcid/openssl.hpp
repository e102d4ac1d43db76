// svcid/openssl.hpp — the OpenSSL backend's umbrella: the certificate adapters
// (svcid/openssl/certificate.hpp) and the verify-callback layer (svcid/openssl/verify.hpp).
//
// Link svcid::openssl. The core (svcid/svcid.hpp) never includes this: only the headers
// under svcid/openssl/ include <openssl/...>.
#ifndef SVCID_OPENSSL_HPP
#define SVCID_OPENSSL_HPP

#include "openssl/certificate.hpp"
#include "openssl/verify.hpp"

#endif // SVCID_OPENSSL_HPP
