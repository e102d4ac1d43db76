#include <svcid/psl.hpp>

#include "c_heap_counter.hpp"
#include "catch.hpp"

#include <svcid/match.hpp>

#include <string>
#include <string_view>

using svcid::public_suffix_sections;

namespace {
const psl_ctx_t* system_list() {
    // Debian's publicsuffix package, the list svcid's built-in table was generated from.
    static const psl_ctx_t* list = psl_latest(nullptr);
    return list;
}

std::string_view key(std::size_t i) {
    const std::uint32_t entry = svcid::detail::public_suffix_entries[i];
    return {svcid::detail::public_suffix_names[entry >> 30] + ((entry >> 14) & 0xFFFFu), (entry >> 6) & 0xFFu};
}

struct with_system_list : svcid::rfc9525 {
    static constexpr auto public_suffixes = svcid::public_suffix_wildcards::allowed;
};
} // namespace

TEST_CASE("libpsl and the built-in table agree on every rule of the same list, its children and parents") {
    REQUIRE(system_list() != nullptr);
    REQUIRE(svcid::psl_is_public_suffix(system_list(), "co.uk", public_suffix_sections::icann));
    constexpr std::size_t keys = sizeof(svcid::detail::public_suffix_entries) / sizeof(svcid::detail::public_suffix_entries[0]);
    std::size_t compared = 0, disagreements = 0;
    for (std::size_t i = 0; i < keys; ++i) {
        const std::string k(key(i));
        const std::size_t dot = k.find('.');
        for (const std::string& domain : {k, "svcid-child." + k, dot == std::string::npos ? std::string() : k.substr(dot + 1)}) {
            if (domain.empty()) continue;
            for (const auto sections : {public_suffix_sections::icann, public_suffix_sections::icann_and_private}) {
                const bool built_in = svcid::is_public_suffix(domain, sections);
                const bool system = svcid::psl_is_public_suffix(system_list(), domain, sections);
                if (built_in != system) {
                    ++disagreements;
                    UNSCOPED_INFO(domain << (sections == public_suffix_sections::icann ? " (ICANN)" : " (any)")
                                         << ": built-in " << built_in << ", libpsl " << system);
                }
                ++compared;
            }
        }
    }
    CHECK(compared > 50000);
    CHECK(disagreements == 0);
}

TEST_CASE("psl_wildcard_under_public_suffix judges the wildcard a match used, by the system's list") {
    const auto presented_as = [](svcid::presented_kind kind, std::string_view name) {
        svcid::presented_id id;
        id.kind = kind;
        id.value = name;
        return id;
    };
    const auto wildcard = [&](std::string_view name) { return presented_as(svcid::presented_kind::dns_name, name); };
    CHECK(svcid::psl_wildcard_under_public_suffix(system_list(), wildcard("*.CO.UK."), public_suffix_sections::icann));
    CHECK(svcid::psl_wildcard_under_public_suffix(system_list(), wildcard("f*.co.uk"), public_suffix_sections::icann));
    CHECK_FALSE(svcid::psl_wildcard_under_public_suffix(system_list(), wildcard("*.example.co.uk"), public_suffix_sections::icann));
    CHECK_FALSE(svcid::psl_wildcard_under_public_suffix(system_list(), wildcard("*.github.io"), public_suffix_sections::icann));
    CHECK(svcid::psl_wildcard_under_public_suffix(system_list(), wildcard("*.github.io"), public_suffix_sections::icann_and_private));
    CHECK_FALSE(svcid::psl_wildcard_under_public_suffix(system_list(), wildcard("www.co.uk"), public_suffix_sections::icann));
    CHECK_FALSE(svcid::psl_wildcard_under_public_suffix(system_list(), presented_as(svcid::presented_kind::uri, "*.co.uk"),
                                                        public_suffix_sections::icann));
    // Nothing libpsl cannot be asked about counts as a suffix: NUL, no list, over-long.
    CHECK_FALSE(svcid::psl_is_public_suffix(system_list(), std::string_view("co.uk\0x", 7), public_suffix_sections::icann));
    CHECK_FALSE(svcid::psl_is_public_suffix(nullptr, "co.uk", public_suffix_sections::icann));
    CHECK_FALSE(svcid::psl_is_public_suffix(system_list(), std::string(300, 'a'), public_suffix_sections::icann));

    // The documented use: match with the built-in check off, then ask the system's list.
    auto ref = svcid::parse_dns_reference("example.co.uk");
    REQUIRE(ref);
    const svcid::presented_id presented = wildcard("*.co.uk");
    CHECK(svcid::match_dns_id<with_system_list>(presented.value, *ref));
    CHECK(svcid::psl_wildcard_under_public_suffix(system_list(), presented, public_suffix_sections::icann));
}

TEST_CASE("asking libpsl allocates nothing on the C heap") {
    if (!svcid_test::c_heap_counted()) {
        WARN("C heap calls are not counted in this build (a sanitizer owns malloc)");
        return;
    }
    REQUIRE(system_list() != nullptr);
    const long before = svcid_test::c_heap_calls();
    bool any = false;
    for (const char* domain : {"co.uk", "example.co.uk", "xn--p1ai", "foo.ck", "www.ck", "s3.amazonaws.com"})
        any |= svcid::psl_is_public_suffix(system_list(), domain, public_suffix_sections::icann_and_private);
    CHECK(any);
    CHECK(svcid_test::c_heap_calls() - before == 0);
}
