#include <svcid/dns_id.hpp>

#include "catch.hpp"

#include <string>

using svcid::dns_id_verdict;
using svcid::match_dns_id;
using svcid::check_dns_id;
using svcid::parse_dns_reference;
using svcid::rfc6125;
using svcid::rfc9525;

namespace {
svcid::dns_reference ref(const char* name) {
    auto r = parse_dns_reference(name);
    REQUIRE(r);
    return *r;
}

struct row {
    std::string presented;
    const char* reference;
    bool under_rfc9525;
    bool under_rfc6125;
};

void check_rows(const row* begin, const row* end) {
    for (const row* r = begin; r != end; ++r) {
        INFO("presented '" << r->presented << "' against reference '" << r->reference << "'");
        const auto reference = ref(r->reference);
        CHECK(match_dns_id<rfc9525>(r->presented, reference) == r->under_rfc9525);
        CHECK(match_dns_id<rfc6125>(r->presented, reference) == r->under_rfc6125);
        // The diagnostic path must agree with the fast path on every input.
        CHECK((check_dns_id<rfc9525>(r->presented, reference) == dns_id_verdict::match) == r->under_rfc9525);
        CHECK((check_dns_id<rfc6125>(r->presented, reference) == dns_id_verdict::match) == r->under_rfc6125);
    }
}
} // namespace

TEST_CASE("exact DNS-IDs compare ASCII case-insensitively, label by label (RFC 6125 §6.4.1)") {
    const row rows[] = {
        {"www.example.com", "www.example.com", true, true},
        {"WWW.Example.COM", "www.example.com", true, true},
        {"www.example.com.", "www.example.com", true, true},
        {"www.example.com", "WWW.EXAMPLE.COM.", true, true},
        {"www.example.com..", "www.example.com", false, false},
        // A trailing dot on a name of the reference's own length: the dot is looked at
        // only for a name one longer than the reference, and must still refuse here.
        {"www.example.co.", "www.example.com", false, false},
        {"www.example.c.m", "www.example.com", false, false},
        {"www.example.co", "www.example.com", false, false},
        {"ww.example.com", "www.example.com", false, false},
        {"example.com", "www.example.com", false, false},
        {"www.example.com.evil", "www.example.com", false, false},
        {"", "www.example.com", false, false},
        {".", "www.example.com", false, false},
        {"_srv.example.com", "_srv.example.com", true, true},
    };
    check_rows(std::begin(rows), std::end(rows));
}

TEST_CASE("a presented name with an embedded NUL never matches (CVE-2009-2408)") {
    const row rows[] = {
        {std::string("www.example.com\0.evil.com", 25), "www.example.com", false, false},
        {std::string("www.example.com\0", 16), "www.example.com", false, false},
        {std::string("*.example.com\0", 14), "www.example.com", false, false},
    };
    check_rows(std::begin(rows), std::end(rows));
    CHECK(check_dns_id(std::string("www.example.com\0", 16), ref("www.example.com")) == dns_id_verdict::malformed);
}

TEST_CASE("the RFC 6125 §6.4.3 wildcard examples") {
    const row rows[] = {
        // "*.example.com" matches "foo.example.com" but not "bar.foo.example.com" or "example.com".
        {"*.example.com", "foo.example.com", true, true},
        {"*.example.com", "bar.foo.example.com", false, false},
        {"*.example.com", "example.com", false, false},
        // "baz*.example.net" matches "baz1.example.net"; "*baz.example.net" matches "foobaz.example.net";
        // "b*z.example.net" matches "buzz.example.net" — only where partial wildcards are allowed.
        {"baz*.example.net", "baz1.example.net", false, true},
        {"*baz.example.net", "foobaz.example.net", false, true},
        {"b*z.example.net", "buzz.example.net", false, true},
    };
    check_rows(std::begin(rows), std::end(rows));
}

TEST_CASE("a wildcard stands for exactly one non-empty left-most label (RFC 9525 §6.3)") {
    const row rows[] = {
        {"*.example.com", "a.example.com", true, true},
        {"*.EXAMPLE.com", "a.example.com", true, true},
        {"*.example.com.", "a.example.com", true, true},
        {"*.example.co.", "a.example.com", false, false},   // the wildcard's length, dot included
        {"*.example.com.", "ab.example.com", true, true},   // one longer than the wildcard and the reference
        {"*.example.com", "a.b.example.com", false, false},
        {"*.example.com", "example.com", false, false},
        {"*.example.com", "a.example.org", false, false},
        {"*.*.example.com", "a.b.example.com", false, false},
        {"a.*.example.com", "a.b.example.com", false, false},
        {"*.example.*", "a.example.com", false, false},
        {"**.example.com", "a.example.com", false, false},
        {"*", "localhost", false, false},
        {"*.", "localhost", false, false},
        {".*.example.com", "a.example.com", false, false},
        {"*.example.com", "xn--bcher-kva.example.com", true, true},
    };
    check_rows(std::begin(rows), std::end(rows));
}

TEST_CASE("*.com and other wildcards with fewer than two labels after them never match") {
    const row rows[] = {
        {"*.com", "example.com", false, false},
        {"*.co", "example.co", false, false},
        {"*.com.", "example.com", false, false},
        {"f*.com", "foo.com", false, false},
    };
    check_rows(std::begin(rows), std::end(rows));
    CHECK(check_dns_id("*.com", ref("example.com")) == dns_id_verdict::wildcard_too_few_labels);
}

TEST_CASE("a wildcard covers exactly one label, and says so when the domain is right but the depth is not") {
    const row rows[] = {
        {"*.api.example.de", "a.b.api.example.de", false, false},
        {"*.api.example.de", "api.example.de", false, false},
        {"*.API.example.de", "a.b.api.example.de", false, false},
    };
    check_rows(std::begin(rows), std::end(rows));
    // RFC 9525 §6.3: '*' is one whole left-most label.
    CHECK(check_dns_id("*.api.example.de", ref("a.b.api.example.de")) == dns_id_verdict::wildcard_covers_one_label);
    CHECK(check_dns_id("*.api.example.de", ref("api.example.de")) == dns_id_verdict::wildcard_covers_one_label);
    CHECK(check_dns_id<rfc6125>("a*.api.example.de", ref("ab.c.api.example.de")) ==
          dns_id_verdict::wildcard_covers_one_label);
    CHECK(check_dns_id("*.api.example.de", ref("a.b.xapi.example.de")) == dns_id_verdict::no_match);
    CHECK(check_dns_id("*.api.example.de", ref("a.example.de")) == dns_id_verdict::no_match);
}

TEST_CASE("a partial wildcard's '*' matches at least one character (no zero-length wildcard)") {
    const row rows[] = {
        {"*evil.example.com", "evil.example.com", false, false},
        {"evil*.example.com", "evil.example.com", false, false},
        {"e*l.example.com", "el.example.com", false, false},
        {"e*l.example.com", "eel.example.com", false, true},
        {"f*o.example.com", "fo.example.com", false, false},
        {"F*O.example.com", "foo.example.com", false, true},
    };
    check_rows(std::begin(rows), std::end(rows));
}

TEST_CASE("partial wildcards never touch an A-label, under any policy (RFC 6125 §6.4.3, CVE-2023-28321)") {
    const row rows[] = {
        {"xn--*.example.com", "xn--bcher-kva.example.com", false, false},
        {"x*.example.com", "xn--bcher-kva.example.com", false, false},
        {"*kva.example.com", "xn--bcher-kva.example.com", false, false},
        {"XN--*.example.com", "xn--bcher-kva.example.com", false, false},
    };
    check_rows(std::begin(rows), std::end(rows));
    CHECK(check_dns_id<rfc6125>("x*.example.com", ref("xn--bcher-kva.example.com")) == dns_id_verdict::wildcard_in_a_label);
}

TEST_CASE("malformed presented names are classified and never match") {
    const std::string label64(64, 'a');
    const auto www = ref("www.example.com");
    CHECK(check_dns_id(label64 + ".example.com", www) == dns_id_verdict::malformed);
    CHECK(check_dns_id("www..example.com", www) == dns_id_verdict::malformed);
    CHECK(check_dns_id("www.exa mple.com", www) == dns_id_verdict::malformed);
    CHECK(check_dns_id("www.example.com/", www) == dns_id_verdict::malformed);
    CHECK(check_dns_id("a.*.example.com", www) == dns_id_verdict::wildcard_not_left_most);
    CHECK(check_dns_id("*.*.example.com", www) == dns_id_verdict::wildcard_not_left_most);
    CHECK(check_dns_id("w**.example.com", www) == dns_id_verdict::wildcard_not_left_most);
    CHECK(check_dns_id("w*.example.com", www) == dns_id_verdict::partial_wildcard_not_allowed);
    CHECK(check_dns_id<rfc6125>("w*.example.com", www) == dns_id_verdict::match);
    CHECK(check_dns_id("www.example.org", www) == dns_id_verdict::no_match);
    std::string name254 = std::string(63, 'a') + "." + std::string(63, 'b') + "." + std::string(63, 'c') + "." +
                          std::string(62, 'd');
    REQUIRE(name254.size() == 254);
    CHECK(check_dns_id(name254, www) == dns_id_verdict::malformed);
}

namespace {
struct no_wildcards : rfc9525 {
    static constexpr bool wildcards = false;
};
struct three_labels : rfc9525 {
    static constexpr unsigned min_labels_after_wildcard = 3;
};
} // namespace

TEST_CASE("a policy can turn wildcards off or ask for more labels after '*'") {
    CHECK_FALSE(match_dns_id<no_wildcards>("*.example.com", ref("www.example.com")));
    CHECK(check_dns_id<no_wildcards>("*.example.com", ref("www.example.com")) == dns_id_verdict::wildcards_disabled);
    CHECK_FALSE(match_dns_id<three_labels>("*.example.com", ref("www.example.com")));
    CHECK(match_dns_id<three_labels>("*.example.co.uk", ref("www.example.co.uk")));
}

TEST_CASE("DNS-ID matching is usable in constant expressions") {
    constexpr auto reference = parse_dns_reference("foo.example.com");
    STATIC_REQUIRE(match_dns_id(std::string_view("*.example.com"), *reference));
    STATIC_REQUIRE(!match_dns_id(std::string_view("*.com"), *reference));
    STATIC_REQUIRE(match_dns_id<rfc6125>(std::string_view("f*.example.com"), *reference));
}

TEST_CASE("a presented xn-- label that is not a valid A-label never matches (RFC 5890 §2.3.2.1)") {
    // References hold only valid A-labels, so an invalid presented one can equal none.
    const auto idn = ref("xn--bcher-kva.example");
    const row rows[] = {
        {"xn--bcher-kva.example", "xn--bcher-kva.example", true, true},
        {"XN--BCHER-KVA.example", "xn--bcher-kva.example", true, true},
        {"*.xn--bcher-kva.example", "www.xn--bcher-kva.example", true, true},
        {"xn--bcher-kvb.example", "xn--bcher-kva.example", false, false},
    };
    check_rows(std::begin(rows), std::end(rows));
    CHECK(check_dns_id("xn--99999999.example", idn) == dns_id_verdict::bad_a_label);
    CHECK(check_dns_id("www.xn--ls8h.example", idn) == dns_id_verdict::bad_a_label);
    CHECK(check_dns_id("xn--bcher-kvb.example", idn) == dns_id_verdict::bad_a_label);
    CHECK(check_dns_id("xn--mnchen-3ya.example", idn) == dns_id_verdict::no_match);
}

namespace {
struct zero_labels : rfc9525 {
    static constexpr unsigned min_labels_after_wildcard = 0;
};
struct zero_labels_partial : rfc6125 {
    static constexpr unsigned min_labels_after_wildcard = 0;
};
struct zero_labels_any_suffix : zero_labels {
    static constexpr svcid::public_suffix_wildcards public_suffixes = svcid::public_suffix_wildcards::allowed;
};
} // namespace

TEST_CASE("a wildcard never stands for a whole one-label name, even when a policy asks for no labels after it") {
    CHECK_FALSE(match_dns_id<zero_labels>("*..", ref("localhost")));
    CHECK_FALSE(match_dns_id<zero_labels>("*.", ref("localhost")));
    CHECK_FALSE(match_dns_id<zero_labels_partial>("l*..", ref("localhost")));
    CHECK(match_dns_id<zero_labels_any_suffix>("*.com", ref("example.com")));
    // A policy that lets a wildcard stand one label above a TLD still refuses it under a
    // public suffix, unless it also turns that check off: `com` is one (the list's ICANN section).
    CHECK_FALSE(match_dns_id<zero_labels>("*.com", ref("example.com")));
}

TEST_CASE("a default-constructed reference matches no name, not even an empty one or a bare wildcard") {
    const svcid::dns_reference nothing;
    for (const char* presented : {"", ".", "*", "*.", "*.*", "a"}) {
        INFO(presented);
        CHECK_FALSE(svcid::match_dns_id<svcid::rfc9525>(presented, nothing));
        CHECK_FALSE(svcid::match_dns_id<svcid::rfc6125>(presented, nothing));
    }
}
