// svcid/svcid.hpp — the umbrella: every core svcid header (no OpenSSL).
//
// The OpenSSL adapter is deliberately not included: include <svcid/openssl.hpp> and link
// svcid::openssl when you use it, so that the core stays usable with any TLS stack.
#ifndef SVCID_SVCID_HPP
#define SVCID_SVCID_HPP

#include "config.hpp"
#include "syntax/der.hpp"
#include "der_certificate.hpp"
#include "dns_id.hpp"
#include "dns_reference.hpp"
#include "email.hpp"
#include "error.hpp"
#include "explain.hpp"
#include "identity_policy.hpp"
#include "syntax/general_names.hpp"
#include "syntax/idna.hpp"
#include "ip_reference.hpp"
#include "match.hpp"
#include "policy.hpp"
#include "presented.hpp"
#include "public_suffix.hpp"
#include "syntax/punycode.hpp"
#include "reference.hpp"
#include "result.hpp"
#include "syntax/spiffe.hpp"
#include "spiffe_reference.hpp"
#include "srv_reference.hpp"
#include "syntax/uri.hpp"
#include "uri_reference.hpp"
#include "syntax/x501_name.hpp"

#endif
