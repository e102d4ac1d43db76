// `svcid-inspect fetch`: connects to a TLS server, completes the handshake and keeps the
// chain the server presented, with OpenSSL's verdict on it. It never writes application
// data: the connection is closed right after the handshake.
#include "inspect.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <chrono>
#include <cstring>
#include <fcntl.h>

namespace svcid_inspect {
namespace {

struct ssl_ctx_free { void operator()(SSL_CTX* p) const noexcept { SSL_CTX_free(p); } };
struct ssl_free { void operator()(SSL* p) const noexcept { SSL_free(p); } };
struct addrinfo_free { void operator()(addrinfo* p) const noexcept { freeaddrinfo(p); } };

/// Closes the descriptor it owns.
class socket_fd {
public:
    socket_fd() = default;
    explicit socket_fd(int fd) : fd_(fd) {}
    socket_fd(const socket_fd&) = delete;
    socket_fd& operator=(const socket_fd&) = delete;
    socket_fd& operator=(socket_fd&& other) noexcept {
        std::swap(fd_, other.fd_);
        return *this;
    }
    ~socket_fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const { return fd_; }

private:
    int fd_ = -1;
};

using clock_type = std::chrono::steady_clock;

/// Milliseconds until `deadline`, at least 0, for poll().
int remaining_ms(clock_type::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now()).count();
    return left <= 0 ? 0 : static_cast<int>(left);
}

/// Waits until `fd` is ready for `events`; false when the deadline passes first.
bool wait_for(int fd, short events, clock_type::time_point deadline) {
    for (;;) {
        pollfd p{fd, events, 0};
        const int ready = ::poll(&p, 1, remaining_ms(deadline));
        if (ready > 0) return true;
        if (ready == 0) return false;
        if (errno != EINTR) return false;
    }
}

std::string address_text(const sockaddr* address) {
    char host[INET6_ADDRSTRLEN] = {};
    unsigned port = 0;
    if (address->sa_family == AF_INET6) {
        const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
        ::inet_ntop(AF_INET6, &v6->sin6_addr, host, sizeof host);
        port = ntohs(v6->sin6_port);
        return "[" + std::string(host) + "]:" + std::to_string(port);
    }
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    ::inet_ntop(AF_INET, &v4->sin_addr, host, sizeof host);
    port = ntohs(v4->sin_port);
    return std::string(host) + ":" + std::to_string(port);
}

/// A connected non-blocking socket to one of `host`'s addresses, or an error phrase.
std::string connect_to(const server_address& server, clock_type::time_point deadline, socket_fd& out,
                       std::string& connected_to) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = server.is_ip ? AI_NUMERICHOST : 0;
    addrinfo* found_raw = nullptr;
    const int resolved = ::getaddrinfo(server.host.c_str(), std::to_string(server.port).c_str(), &hints, &found_raw);
    std::unique_ptr<addrinfo, addrinfo_free> found(found_raw);
    if (resolved != 0) return "cannot resolve " + printable(server.host, true) + ": " + ::gai_strerror(resolved);
    std::string last_error = "no address";
    for (const addrinfo* a = found.get(); a != nullptr; a = a->ai_next) {
        socket_fd fd(::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol));
        if (fd.get() < 0) {
            last_error = std::strerror(errno);
            continue;
        }
        const std::string where = address_text(a->ai_addr);
        if (::connect(fd.get(), a->ai_addr, a->ai_addrlen) != 0) {
            if (errno != EINPROGRESS) {
                last_error = where + ": " + std::strerror(errno);
                continue;
            }
            if (!wait_for(fd.get(), POLLOUT, deadline)) {
                last_error = where + ": timed out";
                continue;
            }
            int status = 0;
            socklen_t length = sizeof status;
            if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &status, &length) != 0 || status != 0) {
                last_error = where + ": " + std::strerror(status != 0 ? status : errno);
                continue;
            }
        }
        connected_to = where;
        out = std::move(fd);
        return {};
    }
    return "cannot connect: " + last_error;
}

std::string ssl_reason() {
    const unsigned long code = ERR_peek_last_error();
    const char* text = code != 0 ? ERR_reason_error_string(code) : nullptr;
    ERR_clear_error();
    return text != nullptr ? text : "the connection closed";
}

} // namespace

bool parse_server_address(const std::string& text, server_address& out, std::string& error) {
    out = {};
    std::string port;
    if (!text.empty() && text[0] == '[') {
        const std::size_t close = text.find(']');
        if (close == std::string::npos) {
            error = "\"" + printable(text, true) + "\": an IPv6 address in brackets needs its ']'";
            return false;
        }
        out.host = text.substr(1, close - 1);
        if (close + 1 < text.size()) {
            if (text[close + 1] != ':') {
                error = "\"" + printable(text, true) + "\": after ']' only :PORT may follow";
                return false;
            }
            port = text.substr(close + 2);
        }
        out.is_ip = true;
    } else {
        const std::size_t colon = text.find(':');
        if (colon != std::string::npos && text.find(':', colon + 1) != std::string::npos) {
            error = "\"" + printable(text, true) + "\": write an IPv6 address in brackets, [2001:db8::1]:443";
            return false;
        }
        out.host = text.substr(0, colon);
        if (colon != std::string::npos) port = text.substr(colon + 1);
    }
    if (out.host.empty()) {
        error = "\"" + printable(text, true) + "\": no host";
        return false;
    }
    // The resolver reads a C string: a NUL would make it look up less than was shown.
    if (out.host.find('\0') != std::string::npos) {
        error = "\"" + printable(text, true) + "\": a NUL byte in the host";
        return false;
    }
    if (!port.empty() || text.back() == ':') {
        unsigned long value = 0;
        const bool digits = !port.empty() && port.size() <= 5 && port.find_first_not_of("0123456789") == std::string::npos;
        for (const char c : digits ? port : std::string()) value = value * 10 + static_cast<unsigned long>(c - '0');
        if (!digits || value == 0 || value > 65535) {
            error = "\"" + printable(text, true) + "\": the port must be a number from 1 to 65535";
            return false;
        }
        out.port = static_cast<unsigned short>(value);
    }
    unsigned char probe[16];
    if (out.is_ip && ::inet_pton(AF_INET6, out.host.c_str(), probe) != 1) {
        error = "\"" + printable(out.host, true) + "\" in brackets is no IPv6 address";
        return false;
    }
    if (!out.is_ip) out.is_ip = ::inet_pton(AF_INET, out.host.c_str(), probe) == 1;
    return true;
}

std::string fetch_chain(const server_address& server, const fetch_settings& settings, fetched_chain& out) {
    // A server that closes first turns our next write (the handshake, the close_notify) into
    // SIGPIPE, which would end the tool with no message; as an EPIPE it is a reported error.
    std::signal(SIGPIPE, SIG_IGN);
    const auto deadline = clock_type::now() + std::chrono::milliseconds(settings.timeout_ms);
    socket_fd fd;
    std::string error = connect_to(server, deadline, fd, out.address);
    if (!error.empty()) return error;

    std::unique_ptr<SSL_CTX, ssl_ctx_free> ctx(SSL_CTX_new(TLS_client_method()));
    if (!ctx) return "TLS unavailable: " + ssl_reason();
    if (settings.ca_file) {
        if (SSL_CTX_load_verify_locations(ctx.get(), settings.ca_file->c_str(), nullptr) != 1)
            return *settings.ca_file + ": cannot load the CA file: " + ssl_reason();
    } else if (SSL_CTX_set_default_verify_paths(ctx.get()) != 1) {
        return "cannot load the system's trust store: " + ssl_reason();
    }
    // The handshake goes on whatever the chain: its verdict is read afterwards and reported,
    // and the name is svcid's to check, not OpenSSL's.
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
    std::unique_ptr<SSL, ssl_free> ssl(SSL_new(ctx.get()));
    if (!ssl || SSL_set_fd(ssl.get(), fd.get()) != 1) return "TLS unavailable: " + ssl_reason();
    out.servername = settings.servername ? *settings.servername : server.is_ip ? std::string() : server.host;
    if (!out.servername.empty() && SSL_set_tlsext_host_name(ssl.get(), out.servername.c_str()) != 1)
        return "the server name \"" + printable(out.servername, true) + "\" cannot be sent: " + ssl_reason();
    for (;;) {
        const int done = SSL_connect(ssl.get());
        if (done == 1) break;
        const int why = SSL_get_error(ssl.get(), done);
        short events = 0;
        if (why == SSL_ERROR_WANT_READ) events = POLLIN;
        else if (why == SSL_ERROR_WANT_WRITE) events = POLLOUT;
        else return "TLS handshake with " + out.address + " failed: " + ssl_reason();
        if (!wait_for(fd.get(), events, deadline)) return "TLS handshake with " + out.address + " timed out";
    }
    out.protocol = SSL_get_version(ssl.get());
    const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl.get());
    out.cipher = cipher != nullptr ? SSL_CIPHER_get_name(cipher) : "";
    const long verdict = SSL_get_verify_result(ssl.get());
    out.verified = verdict == X509_V_OK;
    out.verify_error = out.verified ? "" : X509_verify_cert_error_string(verdict);
    out.trust = settings.ca_file ? *settings.ca_file : "the system trust store";
    // On the client side the peer's chain starts with its certificate (SSL_get_peer_cert_chain(3)).
    STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl.get());
    for (int i = 0; chain != nullptr && i < sk_X509_num(chain); ++i) {
        X509* cert = sk_X509_value(chain, i);
        if (X509_up_ref(cert) == 0) return "out of memory";
        loaded_object object;
        object.kind = object_kind::certificate;
        object.cert.reset(cert);
        out.file.objects.push_back(std::move(object));
    }
    out.file.format = "TLS";
    if (out.file.objects.empty()) return "the server presented no certificate";
    // A close_notify, best effort: the server has had all it will get from us.
    (void)SSL_shutdown(ssl.get());
    ERR_clear_error();
    return {};
}

} // namespace svcid_inspect
