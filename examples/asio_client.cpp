// svcid-asio-client HOST PORT CA_FILE — Boost.Asio's ssl::stream with svcid as the verify
// callback, in place of asio::ssl::host_name_verification: the same fail-closed check, and
// it also handles IP addresses, SRV-IDs, URI-IDs and SPIFFE IDs, and explains a refusal.
#include <svcid/asio.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>

#include <cstdio>
#include <cstdlib>
#include <exception>

#if defined(BOOST_NO_EXCEPTIONS)
// Built without exceptions, Boost asks the program how to fail; this example gives up.
namespace boost {
[[noreturn]] void throw_exception(const std::exception& e) {
    std::fprintf(stderr, "fatal: %s\n", e.what());
    std::abort();
}
} // namespace boost
#endif

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: %s HOST PORT CA_FILE\n", argv[0]);
        return 2;
    }
    const auto expected = svcid::parse_reference(argv[1]);
    if (!expected) {
        char why[128];
        svcid::describe(expected.error(), why, sizeof why);
        std::fprintf(stderr, "%s: %s\n", argv[1], why);
        return 2;
    }
    namespace ssl = boost::asio::ssl;
    using boost::asio::ip::tcp;
    boost::system::error_code ec;
    boost::asio::io_context io;
    ssl::context context(ssl::context::tls_client);
    context.load_verify_file(argv[3], ec);
    if (ec) {
        std::fprintf(stderr, "%s: %s\n", argv[3], ec.message().c_str());
        return 2;
    }
    ssl::stream<tcp::socket> stream(io, context);
    // The verification object attaches the expected identity to the stream's SSL (sessions
    // bound to it) and is Asio's verify callback, as host_name_verification would be.
    const svcid::asio::identity_verification verification(stream, svcid::identity_policy::make({*expected}));
    if (!verification) return 2;
    stream.set_verify_mode(ssl::verify_peer);
    stream.set_verify_callback(verification);
    const svcid::peer_identity* state = svcid::peer_identity_of(stream.native_handle());
    if (expected->type() == svcid::reference_type::dns) SSL_set_tlsext_host_name(stream.native_handle(), argv[1]);

    tcp::resolver resolver(io);
    const auto endpoints = resolver.resolve(argv[1], argv[2], ec);
    if (!ec) boost::asio::connect(stream.next_layer(), endpoints, ec);
    if (ec) {
        std::fprintf(stderr, "connect: %s\n", ec.message().c_str());
        return 2;
    }
    stream.handshake(ssl::stream_base::client, ec);
    const long result = SSL_get_verify_result(stream.native_handle());
    std::printf("verify result: %s\n", X509_verify_cert_error_string(result));
    if (state->checked()) {
        char why[1024];
        state->explain(why, sizeof why);
        std::printf("svcid: %s\n", why);
    }
    if (ec) {
        std::printf("handshake refused: %s\n", ec.message().c_str());
        return 1;
    }
    std::printf("connected\n");
    stream.shutdown(ec);
    return 0;
}
