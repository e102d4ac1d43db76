// svcid/psl.hpp — the public-suffix rule with the system's Public Suffix List, through libpsl.
//
// svcid's built-in list (public_suffix.hpp) is as old as svcid's release. A service that
// updates its Public Suffix List with the system (Debian's `publicsuffix` package, which
// libpsl reads) can judge wildcards by that list instead: match with a policy whose
// `public_suffixes` is `allowed`, then ask this adapter about the wildcard that matched.
//
// ```
// struct with_system_list : svcid::rfc9525 {
//     static constexpr auto public_suffixes = svcid::public_suffix_wildcards::allowed;
// };
// const psl_ctx_t* list = psl_latest(nullptr);   // once; nullptr falls back to libpsl's built-in list
// auto r = svcid::match<with_system_list>(cert, ref);
// if (r.matched() && svcid::psl_wildcard_under_public_suffix(list, r.presented, svcid::public_suffix_sections::icann))
//     refuse();
// ```
// Needs <libpsl.h> and -lpsl (CMake target svcid::psl, option SVCID_WITH_LIBPSL). The core
// never includes this header.
#ifndef SVCID_PSL_HPP
#define SVCID_PSL_HPP

#include "config.hpp"
#include "detail/ascii.hpp"
#include "dns_reference.hpp"
#include "presented.hpp"
#include "public_suffix.hpp"

#include <libpsl.h>

#include <cstddef>
#include <string_view>

SVCID_BEGIN_NAMESPACE

/// Whether libpsl's list `list` holds `domain` (A-labels or ASCII, any case, an optional
/// trailing dot) as a public suffix under `sections`, with the implicit `*` rule. False for
/// a null list, an empty domain, one longer than a DNS name or one with a NUL (a domain
/// libpsl cannot be asked about is no suffix; the caller's own match decides then).
/// noexcept; the name is lower-cased into a stack buffer for libpsl.
inline bool psl_is_public_suffix(const psl_ctx_t* list, std::string_view domain, public_suffix_sections sections) noexcept {
    domain = detail::strip_trailing_dot(domain);
    if (list == nullptr || domain.empty() || domain.size() > dns_reference::max_length) return false;
    char text[dns_reference::max_length + 1];
    for (std::size_t i = 0; i < domain.size(); ++i) {
        if (domain[i] == '\0') return false;
        text[i] = detail::to_ascii_lower(domain[i]);
    }
    text[domain.size()] = '\0';
    const int type = sections == public_suffix_sections::icann ? PSL_TYPE_ICANN : PSL_TYPE_ANY;
    return psl_is_public_suffix2(list, text, type) != 0;
}

/// Whether `presented` is a wildcard dNSName ('*' in its left-most label) whose parent is a
/// public suffix in libpsl's list `list` under `sections`: the check of policy.hpp's
/// `public_suffixes` knob, against the system's list. False for any other identifier.
/// noexcept.
inline bool psl_wildcard_under_public_suffix(const psl_ctx_t* list, const presented_id& presented,
                                             public_suffix_sections sections) noexcept {
    if (presented.kind != presented_kind::dns_name) return false;
    // `*.` or, under rfc6125, a partial wildcard such as `f*.`: '*' in the left-most label.
    const std::string_view name = presented.value;
    const std::size_t dot = name.find('.');
    if (dot == std::string_view::npos || name.substr(0, dot).find('*') == std::string_view::npos) return false;
    return psl_is_public_suffix(list, name.substr(dot + 1), sections);
}

SVCID_END_NAMESPACE

#endif
