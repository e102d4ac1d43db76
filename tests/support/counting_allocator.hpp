// Counts every heap allocation of the process: C++ operator new (all replaceable forms) and
// OpenSSL's allocator (CRYPTO_set_mem_functions, installed before OpenSSL's first call).
#ifndef SVCID_TEST_COUNTING_ALLOCATOR_HPP
#define SVCID_TEST_COUNTING_ALLOCATOR_HPP

namespace svcid_test {
long allocations() noexcept;
bool openssl_allocations_counted() noexcept;
/// Makes the k-th heap allocation from now fail (nullptr from the nothrow forms and from
/// OpenSSL's allocator; the throwing forms abort); 0 disarms.
void fail_allocation(long k) noexcept;
/// Whether an armed failure has not happened yet.
bool allocation_failure_pending() noexcept;
/// fail_allocation() counting only the calling thread's allocations, so a peer running in
/// another thread (the other end of a handshake) neither moves the count nor fails.
void fail_allocation_on_this_thread(long k) noexcept;
/// Whether the calling thread's armed failure has not happened yet.
bool allocation_failure_pending_on_this_thread() noexcept;
} // namespace svcid_test

#endif
