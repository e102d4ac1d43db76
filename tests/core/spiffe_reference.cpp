#include <svcid/spiffe_reference.hpp>

#include "catch.hpp"

#include <string>

using svcid::spiffe_match;

namespace {
svcid::spiffe_reference ref(const char* text, spiffe_match mode) {
    auto r = svcid::make_spiffe_reference(text, mode);
    REQUIRE(r);
    return *r;
}
} // namespace

TEST_CASE("a SPIFFE reference owns a copy of its ID") {
    std::string text = "spiffe://prod.example/ns/payments";
    const auto r = ref(text.c_str(), spiffe_match::exact);
    text.assign(text.size(), 'x');
    CHECK(r.text() == "spiffe://prod.example/ns/payments");
    CHECK(r.id().trust_domain() == "prod.example");
    CHECK(r.id().path() == "/ns/payments");
}

TEST_CASE("invalid SPIFFE IDs are refused as references (SPIFFE ID §2)") {
    CHECK_FALSE(svcid::make_spiffe_reference("spiffe://Prod.example/x"));
    CHECK_FALSE(svcid::make_spiffe_reference("spiffe://prod.example:443/x"));
    CHECK_FALSE(svcid::make_spiffe_reference("spiffe://prod.example/x/"));
    CHECK_FALSE(svcid::make_spiffe_reference("https://prod.example/x"));
}

TEST_CASE("exact SPIFFE references match one ID") {
    const auto r = ref("spiffe://prod.example/ns/payments", spiffe_match::exact);
    CHECK(svcid::match_spiffe("spiffe://prod.example/ns/payments", r));
    CHECK_FALSE(svcid::match_spiffe("spiffe://prod.example/ns/payments/x", r));
    CHECK_FALSE(svcid::match_spiffe("spiffe://prod.example/ns/Payments", r));
    CHECK_FALSE(svcid::match_spiffe("spiffe://dev.example/ns/payments", r));
    CHECK_FALSE(svcid::match_spiffe("SPIFFE://prod.example/ns/payments", r));
}

TEST_CASE("trust-domain SPIFFE references match any workload of the domain") {
    const auto r = ref("spiffe://prod.example", spiffe_match::trust_domain);
    CHECK(svcid::match_spiffe("spiffe://prod.example/anything/at/all", r));
    CHECK(svcid::match_spiffe("spiffe://prod.example", r));
    CHECK_FALSE(svcid::match_spiffe("spiffe://prod.example.evil/x", r));
    CHECK_FALSE(svcid::match_spiffe("spiffe://evil.prod.example/x", r));
}

TEST_CASE("path-prefix SPIFFE references match on segment boundaries") {
    const auto r = ref("spiffe://prod.example/ns/prod", spiffe_match::path_prefix);
    CHECK(svcid::match_spiffe("spiffe://prod.example/ns/prod", r));
    CHECK(svcid::match_spiffe("spiffe://prod.example/ns/prod/sa/api", r));
    CHECK_FALSE(svcid::match_spiffe("spiffe://prod.example/ns/production", r));
    CHECK_FALSE(svcid::match_spiffe("spiffe://prod.example/ns", r));
    CHECK_FALSE(svcid::match_spiffe("spiffe://prod.example/ns/prod/../admin", r));
}

TEST_CASE("a default SPIFFE reference matches nothing") {
    CHECK_FALSE(svcid::match_spiffe("spiffe://prod.example/x", svcid::spiffe_reference()));
}
