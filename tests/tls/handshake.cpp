#include <svcid/openssl/verify.hpp>

#include "catch.hpp"
#include "loopback.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

using svcid_test::built_certificate;
using svcid_test::cert_spec;
using svcid_test::endpoint;
using svcid_test::handshake;
namespace der = svcid_test::der;

namespace {

/// A trusted CA, an untrusted one, and helpers to issue leaves from either.
struct pki {
    built_certificate ca;
    built_certificate rogue_ca;

    pki() : ca(make_ca("svcid test CA")), rogue_ca(make_ca("rogue CA")) {}

    static built_certificate make_ca(const char* name) {
        cert_spec spec;
        spec.subject_cn(name);
        spec.ca = true;
        return svcid_test::make_certificate(spec);
    }
    built_certificate issue(cert_spec spec) const {
        return svcid_test::make_certificate(spec, {ca.cert.get(), ca.key.get()});
    }
    built_certificate issue_rogue(cert_spec spec) const {
        return svcid_test::make_certificate(spec, {rogue_ca.cert.get(), rogue_ca.key.get()});
    }
};

const pki& test_pki() {
    static const pki p;
    return p;
}

cert_spec leaf(std::initializer_list<std::string> sans) {
    cert_spec spec;
    spec.subject_cn("leaf");
    for (const auto& s : sans) spec.add_san(s);
    return spec;
}

std::vector<svcid::reference> refs(std::initializer_list<const char*> texts) {
    std::vector<svcid::reference> out;
    for (const char* t : texts) {
        auto r = svcid::parse_reference(t);
        REQUIRE(r.has_value());
        out.push_back(*r);
    }
    return out;
}

/// A client that trusts the test CA and expects `expected` of the server.
endpoint client_expecting(std::vector<svcid::reference> expected, svcid::verify_options options = {},
                          const built_certificate* identity = nullptr) {
    endpoint e;
    e.identity = identity;
    e.trusted = {test_pki().ca.cert.get()};
    e.setup = [expected, options](SSL* ssl) {
        REQUIRE(svcid::verify_server_identity(ssl, expected.data(), expected.size(), options) != nullptr);
    };
    return e;
}

/// A server presenting `identity` that requires a client certificate naming one of `allowed`.
endpoint server_allowing(const built_certificate& identity, std::vector<svcid::reference> allowed) {
    endpoint e;
    e.identity = &identity;
    e.trusted = {test_pki().ca.cert.get()};
    e.setup = [allowed](SSL* ssl) {
        REQUIRE(svcid::require_client_identity(ssl, allowed.data(), allowed.size()) != nullptr);
    };
    return e;
}

/// A server that asks for nothing of the client.
endpoint plain_server(const built_certificate& identity) {
    endpoint e;
    e.identity = &identity;
    return e;
}

const built_certificate& server_cert() {
    static const built_certificate c = test_pki().issue(leaf({der::dns("server.example.com")}));
    return c;
}

const built_certificate& client_cert() {
    static const built_certificate c =
        test_pki().issue(leaf({der::uri("spiffe://example.org/ns/payments/sa/api")}));
    return c;
}

svcid::reference spiffe(const char* id, svcid::spiffe_match mode) {
    auto r = svcid::make_spiffe_reference(id, mode);
    REQUIRE(r.has_value());
    return *r;
}

} // namespace

TEST_CASE("mutual TLS: a correct client and server accept each other, and the server learns the client's SPIFFE ID",
          "[tls][mtls]") {
    const auto result = handshake(client_expecting(refs({"server.example.com"}), {}, &client_cert()),
                                  server_allowing(server_cert(), {spiffe("spiffe://other.org", svcid::spiffe_match::trust_domain),
                                                                  spiffe("spiffe://example.org/ns/payments",
                                                                         svcid::spiffe_match::path_prefix)}));
    CHECK(result.client.completed);
    CHECK(result.client.verify_result == X509_V_OK);
    CHECK(result.client.svcid_accepted);
    CHECK(result.client.presented == "server.example.com");
    CHECK(result.server.completed);
    CHECK(result.server.verify_result == X509_V_OK);
    CHECK(result.server.svcid_accepted);
    CHECK(result.server.reference_index == 1);
    CHECK(result.server.presented == "spiffe://example.org/ns/payments/sa/api");
    CHECK(result.server.outcome_accepted);
    CHECK(result.server.outcome_error == X509_V_OK);
    CHECK(result.server.outcome_index == 1);
    CHECK(result.server.outcome_presented == "spiffe://example.org/ns/payments/sa/api");
    CHECK(result.client.outcome_accepted);
    CHECK(result.client.outcome_index == 0);
    CHECK(result.server.explanation.find("matched") != std::string::npos);
}

TEST_CASE("RFC 9525 §6.3: the client refuses a server whose valid certificate names another host",
          "[tls][client]") {
    const auto result = handshake(client_expecting(refs({"api.example.com"})), plain_server(server_cert()));
    CHECK_FALSE(result.client.completed);
    CHECK(result.client.verify_result == X509_V_ERR_HOSTNAME_MISMATCH);
    CHECK(result.client.svcid_checked);
    CHECK(result.client.explanation.find("\"api.example.com\"") != std::string::npos);
    CHECK(result.client.explanation.find("\"server.example.com\"") != std::string::npos);
    CHECK_FALSE(result.server.completed);
}

TEST_CASE("an any-of client explains every reference it tried", "[tls][client]") {
    const auto result = handshake(client_expecting(refs({"api.example.com", "10.1.2.3"})), plain_server(server_cert()));
    CHECK_FALSE(result.client.completed);
    // The failure is reported against the first reference, a DNS-ID.
    CHECK(result.client.verify_result == X509_V_ERR_HOSTNAME_MISMATCH);
    CHECK(result.client.explanation.find("DNS-ID \"api.example.com\"") != std::string::npos);
    CHECK(result.client.explanation.find("IP-ID 10.1.2.3") != std::string::npos);
}

TEST_CASE("mutual TLS: the server refuses a client certificate from its CA that names another workload",
          "[tls][mtls]") {
    const auto wrong = test_pki().issue(leaf({der::uri("spiffe://example.org/ns/billing/sa/api")}));
    const auto result = handshake(client_expecting(refs({"server.example.com"}), {}, &wrong),
                                  server_allowing(server_cert(), {spiffe("spiffe://example.org/ns/payments",
                                                                         svcid::spiffe_match::path_prefix)}));
    CHECK_FALSE(result.server.completed);
    CHECK(result.server.verify_result == svcid::verify_error_application);
    CHECK(result.server.svcid_checked);
    CHECK_FALSE(result.server.svcid_accepted);
    CHECK(result.server.presented.empty());
    CHECK(result.server.explanation.find("\"spiffe://example.org/ns/payments\"") != std::string::npos);
    CHECK(result.server.explanation.find("billing") != std::string::npos);
    CHECK_FALSE(result.client.completed);
}

TEST_CASE("mutual TLS: the server refuses a client e-mail certificate for another mailbox (RFC 8398)",
          "[tls][mtls]") {
    const auto mallory = test_pki().issue(leaf({der::rfc822("mallory@example.com")}));
    const auto result =
        handshake(client_expecting(refs({"server.example.com"}), {}, &mallory),
                  server_allowing(server_cert(), refs({"ops@example.com", "oncall.example.com"})));
    CHECK_FALSE(result.server.completed);
    CHECK(result.server.verify_result == X509_V_ERR_EMAIL_MISMATCH);
    CHECK(result.server.explanation.find("\"ops@example.com\"") != std::string::npos);
    CHECK_FALSE(result.client.completed);
}

TEST_CASE("mutual TLS: the server accepts a client by the DNS-ID it has on its allow-list", "[tls][mtls]") {
    const auto worker = test_pki().issue(leaf({der::dns("worker-7.jobs.example.com")}));
    const auto result = handshake(client_expecting(refs({"server.example.com"}), {}, &worker),
                                  server_allowing(server_cert(), refs({"ops@example.com", "worker-7.jobs.example.com"})));
    CHECK(result.server.completed);
    CHECK(result.server.svcid_accepted);
    CHECK(result.server.reference_index == 1);
    CHECK(result.server.presented == "worker-7.jobs.example.com");
    CHECK(result.client.completed);
}

TEST_CASE("mutual TLS: the server refuses a client that sends no certificate", "[tls][mtls]") {
    const auto result = handshake(client_expecting(refs({"server.example.com"})),
                                  server_allowing(server_cert(), refs({"ops@example.com"})));
    CHECK_FALSE(result.server.completed);
    CHECK(ERR_GET_REASON(result.server.first_error) == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE);
    CHECK_FALSE(result.server.svcid_checked);
    CHECK_FALSE(result.client.completed);
}

TEST_CASE("mutual TLS: chain validation refuses a client certificate from an untrusted CA before svcid runs",
          "[tls][mtls]") {
    // The rogue certificate even names an allowed identity: svcid must never be asked.
    const auto rogue = test_pki().issue_rogue(leaf({der::rfc822("ops@example.com")}));
    const auto result = handshake(client_expecting(refs({"server.example.com"}), {}, &rogue),
                                  server_allowing(server_cert(), refs({"ops@example.com"})));
    CHECK_FALSE(result.server.completed);
    CHECK(result.server.verify_result == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
    CHECK_FALSE(result.server.svcid_checked);
    CHECK_FALSE(result.client.completed);
}

TEST_CASE("RFC 9525 §6.3: a whole-label wildcard server certificate is accepted under both policies", "[tls][wildcard]") {
    const auto wildcard = test_pki().issue(leaf({der::dns("*.example.com")}));
    for (auto rules : {svcid::verify_rules::rfc9525, svcid::verify_rules::rfc6125}) {
        svcid::verify_options options;
        options.rules = rules;
        const auto result = handshake(client_expecting(refs({"api.example.com"}), options), plain_server(wildcard));
        CHECK(result.client.completed);
        CHECK(result.client.verify_result == X509_V_OK);
        CHECK(result.client.presented == "*.example.com");
    }
}

TEST_CASE("CA/B Forum BR 7.1.4.3 under verify_rules::web_pki: a server whose CN repeats no SAN is refused",
          "[tls][web_pki]") {
    svcid::verify_options profiled;
    profiled.rules = svcid::verify_rules::web_pki;
    const auto cn_leaf = test_pki().issue(leaf({der::dns("server.example.com")}));
    const auto refused = handshake(client_expecting(refs({"server.example.com"}), profiled), plain_server(cn_leaf));
    CHECK_FALSE(refused.client.completed);
    CHECK(refused.client.verify_result == X509_V_ERR_HOSTNAME_MISMATCH);
    CHECK(refused.client.explanation.find("BR 7.1.4.3") != std::string::npos);
    CHECK(refused.client.explanation.find("CN \"leaf\"") != std::string::npos);

    cert_spec copied;
    copied.subject_cn("server.example.com").add_san(der::dns("server.example.com"));
    const auto accepted = handshake(client_expecting(refs({"server.example.com"}), profiled),
                                    plain_server(test_pki().issue(copied)));
    CHECK(accepted.client.completed);
    CHECK(accepted.client.presented == "server.example.com");
}

TEST_CASE("RFC 6125 §6.4.3: a partial wildcard (w*) is accepted under rfc6125 and refused under rfc9525",
          "[tls][wildcard]") {
    const auto partial = test_pki().issue(leaf({der::dns("w*.example.com")}));
    svcid::verify_options lenient;
    lenient.rules = svcid::verify_rules::rfc6125;
    const auto accepted = handshake(client_expecting(refs({"www.example.com"}), lenient), plain_server(partial));
    CHECK(accepted.client.completed);
    CHECK(accepted.client.presented == "w*.example.com");

    const auto refused = handshake(client_expecting(refs({"www.example.com"})), plain_server(partial));
    CHECK_FALSE(refused.client.completed);
    CHECK(refused.client.verify_result == X509_V_ERR_HOSTNAME_MISMATCH);
    CHECK(refused.client.explanation.find("\"www.example.com\"") != std::string::npos);
    CHECK(refused.client.explanation.find("\"w*.example.com\"") != std::string::npos);
}

TEST_CASE("RFC 9525 §6.4: a server is accepted by its iPAddress SAN", "[tls][ip]") {
    const auto by_ip = test_pki().issue(leaf({der::dns("server.example.com"), der::ip(std::string("\x7F\0\0\x01", 4))}));
    const auto result = handshake(client_expecting(refs({"127.0.0.1"})), plain_server(by_ip));
    CHECK(result.client.completed);
    CHECK(result.client.verify_result == X509_V_OK);
    CHECK(result.client.presented == std::string("\x7F\0\0\x01", 4));
}

TEST_CASE("RFC 9525 §6.4: a DNS-only server certificate is refused for an IP reference", "[tls][ip]") {
    const auto result = handshake(client_expecting(refs({"127.0.0.1"})), plain_server(server_cert()));
    CHECK_FALSE(result.client.completed);
    CHECK(result.client.verify_result == X509_V_ERR_IP_ADDRESS_MISMATCH);
    CHECK(result.client.explanation.find("IP-ID 127.0.0.1") != std::string::npos);
}

TEST_CASE("RFC 4985: a server is accepted by its SRV-ID and refused for another service", "[tls][srv]") {
    const auto imap = test_pki().issue(leaf({der::srv_name("_imap.example.net")}));
    auto wanted = svcid::make_srv_reference("imap", "example.net");
    auto other = svcid::make_srv_reference("xmpp-client", "example.net");
    REQUIRE(wanted.has_value());
    REQUIRE(other.has_value());
    const auto accepted = handshake(client_expecting({svcid::reference(*wanted)}), plain_server(imap));
    CHECK(accepted.client.completed);
    CHECK(accepted.client.presented == "_imap.example.net");

    const auto refused = handshake(client_expecting({svcid::reference(*other)}), plain_server(imap));
    CHECK_FALSE(refused.client.completed);
    CHECK(refused.client.verify_result == svcid::verify_error_application);
    CHECK(refused.client.explanation.find("\"_xmpp-client.example.net\"") != std::string::npos);
}

TEST_CASE("RFC 6125 §6.5.2: a server is accepted by its URI-ID and refused for another scheme", "[tls][uri]") {
    const auto sip_uri = test_pki().issue(leaf({der::uri("sip://voice.example.net/")}));
    const auto accepted = handshake(client_expecting(refs({"sip://voice.example.net/"})), plain_server(sip_uri));
    CHECK(accepted.client.completed);
    CHECK(accepted.client.presented == "sip://voice.example.net/");

    const auto refused = handshake(client_expecting(refs({"https://voice.example.net/"})), plain_server(sip_uri));
    CHECK_FALSE(refused.client.completed);
    CHECK(refused.client.verify_result == svcid::verify_error_application);
    CHECK(refused.client.explanation.find("\"https://voice.example.net\"") != std::string::npos);
}

TEST_CASE("a server whose certificate has expired is refused by chain validation (RFC 5280 §6.1.3)", "[tls][chain]") {
    cert_spec spec = leaf({der::dns("server.example.com")});
    spec.not_before_offset = -30L * 24 * 3600;
    spec.not_after_offset = -24L * 3600;
    const auto expired = test_pki().issue(spec);
    const auto result = handshake(client_expecting(refs({"server.example.com"})), plain_server(expired));
    CHECK_FALSE(result.client.completed);
    CHECK(result.client.verify_result == X509_V_ERR_CERT_HAS_EXPIRED);
    CHECK_FALSE(result.client.svcid_checked);
}

TEST_CASE("fails closed: svcid's callback with no identities attached refuses (CVE-2025-27809)", "[tls][fail-closed]") {
    endpoint client;
    client.trusted = {test_pki().ca.cert.get()};
    client.setup = [](SSL* ssl) { SSL_set_verify(ssl, SSL_VERIFY_PEER, svcid::verify_callback); };
    const auto result = handshake(client, plain_server(server_cert()));
    CHECK_FALSE(result.client.completed);
    CHECK(result.client.verify_result == svcid::verify_error_application);
    CHECK_FALSE(result.client.svcid_attached);
}

TEST_CASE("fails closed: an empty list of expected identities refuses every server (CVE-2025-27809)",
          "[tls][fail-closed]") {
    const auto result = handshake(client_expecting({}), plain_server(server_cert()));
    CHECK_FALSE(result.client.completed);
    CHECK(result.client.verify_result == svcid::verify_error_application);
    CHECK(result.client.svcid_checked);
    CHECK(result.client.explanation == svcid::status_message(svcid::match_status::no_reference));
}

TEST_CASE("all-of: the server must present every obligatory identity (pyca/service-identity's model)", "[tls][all-of]") {
    const auto both = test_pki().issue(leaf({der::dns("server.example.com"), der::ip(std::string("\x7F\0\0\x01", 4))}));
    svcid::verify_options all;
    all.match = svcid::verify_match::all_of;
    const auto accepted = handshake(client_expecting(refs({"server.example.com", "127.0.0.1"}), all), plain_server(both));
    CHECK(accepted.client.completed);

    const auto refused = handshake(client_expecting(refs({"server.example.com", "127.0.0.1"}), all), plain_server(server_cert()));
    CHECK_FALSE(refused.client.completed);
    CHECK(refused.client.verify_result == X509_V_ERR_IP_ADDRESS_MISMATCH);
    CHECK(refused.client.reference_index == 1);
    CHECK(refused.client.explanation.find("IP-ID 127.0.0.1") != std::string::npos);
}

namespace {
int user_calls = 0;
int user_saw_depth0_preverify = -1;

int accept_anything(int, X509_STORE_CTX* store) {
    ++user_calls;
    if (X509_STORE_CTX_get_error_depth(store) == 0) user_saw_depth0_preverify = X509_STORE_CTX_get_error(store);
    return 1;
}
} // namespace

TEST_CASE("a chained callback that runs after svcid sees its refusal and cannot overturn it", "[tls][chain-callback]") {
    user_calls = 0;
    user_saw_depth0_preverify = -1;
    svcid::verify_options options;
    options.chained = accept_anything;
    options.order = svcid::chain_order::after_svcid;
    const auto result = handshake(client_expecting(refs({"api.example.com"}), options), plain_server(server_cert()));
    CHECK_FALSE(result.client.completed);
    CHECK(result.client.verify_result == X509_V_ERR_HOSTNAME_MISMATCH);
    CHECK(user_calls > 0);
    CHECK(user_saw_depth0_preverify == X509_V_ERR_HOSTNAME_MISMATCH);
}

TEST_CASE("a chained callback that runs before svcid may accept a chain error, and svcid still checks the name",
          "[tls][chain-callback]") {
    user_calls = 0;
    svcid::verify_options options;
    options.chained = accept_anything;
    options.order = svcid::chain_order::before_svcid;
    // The client trusts no CA at all; the user's callback waives that, svcid does not waive names.
    auto accepted_client = client_expecting(refs({"server.example.com"}), options);
    accepted_client.trusted.clear();
    const auto accepted = handshake(accepted_client, plain_server(server_cert()));
    CHECK(accepted.client.completed);
    CHECK(accepted.client.svcid_name_matched);
    CHECK(user_calls > 0);
    // F2: the waived chain error is reported, never an acceptance.
    CHECK(accepted.client.verify_result == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE);
    CHECK_FALSE(accepted.client.svcid_accepted);
    CHECK(accepted.client.svcid_error == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE);
    CHECK_FALSE(accepted.client.outcome_accepted);
    CHECK(accepted.client.outcome_error == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE);
    CHECK(accepted.client.outcome_index == svcid::no_reference_index);
    CHECK(accepted.client.outcome_presented.empty());

    auto refused_client = client_expecting(refs({"api.example.com"}), options);
    refused_client.trusted.clear();
    const auto refused = handshake(refused_client, plain_server(server_cert()));
    CHECK_FALSE(refused.client.completed);
    CHECK(refused.client.verify_result == X509_V_ERR_HOSTNAME_MISMATCH);
}

TEST_CASE("an SSL_CTX that requires client certificates refuses an SSL with no allow-list attached", "[tls][fail-closed]") {
    const auto& client_identity = client_cert();
    endpoint server = plain_server(server_cert());
    server.trusted = {test_pki().ca.cert.get()};
    server.context_setup = svcid::require_client_certificate;
    const auto result = handshake(client_expecting(refs({"server.example.com"}), {}, &client_identity), server);
    CHECK_FALSE(result.server.completed);
    CHECK(result.server.verify_result == svcid::verify_error_application);
}

TEST_CASE("SSL_dup gives the copy its own svcid state sharing the immutable policy, so each SSL frees its own",
          "[tls][ownership]") {
    std::unique_ptr<SSL_CTX, svcid_test::ssl_ctx_free> ctx(SSL_CTX_new(TLS_client_method()));
    std::unique_ptr<SSL, svcid_test::ssl_free> original(SSL_new(ctx.get()));
    REQUIRE(original);
    const auto expected = refs({"server.example.com", "127.0.0.1"});
    svcid::peer_identity* state = svcid::verify_server_identity(original.get(), expected.data(), expected.size());
    REQUIRE(state != nullptr);
    std::unique_ptr<SSL, svcid_test::ssl_free> copy(SSL_dup(original.get()));
    REQUIRE(copy);
    const svcid::peer_identity* copied = svcid::peer_identity_of(copy.get());
    REQUIRE(copied != nullptr);
    CHECK(copied != state);
    CHECK(copied->reference_count() == 2);
    // The policy is immutable and reference-counted: shared, not copied.
    CHECK(copied->policy().same_as(state->policy()));
    CHECK(std::equal(copied->policy_digest(), copied->policy_digest() + svcid::peer_identity::digest_size,
                     state->policy_digest()));
    CHECK(svcid::peer_identity_of(original.get()) == state);
    copy.reset();
    // The original's policy outlives the copy's SSL_free.
    CHECK(state->reference_count() == 2);
    CHECK(state->references()[1].type() == svcid::reference_type::ip);
}

TEST_CASE("attaching again replaces the state attached before", "[tls][ownership]") {
    std::unique_ptr<SSL_CTX, svcid_test::ssl_ctx_free> ctx(SSL_CTX_new(TLS_client_method()));
    std::unique_ptr<SSL, svcid_test::ssl_free> ssl(SSL_new(ctx.get()));
    const auto first = refs({"a.example.com"});
    const auto second = refs({"b.example.com", "c.example.com"});
    REQUIRE(svcid::attach_peer_identity(ssl.get(), first.data(), first.size()) != nullptr);
    const svcid::peer_identity* replaced = svcid::attach_peer_identity(ssl.get(), second.data(), second.size());
    REQUIRE(replaced != nullptr);
    CHECK(svcid::peer_identity_of(ssl.get()) == replaced);
    CHECK(replaced->reference_count() == 2);
}

TEST_CASE("a chained callback that runs after svcid and waives a chain error at the leaf does not waive the name",
          "[tls][chain-callback]") {
    // A leaf-only chain from an unknown CA: OpenSSL asks about the leaf with preverify_ok == 0
    // and never again with 1, so svcid must check the name when the user's answer is 1.
    svcid::verify_options options;
    options.chained = accept_anything;
    options.order = svcid::chain_order::after_svcid;
    auto refused_client = client_expecting(refs({"api.example.com"}), options);
    refused_client.trusted.clear();
    const auto refused = handshake(refused_client, plain_server(server_cert()));
    CHECK_FALSE(refused.client.completed);
    CHECK(refused.client.verify_result == X509_V_ERR_HOSTNAME_MISMATCH);
    CHECK(refused.client.svcid_checked);

    auto accepted_client = client_expecting(refs({"server.example.com"}), options);
    accepted_client.trusted.clear();
    const auto accepted = handshake(accepted_client, plain_server(server_cert()));
    CHECK(accepted.client.completed);
    CHECK(accepted.client.svcid_name_matched);
    CHECK_FALSE(accepted.client.outcome_accepted);
    CHECK(accepted.client.outcome_error == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE);
}
