// svcid/srv_reference.hpp — SRV-ID references: a service name plus a DNS domain.
//
// RFC 6125 §6.5.1, RFC 9525 §6.5 and RFC 4985: a client that looked up `_imap._tcp.
// example.net` expects a certificate for the *imap service at example.net*, presented as
// the SRVName otherName `_imap.example.net`. The service and the domain are one
// reference: they are never paired with the parts of another (RFC 9525 §6.5).
#ifndef SVCID_SRV_REFERENCE_HPP
#define SVCID_SRV_REFERENCE_HPP

#include "config.hpp"
#include "detail/ascii.hpp"
#include "dns_reference.hpp"
#include "result.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

SVCID_BEGIN_NAMESPACE

/// A validated SRV-ID reference, e.g. service "imap" at domain "example.net".
///
/// Ownership: both parts live in the object's inline storage (no heap).
/// The service is 1-15 letters, digits and hyphens with a letter in it, no hyphen at
/// either end or twice in a row (RFC 6335 §5.1), stored lower case without its '_'.
class srv_reference {
public:
    /// Longest service name in octets, without the `_` (RFC 6335 §5.1).
    static constexpr std::size_t max_service_length = 15;

    constexpr srv_reference() noexcept = default;

    /// "imap": lower case, without the underscore.
    constexpr std::string_view service() const noexcept { return {service_, service_length_}; }
    /// The domain where the service is, compared as an exact DNS name (no wildcards).
    constexpr const dns_reference& domain() const noexcept { return domain_; }

private:
    friend constexpr result<srv_reference> make_srv_reference(std::string_view, std::string_view) noexcept;

    char service_[max_service_length] = {};
    std::uint8_t service_length_ = 0;
    dns_reference domain_;
};

namespace detail {
/// RFC 6335 §5.1 service name syntax; a leading '_' (as written in DNS) is accepted.
constexpr bool valid_service_name(std::string_view s) noexcept {
    if (!s.empty() && s.front() == '_') s.remove_prefix(1);
    if (s.empty() || s.size() > srv_reference::max_service_length) return false;
    if (s.front() == '-' || s.back() == '-') return false;
    bool letter = false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (!is_ascii_alnum(s[i]) && s[i] != '-') return false;
        if (s[i] == '-' && i + 1 < s.size() && s[i + 1] == '-') return false;
        letter = letter || is_ascii_alpha(s[i]);
    }
    return letter;
}
} // namespace detail

/// Makes an SRV-ID reference from a service name ("imap" or "_imap") and a domain.
///
/// ```
/// auto ref = svcid::make_srv_reference("imap", "example.net");
/// ```
/// Domain errors are those of parse_dns_reference(). noexcept; no heap.
constexpr result<srv_reference> make_srv_reference(std::string_view service, std::string_view domain) noexcept {
    if (!detail::valid_service_name(service)) return {errc::bad_service_name};
    auto parsed = parse_dns_reference(domain);
    if (!parsed) return parsed.error();
    if (service.front() == '_') service.remove_prefix(1);
    srv_reference ref;
    for (std::size_t i = 0; i < service.size(); ++i) ref.service_[i] = detail::to_ascii_lower(service[i]);
    ref.service_length_ = static_cast<std::uint8_t>(service.size());
    ref.domain_ = *parsed;
    return ref;
}

/// Parses "_imap.example.net" (the SRVName form, RFC 4985 §2) into an SRV-ID reference.
/// A DNS SRV owner name is accepted too: its protocol label (`_imap._tcp.example.net`,
/// RFC 2782) is not part of an SRV-ID and is dropped.
constexpr result<srv_reference> parse_srv_reference(std::string_view text) noexcept {
    if (text.empty() || text.front() != '_') return {errc::bad_service_name};
    const std::size_t dot = text.find('.');
    if (dot == std::string_view::npos) return {errc::bad_service_name};
    std::size_t domain_at = dot + 1;
    for (std::string_view protocol : {"_tcp.", "_udp.", "_sctp."})
        if (detail::iequals(text.substr(domain_at, protocol.size()), protocol)) domain_at += protocol.size();
    auto ref = make_srv_reference(text.substr(0, dot), text.substr(domain_at));
    if (!ref && ref.error().code != errc::bad_service_name) {
        const svcid::error e = ref.error();
        return svcid::error(e.code, std::size_t{e.offset} + domain_at, std::size_t{e.label} + 1);
    }
    return ref;
}

/// Compares a presented SRVName value (`_Service.Name`, RFC 4985 §2) with a reference.
/// The service compares ASCII case-insensitively; the domain exactly as a DNS name
/// (RFC 6125 §6.5.1). RFC 4985 defines Name as the domain where the service is, not a
/// pattern, so a '*' in it never matches. noexcept; no heap; constexpr.
constexpr bool match_srv_id(std::string_view presented, const srv_reference& ref) noexcept {
    if (ref.service().empty()) return false;
    if (presented.size() < 3 || presented.front() != '_') return false;
    const std::size_t dot = presented.find('.');
    if (dot == std::string_view::npos) return false;
    if (!detail::equals_folded(presented.substr(1, dot - 1), ref.service())) return false;
    return detail::equals_folded(detail::strip_trailing_dot(presented.substr(dot + 1)), ref.domain().name());
}

SVCID_END_NAMESPACE

#endif
