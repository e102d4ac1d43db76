// Two ends of a socketpair, one driven by the calling thread and one by a second thread,
// for real handshakes between any two TLS stacks. Both ends time out after a few seconds,
// so a bug cannot hang CI.
#ifndef SVCID_TEST_SOCKETPAIR_HPP
#define SVCID_TEST_SOCKETPAIR_HPP

#include "cert_builder.hpp"

#include <csignal>
#include <sys/socket.h>
#include <sys/time.h>
#include <thread>
#include <unistd.h>

namespace svcid_test {

inline void set_socket_timeouts(int fd) {
    timeval limit{5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
}

/// Runs `client_side` and `server_side` against each other over a fresh socketpair.
template <class Client, class Server>
void over_socketpair(Client&& client_side, Server&& server_side) {
    static const bool sigpipe_ignored = std::signal(SIGPIPE, SIG_IGN) != SIG_ERR;
    check(sigpipe_ignored ? 1 : 0, "signal(SIGPIPE)");
    int fds[2];
    check(socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0 ? 1 : 0, "socketpair");
    set_socket_timeouts(fds[0]);
    set_socket_timeouts(fds[1]);
    std::thread server_thread([&] {
        server_side(fds[1]);
        shutdown(fds[1], SHUT_RDWR);
    });
    client_side(fds[0]);
    shutdown(fds[0], SHUT_RDWR);
    server_thread.join();
    close(fds[0]);
    close(fds[1]);
}

} // namespace svcid_test

#endif
