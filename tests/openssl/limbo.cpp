// x509-limbo conformance (tests/data/limbo-names.txt, Apache-2.0 data; see tests/data/README.md).
// The chain is OpenSSL's business (X509_verify_cert); the name is svcid's, under the default
// rfc9525 policy, through both the OpenSSL adapter and the raw-DER adapter.
#include <svcid/openssl.hpp>
#include <svcid/der_certificate.hpp>
#include <svcid/reference.hpp>

#include "catch.hpp"
#include "cert_builder.hpp"

#include <openssl/pem.h>
#include <openssl/x509_vfy.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct limbo_case {
    std::string id, expected, decided, features, time, peer_kind, peer_value;
    std::vector<std::string> trusted, intermediates;
    std::string leaf;
};

std::vector<limbo_case> load_cases() {
    std::ifstream in(SVCID_TEST_DATA_DIR "/limbo-names.txt");
    REQUIRE(in);
    std::vector<limbo_case> cases;
    std::string line;
    std::string* pem = nullptr;
    while (std::getline(in, line)) {
        auto value = [&](const char* key) { return line.substr(std::string(key).size() + 1); };
        if (line.rfind("case ", 0) == 0) {
            cases.emplace_back();
            cases.back().id = value("case");
        } else if (line.rfind("expected ", 0) == 0) {
            cases.back().expected = value("expected");
        } else if (line.rfind("decided ", 0) == 0) {
            cases.back().decided = value("decided");
        } else if (line.rfind("features ", 0) == 0) {
            cases.back().features = value("features");
        } else if (line.rfind("time ", 0) == 0) {
            cases.back().time = value("time");
        } else if (line.rfind("peer ", 0) == 0) {
            const std::string rest = value("peer");
            cases.back().peer_kind = rest.substr(0, rest.find(' '));
            cases.back().peer_value = rest.substr(rest.find(' ') + 1);
        } else if (line == "trusted") {
            cases.back().trusted.emplace_back();
            pem = &cases.back().trusted.back();
        } else if (line == "intermediate") {
            cases.back().intermediates.emplace_back();
            pem = &cases.back().intermediates.back();
        } else if (line == "leaf") {
            pem = &cases.back().leaf;
        } else if (line == "end") {
            pem = nullptr;
        } else if (pem != nullptr) {
            *pem += line + "\n";
        }
    }
    return cases;
}

svcid_test::x509_ptr read_pem(const std::string& text) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())), BIO_free);
    return svcid_test::x509_ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

std::time_t parse_time(const std::string& rfc3339) {
    std::tm tm{};
    REQUIRE(std::sscanf(rfc3339.c_str(), "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                        &tm.tm_min, &tm.tm_sec) == 6);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return timegm(&tm);
}

/// X509_verify_cert's error, X509_V_OK when the chain is valid.
int chain_error(const limbo_case& c, X509* leaf) {
    std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), X509_STORE_free);
    std::vector<svcid_test::x509_ptr> owned;
    for (const auto& pem : c.trusted) {
        owned.push_back(read_pem(pem));
        REQUIRE(owned.back());
        X509_STORE_add_cert(store.get(), owned.back().get());
    }
    std::unique_ptr<STACK_OF(X509), void (*)(STACK_OF(X509)*)> untrusted(sk_X509_new_null(),
                                                                       [](STACK_OF(X509)* s) { sk_X509_free(s); });
    for (const auto& pem : c.intermediates) {
        owned.push_back(read_pem(pem));
        REQUIRE(owned.back());
        sk_X509_push(untrusted.get(), owned.back().get());
    }
    std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(), X509_STORE_CTX_free);
    REQUIRE(X509_STORE_CTX_init(ctx.get(), store.get(), leaf, untrusted.get()) == 1);
    X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER);
    if (c.time != "-") X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx.get()), parse_time(c.time));
    if (X509_verify_cert(ctx.get()) == 1) return X509_V_OK;
    return X509_STORE_CTX_get_error(ctx.get());
}

/// svcid's verdict through both adapters; they must agree. A reference svcid refuses to
/// parse (a wildcard, an invalid A-label) is a refusal too.
svcid::result<svcid::reference> peer_reference(const limbo_case& c) {
    if (c.peer_kind == "IP") {
        auto ip = svcid::parse_ip_reference(c.peer_value);
        if (!ip) return ip.error();
        return svcid::reference(*ip);
    }
    auto dns = svcid::parse_dns_reference(c.peer_value);
    if (!dns) return dns.error();
    return svcid::reference(*dns);
}

template <class Policy = svcid::rfc9525>
bool svcid_accepts(const limbo_case& c, X509* leaf) {
    const auto ref = peer_reference(c);
    if (!ref) return false;
    const bool through_openssl = svcid::match<Policy>(svcid::openssl_certificate(leaf), *ref).matched();
    const std::string der = svcid_test::to_der(leaf);
    auto parsed = svcid::parse_der_certificate(der);
    REQUIRE(parsed);
    const bool through_der = svcid::match<Policy>(*parsed, *ref).matched();
    CHECK(through_openssl == through_der);
    return through_openssl;
}

// limbo refuses a wildcard under a PRIVATE public suffix (`*.s3.amazonaws.com`, feature
// `pedantic-public-suffix-wildcard`); rfc9525 refuses only ICANN suffixes (policy.hpp says
// why), so this case gives limbo's answer under a policy that refuses both.
const std::set<std::string> private_suffix_cases = {
    "webpki::san::public-suffix-private-namespace-wildcard-san",
};
struct private_suffixes_too : svcid::rfc9525 {
    static constexpr svcid::public_suffix_wildcards public_suffixes = svcid::public_suffix_wildcards::refuse_icann_and_private;
};

// OpenSSL's SSL-server purpose refuses a CA certificate as the leaf, which RFC 5280 allows;
// limbo's FAILURE for this case rests on its wrong SAN, which svcid refuses on its own.
const std::set<std::string> openssl_refuses_ca_leaf = {"rfc5280::ca-as-leaf-wrong-san"};

} // namespace

TEST_CASE("every x509-limbo case decided by the peer name gets limbo's answer", "[limbo]") {
    const auto cases = load_cases();
    std::size_t checked = 0;
    for (const auto& c : cases) {
        if (c.decided != "name") continue;
        INFO(c.id << ": peer " << c.peer_kind << " " << c.peer_value);
        auto leaf = read_pem(c.leaf);
        REQUIRE(leaf);
        const int chain = chain_error(c, leaf.get());
        if (openssl_refuses_ca_leaf.count(c.id) != 0)
            CHECK(chain == X509_V_ERR_INVALID_PURPOSE);
        else
            CHECK(chain == X509_V_OK);
        // Every name case gives limbo's answer under the policy that refuses private suffixes too.
        CHECK(svcid_accepts<private_suffixes_too>(c, leaf.get()) == (c.expected == "SUCCESS"));
        const bool accepted = svcid_accepts(c, leaf.get());
        if (private_suffix_cases.count(c.id) != 0) {
            CHECK(c.features.find("pedantic-public-suffix-wildcard") != std::string::npos);
            CHECK(accepted);
            continue;
        }
        CHECK(accepted == (c.expected == "SUCCESS"));
        ++checked;
    }
    CHECK(checked == 19);
}

TEST_CASE("in every successful x509-limbo case svcid matches the peer name", "[limbo]") {
    const auto cases = load_cases();
    std::size_t checked = 0;
    for (const auto& c : cases) {
        if (c.expected != "SUCCESS") continue;
        INFO(c.id << ": peer " << c.peer_kind << " " << c.peer_value);
        auto leaf = read_pem(c.leaf);
        REQUIRE(leaf);
        CHECK(svcid_accepts(c, leaf.get()));
        ++checked;
    }
    CHECK(checked == 57);
}
