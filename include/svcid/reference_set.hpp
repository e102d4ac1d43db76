// svcid/reference_set.hpp — a prepared allow-list of many reference identities, matched
// at a cost that does not grow with the number of references.
//
// match_any() compares every reference with every presented name: fine for a handful,
// not for a mesh server admitting 100,000 workloads. A reference_set is built once (it
// allocates, like any container) and then each presented name costs a few hash lookups
// (one per label or path segment of that name at most), whatever the set's size.
// Matching allocates nothing and never throws. Only the subjectAltName is read: the set
// never falls back to the subject CN (RFC 9525 §6.3 never does).
#ifndef SVCID_REFERENCE_SET_HPP
#define SVCID_REFERENCE_SET_HPP

#include "config.hpp"
#include "detail/ascii.hpp"
#include "dns_id.hpp"
#include "dns_reference.hpp"
#include "email.hpp"
#include "ip_reference.hpp"
#include "match.hpp"
#include "presented.hpp"
#include "public_suffix.hpp"
#include "spiffe_reference.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

SVCID_BEGIN_NAMESPACE

/// What a reference_set match found: the presented identifier that matched, if any.
struct set_match_result {
    /// True when the certificate names the reference.
    bool matched = false;
    san_state san = san_state::absent;  ///< `malformed` never matches
    presented_id presented{};           ///< the matching identifier (views into the certificate)
    /// True when there is a value (or a match).
    constexpr explicit operator bool() const noexcept { return matched; }
};

/// A set of reference identities: exact DNS names, DNS names strictly under a
/// wildcard-free suffix, exact SPIFFE IDs, SPIFFE trust domains, SPIFFE path prefixes, IP
/// addresses and e-mail addresses. Any one of them matching admits the certificate.
///
/// Ownership: the set copies every key it is given and does not refer to the caller's
/// strings. The add functions allocate (std::bad_alloc propagates) and return false for a
/// reference that names nothing (default-constructed) or a key too long to index. Matching
/// is noexcept, allocation-free and safe from several threads once building is over.
///
/// ```
/// svcid::reference_set allowed;
/// allowed.add(*svcid::make_spiffe_reference("spiffe://prod.example/ns/payments"));
/// allowed.add_dns_suffix(*svcid::parse_dns_reference("svc.internal"));
/// if (allowed.match(svcid::openssl_certificate{peer})) admit();
/// ```
class reference_set {
public:
    /// Adds an exact DNS reference (presented wildcards match it as RFC 9525 §6.3 allows).
    bool add(const dns_reference& r) {
        if (r.name().empty()) return false;
        return insert(kind::dns_exact, r.name()) && insert(kind::dns_parent, r.after_first_label());
    }
    /// Adds every DNS name strictly below `suffix` ("svc.internal" admits "a.svc.internal"
    /// and "*.svc.internal", not "svc.internal" itself).
    bool add_dns_suffix(const dns_reference& suffix) {
        return !suffix.name().empty() && insert(kind::dns_suffix, suffix.name());
    }
    /// Adds a SPIFFE reference in its mode (exact, trust domain or path prefix).
    bool add(const spiffe_reference& r) {
        if (r.text().empty()) return false;
        switch (r.mode()) {
        case spiffe_match::trust_domain: return insert(kind::spiffe_td, r.trust_domain());
        case spiffe_match::path_prefix: return insert(kind::spiffe_prefix, r.text());
        case spiffe_match::exact: break;
        }
        return insert(kind::spiffe_exact, r.text());
    }
    /// Adds an IP address (compared as octets, RFC 9525 §6.4).
    bool add(const ip_reference& r) { return r.size() != 0 && insert(kind::ip, r.octets()); }
    /// Adds a mailbox (local part exact, domain ignoring ASCII case, as match_email()).
    bool add(const email_reference& r) {
        if (r.domain().empty()) return false;
        std::string key(r.local_part());
        key += '@';
        key += r.domain();
        return insert(kind::email, key);
    }

    /// Number of keys held (an exact DNS name counts twice: itself and its parent).
    std::size_t size() const noexcept { return count_; }

    /// Feeds every key, with its kind and where it starts and ends, to
    /// `put(const void*, std::size_t)`: two sets that could judge a certificate differently
    /// never give the same bytes (the TLS layers digest them, through identity_policy, into
    /// the session id context). Keys are delimited by their slots' offsets and lengths, since
    /// an address key may hold any octet. noexcept; no heap.
    template <class Sink>
    void serialise(Sink&& put) const noexcept {
        const std::uint64_t sizes[] = {count_, keys_.size()};
        put(sizes, sizeof sizes);
        if (!keys_.empty()) put(keys_.data(), keys_.size());
        for (const slot& s : slots_) {
            if (s.offset == 0) continue;
            const std::uint32_t bounds[] = {s.offset, s.length};
            put(bounds, sizeof bounds);
        }
    }

    /// Does any presented identifier of `certificate` match a reference of the set? A
    /// malformed subjectAltName never matches; a certificate with more than one URI SAN is
    /// no X509-SVID and matches no SPIFFE reference (X509-SVID §2). noexcept; no heap.
    template <class Adapter>
    set_match_result match(const Adapter& certificate) const noexcept {
        static_assert(detail::check_adapter<Adapter>(), "");
        set_match_result out;
        visitor v{*this, out};
        out.san = certificate.visit_subject_alt_names(v);
        if (out.san == san_state::malformed || (v.spiffe_found && v.uris > 1)) {
            out.matched = false;
            out.presented = {};
        }
        return out;
    }

private:
    enum class kind : std::uint8_t { dns_exact, dns_parent, dns_suffix, spiffe_exact, spiffe_td, spiffe_prefix, ip, email };
    struct slot {
        std::uint32_t hash = 0;
        std::uint32_t offset = 0;  // into keys_, of the kind octet; 0 marks an empty slot
        std::uint32_t length = 0;
    };

    // FNV-1a over the kind and the key: cheap for short keys, no allocation.
    static std::uint32_t hash_of(kind k, std::string_view key) noexcept {
        std::uint32_t h = 2166136261u ^ static_cast<std::uint8_t>(k);
        h *= 16777619u;
        for (char c : key) {
            h ^= static_cast<std::uint8_t>(c);
            h *= 16777619u;
        }
        return h;
    }

    bool contains(kind k, std::string_view key) const noexcept {
        if (slots_.empty()) return false;
        const std::uint32_t h = hash_of(k, key);
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t i = h & mask;; i = (i + 1) & mask) {
            const slot& s = slots_[i];
            if (s.offset == 0) return false;
            if (s.hash == h && s.length == key.size() && keys_[s.offset] == static_cast<char>(k) &&
                std::string_view(keys_.data() + s.offset + 1, s.length) == key)
                return true;
        }
    }

    bool insert(kind k, std::string_view key) {
        if (key.size() > 0xFFFF || keys_.size() + key.size() + 2 > 0xFFFFFFF0u) return false;
        if (contains(k, key)) return true;
        if ((count_ + 1) * 2 > slots_.size()) rehash(slots_.empty() ? 16 : slots_.size() * 2);
        if (keys_.empty()) keys_.push_back('\0');  // offset 0 stays the empty mark
        slot s;
        s.hash = hash_of(k, key);
        s.offset = static_cast<std::uint32_t>(keys_.size());
        s.length = static_cast<std::uint32_t>(key.size());
        keys_.push_back(static_cast<char>(k));
        keys_.append(key.data(), key.size());
        place(slots_, s);
        ++count_;
        return true;
    }

    static void place(std::vector<slot>& table, const slot& s) noexcept {
        const std::size_t mask = table.size() - 1;
        std::size_t i = s.hash & mask;
        while (table[i].offset != 0) i = (i + 1) & mask;
        table[i] = s;
    }

    void rehash(std::size_t capacity) {
        std::vector<slot> bigger(capacity);
        for (const slot& s : slots_)
            if (s.offset != 0) place(bigger, s);
        slots_.swap(bigger);
    }

    // DNS: the presented name is validated as a reference would be (ASCII only, LDH,
    // A-labels checked) and lower-cased, so the lookups are byte comparisons.
    bool match_dns(std::string_view presented) const noexcept {
        for (char c : presented)
            if (static_cast<unsigned char>(c) >= 0x80) return false;
        const bool wildcard = presented.size() > 2 && presented[0] == '*' && presented[1] == '.';
        const auto name = detail::parse_dns_name(wildcard ? presented.substr(2) : presented, false);
        if (!name) return false;
        const std::string_view n = name->name();
        if (wildcard) {
            // RFC 9525 §6.3: "*" stands for exactly one left-most label, above enough labels,
            // and not directly under a public suffix rfc9525 refuses (policy.hpp).
            if (name->label_count() < rfc9525::min_labels_after_wildcard) return false;
            public_suffix_sections sections = public_suffix_sections::icann;
            if (detail::refused_suffix_sections<rfc9525>(sections) && is_public_suffix(n, sections)) return false;
            if (contains(kind::dns_parent, n) || contains(kind::dns_suffix, n)) return true;
        } else if (contains(kind::dns_exact, n)) {
            return true;
        }
        for (std::size_t dot = n.find('.'); dot != std::string_view::npos; dot = n.find('.', dot + 1))
            if (contains(kind::dns_suffix, n.substr(dot + 1))) return true;
        return false;
    }

    bool match_spiffe_uri(std::string_view presented) const noexcept {
        const auto id = parse_spiffe_id(presented);
        if (!id) return false;
        if (contains(kind::spiffe_exact, presented) || contains(kind::spiffe_td, id->trust_domain())) return true;
        // A prefix admits itself and the IDs below it on segment boundaries.
        const std::size_t path_at = presented.size() - id->path().size();
        if (contains(kind::spiffe_prefix, presented.substr(0, path_at))) return true;
        for (std::size_t i = path_at + 1; i <= presented.size(); ++i)
            if ((i == presented.size() || presented[i] == '/') && contains(kind::spiffe_prefix, presented.substr(0, i)))
                return true;
        return false;
    }

    // The same acceptance as match_email(): no NUL, one '@' outside a quoted local part,
    // the domain compared lower-cased without one trailing dot.
    bool match_mailbox(std::string_view presented) const noexcept {
        for (char c : presented)
            if (c == '\0') return false;
        std::size_t at = 0;
        if (!presented.empty() && presented[0] == '"') {
            at = 1;
            while (at < presented.size() && presented[at] != '"') at += presented[at] == '\\' ? 2 : 1;
            if (at >= presented.size()) return false;
            ++at;
            if (at == presented.size() || presented[at] != '@') return false;
        } else {
            while (at < presented.size() && presented[at] != '@') ++at;
            if (at == presented.size()) return false;
        }
        const std::string_view domain = detail::strip_trailing_dot(presented.substr(at + 1));
        if (at > email_reference::max_local_len || domain.empty() || domain.size() > email_reference::max_domain_len)
            return false;
        char key[email_reference::max_local_len + 1 + email_reference::max_domain_len];
        std::size_t k = 0;
        for (std::size_t i = 0; i < at; ++i) key[k++] = presented[i];
        key[k++] = '@';
        for (char c : domain) {
            if (c == '@') return false;
            key[k++] = detail::to_ascii_lower(c);
        }
        return contains(kind::email, std::string_view(key, k));
    }

    struct visitor {
        const reference_set& set;
        set_match_result& out;
        std::size_t uris = 0;
        bool spiffe_found = false;

        visit operator()(const presented_id& id) noexcept {
            bool hit = false;
            switch (id.kind) {
            case presented_kind::dns_name: hit = set.match_dns(id.value); break;
            case presented_kind::ip_address: hit = set.contains(kind::ip, id.value); break;
            case presented_kind::rfc822_name:
            case presented_kind::smtp_utf8_mailbox: hit = set.match_mailbox(id.value); break;
            case presented_kind::uri:
                // Every URI is counted, so a second one voids an SVID match found earlier.
                ++uris;
                if (!out.matched && set.match_spiffe_uri(id.value)) {
                    spiffe_found = true;
                    hit = true;
                }
                break;
            default: break;
            }
            if (hit && !out.matched) {
                out.matched = true;
                out.presented = id;
            }
            // Keep walking after a SPIFFE hit: only the whole SAN says whether it is an SVID.
            return out.matched && !spiffe_found ? visit::stop : visit::next;
        }
    };

    std::vector<slot> slots_;
    std::string keys_;
    std::size_t count_ = 0;
};

SVCID_END_NAMESPACE

#endif
