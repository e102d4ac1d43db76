// svcid-tls-memory — what svcid adds to the heap of a server holding many mTLS connections.
//
// A server makes one SSL per connection. This makes `--connections` (default 10,000) server
// SSLs from one SSL_CTX in each of four set-ups and reads the heap in use before and after
// (glibc's mallinfo2: OpenSSL's allocations and C++'s both come from malloc), then divides:
//
//   plain          SSL_VERIFY_PEER, no svcid: OpenSSL's own cost per SSL, the baseline
//   context        svcid::set_identity_policy on the SSL_CTX (one policy for every SSL)
//   per-ssl-shared svcid::require_client_identity(ssl, policy): a state per SSL, policy shared
//   per-ssl-refs   svcid::require_client_identity(ssl, refs, n): a state and a policy per SSL
//
// The policy is a three-entry allow-list (two SPIFFE IDs and a DNS name), as a service that
// admits a few workloads would have.
//
//   svcid-tls-memory           a markdown table of bytes per SSL
//   svcid-tls-memory --check   fails unless the context policy adds nothing per SSL and a
//                              per-SSL state stays within sizeof(peer_identity) plus malloc's
//                              own overhead (CI)
#include <svcid/openssl.hpp>
#include <svcid/openssl/verify.hpp>
#include <svcid/spiffe_reference.hpp>

#include <openssl/ssl.h>

#include <malloc.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace {

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "svcid-tls-memory: %s\n", what);
    std::exit(1);
}

std::size_t heap_in_use() { return mallinfo2().uordblks; }

enum class setup { plain, context, per_ssl_shared, per_ssl_refs };

const char* name_of(setup s) {
    switch (s) {
    case setup::plain: return "plain";
    case setup::context: return "context";
    case setup::per_ssl_shared: return "per-ssl-shared";
    case setup::per_ssl_refs: return "per-ssl-refs";
    }
    return "?";
}

/// Heap bytes per SSL for `count` server SSLs made under `s`; every SSL lives until all
/// are counted, as a busy server's connections do.
/// Rounded to whole bytes, so that a difference of a fraction of a byte prints as 0, not -0.
long whole(double bytes) { return std::lround(bytes); }

double bytes_per_ssl(setup s, std::size_t count, const svcid::reference (&refs)[3], const svcid::identity_policy& policy) {
    std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_server_method()), SSL_CTX_free);
    if (!ctx) fail("SSL_CTX_new");
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    if (s == setup::context && !svcid::set_identity_policy(ctx.get(), policy)) fail("set_identity_policy");
    std::vector<SSL*> ssls;
    ssls.reserve(count);
    // One SSL first, so that whatever OpenSSL or svcid makes once per process (ex_data
    // indexes, method tables) is not charged to the connections.
    SSL* warm = SSL_new(ctx.get());
    if (warm == nullptr) fail("SSL_new");
    SSL_free(warm);
    const std::size_t before = heap_in_use();
    for (std::size_t i = 0; i < count; ++i) {
        SSL* ssl = SSL_new(ctx.get());
        if (ssl == nullptr) fail("SSL_new");
        if (s == setup::per_ssl_shared && svcid::require_client_identity(ssl, policy) == nullptr)
            fail("require_client_identity(policy)");
        if (s == setup::per_ssl_refs && svcid::require_client_identity(ssl, refs, 3) == nullptr)
            fail("require_client_identity(refs)");
        ssls.push_back(ssl);
    }
    const std::size_t after = heap_in_use();
    for (SSL* ssl : ssls) SSL_free(ssl);
    return static_cast<double>(after - before) / static_cast<double>(count);
}

} // namespace

int main(int argc, char** argv) {
    bool check = false;
    std::size_t count = 10000;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--check") == 0) {
            check = true;
        } else if (std::strcmp(argv[i], "--connections") == 0 && i + 1 < argc) {
            count = static_cast<std::size_t>(std::strtoul(argv[++i], nullptr, 10));
        } else {
            std::fprintf(stderr, "usage: svcid-tls-memory [--check] [--connections N]\n");
            return 2;
        }
    }
    if (count == 0) fail("--connections must be positive");
    const svcid::reference refs[] = {
        *svcid::make_spiffe_reference("spiffe://prod.example/ns/payments/sa/api"),
        *svcid::make_spiffe_reference("spiffe://prod.example/ns/payments/sa/worker"),
        *svcid::parse_reference("backup.payments.internal")};
    const svcid::identity_policy policy = svcid::identity_policy::make(refs);
    if (!policy) fail("identity_policy::make");

    const setup all[] = {setup::plain, setup::context, setup::per_ssl_shared, setup::per_ssl_refs};
    double bytes[4] = {};
    for (std::size_t i = 0; i < 4; ++i) bytes[i] = bytes_per_ssl(all[i], count, refs, policy);

    if (!check) {
        std::printf("Heap bytes per server SSL, %zu SSLs alive at once, a three-entry allow-list "
                    "(sizeof(svcid::peer_identity) = %zu, sizeof(svcid::reference) = %zu):\n\n",
                    count, sizeof(svcid::peer_identity), sizeof(svcid::reference));
        std::printf("| set-up | bytes per SSL | svcid's share |\n|---|---:|---:|\n");
        for (std::size_t i = 0; i < 4; ++i)
            std::printf("| %s | %ld | %ld |\n", name_of(all[i]), whole(bytes[i]), whole(bytes[i] - bytes[0]));
        return 0;
    }
    // Beside the state itself: malloc's header and rounding to 16 bytes, and the ex_data
    // array OpenSSL grows on the SSL to hold a pointer to it (a stack of at least four slots).
    const double state_bound = static_cast<double>(sizeof(svcid::peer_identity)) + 128;
    int failures = 0;
    auto expect = [&](bool ok, const char* what, double value) {
        std::printf("svcid-tls-memory: %s %s: %ld bytes per SSL\n", ok ? "ok" : "FAILED", what, whole(value));
        failures += ok ? 0 : 1;
    };
    expect(bytes[1] - bytes[0] < 1, "a context policy adds nothing per SSL", bytes[1] - bytes[0]);
    expect(bytes[2] - bytes[0] <= state_bound, "a per-SSL state sharing the policy stays within sizeof(peer_identity) + 128",
           bytes[2] - bytes[0]);
    expect(bytes[3] > bytes[2], "a per-SSL policy made from references costs more than a shared one",
           bytes[3] - bytes[0]);
    return failures == 0 ? 0 : 1;
}
