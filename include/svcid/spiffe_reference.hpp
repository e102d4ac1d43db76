// svcid/spiffe_reference.hpp — SPIFFE references for mutual TLS: one workload, any
// workload of a trust domain, or the workloads under a path.
//
// An X509-SVID carries its SPIFFE ID as its one URI SAN (X509-SVID §2); a certificate with
// more than one URI SAN is no SVID and never matches (enforced by the matcher).
#ifndef SVCID_SPIFFE_REFERENCE_HPP
#define SVCID_SPIFFE_REFERENCE_HPP

#include "config.hpp"
#include "result.hpp"
#include "syntax/spiffe.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

SVCID_BEGIN_NAMESPACE

/// Which presented SPIFFE IDs a spiffe_reference accepts.
enum class spiffe_match : std::uint8_t {
    exact,         ///< this ID only
    trust_domain,  ///< any ID in the trust domain (the path is ignored)
    path_prefix,   ///< this ID and those below its path, on segment boundaries
};

/// A SPIFFE ID the application accepts, with a matching mode, validated once when made.
///
/// Ownership: an ID of up to `inline_capacity` octets (nearly every real one) is copied
/// into the object, so it outlives the string it was made from (make_spiffe_reference).
/// A longer ID, up to the 2048 octets SPIFFE ID §2.3 allows, is not copied: it is viewed
/// in a buffer the caller owns and keeps alive and unchanged while the reference, or any
/// copy of it, is in use (view_spiffe_reference). This keeps the object, and the
/// svcid::reference that holds it, small enough to copy into per-connection state.
/// No heap; trivially copyable; alignment 1, so a reference's union stays unpadded.
class spiffe_reference {
public:
    /// The longest ID held inline; make_spiffe_reference refuses longer ones with
    /// `spiffe_id_needs_view`.
    static constexpr std::size_t inline_capacity = 314;

    constexpr spiffe_reference() noexcept = default;

    /// The reference as a SPIFFE ID view (into this object, or the caller's buffer).
    constexpr spiffe_id id() const noexcept { return *parse_spiffe_id(text()); }
    /// The SPIFFE ID as given.
    constexpr std::string_view text() const noexcept {
        return {viewed_ ? external() : storage_, length()};
    }
    /// "prod.example", kept from the one validation (no re-parse per match).
    constexpr std::string_view trust_domain() const noexcept { return text().substr(scheme_len, td_len_); }
    /// "" or "/seg/...", kept from the one validation.
    constexpr std::string_view path() const noexcept { return text().substr(scheme_len + td_len_); }
    /// Which presented IDs it accepts.
    constexpr spiffe_match mode() const noexcept { return mode_; }
    /// Whether the ID lives in a caller-owned buffer (view_spiffe_reference).
    constexpr bool is_view() const noexcept { return viewed_; }

private:
    friend constexpr result<spiffe_reference> make_spiffe_reference(std::string_view, spiffe_match) noexcept;
    friend inline result<spiffe_reference> view_spiffe_reference(std::string_view, spiffe_match) noexcept;
    static constexpr std::size_t scheme_len = 9;  // "spiffe://"

    constexpr std::size_t length() const noexcept { return std::size_t{len_hi_} << 8 | len_lo_; }
    // The pointer of a viewed ID lives in the first octets of storage_: a pointer member
    // would align the object to 8 and grow every svcid::reference by 8 octets.
    const char* external() const noexcept {
        const char* p = nullptr;
        std::memcpy(&p, storage_, sizeof p);
        return p;
    }

    char storage_[inline_capacity] = {};
    std::uint8_t len_lo_ = 0, len_hi_ = 0;  // two octets (a uint16_t would align to 2), low first: one load on little-endian CPUs
    std::uint8_t td_len_ = 0;               // trust domain length, at most 255 (§2.3)
    spiffe_match mode_ = spiffe_match::exact;
    bool viewed_ = false;
};

/// Validates `text` as a SPIFFE ID (SPIFFE ID §2) and copies it, with a matching mode.
/// An ID longer than spiffe_reference::inline_capacity gets `spiffe_id_needs_view`: keep
/// it in a buffer of your own and call view_spiffe_reference().
///
/// ```
/// auto payments = svcid::make_spiffe_reference("spiffe://prod.example/ns/payments",
///                                              svcid::spiffe_match::path_prefix);
/// auto anyone = svcid::make_spiffe_reference("spiffe://prod.example", svcid::spiffe_match::trust_domain);
/// ```
/// noexcept; no heap.
constexpr result<spiffe_reference> make_spiffe_reference(std::string_view text,
                                                         spiffe_match mode = spiffe_match::exact) noexcept {
    auto id = parse_spiffe_id(text);
    if (!id) return id.error();
    if (text.size() > spiffe_reference::inline_capacity)
        return {errc::spiffe_id_needs_view, spiffe_reference::inline_capacity};
    spiffe_reference ref;
    for (std::size_t i = 0; i < text.size(); ++i) ref.storage_[i] = text[i];
    ref.len_hi_ = static_cast<std::uint8_t>(text.size() >> 8);
    ref.len_lo_ = static_cast<std::uint8_t>(text.size() & 0xFF);
    ref.td_len_ = static_cast<std::uint8_t>(id->trust_domain().size());
    ref.mode_ = mode;
    return ref;
}

/// Validates `text` as a SPIFFE ID, of any valid length (up to 2048 octets), and views it
/// without copying: the caller owns `text`'s bytes and keeps them alive and unchanged
/// while the reference or a copy of it is in use (a configuration string that outlives
/// the TLS context). noexcept; no heap; not constexpr (it stores a pointer).
inline result<spiffe_reference> view_spiffe_reference(std::string_view text,
                                                      spiffe_match mode = spiffe_match::exact) noexcept {
    auto id = parse_spiffe_id(text);
    if (!id) return id.error();
    spiffe_reference ref;
    const char* p = text.data();
    std::memcpy(ref.storage_, &p, sizeof p);
    ref.len_hi_ = static_cast<std::uint8_t>(text.size() >> 8);
    ref.len_lo_ = static_cast<std::uint8_t>(text.size() & 0xFF);
    ref.td_len_ = static_cast<std::uint8_t>(id->trust_domain().size());
    ref.mode_ = mode;
    ref.viewed_ = true;
    return ref;
}

namespace detail {

/// match_spiffe() for the trust_domain and path_prefix modes: the presented ID is parsed,
/// so this part is kept out of the per-entry loop.
constexpr bool match_spiffe_within(std::string_view presented_uri, const spiffe_reference& ref) noexcept {
    const std::string_view text = ref.text();
    // "spiffe://" and the trust domain, then the path or nothing.
    const std::size_t authority = text.size() - ref.path().size();
    if (presented_uri.size() < authority || presented_uri.substr(0, authority) != text.substr(0, authority) ||
        (presented_uri.size() > authority && presented_uri[authority] != '/'))
        return false;
    const auto p = parse_spiffe_id(presented_uri);
    if (!p) return false;
    if (ref.mode() == spiffe_match::trust_domain) return true;
    const std::string_view path = p->path(), want = ref.path();
    return path.substr(0, want.size()) == want && (path.size() == want.size() || path[want.size()] == '/');
}

} // namespace detail

/// Compares one presented URI SAN with the reference, in its mode. The presented value
/// must itself be a valid SPIFFE ID. For `exact` that needs no parse: the reference was
/// validated when made and SPIFFE IDs compare as bytes (SPIFFE ID §2.1 allows no upper
/// case in the trust domain), so the same bytes are the same valid ID. The other modes
/// refuse a presented ID of another trust domain by its prefix before parsing it.
/// noexcept; no heap; constexpr. Always inlined: an exact ID (the common allow-list entry)
/// is a length test and a compare per URI SAN.
SVCID_HOT_INLINE constexpr bool match_spiffe(std::string_view presented_uri, const spiffe_reference& ref) noexcept {
    const std::string_view text = ref.text();
    if (text.empty()) return false;
    if (ref.mode() == spiffe_match::exact) return presented_uri == text;
    return detail::match_spiffe_within(presented_uri, ref);
}

SVCID_END_NAMESPACE

#endif
