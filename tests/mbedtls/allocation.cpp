// No heap on svcid's per-handshake path: the verify callback inside real mbedTLS handshakes
// (both sides), the resumption check of a stored session, and the outcome and explanation
// afterwards. C++ allocations are counted by the replaced operator new; mbedTLS allocates
// through the C heap (its own allocator hook needs MBEDTLS_PLATFORM_MEMORY, off in Debian),
// which c_heap_counter.cpp counts per thread where no sanitizer owns malloc.
#include <svcid/mbedtls.hpp>

#include "c_heap_counter.hpp"
#include "catch.hpp"
#include "counting_allocator.hpp"
#include "peer.hpp"
#include "stack_pki.hpp"

using svcid_test::mbed_config;
using svcid_test::the_stack_pki;
namespace smb = svcid::mbedtls;

namespace {

// Stands where mbedTLS calls svcid's callback and counts what svcid's callback allocates.
struct bracket {
    smb::verifier* verifier = nullptr;
    int leaf_calls = 0;
    long allocations = 0;
    long heap_calls = 0;

    static int call(void* self, mbedtls_x509_crt* crt, int depth, std::uint32_t* flags) {
        auto* b = static_cast<bracket*>(self);
        const long allocations_before = svcid_test::allocations();
        const long heap_before = svcid_test::c_heap_calls();
        const int ret = smb::verify_callback(b->verifier, crt, depth, flags);
        b->heap_calls += svcid_test::c_heap_calls() - heap_before;
        b->allocations += svcid_test::allocations() - allocations_before;
        if (depth == 0) ++b->leaf_calls;
        return ret;
    }
};

} // namespace

TEST_CASE("svcid's mbedTLS verify callback allocates nothing inside real handshakes", "[mbedtls][allocation]") {
    const auto& pki = the_stack_pki();
    INFO("C heap calls counted: " << svcid_test::c_heap_counted());
    mbed_config client(false, &pki.sensor, {&pki.ca});
    mbed_config server(true, &pki.server_a, {&pki.ca});
    smb::verifier to_a(svcid_test::expect_server("a.test"));
    smb::verifier allowed(svcid_test::device_allow_list());
    REQUIRE(to_a.bind(&client.conf) == 0);
    REQUIRE(allowed.bind(&server.conf) == 0);
    bracket client_side{&to_a}, server_side{&allowed};
    mbedtls_ssl_conf_verify(&client.conf, &bracket::call, &client_side);
    mbedtls_ssl_conf_verify(&server.conf, &bracket::call, &server_side);
    for (int round = 0; round < 3; ++round) {
        const auto h = svcid_test::handshake(client, server);
        REQUIRE(h.client.handshake == 0);
        REQUIRE(h.server.handshake == 0);
    }
    CHECK(client_side.leaf_calls == 3);
    CHECK(server_side.leaf_calls == 3);
    CHECK(client_side.allocations == 0);
    CHECK(server_side.allocations == 0);
    CHECK(client_side.heap_calls == 0);
    CHECK(server_side.heap_calls == 0);
}

TEST_CASE("judging a stored session and reading the outcome allocate nothing", "[mbedtls][allocation]") {
    const auto& pki = the_stack_pki();
    svcid_test::mbed_resumption_store store;
    mbed_config client(false, &pki.sensor, {&pki.ca});
    mbed_config server(true, &pki.server_a, {&pki.ca});
    server.resume_with(&store.cache, nullptr);
    smb::verifier to_a(svcid_test::expect_server("a.test"));
    smb::verifier allowed(svcid_test::device_allow_list());
    REQUIRE(to_a.bind(&client.conf) == 0);
    REQUIRE(allowed.bind(&server.conf) == 0);
    svcid_test::mbed_session stored;
    svcid_test::mbed_ssl client_ssl, server_ssl;
    const auto h = svcid_test::handshake_kept(client, server, client_ssl, server_ssl, &stored.s);
    REQUIRE(h.client.accepted);
    REQUIRE(h.server.accepted);

    // Both sides are done: nothing else runs while this thread counts.
    smb::verifier to_b(svcid_test::expect_server("b.test"));
    char text[512];
    const long allocations_before = svcid_test::allocations();
    const long heap_before = svcid_test::c_heap_calls();
    CHECK(smb::peer_outcome_of(&client_ssl.ssl).accepted);
    CHECK(smb::peer_outcome_of(&server_ssl.ssl).reference_index == 1);
    CHECK(smb::explain(&server_ssl.ssl, text, sizeof text) > 0);
    CHECK(to_a.admits(stored.s));
    CHECK_FALSE(to_b.admits(stored.s));
    const long heap_calls = svcid_test::c_heap_calls() - heap_before;
    const long allocations = svcid_test::allocations() - allocations_before;
    CHECK(heap_calls == 0);
    CHECK(allocations == 0);
}

TEST_CASE("the C heap counter sees mbedTLS's allocations", "[mbedtls][allocation]") {
    // A counter that cannot see mbedTLS would prove nothing above.
    if (!svcid_test::c_heap_counted()) {
        WARN("C heap calls are not counted in this build (a sanitizer owns malloc)");
        return;
    }
    const long before = svcid_test::c_heap_calls();
    const svcid_test::mbed_chain parsed({&the_stack_pki().server_a});
    CHECK(svcid_test::c_heap_calls() - before > 0);
}
