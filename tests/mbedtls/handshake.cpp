// Real mbedTLS handshakes (TLS 1.2, over a socketpair) with svcid's verifier on each side of
// mutual TLS; every refusal asserts the refusing side's exact error and verify result, and
// each has a control that is accepted.
#include <svcid/mbedtls.hpp>

#include "catch.hpp"
#include "counting_allocator.hpp"
#include "peer.hpp"
#include "stack_pki.hpp"

#include <mbedtls/ssl.h>

#include <string>

using svcid_test::mbed_config;
using svcid_test::the_stack_pki;
namespace smb = svcid::mbedtls;

namespace {

// A client that trusts the CA, and a server with `identity` that does not ask for a
// client certificate unless a test binds svcid to it.
struct client_server {
    mbed_config client;
    mbed_config server;
    explicit client_server(const svcid_test::built_certificate& server_identity,
                           const svcid_test::built_certificate* client_identity = nullptr)
        : client(false, client_identity, {&the_stack_pki().ca}), server(true, &server_identity, {&the_stack_pki().ca}) {}
};

} // namespace

TEST_CASE("an mbedTLS client accepts a server that the policy names and reports which identity", "[mbedtls][client]") {
    client_server peers(the_stack_pki().server_a);
    smb::verifier expected(svcid::identity_policy::make({svcid_test::dns_ref("b.test"), svcid_test::dns_ref("a.test")}));
    REQUIRE(expected.bind(&peers.client.conf) == 0);
    const auto h = svcid_test::handshake(peers.client, peers.server);
    CHECK(h.client.handshake == 0);
    CHECK(h.client.completed);
    CHECK(h.client.verify_result == 0);
    CHECK(h.client.accepted);
    CHECK(h.client.index == 1);
    CHECK(h.client.presented == "a.test");
    CHECK(h.client.leaf_checks == 1);  // the application's own callback still ran, before svcid
    CHECK(h.server.completed);
}

TEST_CASE("an mbedTLS client refuses a server the policy does not name, with BADCERT_CN_MISMATCH", "[mbedtls][client]") {
    client_server peers(the_stack_pki().server_a);
    smb::verifier expected(svcid_test::expect_server("b.test"));
    REQUIRE(expected.bind(&peers.client.conf) == 0);
    const auto h = svcid_test::handshake(peers.client, peers.server);
    CHECK(h.client.handshake == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED);
    CHECK(h.client.verify_result == MBEDTLS_X509_BADCERT_CN_MISMATCH);
    CHECK_FALSE(h.client.accepted);
    CHECK(h.client.index == smb::no_reference_index);
    CHECK(h.client.presented.empty());
    CHECK(h.client.outcome_result == MBEDTLS_X509_BADCERT_CN_MISMATCH);
    CHECK(h.client.explanation.find("no established session") != std::string::npos);
    CHECK(h.server.handshake != 0);
    CHECK_FALSE(h.server.completed);
}

TEST_CASE("svcid refuses even when mbedTLS's own host name check passes", "[mbedtls][client]") {
    client_server peers(the_stack_pki().server_a);
    smb::verifier expected(svcid_test::expect_server("b.test"));
    REQUIRE(expected.bind(&peers.client.conf) == 0);
    // SNI and mbedTLS's check both say a.test; the policy says b.test.
    const auto h = svcid_test::handshake(peers.client, peers.server,
                                         [](mbedtls_ssl_context* ssl) { REQUIRE(mbedtls_ssl_set_hostname(ssl, "a.test") == 0); });
    CHECK(h.client.handshake == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED);
    CHECK(h.client.verify_result == MBEDTLS_X509_BADCERT_CN_MISMATCH);
}

TEST_CASE("an untrusted chain is refused by mbedTLS before svcid judges the name", "[mbedtls][client][server]") {
    SECTION("client side: the name is wrong too, and only NOT_TRUSTED is reported") {
        client_server peers(the_stack_pki().rogue_server);
        smb::verifier expected(svcid_test::expect_server("b.test"));
        REQUIRE(expected.bind(&peers.client.conf) == 0);
        const auto h = svcid_test::handshake(peers.client, peers.server);
        CHECK(h.client.handshake == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED);
        CHECK(h.client.verify_result == MBEDTLS_X509_BADCERT_NOT_TRUSTED);
        CHECK(h.client.outcome_result == MBEDTLS_X509_BADCERT_NOT_TRUSTED);
        CHECK_FALSE(h.client.accepted);
    }
    SECTION("server side: a device with an allowed SPIFFE ID from another CA") {
        client_server peers(the_stack_pki().server_a, &the_stack_pki().rogue_sensor);
        smb::verifier allowed(svcid_test::device_allow_list());
        REQUIRE(allowed.bind(&peers.server.conf) == 0);
        const auto h = svcid_test::handshake(peers.client, peers.server);
        CHECK(h.server.handshake == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED);
        CHECK(h.server.verify_result == MBEDTLS_X509_BADCERT_NOT_TRUSTED);
        CHECK_FALSE(h.server.accepted);
    }
}

TEST_CASE("an mbedTLS server admits a device by SPIFFE ID and says which entry of the allow-list", "[mbedtls][server]") {
    client_server peers(the_stack_pki().server_a, &the_stack_pki().sensor);
    smb::verifier allowed(svcid_test::device_allow_list());
    REQUIRE(allowed.bind(&peers.server.conf) == 0);
    const auto h = svcid_test::handshake(peers.client, peers.server);
    CHECK(h.server.handshake == 0);
    CHECK(h.server.completed);
    CHECK(h.server.accepted);
    CHECK(h.server.index == 1);
    CHECK(h.server.presented == "spiffe://factory.test/line/3/sensor");
    CHECK(h.client.completed);
}

TEST_CASE("an mbedTLS server refuses a device that is not on the allow-list", "[mbedtls][server]") {
    client_server peers(the_stack_pki().server_a, &the_stack_pki().server_b);
    smb::verifier allowed(svcid_test::device_allow_list());
    REQUIRE(allowed.bind(&peers.server.conf) == 0);
    const auto h = svcid_test::handshake(peers.client, peers.server);
    CHECK(h.server.handshake == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED);
    CHECK(h.server.verify_result == MBEDTLS_X509_BADCERT_CN_MISMATCH);
    CHECK_FALSE(h.server.accepted);
    CHECK(h.server.index == smb::no_reference_index);
    CHECK_FALSE(h.client.completed);
}

TEST_CASE("an mbedTLS server bound to svcid refuses a client that sends no certificate", "[mbedtls][server]") {
    client_server peers(the_stack_pki().server_a);
    // The application asked for an optional client certificate; binding makes it required,
    // since with OPTIONAL mbedTLS completes the handshake without one.
    mbedtls_ssl_conf_authmode(&peers.server.conf, MBEDTLS_SSL_VERIFY_OPTIONAL);
    smb::verifier allowed(svcid_test::device_allow_list());
    REQUIRE(allowed.bind(&peers.server.conf) == 0);
    const auto h = svcid_test::handshake(peers.client, peers.server);
    CHECK(h.server.handshake == MBEDTLS_ERR_SSL_NO_CLIENT_CERTIFICATE);
    CHECK(h.server.verify_result == MBEDTLS_X509_BADCERT_MISSING);
    CHECK_FALSE(h.server.accepted);
    CHECK(h.server.explanation.find("no established session") != std::string::npos);
}

TEST_CASE("no policy, an empty policy and a policy whose allocation failed refuse with BADCERT_OTHER",
          "[mbedtls][client][server]") {
    const auto variants = svcid_test::policies_that_cannot_judge();
    REQUIRE(variants[2].policy.error() == svcid::policy_error::out_of_memory);
    for (const auto& v : variants) {
        INFO(v.name);
        {
            client_server peers(the_stack_pki().server_a);
            smb::verifier nothing(v.policy);
            REQUIRE(nothing.bind(&peers.client.conf) == 0);
            const auto h = svcid_test::handshake(peers.client, peers.server);
            CHECK(h.client.handshake == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED);
            CHECK(h.client.verify_result == MBEDTLS_X509_BADCERT_OTHER);
            CHECK_FALSE(h.client.accepted);
        }
        {
            client_server peers(the_stack_pki().server_a, &the_stack_pki().sensor);
            smb::verifier nothing(v.policy);
            REQUIRE(nothing.bind(&peers.server.conf) == 0);
            const auto h = svcid_test::handshake(peers.client, peers.server);
            CHECK(h.server.handshake == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED);
            CHECK(h.server.verify_result == MBEDTLS_X509_BADCERT_OTHER);
            CHECK_FALSE(h.client.completed);
        }
    }
}

TEST_CASE("a session's own verifier overrides its configuration's", "[mbedtls][client]") {
    client_server peers(the_stack_pki().server_a);
    smb::verifier pool(svcid_test::expect_server("a.test"));
    smb::verifier this_one(svcid_test::expect_server("b.test"));
    REQUIRE(pool.bind(&peers.client.conf) == 0);
    auto refused = svcid_test::handshake(peers.client, peers.server,
                                         [&](mbedtls_ssl_context* ssl) { REQUIRE(this_one.bind(ssl) == 0); });
    CHECK(refused.client.handshake == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED);
    CHECK(refused.client.verify_result == MBEDTLS_X509_BADCERT_CN_MISMATCH);
    auto accepted = svcid_test::handshake(peers.client, peers.server);
    CHECK(accepted.client.accepted);
    CHECK(accepted.client.presented == "a.test");
}

TEST_CASE("a resuming mbedTLS server refuses a per-session policy", "[mbedtls][server]") {
    svcid_test::mbed_resumption_store store;
    mbed_config server(true, &the_stack_pki().server_a, {&the_stack_pki().ca});
    server.resume_with(&store.cache, nullptr);
    smb::verifier allowed(svcid_test::device_allow_list());
    REQUIRE(allowed.bind(&server.conf) == 0);
    svcid_test::mbed_ssl s;
    REQUIRE(mbedtls_ssl_setup(&s.ssl, &server.conf) == 0);
    smb::verifier other(svcid::identity_policy::make({svcid_test::spiffe_ref("spiffe://factory.test/admin")}));
    CHECK(other.bind(&s.ssl) == MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
    CHECK(smb::verifier_of(&s.ssl) == &allowed);
}

TEST_CASE("peer_outcome_of reads none before a handshake and for a session svcid is not bound to", "[mbedtls]") {
    client_server peers(the_stack_pki().server_a);
    svcid_test::mbed_ssl fresh;
    CHECK_FALSE(smb::peer_outcome_of(&fresh.ssl).accepted);
    CHECK_FALSE(smb::peer_outcome_of(nullptr).accepted);
    REQUIRE(mbedtls_ssl_setup(&fresh.ssl, &peers.client.conf) == 0);
    CHECK(smb::verifier_of(&fresh.ssl) == nullptr);
    const auto none = smb::peer_outcome_of(&fresh.ssl);
    CHECK_FALSE(none.accepted);
    CHECK(none.reference_index == smb::no_reference_index);
    // A completed handshake without svcid: mbedTLS verified the chain, nobody the name.
    const auto h = svcid_test::handshake(peers.client, peers.server);
    CHECK(h.client.handshake == 0);
    CHECK_FALSE(h.client.accepted);
    CHECK(h.client.outcome_result == smb::badcert_unjudged);
}

TEST_CASE("binding twice, or a configuration bound to another verifier", "[mbedtls]") {
    client_server peers(the_stack_pki().server_a);
    smb::verifier first(svcid_test::expect_server("a.test"));
    smb::verifier second(svcid_test::expect_server("b.test"));
    REQUIRE(first.bind(&peers.client.conf) == 0);
    CHECK(first.bind(&peers.client.conf) == 0);
    CHECK(second.bind(&peers.client.conf) == MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
    CHECK(first.bind(static_cast<mbedtls_ssl_config*>(nullptr)) == MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
    // The application's callback was chained once, not twice.
    const auto h = svcid_test::handshake(peers.client, peers.server);
    CHECK(h.client.accepted);
    CHECK(h.client.leaf_checks == 1);
}

TEST_CASE("the verifier explains a refused leaf on demand, and an accepted session afterwards", "[mbedtls]") {
    smb::verifier expected(svcid::identity_policy::make({svcid_test::dns_ref("b.test"), svcid_test::dns_ref("c.test")}));
    const svcid_test::mbed_chain leaf({&the_stack_pki().server_a});
    CHECK(expected.judge(&leaf.crt) == smb::badcert_mismatch);
    char text[512];
    const std::size_t n = expected.explain(&leaf.crt, text, sizeof text);
    const std::string why(text);
    CHECK(n == why.size());
    // Each reference of the refused any-of list, and the name the certificate presented.
    CHECK(why.find("b.test") != std::string::npos);
    CHECK(why.find("c.test") != std::string::npos);
    CHECK(why.find("a.test") != std::string::npos);
    char tiny[8];
    CHECK(expected.explain(&leaf.crt, tiny, sizeof tiny) == n);
    CHECK(std::string(tiny).size() < sizeof tiny);
    CHECK(expected.explain(nullptr, text, sizeof text) == std::string("no peer certificate").size());

    client_server peers(the_stack_pki().server_a);
    smb::verifier pool(svcid_test::expect_server("a.test"));
    REQUIRE(pool.bind(&peers.client.conf) == 0);
    const auto h = svcid_test::handshake(peers.client, peers.server);
    REQUIRE(h.client.accepted);
    CHECK(h.client.explanation.find("a.test") != std::string::npos);
}

TEST_CASE("a client whose policy is a reference_set of 10,000 names accepts a listed server and refuses an unlisted one",
          "[mbedtls][client][set]") {
    auto allow_list = [](const char* server) {
        auto policy = svcid_test::server_allow_list(10000, server);
        REQUIRE(policy);
        return policy;
    };
    {
        client_server peers(the_stack_pki().server_a);
        smb::verifier expected(allow_list("a.test"));
        REQUIRE(expected.bind(&peers.client.conf) == 0);
        const auto h = svcid_test::handshake(peers.client, peers.server);
        CHECK(h.client.completed);
        CHECK(h.client.accepted);
        CHECK(h.client.presented == "a.test");
        CHECK(h.client.index == smb::no_reference_index);  // a set names no single reference
    }
    {
        client_server peers(the_stack_pki().server_a);
        smb::verifier expected(allow_list("b.test"));
        REQUIRE(expected.bind(&peers.client.conf) == 0);
        const auto h = svcid_test::handshake(peers.client, peers.server);
        CHECK(h.client.handshake == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED);
        CHECK(h.client.verify_result == MBEDTLS_X509_BADCERT_CN_MISMATCH);
        CHECK_FALSE(h.client.accepted);
    }
}

// verify_rules::web_pki through the mbedTLS layer: the stack PKI's leaves carry CN=leaf, which
// repeats no SAN entry (CA/B Forum BR 7.1.4.3); the same name in CN and SAN is the control.
TEST_CASE("an mbedTLS client with the web_pki profile refuses a leaf whose CN repeats no SAN", "[mbedtls][client][web_pki]") {
    const svcid::reference a = svcid_test::dns_ref("a.test");
    smb::verifier profiled(svcid::identity_policy::make(&a, 1, svcid::verify_rules::web_pki));
    const svcid_test::mbed_chain refused({&the_stack_pki().server_a});
    CHECK(profiled.judge(&refused.crt) == smb::badcert_mismatch);
    svcid_test::cert_spec copy;
    copy.subject_cn("a.test").add_san(svcid_test::der::dns("a.test"));
    const auto control = svcid_test::make_certificate(copy, {the_stack_pki().ca.cert.get(), the_stack_pki().ca.key.get()});
    const svcid_test::mbed_chain accepted({&control});
    CHECK(profiled.judge(&accepted.crt) == 0);

    client_server peers(the_stack_pki().server_a);
    REQUIRE(profiled.bind(&peers.client.conf) == 0);
    const auto h = svcid_test::handshake(peers.client, peers.server);
    CHECK(h.client.handshake == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED);
    CHECK(h.client.verify_result == MBEDTLS_X509_BADCERT_CN_MISMATCH);
    char text[512];
    profiled.explain(&refused.crt, text, sizeof text);
    CHECK(std::string(text).find("BR 7.1.4.3") != std::string::npos);
    CHECK(std::string(text).find("CN \"leaf\"") != std::string::npos);
}
