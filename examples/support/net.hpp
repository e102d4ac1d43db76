// Plain TCP sockets for svcid's examples: connect, listen, and time-outs so a silent peer
// cannot hang an example. POSIX only.
#ifndef SVCID_EXAMPLE_NET_HPP
#define SVCID_EXAMPLE_NET_HPP

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>

namespace svcid_example {

inline void set_timeouts(int fd, long seconds) {
    timeval limit{seconds, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
}

/// A peer that hangs up mid-handshake must give EPIPE, not kill the example.
inline void ignore_sigpipe() { std::signal(SIGPIPE, SIG_IGN); }

/// Connects to host:port (any address family); -1 on failure, with a message.
inline int connect_tcp(const char* host, const char* port) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (const int rc = getaddrinfo(host, port, &hints, &found); rc != 0) {
        std::fprintf(stderr, "%s:%s: %s\n", host, port, gai_strerror(rc));
        return -1;
    }
    int fd = -1;
    for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(found);
    if (fd < 0) std::perror("connect");
    return fd;
}

/// Listens on 127.0.0.1:port (0 for an ephemeral port, which `bound` then reports).
inline int listen_loopback(unsigned short port, unsigned short* bound) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    const int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || listen(fd, 16) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        std::perror("listen on 127.0.0.1");
        close(fd);
        return -1;
    }
    if (bound != nullptr) *bound = ntohs(address.sin_port);
    return fd;
}

} // namespace svcid_example

#endif
