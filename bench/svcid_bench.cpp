// svcid-bench — how fast svcid answers "is this certificate valid for this name?", next to
// OpenSSL's and GnuTLS's checkers and next to the least any checker working through an
// `X509*` has to do (the "floor"), on the same certificates, in one run.
//
// Checkers: svcid-openssl (match through openssl_certificate), svcid-prepared (through
// openssl_prepared_certificate, made once up front), svcid-der (parse_der_certificate once,
// up front), svcid-der-parse (parsing the DER on every operation), openssl
// (X509_check_host / X509_check_ip_asc, flags 0), gnutls (gnutls_x509_crt_check_hostname2 /
// _check_ip, flags 0), floor.
//
//   svcid-bench              markdown table: ns/op median and min, allocations/op, ratios
//   svcid-bench --csv        checker,profile,ns_median,ns_min,allocs_per_op
//   svcid-bench --check      agreement with the expected answers and svcid's zero
//                            allocations, one operation per checker; no timing (CI)
//   svcid-bench --callgrind  10000 operations per checker and profile, each between
//                            callgrind markers, for instructions per operation
//   --batches N (default 21), --batch-ms M (default 4): timing shape
//
// Like a real program, this translation unit also instantiates svcid::reference (every
// reference type, match_any, match_all) for every adapter and takes the verify layer's
// callback, so the compiler makes the inlining decisions it makes for users; the
// svcid-reference checker times that path. svcid-bench-narrow is the same source built
// with SVCID_BENCH_NARROW_TU: only the DNS and IP matchers, for comparison.
//
// Certificates are made at start-up with the OpenSSL API. Every checker's answer is
// asserted before it is timed and again after every batch: a benchmark of a wrong answer
// is worthless. Allocations are counted by a replaced global operator new and by
// CRYPTO_set_mem_functions, installed before any other OpenSSL call.
#include <svcid/der_certificate.hpp>
#include <svcid/dns_reference.hpp>
#include <svcid/ip_reference.hpp>
#include <svcid/match.hpp>
#include <svcid/openssl.hpp>
#if !defined(SVCID_BENCH_NARROW_TU)
#include <svcid/openssl/verify.hpp>
#include <svcid/reference.hpp>
#endif

#include "cert_builder.hpp"

#include <openssl/crypto.h>
#include <openssl/x509v3.h>

#if defined(SVCID_BENCH_GNUTLS)
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#endif

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define SVCID_BENCH_HAVE_CALLGRIND 1
#endif
#endif

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <string_view>
#include <vector>

// ---- allocation counting ----------------------------------------------------------------
// One thread, so a plain counter. Every form of operator new is replaced so that new and
// delete always pair up.
namespace {
long allocations = 0;

void* counting_malloc(std::size_t n, const char*, int) {
    ++allocations;
    return std::malloc(n);
}
void* counting_realloc(void* p, std::size_t n, const char*, int) {
    ++allocations;
    return std::realloc(p, n);
}
void counting_free(void* p, const char*, int) { std::free(p); }
} // namespace

void* operator new(std::size_t n) {
    ++allocations;
    if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return ::operator new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    ++allocations;
    return std::malloc(n == 0 ? 1 : n);
}
void* operator new[](std::size_t n, const std::nothrow_t& tag) noexcept { return ::operator new(n, tag); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace {

namespace der = svcid_test::der;

// ---- profiles ----------------------------------------------------------------------------
enum class ref_kind { dns, ip, cn };

struct profile {
    const char* name = "";
    ref_kind kind = ref_kind::dns;
    std::string reference;  ///< the text every checker is given (host name or IPv4 address)
    bool expected = true;
    svcid_test::built_certificate cert;

    // Prepared once, outside the timed loops, the way each API expects its input.
    svcid::dns_reference dns{};
    svcid::ip_reference ip{};
#if !defined(SVCID_BENCH_NARROW_TU)
    svcid::reference any{};  ///< the same reference through parse_reference
#endif
    svcid::der_certificate parsed{};
    svcid::openssl_prepared_certificate prepared{nullptr};
    std::string_view floor_name;  ///< the reference name, lower case
    std::string_view floor_tail;  ///< after its first label, for `*.` patterns; empty when fewer than 3 labels
#if defined(SVCID_BENCH_GNUTLS)
    gnutls_x509_crt_t gnutls = nullptr;
#endif
};

[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "svcid-bench: %s\n", what.c_str());
    std::exit(1);
}

std::string numbered_names(int count, int matching_at, const std::string& reference, std::vector<std::string>& san) {
    for (int i = 0; i < count; ++i)
        san.push_back(der::dns(i == matching_at ? reference : "host" + std::to_string(i) + ".example.net"));
    return reference;
}

void finish_profile(profile& p) {
    if (p.kind == ref_kind::ip) {
        auto ip = svcid::parse_ip_reference(p.reference);
        if (!ip) fail(std::string(p.name) + ": bad IP reference");
        p.ip = *ip;
    } else {
        auto dns = svcid::parse_dns_reference(p.reference);
        if (!dns) fail(std::string(p.name) + ": bad DNS reference");
        p.dns = *dns;
        p.floor_name = p.dns.name();
        if (p.dns.label_count() >= 3) p.floor_tail = p.dns.after_first_label();
    }
#if !defined(SVCID_BENCH_NARROW_TU)
    auto any = svcid::parse_reference(p.reference);
    if (!any) fail(std::string(p.name) + ": parse_reference refused the reference");
    p.any = *any;
#endif
    auto parsed = svcid::parse_der_certificate(p.cert.der);
    if (!parsed) fail(std::string(p.name) + ": parse_der_certificate refused the certificate");
    p.parsed = *parsed;
    p.prepared = svcid::openssl_prepared_certificate{p.cert.cert.get()};
#if defined(SVCID_BENCH_GNUTLS)
    if (gnutls_x509_crt_init(&p.gnutls) < 0) fail("gnutls_x509_crt_init");
    const gnutls_datum_t datum{reinterpret_cast<unsigned char*>(&p.cert.der[0]), static_cast<unsigned>(p.cert.der.size())};
    if (gnutls_x509_crt_import(p.gnutls, &datum, GNUTLS_X509_FMT_DER) < 0) fail(std::string(p.name) + ": GnuTLS import");
#endif
}

std::vector<profile> make_profiles() {
    std::vector<profile> out;
    auto add = [&out](const char* name, ref_kind kind, const std::string& reference, bool expected,
                      const svcid_test::cert_spec& spec) {
        profile p;
        p.name = name;
        p.kind = kind;
        p.reference = reference;
        p.expected = expected;
        p.cert = svcid_test::make_certificate(spec);
        out.push_back(std::move(p));
    };
    {
        svcid_test::cert_spec s;
        s.subject_cn("www.example.com");
        add("san1", ref_kind::dns, numbered_names(1, 0, "www.example.com", s.san), true, s);
    }
    {
        svcid_test::cert_spec s;
        s.subject_cn("www.example.com");
        add("san10-last", ref_kind::dns, numbered_names(10, 9, "www.example.com", s.san), true, s);
    }
    {
        svcid_test::cert_spec s;
        s.subject_cn("www.example.com");
        numbered_names(100, -1, "", s.san);
        add("san100-miss", ref_kind::dns, "www.example.com", false, s);
    }
    {
        svcid_test::cert_spec s;
        s.subject_cn("example.com");
        s.add_san(der::dns("*.example.com"));
        add("wildcard", ref_kind::dns, "foo.example.com", true, s);
    }
    {
        svcid_test::cert_spec s;
        s.subject.push_back({{"O", V_ASN1_UTF8STRING, "Example Ltd"}});
        s.subject_cn("www.example.com");
        add("cn-only", ref_kind::cn, "www.example.com", true, s);
    }
    {
        svcid_test::cert_spec s;
        s.subject_cn("router");
        for (const char* a : {"\x0A\x00\x00\x01", "\x0A\x00\x00\x02", "\x0A\x00\x00\x03", "\xC0\xA8\x01\x04"})
            s.add_san(der::ip(std::string(a, 4)));
        add("ip", ref_kind::ip, "192.168.1.4", true, s);
    }
    {
        svcid_test::cert_spec s;
        s.subject_cn("xn--bcher-kva.example");
        s.add_san(der::dns("xn--bcher-kva.example"));
        add("idn", ref_kind::dns, "xn--bcher-kva.example", true, s);
    }
    for (auto& p : out) finish_profile(p);
    return out;
}

// ---- the floor ---------------------------------------------------------------------------
// The least a checker working through an X509* must do: find the SAN extension, walk its
// DER with every length checked against the bytes that are there, and compare each name of
// the reference's type (ASCII case-insensitively for names; `*.` plus an equal tail for a
// wildcard). It stops at the first match and validates nothing else: a lower bound, not a
// checker anyone should ship.
struct floor_tlv {
    unsigned char tag = 0;
    const unsigned char* content = nullptr;
    std::size_t length = 0;
};

bool floor_read(const unsigned char*& at, const unsigned char* end, floor_tlv& out) noexcept {
    if (end - at < 2) return false;
    out.tag = at[0];
    std::size_t length = at[1];
    at += 2;
    if (length & 0x80) {
        const std::size_t octets = length & 0x7F;
        if (octets == 0 || octets > 4 || static_cast<std::size_t>(end - at) < octets) return false;
        length = 0;
        for (std::size_t i = 0; i < octets; ++i) length = (length << 8) | *at++;
    }
    if (static_cast<std::size_t>(end - at) < length) return false;
    out.content = at;
    out.length = length;
    at += length;
    return true;
}

bool floor_iequal(const unsigned char* a, std::size_t length, std::string_view lower) noexcept {
    if (length != lower.size()) return false;
    for (std::size_t i = 0; i < length; ++i) {
        unsigned char c = a[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c + ('a' - 'A'));
        if (c != static_cast<unsigned char>(lower[i])) return false;
    }
    return true;
}

/// Calls `match(tag, content, length)` for each GeneralName until it returns true.
template <class Match>
bool floor_walk_san(const X509* x, Match match) noexcept {
    const int at = X509_get_ext_by_NID(x, NID_subject_alt_name, -1);
    if (at < 0) return false;
    const ASN1_OCTET_STRING* value = X509_EXTENSION_get_data(X509_get_ext(x, at));
    const unsigned char* p = ASN1_STRING_get0_data(value);
    const unsigned char* end = p + ASN1_STRING_length(value);
    floor_tlv names;
    if (!floor_read(p, end, names) || names.tag != 0x30 || p != end) return false;
    p = names.content;
    end = names.content + names.length;
    floor_tlv name;
    while (p != end) {
        if (!floor_read(p, end, name)) return false;
        if (match(name)) return true;
    }
    return false;
}

bool floor_dns(const profile& pr) noexcept {
    return floor_walk_san(pr.cert.cert.get(), [&pr](const floor_tlv& n) noexcept {
        if (n.tag != 0x82) return false;
        if (floor_iequal(n.content, n.length, pr.floor_name)) return true;
        return !pr.floor_tail.empty() && n.length > 2 && n.content[0] == '*' && n.content[1] == '.' &&
               floor_iequal(n.content + 2, n.length - 2, pr.floor_tail);
    });
}

bool floor_ip(const profile& pr) noexcept {
    const std::string_view want = pr.ip.octets();
    return floor_walk_san(pr.cert.cert.get(), [want](const floor_tlv& n) noexcept {
        return n.tag == 0x87 && n.length == want.size() && std::memcmp(n.content, want.data(), want.size()) == 0;
    });
}

/// No SAN at all, then the subject's last CN.
bool floor_cn(const profile& pr) noexcept {
    const X509* x = pr.cert.cert.get();
    if (X509_get_ext_by_NID(x, NID_subject_alt_name, -1) >= 0) return false;
    const X509_NAME* subject = X509_get_subject_name(x);
    int last = -1;
    for (int i = X509_NAME_get_index_by_NID(subject, NID_commonName, -1); i >= 0;
         i = X509_NAME_get_index_by_NID(subject, NID_commonName, i))
        last = i;
    if (last < 0) return false;
    const ASN1_STRING* cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, last));
    return floor_iequal(ASN1_STRING_get0_data(cn), static_cast<std::size_t>(ASN1_STRING_length(cn)), pr.floor_name);
}

// ---- the checkers ------------------------------------------------------------------------
// Each is a separate, never-inlined function, so a profile (callgrind, perf) names it.
template <class Adapter>
bool svcid_match(const Adapter& cert, const profile& p) noexcept {
    switch (p.kind) {
    case ref_kind::ip: return svcid::match(cert, p.ip).matched();
    case ref_kind::cn: return svcid::match<svcid::rfc6125>(cert, p.dns).matched();
    case ref_kind::dns: break;
    }
    return svcid::match(cert, p.dns).matched();
}

__attribute__((noinline)) bool check_svcid_openssl(const profile& p) noexcept {
    return svcid_match(svcid::openssl_certificate{p.cert.cert.get()}, p);
}

#if !defined(SVCID_BENCH_NARROW_TU)
template <class Adapter>
bool svcid_match_any_reference(const Adapter& cert, const profile& p) noexcept {
    if (p.kind == ref_kind::cn) return svcid::match<svcid::rfc6125>(cert, p.any).matched();
    return svcid::match(cert, p.any).matched();
}

__attribute__((noinline)) bool check_svcid_reference(const profile& p) noexcept {
    return svcid_match_any_reference(svcid::openssl_certificate{p.cert.cert.get()}, p);
}

// What else a real program instantiates beside the checkers: lists of references on every
// adapter and the verify layer. Never called for timing; run once by --check.
__attribute__((noinline)) bool instantiate_real_program(const profile& p) noexcept {
    const svcid::reference refs[] = {p.any, p.any};
    const svcid::openssl_certificate cert{p.cert.cert.get()};
    bool any = svcid::match_any(cert, refs).matched() | svcid::match_all(cert, refs).matched();
    any |= svcid::match_any(p.prepared, refs).matched() | svcid::match_all(p.prepared, refs).matched();
    any |= svcid::match_any(p.parsed, refs).matched() | svcid::match_all(p.parsed, refs).matched();
    any |= svcid_match_any_reference(p.prepared, p) | svcid_match_any_reference(p.parsed, p);
    any |= svcid::match<svcid::rfc6125>(p.parsed, p.any).matched();
    volatile svcid::ssl_verify_callback cb = &svcid::verify_callback;
    (void)cb;
    return any;
}
#endif

__attribute__((noinline)) bool check_svcid_prepared(const profile& p) noexcept { return svcid_match(p.prepared, p); }

__attribute__((noinline)) bool check_svcid_der(const profile& p) noexcept { return svcid_match(p.parsed, p); }

__attribute__((noinline)) bool check_svcid_der_parse(const profile& p) noexcept {
    auto cert = svcid::parse_der_certificate(p.cert.der);
    return cert && svcid_match(*cert, p);
}

__attribute__((noinline)) bool check_openssl(const profile& p) noexcept {
    if (p.kind == ref_kind::ip) return X509_check_ip_asc(p.cert.cert.get(), p.reference.c_str(), 0) == 1;
    return X509_check_host(p.cert.cert.get(), p.reference.data(), p.reference.size(), 0, nullptr) == 1;
}

#if defined(SVCID_BENCH_GNUTLS)
__attribute__((noinline)) bool check_gnutls(const profile& p) noexcept {
    if (p.kind == ref_kind::ip) {
        const std::string_view octets = p.ip.octets();
        return gnutls_x509_crt_check_ip(p.gnutls, reinterpret_cast<const unsigned char*>(octets.data()),
                                        static_cast<unsigned>(octets.size()), 0) != 0;
    }
    return gnutls_x509_crt_check_hostname2(p.gnutls, p.reference.c_str(), 0) != 0;
}
#endif

__attribute__((noinline)) bool check_floor(const profile& p) noexcept {
    switch (p.kind) {
    case ref_kind::ip: return floor_ip(p);
    case ref_kind::cn: return floor_cn(p);
    case ref_kind::dns: break;
    }
    return floor_dns(p);
}

using check_fn = bool (*)(const profile&) noexcept;

struct checker {
    const char* name;
    check_fn fn;
    bool allocations_counted;  ///< false where this program cannot see the library's allocator
    bool must_not_allocate;    ///< svcid's promise, enforced by --check
};

// ---- timing ------------------------------------------------------------------------------
/// Runs `n` operations and returns how many matched. The empty asm with a memory clobber
/// tells the compiler the profile may have changed, so no call is hoisted or merged.
template <check_fn Fn>
__attribute__((noinline)) long run_ops(const profile& p, long n) noexcept {
    long matched = 0;
    for (long i = 0; i < n; ++i) {
        asm volatile("" : : "r"(&p) : "memory");
        matched += Fn(p) ? 1 : 0;
    }
    return matched;
}

struct run_fn {
    long (*run)(const profile&, long) noexcept;
};

struct measurement {
    double ns_median = 0;
    double ns_min = 0;
    double allocs_per_op = -1;  ///< negative: not counted
};

struct options {
    bool csv = false;
    bool check = false;
    bool callgrind = false;
    int batches = 21;
    double batch_ms = 4;
};

void require_answer(const checker& c, const profile& p, long matched, long n) {
    if (matched != (p.expected ? n : 0))
        fail(std::string(c.name) + " on " + p.name + ": " + std::to_string(matched) + " of " + std::to_string(n) +
             " operations matched; expected " + (p.expected ? "all" : "none"));
}

measurement measure(const checker& c, run_fn r, const profile& p, const options& o) {
    using clock = std::chrono::steady_clock;
    auto timed = [&](long n) {
        const auto start = clock::now();
        const long matched = r.run(p, n);
        const double ns = std::chrono::duration<double, std::nano>(clock::now() - start).count();
        require_answer(c, p, matched, n);
        return ns;
    };
    // Warm-up doubles as calibration: grow the batch until it lasts batch_ms.
    long n = 16;
    while (timed(n) < o.batch_ms * 1e6 && n < (1L << 30)) n *= 2;
    timed(n);

    std::vector<double> per_op;
    for (int b = 0; b < o.batches; ++b) per_op.push_back(timed(n) / static_cast<double>(n));
    std::sort(per_op.begin(), per_op.end());
    measurement m;
    m.ns_median = per_op[per_op.size() / 2];
    m.ns_min = per_op.front();

    constexpr long counted_ops = 1000;
    const long before = allocations;
    require_answer(c, p, r.run(p, counted_ops), counted_ops);
    if (c.allocations_counted) m.allocs_per_op = static_cast<double>(allocations - before) / counted_ops;
    return m;
}

template <check_fn Fn>
constexpr run_fn runner() {
    return run_fn{&run_ops<Fn>};
}

struct entry {
    checker c;
    run_fn r;
};

std::vector<entry> checkers(bool gnutls_allocations_counted) {
    std::vector<entry> out = {
        {{"svcid-openssl", check_svcid_openssl, true, true}, runner<check_svcid_openssl>()},
#if !defined(SVCID_BENCH_NARROW_TU)
        {{"svcid-reference", check_svcid_reference, true, true}, runner<check_svcid_reference>()},
#endif
        {{"svcid-prepared", check_svcid_prepared, true, true}, runner<check_svcid_prepared>()},
        {{"svcid-der", check_svcid_der, true, true}, runner<check_svcid_der>()},
        {{"svcid-der-parse", check_svcid_der_parse, true, true}, runner<check_svcid_der_parse>()},
        {{"openssl", check_openssl, true, false}, runner<check_openssl>()},
#if defined(SVCID_BENCH_GNUTLS)
        {{"gnutls", check_gnutls, gnutls_allocations_counted, false}, runner<check_gnutls>()},
#endif
        {{"floor", check_floor, true, true}, runner<check_floor>()},
    };
    (void)gnutls_allocations_counted;
    return out;
}

// ---- --check -------------------------------------------------------------------------------
int run_check(const std::vector<profile>& profiles, const std::vector<entry>& list) {
    int problems = 0;
    for (const auto& p : profiles) {
        for (const auto& e : list) {
            const long before = allocations;
            const bool answer = e.c.fn(p);
            const long used = allocations - before;
            if (answer != p.expected) {
                std::fprintf(stderr, "svcid-bench: %s on %s answered %s, expected %s\n", e.c.name, p.name,
                             answer ? "match" : "no match", p.expected ? "match" : "no match");
                ++problems;
            }
            if (e.c.must_not_allocate && used != 0) {
                std::fprintf(stderr, "svcid-bench: %s on %s allocated %ld times\n", e.c.name, p.name, used);
                ++problems;
            }
        }
    }
#if !defined(SVCID_BENCH_NARROW_TU)
    for (const auto& p : profiles) {
        if (instantiate_real_program(p) != p.expected) {
            std::fprintf(stderr, "svcid-bench: match_any/match_all over svcid::reference on %s answered %s\n", p.name,
                         p.expected ? "no match" : "match");
            ++problems;
        }
    }
#endif
    if (problems == 0)
        std::fprintf(stderr, "svcid-bench: %zu checkers agree on %zu profiles; svcid and the floor allocated nothing\n",
                    list.size(), profiles.size());
    return problems == 0 ? 0 : 1;
}

// ---- --callgrind ---------------------------------------------------------------------------
// Run under `valgrind --tool=callgrind --instr-atstart=no --collect-atstart=no`: each
// checker x profile section is collected alone and dumped under its own name, so each
// dump's total divided by callgrind_ops is instructions per operation
// (bench/callgrind.sh does the division).
constexpr long callgrind_ops = 10000;

int run_callgrind(const std::vector<profile>& profiles, const std::vector<entry>& list) {
#if defined(SVCID_BENCH_HAVE_CALLGRIND)
    CALLGRIND_START_INSTRUMENTATION;
#endif
    for (const auto& p : profiles) {
        for (const auto& e : list) {
            e.r.run(p, 100);  // first-use effects (lazy OpenSSL tables) stay out of the count
            const std::string label = std::string(e.c.name) + "/" + p.name;
#if defined(SVCID_BENCH_HAVE_CALLGRIND)
            CALLGRIND_ZERO_STATS;
            CALLGRIND_TOGGLE_COLLECT;
#endif
            const long matched = e.r.run(p, callgrind_ops);
#if defined(SVCID_BENCH_HAVE_CALLGRIND)
            CALLGRIND_TOGGLE_COLLECT;
            CALLGRIND_DUMP_STATS_AT(label.c_str());
#endif
            require_answer(e.c, p, matched, callgrind_ops);
            std::fprintf(stderr, "%s %ld ops\n", label.c_str(), callgrind_ops);
        }
    }
#if !defined(SVCID_BENCH_HAVE_CALLGRIND)
    std::printf("(built without valgrind/callgrind.h: attribute cost by function name, run_ops<check_*>)\n");
#endif
    return 0;
}

// ---- output --------------------------------------------------------------------------------
struct row {
    const char* checker;
    const char* profile;
    measurement m;
};

std::string allocs_text(double a) {
    if (a < 0) return "n/a";
    char buf[32];
    std::snprintf(buf, sizeof buf, a == static_cast<double>(static_cast<long>(a)) ? "%.0f" : "%.2f", a);
    return buf;
}

const measurement* find(const std::vector<row>& rows, const char* checker, const char* profile) {
    for (const auto& r : rows)
        if (std::strcmp(r.checker, checker) == 0 && std::strcmp(r.profile, profile) == 0) return &r.m;
    return nullptr;
}

void print_markdown(const std::vector<row>& rows, int batches) {
    std::printf("| profile | checker | ns/op median | ns/op min | allocs/op | × OpenSSL | × floor |\n");
    std::printf("|---|---|---:|---:|---:|---:|---:|\n");
    const char* last_profile = "";
    for (const auto& r : rows) {
        const measurement* openssl = find(rows, "openssl", r.profile);
        const measurement* floor = find(rows, "floor", r.profile);
        const bool first = std::strcmp(last_profile, r.profile) != 0;
        last_profile = r.profile;
        std::printf("| %s | %s | %.1f | %.1f | %s | %.2f | %.2f |\n", first ? r.profile : "", r.checker, r.m.ns_median,
                    r.m.ns_min, allocs_text(r.m.allocs_per_op).c_str(), r.m.ns_median / openssl->ns_median,
                    r.m.ns_median / floor->ns_median);
    }
    std::printf("\nRatios are of medians over %d batches. svcid-der parses the DER once, up front; "
                "svcid-der-parse parses it on every operation; svcid-prepared locates the SAN and subject of the X509 "
                "once, up front (openssl_prepared_certificate).\n",
                batches);
}

bool parse_options(int argc, char** argv, options& o) {
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--csv") o.csv = true;
        else if (a == "--check") o.check = true;
        else if (a == "--callgrind") o.callgrind = true;
        else if (a == "--batches" && i + 1 < argc) o.batches = std::max(15, std::atoi(argv[++i]));
        else if (a == "--batch-ms" && i + 1 < argc) o.batch_ms = std::max(0.1, std::atof(argv[++i]));
        else return false;
    }
    return true;
}

/// GnuTLS 3.3 and later accept gnutls_global_set_mem_functions but ignore it; whether the
/// hooks see anything is tested, not assumed, by counting across an allocating call.
bool install_gnutls_counting() {
#if defined(SVCID_BENCH_GNUTLS)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    gnutls_global_set_mem_functions(
        [](std::size_t n) { return counting_malloc(n, nullptr, 0); },
        [](std::size_t n) { return counting_malloc(n, nullptr, 0); }, [](const void*) { return 0; },
        [](void* p, std::size_t n) { return counting_realloc(p, n, nullptr, 0); },
        [](void* p) { counting_free(p, nullptr, 0); });
#pragma GCC diagnostic pop
    if (gnutls_global_init() < 0) fail("gnutls_global_init");
    gnutls_x509_crt_t probe = nullptr;
    const long before = allocations;
    if (gnutls_x509_crt_init(&probe) < 0) fail("gnutls_x509_crt_init");
    const bool counted = allocations != before;
    gnutls_x509_crt_deinit(probe);
    return counted;
#else
    return false;
#endif
}

} // namespace

int main(int argc, char** argv) {
    // Before any other OpenSSL call, or OpenSSL refuses to change allocators.
    if (CRYPTO_set_mem_functions(counting_malloc, counting_realloc, counting_free) != 1)
        fail("CRYPTO_set_mem_functions refused: OpenSSL allocated before main");
    options o;
    if (!parse_options(argc, argv, o)) {
        std::fprintf(stderr, "usage: svcid-bench [--csv] [--check] [--callgrind] [--batches N] [--batch-ms M]\n");
        return 2;
    }
    const bool gnutls_counted = install_gnutls_counting();
    const std::vector<profile> profiles = make_profiles();
    const std::vector<entry> list = checkers(gnutls_counted);

    // Agreement first, whatever the mode.
    if (run_check(profiles, list) != 0) return 1;
    if (o.check) return 0;
    if (o.callgrind) return run_callgrind(profiles, list);

    std::vector<row> rows;
    for (const auto& p : profiles)
        for (const auto& e : list) rows.push_back({e.c.name, p.name, measure(e.c, e.r, p, o)});

    if (o.csv) {
        std::printf("checker,profile,ns_median,ns_min,allocs_per_op\n");
        for (const auto& r : rows)
            std::printf("%s,%s,%.2f,%.2f,%s\n", r.checker, r.profile, r.m.ns_median, r.m.ns_min,
                        allocs_text(r.m.allocs_per_op).c_str());
    } else {
        print_markdown(rows, o.batches);
        if (!gnutls_counted) std::printf("GnuTLS allocations: n/a (gnutls_global_set_mem_functions has no effect in this GnuTLS).\n");
    }
    return 0;
}
