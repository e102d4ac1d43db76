// svcid/email.hpp — e-mail reference identities (RFC 5321 §4.1.2 Mailbox) and their match
// against a presented rfc822Name SAN (RFC 5280 §4.2.1.6) or SmtpUTF8Mailbox (RFC 8398).
//
// The two halves of an address compare differently: the local part belongs to the
// receiving host and is compared exactly (RFC 5321 §2.4), the domain is a DNS name and
// compared ASCII case-insensitively.
#ifndef SVCID_EMAIL_HPP
#define SVCID_EMAIL_HPP

#include "config.hpp"
#include "detail/ascii.hpp"
#include "error.hpp"
#include "syntax/idna.hpp"
#include "result.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

SVCID_BEGIN_NAMESPACE

/// An e-mail address as a reference identity: `local@domain`, stored inline.
///
/// Ownership: the object owns copies of both parts (fixed buffers, no pointer), so it may
/// outlive the parsed string. The local part is kept as written (a quoted-string keeps its
/// quotes and backslashes); the domain is lowercased, with one trailing dot removed.
///
/// ```
/// auto ref = svcid::parse_email_reference("Alice.Smith@Example.COM");
/// // ref->local_part() == "Alice.Smith", ref->domain() == "example.com"
/// ```
class email_reference {
public:
    static constexpr std::size_t max_local_len = 64;    ///< RFC 5321 §4.5.3.1.1
    static constexpr std::size_t max_domain_len = 253;  ///< RFC 1034 §3.1, without the root dot

    constexpr email_reference() noexcept = default;

    /// The local part, as written (a quoted-string keeps its quotes and backslashes).
    constexpr std::string_view local_part() const noexcept { return std::string_view(local_, local_len_); }
    /// The domain, lowercased, with one trailing dot removed.
    constexpr std::string_view domain() const noexcept { return std::string_view(domain_, domain_len_); }

    /// Equal when both hold the same value.
    friend constexpr bool operator==(const email_reference& a, const email_reference& b) noexcept {
        return a.local_part() == b.local_part() && a.domain() == b.domain();
    }
    /// Not equal: the negation of operator==.
    friend constexpr bool operator!=(const email_reference& a, const email_reference& b) noexcept { return !(a == b); }

private:
    friend constexpr result<email_reference> parse_email_reference(std::string_view) noexcept;
    char local_[max_local_len] = {};
    char domain_[max_domain_len] = {};
    std::uint8_t local_len_ = 0;
    std::uint8_t domain_len_ = 0;
};

namespace detail {

// RFC 5322 §3.2.3 atext, which RFC 5321 §4.1.2 uses for Atom.
constexpr bool email_atext(char c) noexcept {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-':
    case '/': case '=': case '?': case '^': case '_': case '`': case '{': case '|': case '}': case '~':
        return true;
    default:
        return false;
    }
}

// Length of the local part at the start of s: a Dot-string or a Quoted-string (RFC 5321
// §4.1.2), up to but excluding the '@'. Returns an error with the offset of the fault.
struct email_local_scan {
    std::size_t length;
    error fault;
};

constexpr email_local_scan email_scan_local(std::string_view s) noexcept {
    std::size_t i = 0;
    if (!s.empty() && s[0] == '"') {
        for (i = 1; i < s.size() && s[i] != '"'; ++i) {
            const char c = s[i];
            if (c == '\\') {
                // quoted-pairSMTP = %d92 %d32-126
                if (++i == s.size() || s[i] < 32 || s[i] > 126) return {0, error(errc::email_bad_local_part, i)};
            } else if (c < 32 || c > 126) {  // qtextSMTP = %d32-33 / %d35-91 / %d93-126
                return {0, error(errc::email_bad_local_part, i)};
            }
        }
        if (i == s.size()) return {0, error(errc::email_bad_local_part, i)};
        return {i + 1, error()};
    }
    bool after_dot = true;  // no leading dot, no two dots in a row
    for (; i < s.size() && s[i] != '@'; ++i) {
        if (s[i] == '.') {
            if (after_dot) return {0, error(errc::email_bad_local_part, i)};
            after_dot = true;
        } else if (email_atext(s[i])) {
            after_dot = false;
        } else {
            return {0, error(errc::email_bad_local_part, i)};
        }
    }
    if (after_dot) return {0, error(errc::email_bad_local_part, i == 0 ? 0 : i - 1)};
    return {i, error()};
}


// RFC 5321 §4.1.2 Domain: sub-domain *("." sub-domain), sub-domain = Let-dig [Ldh-str].
// Label and total lengths follow RFC 1035 §2.3.4. `base` offsets errors into the whole input.
constexpr error email_check_domain(std::string_view d, std::size_t base) noexcept {
    if (d.empty()) return error(errc::email_bad_domain, base);
    if (d.size() > email_reference::max_domain_len) return error(errc::email_bad_domain, base + email_reference::max_domain_len);
    std::size_t label_start = 0;
    for (std::size_t i = 0; i <= d.size(); ++i) {
        if (i == d.size() || d[i] == '.') {
            const std::size_t len = i - label_start;
            if (len == 0 || len > 63) return error(errc::email_bad_domain, base + label_start);
            if (d[label_start] == '-' || d[i - 1] == '-') return error(errc::email_bad_domain, base + (d[label_start] == '-' ? label_start : i - 1));
            // As in DNS references: an xn-- label must be a valid A-label (RFC 5890
            // §2.3.2.1), so hostile punycode is refused here, once, not met while matching.
            const std::string_view label = d.substr(label_start, len);
            if (detail::has_ace_prefix(label) && validate_a_label(label) != errc::ok)
                return error(errc::idna_bad_a_label, base + label_start);
            label_start = i + 1;
            continue;
        }
        const char c = d[i];
        const bool ldh = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
        if (!ldh) return error(errc::email_bad_domain, base + i);
    }
    return error();
}

} // namespace detail

/// Parses an e-mail reference identity `local@domain` (RFC 5321 §4.1.2 Mailbox). No
/// allocation, never throws, constexpr.
///
/// The local part is a Dot-string or a Quoted-string of printable ASCII, at most 64 octets.
/// The domain is letters, digits and hyphens in dot-separated labels of 1-63 octets (no
/// hyphen at a label's edge), at most 253 octets; one trailing dot is accepted and removed.
/// Address literals (`user@[192.0.2.1]`) and non-ASCII text are refused: a certificate
/// names a mailbox by domain, and internationalised domains must be given as valid A-labels (RFC 5890 §2.3.2.1).
constexpr result<email_reference> parse_email_reference(std::string_view s) noexcept {
    if (s.empty()) return result<email_reference>(errc::bad_email_address, 0);
    const auto local = detail::email_scan_local(s);
    if (local.fault.code != errc::ok) return result<email_reference>(local.fault);
    if (local.length == s.size() || s[local.length] != '@') return result<email_reference>(errc::bad_email_address, local.length);
    if (local.length > email_reference::max_local_len)
        return result<email_reference>(errc::email_local_part_too_long, email_reference::max_local_len);

    std::string_view domain = s.substr(local.length + 1);
    domain = detail::strip_trailing_dot(domain);
    const error e = detail::email_check_domain(domain, local.length + 1);
    if (e.code != errc::ok) return result<email_reference>(e);

    email_reference r;
    for (std::size_t i = 0; i < local.length; ++i) r.local_[i] = s[i];
    for (std::size_t i = 0; i < domain.size(); ++i) r.domain_[i] = detail::to_ascii_lower(domain[i]);
    r.local_len_ = static_cast<std::uint8_t>(local.length);
    r.domain_len_ = static_cast<std::uint8_t>(domain.size());
    return r;
}

/// Does a presented rfc822Name (RFC 5280 §4.2.1.6) name `ref`? The local part must be
/// byte-identical (RFC 5321 §2.4: only the receiving host may interpret it); the domain
/// equal ignoring ASCII case, one trailing dot on the presented domain ignored. A value with
/// a NUL byte, without an '@', or with a second '@' outside a quoted local part never
/// matches, so "victim@example.com\0@evil.example" cannot pass as the victim.
///
/// Also serves RFC 8398 SmtpUTF8Mailbox values whose domain is ASCII: their UTF-8 local
/// part is compared byte for byte as RFC 8398 §5 requires.
constexpr bool match_email(std::string_view presented, const email_reference& ref) noexcept {
    // A default-constructed reference names no mailbox; "@" must not match it.
    if (ref.domain().empty()) return false;
    // The reference was validated when parsed, so a presented value that is its local part
    // byte for byte, '@', and its domain ASCII-case-folded (one trailing dot allowed) holds
    // no NUL and no other separating '@', even with a quoted local part: the rules above
    // follow, and only this one length can match.
    const std::size_t local = ref.local_part().size();
    const std::size_t length = local + 1 + ref.domain().size();
    if (presented.size() == length + 1 && presented.back() == '.') presented.remove_suffix(1);
    if (presented.size() != length || presented[local] != '@') return false;
    return presented.substr(0, local) == ref.local_part() &&
           detail::equals_folded(presented.substr(local + 1), ref.domain());
}

SVCID_END_NAMESPACE

#endif
