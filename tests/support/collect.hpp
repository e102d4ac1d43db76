// Visitors for tests: record what an adapter or walker delivers, as owned copies, so a
// test can compare whole sequences and can outlive the bytes it parsed.
#ifndef SVCID_TEST_COLLECT_HPP
#define SVCID_TEST_COLLECT_HPP

#include <svcid/presented.hpp>

#include "der_writer.hpp"

#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

namespace svcid_test {

struct seen {
    svcid::presented_kind kind;
    svcid::string_tag tag;
    std::string value;
    std::string oid;

    friend bool operator==(const seen& a, const seen& b) {
        return a.kind == b.kind && a.tag == b.tag && a.value == b.value && a.oid == b.oid;
    }
    friend std::ostream& operator<<(std::ostream& os, const seen& s) {
        os << svcid::kind_name(s.kind) << "/tag " << static_cast<int>(s.tag) << " \"";
        for (char ch : s.value) {
            const auto c = static_cast<unsigned char>(ch);
            if (c >= 0x20 && c < 0x7F) os << ch;
            else os << "\\x" << "0123456789ABCDEF"[c >> 4] << "0123456789ABCDEF"[c & 15];
        }
        return os << "\"" << (s.oid.empty() ? "" : " (otherName)");
    }
};

inline seen dns(std::string v) { return {svcid::presented_kind::dns_name, svcid::string_tag::ia5_string, std::move(v), {}}; }
inline seen ip(std::string v) { return {svcid::presented_kind::ip_address, svcid::string_tag::none, std::move(v), {}}; }
inline seen uri(std::string v) { return {svcid::presented_kind::uri, svcid::string_tag::ia5_string, std::move(v), {}}; }
inline seen email(std::string v) { return {svcid::presented_kind::rfc822_name, svcid::string_tag::ia5_string, std::move(v), {}}; }
inline seen srv(std::string v) { return {svcid::presented_kind::srv_name, svcid::string_tag::ia5_string, std::move(v), {}}; }
inline seen xmpp(std::string v) { return {svcid::presented_kind::xmpp_addr, svcid::string_tag::utf8_string, std::move(v), {}}; }
inline seen smtp(std::string v) { return {svcid::presented_kind::smtp_utf8_mailbox, svcid::string_tag::utf8_string, std::move(v), {}}; }
/// An otherName as delivered raw: `value` is the DER inside [0], `dotted` its type.
inline seen other(const std::string& dotted, std::string value_der) {
    return {svcid::presented_kind::other_name, svcid::string_tag::none, std::move(value_der), der::oid_content(dotted)};
}
inline seen common_name(std::string v, svcid::string_tag t = svcid::string_tag::utf8_string) {
    return {svcid::presented_kind::common_name, t, std::move(v), {}};
}

/// Records every identifier; returns visit::stop after `stop_after` of them (0: never).
struct collector {
    std::vector<seen> ids;
    std::size_t stop_after = 0;

    svcid::visit operator()(const svcid::presented_id& id) noexcept {
        ids.push_back({id.kind, id.tag, std::string(id.value), std::string(id.oid)});
        return stop_after != 0 && ids.size() >= stop_after ? svcid::visit::stop : svcid::visit::next;
    }
};

} // namespace svcid_test

#endif
