// svcid/openssl/verify.hpp — svcid as the OpenSSL verify callback, on both sides of mutual TLS.
//
// Chain validation proves who issued the peer's certificate; this header adds the second
// question — is it the peer we meant? — inside the handshake, so a wrong peer is refused
// with a verify error before any application data moves:
// - a client attaches the server identities it expects (a DNS name, an IP address, an
//   SRV-ID, a URI-ID) to its `SSL` with verify_server_identity();
// - a server requires a client certificate and checks it against an allow-list (SPIFFE
//   IDs, trust domains or path prefixes, DNS names, e-mail addresses) with
//   require_client_identity().
// After the handshake, peer_outcome_of(ssl) says whether this connection's peer was
// accepted, which reference matched and which presented identifier it matched; it reads
// "none" (accepted() false, no index, no value) unless the current peer was accepted.
//
// Allocation: attaching allocates once per `SSL` (the state, a copy of the references,
// and OpenSSL's SHA-256 context for the policy digest); it is freed with the `SSL` by the
// ex_data free callback. The check run during each handshake allocates nothing: results
// and the explanation go into fixed buffers inside that state.
//
// Fail closed: the verify mode and callback are installed before anything can fail, and a
// failed attach removes any state attached before, so the callback then refuses
// (verify_error_application). svcid's callback also refuses when the state holds no
// reference (mbedTLS CVE-2025-27809, EDK2 CVE-2019-14553 were verifiers that silently
// accepted any peer when no name was configured), and when a chained callback replaced
// the state while the check ran.
//
// Session resumption (RFC 8446 §2.2, RFC 5077, RFC 5246 §7.3): a resumed handshake sends
// no certificate, so no verify callback runs. svcid therefore binds sessions to the policy:
// every `SSL` it is attached to gets a session id context that is the SHA-256 digest of
// the policy (references, rules, combination, chained callback) and of the address of the
// SSL_CTX's trust store, so sessions resume only within one process and trust store. A server resumes only
// sessions with its own session id context (OpenSSL enforces this for session IDs, tickets
// and TLS 1.3 PSKs), so a peer admitted under another policy runs a full handshake. A
// client ignores that field, so svcid's info callback checks the offered session at
// handshake start: it is kept only if it carries the same policy digest, its chain verify
// result is X509_V_OK, and its stored peer certificate passes the current policy;
// otherwise it is dropped and the handshake is a full one. After a resumption the outcome
// is the current policy's verdict on the session's peer certificate.
#ifndef SVCID_OPENSSL_VERIFY_HPP
#define SVCID_OPENSSL_VERIFY_HPP

#include "../config.hpp"
#include "../explain.hpp"
#include "../identity_policy.hpp"
#include "../match.hpp"
#include "certificate.hpp"
#include "../policy.hpp"
#include "../reference.hpp"
#include "../syntax/spiffe.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <string_view>

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

/// What to check and how.
struct verify_options {
    /// Which matching rules apply: RFC 9525 (SAN only) or RFC 6125 (with the CN-ID fallback).
    verify_rules rules = verify_rules::rfc9525;
    /// Whether one of the references must match (an allow-list) or every one of them.
    verify_match match = verify_match::any_of;
    /// An application's own verify callback, or nullptr. See chain_order for when it runs.
    ssl_verify_callback chained = nullptr;
    /// Whether the chained callback runs before or after svcid's check.
    chain_order order = chain_order::before_svcid;
};

/// The reference index of an outcome that names no reference.
constexpr std::size_t no_reference_index = static_cast<std::size_t>(-1);

class peer_identity;
inline peer_identity* peer_identity_of(const SSL* ssl) noexcept;
inline int verify_callback(int preverify_ok, X509_STORE_CTX* store) noexcept;
inline void info_callback(const SSL* ssl, int where, int ret) noexcept;

/// The svcid state attached to one `SSL`: the expected references and, after the check,
/// its outcome.
///
/// Ownership: made by verify_server_identity(), require_client_identity() or
/// attach_peer_identity(); owned by the `SSL` and freed with it (SSL_free). The references
/// are copied in, so the caller's array need not outlive the call. The pointer the helpers
/// return, and what its accessors return, are valid while the `SSL` lives. Not
/// thread-safe: read it from the thread that drives the handshake, after the handshake.
/// Prefer peer_outcome_of(ssl), which also checks the outcome against the SSL's current
/// peer and chain verify result.
class peer_identity {
public:
    /// Longest presented identifier kept whole (the SPIFFE ID limit, SPIFFE ID §2.3).
    static constexpr std::size_t max_presented_len = spiffe_id::max_len;
    /// Size of the explanation buffer, NUL included; longer explanations are cut.
    static constexpr std::size_t explanation_size = 1024;
    /// Size of the policy digest used as session id context (SHA-256).
    static constexpr std::size_t digest_size = 32;

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
    /// The last check's result. Its `presented` view points into the peer's certificate;
    /// use presented_value(), which is a copy, once the handshake is over.
    const match_result& result() const noexcept { return result_; }
    /// X509_V_OK only when accepted(); otherwise the chain error, svcid's verify error, or
    /// verify_error_application when nothing was checked.
    [[nodiscard]] int verify_error() const noexcept {
        if (accepted()) return X509_V_OK;
        if (chain_error_ != X509_V_OK) return chain_error_;
        if (checked_ && error_ != X509_V_OK) return error_;
        return verify_error_application;
    }
    /// The index, in the references given, of the one that matched; no_reference_index
    /// unless accepted().
    [[nodiscard]] std::size_t reference_index() const noexcept {
        return accepted() ? result_.reference_index : no_reference_index;
    }
    /// The index of the reference a refusal is about; no_reference_index unless a check
    /// refused the name.
    [[nodiscard]] std::size_t failed_reference_index() const noexcept {
        return checked_ && !result_.matched() && count_ != 0 ? result_.reference_index : no_reference_index;
    }
    /// The presented identifier that matched, copied; empty unless accepted(). Cut to
    /// max_presented_len when longer; presented_value_cut() then says so.
    [[nodiscard]] std::string_view presented_value() const noexcept {
        return accepted() ? std::string_view(presented_, presented_len_) : std::string_view();
    }
    /// Whether presented_value() was cut to max_presented_len.
    bool presented_value_cut() const noexcept { return accepted() && presented_cut_; }
    /// The type of the presented identifier that matched (meaningful when accepted()).
    presented_kind presented_kind_matched() const noexcept { return result_.presented.kind; }
    /// svcid's explanation (explain.hpp) of the last check: the reference(s) and, on a
    /// refusal, each presented identifier of their type with the reason it did not match.
    std::string_view explanation() const noexcept { return {explanation_, explanation_len_}; }
    /// The certificate the last check judged (svcid holds a reference on it), or nullptr.
    const X509* checked_certificate() const noexcept { return checked_cert_; }

    /// The references copied at attach time, in the caller's order (reference_index() indexes them).
    const reference* references() const noexcept { return references_.get(); }
    /// How many references references() holds.
    std::size_t reference_count() const noexcept { return count_; }
    /// The options copied at attach time.
    const verify_options& options() const noexcept { return options_; }
    /// SHA-256 of the policy; the session id context of every SSL the state is attached to.
    const unsigned char* policy_digest() const noexcept { return digest_; }

    /// Runs svcid against a leaf certificate and records the outcome; returns X509_V_OK or
    /// the verify error (verify_error_for() of the reference the failure is about;
    /// verify_error_application when there is no reference). This is the whole of what
    /// verify_callback() does per handshake. noexcept; allocates nothing.
    int check(const X509* leaf) noexcept {
        return options_.rules == verify_rules::rfc6125 ? check_with<rfc6125>(leaf) : check_with<rfc9525>(leaf);
    }

    /// Forgets the last outcome (done at handshake start and before each check).
    void reset() noexcept {
        checked_ = false;
        result_ = match_result{};
        error_ = X509_V_OK;
        chain_error_ = X509_V_OK;
        presented_len_ = 0;
        presented_cut_ = false;
        explanation_len_ = 0;
        explanation_[0] = '\0';
        X509_free(checked_cert_);
        checked_cert_ = nullptr;
    }

    /// The ex_data index svcid's state lives under (SSL_get_ex_new_index, made once).
    static int ex_index() noexcept {
        static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, &dup_state, &free_state);
        return index;
    }

    /// Makes a state holding a copy of `refs` and the policy digest; nullptr when memory
    /// runs out.
    /// `trust` names the trust store the chain is verified against (its address is mixed
    /// into the digest: a session verified against another store is not resumed).
    static std::unique_ptr<peer_identity> make(const reference* refs, std::size_t count,
                                               const verify_options& options, const void* trust = nullptr) noexcept {
        std::unique_ptr<peer_identity> state(new (std::nothrow) peer_identity(options));
        if (!state) return nullptr;
        if (count != 0) {
            state->references_.reset(new (std::nothrow) reference[count]);
            if (!state->references_) return nullptr;
            for (std::size_t i = 0; i < count; ++i) state->references_[i] = refs[i];
            state->count_ = count;
        }
        if (!state->compute_digest(trust)) return nullptr;
        return state;
    }

private:
    friend int verify_callback(int, X509_STORE_CTX*) noexcept;
    friend void info_callback(const SSL*, int, int) noexcept;
    friend struct attach_access;

    explicit peer_identity(const verify_options& options) noexcept : options_(options) {}

    template <class Policy>
    int check_with(const X509* leaf) noexcept {
        reset();
        if (leaf == nullptr) return verify_error_application;
        const openssl_certificate cert(leaf);
        const reference* refs = references_.get();
        result_ = options_.match == verify_match::all_of ? match_all<Policy>(cert, refs, count_)
                                                         : match_any<Policy>(cert, refs, count_);
        checked_ = true;
        // The reference keeps the certificate alive, so a later comparison with the SSL's
        // current peer cannot be fooled by a new certificate at a freed address.
        if (X509_up_ref(const_cast<X509*>(leaf)) == 1) checked_cert_ = const_cast<X509*>(leaf);
        if (result_.matched()) {
            copy_presented(result_.presented.value);
            error_ = X509_V_OK;
        } else {
            error_ = count_ == 0 ? verify_error_application : verify_error_for(refs[result_.reference_index].type());
        }
        write_explanation<Policy>(cert);
        return error_;
    }

    void copy_presented(std::string_view value) noexcept {
        presented_cut_ = value.size() > max_presented_len;
        presented_len_ = presented_cut_ ? max_presented_len : value.size();
        for (std::size_t i = 0; i < presented_len_; ++i) presented_[i] = value[i];
    }

    // The digest input: every field that decides a verdict, each length-prefixed, so two
    // policies that would judge a certificate differently never share a session id context.
    template <class Sink>
    void serialise(Sink&& put) const noexcept {
        const unsigned char header[] = {'s', 'v', 'c', 'i', 'd', '1', static_cast<unsigned char>(options_.rules),
                                        static_cast<unsigned char>(options_.match),
                                        static_cast<unsigned char>(options_.order)};
        put(header, sizeof header);
        const auto chained = reinterpret_cast<std::uintptr_t>(options_.chained);
        put(&chained, sizeof chained);
        auto text = [&](std::string_view v) noexcept {
            const std::uint64_t n = v.size();
            put(&n, sizeof n);
            put(v.data(), v.size());
        };
        for (std::size_t i = 0; i < count_; ++i) {
            const reference& r = references_[i];
            const unsigned char kind[] = {static_cast<unsigned char>(r.type()), static_cast<unsigned char>(r.required())};
            put(kind, sizeof kind);
            r.visit([&](const auto& typed) noexcept { serialise_typed(typed, text); });
        }
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

    bool compute_digest(const void* trust) noexcept {
        EVP_MD_CTX* md = EVP_MD_CTX_new();
        if (md == nullptr) return false;
        bool ok = EVP_DigestInit_ex(md, EVP_sha256(), nullptr) == 1;
        const auto store = reinterpret_cast<std::uintptr_t>(trust);
        ok = ok && EVP_DigestUpdate(md, &store, sizeof store) == 1;
        serialise([&](const void* p, std::size_t n) noexcept {
            if (ok && n != 0) ok = EVP_DigestUpdate(md, p, n) == 1;
        });
        unsigned int len = 0;
        ok = ok && EVP_DigestFinal_ex(md, digest_, &len) == 1 && len == digest_size;
        EVP_MD_CTX_free(md);
        return ok;
    }

    // One reference's account appended at explanation_len_; false once the buffer is full.
    template <class Policy>
    bool explain_one(const openssl_certificate& cert, const reference& ref, const match_result& r) noexcept {
        std::size_t at = explanation_len_;
        if (at != 0) {
            if (at + 1 >= explanation_size) return false;
            explanation_[at++] = '\n';
        }
        const std::size_t room = explanation_size - at;
        const std::size_t wanted = ref.visit([&](const auto& typed) noexcept {
            return svcid::explain<Policy>(cert, typed, r, explanation_ + at, room);
        });
        explanation_len_ = at + (wanted < room ? wanted : room - 1);
        return wanted < room;
    }

    template <class Policy>
    void write_explanation(const openssl_certificate& cert) noexcept {
        const reference* refs = references_.get();
        if (count_ == 0) {
            detail::bounded_writer out(explanation_, explanation_size);
            out.put(status_message(match_status::no_reference));
            explanation_len_ = out.wanted() < explanation_size ? out.wanted() : explanation_size - 1;
            return;
        }
        // A refused any-of list is explained reference by reference: the log then shows
        // every name that was tried, not only the first.
        if (!result_.matched() && options_.match == verify_match::any_of) {
            for (std::size_t i = 0; i < count_; ++i) {
                const match_result r = svcid::match<Policy>(cert, refs[i]);
                if (!explain_one<Policy>(cert, refs[i], r)) break;
            }
            return;
        }
        explain_one<Policy>(cert, refs[result_.reference_index], result_);
    }

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
    // the state. The copy gets its own references, the same hooks and no outcome; on
    // allocation failure SSL_dup fails.
    static int dup_state(CRYPTO_EX_DATA*, const CRYPTO_EX_DATA*, typename slot_param<CRYPTO_EX_dup>::type slot, int,
                         long, void*) noexcept {
        void** from = static_cast<void**>(static_cast<void*>(slot));
        const auto* original = static_cast<const peer_identity*>(*from);
        if (original == nullptr) return 1;
        auto copy = make(original->references_.get(), original->count_, original->options_);
        if (copy) {
            for (std::size_t i = 0; i < digest_size; ++i) copy->digest_[i] = original->digest_[i];
            copy->owns_verify_ = original->owns_verify_;
            copy->adopted_ = original->adopted_;
            copy->app_info_ = original->app_info_;
        }
        *from = copy.release();
        return *from != nullptr ? 1 : 0;
    }

    // The session a client is about to offer is kept only if svcid accepted it under this
    // very policy: same digest (the client's session id context), a clean chain verdict,
    // and a stored peer certificate the policy accepts now. The check's outcome stands for
    // the connection if the server resumes; a full handshake checks again.
    // OpenSSL 3.0 has no getter for a session's verify result, but SSL_set_session copies
    // it into the SSL; setting the SSL's own session again changes nothing else.
    static long session_verify_result(SSL* ssl, SSL_SESSION* session) noexcept {
        if (SSL_set_session(ssl, session) != 1) return verify_error_application;
        return SSL_get_verify_result(ssl);
    }

    bool session_acceptable(SSL* ssl, SSL_SESSION* session) noexcept {
        unsigned int len = 0;
        const unsigned char* context = SSL_SESSION_get0_id_context(session, &len);
        if (len != digest_size || CRYPTO_memcmp(context, digest_, digest_size) != 0) return false;
        if (session_verify_result(ssl, session) != X509_V_OK) return false;
        const X509* peer = SSL_SESSION_get0_peer(session);
        return peer != nullptr && check(peer) == X509_V_OK;
    }

    void on_handshake_start(SSL* ssl) noexcept;
    void on_handshake_done(const SSL* ssl) noexcept;

    std::unique_ptr<reference[]> references_;
    std::size_t count_ = 0;
    verify_options options_;
    unsigned char digest_[digest_size] = {};

    // Installed by verify_server_identity()/require_client_identity(): svcid owns the verify
    // callback and re-asserts it at each handshake start.
    bool owns_verify_ = false;
    // Set while verify_callback() runs on this state; a re-attach then retires the state
    // (kept alive, marked replaced) instead of freeing it under the running callback.
    bool busy_ = false;
    bool replaced_ = false;
    peer_identity* retired_ = nullptr;
    // An application callback found in svcid's place at handshake start; it runs before
    // svcid, which keeps the last word.
    ssl_verify_callback adopted_ = nullptr;
    void (*app_info_)(const SSL*, int, int) = nullptr;

    bool checked_ = false;
    bool presented_cut_ = false;
    int error_ = X509_V_OK;
    int chain_error_ = X509_V_OK;
    X509* checked_cert_ = nullptr;
    match_result result_{};
    std::size_t presented_len_ = 0;
    std::size_t explanation_len_ = 0;
    char presented_[max_presented_len] = {};
    char explanation_[explanation_size] = {};
};

/// The svcid state attached to `ssl`, or nullptr. noexcept; no heap.
inline peer_identity* peer_identity_of(const SSL* ssl) noexcept {
    if (ssl == nullptr) return nullptr;
    const int index = peer_identity::ex_index();
    if (index < 0) return nullptr;
    return static_cast<peer_identity*>(SSL_get_ex_data(ssl, index));
}

/// What svcid says about the current connection's peer, checked against the SSL itself:
/// "none" (accepted false, reference_index no_reference_index, presented empty) unless the
/// handshake is finished, the SSL's current peer certificate is the one svcid accepted,
/// and the chain verify result is X509_V_OK.
struct peer_outcome {
    /// Whether svcid accepted this connection's current peer and the chain verified.
    bool accepted = false;
    /// X509_V_OK only when accepted.
    int verify_error = verify_error_application;
    /// The index of the reference that matched; no_reference_index unless accepted.
    std::size_t reference_index = no_reference_index;
    /// Valid while the SSL lives and is not re-handshaken.
    std::string_view presented;
    /// The type of the presented identifier that matched (meaningful when accepted).
    presented_kind kind{};
};

inline const X509* current_peer_certificate(const SSL* ssl) noexcept {
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    return SSL_get0_peer_certificate(ssl);
#else
    X509* peer = SSL_get_peer_certificate(ssl);
    X509_free(peer); // the SSL's session still holds it
    return peer;
#endif
}

/// The outcome of the current connection (see peer_outcome). noexcept; no heap.
[[nodiscard]] inline peer_outcome peer_outcome_of(const SSL* ssl) noexcept {
    peer_outcome out;
    const peer_identity* state = peer_identity_of(ssl);
    if (state == nullptr || !SSL_is_init_finished(ssl)) return out;
    const long chain = SSL_get_verify_result(ssl);
    const X509* peer = current_peer_certificate(ssl);
    if (chain != X509_V_OK) {
        out.verify_error = static_cast<int>(chain);
        return out;
    }
    if (peer == nullptr || peer != state->checked_certificate()) return out;
    if (!state->accepted()) {
        out.verify_error = state->verify_error();
        return out;
    }
    out.accepted = true;
    out.verify_error = X509_V_OK;
    out.reference_index = state->reference_index();
    out.presented = state->presented_value();
    out.kind = state->presented_kind_matched();
    return out;
}

/// The verify callback: install it with SSL_set_verify / SSL_CTX_set_verify (the helpers
/// below do). At depth 0 with `preverify_ok == 1` it runs peer_identity::check() on
/// X509_STORE_CTX_get_current_cert(); on a mismatch it sets the error (verify_error_for())
/// with X509_STORE_CTX_set_error and returns 0, so the handshake fails and
/// SSL_get_verify_result() reports it. With no state attached it refuses at the first call
/// (verify_error_application), and also when a chained callback re-attached a state while
/// it ran. Chain errors are passed through unchanged.
///
/// C-compatible signature; noexcept; allocates nothing.
inline int verify_callback(int preverify_ok, X509_STORE_CTX* store) noexcept {
    auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    peer_identity* state = peer_identity_of(ssl);
    if (state == nullptr) {
        if (preverify_ok == 1) X509_STORE_CTX_set_error(store, verify_error_application);
        return 0;
    }
    // An application callback that itself calls verify_callback (as adopted or chained):
    // the outer call does the check.
    if (state->busy_) return preverify_ok;
    state->busy_ = true;
    const bool leaf = X509_STORE_CTX_get_error_depth(store) == 0;
    bool refused = false;
    auto replaced = [&]() noexcept {
        if (!state->replaced_) return false;
        X509_STORE_CTX_set_error(store, verify_error_application);
        preverify_ok = 0;
        refused = true;
        return true;
    };
    auto check_name = [&]() noexcept {
        const int error = state->check(X509_STORE_CTX_get_current_cert(store));
        if (error != X509_V_OK) {
            X509_STORE_CTX_set_error(store, error);
            preverify_ok = 0;
            refused = true;
        }
    };
    const verify_options options = state->options_;
    if (state->adopted_ != nullptr) preverify_ok = state->adopted_(preverify_ok, store);
    if (!replaced() && options.chained != nullptr && options.order == chain_order::before_svcid)
        preverify_ok = options.chained(preverify_ok, store);
    if (!replaced()) {
        if (preverify_ok == 1 && leaf) check_name();
        if (options.chained != nullptr && options.order == chain_order::after_svcid) {
            const int user = options.chained(preverify_ok, store);
            if (!replaced()) {
                if (!refused) preverify_ok = user;
                // The user's callback may accept a chain error at the leaf (OpenSSL then never
                // asks again with preverify_ok == 1): an accepted leaf must still pass svcid.
                if (preverify_ok == 1 && leaf && !state->name_matched()) check_name();
            }
        }
    }
    state->busy_ = false;
    return preverify_ok == 1 ? 1 : 0;
}

inline void peer_identity::on_handshake_start(SSL* ssl) noexcept {
    reset();
    const int mode = SSL_get_verify_mode(ssl);
    if (owns_verify_) {
        // F1: an application that called SSL_set_verify after svcid would silently unhook it.
        // Its callback is kept and runs first; svcid's check runs after it and has the last word.
        const ssl_verify_callback current = SSL_get_verify_callback(ssl);
        if (current != verify_callback) {
            adopted_ = current;
            SSL_set_verify(ssl, mode | SSL_VERIFY_PEER, verify_callback);
        }
    }
    // Peer verification stays on: SSL_VERIFY_NONE would make a server never ask for a
    // certificate and a client ignore svcid's verdict.
    int wanted = SSL_get_verify_mode(ssl) | SSL_VERIFY_PEER;
    // A server with an allow-list and an optional client certificate admits anyone who
    // sends none; svcid's policy is for a peer that presents an identity, so it is required.
    // Post-handshake authentication (RFC 8446 §4.6.2) asks later: the outcome stays none.
    if (SSL_is_server(ssl) && (wanted & SSL_VERIFY_POST_HANDSHAKE) == 0) wanted |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    // With no callback at all nobody would ask svcid: OpenSSL's default would accept any
    // name under a trusted chain.
    const ssl_verify_callback callback = SSL_get_verify_callback(ssl);
    if (wanted != SSL_get_verify_mode(ssl) || callback == nullptr)
        SSL_set_verify(ssl, wanted, callback != nullptr ? callback : verify_callback);
    if (!SSL_is_server(ssl)) {
        SSL_SESSION* session = SSL_get_session(ssl);
        if (session != nullptr && !session_acceptable(ssl, session)) {
            reset();
            SSL_set_session(ssl, nullptr);
        }
    }
}

inline void peer_identity::on_handshake_done(const SSL* ssl) noexcept {
    if (SSL_session_reused(const_cast<SSL*>(ssl)) == 1) {
        // No certificate came in this handshake: judge the one stored in the session now,
        // so the outcome names the resumed peer (its index, its value) and not another one.
        const X509* peer = current_peer_certificate(ssl);
        if (peer == nullptr) {
            reset();
        } else if (peer != checked_cert_) {
            check(peer);
        }
    }
    chain_error_ = static_cast<int>(SSL_get_verify_result(ssl));
}

/// svcid's info callback: resets the outcome and checks the offered session at handshake
/// start, judges a resumed session at handshake end, then calls the application's info
/// callback (the one set on the SSL before svcid, or the SSL_CTX's). Installed by every
/// attach helper.
inline void info_callback(const SSL* ssl, int where, int ret) noexcept {
    peer_identity* state = peer_identity_of(ssl);
    void (*app)(const SSL*, int, int) = nullptr;
    if (state != nullptr) {
        if ((where & SSL_CB_HANDSHAKE_START) != 0) state->on_handshake_start(const_cast<SSL*>(ssl));
        if ((where & SSL_CB_HANDSHAKE_DONE) != 0) state->on_handshake_done(ssl);
        app = state->app_info_;
    }
    if (app == nullptr) app = SSL_CTX_get_info_callback(SSL_get_SSL_CTX(ssl));
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
    /// Whether the state's verify callback is running (a re-attach now is refused).
    static bool busy(const peer_identity* state) noexcept { return state->busy_; }
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
    if (old == nullptr) return;
    if (attach_access::busy(old)) {
        attach_access::mark_replaced(old);
        return;
    }
    if (SSL_set_ex_data(ssl, index, nullptr) != 1) {
        attach_access::mark_replaced(old);
        return;
    }
    delete old;
}

/// Attaches the identities expected of the peer to `ssl`, replacing any attached before,
/// without touching the verify callback (for frameworks that install their own callback and
/// call verify_callback() from it, as Boost.Asio's set_verify_callback does). It sets the
/// session id context to the policy digest and installs info_callback().
/// Returns the state, or nullptr when memory runs out or `ssl` is null; on failure any
/// state attached before is removed, so svcid's callback refuses.
/// Allocates (once per SSL); noexcept.
[[nodiscard]] inline peer_identity* attach_peer_identity(SSL* ssl, const reference* refs, std::size_t count,
                                                         const verify_options& options = {}) noexcept {
    if (ssl == nullptr) return nullptr;
    const int index = peer_identity::ex_index();
    if (index < 0) return nullptr;
    void (*previous_info)(const SSL*, int, int) = SSL_get_info_callback(ssl);
    SSL_set_info_callback(ssl, info_callback);
    std::unique_ptr<peer_identity> state;
    if (count == 0 || refs != nullptr)
        state = peer_identity::make(refs, count, options, SSL_CTX_get_cert_store(SSL_get_SSL_CTX(ssl)));
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

/// Client side: verify the server's certificate chain and that it names one of `refs`
/// (or all of them, with verify_match::all_of). Sets SSL_VERIFY_PEER with verify_callback()
/// first, so a failure here leaves an SSL that refuses every server.
///
/// ```
/// svcid::reference expected[] = {*svcid::parse_dns_reference("api.example.com")};
/// if (!svcid::verify_server_identity(ssl, expected, 1)) fail();
/// SSL_set_tlsext_host_name(ssl, "api.example.com");   // SNI is the application's business
/// // ... SSL_connect(ssl); on failure SSL_get_verify_result(ssl) == X509_V_ERR_HOSTNAME_MISMATCH
/// ```
/// Allocates (once per SSL); noexcept. nullptr when memory runs out.
[[nodiscard]] inline peer_identity* verify_server_identity(SSL* ssl, const reference* refs, std::size_t count,
                                                           const verify_options& options = {}) noexcept {
    if (ssl == nullptr) return nullptr;
    SSL_set_verify(ssl, SSL_VERIFY_PEER, verify_callback);
    peer_identity* state = attach_peer_identity(ssl, refs, count, options);
    if (state != nullptr) attach_access::own_verify(state);
    return state;
}

/// Server side of mutual TLS: require a client certificate (SSL_VERIFY_PEER |
/// SSL_VERIFY_FAIL_IF_NO_PEER_CERT, set first) and accept the client only if it names one
/// of the allowed `refs`. After SSL_accept, peer_outcome_of(ssl) says who the client is.
///
/// ```
/// svcid::reference allowed[] = {
///     *svcid::make_spiffe_reference("spiffe://prod.example/ns/payments", svcid::spiffe_match::path_prefix),
///     *svcid::parse_email_reference("ops@example.com")};
/// if (!svcid::require_client_identity(ssl, allowed, 2)) fail();
/// if (SSL_accept(ssl) == 1) {
///     const svcid::peer_outcome who = svcid::peer_outcome_of(ssl);
///     if (who.accepted) authorise(who.reference_index, who.presented);
/// }
/// ```
/// Allocates (once per SSL); noexcept. nullptr when memory runs out.
[[nodiscard]] inline peer_identity* require_client_identity(SSL* ssl, const reference* refs, std::size_t count,
                                                            const verify_options& options = {}) noexcept {
    if (ssl == nullptr) return nullptr;
    SSL_set_verify(ssl, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_callback);
    peer_identity* state = attach_peer_identity(ssl, refs, count, options);
    if (state != nullptr) attach_access::own_verify(state);
    return state;
}

/// Server side, for a whole SSL_CTX: every `SSL` made from it requires a client certificate
/// and runs verify_callback(). Each `SSL` still needs its allow-list
/// (attach_peer_identity() or require_client_identity()); one without is refused.
/// noexcept; no heap.
inline void require_client_certificate(SSL_CTX* ctx) noexcept {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_callback);
}

SVCID_END_NAMESPACE

#endif
