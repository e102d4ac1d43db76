// svcid/openssl/verify.hpp — svcid as the OpenSSL verify callback, on both sides of mutual TLS.
//
// Chain validation proves who issued the peer's certificate; this header adds the second
// question — is it the peer we meant? — inside the handshake, so a wrong peer is refused
// with a verify error before any application data moves.
//
// Two ways to say what the peer must be:
// - once per SSL_CTX, for every connection made from it: set_identity_policy(ctx, policy).
//   The policy (identity_policy.hpp) is shared, not copied; svcid keeps no per-connection
//   state at all and allocates nothing per connection. After the handshake,
//   peer_outcome_of(ssl) judges the connection's current peer certificate again (the same
//   policy gives the same verdict) and says which reference it matched.
// - per SSL, overriding the context's: verify_server_host(ssl, "api.example.com"),
//   verify_server_identity(), require_client_identity(), attach_peer_identity(). These
//   attach a small state (peer_identity, at most 256 bytes) that records the check.
// peer_outcome_of(ssl) reads "none" (accepted false, no index, no value) unless the current
// peer was accepted in this connection; explain_peer() writes the explanation on demand.
//
// Fail closed: the verify mode and callback are installed before anything can fail; a
// failed attach removes any state attached before, so the callback then refuses
// (verify_error_application). svcid's callback also refuses when no policy is found, when
// the policy holds no reference (mbedTLS CVE-2025-27809, EDK2 CVE-2019-14553 were verifiers
// that silently accepted any peer when no name was configured), and when a chained callback
// replaced the state while the check ran.
//
// Session resumption (RFC 8446 §2.2, RFC 5077, RFC 5246 §7.3): a resumed handshake sends
// no certificate, so no verify callback runs. svcid therefore binds sessions to the policy:
// the session id context of every SSL it governs is the SHA-256 digest of the policy
// (references, rules, combination, chained callback) and of the address of the SSL_CTX's
// trust store, re-asserted at each handshake start. A server resumes only sessions with
// its own session id context (OpenSSL enforces this for session IDs, tickets and TLS 1.3
// PSKs), so a peer admitted under another policy runs a full handshake. A client ignores
// that field, so svcid's info callback checks the offered session at handshake start: it
// is kept only if it carries the same policy digest, its chain verify result is X509_V_OK,
// and its stored peer certificate passes the current policy; otherwise it is dropped and
// the handshake is a full one. After a resumption the outcome is the current policy's
// verdict on the session's peer certificate.
#ifndef SVCID_OPENSSL_VERIFY_HPP
#define SVCID_OPENSSL_VERIFY_HPP

#include "../config.hpp"
#include "../dns_reference.hpp"
#include "../explain.hpp"
#include "../identity_policy.hpp"
#include "../ip_reference.hpp"
#include "../match.hpp"
#include "certificate.hpp"
#include "../policy.hpp"
#include "../reference.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <new>
#include <string_view>
#include <utility>

SVCID_BEGIN_NAMESPACE

/// Where a chained user callback runs relative to svcid's check.
enum class chain_order : std::uint8_t {
    /// The user's callback sees OpenSSL's verdict first and may change it (accept a
    /// self-signed chain, say); svcid then runs at depth 0 only if the answer is 1.
    before_svcid,
    /// The user's callback runs after svcid's check and sees its verdict (preverify_ok 0
    /// and the error set on the store). It may refuse more, never accept what svcid refused.
    after_svcid,
};

/// OpenSSL's verify callback type, spelled once.
using ssl_verify_callback = int (*)(int preverify_ok, X509_STORE_CTX* store);

/// The verify error svcid sets when an SRV-ID, URI-ID or SPIFFE ID does not match, or when
/// no reference is configured: OpenSSL has no dedicated codes for those.
constexpr int verify_error_application = X509_V_ERR_APPLICATION_VERIFICATION;

/// The verify error for a mismatch of a reference of type `t`: OpenSSL's own codes for host
/// names, IP addresses and e-mail addresses (what X509_check_host & co. report), otherwise
/// verify_error_application.
constexpr int verify_error_for(reference_type t) noexcept {
    switch (t) {
    case reference_type::dns: return X509_V_ERR_HOSTNAME_MISMATCH;
    case reference_type::ip: return X509_V_ERR_IP_ADDRESS_MISMATCH;
    case reference_type::email: return X509_V_ERR_EMAIL_MISMATCH;
    case reference_type::srv:
    case reference_type::uri:
    case reference_type::spiffe: break;
    }
    return verify_error_application;
}

namespace detail {
// The verify error of a policy's refusal: the refused reference's own code, or
// verify_error_application when the policy names no single reference (none, or a
// reference_set).
inline int refusal_error(const identity_policy& policy, const match_result& r) noexcept {
    return r.reference_index < policy.size() ? verify_error_for(policy.references()[r.reference_index].type())
                                             : verify_error_application;
}
} // namespace detail

/// The reference index of an outcome that names no reference.
constexpr std::size_t no_reference_index = static_cast<std::size_t>(-1);

/// An application's own verify callback, run by svcid's (see chain_order): a plain OpenSSL
/// callback, a function with a data pointer, or any callable object the caller keeps alive.
///
/// ```
/// struct audit { int operator()(int ok, X509_STORE_CTX* store) noexcept; } log_chain;
/// svcid::verify_options options;
/// options.chained = svcid::chained_callback::of(log_chain);   // log_chain outlives the SSL_CTX
/// ```
class chained_callback {
public:
    /// A callback that receives a data pointer of the application's.
    using with_data = int (*)(int preverify_ok, X509_STORE_CTX* store, void* data);

    /// No chained callback.
    constexpr chained_callback() noexcept = default;
    /// No chained callback (`options.chained = nullptr`).
    constexpr chained_callback(std::nullptr_t) noexcept {}
    /// A plain OpenSSL verify callback.
    constexpr chained_callback(ssl_verify_callback plain) noexcept : plain_(plain) {}
    /// `fn(preverify_ok, store, data)`; `data` is the application's, never touched by svcid.
    constexpr chained_callback(with_data fn, void* data) noexcept : fn_(fn), data_(data) {}

    /// Calls `callable(preverify_ok, store)`; the object is referred to, not copied, and
    /// must outlive every SSL that may run it.
    template <class F>
    static chained_callback of(F& callable) noexcept {
        return chained_callback(&call<F>, static_cast<void*>(&callable));
    }

    /// Whether there is a callback to run.
    constexpr explicit operator bool() const noexcept { return plain_ != nullptr || fn_ != nullptr; }
    /// Runs the callback.
    int operator()(int preverify_ok, X509_STORE_CTX* store) const noexcept {
        return plain_ != nullptr ? plain_(preverify_ok, store) : fn_(preverify_ok, store, data_);
    }

    /// Feeds the callback's identity to `put` (for the session digest).
    template <class Sink>
    void serialise(Sink&& put) const noexcept {
        const std::uintptr_t words[] = {reinterpret_cast<std::uintptr_t>(plain_), reinterpret_cast<std::uintptr_t>(fn_),
                                        reinterpret_cast<std::uintptr_t>(data_)};
        put(words, sizeof words);
    }

private:
    template <class F>
    static int call(int preverify_ok, X509_STORE_CTX* store, void* data) noexcept {
        return (*static_cast<F*>(data))(preverify_ok, store);
    }

    ssl_verify_callback plain_ = nullptr;
    with_data fn_ = nullptr;
    void* data_ = nullptr;
};

/// An application callback to run with svcid's, and when.
struct callback_options {
    /// An application's own verify callback, or none. See chain_order for when it runs.
    chained_callback chained{};
    /// Whether the chained callback runs before or after svcid's check.
    chain_order order = chain_order::before_svcid;
};

/// What to check and how, for the functions that take a list of references.
struct verify_options : callback_options {
    /// Which matching rules apply: RFC 9525 (SAN only), RFC 6125 (with the CN-ID fallback) or
    /// RFC 9525 with the Web PKI leaf profile (svcid::web_pki).
    verify_rules rules = verify_rules::rfc9525;
    /// Whether one of the references must match (an allow-list) or every one of them.
    verify_match match = verify_match::any_of;
};

class peer_identity;
class context_identity;
inline peer_identity* peer_identity_of(const SSL* ssl) noexcept;
inline const context_identity* context_identity_of(const SSL_CTX* ctx) noexcept;
inline int verify_callback(int preverify_ok, X509_STORE_CTX* store) noexcept;
inline void info_callback(const SSL* ssl, int where, int ret) noexcept;
template <std::size_t Slot>
int adopted_verify_callback(int preverify_ok, X509_STORE_CTX* store) noexcept;
[[nodiscard]] inline bool set_identity_policy(SSL_CTX* ctx, const identity_policy& policy,
                                              const callback_options& callbacks = {}) noexcept;
namespace detail {
inline int verify_with(int preverify_ok, X509_STORE_CTX* store, ssl_verify_callback context_adopted) noexcept;
}

namespace detail {

/// An ex_data index made once for the process. Making one allocates, so it can fail; a
/// failure (-1) is not kept, and the next call tries again: a moment without memory must
/// not leave svcid refusing every peer until the process ends. Two threads racing may make
/// one each; the first stored is used by all, the other stays empty (its free and dup
/// callbacks see only null pointers). noexcept.
template <class Make>
int lasting_index(std::atomic<int>& known, Make&& make) noexcept {
    const int index = known.load(std::memory_order_acquire);
    if (index >= 0) return index;
    const int made = make();
    if (made < 0) return -1;
    int expected = -1;
    return known.compare_exchange_strong(expected, made, std::memory_order_acq_rel) ? made : expected;
}

/// Size of the policy digest used as session id context (SHA-256).
constexpr std::size_t policy_digest_size = 32;

// The session id context: SHA-256 over the policy, the chained callback and the trust
// store's address, so sessions resume only within one process, policy and trust store.
inline bool digest_policy(const identity_policy& policy, const callback_options& callbacks, const void* trust,
                          unsigned char (&digest)[policy_digest_size]) noexcept {
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    if (md == nullptr) return false;
    bool ok = EVP_DigestInit_ex(md, EVP_sha256(), nullptr) == 1;
    auto put = [&](const void* p, std::size_t n) noexcept {
        if (ok && n != 0) ok = EVP_DigestUpdate(md, p, n) == 1;
    };
    const std::uintptr_t store = reinterpret_cast<std::uintptr_t>(trust);
    put(&store, sizeof store);
    const unsigned char order = static_cast<unsigned char>(callbacks.order);
    put(&order, 1);
    callbacks.chained.serialise(put);
    policy.serialise(put);
    unsigned int len = 0;
    ok = ok && EVP_DigestFinal_ex(md, digest, &len) == 1 && len == policy_digest_size;
    EVP_MD_CTX_free(md);
    return ok;
}

inline const void* trust_of(const SSL_CTX* ctx) noexcept {
    return ctx != nullptr ? SSL_CTX_get_cert_store(ctx) : nullptr;
}

inline const X509* current_peer_certificate(const SSL* ssl) noexcept {
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    return SSL_get0_peer_certificate(ssl);
#else
    X509* peer = SSL_get_peer_certificate(ssl);
    X509_free(peer); // the SSL's session still holds it
    return peer;
#endif
}

// OpenSSL 3.0 has no getter for a session's verify result, but SSL_set_session copies it
// into the SSL; setting the SSL's own session again changes nothing else.
inline long session_verify_result(SSL* ssl, SSL_SESSION* session) noexcept {
    if (SSL_set_session(ssl, session) != 1) return verify_error_application;
    return SSL_get_verify_result(ssl);
}

// The session a client is about to offer is kept only if svcid accepted it under this very
// policy: same digest (the client's session id context), a clean chain verdict, and a
// stored peer certificate the policy accepts now. A full handshake checks again anyway.
inline bool session_acceptable(SSL* ssl, SSL_SESSION* session, const identity_policy& policy,
                               const unsigned char (&digest)[policy_digest_size]) noexcept {
    unsigned int len = 0;
    const unsigned char* context = SSL_SESSION_get0_id_context(session, &len);
    if (len != policy_digest_size || CRYPTO_memcmp(context, digest, policy_digest_size) != 0) return false;
    if (session_verify_result(ssl, session) != X509_V_OK) return false;
    const X509* peer = SSL_SESSION_get0_peer(session);
    return peer != nullptr && policy.check(openssl_certificate(peer)).matched();
}

// Whether the handshake starting is a TLS 1.2 renegotiation (RFC 5746): the connection
// finished one before (SSL_clear forgets it). Its offered session is the connection's own
// and must stay untouched: SSL_set_session resets the SSL's method, and with it the
// Finished messages the renegotiation is bound to, so the renegotiation would fail.
inline bool renegotiating(const SSL* ssl) noexcept {
    unsigned char finished[1];
    return SSL_get_finished(ssl, finished, sizeof finished) != 0;
}

// The verify mode svcid needs, whatever the application set after it: peer verification on
// (SSL_VERIFY_NONE would make a server never ask for a certificate and a client ignore
// svcid's verdict), and on a server a required client certificate — svcid's policy is for a
// peer that presents an identity. Post-handshake authentication (RFC 8446 §4.6.2) asks
// later; the outcome stays none until then.
inline int required_mode(const SSL* ssl, int mode) noexcept {
    int wanted = mode | SSL_VERIFY_PEER;
    if (SSL_is_server(ssl) && (wanted & SSL_VERIFY_POST_HANDSHAKE) == 0) wanted |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    return wanted;
}

// Re-asserts required_mode() in the middle of a handshake: an application callback
// (servername, verify) may switch verification off after the handshake's start, and
// OpenSSL then neither asks a client for its certificate nor aborts a client's handshake on
// svcid's refusal. The current callback is kept; none means svcid's. No heap.
inline void keep_verifying(SSL* ssl) noexcept {
    if (ssl == nullptr) return;
    const int mode = SSL_get_verify_mode(ssl);
    const int wanted = required_mode(ssl, mode);
    const ssl_verify_callback callback = SSL_get_verify_callback(ssl);
    if (wanted != mode || callback == nullptr) SSL_set_verify(ssl, wanted, callback != nullptr ? callback : verify_callback);
}

// One verify callback invocation for a policy: the adopted and chained callbacks in their
// order, svcid's check at the leaf, and the rule that an accepted leaf passes svcid.
// `check_leaf(cert)` returns X509_V_OK or the verify error; `replaced()` says whether the
// state was replaced under the running callback.
template <class CheckLeaf, class Replaced, class Matched>
int run_verify(int preverify_ok, X509_STORE_CTX* store, ssl_verify_callback adopted, const callback_options& callbacks,
               CheckLeaf&& check_leaf, Replaced&& replaced, Matched&& matched) noexcept {
    const bool leaf = X509_STORE_CTX_get_error_depth(store) == 0;
    bool refused = false;
    auto refuse_if_replaced = [&]() noexcept {
        if (!replaced()) return false;
        X509_STORE_CTX_set_error(store, verify_error_application);
        preverify_ok = 0;
        refused = true;
        return true;
    };
    auto check_name = [&]() noexcept {
        const int error = check_leaf(X509_STORE_CTX_get_current_cert(store));
        if (error != X509_V_OK) {
            X509_STORE_CTX_set_error(store, error);
            preverify_ok = 0;
            refused = true;
        }
    };
    if (adopted != nullptr) preverify_ok = adopted(preverify_ok, store);
    if (!refuse_if_replaced() && callbacks.chained && callbacks.order == chain_order::before_svcid)
        preverify_ok = callbacks.chained(preverify_ok, store);
    if (!refuse_if_replaced()) {
        if (preverify_ok == 1 && leaf) check_name();
        if (callbacks.chained && callbacks.order == chain_order::after_svcid) {
            const int user = callbacks.chained(preverify_ok, store);
            if (!refuse_if_replaced()) {
                if (!refused) preverify_ok = user;
                // The user's callback may accept a chain error at the leaf (OpenSSL then never
                // asks again with preverify_ok == 1): an accepted leaf must still pass svcid.
                if (preverify_ok == 1 && leaf && !matched()) check_name();
            }
        }
    }
    return preverify_ok == 1 ? 1 : 0;
}

} // namespace detail

namespace detail {

/// How many distinct application verify callbacks svcid can keep running before its own
/// check, when they are installed on SSLs after svcid's (see info_callback()).
constexpr std::size_t adoption_slots = 4;

// The application callbacks found on SSLs in svcid's place, one table for the process: each
// slot has its own trampoline (adopted_verify_callback<Slot>), so an SSL remembers its
// callback with no state of its own, and the trampoline means the same callback whichever
// SSL_CTX the SSL is moved to (an SNI switch).
inline std::atomic<ssl_verify_callback> adopted_callbacks[adoption_slots] = {};

// The slot of `callback`, taken if free; adoption_slots when all are taken by others.
inline std::size_t adopt(ssl_verify_callback callback) noexcept {
    for (std::size_t i = 0; i < adoption_slots; ++i) {
        ssl_verify_callback expected = nullptr;
        if (adopted_callbacks[i].compare_exchange_strong(expected, callback) || expected == callback) return i;
    }
    return adoption_slots;
}

} // namespace detail

/// The policy of an SSL_CTX (set_identity_policy()), shared by every SSL made from it.
///
/// Ownership: made by set_identity_policy(), owned by the SSL_CTX and freed with it
/// (SSL_CTX_free); it holds a copy of the identity_policy handle (the references are
/// shared, not copied). Immutable once set; a later set_identity_policy() on the same
/// context keeps the previous one alive until the context goes, so a callback running on
/// it is never left with a freed policy. Like OpenSSL's own SSL_CTX setters, set it before
/// handshakes run on the context.
class context_identity {
public:
    /// How many distinct application verify callbacks, installed on SSLs after svcid's, svcid
    /// can keep running before its own check (one table for the process; see info_callback()).
    static constexpr std::size_t adoption_slots = detail::adoption_slots;

    context_identity(const context_identity&) = delete;
    context_identity& operator=(const context_identity&) = delete;
    ~context_identity() { delete retired_; }

    /// The policy every SSL of the context is judged by.
    const identity_policy& policy() const noexcept { return policy_; }
    /// The chained callback and its order.
    const callback_options& callbacks() const noexcept { return callbacks_; }
    /// SHA-256 of the policy: the session id context of every SSL of the context.
    const unsigned char* policy_digest() const noexcept { return digest_; }
    /// Whether a failed set_identity_policy() withdrew this policy: it then refuses every peer.
    bool withdrawn() const noexcept { return withdrawn_.load(std::memory_order_acquire); }

    /// The ex_data index svcid's context policy lives under (SSL_CTX_get_ex_new_index, made once).
    static int ex_index() noexcept {
        static std::atomic<int> known{-1};
        return detail::lasting_index(known, [] { return SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, &free_state); });
    }

private:
    friend bool set_identity_policy(SSL_CTX*, const identity_policy&, const callback_options&) noexcept;
    friend int detail::verify_with(int, X509_STORE_CTX*, ssl_verify_callback) noexcept;
    friend void info_callback(const SSL*, int, int) noexcept;

    context_identity(const identity_policy& policy, const callback_options& callbacks) noexcept
        : policy_(policy), callbacks_(callbacks) {}

    static void free_state(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) noexcept {
        delete static_cast<context_identity*>(ptr);
    }

    void on_handshake_start(SSL* ssl) const noexcept;
    void on_handshake_done(SSL* ssl) const noexcept;
    void stamp_session(SSL* ssl) const noexcept;

    // The policy's verdict on a leaf: X509_V_OK or the verify error.
    int verdict(const X509* leaf) const noexcept {
        if (leaf == nullptr) return verify_error_application;
        const match_result r = policy_.check(openssl_certificate(leaf));
        return r.matched() ? X509_V_OK : detail::refusal_error(policy_, r);
    }

    // The check with application callbacks around it; out of line, as peer_identity's.
    // `this`, not a copy (a copy of the policy is two atomic operations per handshake): a
    // context_identity never changes after set_identity_policy(), and one that a chained
    // callback replaces while this call runs stays alive until its SSL_CTX is freed, so the
    // rules cannot change or vanish halfway through this call.
    SVCID_NOINLINE int verify_with_callbacks(int preverify_ok, X509_STORE_CTX* store, SSL* ssl,
                                             ssl_verify_callback adopted) const noexcept {
        bool matched = false;
        auto check_leaf = [&](const X509* leaf) noexcept {
            const int error = verdict(leaf);
            matched = error == X509_V_OK;
            return error;
        };
        const int outcome = detail::run_verify(
            preverify_ok, store, adopted, callbacks_, check_leaf, []() noexcept { return false; },
            [&]() noexcept { return matched; });
        detail::keep_verifying(ssl);
        return outcome;
    }

    identity_policy policy_;
    callback_options callbacks_;
    unsigned char digest_[detail::policy_digest_size] = {};
    void (*app_info_)(const SSL*, int, int) = nullptr;
    std::atomic<bool> withdrawn_{false};
    context_identity* retired_ = nullptr;
};

/// The svcid state attached to one `SSL` by the per-SSL functions: its policy (shared, or
/// made from the references given) and, after the check, its outcome.
///
/// Ownership: made by verify_server_host(), verify_server_identity(),
/// require_client_identity() or attach_peer_identity(); owned by the `SSL` and freed with
/// it (SSL_free). The pointer the helpers return, and what its accessors return, are valid
/// while the `SSL` lives; presented_value() until the next handshake on it. Not
/// thread-safe: read it from the thread that drives the handshake, after the handshake.
/// Prefer peer_outcome_of(ssl), which also checks the outcome against the SSL's current
/// peer and chain verify result.
class peer_identity {
public:
    /// Size of the policy digest used as session id context (SHA-256).
    static constexpr std::size_t digest_size = detail::policy_digest_size;

    peer_identity(const peer_identity&) = delete;
    peer_identity& operator=(const peer_identity&) = delete;
    ~peer_identity() {
        reset();
        delete retired_;
    }

    /// Whether svcid checked a peer certificate in this handshake (false when chain
    /// validation refused the peer first, or nothing was presented).
    [[nodiscard]] bool checked() const noexcept { return checked_; }
    /// Whether the peer's name satisfied the policy in this handshake, whatever the chain
    /// verdict (a chained callback may have waived a chain error).
    [[nodiscard]] bool name_matched() const noexcept { return checked_ && result_.matched(); }
    /// Whether this handshake accepted the peer: its name matched and its chain verified
    /// (X509_V_OK). A waived chain error is not an acceptance.
    [[nodiscard]] bool accepted() const noexcept { return name_matched() && chain_error_ == X509_V_OK; }
    /// The last check's result; its `presented` view points into checked_certificate().
    const match_result& result() const noexcept { return result_; }
    /// X509_V_OK only when accepted(); otherwise the chain error, svcid's verify error, or
    /// verify_error_application when nothing was checked.
    [[nodiscard]] int verify_error() const noexcept {
        if (accepted()) return X509_V_OK;
        if (chain_error_ != X509_V_OK) return chain_error_;
        if (checked_ && error_ != X509_V_OK) return error_;
        return verify_error_application;
    }
    /// The index, in the policy's references, of the one that matched; no_reference_index
    /// unless accepted().
    [[nodiscard]] std::size_t reference_index() const noexcept {
        return accepted() ? result_.reference_index : no_reference_index;
    }
    /// The index of the reference a refusal is about; no_reference_index unless a check
    /// refused the name.
    [[nodiscard]] std::size_t failed_reference_index() const noexcept {
        return checked_ && !result_.matched() && policy_.size() != 0 ? result_.reference_index : no_reference_index;
    }
    /// The presented identifier that matched; empty unless accepted(). It views the checked
    /// certificate, which the state holds a reference on until the next handshake.
    [[nodiscard]] std::string_view presented_value() const noexcept {
        return accepted() ? result_.presented.value : std::string_view();
    }
    /// The type of the presented identifier that matched (meaningful when accepted()).
    presented_kind presented_kind_matched() const noexcept { return result_.presented.kind; }
    /// Writes svcid's explanation of the last check (explain.hpp) into `out`, at most `size`
    /// bytes with the NUL; returns the length the whole needs. Made now, from the recorded
    /// check: nothing is written during the handshake. noexcept; no heap.
    std::size_t explain(char* out, std::size_t size) const noexcept {
        if (!checked_) {
            detail::bounded_writer w(out, size);
            w.put("no peer certificate was checked in this handshake");
            return w.wanted();
        }
        return policy_.explain(openssl_certificate(checked_cert_), result_, out, size);
    }
    /// The certificate the last check judged (svcid holds a reference on it), or nullptr.
    const X509* checked_certificate() const noexcept { return checked_cert_; }

    /// The policy the state checks with (shared with whoever else holds it).
    const identity_policy& policy() const noexcept { return policy_; }
    /// The policy's references, in the caller's order (reference_index() indexes them).
    const reference* references() const noexcept { return policy_.references(); }
    /// How many references the policy holds.
    std::size_t reference_count() const noexcept { return policy_.size(); }
    /// The chained callback and its order.
    const callback_options& callbacks() const noexcept { return callbacks_; }
    /// SHA-256 of the policy; the session id context of every SSL the state is attached to.
    const unsigned char* policy_digest() const noexcept { return digest_; }

    /// Runs the policy against a leaf certificate and records the outcome; returns X509_V_OK
    /// or the verify error (verify_error_for() of the reference the failure is about;
    /// verify_error_application when there is no reference). This is the whole of what
    /// verify_callback() does per handshake. noexcept; allocates nothing.
    int check(const X509* leaf) noexcept {
        auto* cert = const_cast<X509*>(leaf);
        if (cert == nullptr || cert != checked_cert_) {
            reset();
            if (cert == nullptr) return verify_error_application;
            // The reference keeps the certificate alive: presented_value() views it, and a
            // later comparison with the SSL's current peer cannot be fooled by a new
            // certificate at a freed address. The certificate already held keeps its own.
            if (X509_up_ref(cert) != 1) {
                checked_ = true;
                error_ = verify_error_application;
                return error_;
            }
            checked_cert_ = cert;
        } else {
            chain_error_ = X509_V_OK;
        }
        result_ = policy_.check(openssl_certificate(leaf));
        checked_ = true;
        error_ = result_.matched() ? X509_V_OK : detail::refusal_error(policy_, result_);
        return error_;
    }

    /// Forgets the last outcome (done at handshake start and before each check).
    void reset() noexcept {
        checked_ = false;
        result_ = match_result{};
        error_ = X509_V_OK;
        chain_error_ = X509_V_OK;
        X509_free(checked_cert_);
        checked_cert_ = nullptr;
    }

    /// The ex_data index svcid's state lives under (SSL_get_ex_new_index, made once).
    static int ex_index() noexcept {
        static std::atomic<int> known{-1};
        return detail::lasting_index(known, [] { return SSL_get_ex_new_index(0, nullptr, nullptr, &dup_state, &free_state); });
    }

    /// Makes a state for `policy` with its digest; nullptr when memory runs out. `trust`
    /// names the trust store the chain is verified against (its address is mixed into the
    /// digest: a session verified against another store is not resumed).
    static std::unique_ptr<peer_identity> make(const identity_policy& policy, const callback_options& callbacks,
                                               const void* trust = nullptr) noexcept {
        if (!policy) return nullptr;
        std::unique_ptr<peer_identity> state(new (std::nothrow) peer_identity(policy, callbacks));
        if (!state || !detail::digest_policy(policy, callbacks, trust, state->digest_)) return nullptr;
        return state;
    }

private:
    friend int detail::verify_with(int, X509_STORE_CTX*, ssl_verify_callback) noexcept;
    friend void info_callback(const SSL*, int, int) noexcept;
    friend struct attach_access;

    peer_identity(const identity_policy& policy, const callback_options& callbacks) noexcept
        : policy_(policy), callbacks_(callbacks) {}

    static void free_state(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) noexcept {
        delete static_cast<peer_identity*>(ptr);
    }

    // OpenSSL 1.1.1 passes the slot as `void*`, 3.x as `void**`; both point at the pointer
    // being copied. Taking the parameter type from CRYPTO_EX_dup itself avoids a version test.
    template <class F>
    struct slot_param;
    template <class R, class A, class B, class C, class... Rest>
    struct slot_param<R(A, B, C, Rest...)> {
        using type = C;
    };

    // SSL_dup copies ex_data pointers; without this the copy would share, and doubly free,
    // the state. The copy shares the policy, has the same hooks and digest and no outcome;
    // on allocation failure SSL_dup fails.
    static int dup_state(CRYPTO_EX_DATA*, const CRYPTO_EX_DATA*, typename slot_param<CRYPTO_EX_dup>::type slot, int,
                         long, void*) noexcept {
        void** from = static_cast<void**>(static_cast<void*>(slot));
        const auto* original = static_cast<const peer_identity*>(*from);
        if (original == nullptr) return 1;
        auto* copy = new (std::nothrow) peer_identity(original->policy_, original->callbacks_);
        if (copy != nullptr) {
            for (std::size_t i = 0; i < digest_size; ++i) copy->digest_[i] = original->digest_[i];
            copy->owns_verify_ = original->owns_verify_;
            copy->adopted_ = original->adopted_;
            copy->app_info_ = original->app_info_;
        }
        *from = copy;
        return copy != nullptr ? 1 : 0;
    }

    void on_handshake_start(SSL* ssl) noexcept;
    void on_handshake_done(const SSL* ssl) noexcept;

    // The check with application callbacks around it. Out of line, so that the common call
    // (no callback) builds none of its closures.
    SVCID_NOINLINE int verify_with_callbacks(int preverify_ok, X509_STORE_CTX* store, SSL* ssl,
                                             ssl_verify_callback adopted) noexcept {
        busy_ = true;
        const callback_options callbacks = callbacks_;
        const int verdict = detail::run_verify(
            preverify_ok, store, adopted, callbacks, [this](const X509* leaf) noexcept { return check(leaf); },
            [this]() noexcept { return replaced_; }, [this]() noexcept { return name_matched(); });
        busy_ = false;
        detail::keep_verifying(ssl);
        return verdict;
    }

    identity_policy policy_;
    callback_options callbacks_;
    unsigned char digest_[digest_size] = {};
    // Installed by the verify_*/require_* functions: svcid owns the verify callback and
    // re-asserts it at each handshake start.
    bool owns_verify_ = false;
    // Set while verify_callback() runs on this state; a re-attach then retires the state
    // (kept alive, marked replaced) instead of freeing it under the running callback.
    bool busy_ = false;
    bool replaced_ = false;
    bool checked_ = false;
    int error_ = X509_V_OK;
    int chain_error_ = X509_V_OK;
    peer_identity* retired_ = nullptr;
    // An application callback found in svcid's place at handshake start; it runs before
    // svcid, which keeps the last word.
    ssl_verify_callback adopted_ = nullptr;
    void (*app_info_)(const SSL*, int, int) = nullptr;
    X509* checked_cert_ = nullptr;
    match_result result_{};
};

static_assert(sizeof(peer_identity) <= 256, "per-connection state must stay small (issue: 10,000 connections)");

/// The svcid state attached to `ssl` by a per-SSL function, or nullptr. noexcept; no heap.
inline peer_identity* peer_identity_of(const SSL* ssl) noexcept {
    if (ssl == nullptr) return nullptr;
    const int index = peer_identity::ex_index();
    if (index < 0) return nullptr;
    return static_cast<peer_identity*>(SSL_get_ex_data(ssl, index));
}

/// The policy set on `ctx` by set_identity_policy(), or nullptr. noexcept; no heap.
inline const context_identity* context_identity_of(const SSL_CTX* ctx) noexcept {
    if (ctx == nullptr) return nullptr;
    const int index = context_identity::ex_index();
    if (index < 0) return nullptr;
    return static_cast<const context_identity*>(SSL_CTX_get_ex_data(ctx, index));
}

/// What svcid says about the current connection's peer, checked against the SSL itself:
/// "none" (accepted false, reference_index no_reference_index, presented empty) unless the
/// handshake is finished, the chain verify result is X509_V_OK, and the SSL's current peer
/// certificate is the one svcid accepted (per-SSL state) or passes the context's policy now.
struct peer_outcome {
    /// Whether svcid accepted this connection's current peer and the chain verified.
    bool accepted = false;
    /// X509_V_OK only when accepted.
    int verify_error = verify_error_application;
    /// The index of the reference that matched; no_reference_index unless accepted.
    std::size_t reference_index = no_reference_index;
    /// Views the peer's certificate: valid while the SSL lives and is not re-handshaken.
    std::string_view presented;
    /// The type of the presented identifier that matched (meaningful when accepted).
    presented_kind kind{};
};

/// The outcome of the current connection (see peer_outcome). With a context policy the
/// peer certificate is judged again here (the same policy and certificate give the same
/// verdict as in the handshake; about one match's cost). noexcept; no heap.
[[nodiscard]] inline peer_outcome peer_outcome_of(const SSL* ssl) noexcept {
    peer_outcome out;
    if (ssl == nullptr || !SSL_is_init_finished(ssl)) return out;
    const peer_identity* state = peer_identity_of(ssl);
    const context_identity* context = state == nullptr ? context_identity_of(SSL_get_SSL_CTX(ssl)) : nullptr;
    if (state == nullptr && (context == nullptr || context->withdrawn())) return out;
    const long chain = SSL_get_verify_result(ssl);
    if (chain != X509_V_OK) {
        out.verify_error = static_cast<int>(chain);
        return out;
    }
    const X509* peer = detail::current_peer_certificate(ssl);
    if (peer == nullptr) return out;
    match_result r;
    if (state != nullptr) {
        if (peer != state->checked_certificate()) return out;
        if (!state->accepted()) {
            out.verify_error = state->verify_error();
            return out;
        }
        r = state->result();
    } else {
        const identity_policy& policy = context->policy();
        r = policy.check(openssl_certificate(peer));
        if (!r.matched()) {
            out.verify_error = detail::refusal_error(policy, r);
            return out;
        }
    }
    out.accepted = true;
    out.verify_error = X509_V_OK;
    out.reference_index = r.reference_index;
    out.presented = r.presented.value;
    out.kind = r.presented.kind;
    return out;
}

/// Explains svcid's verdict on the connection's current peer into `out` (at most `size`
/// bytes, NUL included); returns the length the whole needs. Made on demand, never during
/// the handshake. noexcept; no heap.
inline std::size_t explain_peer(const SSL* ssl, char* out, std::size_t size) noexcept {
    const peer_identity* state = peer_identity_of(ssl);
    if (state != nullptr) return state->explain(out, size);
    const context_identity* context = ssl != nullptr ? context_identity_of(SSL_get_SSL_CTX(ssl)) : nullptr;
    detail::bounded_writer w(out, size);
    if (context == nullptr || context->withdrawn()) {
        w.put("svcid has no policy for this connection");
        return w.wanted();
    }
    const X509* peer = detail::current_peer_certificate(ssl);
    if (peer == nullptr) {
        // A refused peer's certificate is gone with the failed handshake (a context policy
        // keeps nothing per connection); the verify result still says why it was refused.
        const long verdict = SSL_get_verify_result(ssl);
        if (verdict != X509_V_OK) {
            w.put("the handshake refused the peer: ");
            w.put(X509_verify_cert_error_string(verdict));
        } else {
            w.put("the peer presented no certificate");
        }
        return w.wanted();
    }
    const openssl_certificate cert(peer);
    return context->policy().explain(cert, context->policy().check(cert), out, size);
}

/// The verify callback: install it with SSL_set_verify / SSL_CTX_set_verify (the functions
/// below do). At depth 0 with `preverify_ok == 1` it checks X509_STORE_CTX_get_current_cert()
/// against the SSL's policy (its per-SSL state's, else its SSL_CTX's); on a mismatch it sets
/// the error (verify_error_for()) with X509_STORE_CTX_set_error and returns 0, so the
/// handshake fails and SSL_get_verify_result() reports it. With no policy it refuses at the
/// first call (verify_error_application), and also when a chained callback re-attached a
/// state while it ran. Chain errors are passed through unchanged.
///
/// C-compatible signature; noexcept; allocates nothing.
inline int verify_callback(int preverify_ok, X509_STORE_CTX* store) noexcept {
    return detail::verify_with(preverify_ok, store, nullptr);
}

/// svcid's verify callback standing in for the application callback in adoption slot
/// `Slot` (see context_identity::adoption_slots): runs it, then svcid. The slot is filled
/// before its trampoline is installed on any SSL.
template <std::size_t Slot>
int adopted_verify_callback(int preverify_ok, X509_STORE_CTX* store) noexcept {
    return detail::verify_with(preverify_ok, store, detail::adopted_callbacks[Slot].load());
}

namespace detail {

// svcid's check alone, the common case: no application callback runs around it, so nothing
// can replace the state or change the verify mode during the call, and none of
// run_verify()'s bookkeeping is needed. `verdict(leaf)` returns X509_V_OK or the verify error.
template <class Verdict>
SVCID_HOT_INLINE inline int verify_alone(int preverify_ok, X509_STORE_CTX* store, Verdict&& verdict) noexcept {
    if (preverify_ok != 1) return 0;
    if (X509_STORE_CTX_get_error_depth(store) != 0) return 1;
    const int error = verdict(X509_STORE_CTX_get_current_cert(store));
    if (error == X509_V_OK) return 1;
    X509_STORE_CTX_set_error(store, error);
    return 0;
}

// OpenSSL's index of the SSL in an X509_STORE_CTX, fixed for the process once made; asking
// for it costs a run-once check per call. A failure (-1) is not kept, so a later call
// retries, and meanwhile the lookup finds no SSL and svcid refuses.
inline int store_ssl_index() noexcept {
    static std::atomic<int> known{-1};
    return lasting_index(known, [] { return SSL_get_ex_data_X509_STORE_CTX_idx(); });
}

// verify_callback's body; `context_adopted` is the application callback an adoption
// trampoline stands for, or nullptr.
inline int verify_with(int preverify_ok, X509_STORE_CTX* store, ssl_verify_callback context_adopted) noexcept {
    auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, store_ssl_index()));
    peer_identity* state = peer_identity_of(ssl);
    if (state != nullptr) {
        // An application callback that itself calls verify_callback (as adopted or chained):
        // the outer call does the check.
        if (state->busy_) return preverify_ok;
        const ssl_verify_callback adopted = state->adopted_ != nullptr ? state->adopted_ : context_adopted;
        // A state replaced earlier still refuses, through run_verify().
        if (adopted == nullptr && !state->callbacks_.chained && !state->replaced_)
            return verify_alone(preverify_ok, store, [state](const X509* leaf) noexcept { return state->check(leaf); });
        return state->verify_with_callbacks(preverify_ok, store, ssl, adopted);
    }
    const context_identity* context = ssl != nullptr ? context_identity_of(SSL_get_SSL_CTX(ssl)) : nullptr;
    if (context == nullptr || context->withdrawn()) {
        if (preverify_ok == 1) X509_STORE_CTX_set_error(store, verify_error_application);
        return 0;
    }
    if (context_adopted == nullptr && !context->callbacks().chained) {
        return verify_alone(preverify_ok, store, [context](const X509* leaf) noexcept { return context->verdict(leaf); });
    }
    return context->verify_with_callbacks(preverify_ok, store, ssl, context_adopted);
}

template <std::size_t... Slot>
constexpr ssl_verify_callback adoption_trampoline(std::size_t slot, std::index_sequence<Slot...>) noexcept {
    constexpr ssl_verify_callback all[] = {&adopted_verify_callback<Slot>...};
    return slot < sizeof...(Slot) ? all[slot] : nullptr;
}

// A callback that refuses every peer: what an SSL gets when svcid cannot keep the
// application's callback and its own check both running.
inline int refuse_every_peer(int, X509_STORE_CTX* store) noexcept {
    X509_STORE_CTX_set_error(store, verify_error_application);
    return 0;
}

inline bool is_svcid_callback(ssl_verify_callback callback) noexcept {
    if (callback == verify_callback || callback == refuse_every_peer) return true;
    for (std::size_t i = 0; i < context_identity::adoption_slots; ++i)
        if (callback == adoption_trampoline(i, std::make_index_sequence<context_identity::adoption_slots>{}))
            return true;
    return false;
}

} // namespace detail

inline void context_identity::on_handshake_start(SSL* ssl) const noexcept {
    SSL_set_session_id_context(ssl, digest_, detail::policy_digest_size);
    const ssl_verify_callback current = SSL_get_verify_callback(ssl);
    ssl_verify_callback wanted_callback = current;
    if (current == nullptr) {
        // With no callback at all nobody would ask svcid: OpenSSL's default accepts any name
        // under a trusted chain.
        wanted_callback = verify_callback;
    } else if (!detail::is_svcid_callback(current)) {
        // An application that called SSL_set_verify on this SSL after svcid: its callback is
        // kept and runs first, svcid's check after it with the last word.
        const std::size_t slot = detail::adopt(current);
        wanted_callback = slot < adoption_slots
                              ? detail::adoption_trampoline(slot, std::make_index_sequence<adoption_slots>{})
                              : &detail::refuse_every_peer;
    }
    const int mode = SSL_get_verify_mode(ssl);
    const int wanted_mode = detail::required_mode(ssl, mode);
    if (wanted_mode != mode || wanted_callback != current) SSL_set_verify(ssl, wanted_mode, wanted_callback);
    if (!SSL_is_server(ssl) && !detail::renegotiating(ssl)) {
        SSL_SESSION* session = SSL_get_session(ssl);
        if (session != nullptr && !detail::session_acceptable(ssl, session, policy_, digest_)) SSL_set_session(ssl, nullptr);
    }
}

// A resumed session was admitted under the policy of the context the SSL started on; a
// server's SNI callback may have moved it to another context since (OpenSSL decides on a
// TLS 1.3 resumption before the servername callback runs). A session peer the final
// context's policy refuses makes the verify result an error, so SSL_get_verify_result()
// agrees with peer_outcome_of(); switch_context() refuses the switch itself.
inline void context_identity::on_handshake_done(SSL* ssl) const noexcept {
    if (SSL_session_reused(ssl) != 1) return;
    const X509* peer = detail::current_peer_certificate(ssl);
    if (withdrawn() || peer == nullptr || !policy_.check(openssl_certificate(peer)).matched())
        SSL_set_verify_result(ssl, verify_error_application);
}

// A server makes the new session while it reads the ClientHello, with the session id
// context of the SSL_CTX it started on, before an SNI callback may move it to another
// context whose policy then judges the peer. The session is stamped with the digest of the
// context in force at each step, so it resumes only under the policy that admitted its
// peer. No heap: the id context is a fixed array in the session.
inline void context_identity::stamp_session(SSL* ssl) const noexcept {
    if (!SSL_is_server(ssl) || SSL_session_reused(ssl) == 1) return;
    SSL_SESSION* session = SSL_get_session(ssl);
    if (session == nullptr) return;
    unsigned int len = 0;
    const unsigned char* stamped = SSL_SESSION_get0_id_context(session, &len);
    if (len == detail::policy_digest_size && CRYPTO_memcmp(stamped, digest_, len) == 0) return;
    SSL_SESSION_set1_id_context(session, digest_, detail::policy_digest_size);
}

inline void peer_identity::on_handshake_start(SSL* ssl) noexcept {
    reset();
    // A reused SSL (SSL_clear) or one moved to another SSL_CTX keeps svcid's binding.
    SSL_set_session_id_context(ssl, digest_, digest_size);
    const int mode = SSL_get_verify_mode(ssl);
    if (owns_verify_) {
        const ssl_verify_callback current = SSL_get_verify_callback(ssl);
        // F1: an application that called SSL_set_verify after svcid would silently unhook it.
        // Its callback is kept and runs first; svcid's check runs after it, with the last word.
        if (current != verify_callback && !detail::is_svcid_callback(current)) {
            adopted_ = current;
            SSL_set_verify(ssl, mode | SSL_VERIFY_PEER, verify_callback);
        } else if (current == &detail::refuse_every_peer) {
            SSL_set_verify(ssl, mode | SSL_VERIFY_PEER, verify_callback);
        }
    }
    const ssl_verify_callback callback = SSL_get_verify_callback(ssl);
    const int wanted = detail::required_mode(ssl, SSL_get_verify_mode(ssl));
    if (wanted != SSL_get_verify_mode(ssl) || callback == nullptr)
        SSL_set_verify(ssl, wanted, callback != nullptr ? callback : verify_callback);
    if (!SSL_is_server(ssl) && !detail::renegotiating(ssl)) {
        SSL_SESSION* session = SSL_get_session(ssl);
        // Only judged, not recorded: the server may run a full handshake with another
        // certificate instead, and on_handshake_done() records a resumed session's peer.
        if (session != nullptr && !detail::session_acceptable(ssl, session, policy_, digest_))
            SSL_set_session(ssl, nullptr);
    }
}

inline void peer_identity::on_handshake_done(const SSL* ssl) noexcept {
    if (SSL_session_reused(const_cast<SSL*>(ssl)) == 1) {
        // No certificate came in this handshake: judge the one stored in the session now,
        // so the outcome names the resumed peer (its index, its value) and not another one.
        const X509* peer = detail::current_peer_certificate(ssl);
        if (peer == nullptr) {
            reset();
        } else if (peer != checked_cert_) {
            check(peer);
        }
    }
    chain_error_ = static_cast<int>(SSL_get_verify_result(ssl));
}

/// svcid's info callback: at handshake start it resets the outcome, re-asserts the session
/// id context and verify mode and checks the offered session; at handshake end it judges a
/// resumed session's peer (per-SSL state). Then it calls the application's info callback:
/// the one set on the SSL, or on the SSL_CTX, before svcid. Installed by every attach
/// function (on the SSL) and by set_identity_policy() (on the SSL_CTX); an application
/// that wants its own info callback sets it before svcid.
inline void info_callback(const SSL* ssl, int where, int ret) noexcept {
    peer_identity* state = peer_identity_of(ssl);
    SSL_CTX* ctx = SSL_get_SSL_CTX(ssl);
    const context_identity* context = context_identity_of(ctx);
    void (*app)(const SSL*, int, int) = nullptr;
    // Before each step of the handshake: a callback since the start may have turned
    // verification off (the servername callback, before a server decides to ask for a
    // client certificate).
    if ((where & SSL_CB_LOOP) != 0 && (state != nullptr || context != nullptr)) detail::keep_verifying(const_cast<SSL*>(ssl));
    if (state != nullptr) {
        if ((where & SSL_CB_HANDSHAKE_START) != 0) state->on_handshake_start(const_cast<SSL*>(ssl));
        if ((where & SSL_CB_HANDSHAKE_DONE) != 0) state->on_handshake_done(ssl);
        app = state->app_info_;
    } else if (context != nullptr) {
        if ((where & SSL_CB_HANDSHAKE_START) != 0) context->on_handshake_start(const_cast<SSL*>(ssl));
        if ((where & SSL_CB_LOOP) != 0) context->stamp_session(const_cast<SSL*>(ssl));
        if ((where & SSL_CB_HANDSHAKE_DONE) != 0) context->on_handshake_done(const_cast<SSL*>(ssl));
    }
    if (app == nullptr) {
        app = SSL_CTX_get_info_callback(ctx);
        if (app == info_callback) app = context != nullptr ? context->app_info_ : nullptr;
    }
    if (app != nullptr && app != info_callback) app(ssl, where, ret);
}

/// The attach functions' access to a state's private bookkeeping; not for applications.
struct attach_access {
    /// Records that svcid installed the SSL's verify callback.
    static void own_verify(peer_identity* state) noexcept { state->owns_verify_ = true; }
    /// Keeps the info callback the application had, to be called after svcid's.
    static void set_app_info(peer_identity* state, void (*app)(const SSL*, int, int)) noexcept {
        state->app_info_ = app;
    }
    /// Whether a verify callback is running on the state or on a state it keeps alive: it
    /// may then be neither freed nor have its chain freed.
    static bool busy(const peer_identity* state) noexcept {
        for (const peer_identity* s = state; s != nullptr; s = s->retired_)
            if (s->busy_) return true;
        return false;
    }
    /// Marks a state that a re-attach replaced, so that its running check refuses.
    static void mark_replaced(peer_identity* state) noexcept { state->replaced_ = true; }
    /// The application's info callback the state keeps.
    static void (*app_info(const peer_identity* state))(const SSL*, int, int) { return state->app_info_; }
    /// Keeps a replaced state alive, owned by its successor, until the SSL goes.
    static void retire(peer_identity* successor, peer_identity* old) noexcept {
        old->replaced_ = true;
        successor->retired_ = old;
    }
};

// Removes and frees the state attached to `ssl`: a failed attach must not leave the old
// policy in force; svcid's callback then refuses for want of a state. A state whose
// callback is running cannot be freed: it stays, marked replaced, and refuses.
inline void detach_state(SSL* ssl, int index) noexcept {
    peer_identity* old = peer_identity_of(ssl);
    // Without a state the context's policy would take over: the SSL must refuse instead.
    const bool context_policy = context_identity_of(SSL_get_SSL_CTX(ssl)) != nullptr;
    if (old == nullptr) {
        if (context_policy) SSL_set_verify(ssl, SSL_get_verify_mode(ssl) | SSL_VERIFY_PEER, &detail::refuse_every_peer);
        return;
    }
    if (attach_access::busy(old)) {
        attach_access::mark_replaced(old);
        return;
    }
    if (SSL_set_ex_data(ssl, index, nullptr) != 1) {
        attach_access::mark_replaced(old);
        return;
    }
    delete old;
    if (context_policy)
        SSL_set_verify(ssl, SSL_get_verify_mode(ssl) | SSL_VERIFY_PEER, &detail::refuse_every_peer);
}

/// Attaches a policy to `ssl`, overriding its SSL_CTX's and replacing any attached before,
/// without touching the verify callback (for frameworks that install their own callback and
/// call verify_callback() from it, as Boost.Asio's set_verify_callback does). It sets the
/// session id context to the policy digest and installs info_callback(). The policy is
/// shared, not copied.
/// Returns the state, or nullptr when memory runs out, `ssl` is null or `policy` is empty;
/// on failure any state attached before is removed and svcid's callback refuses.
/// Allocates the state (once per SSL); noexcept.
[[nodiscard]] inline peer_identity* attach_peer_identity(SSL* ssl, const identity_policy& policy,
                                                         const callback_options& callbacks = {}) noexcept {
    if (ssl == nullptr) return nullptr;
    const int index = peer_identity::ex_index();
    if (index < 0) return nullptr;
    void (*previous_info)(const SSL*, int, int) = SSL_get_info_callback(ssl);
    SSL_set_info_callback(ssl, info_callback);
    std::unique_ptr<peer_identity> state = peer_identity::make(policy, callbacks, detail::trust_of(SSL_get_SSL_CTX(ssl)));
    if (!state || SSL_set_session_id_context(ssl, state->policy_digest(), peer_identity::digest_size) != 1) {
        detach_state(ssl, index);
        return nullptr;
    }
    peer_identity* old = peer_identity_of(ssl);
    // Re-attaching keeps the application's info callback found by the first attach.
    if (previous_info != info_callback) {
        attach_access::set_app_info(state.get(), previous_info);
    } else if (old != nullptr) {
        attach_access::set_app_info(state.get(), attach_access::app_info(old));
    }
    if (SSL_set_ex_data(ssl, index, state.get()) != 1) {
        detach_state(ssl, index);
        return nullptr;
    }
    // A refusal left by an earlier failed attach gives way to the policy now attached.
    if (SSL_get_verify_callback(ssl) == &detail::refuse_every_peer)
        SSL_set_verify(ssl, SSL_get_verify_mode(ssl), verify_callback);
    if (old != nullptr) {
        // A chained callback re-attaching while svcid's callback runs: the old state stays
        // alive until the new one goes, and the running callback refuses.
        if (attach_access::busy(old)) {
            attach_access::retire(state.get(), old);
        } else {
            delete old;
        }
    }
    return state.release();
}

/// attach_peer_identity() with a policy made from `count` references under `options`
/// (copied: the caller's array need not outlive the call). Allocates the policy and the
/// state; noexcept.
[[nodiscard]] inline peer_identity* attach_peer_identity(SSL* ssl, const reference* refs, std::size_t count,
                                                         const verify_options& options = {}) noexcept {
    if (ssl == nullptr) return nullptr;
    const identity_policy policy =
        refs != nullptr || count == 0 ? identity_policy::make(refs, count, options.rules, options.match) : identity_policy();
    return attach_peer_identity(ssl, policy, options);
}

/// attach_peer_identity() for one host: `host` is a DNS name (sent as SNI too, in its
/// A-label form) or an IP address, read as verify_server_host() documents. nullptr, with any
/// state attached before removed, when `host` is neither or memory runs out. Allocates; noexcept.
[[nodiscard]] inline peer_identity* attach_host(SSL* ssl, std::string_view host, const verify_options& options = {}) noexcept {
    if (ssl == nullptr) return nullptr;
    const int index = peer_identity::ex_index();
    const auto ip = parse_ip_reference(host);
    if (ip) {
        const reference ref(*ip);
        return attach_peer_identity(ssl, &ref, 1, options);
    }
    const auto dns = parse_dns_reference(host);
    if (!dns) {
        detach_state(ssl, index);
        return nullptr;
    }
    // SNI wants the A-label form (the reference holds it, without a trailing dot), NUL-terminated.
    char sni[dns_reference::max_length + 1] = {};
    const std::string_view name = dns->name();
    for (std::size_t i = 0; i < name.size(); ++i) sni[i] = name[i];
    const reference ref(*dns);
    peer_identity* state = attach_peer_identity(ssl, &ref, 1, options);
    if (state != nullptr && SSL_set_tlsext_host_name(ssl, sni) != 1) {
        detach_state(ssl, index);
        return nullptr;
    }
    return state;
}

namespace detail {

// Records that svcid installed the verify callback of the state's SSL.
inline peer_identity* own(peer_identity* state) noexcept {
    if (state != nullptr) attach_access::own_verify(state);
    return state;
}

} // namespace detail

/// Client side: verify the server's certificate chain and that it satisfies `policy`.
/// Sets SSL_VERIFY_PEER with verify_callback() first, so a failure here leaves an SSL that
/// refuses every server. Allocates the state (once per SSL); noexcept. nullptr when memory
/// runs out or the policy is empty.
[[nodiscard]] inline peer_identity* verify_server_identity(SSL* ssl, const identity_policy& policy,
                                                           const callback_options& callbacks = {}) noexcept {
    if (ssl == nullptr) return nullptr;
    SSL_set_verify(ssl, SSL_VERIFY_PEER, verify_callback);
    return detail::own(attach_peer_identity(ssl, policy, callbacks));
}

/// Client side: verify the server's certificate chain and that it names one of `refs`
/// (or all of them, with verify_match::all_of).
///
/// ```
/// svcid::reference expected[] = {*svcid::parse_dns_reference("api.example.com")};
/// if (!svcid::verify_server_identity(ssl, expected)) fail();
/// SSL_set_tlsext_host_name(ssl, "api.example.com");   // SNI is the application's business
/// // ... SSL_connect(ssl); on failure SSL_get_verify_result(ssl) == X509_V_ERR_HOSTNAME_MISMATCH
/// ```
/// Allocates (the policy and the state, once per SSL); noexcept. nullptr when memory runs out.
[[nodiscard]] inline peer_identity* verify_server_identity(SSL* ssl, const reference* refs, std::size_t count,
                                                           const verify_options& options = {}) noexcept {
    if (ssl == nullptr) return nullptr;
    SSL_set_verify(ssl, SSL_VERIFY_PEER, verify_callback);
    return detail::own(attach_peer_identity(ssl, refs, count, options));
}

/// verify_server_identity() over a built-in array.
template <std::size_t N>
[[nodiscard]] peer_identity* verify_server_identity(SSL* ssl, const reference (&refs)[N],
                                                    const verify_options& options = {}) noexcept {
    return verify_server_identity(ssl, refs, N, options);
}

/// verify_server_identity() over a braced list of references.
[[nodiscard]] inline peer_identity* verify_server_identity(SSL* ssl, std::initializer_list<reference> refs,
                                                           const verify_options& options = {}) noexcept {
    return verify_server_identity(ssl, refs.begin(), refs.size(), options);
}

/// Client side in one line, like SSL_set1_host: `host` is a DNS name (A-labels or
/// U-labels, RFC 9525 §6.3) or an IP address (RFC 9525 §6.1, brackets allowed). Verifies the
/// chain and that the server's certificate names `host`; for a DNS name it also sends it
/// as SNI (RFC 6066 §3 forbids SNI for an address). A `host` that is neither (empty, a
/// wildcard, an embedded NUL, bad punycode) gives nullptr and leaves an SSL that refuses
/// every server (verify_error_application). Allocates; noexcept.
///
/// ```
/// if (!svcid::verify_server_host(ssl, "api.example.com")) fail();
/// ```
[[nodiscard]] inline peer_identity* verify_server_host(SSL* ssl, std::string_view host,
                                                       const verify_options& options = {}) noexcept {
    if (ssl == nullptr) return nullptr;
    SSL_set_verify(ssl, SSL_VERIFY_PEER, verify_callback);
    return detail::own(attach_host(ssl, host, options));
}

/// Server side of mutual TLS for one SSL: require a client certificate
/// (SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, set first) and accept the client only
/// if it satisfies `policy`. Allocates the state (once per SSL); noexcept.
[[nodiscard]] inline peer_identity* require_client_identity(SSL* ssl, const identity_policy& policy,
                                                            const callback_options& callbacks = {}) noexcept {
    if (ssl == nullptr) return nullptr;
    SSL_set_verify(ssl, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_callback);
    return detail::own(attach_peer_identity(ssl, policy, callbacks));
}

/// Server side of mutual TLS for one SSL: require a client certificate and accept the
/// client only if it names one of the allowed `refs`. After SSL_accept,
/// peer_outcome_of(ssl) says who the client is.
///
/// ```
/// svcid::reference allowed[] = {
///     *svcid::make_spiffe_reference("spiffe://prod.example/ns/payments", svcid::spiffe_match::path_prefix),
///     *svcid::parse_email_reference("ops@example.com")};
/// if (!svcid::require_client_identity(ssl, allowed)) fail();
/// if (SSL_accept(ssl) == 1) {
///     const svcid::peer_outcome who = svcid::peer_outcome_of(ssl);
///     if (who.accepted) authorise(who.reference_index, who.presented);
/// }
/// ```
/// Allocates (the policy and the state, once per SSL); noexcept. nullptr when memory runs out.
[[nodiscard]] inline peer_identity* require_client_identity(SSL* ssl, const reference* refs, std::size_t count,
                                                            const verify_options& options = {}) noexcept {
    if (ssl == nullptr) return nullptr;
    SSL_set_verify(ssl, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_callback);
    return detail::own(attach_peer_identity(ssl, refs, count, options));
}

/// require_client_identity() over a built-in array.
template <std::size_t N>
[[nodiscard]] peer_identity* require_client_identity(SSL* ssl, const reference (&refs)[N],
                                                     const verify_options& options = {}) noexcept {
    return require_client_identity(ssl, refs, N, options);
}

/// require_client_identity() over a braced list of references.
[[nodiscard]] inline peer_identity* require_client_identity(SSL* ssl, std::initializer_list<reference> refs,
                                                            const verify_options& options = {}) noexcept {
    return require_client_identity(ssl, refs.begin(), refs.size(), options);
}

/// One policy for every SSL made from `ctx`, on either side: the verify mode (peer
/// verification; on a server a required client certificate) and verify_callback() are set
/// first, then the policy is hung on the context, shared and not copied, with the session
/// id context set to its digest and svcid's info callback installed (the context's info
/// callback set before is kept and called). An SSL's own policy (attach_peer_identity() and
/// the per-SSL functions) overrides the context's for that SSL.
///
/// Per connection svcid then keeps nothing and allocates nothing: the check runs against
/// the shared policy, and peer_outcome_of() / explain_peer() judge the peer again on demand.
/// Returns false when memory runs out or `policy` is empty; the context is then left
/// refusing every peer (any policy set before is removed). Allocates once per call.
///
/// ```
/// const auto policy = svcid::identity_policy::make({
///     *svcid::make_spiffe_reference("spiffe://prod.example/ns/payments", svcid::spiffe_match::path_prefix)});
/// if (!svcid::set_identity_policy(server_ctx, policy)) fail();
/// // every SSL_new(server_ctx): SSL_accept(ssl) == 1, then svcid::peer_outcome_of(ssl)
/// ```
[[nodiscard]] inline bool set_identity_policy(SSL_CTX* ctx, const identity_policy& policy,
                                              const callback_options& callbacks) noexcept {
    if (ctx == nullptr) return false;
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_callback);
    const int index = context_identity::ex_index();
    if (index < 0) return false;
    auto* old = const_cast<context_identity*>(context_identity_of(ctx));
    std::unique_ptr<context_identity> made;
    if (policy) made.reset(new (std::nothrow) context_identity(policy, callbacks));
    bool ok = made != nullptr && detail::digest_policy(policy, callbacks, detail::trust_of(ctx), made->digest_) &&
              SSL_CTX_set_session_id_context(ctx, made->digest_, detail::policy_digest_size) == 1;
    if (ok) {
        void (*previous)(const SSL*, int, int) = SSL_CTX_get_info_callback(ctx);
        made->app_info_ = previous != info_callback ? previous : (old != nullptr ? old->app_info_ : nullptr);
        made->retired_ = old;
        ok = SSL_CTX_set_ex_data(ctx, index, made.get()) == 1;
        if (ok) {
            SSL_CTX_set_info_callback(ctx, info_callback);
            made.release();
            return true;
        }
        made->retired_ = nullptr;
    }
    // Leave the context refusing: with the old policy gone nobody could say who is allowed.
    if (old != nullptr) old->withdrawn_.store(true, std::memory_order_release);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, &detail::refuse_every_peer);
    return false;
}

/// Moves `ssl` to `ctx` from a servername callback (SNI virtual hosting), refusing the
/// switch when the connection resumes a session whose stored peer `ctx`'s policy refuses:
/// OpenSSL decides on a TLS 1.3 resumption before the servername callback runs, so without
/// this check a peer admitted by one virtual host would resume on another. Return its value
/// from the callback: SSL_TLSEXT_ERR_OK, or SSL_TLSEXT_ERR_ALERT_FATAL (the handshake fails).
///
/// ```
/// int on_sni(SSL* ssl, int*, void* vhost_ctx) {
///     return svcid::switch_context(ssl, static_cast<SSL_CTX*>(vhost_ctx));
/// }
/// ```
/// An SSL with its own policy (a per-SSL function) keeps it. noexcept; no heap.
[[nodiscard]] inline int switch_context(SSL* ssl, SSL_CTX* ctx) noexcept {
    if (ssl == nullptr || ctx == nullptr || SSL_set_SSL_CTX(ssl, ctx) == nullptr) return SSL_TLSEXT_ERR_ALERT_FATAL;
    if (SSL_session_reused(ssl) != 1 || peer_identity_of(ssl) != nullptr) return SSL_TLSEXT_ERR_OK;
    const context_identity* context = context_identity_of(ctx);
    const SSL_SESSION* session = SSL_get_session(ssl);
    const X509* peer = session != nullptr ? SSL_SESSION_get0_peer(const_cast<SSL_SESSION*>(session)) : nullptr;
    if (context == nullptr || context->withdrawn() || peer == nullptr ||
        !context->policy().check(openssl_certificate(peer)).matched())
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    return SSL_TLSEXT_ERR_OK;
}

/// Server side, for a whole SSL_CTX: every `SSL` made from it requires a client certificate
/// and runs verify_callback(). Each `SSL` then needs a policy of its own, or the context
/// one set_identity_policy() gives; one without is refused. noexcept; no heap.
inline void require_client_certificate(SSL_CTX* ctx) noexcept {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_callback);
}

SVCID_END_NAMESPACE

#endif
