// svcid/gnutls.hpp — the GnuTLS backend's umbrella: the verify layer
// (svcid/gnutls/verify.hpp), which judges peers through the raw-DER adapter.
//
// Link svcid::gnutls. The core (svcid/svcid.hpp) never includes this, and nothing here
// includes OpenSSL or mbedTLS.
#ifndef SVCID_GNUTLS_HPP
#define SVCID_GNUTLS_HPP

#include "gnutls/verify.hpp"

#endif // SVCID_GNUTLS_HPP
