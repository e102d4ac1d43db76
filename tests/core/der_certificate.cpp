#include <svcid/der_certificate.hpp>

#include "catch.hpp"
#include "collect.hpp"
#include "der_writer.hpp"
#include "example_certificate.hpp"

#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

using namespace std::string_view_literals;
using svcid::errc;
using svcid::san_state;
using svcid_test::collector;
using svcid_test::seen;
namespace der = svcid_test::der;

namespace {

/// The pieces of a synthetic certificate; each test changes one. The signature is never
/// checked, so it is a placeholder.
struct synthetic {
    std::string version = der::tlv(0xA0, der::tlv(0x02, "\x02"));
    std::string serial = der::tlv(0x02, "\x01");
    std::string algorithm = der::seq({der::oid("1.2.840.10045.4.3.2")});
    std::string issuer = der::seq({der::set({der::cn(der::utf8("Issuer"))})});
    std::string validity = der::seq({der::tlv(0x17, "250101000000Z"), der::tlv(0x17, "350101000000Z")});
    std::string subject = der::seq({der::set({der::cn(der::utf8("subject.example"))})});
    std::string spki = der::seq({der::seq({der::oid("1.2.840.10045.2.1")}), der::tlv(0x03, std::string("\x00\x04", 2))});
    std::string unique_ids;
    std::vector<std::string> extensions{extension("2.5.29.17", der::seq({der::dns("san.example")}))};
    bool with_extensions = true;
    std::string after_tbs;

    static std::string extension(const std::string& oid, const std::string& value, bool critical = false) {
        return der::seq({der::oid(oid), critical ? der::tlv(0x01, "\xFF") : std::string(), der::tlv(0x04, value)});
    }

    std::string tbs() const {
        std::string list;
        for (const auto& e : extensions) list += e;
        const std::string exts = with_extensions ? der::tlv(0xA3, der::tlv(0x30, list)) : std::string();
        return der::seq({version, serial, algorithm, issuer, validity, subject, spki, unique_ids, exts, after_tbs});
    }

    std::string bytes() const { return der::seq({tbs(), algorithm, der::tlv(0x03, std::string("\x00\x01", 2))}); }
};

std::vector<seen> sans(const svcid::der_certificate& cert, san_state expected = san_state::present) {
    collector c;
    CHECK(cert.visit_subject_alt_names(c) == expected);
    return c.ids;
}

std::vector<seen> cns(const svcid::der_certificate& cert) {
    collector c;
    CHECK(cert.visit_common_names(c));
    return c.ids;
}

constexpr char tiny[] = {
    0x30, 0x26,                                      // Certificate
    0x30, 0x1E,                                      //   TBSCertificate (v1: no version, no extensions)
    0x02, 0x01, 0x01,                                //     serial
    0x30, 0x00,                                      //     signature (empty: not checked)
    0x30, 0x00,                                      //     issuer
    0x30, 0x00,                                      //     validity
    0x30, 0x11, 0x31, 0x0F, 0x30, 0x0D, 0x06, 0x03,  //     subject { CN "svcid" }
    0x55, 0x04, 0x03, 0x0C, 0x06, 's', 'v', 'c', 'i', 'd', '!',
    0x30, 0x00,                                      //     subjectPublicKeyInfo
    0x30, 0x00,                                      //   signatureAlgorithm
    0x03, 0x02, 0x00, 0x00,                          //   signatureValue
};

constexpr std::string_view tiny_view() { return {tiny, sizeof tiny}; }

} // namespace

// The DER is a temporary here; parse_der_certificate refuses an rvalue string (its result
// would view freed bytes), so keep it alive while the result is read.
struct owned_parse {
    std::string der;
    svcid::result<svcid::der_certificate> parsed;
    explicit owned_parse(std::string bytes) : der(std::move(bytes)), parsed(svcid::parse_der_certificate(der)) {}
    owned_parse(const owned_parse&) = delete;  // a copy's string would move; the views would not
    owned_parse& operator=(const owned_parse&) = delete;
    explicit operator bool() const { return parsed.has_value(); }
    svcid::error error() const { return parsed.error(); }
};
owned_parse parse_owned(std::string bytes) { return owned_parse(std::move(bytes)); }

TEST_CASE("der_certificate is trivially copyable and satisfies the adapter contract", "[der_certificate]") {
    STATIC_REQUIRE(std::is_trivially_copyable<svcid::der_certificate>::value);
    STATIC_REQUIRE(svcid::is_certificate_adapter_v<svcid::der_certificate>);
}

TEST_CASE("parses a certificate written by OpenSSL and visits its SANs and CN (RFC 5280 §4.1)", "[der_certificate]") {
    const auto cert = svcid::parse_der_certificate(svcid_test::example_certificate());
    REQUIRE(cert);
    CHECK(sans(*cert) == std::vector<seen>{svcid_test::dns("www.example.com"), svcid_test::dns("*.example.net"),
                                           svcid_test::ip(std::string("\xC0\x00\x02\x07", 4)), svcid_test::uri("https://example.org/"),
                                           svcid_test::email("ops@example.com")});
    CHECK(cns(*cert) == std::vector<seen>{svcid_test::common_name("www.example.com")});
    CHECK(std::string(cert->subject_der().substr(0, 2)) == "\x30\x2F");
}

TEST_CASE("parsing is a constant expression: no allocation, no undefined behaviour", "[der_certificate]") {
    STATIC_REQUIRE(svcid::parse_der_certificate(tiny_view()).has_value());
    STATIC_REQUIRE(svcid::parse_der_certificate(tiny_view())->subject_der().size() == 0x13);
    STATIC_REQUIRE(svcid::parse_der_certificate(tiny_view().substr(0, 20)).error() == errc::der_bad_length);
}

TEST_CASE("a certificate without extensions has an absent SAN and still yields its CN", "[der_certificate]") {
    const auto cert = svcid::parse_der_certificate(tiny_view());
    REQUIRE(cert);
    CHECK(sans(*cert, san_state::absent).empty());
    CHECK(cns(*cert) == std::vector<seen>{svcid_test::common_name("svcid!")});
}

TEST_CASE("finds the SAN among other extensions, critical flag or not (RFC 5280 §4.2)", "[der_certificate]") {
    synthetic s;
    s.extensions = {synthetic::extension("2.5.29.19", der::seq({})),
                    synthetic::extension("2.5.29.17", der::seq({der::dns("crit.example")}), true),
                    synthetic::extension("2.5.29.15", der::tlv(0x03, "\x05\xA0"))};
    const std::string bytes = s.bytes();
    const auto cert = svcid::parse_der_certificate(bytes);
    REQUIRE(cert);
    CHECK(sans(*cert) == std::vector<seen>{svcid_test::dns("crit.example")});
    CHECK(std::string(cert->subject_alt_name_der()) == der::seq({der::dns("crit.example")}));
}

TEST_CASE("accepts the optional unique identifiers before the extensions (RFC 5280 §4.1.2.8)", "[der_certificate]") {
    synthetic s;
    s.unique_ids = der::tlv(0x81, std::string("\x00\x01", 2)) + der::tlv(0x82, std::string("\x00\x02", 2));
    const std::string bytes = s.bytes();
    const auto cert = svcid::parse_der_certificate(bytes);
    REQUIRE(cert);
    CHECK(sans(*cert) == std::vector<seen>{svcid_test::dns("san.example")});
}

TEST_CASE("a SAN extension that appears twice is malformed, and nothing is visited (RFC 5280 §4.2)",
          "[der_certificate]") {
    synthetic s;
    s.extensions.push_back(synthetic::extension("2.5.29.17", der::seq({der::dns("other.example")})));
    const std::string bytes = s.bytes();
    const auto cert = svcid::parse_der_certificate(bytes);
    REQUIRE(cert);
    CHECK(sans(*cert, san_state::malformed).empty());
    CHECK(cns(*cert) == std::vector<seen>{svcid_test::common_name("subject.example")});
}

TEST_CASE("a broken SAN parses as a certificate and reports the SAN malformed", "[der_certificate]") {
    synthetic s;
    s.extensions = {synthetic::extension("2.5.29.17", "\x30\x05\x82\x01" "a")};
    const std::string bytes = s.bytes();
    const auto cert = svcid::parse_der_certificate(bytes);
    REQUIRE(cert);
    CHECK(sans(*cert, san_state::malformed).empty());
}

TEST_CASE("bytes after the Certificate are an error", "[der_certificate]") {
    const std::string bytes = std::string(svcid_test::example_certificate()) + '\0';
    const auto cert = svcid::parse_der_certificate(bytes);
    CHECK(cert.error() == errc::der_trailing_bytes);
    CHECK(cert.error().offset == svcid_test::example_certificate().size());
}

TEST_CASE("a truncated certificate is an error at every length", "[der_certificate]") {
    const auto whole = svcid_test::example_certificate();
    for (std::size_t n = 0; n < whole.size(); ++n) {
        INFO("length " << n);
        CHECK_FALSE(svcid::parse_der_certificate(whole.substr(0, n)));
    }
}

TEST_CASE("refuses an indefinite length and a non-minimal length in the outer SEQUENCE (X.690 §10.1)",
          "[der_certificate]") {
    std::string indefinite(tiny_view());
    indefinite[1] = '\x80';
    CHECK(svcid::parse_der_certificate(indefinite).error() == errc::der_indefinite_length);
    const std::string long_form = "\x30\x81\x26" + std::string(tiny_view().substr(2));
    CHECK(svcid::parse_der_certificate(long_form).error() == errc::der_bad_length);
}

TEST_CASE("refuses wrong tags where TBSCertificate fields belong", "[der_certificate]") {
    synthetic s;
    s.serial = der::tlv(0x04, "\x01");
    CHECK(parse_owned(s.bytes()).error() == errc::der_bad_tag);
    s = synthetic{};
    s.subject = der::set({});
    CHECK(parse_owned(s.bytes()).error() == errc::der_bad_tag);
    s = synthetic{};
    s.version = der::tlv(0xA1, der::tlv(0x02, "\x02"));
    CHECK(parse_owned(s.bytes()).error() == errc::der_bad_tag);
}

TEST_CASE("refuses a TBSCertificate with fields after the extensions", "[der_certificate]") {
    synthetic s;
    s.after_tbs = der::tlv(0x05, "");
    const std::string bytes = s.bytes();
    CHECK(svcid::parse_der_certificate(bytes).error() == errc::der_trailing_bytes);
}

TEST_CASE("refuses a Certificate with a missing or extra top-level field", "[der_certificate]") {
    const synthetic s;
    CHECK(parse_owned(der::seq({s.tbs(), s.algorithm})).error() == errc::der_truncated);
    CHECK(parse_owned(der::seq({s.tbs(), s.algorithm, der::tlv(0x03, "\x00"), der::tlv(0x05, "")}))
              .error() == errc::der_trailing_bytes);
    CHECK(parse_owned(der::seq({s.tbs(), s.algorithm, der::tlv(0x04, "\x00")})).error() ==
          errc::der_bad_tag);
}

TEST_CASE("refuses an empty or badly framed extension list (RFC 5280 §4.1: SIZE (1..MAX))", "[der_certificate]") {
    synthetic s;
    s.extensions.clear();
    CHECK(parse_owned(s.bytes()).error() == errc::certificate_malformed);

    s.extensions = {der::seq({der::oid("2.5.29.17")})};  // no extnValue
    CHECK(parse_owned(s.bytes()).error() == errc::certificate_malformed);

    s.extensions = {der::seq({der::oid("2.5.29.17"), der::tlv(0x01, "\xFF\xFF"), der::tlv(0x04, "")})};
    CHECK(parse_owned(s.bytes()).error() == errc::certificate_malformed);

    s.extensions = {der::seq({der::oid("2.5.29.17"), der::tlv(0x04, ""), der::tlv(0x05, "")})};
    CHECK(parse_owned(s.bytes()).error() == errc::certificate_malformed);

    s.extensions = {der::tlv(0x31, der::oid("2.5.29.17"))};
    CHECK(parse_owned(s.bytes()).error() == errc::certificate_malformed);
}

TEST_CASE("an explicit critical FALSE outside the SAN is accepted: it cannot change a name decision (X.690 §11.5)",
          "[der_certificate]") {
    synthetic s;
    const std::string key_usage = der::seq({der::oid("2.5.29.15"), der::tlv(0x01, std::string("\x00", 1)),
                                            der::tlv(0x04, der::tlv(0x03, "\x07\x80"))});
    s.extensions = {key_usage, synthetic::extension("2.5.29.17", der::seq({der::dns("san.example")}))};
    const auto cert = parse_owned(s.bytes());
    REQUIRE(cert);
    CHECK(sans(*cert.parsed) == std::vector<seen>{svcid_test::dns("san.example")});
    // Only FALSE: any other non-DER BOOLEAN is still refused, wherever it stands.
    s.extensions[0] = der::seq({der::oid("2.5.29.15"), der::tlv(0x01, "\x01"), der::tlv(0x04, "")});
    CHECK(parse_owned(s.bytes()).error() == errc::certificate_malformed);
    s.extensions[0] = der::seq({der::oid("2.5.29.15"), der::tlv(0x01, std::string("\x00\x00", 2)), der::tlv(0x04, "")});
    CHECK(parse_owned(s.bytes()).error() == errc::certificate_malformed);
}

TEST_CASE("the SAN's critical flag is DER: TRUE is 0xFF and FALSE is omitted, never encoded (X.690 §11.1, §11.5)",
          "[der_certificate]") {
    synthetic s;
    const std::string san = der::tlv(0x04, der::seq({der::dns("san.example")}));
    s.extensions = {der::seq({der::oid("2.5.29.17"), der::tlv(0x01, "\xFF"), san})};
    CHECK(parse_owned(s.bytes()));
    s.extensions = {der::seq({der::oid("2.5.29.17"), der::tlv(0x01, std::string("\x00", 1)), san})};
    CHECK(parse_owned(s.bytes()).error() == errc::certificate_malformed);
    s.extensions = {der::seq({der::oid("2.5.29.17"), der::tlv(0x01, "\x01"), san})};
    CHECK(parse_owned(s.bytes()).error() == errc::certificate_malformed);
}

TEST_CASE("visits nothing from a default-constructed der_certificate", "[der_certificate]") {
    const svcid::der_certificate empty;
    collector c;
    CHECK(empty.visit_subject_alt_names(c) == san_state::absent);
    CHECK_FALSE(empty.visit_common_names(c));
    CHECK(c.ids.empty());
}

namespace {

/// parse_der_certificate() takes a one-pass scan for the common case and the exact reader
/// for the rest; the scan may say "cannot tell" anywhere, but when it says yes the exact
/// reader must say the same, with the same views.
bool scan_agrees_with_exact_reader(std::string_view der) {
    svcid::der_certificate scanned;
    if (!svcid::detail::scan_der_certificate(der, scanned)) return true;
    const auto exact = svcid::detail::parse_der_certificate_exactly(der);
    if (!exact) return false;
    collector scanned_sans, exact_sans;
    const bool same_state = scanned.visit_subject_alt_names(scanned_sans) == exact->visit_subject_alt_names(exact_sans);
    auto same_view = [](std::string_view a, std::string_view b) { return a.data() == b.data() && a.size() == b.size(); };
    return same_state && same_view(scanned.subject_der(), exact->subject_der()) &&
           same_view(scanned.subject_alt_name_der(), exact->subject_alt_name_der()) &&
           scanned.san_is_critical() == exact->san_is_critical();
}

} // namespace

TEST_CASE("the one-pass scan accepts only what the exact reader accepts, with the same result", "[der_certificate]") {
    synthetic critical_san;
    critical_san.extensions = {synthetic::extension("2.5.29.19", der::seq({})),
                               synthetic::extension("2.5.29.17", der::seq({der::dns("a.example")}), true)};
    synthetic explicit_false;
    explicit_false.extensions = {der::seq({der::oid("2.5.29.19"), der::tlv(0x01, std::string(1, '\0')), der::tlv(0x04, der::seq({}))}),
                                 synthetic::extension("2.5.29.17", der::seq({der::dns("a.example")}))};
    synthetic twice;
    twice.extensions = {twice.extensions[0], twice.extensions[0]};
    synthetic unique_ids;
    unique_ids.unique_ids = der::tlv(0x81, "\x00\x01") + der::tlv(0x82, "\x00\x02");
    synthetic long_san;
    long_san.extensions = {synthetic::extension("2.5.29.17", der::seq({der::dns(std::string(70000, 'a'))}))};
    synthetic no_extensions;
    no_extensions.with_extensions = false;
    const std::vector<std::string> certificates = {std::string(svcid_test::example_certificate()), std::string(tiny_view()),
                                                   synthetic{}.bytes(), critical_san.bytes(), explicit_false.bytes(),
                                                   twice.bytes(), unique_ids.bytes(), no_extensions.bytes()};
    std::size_t scanned = 0, compared = 0;
    for (const std::string& whole : certificates) {
        svcid::der_certificate unused;
        scanned += svcid::detail::scan_der_certificate(whole, unused) ? 1 : 0;
        for (std::size_t at = 0; at <= whole.size(); ++at) {
            INFO("certificate of " << whole.size() << " octets, change at " << at);
            CHECK(scan_agrees_with_exact_reader(std::string_view(whole).substr(0, at)));
            if (at == whole.size()) continue;
            for (const char octet : {'\x00', '\x01', '\x04', '\x30', '\x7F', '\x80', '\x81', '\x82', '\x83', '\xFF'}) {
                std::string changed = whole;
                changed[at] = octet;
                CHECK(scan_agrees_with_exact_reader(changed));
                ++compared;
            }
        }
    }
    // The scan takes the common shapes (the explicit FALSE and the doubled SAN go to the
    // exact reader), and what it takes is the exact reader's answer.
    CHECK(scanned == certificates.size() - 2);
    CHECK(compared > 10000);
    const std::string big = long_san.bytes();
    svcid::der_certificate big_scan;
    CHECK(svcid::detail::scan_der_certificate(big, big_scan));
    CHECK(scan_agrees_with_exact_reader(big));
}
