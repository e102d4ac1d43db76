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
// After the handshake, peer_identity_of(ssl) says which reference matched, which presented
// identifier it matched (copied into the state), and why a refusal happened.
//
// Allocation: attaching allocates once per `SSL` (the state and a copy of the references,
// through operator new(std::nothrow)); it is freed with the `SSL` by the ex_data free
// callback. The check run during each handshake allocates nothing: results and the
// explanation go into fixed buffers inside that state.
//
// Fail closed: svcid's callback refuses a handshake when no state is attached to the `SSL`
// or the state holds no reference (mbedTLS CVE-2025-27809, EDK2 CVE-2019-14553 were
// verifiers that silently accepted any peer when no name was configured).
//
// Session resumption: a resumed session skips certificate verification (OpenSSL's own
// host name check behaves the same); only resume sessions that were made for the same
// expected identity.
#ifndef SVCID_OPENSSL_VERIFY_HPP
#define SVCID_OPENSSL_VERIFY_HPP

#include "../config.hpp"
#include "../explain.hpp"
#include "../match.hpp"
#include "certificate.hpp"
#include "../policy.hpp"
#include "../reference.hpp"
#include "../syntax/spiffe.hpp"

#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <string_view>

SVCID_BEGIN_NAMESPACE

/// Which rules the callback matches with (policy.hpp): the default is RFC 9525's.
enum class verify_rules : std::uint8_t { rfc9525, rfc6125 };

/// How a list of references is combined (reference.hpp): any one of them must match, or
/// every obligatory one (and each optional one whose type the certificate presents).
enum class verify_match : std::uint8_t { any_of, all_of };

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
    verify_rules rules = verify_rules::rfc9525;
    verify_match match = verify_match::any_of;
    /// An application's own verify callback, or nullptr. See chain_order for when it runs.
    ssl_verify_callback chained = nullptr;
    chain_order order = chain_order::before_svcid;
};

/// The svcid state attached to one `SSL`: the expected references and, after the check,
/// its outcome.
///
/// Ownership: made by verify_server_identity(), require_client_identity() or
/// attach_peer_identity(); owned by the `SSL` and freed with it (SSL_free). The references
/// are copied in, so the caller's array need not outlive the call. The pointer the helpers
/// return, and what its accessors return, are valid while the `SSL` lives. Not
/// thread-safe: read it from the thread that drives the handshake, after the handshake.
class peer_identity {
public:
    /// Longest presented identifier kept whole (the SPIFFE ID limit, SPIFFE ID §2.3).
    static constexpr std::size_t max_presented_len = spiffe_id::max_len;
    /// Size of the explanation buffer, NUL included; longer explanations are cut.
    static constexpr std::size_t explanation_size = 1024;

    /// Whether svcid checked a leaf certificate in this handshake (false when chain
    /// validation refused the peer first, or the session was resumed).
    bool checked() const noexcept { return checked_; }
    /// Whether the last check accepted the peer.
    bool accepted() const noexcept { return checked_ && result_.matched(); }
    /// The last check's result. Its `presented` view points into the peer's certificate;
    /// use presented_value(), which is a copy, once the handshake is over.
    const match_result& result() const noexcept { return result_; }
    /// The verify error the check set (X509_V_OK when it accepted).
    int verify_error() const noexcept { return error_; }
    /// The index, in the references given, of the one that matched (accepted()) or that
    /// the failure is about.
    std::size_t reference_index() const noexcept { return result_.reference_index; }
    /// The presented identifier that matched, copied (empty unless accepted()). Cut to
    /// max_presented_len when longer; presented_value_cut() then says so.
    std::string_view presented_value() const noexcept { return {presented_, presented_len_}; }
    bool presented_value_cut() const noexcept { return presented_cut_; }
    /// The type of the presented identifier that matched (meaningful when accepted()).
    presented_kind presented_kind_matched() const noexcept { return result_.presented.kind; }
    /// svcid's explanation (explain.hpp) of the last check: the reference(s) and, on a
    /// refusal, each presented identifier of their type with the reason it did not match.
    std::string_view explanation() const noexcept { return {explanation_, explanation_len_}; }

    /// The references copied at attach time, in the caller's order (reference_index() indexes them).
    const reference* references() const noexcept { return references_.get(); }
    std::size_t reference_count() const noexcept { return count_; }
    const verify_options& options() const noexcept { return options_; }

    /// Runs svcid against a leaf certificate and records the outcome; returns X509_V_OK or
    /// the verify error (verify_error_for() of the reference the failure is about;
    /// verify_error_application when there is no reference). This is the whole of what
    /// verify_callback() does per handshake. noexcept; allocates nothing.
    int check(const X509* leaf) noexcept {
        return options_.rules == verify_rules::rfc6125 ? check_with<rfc6125>(leaf) : check_with<rfc9525>(leaf);
    }

    /// Forgets the last outcome (the callback does this before each check).
    void reset() noexcept {
        checked_ = false;
        result_ = match_result{};
        error_ = X509_V_OK;
        presented_len_ = 0;
        presented_cut_ = false;
        explanation_len_ = 0;
        explanation_[0] = '\0';
    }

    /// The ex_data index svcid's state lives under (SSL_get_ex_new_index, made once).
    static int ex_index() noexcept {
        static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, &dup_state, &free_state);
        return index;
    }

    /// Makes a state holding a copy of `refs`; nullptr when memory runs out.
    static std::unique_ptr<peer_identity> make(const reference* refs, std::size_t count,
                                               const verify_options& options) noexcept {
        std::unique_ptr<peer_identity> state(new (std::nothrow) peer_identity(options));
        if (!state) return nullptr;
        if (count != 0) {
            state->references_.reset(new (std::nothrow) reference[count]);
            if (!state->references_) return nullptr;
            for (std::size_t i = 0; i < count; ++i) state->references_[i] = refs[i];
            state->count_ = count;
        }
        return state;
    }

private:
    explicit peer_identity(const verify_options& options) noexcept : options_(options) {}

    template <class Policy>
    int check_with(const X509* leaf) noexcept {
        reset();
        const openssl_certificate cert(leaf);
        const reference* refs = references_.get();
        result_ = options_.match == verify_match::all_of ? match_all<Policy>(cert, refs, count_)
                                                         : match_any<Policy>(cert, refs, count_);
        checked_ = true;
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
    // the state. The copy gets its own references and no outcome; on allocation failure
    // SSL_dup fails.
    static int dup_state(CRYPTO_EX_DATA*, const CRYPTO_EX_DATA*, typename slot_param<CRYPTO_EX_dup>::type slot, int,
                         long, void*) noexcept {
        void** from = static_cast<void**>(static_cast<void*>(slot));
        const auto* original = static_cast<const peer_identity*>(*from);
        if (original == nullptr) return 1;
        auto copy = make(original->references_.get(), original->count_, original->options_);
        *from = copy.release();
        return *from != nullptr ? 1 : 0;
    }

    std::unique_ptr<reference[]> references_;
    std::size_t count_ = 0;
    verify_options options_;

    bool checked_ = false;
    bool presented_cut_ = false;
    int error_ = X509_V_OK;
    match_result result_{};
    std::size_t presented_len_ = 0;
    std::size_t explanation_len_ = 0;
    char presented_[max_presented_len] = {};
    char explanation_[explanation_size] = {};
};

/// The svcid state attached to `ssl`, or nullptr. noexcept; no heap.
inline peer_identity* peer_identity_of(const SSL* ssl) noexcept {
    if (ssl == nullptr) return nullptr;
    return static_cast<peer_identity*>(SSL_get_ex_data(ssl, peer_identity::ex_index()));
}

/// Attaches the identities expected of the peer to `ssl`, replacing any attached before,
/// without touching the verify mode (for frameworks that install their own callback and
/// call verify_callback() from it, as Boost.Asio's set_verify_callback does).
/// Returns the state, or nullptr when memory runs out or `ssl` is null.
/// Allocates (once per SSL); noexcept.
inline peer_identity* attach_peer_identity(SSL* ssl, const reference* refs, std::size_t count,
                                           const verify_options& options = {}) noexcept {
    if (ssl == nullptr || (count != 0 && refs == nullptr)) return nullptr;
    const int index = peer_identity::ex_index();
    if (index < 0) return nullptr;
    auto state = peer_identity::make(refs, count, options);
    if (!state) return nullptr;
    // SSL_set_ex_data overwrites without freeing; the old state goes once the new one is in.
    std::unique_ptr<peer_identity> previous(peer_identity_of(ssl));
    if (SSL_set_ex_data(ssl, index, state.get()) != 1) {
        previous.release();
        return nullptr;
    }
    return state.release();
}

/// The verify callback: install it with SSL_set_verify / SSL_CTX_set_verify (the helpers
/// below do). At depth 0 with `preverify_ok == 1` it runs peer_identity::check() on
/// X509_STORE_CTX_get_current_cert(); on a mismatch it sets the error (verify_error_for())
/// with X509_STORE_CTX_set_error and returns 0, so the handshake fails and
/// SSL_get_verify_result() reports it. With no state attached it refuses at the first call
/// (verify_error_application). Chain errors are passed through unchanged.
///
/// C-compatible signature; noexcept; allocates nothing.
inline int verify_callback(int preverify_ok, X509_STORE_CTX* store) noexcept {
    auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    peer_identity* state = peer_identity_of(ssl);
    if (state == nullptr) {
        if (preverify_ok == 1) X509_STORE_CTX_set_error(store, verify_error_application);
        return 0;
    }
    const verify_options& options = state->options();
    if (options.chained != nullptr && options.order == chain_order::before_svcid)
        preverify_ok = options.chained(preverify_ok, store);
    const bool leaf = X509_STORE_CTX_get_error_depth(store) == 0;
    bool refused = false;
    auto check_name = [&]() noexcept {
        const int error = state->check(X509_STORE_CTX_get_current_cert(store));
        if (error != X509_V_OK) {
            X509_STORE_CTX_set_error(store, error);
            preverify_ok = 0;
            refused = true;
        }
    };
    if (preverify_ok == 1 && leaf) check_name();
    if (options.chained != nullptr && options.order == chain_order::after_svcid) {
        const int user = options.chained(preverify_ok, store);
        if (!refused) preverify_ok = user;
        // The user's callback may accept a chain error at the leaf (OpenSSL then never asks
        // again with preverify_ok == 1): an accepted leaf must still pass svcid.
        if (preverify_ok == 1 && leaf && !state->accepted()) check_name();
    }
    return preverify_ok == 1 ? 1 : 0;
}

/// Client side: verify the server's certificate chain and that it names one of `refs`
/// (or all of them, with verify_match::all_of). Sets SSL_VERIFY_PEER with verify_callback().
///
/// ```
/// svcid::reference expected[] = {*svcid::parse_dns_reference("api.example.com")};
/// if (!svcid::verify_server_identity(ssl, expected, 1)) fail();
/// SSL_set_tlsext_host_name(ssl, "api.example.com");   // SNI is the application's business
/// // ... SSL_connect(ssl); on failure SSL_get_verify_result(ssl) == X509_V_ERR_HOSTNAME_MISMATCH
/// ```
/// Allocates (once per SSL); noexcept. nullptr when memory runs out.
inline peer_identity* verify_server_identity(SSL* ssl, const reference* refs, std::size_t count,
                                             const verify_options& options = {}) noexcept {
    peer_identity* state = attach_peer_identity(ssl, refs, count, options);
    if (state != nullptr) SSL_set_verify(ssl, SSL_VERIFY_PEER, verify_callback);
    return state;
}

/// Server side of mutual TLS: require a client certificate (SSL_VERIFY_PEER |
/// SSL_VERIFY_FAIL_IF_NO_PEER_CERT) and accept the client only if it names one of the
/// allowed `refs`. After SSL_accept, peer_identity_of(ssl)->reference_index() and
/// presented_value() say who the client is, for authorisation.
///
/// ```
/// svcid::reference allowed[] = {
///     *svcid::make_spiffe_reference("spiffe://prod.example/ns/payments", svcid::spiffe_match::path_prefix),
///     *svcid::parse_email_reference("ops@example.com")};
/// svcid::require_client_identity(ssl, allowed, 2);
/// if (SSL_accept(ssl) == 1) authorise(svcid::peer_identity_of(ssl)->presented_value());
/// ```
/// Allocates (once per SSL); noexcept. nullptr when memory runs out.
inline peer_identity* require_client_identity(SSL* ssl, const reference* refs, std::size_t count,
                                              const verify_options& options = {}) noexcept {
    peer_identity* state = attach_peer_identity(ssl, refs, count, options);
    if (state != nullptr) SSL_set_verify(ssl, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_callback);
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
