#include "c_heap_counter.hpp"

#include <cstddef>
#include <cstdlib>
#include <malloc.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define SVCID_TEST_SANITIZED_HEAP 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SVCID_TEST_SANITIZED_HEAP 1
#endif

#if defined(SVCID_TEST_SANITIZED_HEAP) || !defined(__GLIBC__)
namespace svcid_test {
bool c_heap_counted() noexcept { return false; }
long c_heap_calls() noexcept { return 0; }
} // namespace svcid_test
#else
namespace {
// Initial-exec TLS in the executable: reading it never allocates, even inside malloc.
thread_local long calls = 0;
} // namespace

extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);
void __libc_free(void*);

// glibc lets an executable replace malloc, free, calloc and realloc together (and the
// aligned forms, which would otherwise reach glibc's own heap).
void* malloc(std::size_t n) noexcept {
    ++calls;
    return __libc_malloc(n);
}
void* calloc(std::size_t n, std::size_t size) noexcept {
    ++calls;
    return __libc_calloc(n, size);
}
void* realloc(void* p, std::size_t n) noexcept {
    ++calls;
    return __libc_realloc(p, n);
}
void free(void* p) noexcept { __libc_free(p); }
void* memalign(std::size_t alignment, std::size_t n) noexcept {
    ++calls;
    return __libc_memalign(alignment, n);
}
void* aligned_alloc(std::size_t alignment, std::size_t n) noexcept {
    ++calls;
    return __libc_memalign(alignment, n);
}
int posix_memalign(void** out, std::size_t alignment, std::size_t n) noexcept {
    ++calls;
    void* p = __libc_memalign(alignment, n);
    if (p == nullptr) return 12; // ENOMEM
    *out = p;
    return 0;
}
}

namespace svcid_test {
bool c_heap_counted() noexcept { return true; }
long c_heap_calls() noexcept { return calls; }
} // namespace svcid_test
#endif
