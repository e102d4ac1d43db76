// svcid/gnutls/verify.hpp — svcid inside GnuTLS handshakes, on both sides of mutual TLS.
//
// GnuTLS checks host names (gnutls_session_set_verify_cert) but has no URI-ID, SRV-ID or
// SPIFFE matching. This header puts one svcid::identity_policy on a
// gnutls_certificate_credentials_t (a verifier), shared by every session that uses those
// credentials, and judges the peer inside the handshake.
//
// The hooks, and why:
// - gnutls_certificate_set_verify_function() on the credentials: GnuTLS calls it on every
//   full handshake of every session using them, once the peer's Certificate (and, in TLS
//   1.3, CertificateVerify) has arrived, and fails the handshake when it returns non-zero.
//   It sees the session, so the chain is verified there first
//   (gnutls_certificate_verify_peers2, with the credentials' trust list and flags), and
//   svcid judges the leaf from gnutls_certificate_get_peers() with the raw-DER adapter.
//   GnuTLS gives the function no user data, so the verifier is found from the session's
//   credentials (gnutls_credentials_get) in a small fixed table (max_bound_credentials
//   entries, read without a lock). A session-level verify function
//   (gnutls_session_set_verify_function, also what gnutls_session_set_verify_cert
//   installs) replaces the credentials' one: svcid's guard() installs svcid's there too.
// - gnutls_handshake_set_hook_function() on each session (guard()): a resumed handshake
//   (TLS 1.2 session ID or ticket, TLS 1.3 PSK) carries no certificate and runs no verify
//   function; GnuTLS restores the peer's certificates from the session data instead. The
//   hook runs when the Finished message is processed, and when the handshake resumed it
//   re-verifies the stored chain and re-judges the stored leaf under the policy in force,
//   failing the handshake when either refuses. GnuTLS 3.7 restores a TLS 1.3 resumed
//   session's peer certificates only after the handshake completed, past every hook, so
//   a guarded TLS 1.3 PSK resumption finds none and fails closed
//   (GNUTLS_E_NO_CERTIFICATE_FOUND); TLS 1.2 session IDs and tickets resume and are
//   judged. GnuTLS has no credentials-level handshake
//   hook, so every session must be guarded: call guard(session) after
//   gnutls_credentials_set, as GnuTLS applications already call
//   gnutls_session_set_verify_cert per session.
//
// Errors (the verify function's return value is the handshake's, GnuTLS passes it on):
// GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR when the chain or svcid refuses the peer (the
// status from verify_status() then says which: GnuTLS's chain bits, or GNUTLS_CERT_INVALID
// | GNUTLS_CERT_UNEXPECTED_OWNER, GnuTLS's own bits for a host name mismatch);
// GNUTLS_E_NO_CERTIFICATE_FOUND when the peer sent no certificate (a server that requests
// one only optionally still refuses: svcid's policy is for a peer that presents an
// identity); GNUTLS_E_CERTIFICATE_ERROR when svcid cannot judge (no verifier bound, an
// empty policy or one with no reference, a leaf whose DER does not parse).
//
// After the handshake, peer_outcome_of(session) says whether the peer was accepted, which
// reference matched and which presented identifier it matched. No state is kept per
// session: the outcome is recomputed from the session's peer certificate under the policy
// in force, so it never reports a stale or borrowed identity.
//
// Versions: tested with GnuTLS 3.7 (TLS 1.2 and 1.3); the functions used exist since 3.4.6.
// Allocation: svcid allocates nothing; GnuTLS's own chain verification allocates, as it
// does without svcid, and so peer_outcome_of() does, which re-verifies the chain (GnuTLS
// keeps no verify result svcid could trust: a session-level verify function may have
// replaced svcid's).
#ifndef SVCID_GNUTLS_VERIFY_HPP
#define SVCID_GNUTLS_VERIFY_HPP

#include "../config.hpp"
#include "../der_certificate.hpp"
#include "../identity_policy.hpp"
#include "../match.hpp"
#include "../presented.hpp"

#include <gnutls/gnutls.h>

#include <atomic>
#include <cstddef>
#include <string_view>

SVCID_BEGIN_NAMESPACE

/// svcid's GnuTLS verify layer.
namespace gnutls {

/// The status bits svcid adds when the policy refuses the peer, or cannot judge it:
/// GnuTLS's own for a certificate that does not name the expected peer.
constexpr unsigned status_refused = GNUTLS_CERT_INVALID | GNUTLS_CERT_UNEXPECTED_OWNER;
/// The reference index of an outcome that names no reference.
constexpr std::size_t no_reference_index = static_cast<std::size_t>(-1);
/// How many credentials may have a verifier bound at once.
constexpr std::size_t max_bound_credentials = 64;

class verifier;

namespace detail {

// Credentials -> verifier, fixed size and lock-free: the verify function and the hook
// get no user data from GnuTLS. A slot is claimed by compare-and-swap on its key; a reader
// that meets a slot being filled sees no verifier, and refuses.
struct slot {
    std::atomic<const void*> credentials{nullptr};
    std::atomic<const verifier*> bound{nullptr};
};
inline slot* slots() noexcept {
    static slot table[max_bound_credentials];
    return table;
}
inline const verifier* lookup(const void* credentials) noexcept {
    if (credentials == nullptr) return nullptr;
    slot* table = slots();
    for (std::size_t i = 0; i < max_bound_credentials; ++i)
        if (table[i].credentials.load(std::memory_order_acquire) == credentials)
            return table[i].bound.load(std::memory_order_acquire);
    return nullptr;
}
inline const void* credentials_of(gnutls_session_t session) noexcept {
    void* cred = nullptr;
    if (gnutls_credentials_get(session, GNUTLS_CRD_CERTIFICATE, &cred) < 0) return nullptr;
    return cred;
}
inline std::string_view der_of(const gnutls_datum_t& d) noexcept {
    return {reinterpret_cast<const char*>(d.data), d.size};
}

} // namespace detail

inline int verify_function(gnutls_session_t session) noexcept;

/// One identity policy for GnuTLS, bound to certificate credentials and shared by every
/// session that uses them.
///
/// Ownership: holds a copy of the policy (which shares the references, see
/// identity_policy); the application's object, which must outlive the sessions using the
/// credentials it is bound to. Its destructor unbinds it: sessions then refuse every peer.
/// Not copyable. Thread-safe once bound: handshakes only read it.
///
/// ```
/// svcid::gnutls::verifier expected(svcid::identity_policy::make({*svcid::parse_dns_reference("api.example.com")}));
/// if (expected.bind(credentials) < 0) fail();
/// // per session, after gnutls_credentials_set:
/// if (svcid::gnutls::guard(session) < 0) fail();
/// // gnutls_handshake(session) == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR for another server
/// ```
class verifier {
public:
    /// A verifier for `policy`; an empty policy refuses every peer (GNUTLS_E_CERTIFICATE_ERROR).
    explicit verifier(identity_policy policy) noexcept : policy_(static_cast<identity_policy&&>(policy)) {}
    verifier(const verifier&) = delete;
    verifier& operator=(const verifier&) = delete;
    /// Unbinds the verifier from every credentials object it is bound to.
    ~verifier() {
        detail::slot* table = detail::slots();
        for (std::size_t i = 0; i < max_bound_credentials; ++i) {
            if (table[i].bound.load(std::memory_order_acquire) != this) continue;
            table[i].bound.store(nullptr, std::memory_order_release);
            table[i].credentials.store(nullptr, std::memory_order_release);
        }
    }

    /// The policy.
    const identity_policy& policy() const noexcept { return policy_; }

    /// Binds the verifier to credentials and installs verify_function() on them (replacing
    /// a verify function set before: chain checks are done by svcid's, with the
    /// credentials' trust list and verification flags). Binding again replaces the
    /// verifier of those credentials. Returns 0, GNUTLS_E_INVALID_REQUEST for null
    /// credentials, or GNUTLS_E_MEMORY_ERROR when max_bound_credentials are bound already.
    /// noexcept; no heap.
    [[nodiscard]] int bind(gnutls_certificate_credentials_t credentials) noexcept {
        if (credentials == nullptr) return GNUTLS_E_INVALID_REQUEST;
        // The function first: until the table names a verifier, it refuses.
        gnutls_certificate_set_verify_function(credentials, &verify_function);
        detail::slot* table = detail::slots();
        for (std::size_t i = 0; i < max_bound_credentials; ++i) {
            if (table[i].credentials.load(std::memory_order_acquire) == credentials) {
                table[i].bound.store(this, std::memory_order_release);
                return 0;
            }
        }
        for (std::size_t i = 0; i < max_bound_credentials; ++i) {
            const void* expected = nullptr;
            if (table[i].credentials.compare_exchange_strong(expected, credentials, std::memory_order_acq_rel)) {
                table[i].bound.store(this, std::memory_order_release);
                return 0;
            }
        }
        return GNUTLS_E_MEMORY_ERROR;
    }

    /// svcid's verdict on a leaf certificate (DER): 0 when the policy admits it,
    /// GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR when it does not, GNUTLS_E_CERTIFICATE_ERROR
    /// when svcid cannot judge (an empty policy, no reference, DER that does not parse).
    /// `outcome` receives the match result. noexcept; no heap.
    int judge(std::string_view leaf_der, match_result* outcome = nullptr) const noexcept {
        match_result r{};
        int verdict = GNUTLS_E_CERTIFICATE_ERROR;
        if (!policy_.empty()) {
            const auto cert = parse_der_certificate(leaf_der);
            if (cert) {
                r = policy_.check(*cert);
                verdict = r.matched() ? 0 : GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR;
            }
        }
        if (outcome != nullptr) *outcome = r;
        return verdict;
    }

    /// Explains the policy's verdict on a leaf (DER) into `out` (explain.hpp), at most
    /// `size` bytes, NUL included; returns the length the whole explanation needs. The
    /// diagnostic path, run on demand. noexcept; no heap.
    std::size_t explain(std::string_view leaf_der, char* out, std::size_t size) const noexcept {
        const auto cert = parse_der_certificate(leaf_der);
        const der_certificate judged = cert ? *cert : der_certificate{};
        return policy_.explain(judged, policy_.check(judged), out, size);
    }

private:
    identity_policy policy_;
};

/// The verifier bound to the credentials a session uses; nullptr when none is.
/// noexcept; no heap.
inline const verifier* verifier_of(gnutls_session_t session) noexcept {
    return session != nullptr ? detail::lookup(detail::credentials_of(session)) : nullptr;
}

namespace detail {

// The whole judgement of a session's peer as it stands: chain first (GnuTLS's), then svcid.
// `status` receives GnuTLS's chain status, with status_refused added when svcid refuses.
inline int judge_peer(gnutls_session_t session, unsigned* status, match_result* outcome) noexcept {
    *status = status_refused;
    const verifier* v = verifier_of(session);
    if (v == nullptr) return GNUTLS_E_CERTIFICATE_ERROR;
    unsigned count = 0;
    const gnutls_datum_t* peers = gnutls_certificate_get_peers(session, &count);
    if (peers == nullptr || count == 0) return GNUTLS_E_NO_CERTIFICATE_FOUND;
    unsigned chain = 0;
    if (gnutls_certificate_verify_peers2(session, &chain) < 0) return GNUTLS_E_CERTIFICATE_ERROR;
    *status = chain;
    if (chain != 0) return GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR;
    const int verdict = v->judge(der_of(peers[0]), outcome);
    if (verdict != 0) *status = status_refused;
    return verdict;
}

// Whether the session's first handshake completed. GnuTLS has no query that says so without
// allocating: its session description exists only then (and is freed at once). A
// handshake that failed part-way (a peer that presented a certificate it holds no key for)
// must never read as accepted.
inline bool negotiated(gnutls_session_t session) noexcept {
    char* description = gnutls_session_get_desc(session);
    if (description == nullptr) return false;
    gnutls_free(description);
    return true;
}

inline int resumption_hook(gnutls_session_t session, unsigned int type, unsigned, unsigned int,
                           const gnutls_datum_t*) noexcept {
    if (type != GNUTLS_HANDSHAKE_FINISHED || gnutls_session_is_resumed(session) == 0) return 0;
    unsigned status = 0;
    return judge_peer(session, &status, nullptr);
}

} // namespace detail

/// The verify function bind() installs on credentials and guard() on sessions: verifies the
/// peer's chain with gnutls_certificate_verify_peers2 and, when it verified, judges the
/// leaf under the credentials' verifier. Returns 0 or the error the handshake then fails
/// with (see the header comment). C-compatible; noexcept; no heap of svcid's.
inline int verify_function(gnutls_session_t session) noexcept {
    unsigned status = 0;
    return detail::judge_peer(session, &status, nullptr);
}

/// Guards one session: installs verify_function() as its session-level verify function
/// (so a later gnutls_session_set_verify_cert cannot take svcid out unless called after
/// this) and a handshake hook that re-judges a resumed session's stored peer. Call it after
/// gnutls_credentials_set; the verifier is looked up at handshake time. Returns 0, or
/// GNUTLS_E_INVALID_REQUEST for a null session. noexcept; no heap.
[[nodiscard]] inline int guard(gnutls_session_t session) noexcept {
    if (session == nullptr) return GNUTLS_E_INVALID_REQUEST;
    gnutls_session_set_verify_function(session, &verify_function);
    gnutls_handshake_set_hook_function(session, GNUTLS_HANDSHAKE_FINISHED, GNUTLS_HOOK_POST, &detail::resumption_hook);
    return 0;
}

/// The status of a session's peer as svcid judges it now: GnuTLS's chain status, or
/// status_refused when the policy refuses (or cannot judge, or no certificate was
/// received); 0 only when the peer is accepted. noexcept; no heap of svcid's.
inline unsigned verify_status(gnutls_session_t session) noexcept {
    unsigned status = status_refused;
    if (session != nullptr) detail::judge_peer(session, &status, nullptr);
    return status;
}

/// Who the peer of a session is, as svcid judged it.
///
/// "None" (accepted false, reference_index no_reference_index, presented empty) unless the
/// handshake is complete, the peer's chain verifies and its certificate satisfies the
/// policy bound to the session's credentials.
struct peer_outcome {
    /// Whether the session's peer satisfies the policy and its chain verified.
    bool accepted = false;
    /// 0 when accepted; otherwise the error a handshake would fail with now, or
    /// GNUTLS_E_INVALID_SESSION when no handshake has completed.
    int error = GNUTLS_E_CERTIFICATE_ERROR;
    /// The index, in the policy's references, of the one that matched.
    std::size_t reference_index = no_reference_index;
    /// The presented identifier that matched: a view into the peer certificate GnuTLS
    /// holds, valid while the session is and is not re-handshaken.
    std::string_view presented;
    /// The type of the presented identifier that matched (meaningful when accepted).
    presented_kind kind{};
};

/// The outcome of a session (see peer_outcome), computed now: GnuTLS's chain verification
/// and a completion check (which allocate inside GnuTLS) and one match (which does not);
/// call it once after the handshake, not per record. "None" until the handshake completed.
/// noexcept.
[[nodiscard]] inline peer_outcome peer_outcome_of(gnutls_session_t session) noexcept {
    peer_outcome out;
    if (session == nullptr) return out;
    unsigned status = 0;
    match_result r{};
    out.error = detail::judge_peer(session, &status, &r);
    if (out.error != 0) return out;
    if (!detail::negotiated(session)) {
        out.error = GNUTLS_E_INVALID_SESSION;
        return out;
    }
    out.accepted = true;
    out.reference_index = r.reference_index;
    out.presented = r.presented.value;
    out.kind = r.presented.kind;
    return out;
}

/// Explains svcid's verdict on a session's peer into `out` (explain.hpp), at most `size`
/// bytes, NUL included; returns the length the whole explanation needs. Works after a
/// refused handshake too: GnuTLS keeps the peer's certificates. noexcept; no heap.
inline std::size_t explain(gnutls_session_t session, char* out, std::size_t size) noexcept {
    const verifier* v = verifier_of(session);
    unsigned count = 0;
    const gnutls_datum_t* peers = session != nullptr ? gnutls_certificate_get_peers(session, &count) : nullptr;
    std::string_view why;
    if (v == nullptr) why = "no svcid verifier is bound to this session's credentials";
    if (v != nullptr && (peers == nullptr || count == 0)) why = "the peer sent no certificate";
    if (why.empty()) return v->explain(detail::der_of(peers[0]), out, size);
    if (size != 0) {
        const std::size_t n = why.size() < size ? why.size() : size - 1;
        for (std::size_t i = 0; i < n; ++i) out[i] = why[i];
        out[n] = '\0';
    }
    return why.size();
}

} // namespace gnutls

SVCID_END_NAMESPACE

#endif
