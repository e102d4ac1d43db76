// Real GnuTLS handshakes (TLS 1.2 and 1.3, over a socketpair) with svcid's verifier on each
// side of mutual TLS; every refusal asserts the refusing side's exact handshake error and
// status, and each has a control that is accepted.
#include <svcid/gnutls.hpp>

#include "c_heap_counter.hpp"
#include "catch.hpp"
#include "counting_allocator.hpp"
#include "peer.hpp"
#include "stack_pki.hpp"

#include <gnutls/gnutls.h>

#include <string>

using svcid_test::gtls_config;
using svcid_test::the_stack_pki;
namespace sgn = svcid::gnutls;

namespace {

struct client_server {
    gtls_config client;
    gtls_config server;
    explicit client_server(const svcid_test::built_certificate& server_identity,
                           const svcid_test::built_certificate* client_identity = nullptr, bool tls13 = false)
        : client(false, client_identity, {&the_stack_pki().ca}), server(true, &server_identity, {&the_stack_pki().ca}) {
        client.tls13 = server.tls13 = tls13;
        // Servers ask for a client certificate only in the mutual-TLS tests.
        server.request = client_identity != nullptr ? GNUTLS_CERT_REQUIRE : GNUTLS_CERT_IGNORE;
    }
};

// Binds `v` to the side's credentials and guards each of its sessions.
int attach(sgn::verifier& v, gtls_config& side) {
    side.guarded = true;
    return v.bind(side.credentials);
}

const char* version(bool tls13) { return tls13 ? "TLS 1.3" : "TLS 1.2"; }

} // namespace

TEST_CASE("a GnuTLS client accepts a server the policy names and reports which identity", "[gnutls][client]") {
    const bool tls13 = GENERATE(false, true);
    INFO(version(tls13));
    client_server peers(the_stack_pki().server_a, nullptr, tls13);
    sgn::verifier expected(svcid::identity_policy::make({svcid_test::dns_ref("b.test"), svcid_test::dns_ref("a.test")}));
    REQUIRE(attach(expected, peers.client) == 0);
    const auto h = svcid_test::handshake(peers.client, peers.server);
    CHECK(h.client.handshake == 0);
    CHECK(h.client.completed);
    CHECK(h.client.status == 0);
    CHECK(h.client.accepted);
    CHECK(h.client.index == 1);
    CHECK(h.client.presented == "a.test");
    CHECK(h.client.explanation.find("a.test") != std::string::npos);
    CHECK(h.server.completed);
}

TEST_CASE("a GnuTLS client refuses a server the policy does not name, with UNEXPECTED_OWNER", "[gnutls][client]") {
    const bool tls13 = GENERATE(false, true);
    INFO(version(tls13));
    client_server peers(the_stack_pki().server_a, nullptr, tls13);
    sgn::verifier expected(svcid_test::expect_server("b.test"));
    REQUIRE(attach(expected, peers.client) == 0);
    const auto h = svcid_test::handshake(peers.client, peers.server);
    CHECK(h.client.handshake == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR);
    CHECK(h.client.status == (GNUTLS_CERT_INVALID | GNUTLS_CERT_UNEXPECTED_OWNER));
    CHECK_FALSE(h.client.accepted);
    CHECK(h.client.index == sgn::no_reference_index);
    CHECK(h.client.presented.empty());
    // GnuTLS keeps the refused certificate, so the refusal explains itself afterwards.
    CHECK(h.client.explanation.find("b.test") != std::string::npos);
    CHECK(h.client.explanation.find("a.test") != std::string::npos);
    CHECK_FALSE(h.server.completed);
}

TEST_CASE("svcid refuses even when GnuTLS's own host name check would pass", "[gnutls][client]") {
    client_server peers(the_stack_pki().server_a);
    sgn::verifier expected(svcid_test::expect_server("b.test"));
    REQUIRE(expected.bind(peers.client.credentials) == 0);
    // The application set GnuTLS's check for a.test on the session first; guarding after it
    // puts svcid's verify function in its place.
    const auto h = svcid_test::handshake(peers.client, peers.server, [](gnutls_session_t s) {
        gnutls_session_set_verify_cert(s, "a.test", 0);
        REQUIRE(sgn::guard(s) == 0);
    });
    CHECK(h.client.handshake == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR);
    CHECK(h.client.status == sgn::status_refused);
}

TEST_CASE("an untrusted chain is refused by GnuTLS's chain check before svcid judges the name", "[gnutls][client][server]") {
    SECTION("client side: the name is wrong too, and only the chain's bits are reported") {
        client_server peers(the_stack_pki().rogue_server);
        sgn::verifier expected(svcid_test::expect_server("b.test"));
        REQUIRE(attach(expected, peers.client) == 0);
        const auto h = svcid_test::handshake(peers.client, peers.server);
        CHECK(h.client.handshake == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR);
        CHECK(h.client.status == (GNUTLS_CERT_INVALID | GNUTLS_CERT_SIGNER_NOT_FOUND));
        CHECK_FALSE(h.client.accepted);
    }
    SECTION("server side: a device with an allowed SPIFFE ID from another CA") {
        client_server peers(the_stack_pki().server_a, &the_stack_pki().rogue_sensor);
        sgn::verifier allowed(svcid_test::device_allow_list());
        REQUIRE(attach(allowed, peers.server) == 0);
        // Without the server's CA names a GnuTLS client sends its certificate whatever its issuer.
        const auto h = svcid_test::handshake(peers.client, peers.server, {},
                                             [](gnutls_session_t s) { gnutls_certificate_send_x509_rdn_sequence(s, 1); });
        CHECK(h.server.handshake == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR);
        CHECK(h.server.status == (GNUTLS_CERT_INVALID | GNUTLS_CERT_SIGNER_NOT_FOUND));
    }
}

TEST_CASE("a GnuTLS server admits a device by SPIFFE ID and refuses one not on the allow-list", "[gnutls][server]") {
    const bool tls13 = GENERATE(false, true);
    INFO(version(tls13));
    SECTION("admitted, with the entry that matched") {
        client_server peers(the_stack_pki().server_a, &the_stack_pki().sensor, tls13);
        sgn::verifier allowed(svcid_test::device_allow_list());
        REQUIRE(attach(allowed, peers.server) == 0);
        const auto h = svcid_test::handshake(peers.client, peers.server);
        CHECK(h.server.handshake == 0);
        CHECK(h.server.accepted);
        CHECK(h.server.index == 1);
        CHECK(h.server.presented == "spiffe://factory.test/line/3/sensor");
        CHECK(h.client.completed);
    }
    SECTION("refused") {
        client_server peers(the_stack_pki().server_a, &the_stack_pki().server_b, tls13);
        sgn::verifier allowed(svcid_test::device_allow_list());
        REQUIRE(attach(allowed, peers.server) == 0);
        const auto h = svcid_test::handshake(peers.client, peers.server);
        CHECK(h.server.handshake == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR);
        CHECK(h.server.status == sgn::status_refused);
        CHECK_FALSE(h.server.accepted);
        CHECK_FALSE(h.client.completed);
    }
}

TEST_CASE("a GnuTLS server with svcid refuses a client that sends no certificate, even when it is optional",
          "[gnutls][server]") {
    const bool tls13 = GENERATE(false, true);
    INFO(version(tls13));
    client_server peers(the_stack_pki().server_a, nullptr, tls13);
    peers.server.request = GNUTLS_CERT_REQUEST;
    sgn::verifier allowed(svcid_test::device_allow_list());
    REQUIRE(attach(allowed, peers.server) == 0);
    const auto h = svcid_test::handshake(peers.client, peers.server);
    CHECK(h.server.handshake == GNUTLS_E_NO_CERTIFICATE_FOUND);
    CHECK_FALSE(h.server.accepted);
    CHECK(h.server.outcome_error == GNUTLS_E_NO_CERTIFICATE_FOUND);
    CHECK(h.server.explanation == "the peer sent no certificate");
}

TEST_CASE("no verifier, an empty policy and a policy whose allocation failed refuse with GNUTLS_E_CERTIFICATE_ERROR",
          "[gnutls][client][server]") {
    const auto variants = svcid_test::policies_that_cannot_judge();
    REQUIRE(variants[2].policy.error() == svcid::policy_error::out_of_memory);
    SECTION("each policy that cannot judge, on the client") {
        for (const auto& v : variants) {
            INFO(v.name);
            client_server peers(the_stack_pki().server_a);
            sgn::verifier nothing(v.policy);
            REQUIRE(attach(nothing, peers.client) == 0);
            const auto h = svcid_test::handshake(peers.client, peers.server);
            CHECK(h.client.handshake == GNUTLS_E_CERTIFICATE_ERROR);
            CHECK(h.client.status == sgn::status_refused);
            CHECK_FALSE(h.client.accepted);
            CHECK_FALSE(h.server.completed);
        }
    }
    SECTION("each policy that cannot judge, on the server") {
        for (const auto& v : variants) {
            INFO(v.name);
            client_server peers(the_stack_pki().server_a, &the_stack_pki().sensor);
            sgn::verifier nothing(v.policy);
            REQUIRE(attach(nothing, peers.server) == 0);
            const auto h = svcid_test::handshake(peers.client, peers.server);
            CHECK(h.server.handshake == GNUTLS_E_CERTIFICATE_ERROR);
            CHECK(h.server.status == sgn::status_refused);
            CHECK_FALSE(h.server.accepted);
        }
    }
    SECTION("a session guarded by svcid whose credentials have no verifier") {
        client_server peers(the_stack_pki().server_a);
        peers.client.guarded = true;
        const auto h = svcid_test::handshake(peers.client, peers.server);
        CHECK(h.client.handshake == GNUTLS_E_CERTIFICATE_ERROR);
        CHECK(h.client.explanation.find("no svcid verifier") != std::string::npos);
    }
    SECTION("credentials whose verifier is gone") {
        client_server peers(the_stack_pki().server_a);
        {
            sgn::verifier short_lived(svcid_test::expect_server("a.test"));
            REQUIRE(short_lived.bind(peers.client.credentials) == 0);
        }
        const auto h = svcid_test::handshake(peers.client, peers.server);
        CHECK(h.client.handshake == GNUTLS_E_CERTIFICATE_ERROR);
    }
}

TEST_CASE("binding credentials again replaces their verifier", "[gnutls]") {
    client_server peers(the_stack_pki().server_a);
    sgn::verifier first(svcid_test::expect_server("b.test"));
    sgn::verifier second(svcid_test::expect_server("a.test"));
    REQUIRE(attach(first, peers.client) == 0);
    REQUIRE(attach(second, peers.client) == 0);
    CHECK(first.bind(nullptr) == GNUTLS_E_INVALID_REQUEST);
    const auto h = svcid_test::handshake(peers.client, peers.server);
    CHECK(h.client.accepted);
}

TEST_CASE("peer_outcome_of reads none before a handshake and for a null session", "[gnutls]") {
    gtls_config client(false, nullptr, {&the_stack_pki().ca});
    sgn::verifier expected(svcid_test::expect_server("a.test"));
    REQUIRE(expected.bind(client.credentials) == 0);
    gnutls_session_t s = nullptr;
    REQUIRE(gnutls_init(&s, GNUTLS_CLIENT) == 0);
    REQUIRE(gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, client.credentials) == 0);
    CHECK(sgn::verifier_of(s) == &expected);
    const auto none = sgn::peer_outcome_of(s);
    CHECK_FALSE(none.accepted);
    CHECK(none.reference_index == sgn::no_reference_index);
    CHECK(sgn::verify_status(s) == sgn::status_refused);
    gnutls_deinit(s);
    CHECK_FALSE(sgn::peer_outcome_of(nullptr).accepted);
    CHECK(sgn::guard(nullptr) == GNUTLS_E_INVALID_REQUEST);
}

TEST_CASE("svcid's GnuTLS judgement allocates nothing", "[gnutls][allocation]") {
    const svcid_test::built_certificate& leaf = the_stack_pki().sensor;
    sgn::verifier allowed(svcid_test::device_allow_list());
    sgn::verifier refusing(svcid_test::expect_server("b.test"));
    svcid::match_result r{};
    const long allocations_before = svcid_test::allocations();
    const long heap_before = svcid_test::c_heap_calls();
    CHECK(allowed.judge(leaf.der, &r) == 0);
    CHECK(refusing.judge(leaf.der) == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR);
    const long heap_calls = svcid_test::c_heap_calls() - heap_before;
    const long allocations = svcid_test::allocations() - allocations_before;
    CHECK(r.reference_index == 1);
    CHECK(allocations == 0);
    CHECK(heap_calls == 0);
}

TEST_CASE("inside a real handshake svcid's verify function allocates only what GnuTLS's chain check does",
          "[gnutls][allocation]") {
    if (!svcid_test::c_heap_counted()) {
        WARN("C heap calls are not counted in this build (a sanitizer owns malloc)");
        return;
    }
    // Stands where GnuTLS calls the verify function: GnuTLS's chain check alone, then
    // svcid's whole verify function (the same chain check plus svcid's judgement).
    struct counts {
        long chain_only = -1;
        long with_svcid = -1;
    };
    static counts seen;
    client_server peers(the_stack_pki().server_a);
    sgn::verifier expected(svcid_test::expect_server("a.test"));
    REQUIRE(attach(expected, peers.client) == 0);
    const auto h = svcid_test::handshake(peers.client, peers.server, [](gnutls_session_t s) {
        gnutls_session_set_verify_function(s, [](gnutls_session_t session) {
            unsigned status = 0;
            const long start = svcid_test::c_heap_calls();
            const int chain = gnutls_certificate_verify_peers2(session, &status);
            const long middle = svcid_test::c_heap_calls();
            const int verdict = sgn::verify_function(session);
            seen.chain_only = middle - start;
            seen.with_svcid = svcid_test::c_heap_calls() - middle;
            return chain < 0 || status != 0 ? GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR : verdict;
        });
    });
    REQUIRE(h.client.handshake == 0);
    CHECK(seen.chain_only > 0);
    CHECK(seen.with_svcid == seen.chain_only);
}

TEST_CASE("a client whose policy is a reference_set of 10,000 names accepts a listed server and refuses an unlisted one",
          "[gnutls][client][set]") {
    auto allow_list = [](const char* server) {
        auto policy = svcid_test::server_allow_list(10000, server);
        REQUIRE(policy);
        return policy;
    };
    {
        client_server peers(the_stack_pki().server_a);
        sgn::verifier expected(allow_list("a.test"));
        REQUIRE(attach(expected, peers.client) == 0);
        const auto h = svcid_test::handshake(peers.client, peers.server);
        CHECK(h.client.completed);
        CHECK(h.client.accepted);
        CHECK(h.client.presented == "a.test");
        CHECK(h.client.index == sgn::no_reference_index);  // a set names no single reference
    }
    {
        client_server peers(the_stack_pki().server_a);
        sgn::verifier expected(allow_list("b.test"));
        REQUIRE(attach(expected, peers.client) == 0);
        const auto h = svcid_test::handshake(peers.client, peers.server);
        CHECK(h.client.handshake == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR);
        CHECK(h.client.status == (GNUTLS_CERT_INVALID | GNUTLS_CERT_UNEXPECTED_OWNER));
        CHECK_FALSE(h.client.accepted);
    }
}

// verify_rules::web_pki through the GnuTLS layer: the stack PKI's leaves carry CN=leaf, which
// repeats no SAN entry (CA/B Forum BR 7.1.4.3); the same name in CN and SAN is the control.
TEST_CASE("a GnuTLS client with the web_pki profile refuses a leaf whose CN repeats no SAN", "[gnutls][client][web_pki]") {
    const svcid::reference a = svcid_test::dns_ref("a.test");
    sgn::verifier profiled(svcid::identity_policy::make(&a, 1, svcid::verify_rules::web_pki));
    svcid::match_result outcome;
    CHECK(profiled.judge(the_stack_pki().server_a.der, &outcome) != 0);
    CHECK(outcome.status == svcid::match_status::cn_not_in_san);
    svcid_test::cert_spec copy;
    copy.subject_cn("a.test").add_san(svcid_test::der::dns("a.test"));
    const auto control = svcid_test::make_certificate(copy, {the_stack_pki().ca.cert.get(), the_stack_pki().ca.key.get()});
    CHECK(profiled.judge(control.der, &outcome) == 0);
    CHECK(outcome.matched());

    client_server peers(the_stack_pki().server_a);
    REQUIRE(attach(profiled, peers.client) == 0);
    const auto h = svcid_test::handshake(peers.client, peers.server);
    CHECK(h.client.handshake == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR);
    CHECK(h.client.status == (GNUTLS_CERT_INVALID | GNUTLS_CERT_UNEXPECTED_OWNER));
    CHECK(h.client.explanation.find("BR 7.1.4.3") != std::string::npos);
    CHECK(h.client.explanation.find("CN \"leaf\"") != std::string::npos);
}
