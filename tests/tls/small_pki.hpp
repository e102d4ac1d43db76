// A test CA and one-SAN leaves issued by it, for the TLS tests that need a few identities.
#ifndef SVCID_TEST_SMALL_PKI_HPP
#define SVCID_TEST_SMALL_PKI_HPP

#include "cert_builder.hpp"

#include <string>

namespace svcid_test {

struct small_pki {
    built_certificate ca = svcid_test::make_ca("svcid small test CA");

    /// A leaf naming only `san` (a der:: GeneralName).
    built_certificate issue(const std::string& san) const { return issue_leaf(ca, san); }
};

} // namespace svcid_test

#endif
