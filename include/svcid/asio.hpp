// svcid/asio.hpp — svcid for Boost.Asio's ssl::stream and ssl::context.
//
// boost::asio::ssl::host_name_verification checks one DNS name (through OpenSSL's
// X509_check_host) in the verify callback of a full handshake. svcid::asio gives the same
// shape with svcid's rules and every reference type, and keeps svcid's guarantees on
// resumption: the verification object attaches its policy to the stream's SSL when it is
// made (session id context = policy digest, offered sessions checked), so a session made
// for another peer never carries a connection past it.
//
// ```
// ssl::stream<tcp::socket> stream(io, context);
// stream.set_verify_mode(ssl::verify_peer);
// stream.set_verify_callback(svcid::asio::identity_verification(stream, "api.example.com"));
// stream.handshake(ssl::stream_base::client);   // throws / fails with a verify error otherwise
// ```
// or once for every stream made from a context:
// ```
// if (!svcid::asio::set_identity_policy(context, policy)) fail();
// ```
// Link svcid::openssl and Boost (header-only Asio is enough).
#ifndef SVCID_ASIO_HPP
#define SVCID_ASIO_HPP

#include "config.hpp"
#include "identity_policy.hpp"
#include "openssl/verify.hpp"

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/ssl/verify_context.hpp>

#include <string_view>

SVCID_BEGIN_NAMESPACE
namespace asio {

/// A verify callback object for `ssl::stream::set_verify_callback`, in the style of
/// `boost::asio::ssl::host_name_verification`: the stream's peer must satisfy a policy.
///
/// Making the object attaches the policy to the stream's SSL (attach_peer_identity(): the
/// state is owned by the SSL; the object itself is a flag, cheap to copy as Asio does). If
/// that fails (memory, an empty policy, a host that is neither a DNS name nor an IP
/// address), the object refuses every peer with verify_error_application, so a failure can
/// never be ignored into an unchecked connection. Asio's own callback calls it for each
/// certificate of the chain; svcid checks the leaf. After the handshake,
/// svcid::asio::peer_outcome_of(stream) says who the peer is.
class identity_verification {
public:
    /// The stream's peer must satisfy `policy` (shared, not copied).
    template <class Stream>
    identity_verification(boost::asio::ssl::stream<Stream>& stream, const identity_policy& policy,
                          const callback_options& callbacks = {}) noexcept
        : attached_(svcid::attach_peer_identity(stream.native_handle(), policy, callbacks) != nullptr) {}

    /// The stream's peer must be `host`: a DNS name (sent as SNI too) or an IP address
    /// (svcid::attach_host()).
    template <class Stream>
    identity_verification(boost::asio::ssl::stream<Stream>& stream, std::string_view host) noexcept
        : attached_(svcid::attach_host(stream.native_handle(), host) != nullptr) {}

    /// Whether the policy was attached; false means every peer is refused.
    explicit operator bool() const noexcept { return attached_; }

    /// Asio's callback signature: `preverified` is OpenSSL's chain verdict for the current
    /// certificate. noexcept; no heap.
    bool operator()(bool preverified, boost::asio::ssl::verify_context& ctx) const noexcept {
        if (!attached_) {
            X509_STORE_CTX_set_error(ctx.native_handle(), verify_error_application);
            return false;
        }
        return svcid::verify_callback(preverified ? 1 : 0, ctx.native_handle()) == 1;
    }

private:
    bool attached_;
};

/// One policy for every stream made from `context` (svcid::set_identity_policy() on its
/// native handle): verify mode and callback set, sessions bound to the policy, nothing kept
/// per stream. Streams need no verify callback of their own; a callback set on a stream
/// later (set_verify_callback) is adopted and runs before svcid's check.
[[nodiscard]] inline bool set_identity_policy(boost::asio::ssl::context& context, const identity_policy& policy,
                                              const callback_options& callbacks = {}) noexcept {
    return svcid::set_identity_policy(context.native_handle(), policy, callbacks);
}

/// svcid::peer_outcome_of() for a stream. noexcept; no heap.
template <class Stream>
[[nodiscard]] peer_outcome peer_outcome_of(boost::asio::ssl::stream<Stream>& stream) noexcept {
    return svcid::peer_outcome_of(stream.native_handle());
}

} // namespace asio
SVCID_END_NAMESPACE

#endif
