// A test-only certificate adapter over plain lists: proof that third parties can write one
// against the contract in svcid/presented.hpp, and a way to feed the matcher identifier
// shapes no CA would sign.
#ifndef SVCID_TEST_LIST_ADAPTER_HPP
#define SVCID_TEST_LIST_ADAPTER_HPP

#include <svcid/presented.hpp>

#include <string>
#include <vector>

namespace svcid_test {

struct list_adapter {
    svcid::san_state san = svcid::san_state::present;
    std::vector<svcid::presented_id> alt_names;
    std::vector<svcid::presented_id> common_names;
    bool subject_parses = true;
    bool subject_empty = false;
    bool san_critical = false;

    template <class Visitor>
    svcid::san_state visit_subject_alt_names(Visitor&& v) const noexcept {
        if (san != svcid::san_state::absent)
            for (const auto& id : alt_names)
                if (v(id) == svcid::visit::stop) break;
        return san;
    }
    template <class Visitor>
    bool visit_common_names(Visitor&& v) const noexcept {
        for (const auto& id : common_names)
            if (v(id) == svcid::visit::stop) break;
        return subject_parses;
    }
    bool subject_is_empty() const noexcept { return subject_empty; }
    bool san_is_critical() const noexcept { return san_critical; }
};

static_assert(svcid::is_certificate_adapter_v<list_adapter>, "list_adapter must satisfy the adapter contract");

/// Presented identifiers over test-owned bytes, one maker per kind.
namespace ids {
inline svcid::presented_id dns(std::string_view name) {
    return {svcid::presented_kind::dns_name, svcid::string_tag::ia5_string, name, {}};
}
inline svcid::presented_id cn(std::string_view name, svcid::string_tag tag = svcid::string_tag::utf8_string) {
    return {svcid::presented_kind::common_name, tag, name, {}};
}
inline svcid::presented_id ip(std::string_view octets) {
    return {svcid::presented_kind::ip_address, svcid::string_tag::none, octets, {}};
}
inline svcid::presented_id uri(std::string_view text) {
    return {svcid::presented_kind::uri, svcid::string_tag::ia5_string, text, {}};
}
inline svcid::presented_id srv(std::string_view text) {
    return {svcid::presented_kind::srv_name, svcid::string_tag::ia5_string, text, {}};
}
inline svcid::presented_id email(std::string_view text) {
    return {svcid::presented_kind::rfc822_name, svcid::string_tag::ia5_string, text, {}};
}

} // namespace ids
} // namespace svcid_test

#endif
