// svcid/mbedtls/verify.hpp — svcid inside mbedTLS handshakes, on both sides of mutual TLS.
//
// mbedTLS checks a host name only when the application set one (mbedtls_ssl_set_hostname;
// before 3.6.3 and 2.28.10 it silently checked nothing otherwise, CVE-2025-27809), falls
// back to the CN whenever the SAN extension is absent, and has no SRV-ID, URI-ID, SPIFFE or
// e-mail matching. This header puts one svcid::identity_policy on an mbedtls_ssl_config
// (a verifier), shared by every mbedtls_ssl_context set up from it, and judges the peer's
// leaf certificate inside the handshake, through mbedtls_ssl_conf_verify:
// - on a name that does not satisfy the policy it sets MBEDTLS_X509_BADCERT_CN_MISMATCH
//   in the verify result, so the handshake fails with MBEDTLS_ERR_X509_CERT_VERIFY_FAILED,
//   exactly as mbedTLS's own host name check does;
// - when svcid cannot judge at all (an empty policy, a policy with no reference, a leaf
//   whose DER does not parse, session resumption left unguarded) it sets
//   MBEDTLS_X509_BADCERT_OTHER, which mbedTLS reserves for verify callbacks and answers
//   with an access_denied alert.
// After the handshake, peer_outcome_of(ssl) says whether this session's peer was accepted,
// which reference matched and which presented identifier it matched. It keeps no state per
// session: it re-judges the session's peer certificate under the policy in force, so it
// can never report a stale or borrowed identity.
//
// Session resumption (RFC 5246 §7.3, RFC 5077): a resumed handshake carries no certificate
// and runs no verify callback. A server's verifier therefore wraps the session cache and
// ticket callbacks present when it is bound: a stored session is handed back to mbedTLS
// only if its chain verified and its stored peer certificate satisfies the policy now;
// otherwise mbedTLS runs a full handshake. mbedTLS 2.28 gives a client no hook on a resumed
// handshake, so a client offers a stored session through set_session(), which refuses one
// the policy would refuse; a session offered with plain mbedtls_ssl_set_session resumes
// unjudged, and peer_outcome_of() still reads "none" for a peer the policy refuses.
// Both need MBEDTLS_SSL_KEEP_PEER_CERTIFICATE (on in mbedTLS's default configuration and
// Debian's): without the stored certificate every resumption is refused.
//
// Versions: tested with mbedTLS 2.28 (TLS 1.2; its TLS 1.3 is experimental and off in
// Debian). The 3.x spellings (private fields, the cache callbacks' session-id arguments)
// are kept in the detail section below, the only place that knows the version; they are
// compiled by no test here.
//
// Allocation: none. A verifier is the application's object (it lives at least as long as
// every configuration and session it is bound to); binding, the checks and
// peer_outcome_of() allocate nothing. The policy's one allocation happened at
// identity_policy::make().
#ifndef SVCID_MBEDTLS_VERIFY_HPP
#define SVCID_MBEDTLS_VERIFY_HPP

#include "../config.hpp"
#include "../der_certificate.hpp"
#include "../identity_policy.hpp"
#include "../match.hpp"
#include "../presented.hpp"

#include <mbedtls/version.h>
#if MBEDTLS_VERSION_MAJOR >= 3
#include <mbedtls/build_info.h>
#else
#if !defined(MBEDTLS_CONFIG_FILE)
#include <mbedtls/config.h>
#else
#include MBEDTLS_CONFIG_FILE
#endif
#endif
#include <mbedtls/ssl.h>
#include <mbedtls/x509.h>
#include <mbedtls/x509_crt.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

SVCID_BEGIN_NAMESPACE

/// svcid's mbedTLS verify layer.
namespace mbedtls {

/// The verify-result flag of a peer whose certificate does not satisfy the policy: mbedTLS's
/// own flag for a host name mismatch, for every reference type (mbedTLS has no other).
constexpr std::uint32_t badcert_mismatch = MBEDTLS_X509_BADCERT_CN_MISMATCH;
/// The verify-result flag of a peer svcid could not judge: no policy, a policy with no
/// reference, a leaf that does not parse, resumption callbacks that bypass the verifier.
constexpr std::uint32_t badcert_unjudged = MBEDTLS_X509_BADCERT_OTHER;
/// The reference index of an outcome that names no reference.
constexpr std::size_t no_reference_index = static_cast<std::size_t>(-1);

/// mbedTLS's verify callback type, spelled once.
using verify_function = int (*)(void*, mbedtls_x509_crt*, int, std::uint32_t*);

namespace detail {

// Everything that differs between mbedTLS 2.28 and 3.x is here.
#if MBEDTLS_VERSION_MAJOR >= 3
#define SVCID_MBEDTLS_FIELD(name) MBEDTLS_PRIVATE(name)
using cache_get_function = mbedtls_ssl_cache_get_t*;
using cache_set_function = mbedtls_ssl_cache_set_t*;
inline bool handshake_over(const mbedtls_ssl_context* ssl) noexcept { return mbedtls_ssl_is_handshake_over(ssl) != 0; }
#else
#define SVCID_MBEDTLS_FIELD(name) name
using cache_get_function = int (*)(void*, mbedtls_ssl_session*);
using cache_set_function = int (*)(void*, const mbedtls_ssl_session*);
inline bool handshake_over(const mbedtls_ssl_context* ssl) noexcept { return ssl->state == MBEDTLS_SSL_HANDSHAKE_OVER; }
#endif

inline const mbedtls_ssl_config* config_of(const mbedtls_ssl_context* ssl) noexcept { return ssl->SVCID_MBEDTLS_FIELD(conf); }
inline mbedtls_ssl_config* mutable_config(const mbedtls_ssl_config* conf) noexcept {
    // mbedtls_ssl_conf_* take a non-const config; svcid changes one it was handed as mutable.
    return const_cast<mbedtls_ssl_config*>(conf);
}
inline bool is_server(const mbedtls_ssl_config* conf) noexcept {
    return conf->SVCID_MBEDTLS_FIELD(endpoint) == MBEDTLS_SSL_IS_SERVER;
}
inline const mbedtls_x509_crt* stored_peer(const mbedtls_ssl_session* s) noexcept {
#if defined(MBEDTLS_SSL_KEEP_PEER_CERTIFICATE)
    return s->SVCID_MBEDTLS_FIELD(peer_cert);
#else
    (void)s;
    return nullptr;
#endif
}
inline std::uint32_t stored_verify_result(const mbedtls_ssl_session* s) noexcept {
    return s->SVCID_MBEDTLS_FIELD(verify_result);
}
inline std::string_view der_of(const mbedtls_x509_crt* crt) noexcept {
    return {reinterpret_cast<const char*>(crt->raw.p), crt->raw.len};
}

} // namespace detail

inline int verify_callback(void* verifier, mbedtls_x509_crt* crt, int depth, std::uint32_t* flags) noexcept;

/// One identity policy for mbedTLS, bound to an mbedtls_ssl_config (shared by every session
/// set up from it) or to one mbedtls_ssl_context (overriding the configuration's).
///
/// Ownership: holds a copy of the policy (which shares the references, see identity_policy);
/// it is the application's object and must outlive every configuration and session it is
/// bound to, and stay where it is (mbedTLS keeps its address). Not copyable. Thread-safe
/// once bound: handshakes only read it.
///
/// ```
/// static svcid::mbedtls::verifier allowed(svcid::identity_policy::make({
///     *svcid::make_spiffe_reference("spiffe://factory.example/line/3", svcid::spiffe_match::path_prefix)}));
/// // after mbedtls_ssl_config_defaults, mbedtls_ssl_conf_session_cache and _session_tickets_cb:
/// if (allowed.bind(&conf) != 0) fail();
/// // ... mbedtls_ssl_handshake(&ssl) == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED for a device not allowed
/// const auto who = svcid::mbedtls::peer_outcome_of(&ssl);
/// if (who.accepted) authorise(who.reference_index, who.presented);
/// ```
class verifier {
public:
    /// A verifier for `policy`; an empty policy (a failed identity_policy::make()) refuses
    /// every peer with badcert_unjudged.
    explicit verifier(identity_policy policy) noexcept : policy_(static_cast<identity_policy&&>(policy)) {}
    verifier(const verifier&) = delete;
    verifier& operator=(const verifier&) = delete;

    /// The policy.
    const identity_policy& policy() const noexcept { return policy_; }

    /// Binds the verifier to a configuration. Call it after the configuration's other
    /// settings, in particular mbedtls_ssl_conf_verify (an application callback found there
    /// runs first, and svcid judges the leaf only when it leaves the leaf's flags clear),
    /// mbedtls_ssl_conf_session_cache and mbedtls_ssl_conf_session_tickets_cb (a server's
    /// are wrapped, so that no stored session resumes unless the policy admits its peer).
    /// Sets authmode to MBEDTLS_SSL_VERIFY_REQUIRED: with OPTIONAL, mbedTLS completes
    /// handshakes whatever the verify result, and a server would admit a client that sent
    /// no certificate. A configuration changed after binding in a way that bypasses the
    /// wrapped callbacks makes full handshakes fail with badcert_unjudged.
    /// Returns 0, or MBEDTLS_ERR_SSL_BAD_INPUT_DATA for a null `conf` or a configuration
    /// bound to another verifier. noexcept; no heap.
    [[nodiscard]] int bind(mbedtls_ssl_config* conf) noexcept {
        if (conf == nullptr) return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
        if (conf->SVCID_MBEDTLS_FIELD(f_vrfy) == &verify_callback) {
            if (conf->SVCID_MBEDTLS_FIELD(p_vrfy) != this) return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
        } else {
            chained_ = conf->SVCID_MBEDTLS_FIELD(f_vrfy);
            chained_data_ = conf->SVCID_MBEDTLS_FIELD(p_vrfy);
        }
        mbedtls_ssl_conf_authmode(conf, MBEDTLS_SSL_VERIFY_REQUIRED);
        if (detail::is_server(conf)) wrap_resumption(conf);
        mbedtls_ssl_conf_verify(conf, &verify_callback, this);
        bound_ = conf;
        return 0;
    }

    /// Binds the verifier to one session, overriding its configuration's policy
    /// (mbedtls_ssl_set_verify): a client that expects another server on each connection.
    /// A server that resumes sessions judges them under its configuration's policy, which
    /// a per-session policy would contradict, so on a server this is refused unless the
    /// configuration has neither a session cache nor tickets (use a configuration, and a
    /// verifier, per policy there: configurations are meant to be shared).
    /// As with mbedtls_ssl_set_verify, the configuration's verify callbacks (svcid's and the
    /// application's) do not run for this session.
    /// Returns 0, or MBEDTLS_ERR_SSL_BAD_INPUT_DATA (null `ssl`, a session not set up, a
    /// resuming server). Also sets the handshake's authmode to REQUIRED on a server.
    /// noexcept; no heap.
    [[nodiscard]] int bind(mbedtls_ssl_context* ssl) noexcept {
        if (ssl == nullptr) return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
        const mbedtls_ssl_config* conf = detail::config_of(ssl);
        if (conf == nullptr) return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
        if (detail::is_server(conf)) {
            if (resumes(conf)) return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
#if defined(MBEDTLS_SSL_SERVER_NAME_INDICATION)
            // Outside the SNI callback the handshake has not started; mbedTLS then reports
            // bad input and the configuration's REQUIRED (set by bind(conf)) is what counts.
            (void)mbedtls_ssl_set_hs_authmode(ssl, MBEDTLS_SSL_VERIFY_REQUIRED);
#endif
        }
        mbedtls_ssl_set_verify(ssl, &verify_callback, this);
        return 0;
    }

    /// The verify-result flags svcid adds for a leaf: 0 when the policy admits it,
    /// badcert_mismatch when it does not, badcert_unjudged when svcid cannot judge.
    /// `outcome` receives the match result. noexcept; no heap.
    std::uint32_t judge(const mbedtls_x509_crt* leaf, match_result* outcome = nullptr) const noexcept {
        match_result r{};
        std::uint32_t flags = badcert_unjudged;
        if (leaf != nullptr && !policy_.empty()) {
            const auto cert = parse_der_certificate(detail::der_of(leaf));
            if (cert) {
                r = policy_.check(*cert);
                flags = r.matched() ? 0 : badcert_mismatch;
            }
        }
        if (outcome != nullptr) *outcome = r;
        return flags;
    }

    /// Explains the policy's verdict on `leaf` into `out` (explain.hpp), at most `size`
    /// bytes, NUL included; returns the length the whole explanation needs. The diagnostic
    /// path: it re-matches, so call it on demand (when logging a refusal), not per
    /// handshake. noexcept; no heap.
    std::size_t explain(const mbedtls_x509_crt* leaf, char* out, std::size_t size) const noexcept;

    /// Whether a stored session may resume under this policy: its chain verified and its
    /// stored peer certificate satisfies the policy. noexcept; no heap.
    bool admits(const mbedtls_ssl_session& session) const noexcept {
        return detail::stored_verify_result(&session) == 0 && judge(detail::stored_peer(&session)) == 0;
    }

private:
    friend int verify_callback(void*, mbedtls_x509_crt*, int, std::uint32_t*) noexcept;

    static bool resumes(const mbedtls_ssl_config* conf) noexcept {
        bool tickets = false;
#if defined(MBEDTLS_SSL_SESSION_TICKETS) && defined(MBEDTLS_SSL_SRV_C)
        tickets = conf->SVCID_MBEDTLS_FIELD(f_ticket_parse) != nullptr;
#endif
        return tickets || conf->SVCID_MBEDTLS_FIELD(f_get_cache) != nullptr;
    }

    // The session cache and ticket callbacks, wrapped: mbedTLS hands the wrapper's context
    // (this verifier) to svcid's trampolines, which call the application's originals.
    void wrap_resumption(mbedtls_ssl_config* conf) noexcept {
        const detail::cache_get_function get = conf->SVCID_MBEDTLS_FIELD(f_get_cache);
        if (get != nullptr && get != &cache_get) {
            cache_ = conf->SVCID_MBEDTLS_FIELD(p_cache);
            cache_get_ = get;
            cache_set_ = conf->SVCID_MBEDTLS_FIELD(f_set_cache);
            mbedtls_ssl_conf_session_cache(conf, this, &cache_get, &cache_set);
        }
#if defined(MBEDTLS_SSL_SESSION_TICKETS) && defined(MBEDTLS_SSL_SRV_C)
        mbedtls_ssl_ticket_parse_t* parse = conf->SVCID_MBEDTLS_FIELD(f_ticket_parse);
        if (parse != nullptr && parse != &ticket_parse) {
            ticket_ = conf->SVCID_MBEDTLS_FIELD(p_ticket);
            ticket_parse_ = parse;
            ticket_write_ = conf->SVCID_MBEDTLS_FIELD(f_ticket_write);
            mbedtls_ssl_conf_session_tickets_cb(conf, &ticket_write, &ticket_parse, this);
        }
#endif
    }

    // Whether every way the bound configuration resumes sessions goes through svcid.
    bool resumption_guarded() const noexcept {
        if (bound_ == nullptr || !detail::is_server(bound_)) return true;
        const detail::cache_get_function get = bound_->SVCID_MBEDTLS_FIELD(f_get_cache);
        if (get != nullptr && (get != &cache_get || bound_->SVCID_MBEDTLS_FIELD(p_cache) != this)) return false;
#if defined(MBEDTLS_SSL_SESSION_TICKETS) && defined(MBEDTLS_SSL_SRV_C)
        mbedtls_ssl_ticket_parse_t* parse = bound_->SVCID_MBEDTLS_FIELD(f_ticket_parse);
        if (parse != nullptr && (parse != &ticket_parse || bound_->SVCID_MBEDTLS_FIELD(p_ticket) != this)) return false;
#endif
        return true;
    }

#if MBEDTLS_VERSION_MAJOR >= 3
    static int cache_get(void* self, const unsigned char* id, std::size_t id_len, mbedtls_ssl_session* s) {
        const auto* v = static_cast<const verifier*>(self);
        const int ret = v->cache_get_(v->cache_, id, id_len, s);
        return ret != 0 ? ret : v->admits(*s) ? 0 : MBEDTLS_ERR_X509_CERT_VERIFY_FAILED;
    }
    static int cache_set(void* self, const unsigned char* id, std::size_t id_len, const mbedtls_ssl_session* s) {
        const auto* v = static_cast<const verifier*>(self);
        return v->cache_set_ != nullptr ? v->cache_set_(v->cache_, id, id_len, s) : 0;
    }
#else
    // A non-zero return is "not found": mbedTLS frees what the original filled in and runs a
    // full handshake.
    static int cache_get(void* self, mbedtls_ssl_session* s) {
        const auto* v = static_cast<const verifier*>(self);
        const int ret = v->cache_get_(v->cache_, s);
        return ret != 0 ? ret : v->admits(*s) ? 0 : MBEDTLS_ERR_X509_CERT_VERIFY_FAILED;
    }
    static int cache_set(void* self, const mbedtls_ssl_session* s) {
        const auto* v = static_cast<const verifier*>(self);
        return v->cache_set_ != nullptr ? v->cache_set_(v->cache_, s) : 0;
    }
#endif
#if defined(MBEDTLS_SSL_SESSION_TICKETS) && defined(MBEDTLS_SSL_SRV_C)
    static int ticket_write(void* self, const mbedtls_ssl_session* s, unsigned char* start, const unsigned char* end,
                            std::size_t* len, std::uint32_t* lifetime) {
        const auto* v = static_cast<const verifier*>(self);
        if (v->ticket_write_ == nullptr) return MBEDTLS_ERR_SSL_FEATURE_UNAVAILABLE;
        return v->ticket_write_(v->ticket_, s, start, end, len, lifetime);
    }
    // mbedTLS ignores a ticket that fails to parse and runs a full handshake.
    static int ticket_parse(void* self, mbedtls_ssl_session* s, unsigned char* buf, std::size_t len) {
        const auto* v = static_cast<const verifier*>(self);
        const int ret = v->ticket_parse_(v->ticket_, s, buf, len);
        return ret != 0 ? ret : v->admits(*s) ? 0 : MBEDTLS_ERR_X509_CERT_VERIFY_FAILED;
    }
#endif

    identity_policy policy_;
    const mbedtls_ssl_config* bound_ = nullptr;
    verify_function chained_ = nullptr;
    void* chained_data_ = nullptr;
    void* cache_ = nullptr;
    detail::cache_get_function cache_get_ = nullptr;
    detail::cache_set_function cache_set_ = nullptr;
#if defined(MBEDTLS_SSL_SESSION_TICKETS) && defined(MBEDTLS_SSL_SRV_C)
    void* ticket_ = nullptr;
    mbedtls_ssl_ticket_parse_t* ticket_parse_ = nullptr;
    mbedtls_ssl_ticket_write_t* ticket_write_ = nullptr;
#endif
};

/// The verify callback verifier::bind() installs (context: the verifier). mbedTLS calls it
/// for each certificate of the chain, the leaf last (depth 0). An application callback
/// found at bind time runs first at every depth; then, at depth 0 and only if the leaf's
/// flags are clear (chain errors are mbedTLS's, reported unchanged), svcid judges the leaf
/// and adds verifier::judge()'s flag. A null context refuses the leaf (badcert_unjudged).
/// Always returns 0 unless the application's callback failed: the verdict travels in the
/// flags, so mbedTLS reports it as MBEDTLS_ERR_X509_CERT_VERIFY_FAILED with the verify
/// result naming the reason. C-compatible; noexcept; no heap.
inline int verify_callback(void* context, mbedtls_x509_crt* crt, int depth, std::uint32_t* flags) noexcept {
    const auto* v = static_cast<const verifier*>(context);
    if (v != nullptr && v->chained_ != nullptr) {
        const int ret = v->chained_(v->chained_data_, crt, depth, flags);
        if (ret != 0) return ret;
    }
    if (depth != 0 || *flags != 0) return 0;
    *flags |= v == nullptr || !v->resumption_guarded() ? badcert_unjudged : v->judge(crt);
    return 0;
}

namespace detail {
inline const verifier* verifier_of(const mbedtls_ssl_context* ssl) noexcept {
    if (ssl->SVCID_MBEDTLS_FIELD(f_vrfy) == &verify_callback)
        return static_cast<const verifier*>(ssl->SVCID_MBEDTLS_FIELD(p_vrfy));
    const mbedtls_ssl_config* conf = config_of(ssl);
    if (conf != nullptr && conf->SVCID_MBEDTLS_FIELD(f_vrfy) == &verify_callback)
        return static_cast<const verifier*>(conf->SVCID_MBEDTLS_FIELD(p_vrfy));
    return nullptr;
}
} // namespace detail

/// The verifier in force for a session: its own (verifier::bind(ssl)) or its
/// configuration's; nullptr when svcid is bound to neither. noexcept; no heap.
inline const verifier* verifier_of(const mbedtls_ssl_context* ssl) noexcept {
    return ssl != nullptr ? detail::verifier_of(ssl) : nullptr;
}

/// Who the peer of a session is, as svcid judged it.
///
/// "None" (accepted false, reference_index no_reference_index, presented empty) unless the
/// handshake is over, the chain verified (mbedtls_ssl_get_verify_result() == 0) and the
/// session's current peer certificate satisfies the policy in force.
struct peer_outcome {
    /// Whether the session's peer satisfies the policy and its chain verified.
    bool accepted = false;
    /// mbedtls_ssl_get_verify_result(), or badcert_mismatch / badcert_unjudged when the
    /// chain verified and svcid refuses the peer now; 0 only when accepted.
    std::uint32_t verify_result = badcert_unjudged;
    /// The index, in the policy's references, of the one that matched.
    std::size_t reference_index = no_reference_index;
    /// The presented identifier that matched: a view into the peer certificate, valid
    /// while the session is and is not renegotiated or reset.
    std::string_view presented;
    /// The type of the presented identifier that matched (meaningful when accepted).
    presented_kind kind{};
};

/// The outcome of a session (see peer_outcome), computed now from its peer certificate:
/// one match, no heap; noexcept.
[[nodiscard]] inline peer_outcome peer_outcome_of(const mbedtls_ssl_context* ssl) noexcept {
    peer_outcome out;
    if (ssl == nullptr) return out;
    const verifier* v = detail::verifier_of(ssl);
    const std::uint32_t chain = mbedtls_ssl_get_verify_result(ssl);
    // A failed handshake keeps its verify result: report it, never as an acceptance.
    if (chain != 0) out.verify_result = chain;
    if (v == nullptr || chain != 0 || !detail::handshake_over(ssl)) return out;
    match_result r{};
    out.verify_result = v->judge(mbedtls_ssl_get_peer_cert(ssl), &r);
    if (out.verify_result != 0) return out;
    out.accepted = true;
    out.reference_index = r.reference_index;
    out.presented = r.presented.value;
    out.kind = r.presented.kind;
    return out;
}

namespace detail {
inline std::size_t put_text(std::string_view text, char* out, std::size_t size) noexcept {
    if (size != 0) {
        const std::size_t n = text.size() < size ? text.size() : size - 1;
        for (std::size_t i = 0; i < n; ++i) out[i] = text[i];
        out[n] = '\0';
    }
    return text.size();
}
} // namespace detail

inline std::size_t verifier::explain(const mbedtls_x509_crt* leaf, char* out, std::size_t size) const noexcept {
    if (leaf == nullptr) return detail::put_text("no peer certificate", out, size);
    const auto cert = parse_der_certificate(detail::der_of(leaf));
    if (!cert) return detail::put_text("the peer certificate's DER does not parse", out, size);
    return policy_.explain(*cert, policy_.check(*cert), out, size);
}

/// Explains svcid's verdict on an established session's peer into `out` (explain.hpp), at
/// most `size` bytes, NUL included; returns the length the whole explanation needs. After a
/// failed verification mbedTLS frees the peer's certificate, so there is nothing left to
/// explain: call verifier::explain() from the application's own verify callback (which runs
/// inside svcid's, with the certificate) to log refusals. Made on demand, never in the
/// handshake. noexcept; no heap.
inline std::size_t explain(const mbedtls_ssl_context* ssl, char* out, std::size_t size) noexcept {
    const verifier* v = verifier_of(ssl);
    if (v == nullptr) return detail::put_text("no svcid verifier is bound to this session or its configuration", out, size);
    if (!detail::handshake_over(ssl))
        return detail::put_text("no established session: mbedTLS keeps no peer certificate after a failed handshake", out,
                                size);
    return v->explain(mbedtls_ssl_get_peer_cert(ssl), out, size);
}

/// Client side: offers a stored session (from mbedtls_ssl_get_session) for resumption only
/// if the policy in force for `ssl` admits its peer (verifier::admits()); otherwise nothing
/// is offered and the handshake is a full one. Returns mbedtls_ssl_set_session()'s result,
/// MBEDTLS_ERR_X509_CERT_VERIFY_FAILED for a session the policy refuses, or
/// MBEDTLS_ERR_SSL_BAD_INPUT_DATA when no verifier is bound. noexcept; no heap of svcid's.
[[nodiscard]] inline int set_session(mbedtls_ssl_context* ssl, const mbedtls_ssl_session* session) noexcept {
    const verifier* v = verifier_of(ssl);
    if (v == nullptr || session == nullptr) return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
    if (!v->admits(*session)) return MBEDTLS_ERR_X509_CERT_VERIFY_FAILED;
    return mbedtls_ssl_set_session(ssl, session);
}

} // namespace mbedtls

SVCID_END_NAMESPACE

#undef SVCID_MBEDTLS_FIELD

#endif
