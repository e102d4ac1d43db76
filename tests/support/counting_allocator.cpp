#include "counting_allocator.hpp"

#include <openssl/crypto.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <new>

namespace {
std::atomic<long> count{0};
// 0: no injection; k > 0: the k-th allocation from now fails (once).
std::atomic<long> fail_countdown{0};

// The same, counting only the allocations of the thread that armed it.
thread_local long thread_fail_countdown = 0;

bool injected_failure() noexcept {
    if (thread_fail_countdown > 0 && --thread_fail_countdown == 0) return true;
    long left = fail_countdown.load();
    while (left > 0) {
        if (fail_countdown.compare_exchange_weak(left, left - 1)) return left == 1;
    }
    return false;
}

void* allocate(std::size_t n) noexcept {
    ++count;
    if (injected_failure()) return nullptr;
    return std::malloc(n == 0 ? 1 : n);
}
void* allocate_or_abort(std::size_t n) noexcept {
    void* p = allocate(n);
    if (p == nullptr) {
        std::fputs("out of memory\n", stderr);
        std::abort();
    }
    return p;
}

void* counting_malloc(std::size_t n, const char*, int) { return allocate(n); }
void* counting_realloc(void* p, std::size_t n, const char*, int) {
    ++count;
    if (injected_failure()) return nullptr;
    return std::realloc(p, n);
}
void counting_free(void* p, const char*, int) { std::free(p); }

// A static initializer: OpenSSL accepts new allocators only before its first allocation.
const bool hooks_installed = CRYPTO_set_mem_functions(counting_malloc, counting_realloc, counting_free) == 1;
} // namespace

namespace svcid_test {
long allocations() noexcept { return count.load(); }
bool openssl_allocations_counted() noexcept { return hooks_installed; }
void fail_allocation(long k) noexcept { fail_countdown.store(k); }
bool allocation_failure_pending() noexcept { return fail_countdown.load() > 0; }
void fail_allocation_on_this_thread(long k) noexcept { thread_fail_countdown = k; }
bool allocation_failure_pending_on_this_thread() noexcept { return thread_fail_countdown > 0; }
} // namespace svcid_test

// Every replaceable form, so that sanitizer runtimes never pair ours with theirs.
void* operator new(std::size_t n) { return allocate_or_abort(n); }
void* operator new[](std::size_t n) { return allocate_or_abort(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return allocate(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return allocate(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
