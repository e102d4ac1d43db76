// svcid-set-bench: a reference_set against match_any over the same references, at 1, 100,
// 10,000 and 100,000 references, on real OpenSSL certificates (a 3-name leaf whose last
// name is the last reference added, a 3-name leaf that matches nothing, an X509-SVID).
// Every answer is checked before it is timed; matching through the set must not allocate.
//
//   svcid-set-bench            a Markdown table: median and minimum ns per match
//   svcid-set-bench --csv      references,profile,checker,ns_median,ns_min
//   svcid-set-bench --check    answers and zero allocations only (the CI smoke)
#include <svcid/openssl.hpp>
#include <svcid/reference.hpp>
#include <svcid/reference_set.hpp>

#include "cert_builder.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>
#include <string_view>
#include <vector>

namespace {
std::size_t g_allocations = 0;
}
void* operator new(std::size_t n) {
    ++g_allocations;
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {
[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "svcid-set-bench: %s\n", what.c_str());
    std::exit(1);
}

struct profile {
    const char* name;
    svcid_test::built_certificate cert;
    bool expected;
};

template <class F>
void time_it(F&& f, int batches, double& median, double& minimum) {
    using clock = std::chrono::steady_clock;
    std::vector<double> per_op;
    long iterations = 1;
    // Grow the batch until it lasts about 2 ms, so the clock's resolution does not count.
    for (;;) {
        const auto t0 = clock::now();
        for (long i = 0; i < iterations; ++i) f();
        if (clock::now() - t0 > std::chrono::milliseconds(2) || iterations > (1L << 24)) break;
        iterations *= 2;
    }
    for (int b = 0; b < batches; ++b) {
        const auto t0 = clock::now();
        for (long i = 0; i < iterations; ++i) f();
        per_op.push_back(std::chrono::duration<double, std::nano>(clock::now() - t0).count() /
                         static_cast<double>(iterations));
    }
    std::sort(per_op.begin(), per_op.end());
    median = per_op[per_op.size() / 2];
    minimum = per_op.front();
}
} // namespace

int main(int argc, char** argv) {
    bool csv = false, check_only = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--csv") csv = true;
        else if (a == "--check") check_only = true;
        else fail("usage: svcid-set-bench [--csv] [--check]");
    }

    std::vector<profile> profiles;
    {
        svcid_test::cert_spec s;
        s.add_san(svcid_test::der::dns("www.other.example")).add_san(svcid_test::der::dns("api.other.example")).add_san(svcid_test::der::dns("host0.example.net"));
        profiles.push_back({"dns-last-ref", svcid_test::make_certificate(s), true});
    }
    {
        svcid_test::cert_spec s;
        s.add_san(svcid_test::der::dns("www.other.example")).add_san(svcid_test::der::dns("api.other.example")).add_san(svcid_test::der::dns("mail.other.example"));
        profiles.push_back({"dns-miss", svcid_test::make_certificate(s), false});
    }
    {
        svcid_test::cert_spec s;
        s.add_san(svcid_test::der::uri("spiffe://prod.example/ns/ns0/sa/api"));
        profiles.push_back({"spiffe-svid", svcid_test::make_certificate(s), true});
    }

    if (!csv && !check_only) {
        std::printf("| references | profile | match_any median / min ns | reference_set median / min ns |\n");
        std::printf("|---:|---|---:|---:|\n");
    } else if (csv) {
        std::printf("references,profile,checker,ns_median,ns_min\n");
    }
    for (std::size_t count : {std::size_t{1}, std::size_t{100}, std::size_t{10000}, std::size_t{100000}}) {
        if (check_only && count > 100) break;
        // The matching references are added last, so match_any walks the whole list.
        std::vector<svcid::reference> refs;
        svcid::reference_set set;
        for (std::size_t i = count; i-- > 0;) {
            const std::string n = std::to_string(i);
            const auto dns = svcid::parse_dns_reference("host" + n + ".example.net");
            const auto spiffe = svcid::make_spiffe_reference("spiffe://prod.example/ns/ns" + n + "/sa/api");
            if (!dns || !spiffe || !set.add(*dns) || !set.add(*spiffe)) fail("cannot build the references");
            refs.emplace_back(*dns);
            refs.emplace_back(*spiffe);
        }
        for (const profile& p : profiles) {
            const svcid::openssl_certificate cert{p.cert.cert.get()};
            const std::size_t before = g_allocations;
            const bool by_set = set.match(cert).matched;
            const bool by_list = svcid::match_any(cert, refs.data(), refs.size()).matched();
            if (g_allocations != before) fail(std::string(p.name) + ": a match allocated");
            if (by_set != p.expected || by_list != p.expected) fail(std::string(p.name) + ": wrong answer");
            if (check_only) continue;
            double any_med = 0, any_min = 0, set_med = 0, set_min = 0;
            volatile bool sink = false;
            time_it([&] { sink = svcid::match_any(cert, refs.data(), refs.size()).matched(); }, count > 1000 ? 5 : 15,
                    any_med, any_min);
            time_it([&] { sink = set.match(cert).matched; }, 15, set_med, set_min);
            (void)sink;
            if (csv) {
                std::printf("%zu,%s,match_any,%.1f,%.1f\n", count * 2, p.name, any_med, any_min);
                std::printf("%zu,%s,reference_set,%.1f,%.1f\n", count * 2, p.name, set_med, set_min);
            } else {
                std::printf("| %zu | %s | %.1f / %.1f | %.1f / %.1f |\n", count * 2, p.name, any_med, any_min, set_med,
                            set_min);
            }
        }
    }
    std::fprintf(stderr, "svcid-set-bench: both agree on every profile; matching allocated nothing\n");
    return 0;
}
