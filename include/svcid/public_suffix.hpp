// svcid/public_suffix.hpp — is a domain a public suffix, one under which anyone may register?
//
// A wildcard directly under a public suffix (`*.co.uk`, `*.s3.amazonaws.com`) stands for
// the names of unrelated registrants at once; the CA/Browser Forum's Baseline Requirements
// (§3.2.2.6) forbid issuing one, and Chromium refuses to match one. svcid answers from a
// copy of the Public Suffix List (https://publicsuffix.org/list/) built in at generation
// time (detail/public_suffix_table.hpp, public_suffix_list_version()), looked up by binary
// search: constexpr, noexcept, no heap. Users who want the system's current list can ask
// libpsl instead (svcid/psl.hpp).
#ifndef SVCID_PUBLIC_SUFFIX_HPP
#define SVCID_PUBLIC_SUFFIX_HPP

#include "config.hpp"
#include "detail/public_suffix_table.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

SVCID_BEGIN_NAMESPACE

/// Which of the list's two sections count: the ICANN section (suffixes run by registries:
/// `com`, `co.uk`) or both it and the PRIVATE section (suffixes companies open to their
/// customers: `github.io`, `s3.amazonaws.com`).
enum class public_suffix_sections : std::uint8_t { icann, icann_and_private };

/// The version of the built-in list (Debian's `publicsuffix` package version).
constexpr std::string_view public_suffix_list_version() noexcept { return detail::public_suffix_list_version; }

namespace detail {

/// The flags of `key` in the built-in list (public_suffix_table.hpp), or 0 when it has no
/// rule of its own.
constexpr std::uint8_t public_suffix_flags(std::string_view key) noexcept {
    constexpr std::size_t keys = sizeof(public_suffix_entries) / sizeof(public_suffix_entries[0]);
    std::size_t low = 0, high = keys;
    while (low < high) {
        const std::size_t mid = low + (high - low) / 2;
        const std::uint32_t entry = public_suffix_entries[mid];
        const char* chunk = public_suffix_names[entry >> 30];
        const std::string_view name(chunk + ((entry >> 14) & 0xFFFFu), (entry >> 6) & 0xFFu);
        const int order = name.compare(key);
        if (order == 0) return static_cast<std::uint8_t>(entry & 0x3Fu);
        if (order < 0)
            low = mid + 1;
        else
            high = mid;
    }
    return 0;
}

} // namespace detail

/// Whether `domain` — A-labels, lower case, no trailing dot, as dns_reference::name() holds
/// it — is itself a public suffix under `sections`, by the list's algorithm: an exception
/// rule (`!city.kawasaki.jp`) says no; a rule for the domain (`co.uk`), a wildcard rule
/// for its parent (`*.ck` makes `foo.ck` one) or for itself (`*.kobe.jp` makes `kobe.jp`
/// one, as in libpsl) says yes; so does the implicit `*` rule for a single label, known TLD
/// or not. An empty domain is none.
///
/// ```
/// svcid::is_public_suffix("co.uk", svcid::public_suffix_sections::icann);             // true
/// svcid::is_public_suffix("s3.amazonaws.com", svcid::public_suffix_sections::icann);  // false: PRIVATE
/// svcid::is_public_suffix("example.co.uk", svcid::public_suffix_sections::icann);     // false
/// ```
/// constexpr, noexcept, no heap.
constexpr bool is_public_suffix(std::string_view domain, public_suffix_sections sections) noexcept {
    if (domain.empty()) return false;
    // Bit 0 of each pair is the ICANN rule, bit 1 the PRIVATE one.
    const unsigned section_bits = sections == public_suffix_sections::icann ? 0x1u : 0x3u;
    const unsigned exact = section_bits, wildcard = section_bits << 2, exception = section_bits << 4;
    const unsigned own = detail::public_suffix_flags(domain);
    if ((own & exception) != 0) return false;
    // A domain with only a wildcard rule (`*.kobe.jp`, no `kobe.jp`) counts too, as libpsl
    // counts it: every name directly below it is a suffix, so a wildcard for it can only
    // stand for suffixes (the list's own algorithm would make it registrable; in doubt, refuse).
    if ((own & (exact | wildcard)) != 0) return true;
    const std::size_t dot = domain.find('.');
    if (dot == std::string_view::npos) return true;
    return (detail::public_suffix_flags(domain.substr(dot + 1)) & wildcard) != 0;
}

SVCID_END_NAMESPACE

#endif
