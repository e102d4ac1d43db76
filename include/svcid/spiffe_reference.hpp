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
#include <string_view>

SVCID_BEGIN_NAMESPACE

/// Which presented SPIFFE IDs a spiffe_reference accepts.
enum class spiffe_match : std::uint8_t {
    exact,         ///< this ID only
    trust_domain,  ///< any ID in the trust domain (the path is ignored)
    path_prefix,   ///< this ID and those below its path, on segment boundaries
};

/// A SPIFFE ID the application accepts, with a matching mode.
///
/// Ownership: the ID is copied into the object's inline storage (2048 octets, the SPIFFE
/// ID limit), so it outlives the string it was made from; no heap. Trivially copyable.
class spiffe_reference {
public:
    constexpr spiffe_reference() noexcept = default;

    /// The reference as a SPIFFE ID view into this object (valid while it lives).
    constexpr spiffe_id id() const noexcept { return *parse_spiffe_id(text()); }
    /// The SPIFFE ID as given, a view into this object.
    constexpr std::string_view text() const noexcept { return {storage_, length_}; }
    /// Which presented IDs it accepts.
    constexpr spiffe_match mode() const noexcept { return mode_; }

private:
    friend constexpr result<spiffe_reference> make_spiffe_reference(std::string_view, spiffe_match) noexcept;

    char storage_[spiffe_id::max_len] = {};
    std::uint16_t length_ = 0;
    spiffe_match mode_ = spiffe_match::exact;
};

/// Validates `text` as a SPIFFE ID (SPIFFE ID §2) and keeps it with a matching mode.
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
    spiffe_reference ref;
    for (std::size_t i = 0; i < text.size(); ++i) ref.storage_[i] = text[i];
    ref.length_ = static_cast<std::uint16_t>(text.size());
    ref.mode_ = mode;
    return ref;
}

/// Compares one presented URI SAN with the reference, in its mode. The presented value
/// must itself be a valid SPIFFE ID. noexcept; no heap; constexpr.
constexpr bool match_spiffe(std::string_view presented_uri, const spiffe_reference& ref) noexcept {
    if (ref.text().empty()) return false;
    const spiffe_id want = ref.id();
    switch (ref.mode()) {
    case spiffe_match::trust_domain: return match_spiffe_trust_domain(presented_uri, want.trust_domain());
    case spiffe_match::path_prefix: return match_spiffe_path_prefix(presented_uri, want);
    case spiffe_match::exact: break;
    }
    return match_spiffe_id(presented_uri, want);
}

SVCID_END_NAMESPACE

#endif
