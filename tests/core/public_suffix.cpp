#include <svcid/public_suffix.hpp>

#include "catch.hpp"
#include "list_adapter.hpp"

#include <svcid/dns_id.hpp>
#include <svcid/explain.hpp>
#include <svcid/match.hpp>
#include <svcid/reference_set.hpp>

#include <cstring>
#include <string>

using svcid::dns_id_verdict;
using svcid::is_public_suffix;
using svcid::public_suffix_sections;
using svcid::public_suffix_wildcards;
using svcid_test::list_adapter;
using namespace svcid_test::ids;

namespace {
constexpr auto icann = public_suffix_sections::icann;
constexpr auto both = public_suffix_sections::icann_and_private;

svcid::dns_reference ref(const char* name) {
    auto r = svcid::parse_dns_reference(name);
    REQUIRE(r);
    return *r;
}

struct no_suffix_check : svcid::rfc9525 {
    static constexpr public_suffix_wildcards public_suffixes = public_suffix_wildcards::allowed;
};
struct private_suffixes_too : svcid::rfc9525 {
    static constexpr public_suffix_wildcards public_suffixes = public_suffix_wildcards::refuse_icann_and_private;
};
} // namespace

// The lookup is constexpr: a policy decision can be checked at compile time.
static_assert(is_public_suffix("co.uk", public_suffix_sections::icann), "");
static_assert(!is_public_suffix("example.co.uk", public_suffix_sections::icann), "");

TEST_CASE("the built-in list is Debian's publicsuffix 20230209.2326-1") {
    CHECK(svcid::public_suffix_list_version() == "20230209.2326-1");
}

TEST_CASE("is_public_suffix follows the Public Suffix List's rules and sections") {
    // Plain rules, by section.
    CHECK(is_public_suffix("com", icann));
    CHECK(is_public_suffix("co.uk", icann));
    CHECK_FALSE(is_public_suffix("example.co.uk", icann));
    CHECK_FALSE(is_public_suffix("s3.amazonaws.com", icann));  // PRIVATE section
    CHECK(is_public_suffix("s3.amazonaws.com", both));
    CHECK(is_public_suffix("github.io", both));
    CHECK_FALSE(is_public_suffix("user.github.io", both));
    // Wildcard rules (`*.ck`, `*.compute.amazonaws.com`) and their exceptions (`!www.ck`).
    CHECK(is_public_suffix("foo.ck", icann));
    CHECK_FALSE(is_public_suffix("www.ck", icann));
    CHECK(is_public_suffix("ck", icann));  // implicit `*`
    CHECK(is_public_suffix("foo.kawasaki.jp", icann));
    CHECK_FALSE(is_public_suffix("city.kawasaki.jp", icann));
    CHECK(is_public_suffix("kawasaki.jp", icann));  // only `*.kawasaki.jp`: counted, as libpsl does
    CHECK_FALSE(is_public_suffix("eu-west-1.compute.amazonaws.com", icann));
    CHECK(is_public_suffix("eu-west-1.compute.amazonaws.com", both));
    // A single label is a suffix whether the list knows it or not (the implicit `*` rule).
    CHECK(is_public_suffix("internal", icann));
    CHECK_FALSE(is_public_suffix("corp.internal", both));
    // Internationalised suffixes, listed as U-labels, are held as A-labels: рф, 公司.cn.
    CHECK(is_public_suffix("xn--p1ai", icann));
    CHECK(is_public_suffix("xn--55qx5d.cn", icann));
    CHECK_FALSE(is_public_suffix("", both));
}

TEST_CASE("RFC 9525 §6.3 and BR §3.2.2.6: rfc9525 refuses a wildcard directly under an ICANN suffix") {
    using svcid::match_dns_id;
    using svcid::rfc9525;
    CHECK_FALSE(match_dns_id<rfc9525>("*.co.uk", ref("example.co.uk")));
    CHECK_FALSE(match_dns_id<rfc9525>("*.CO.UK", ref("example.co.uk")));
    CHECK_FALSE(match_dns_id<rfc9525>("*.co.uk.", ref("example.co.uk")));
    CHECK_FALSE(match_dns_id<rfc9525>("*.xn--55qx5d.cn", ref("example.xn--55qx5d.cn")));
    CHECK_FALSE(match_dns_id<rfc9525>("*.foo.ck", ref("a.foo.ck")));  // `*.ck`
    CHECK(match_dns_id<rfc9525>("*.www.ck", ref("a.www.ck")));      // `!www.ck`
    CHECK(match_dns_id<rfc9525>("*.example.co.uk", ref("www.example.co.uk")));
    // A PRIVATE suffix is the owner's own namespace: matched by default, refused on request.
    CHECK(match_dns_id<rfc9525>("*.s3.amazonaws.com", ref("bucket.s3.amazonaws.com")));
    CHECK_FALSE(match_dns_id<private_suffixes_too>("*.s3.amazonaws.com", ref("bucket.s3.amazonaws.com")));
    CHECK(match_dns_id<no_suffix_check>("*.co.uk", ref("example.co.uk")));
    // The exact name is no wildcard: a certificate for co.uk itself is another question.
    CHECK(match_dns_id<rfc9525>("example.co.uk", ref("example.co.uk")));
    // RFC 6125's partial wildcards are refused there too.
    CHECK_FALSE(match_dns_id<svcid::rfc6125>("exa*.co.uk", ref("example.co.uk")));
    CHECK(match_dns_id<svcid::rfc6125>("exa*.example.co.uk", ref("example.example.co.uk")));
}

TEST_CASE("check_dns_id and explain name the public-suffix rule") {
    CHECK(svcid::check_dns_id<svcid::rfc9525>("*.co.uk", ref("example.co.uk")) == dns_id_verdict::wildcard_under_public_suffix);
    CHECK(svcid::check_dns_id<no_suffix_check>("*.co.uk", ref("example.co.uk")) == dns_id_verdict::match);
    CHECK(std::string(svcid::verdict_message(dns_id_verdict::wildcard_under_public_suffix)).find("public suffix") !=
          std::string::npos);
    list_adapter cert;
    cert.alt_names = {dns("*.co.uk")};
    const auto reference = ref("example.co.uk");
    const auto r = svcid::match(cert, reference);
    CHECK(r.status == svcid::match_status::no_match);
    char text[512];
    REQUIRE(svcid::explain(cert, reference, r, text, sizeof text) < sizeof text);
    CHECK(std::string(text).find("dNSName \"*.co.uk\": is a wildcard directly under a public suffix") != std::string::npos);
}

TEST_CASE("a reference_set applies rfc9525's public-suffix rule to presented wildcards") {
    svcid::reference_set set;
    REQUIRE(set.add(ref("example.co.uk")));
    REQUIRE(set.add(ref("www.example.co.uk")));
    REQUIRE(set.add(ref("bucket.s3.amazonaws.com")));
    REQUIRE(set.add_dns_suffix(ref("co.uk")));  // even a suffix entry admits no `*.co.uk`
    list_adapter cert;
    cert.alt_names = {dns("*.co.uk")};
    CHECK_FALSE(set.match(cert).matched);
    cert.alt_names = {dns("*.example.co.uk")};
    CHECK(set.match(cert).matched);
    cert.alt_names = {dns("*.s3.amazonaws.com")};
    CHECK(set.match(cert).matched);
}
