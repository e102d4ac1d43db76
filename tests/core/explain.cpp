#include <svcid/explain.hpp>

#include "catch.hpp"
#include "list_adapter.hpp"

#include <cstring>
#include <string>

using svcid_test::list_adapter;
using namespace svcid_test::ids;

namespace {
template <class Policy = svcid::rfc9525, class Reference>
std::string explain_text(const list_adapter& cert, const Reference& ref, std::size_t size = 1024) {
    std::string buffer(size, '#');
    const auto r = svcid::match<Policy>(cert, ref);
    const std::size_t wanted = svcid::explain<Policy>(cert, ref, r, &buffer[0], buffer.size());
    const std::string text(buffer.c_str());
    if (wanted < size) {
        CHECK(text.size() == wanted);
    } else {  // cut: up to three octets of a UTF-8 sequence that did not fit are dropped
        CHECK(text.size() <= size - 1);
        CHECK(text.size() + 3 >= size - 1);
    }
    return text;
}
svcid::dns_reference dns_ref(const char* name) { return *svcid::parse_dns_reference(name); }
} // namespace

TEST_CASE("an explanation of a match names the presented identifier that matched") {
    list_adapter cert;
    cert.alt_names = {dns("*.example.com")};
    CHECK(explain_text(cert, dns_ref("api.example.com")) == "DNS-ID \"api.example.com\": matched dNSName \"*.example.com\"");
}

TEST_CASE("an empty DNS reference (a default one, or a dereferenced error in an NDEBUG build) says so") {
    list_adapter cert;
    cert.alt_names = {dns("www.example.com")};
    CHECK(explain_text(cert, svcid::dns_reference{}) ==
          "DNS-ID \"\" (empty: no name was parsed; was an error result dereferenced?): no presented identifier matches"
          "\n  dNSName \"www.example.com\": names another host");
}

TEST_CASE("an explanation of an IP-ID match shows the matched iPAddress as an address (RFC 9525 §6.4)") {
    static const std::string loopback("\x7F\0\0\x01", 4);
    list_adapter cert;
    cert.alt_names = {ip(loopback)};
    CHECK(explain_text(cert, *svcid::parse_ip_reference("127.0.0.1")) == "IP-ID 127.0.0.1: matched iPAddress 127.0.0.1");
}

TEST_CASE("an explanation of a mismatch lists each candidate with its reason") {
    list_adapter cert;
    cert.alt_names = {dns("www.example.com"), dns("a.*.example.com"), dns("f*.example.com"), dns("*.com")};
    CHECK(explain_text(cert, dns_ref("api.example.com")) ==
          "DNS-ID \"api.example.com\": no presented identifier matches"
          "\n  dNSName \"www.example.com\": names another host"
          "\n  dNSName \"a.*.example.com\": has '*' outside the left-most label or more than one '*' (RFC 6125 §6.4.3)"
          "\n  dNSName \"f*.example.com\": is a partial wildcard, which only the rfc6125 policy accepts (RFC 9525 §6.3)"
          "\n  dNSName \"*.com\": is a wildcard with too few labels after '*' (e.g. *.com)");
}

TEST_CASE("a wildcard for the right domain but the wrong depth is explained by the one-label rule (RFC 9525 §6.3)") {
    list_adapter cert;
    cert.alt_names = {dns("*.api.example.de")};
    const char* const rule =
        "is a wildcard for the same domain, but '*' stands for exactly one label and the reference has none or "
        "several there (RFC 9525 §6.3)";
    CHECK(explain_text(cert, dns_ref("a.b.api.example.de")) ==
          std::string("DNS-ID \"a.b.api.example.de\": no presented identifier matches\n  dNSName \"*.api.example.de\": ") +
              rule);
    CHECK(explain_text(cert, dns_ref("api.example.de")) ==
          std::string("DNS-ID \"api.example.de\": no presented identifier matches\n  dNSName \"*.api.example.de\": ") +
              rule);
    // A name in another domain, even one ending in the same letters, is just another host.
    CHECK(explain_text(cert, dns_ref("a.b.xapi.example.de")) ==
          "DNS-ID \"a.b.xapi.example.de\": no presented identifier matches\n  dNSName \"*.api.example.de\": names "
          "another host");
}

TEST_CASE("a URI-ID is written as its scheme writes URIs, and a URI with no single host says so (RFC 3261 §19.1.1)") {
    list_adapter cert;
    cert.alt_names = {uri("sip:a@b@voice.example.edu"), uri("sip:other.example.edu")};
    CHECK(explain_text(cert, *svcid::make_uri_reference("sip", "voice.example.edu")) ==
          "URI-ID \"sip:voice.example.edu\": no presented identifier matches"
          "\n  uniformResourceIdentifier \"sip:a@b@voice.example.edu\": has no DNS host (an address, no authority, or a "
          "scheme-specific part with no single host), so it is no URI-ID"
          "\n  uniformResourceIdentifier \"sip:other.example.edu\": names another scheme or host");
    cert.alt_names = {uri("https://api.example.com/")};
    CHECK(explain_text(cert, *svcid::make_uri_reference("https", "api.example.com")) ==
          "URI-ID \"https://api.example.com\": matched uniformResourceIdentifier \"https://api.example.com/\"");
}

TEST_CASE("untrusted bytes are escaped in explanations, so a NUL or escape code is shown, not obeyed") {
    list_adapter cert;
    cert.alt_names = {dns(std::string_view("api.example.com\0.evil\x1b[2J\"", 26))};
    CHECK(explain_text(cert, dns_ref("api.example.com")) ==
          "DNS-ID \"api.example.com\": no presented identifier matches"
          "\n  dNSName \"api.example.com\\x00.evil\\x1b[2J\\x22\": is not a well-formed DNS name (empty or over-long label, NUL or non-LDH byte)");
}

TEST_CASE("explanations are bounded however many names a certificate has (Go CVE-2025-61729)") {
    list_adapter cert;
    std::vector<std::string> names;
    for (int i = 0; i < 1000; ++i) names.push_back("host" + std::to_string(i) + ".example.com");
    for (const auto& n : names) cert.alt_names.push_back(dns(n));
    const std::string text = explain_text(cert, dns_ref("api.example.com"), 4096);
    CHECK(text.find("and 992 more") != std::string::npos);
    CHECK(text.size() < 1024);
    const std::string cut = explain_text(cert, dns_ref("api.example.com"), 40);
    CHECK(cut.size() == 39);
}

TEST_CASE("an explanation says why the CN was or was not consulted") {
    list_adapter cert;
    cert.san = svcid::san_state::absent;
    cert.common_names = {cn("www.example.com")};
    CHECK(explain_text(cert, dns_ref("api.example.com")) ==
          "DNS-ID \"api.example.com\": the certificate has no DNS-ID and this policy never consults the subject CN (RFC 9525 §6.3)");
    CHECK(explain_text<svcid::rfc6125>(cert, dns_ref("api.example.com")) ==
          "DNS-ID \"api.example.com\": no presented identifier matches\n  CN \"www.example.com\": names another host");
}

TEST_CASE("IP explanations show addresses as text") {
    list_adapter cert;
    const std::string other("\xc0\x00\x02\x02", 4);
    const std::string junk("\x01\x02\x03", 3);
    cert.alt_names = {ip(other), ip(junk)};
    CHECK(explain_text(cert, *svcid::parse_ip_reference("192.0.2.1")) ==
          "IP-ID 192.0.2.1: no presented identifier matches"
          "\n  iPAddress 192.0.2.2: is another address"
          "\n  iPAddress 0x010203: is not 4 or 16 octets long, so it is no address");
}

TEST_CASE("an explanation of an IP match shows the matched iPAddress as an address (RFC 9525 §6.4)") {
    const std::string octets("\xc0\x00\x02\x01", 4);  // the adapter holds views: it must outlive them
    list_adapter cert;
    cert.alt_names = {ip(octets)};
    CHECK(explain_text(cert, *svcid::parse_ip_reference("192.0.2.1")) == "IP-ID 192.0.2.1: matched iPAddress 192.0.2.1");
}

namespace {
bool valid_utf8(const std::string& s) {
    for (std::size_t i = 0; i < s.size();) {
        const auto lead = static_cast<unsigned char>(s[i]);
        const std::size_t n = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
        if (n == 0 || i + n > s.size()) return false;
        for (std::size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
        i += n;
    }
    return true;
}
} // namespace

TEST_CASE("a cut explanation never ends inside a UTF-8 sequence of svcid's own text (RFC 3629 §3)") {
    list_adapter cert;
    cert.alt_names = {dns("a.*.example.com")};
    const std::string full = explain_text(cert, dns_ref("api.example.com"));
    const std::size_t section = full.find("\xC2\xA7");  // the '§' of "RFC 6125 §6.4.3"
    REQUIRE(section != std::string::npos);
    // A buffer that ends between the two octets of '§' (size = octets kept + the NUL).
    const std::string cut = explain_text(cert, dns_ref("api.example.com"), section + 2);
    CHECK(cut == full.substr(0, section));
    CHECK(valid_utf8(cut));
    for (std::size_t size = 1; size <= full.size() + 1; ++size) {
        const std::string part = explain_text(cert, dns_ref("api.example.com"), size);
        CHECK(valid_utf8(part));
        CHECK(full.compare(0, part.size(), part) == 0);
    }
}

TEST_CASE("explain() takes an svcid::reference, as match() does (RFC 9525 §6)") {
    list_adapter cert;
    cert.alt_names = {dns("www.example.com")};
    const svcid::result<svcid::reference> ref = svcid::parse_reference("api.example.com");
    REQUIRE(ref);
    const std::string via_reference = explain_text(cert, *ref);
    CHECK(via_reference == explain_text(cert, dns_ref("api.example.com")));
    CHECK(via_reference == "DNS-ID \"api.example.com\": no presented identifier matches"
                           "\n  dNSName \"www.example.com\": names another host");
}
