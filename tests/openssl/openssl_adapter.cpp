#include <svcid/openssl.hpp>
#include <svcid/explain.hpp>

#include "catch.hpp"
#include "counting_allocator.hpp"
#include "cert_builder.hpp"
#include "collect.hpp"
#include "list_adapter.hpp"

#include <string>
#include <type_traits>
#include <vector>

using svcid::san_state;
using svcid_test::cert_spec;
using svcid_test::collector;
using svcid_test::seen;
namespace der = svcid_test::der;

namespace {

/// Counts identifiers without storing them: a visitor that itself never allocates.
struct counting_visitor {
    int* calls;
    svcid::visit operator()(const svcid::presented_id&) const noexcept {
        ++*calls;
        return svcid::visit::next;
    }
};

template <class Adapter>
std::vector<seen> sans_of(const Adapter& a, san_state expected) {
    collector c;
    CHECK(a.visit_subject_alt_names(c) == expected);
    return c.ids;
}

template <class Adapter>
std::vector<seen> cns_of(const Adapter& a) {
    collector c;
    CHECK(a.visit_common_names(c));
    return c.ids;
}

} // namespace

TEST_CASE("openssl_certificate is a trivially copyable adapter; openssl_csr is an adapter", "[openssl]") {
    STATIC_REQUIRE(svcid::is_certificate_adapter_v<svcid::openssl_certificate>);
    STATIC_REQUIRE(std::is_trivially_copyable<svcid::openssl_certificate>::value);
    STATIC_REQUIRE(svcid::is_certificate_adapter_v<svcid::openssl_csr>);
    STATIC_REQUIRE(svcid::is_certificate_adapter_v<svcid_test::list_adapter>);
}

TEST_CASE("visiting an X509's SANs and CNs allocates nothing, in C++ or in OpenSSL", "[openssl][allocation]") {
    REQUIRE(svcid_test::openssl_allocations_counted());
    cert_spec spec;
    spec.subject = {{{"1.3.6.1.4.1.99999.7", V_ASN1_UTF8STRING, "attribute OpenSSL does not know"}},
                    {svcid_test::cn("a.example")},
                    {svcid_test::cn(std::string("\0b\0.\0e\0x", 8), V_ASN1_BMPSTRING)}};
    spec.add_san(der::dns("a.example"))
        .add_san(der::ip(std::string("\x7F\0\0\x01", 4)))
        .add_san(der::srv_name("_xmpp.example"))
        .add_san(der::other_name("1.2.3.4", der::utf8("x")));
    const auto built = svcid_test::make_certificate(spec);
    const auto* p = reinterpret_cast<const unsigned char*>(built.der.data());
    const svcid_test::x509_ptr decoded(d2i_X509(nullptr, &p, static_cast<long>(built.der.size())));
    REQUIRE(decoded);

    for (const X509* x : {static_cast<const X509*>(built.cert.get()), static_cast<const X509*>(decoded.get())}) {
        const svcid::openssl_certificate cert(x);
        int count = 0;
        const long before = svcid_test::allocations();
        const san_state state = cert.visit_subject_alt_names(counting_visitor{&count});
        const bool subject_ok = cert.visit_common_names(counting_visitor{&count});
        const long after = svcid_test::allocations();
        CHECK(after - before == 0);
        CHECK(state == san_state::present);
        CHECK(subject_ok);
        CHECK(count == 6);
    }
}

TEST_CASE("the allocation counter does count OpenSSL allocations, so the test above can fail", "[openssl][allocation]") {
    REQUIRE(svcid_test::openssl_allocations_counted());
    const long before = svcid_test::allocations();
    X509* x = X509_new();
    const long after = svcid_test::allocations();
    X509_free(x);
    CHECK(after > before);
}

TEST_CASE("a null X509 has no SAN and an unreadable subject", "[openssl]") {
    const svcid::openssl_certificate none(nullptr);
    collector c;
    CHECK(none.visit_subject_alt_names(c) == san_state::absent);
    CHECK_FALSE(none.visit_common_names(c));
    CHECK(c.ids.empty());
}

TEST_CASE("the explanation of a match against a null X509 says there is no certificate", "[openssl][explain]") {
    const svcid::openssl_certificate none(nullptr);
    const auto ref = svcid::parse_dns_reference("api.example.com");
    REQUIRE(ref);
    const auto result = svcid::match(none, *ref);
    CHECK_FALSE(result.matched());
    char text[256];
    svcid::explain(none, *ref, result, text, sizeof text);
    CHECK(std::string(text) ==
          "DNS-ID \"api.example.com\": there is no certificate (a null handle: the peer presented none, or it was never fetched)");
}

TEST_CASE("reads a leaf certificate signed by a CA made with cert_builder", "[openssl]") {
    cert_spec ca_spec;
    ca_spec.ca = true;
    ca_spec.subject_cn("svcid test CA");
    const auto ca = svcid_test::make_certificate(ca_spec);

    cert_spec leaf_spec;
    leaf_spec.subject_cn("leaf.example").add_san(der::dns("leaf.example"));
    const auto leaf = svcid_test::make_certificate(leaf_spec, {ca.cert.get(), ca.key.get()});

    CHECK(X509_check_issued(ca.cert.get(), leaf.cert.get()) == X509_V_OK);
    CHECK(X509_verify(leaf.cert.get(), ca.key.get()) == 1);
    CHECK(X509_check_ca(ca.cert.get()) != 0);
    const svcid::openssl_certificate cert(leaf.cert.get());
    CHECK(sans_of(cert, san_state::present) == std::vector<seen>{svcid_test::dns("leaf.example")});
    CHECK(cns_of(cert) == std::vector<seen>{svcid_test::common_name("leaf.example")});
}

TEST_CASE("cert_builder honours the validity window it is given", "[openssl][support]") {
    cert_spec spec;
    spec.not_before_offset = -7200;
    spec.not_after_offset = -3600;
    const auto expired = svcid_test::make_certificate(spec);
    CHECK(X509_cmp_current_time(X509_get0_notAfter(expired.cert.get())) < 0);
    CHECK(X509_cmp_current_time(X509_get0_notBefore(expired.cert.get())) < 0);
}

TEST_CASE("openssl_csr visits the SAN requested in a CSR's extensionRequest (RFC 2985 §5.4.2)", "[openssl][csr]") {
    cert_spec spec;
    spec.subject_cn("csr.example").add_san(der::dns("csr.example")).add_san(der::srv_name("_ldap.csr.example"));
    const auto req = svcid_test::make_request(spec);
    const svcid::openssl_csr csr(req.request.get());
    CHECK(sans_of(csr, san_state::present) ==
          std::vector<seen>{svcid_test::dns("csr.example"), svcid_test::srv("_ldap.csr.example")});
    CHECK(cns_of(csr) == std::vector<seen>{svcid_test::common_name("csr.example")});
}

TEST_CASE("openssl_csr reports no requested SAN as absent", "[openssl][csr]") {
    cert_spec spec;
    spec.subject_cn("bare.example");
    const auto req = svcid_test::make_request(spec);
    const svcid::openssl_csr csr(req.request.get());
    CHECK(sans_of(csr, san_state::absent).empty());
    CHECK(cns_of(csr) == std::vector<seen>{svcid_test::common_name("bare.example")});
}

TEST_CASE("openssl_csr reports a SAN requested twice, or broken, as malformed", "[openssl][csr]") {
    cert_spec twice;
    twice.add_san(der::dns("a.example")).san_copies = 2;
    const auto req_twice = svcid_test::make_request(twice);
    CHECK(sans_of(svcid::openssl_csr(req_twice.request.get()), san_state::malformed).empty());

    cert_spec broken;
    broken.san_raw = std::string("\x30\x03\x82\x05" "a", 5);
    const auto req_broken = svcid_test::make_request(broken);
    CHECK(sans_of(svcid::openssl_csr(req_broken.request.get()), san_state::malformed).empty());
}

TEST_CASE("openssl_csr reports an extensionRequest that does not decode as a malformed SAN", "[openssl][csr]") {
    cert_spec spec;
    spec.subject_cn("x.example");
    const auto req = svcid_test::make_request(spec);
    // An extensionRequest whose value is an INTEGER, not SEQUENCE OF Extension.
    const unsigned char not_extensions[] = {0x02, 0x01, 0x05};
    REQUIRE(X509_REQ_add1_attr_by_NID(req.request.get(), NID_ext_req, V_ASN1_INTEGER, not_extensions, 1) == 1);
    const svcid::openssl_csr csr(req.request.get());
    ERR_clear_error();
    CHECK(sans_of(csr, san_state::malformed).empty());
}

TEST_CASE("a null X509_REQ has no SAN and an unreadable subject", "[openssl][csr]") {
    const svcid::openssl_csr none(nullptr);
    collector c;
    CHECK(none.visit_subject_alt_names(c) == san_state::absent);
    CHECK_FALSE(none.visit_common_names(c));
}

TEST_CASE("list_adapter shows a third-party adapter needs only the documented contract", "[support]") {
    svcid_test::list_adapter a;
    a.alt_names = {svcid_test::ids::dns("a.example"), svcid_test::ids::ip(std::string_view("\x7F\0\0\x01", 4))};
    a.common_names = {svcid_test::ids::cn("cn.example")};
    collector c;
    c.stop_after = 1;
    CHECK(a.visit_subject_alt_names(c) == san_state::present);
    CHECK(c.ids == std::vector<seen>{svcid_test::dns("a.example")});
    CHECK(cns_of(a) == std::vector<seen>{svcid_test::common_name("cn.example")});
}

TEST_CASE("openssl_prepared_certificate visits what openssl_certificate visits, SAN state included (RFC 5280 §4.2)",
          "[openssl][prepared]") {
    STATIC_REQUIRE(svcid::is_certificate_adapter_v<svcid::openssl_prepared_certificate>);
    STATIC_REQUIRE(std::is_trivially_copyable<svcid::openssl_prepared_certificate>::value);
    cert_spec present, absent, twice, broken;
    present.subject_cn("a.example").subject_cn("b.example");
    present.add_san(der::dns("a.example")).add_san(der::ip(std::string("\x0A\0\0\x01", 4))).add_san(der::uri("https://a.example/"));
    absent.subject_cn("only-cn.example");
    twice.subject_cn("twice.example").add_san(der::dns("twice.example")).san_copies = 2;
    broken.subject_cn("broken.example").san_raw = std::string("\x30\x05\x82\x01", 4);
    const struct {
        const cert_spec* spec;
        san_state state;
    } cases[] = {{&present, san_state::present}, {&absent, san_state::absent}, {&twice, san_state::malformed},
                 {&broken, san_state::malformed}};
    for (const auto& c : cases) {
        const auto built = svcid_test::make_certificate(*c.spec);
        const svcid::openssl_certificate plain(built.cert.get());
        const svcid::openssl_prepared_certificate prepared(built.cert.get());
        CHECK(sans_of(prepared, c.state) == sans_of(plain, c.state));
        CHECK(cns_of(prepared) == cns_of(plain));
    }
    CHECK(sans_of(svcid::openssl_prepared_certificate(nullptr), san_state::absent).empty());
    collector none;
    CHECK_FALSE(svcid::openssl_prepared_certificate(nullptr).visit_common_names(none));
}

TEST_CASE("preparing an X509 and visiting the prepared certificate allocate nothing", "[openssl][prepared][allocation]") {
    REQUIRE(svcid_test::openssl_allocations_counted());
    cert_spec spec;
    spec.subject_cn("a.example");
    spec.add_san(der::dns("a.example")).add_san(der::ip(std::string("\x7F\0\0\x01", 4)));
    const auto built = svcid_test::make_certificate(spec);
    int count = 0;
    const long before = svcid_test::allocations();
    const svcid::openssl_prepared_certificate cert(built.cert.get());
    const san_state state = cert.visit_subject_alt_names(counting_visitor{&count});
    const bool subject_ok = cert.visit_common_names(counting_visitor{&count});
    const long after = svcid_test::allocations();
    CHECK(after - before == 0);
    CHECK(state == san_state::present);
    CHECK(subject_ok);
    CHECK(count == 3);
}
