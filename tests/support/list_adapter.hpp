// A certificate adapter over plain lists, for tests of code that consumes adapters. It is
// also the proof that the adapter contract in svcid/presented.hpp is all a third party
// needs: nothing here uses svcid internals.
#ifndef SVCID_TEST_LIST_ADAPTER_HPP
#define SVCID_TEST_LIST_ADAPTER_HPP

#include <svcid/presented.hpp>

#include <string_view>
#include <utility>
#include <vector>

namespace svcid_test {

/// Ownership: holds presented_ids whose views point into memory the test owns (string
/// literals, usually). `subject_ok == false` simulates a subject that cannot be read.
struct list_adapter {
    std::vector<svcid::presented_id> sans;
    svcid::san_state san = svcid::san_state::present;
    std::vector<svcid::presented_id> common_names;
    bool subject_ok = true;

    template <class Visitor>
    svcid::san_state visit_subject_alt_names(Visitor&& v) const noexcept {
        if (san != svcid::san_state::present) return san;
        for (const auto& id : sans)
            if (v(id) == svcid::visit::stop) break;
        return san;
    }

    template <class Visitor>
    bool visit_common_names(Visitor&& v) const noexcept {
        if (!subject_ok) return false;
        for (const auto& id : common_names)
            if (v(id) == svcid::visit::stop) break;
        return true;
    }

    list_adapter& dns(std::string_view name) {
        sans.push_back({svcid::presented_kind::dns_name, svcid::string_tag::ia5_string, name, {}});
        return *this;
    }
    list_adapter& ip(std::string_view raw_octets) {
        sans.push_back({svcid::presented_kind::ip_address, svcid::string_tag::none, raw_octets, {}});
        return *this;
    }
    list_adapter& uri(std::string_view text) {
        sans.push_back({svcid::presented_kind::uri, svcid::string_tag::ia5_string, text, {}});
        return *this;
    }
    list_adapter& srv(std::string_view name) {
        sans.push_back({svcid::presented_kind::srv_name, svcid::string_tag::ia5_string, name, {}});
        return *this;
    }
    list_adapter& cn(std::string_view value, svcid::string_tag tag = svcid::string_tag::utf8_string) {
        common_names.push_back({svcid::presented_kind::common_name, tag, value, {}});
        return *this;
    }
};

static_assert(svcid::is_certificate_adapter_v<list_adapter>, "list_adapter must satisfy the adapter contract");

} // namespace svcid_test

#endif
