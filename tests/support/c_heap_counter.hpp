// Counts the C heap calls (malloc, calloc, realloc, aligned forms) the calling thread
// makes, by interposing glibc's allocator in the test executable. GnuTLS and mbedTLS
// allocate through the C heap (mbedTLS's own allocator hook needs MBEDTLS_PLATFORM_MEMORY,
// off in Debian's build; GnuTLS 3.7 dropped gnutls_global_set_mem_functions), so this is
// how a test sees their allocations. Sanitizer runtimes interpose the same functions, so
// there the counter is off and c_heap_counted() says so.
#ifndef SVCID_TEST_C_HEAP_COUNTER_HPP
#define SVCID_TEST_C_HEAP_COUNTER_HPP

namespace svcid_test {
/// Whether this build counts C heap calls.
bool c_heap_counted() noexcept;
/// C heap calls made by the calling thread so far.
long c_heap_calls() noexcept;
} // namespace svcid_test

#endif
