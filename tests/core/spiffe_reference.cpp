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

TEST_CASE("a SPIFFE ID too long to hold inline is refused by the copy and viewed in the caller's buffer") {
    std::string text = "spiffe://prod.example/";
    text.append(svcid::spiffe_id::max_len - text.size(), 'p');
    const auto copied = svcid::make_spiffe_reference(text, spiffe_match::exact);
    REQUIRE_FALSE(copied);
    CHECK(copied.error() == svcid::errc::spiffe_id_needs_view);
    const auto viewed = svcid::view_spiffe_reference(text, spiffe_match::exact);
    REQUIRE(viewed);
    CHECK(viewed->is_view());
    CHECK(viewed->text().data() == text.data());
    CHECK(viewed->trust_domain() == "prod.example");
    CHECK(viewed->path().size() == svcid::spiffe_id::max_len - 21);
    CHECK(svcid::match_spiffe(text, *viewed));
    CHECK_FALSE(svcid::match_spiffe(text.substr(0, text.size() - 1), *viewed));
    CHECK(svcid::view_spiffe_reference(text + "p").error() == svcid::errc::spiffe_id_too_long);

    std::string fits = "spiffe://prod.example/";
    fits.append(svcid::spiffe_reference::inline_capacity - fits.size(), 'q');
    const auto inline_ref = svcid::make_spiffe_reference(fits, spiffe_match::path_prefix);
    REQUIRE(inline_ref);
    CHECK_FALSE(inline_ref->is_view());
    CHECK(svcid::make_spiffe_reference(fits + "q").error() == svcid::errc::spiffe_id_needs_view);
}

TEST_CASE("a SPIFFE reference keeps the parts found when it was made") {
    const auto r = ref("spiffe://prod.example/ns/prod", spiffe_match::path_prefix);
    CHECK(r.trust_domain() == "prod.example");
    CHECK(r.path() == "/ns/prod");
    const auto td = ref("spiffe://prod.example", spiffe_match::trust_domain);
    CHECK(td.trust_domain() == "prod.example");
    CHECK(td.path().empty());
    constexpr auto c = svcid::make_spiffe_reference("spiffe://a.example/x");
    static_assert(c && c->trust_domain() == "a.example" && c->path() == "/x", "");
}
