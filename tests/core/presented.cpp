#include <svcid/presented.hpp>

#include "catch.hpp"

#include <string>

TEST_CASE("every presented kind has a stable RFC 5280 name for diagnostics") {
    STATIC_REQUIRE(std::string_view(svcid::kind_name(svcid::presented_kind::dns_name)) == "dNSName");
    STATIC_REQUIRE(std::string_view(svcid::kind_name(svcid::presented_kind::common_name)) == "CN");
    for (int k = 0; k <= static_cast<int>(svcid::presented_kind::common_name); ++k)
        CHECK(std::string(svcid::kind_name(static_cast<svcid::presented_kind>(k))) != "unknown");
}

namespace {
struct no_common_names {
    template <class V>
    svcid::san_state visit_subject_alt_names(V&&) const noexcept {
        return svcid::san_state::absent;
    }
};
} // namespace

TEST_CASE("the exemplar adapter fulfils the contract and a type without the members does not") {
    STATIC_REQUIRE(svcid::is_certificate_adapter_v<svcid::example_adapter>);
    STATIC_REQUIRE(!svcid::is_certificate_adapter_v<no_common_names>);
    STATIC_REQUIRE(!svcid::is_certificate_adapter_v<std::string>);
#if defined(__cpp_concepts) && __cpp_concepts >= 201907L
    STATIC_REQUIRE(svcid::certificate_adapter<svcid::example_adapter>);
#endif
}

TEST_CASE("the exemplar adapter delivers its identifiers to a visitor") {
    std::string seen;
    const svcid::example_adapter cert;
    cert.visit_subject_alt_names([&](const svcid::presented_id& id) noexcept {
        seen += std::string(svcid::kind_name(id.kind)) + "=" + std::string(id.value) + ";";
        return svcid::visit::next;
    });
    cert.visit_common_names([&](const svcid::presented_id& id) noexcept {
        seen += std::string(svcid::kind_name(id.kind)) + "=" + std::string(id.value) + ";";
        return svcid::visit::next;
    });
    CHECK(seen == "dNSName=www.example.com;CN=www.example.com;");
}
