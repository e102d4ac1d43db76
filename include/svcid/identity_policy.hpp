// svcid/identity_policy.hpp — what a TLS peer must be, decided once and shared by every
// connection that asks.
//
// A server that admits clients by SPIFFE ID, or a client pool that talks to one service,
// asks the same question on every handshake. identity_policy holds the answer's inputs —
// the reference identities, the matching rules, how the references combine — in one
// immutable, reference-counted block made once (one allocation, at configuration time).
// Copies share that block; no copy is made per connection, and nothing in it changes
// after make(), so any number of threads may check against it at once.
//
// It knows no TLS library: the OpenSSL, GnuTLS and mbedTLS layers hang it on their own
// context objects and call check() from inside the handshake.
#ifndef SVCID_IDENTITY_POLICY_HPP
#define SVCID_IDENTITY_POLICY_HPP

#include "config.hpp"
#include "explain.hpp"
#include "match.hpp"
#include "policy.hpp"
#include "reference.hpp"
#include "reference_set.hpp"
#include "spiffe_reference.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <new>
#include <string_view>

SVCID_BEGIN_NAMESPACE

/// Which rules a policy matches with (policy.hpp): the default is RFC 9525's; web_pki adds
/// the Web PKI leaf profile (svcid::web_pki).
enum class verify_rules : std::uint8_t { rfc9525, rfc6125, web_pki };

/// How a policy's references combine (reference.hpp): any one of them must match (an
/// allow-list), or every obligatory one and each optional one whose type is presented.
enum class verify_match : std::uint8_t { any_of, all_of };

/// Why identity_policy::make() gave no policy.
enum class policy_error : std::uint8_t {
    none,
    /// Memory ran out: nothing was made, and whatever checks with the empty policy refuses.
    out_of_memory,
    /// `refs` was null with a non-zero count.
    null_references,
};

/// An immutable identity policy, shared by reference counting.
///
/// A policy holds a list of references, matched in turn (match_any or match_all), or — for
/// allow-lists of thousands of identities — a reference_set, matched at a cost that does not
/// grow with its size (reference_set.hpp).
///
/// Ownership: make() copies the references into a block the policy owns, including the
/// text of SPIFFE IDs that were only viewed (view_spiffe_reference), so the caller's array
/// and buffers need not outlive the call. Copying an identity_policy shares the block (an
/// atomic increment); the last copy frees it. An empty policy (default-constructed, or a
/// failed make()) has no block; checking with it refuses, as does a policy with no
/// reference (`match_status::no_reference`: a verifier with nothing to compare must never
/// accept — mbedTLS CVE-2025-27809, EDK2 CVE-2019-14553).
///
/// ```
/// const svcid::reference allowed[] = {
///     *svcid::make_spiffe_reference("spiffe://prod.example/ns/payments", svcid::spiffe_match::path_prefix),
///     *svcid::parse_dns_reference("backup.internal")};
/// const svcid::identity_policy policy = svcid::identity_policy::make(allowed);
/// if (!policy) fail(policy.error());
/// ```
/// Copy, move, check() and explain() are noexcept and allocation-free.
class identity_policy {
public:
    /// An empty policy: refuses every certificate.
    identity_policy() noexcept = default;
    /// Shares `other`'s block.
    identity_policy(const identity_policy& other) noexcept : block_(other.block_), error_(other.error_) { retain(); }
    /// Takes `other`'s block; `other` becomes empty.
    identity_policy(identity_policy&& other) noexcept : block_(other.block_), error_(other.error_) {
        other.block_ = nullptr;
    }
    /// Shares `other`'s block.
    identity_policy& operator=(const identity_policy& other) noexcept {
        identity_policy copy(other);
        swap(copy);
        return *this;
    }
    /// Takes `other`'s block.
    identity_policy& operator=(identity_policy&& other) noexcept {
        identity_policy moved(static_cast<identity_policy&&>(other));
        swap(moved);
        return *this;
    }
    ~identity_policy() { release(); }

    /// Makes a policy from `count` references: one allocation (two when SPIFFE IDs were
    /// viewed, whose text is copied). On failure the policy is empty and error() says why.
    [[nodiscard]] static identity_policy make(const reference* refs, std::size_t count,
                                              verify_rules rules = verify_rules::rfc9525,
                                              verify_match combination = verify_match::any_of) noexcept {
        identity_policy out;
        if (refs == nullptr && count != 0) {
            out.error_ = policy_error::null_references;
            return out;
        }
        std::size_t viewed_text = 0;
        for (std::size_t i = 0; i < count; ++i) viewed_text += viewed_spiffe_text(refs[i]).size();
        // One block: the header, then the references, then the copied SPIFFE texts.
        const std::size_t refs_at = round_up(sizeof(block), alignof(reference));
        const std::size_t text_at = refs_at + count * sizeof(reference);
        auto* raw = static_cast<unsigned char*>(::operator new(text_at + viewed_text, std::nothrow));
        if (raw == nullptr) {
            out.error_ = policy_error::out_of_memory;
            return out;
        }
        auto* b = new (raw) block{};
        b->count = count;
        b->rules = rules;
        b->combination = combination;
        auto* copied = reinterpret_cast<reference*>(raw + refs_at);
        char* text = reinterpret_cast<char*>(raw + text_at);
        for (std::size_t i = 0; i < count; ++i) {
            const std::string_view viewed = viewed_spiffe_text(refs[i]);
            if (viewed.empty()) {
                new (copied + i) reference(refs[i]);
                continue;
            }
            for (std::size_t k = 0; k < viewed.size(); ++k) text[k] = viewed[k];
            const spiffe_reference& original = refs[i].visit(spiffe_of{});
            // The copy re-validates text that already passed: it cannot fail.
            new (copied + i)
                reference(*view_spiffe_reference(std::string_view(text, viewed.size()), original.mode()),
                          refs[i].required());
            text += viewed.size();
        }
        b->refs = copied;
        out.block_ = b;
        return out;
    }
    /// Makes a policy from a prepared allow-list, moved into the policy's block (one
    /// allocation; the set's own tables move, they are not copied). The set's rules apply:
    /// RFC 9525's, subjectAltName only, any one entry admits. A set with no entry refuses
    /// everything (`match_status::no_reference`). On failure the policy is empty and
    /// error() says why.
    ///
    /// ```
    /// svcid::reference_set allowed;
    /// for (const auto& id : workload_ids) allowed.add(*svcid::make_spiffe_reference(id));
    /// const auto policy = svcid::identity_policy::make(std::move(allowed));
    /// ```
    [[nodiscard]] static identity_policy make(reference_set&& set) noexcept {
        identity_policy out;
        const std::size_t set_at = round_up(sizeof(block), alignof(reference_set));
        auto* raw = static_cast<unsigned char*>(::operator new(set_at + sizeof(reference_set), std::nothrow));
        if (raw == nullptr) {
            out.error_ = policy_error::out_of_memory;
            return out;
        }
        auto* b = new (raw) block{};
        b->set = new (raw + set_at) reference_set(static_cast<reference_set&&>(set));
        out.block_ = b;
        return out;
    }
    /// make() over a built-in array.
    template <std::size_t N>
    [[nodiscard]] static identity_policy make(const reference (&refs)[N], verify_rules rules = verify_rules::rfc9525,
                                              verify_match combination = verify_match::any_of) noexcept {
        return make(refs, N, rules, combination);
    }
    /// make() over a braced list: `identity_policy::make({*parse_dns_reference("a.example")})`.
    [[nodiscard]] static identity_policy make(std::initializer_list<reference> refs,
                                              verify_rules rules = verify_rules::rfc9525,
                                              verify_match combination = verify_match::any_of) noexcept {
        return make(refs.begin(), refs.size(), rules, combination);
    }

    /// Whether the policy holds a block (it may still hold no reference, and refuse).
    explicit operator bool() const noexcept { return block_ != nullptr; }
    /// Why make() failed; policy_error::none for a policy that holds a block.
    policy_error error() const noexcept { return block_ != nullptr ? policy_error::none : error_; }

    /// The references, in the order given (match_result::reference_index indexes them).
    const reference* references() const noexcept { return block_ != nullptr ? block_->refs : nullptr; }
    /// How many references the policy holds (0 for a policy made from a reference_set).
    std::size_t size() const noexcept { return block_ != nullptr ? block_->count : 0; }
    /// The allow-list of a policy made from a reference_set, or nullptr.
    const reference_set* set() const noexcept { return block_ != nullptr ? block_->set : nullptr; }
    /// Whether the policy refuses every certificate for want of a reference: no block, no
    /// reference and no set entry.
    bool empty() const noexcept { return size() == 0 && (set() == nullptr || set()->size() == 0); }
    /// The matching rules.
    verify_rules rules() const noexcept { return block_ != nullptr ? block_->rules : verify_rules::rfc9525; }
    /// How the references combine.
    verify_match combination() const noexcept { return block_ != nullptr ? block_->combination : verify_match::any_of; }
    /// Whether `other` shares this policy's block (the same policy, not an equal one).
    bool same_as(const identity_policy& other) const noexcept { return block_ == other.block_; }

    /// Judges a certificate: match_any or match_all of the references under the rules, or
    /// the reference_set's match (`reference_index` then names no reference: it is
    /// `static_cast<std::size_t>(-1)`). `match_status::no_reference` for an empty policy or
    /// one with no reference or set entry.
    /// noexcept; no heap.
    template <class Adapter>
    SVCID_HOT_INLINE match_result check(const Adapter& certificate) const noexcept {
        // One reference (a client that expects one server) is what most handshakes check:
        // any-of is then match() itself, without the list's bookkeeping. (All-of is not: it
        // reports a presented optional reference that fails as optional_not_matched.)
        if (block_ != nullptr && block_->count == 1 && block_->combination == verify_match::any_of) {
            switch (block_->rules) {
            case verify_rules::rfc6125: return match<rfc6125>(certificate, block_->refs[0]);
            case verify_rules::web_pki: return match<web_pki>(certificate, block_->refs[0]);
            case verify_rules::rfc9525: break;
            }
            return match<rfc9525>(certificate, block_->refs[0]);
        }
        return check_general(certificate);
    }

    /// Explains a check's outcome into `out` (explain.hpp), at most `size` bytes, NUL
    /// included; returns the length the whole explanation needs. A refused any-of list is
    /// explained reference by reference (each one re-matched: this is the diagnostic path,
    /// run on demand, never in the handshake). noexcept; no heap.
    template <class Adapter>
    std::size_t explain(const Adapter& certificate, const match_result& outcome, char* out,
                        std::size_t size) const noexcept {
        if (block_ != nullptr && block_->set != nullptr) return explain_set(certificate, outcome, out, size);
        switch (rules()) {
        case verify_rules::rfc6125: return explain_with<rfc6125>(certificate, outcome, out, size);
        case verify_rules::web_pki: return explain_with<web_pki>(certificate, outcome, out, size);
        case verify_rules::rfc9525: break;
        }
        return explain_with<rfc9525>(certificate, outcome, out, size);
    }

    /// Feeds every input that decides a verdict to `put(const void*, std::size_t)`, each
    /// field typed and length-prefixed, so two policies that could judge a certificate
    /// differently never give the same bytes. The TLS layers digest it into the session id
    /// context, which keeps a session from resuming under another policy.
    template <class Sink>
    void serialise(Sink&& put) const noexcept {
        const unsigned char header[] = {'s', 'v', 'c', 'i', 'd', '-', 'p', '1', static_cast<unsigned char>(rules()),
                                        static_cast<unsigned char>(combination())};
        put(header, sizeof header);
        auto text = [&](std::string_view v) noexcept {
            const std::uint64_t n = v.size();
            put(&n, sizeof n);
            if (!v.empty()) put(v.data(), v.size());
        };
        for (std::size_t i = 0; i < size(); ++i) {
            const reference& r = block_->refs[i];
            const unsigned char kind[] = {static_cast<unsigned char>(r.type()), static_cast<unsigned char>(r.required())};
            put(kind, sizeof kind);
            r.visit([&](const auto& typed) noexcept { serialise_typed(typed, text); });
        }
        if (set() != nullptr) {
            const unsigned char mark[] = {'s', 'e', 't'};
            put(mark, sizeof mark);
            set()->serialise(put);
        }
    }

    /// Exchanges two policies.
    void swap(identity_policy& other) noexcept {
        block* b = block_;
        block_ = other.block_;
        other.block_ = b;
        const policy_error e = error_;
        error_ = other.error_;
        other.error_ = e;
    }

private:
    struct block {
        std::atomic<std::size_t> uses{1};
        std::size_t count = 0;
        const reference* refs = nullptr;
        verify_rules rules = verify_rules::rfc9525;
        verify_match combination = verify_match::any_of;
        reference_set* set = nullptr;  // make(reference_set&&): placed after the block, in its allocation
    };
    struct spiffe_of {
        const spiffe_reference& operator()(const spiffe_reference& r) const noexcept { return r; }
        template <class Other>
        const spiffe_reference& operator()(const Other&) const noexcept {
            static const spiffe_reference none;
            return none;
        }
    };

    static constexpr std::size_t round_up(std::size_t n, std::size_t to) noexcept { return (n + to - 1) / to * to; }

    static std::string_view viewed_spiffe_text(const reference& r) noexcept {
        if (r.type() != reference_type::spiffe) return {};
        const spiffe_reference& s = r.visit(spiffe_of{});
        return s.is_view() ? s.text() : std::string_view();
    }

    template <class Adapter>
    match_result check_general(const Adapter& certificate) const noexcept {
        if (block_ == nullptr) return match_result{};
        if (block_->set != nullptr) return check_set(certificate);
        if (block_->count == 0) return match_result{};
        switch (block_->rules) {
        case verify_rules::rfc6125: return check_with<rfc6125>(certificate);
        case verify_rules::web_pki: return check_with<web_pki>(certificate);
        case verify_rules::rfc9525: break;
        }
        return check_with<rfc9525>(certificate);
    }

    template <class Policy, class Adapter>
    match_result check_with(const Adapter& certificate) const noexcept {
        return block_->combination == verify_match::all_of
                   ? match_all<Policy>(certificate, block_->refs, block_->count)
                   : match_any<Policy>(certificate, block_->refs, block_->count);
    }

    template <class Policy, class Adapter>
    std::size_t explain_with(const Adapter& certificate, const match_result& outcome, char* out,
                             std::size_t size) const noexcept {
        if (block_ == nullptr || block_->count == 0) {
            detail::bounded_writer only(out, size);
            only.put(status_message(match_status::no_reference));
            return only.wanted();
        }
        if (size != 0) out[0] = '\0';
        std::size_t used = 0, wanted = 0;
        bool cut = size == 0;
        // Once one account is cut, the rest is only counted: a reader never sees a later
        // account glued to a truncated one.
        auto one = [&](const reference& ref, const match_result& r) noexcept {
            if (wanted != 0) {
                ++wanted;
                if (!cut && used + 1 < size) {
                    out[used++] = '\n';
                    out[used] = '\0';
                } else {
                    cut = true;
                }
            }
            const std::size_t room = cut ? 0 : size - used;
            const std::size_t need = ref.visit([&](const auto& typed) noexcept {
                return svcid::explain<Policy>(certificate, typed, r, room != 0 ? out + used : nullptr, room);
            });
            wanted += need;
            if (cut) return;
            if (need < room) {
                used += need;
            } else {
                used = size - 1;
                cut = true;
            }
        };
        const reference* refs = block_->refs;
        if (!outcome.matched() && block_->combination == verify_match::any_of) {
            for (std::size_t i = 0; i < block_->count; ++i) one(refs[i], svcid::match<Policy>(certificate, refs[i]));
        } else if (outcome.reference_index < block_->count) {
            one(refs[outcome.reference_index], outcome);
        }
        return wanted;
    }

    template <class Adapter>
    match_result check_set(const Adapter& certificate) const noexcept {
        match_result r;
        if (block_->set->size() == 0) return r;
        // No single reference to name: the value every TLS layer's no_reference_index has.
        r.reference_index = static_cast<std::size_t>(-1);
        const set_match_result found = block_->set->match(certificate);
        r.san = found.san;
        if (found.matched) {
            r.status = match_status::matched;
            r.presented = found.presented;
        } else if (found.san == san_state::malformed) {
            r.status = match_status::san_malformed;
        } else {
            r.status = found.san == san_state::present ? match_status::no_match : match_status::no_identifier_of_type;
        }
        return r;
    }

    // The identifiers a set is asked about, each listed as not on it (the set cannot say
    // which of its entries came closest: it hashes them).
    struct set_explain_visitor {
        detail::bounded_writer& out;
        std::size_t listed = 0;
        std::size_t unlisted = 0;

        visit operator()(const presented_id& id) noexcept {
            switch (id.kind) {
            case presented_kind::dns_name:
            case presented_kind::ip_address:
            case presented_kind::rfc822_name:
            case presented_kind::smtp_utf8_mailbox:
            case presented_kind::uri: break;
            default: return visit::next;
            }
            if (listed == explain_max_listed) {
                ++unlisted;
                return visit::next;
            }
            ++listed;
            out.put("\n  ");
            detail::put_presented(id, out);
            out.put(": not on the allow-list");
            return visit::next;
        }
    };

    template <class Adapter>
    std::size_t explain_set(const Adapter& certificate, const match_result& outcome, char* buffer,
                            std::size_t size) const noexcept {
        detail::bounded_writer out(buffer, size);
        out.put("allow-list: ");
        if (detail::put_verdict(certificate, outcome, out)) return out.wanted();
        if (outcome.status == match_status::no_match) {
            set_explain_visitor v{out};
            certificate.visit_subject_alt_names(v);
            if (v.unlisted != 0) {
                out.put("\n  and ");
                out.put_unsigned(v.unlisted);
                out.put(" more");
            }
        }
        return out.wanted();
    }

    template <class Text>
    static void serialise_typed(const dns_reference& r, Text& text) noexcept { text(r.name()); }
    template <class Text>
    static void serialise_typed(const ip_reference& r, Text& text) noexcept { text(r.octets()); }
    template <class Text>
    static void serialise_typed(const srv_reference& r, Text& text) noexcept {
        text(r.service());
        text(r.domain().name());
    }
    template <class Text>
    static void serialise_typed(const uri_reference& r, Text& text) noexcept {
        text(r.scheme());
        text(r.domain().name());
    }
    template <class Text>
    static void serialise_typed(const email_reference& r, Text& text) noexcept {
        text(r.local_part());
        text(r.domain());
    }
    template <class Text>
    static void serialise_typed(const spiffe_reference& r, Text& text) noexcept {
        const char mode = static_cast<char>(r.mode());
        text(std::string_view(&mode, 1));
        text(r.text());
    }

    void retain() const noexcept {
        if (block_ != nullptr) block_->uses.fetch_add(1, std::memory_order_relaxed);
    }
    void release() noexcept {
        if (block_ == nullptr) return;
        if (block_->uses.fetch_sub(1, std::memory_order_acq_rel) == 1) {
            if (block_->set != nullptr) block_->set->~reference_set();
            block_->~block();
            ::operator delete(static_cast<void*>(block_));
        }
        block_ = nullptr;
    }

    block* block_ = nullptr;
    policy_error error_ = policy_error::none;
};

SVCID_END_NAMESPACE

#endif
