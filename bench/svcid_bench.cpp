// svcid-bench — how fast svcid answers "is this certificate valid for this name?", next to
// OpenSSL's and GnuTLS's checkers and next to the least any checker has to do (the
// "floor"), on the same certificates, in one run.
//
// Certificates are shaped like real leaves: eight extensions in the order CAs write them
// (keyUsage, extendedKeyUsage, basicConstraints, subjectKeyIdentifier,
// authorityKeyIdentifier, authorityInfoAccess, subjectAltName, certificatePolicies), so
// the SAN is neither first nor alone; decoy names have the reference's length or are
// wildcards whose tail has the reference tail's length, so no checker is let off by a
// length test; each certificate goes through DER and back into an X509, as a peer's does.
//
// Checkers: svcid-openssl (match through openssl_certificate), svcid-reference (the same
// through a parsed svcid::reference), svcid-verify-ctx and svcid-verify-ssl (svcid's verify
// callback as OpenSSL calls it at the leaf, the policy on the SSL_CTX or on the SSL),
// svcid-prepared (openssl_prepared_certificate, made
// once up front), svcid-der (parse_der_certificate once, up front), svcid-der-parse
// (parsing the DER on every operation), openssl (X509_check_host / _ip_asc / _email,
// flags 0; for a SPIFFE ID the GENERAL_NAMES loop OpenSSL users write), gnutls
// (gnutls_x509_crt_check_hostname2 / _ip / _email; the get_subject_alt_name loop for a
// SPIFFE ID), floor (find the SAN through the X509, walk its DER, compare).
// Two more answer "where is the SAN?" from raw DER, for the cost of parsing:
// svcid-der-locate (parse_der_certificate alone) and floor-der-locate (the least walk
// from the certificate's first byte to the SAN's extnValue).
//
//   svcid-bench              markdown tables: ns/op median and min, ratios, targets
//   svcid-bench --csv        checker,profile,ns_median,ns_min,allocs_per_op
//   svcid-bench --check      agreement with the expected answers and svcid's zero
//                            allocations, one operation per checker; no timing (CI)
//   svcid-bench --callgrind  operations per checker and profile between callgrind markers,
//                            each dump named checker/profile/operations (bench/callgrind.sh)
//   svcid-bench --instructions FILE   the same tables from "checker profile instr/op" lines
//   --batches N (default 31), --batch-ms M (default 2), --filter S (profiles containing S)
//
// Timing is round-robin: for each profile every checker is calibrated, then the batches
// of all checkers are interleaved (the starting checker rotates each round), so a burst of
// load from another process lands on all of them rather than on whichever ran then.
//
// Like a real program, this translation unit also instantiates svcid::reference (every
// reference type, match_any, match_all) for every adapter and takes the verify layer's
// callback, so the compiler makes the inlining decisions it makes for users.
// svcid-bench-narrow is the same source built with SVCID_BENCH_NARROW_TU: only the DNS and
// IP matchers (no SPIFFE or e-mail profiles), for comparison.
//
// Every checker's answer is asserted before it is timed and again after every batch: a
// benchmark of a wrong answer is worthless. Allocations are counted by a replaced global
// operator new and by CRYPTO_set_mem_functions, installed before any other OpenSSL call.
#include <svcid/der_certificate.hpp>
#include <svcid/dns_reference.hpp>
#include <svcid/ip_reference.hpp>
#include <svcid/match.hpp>
#include <svcid/openssl.hpp>
#if !defined(SVCID_BENCH_NARROW_TU)
#include <svcid/email.hpp>
#include <svcid/openssl/verify.hpp>
#include <svcid/reference.hpp>
#include <svcid/spiffe_reference.hpp>

#include <openssl/ssl.h>
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
#include <fstream>
#include <memory>
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

// Out of line: where GCC 12 inlines a replaced operator new or delete into a caller, it sees
// malloc() paired with operator delete, or operator new with free(), and warns
// (-Wmismatched-new-delete), which is true only of the default operators.
#define SVCID_BENCH_OUT_OF_LINE __attribute__((noinline))
SVCID_BENCH_OUT_OF_LINE void* operator new(std::size_t n) {
    ++allocations;
    if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
    throw std::bad_alloc();
}
SVCID_BENCH_OUT_OF_LINE void* operator new[](std::size_t n) { return ::operator new(n); }
SVCID_BENCH_OUT_OF_LINE void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    ++allocations;
    return std::malloc(n == 0 ? 1 : n);
}
SVCID_BENCH_OUT_OF_LINE void* operator new[](std::size_t n, const std::nothrow_t& tag) noexcept { return ::operator new(n, tag); }
SVCID_BENCH_OUT_OF_LINE void operator delete(void* p) noexcept { std::free(p); }
SVCID_BENCH_OUT_OF_LINE void operator delete[](void* p) noexcept { std::free(p); }
SVCID_BENCH_OUT_OF_LINE void operator delete(void* p, std::size_t) noexcept { std::free(p); }
SVCID_BENCH_OUT_OF_LINE void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
SVCID_BENCH_OUT_OF_LINE void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
SVCID_BENCH_OUT_OF_LINE void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace {

namespace der = svcid_test::der;

[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "svcid-bench: %s\n", what.c_str());
    std::exit(1);
}

// ---- certificates ------------------------------------------------------------------------
// The extensions of a typical publicly trusted TLS leaf, in the order CAs write them; the
// SAN goes between authorityInfoAccess and certificatePolicies.
struct leaf_extension {
    int nid;
    bool critical;
    std::string value;
};

std::vector<leaf_extension> extensions_before_san() {
    const std::string key_id(20, '\x5A');
    return {
        {NID_key_usage, true, der::tlv(0x03, std::string("\x05\xA0", 2))},  // digitalSignature, keyEncipherment
        {NID_ext_key_usage, false, der::seq({der::oid("1.3.6.1.5.5.7.3.1"), der::oid("1.3.6.1.5.5.7.3.2")})},
        {NID_basic_constraints, true, der::seq({})},
        {NID_subject_key_identifier, false, der::tlv(0x04, key_id)},
        {NID_authority_key_identifier, false, der::seq({der::tlv(0x80, std::string(20, '\x14'))})},
        {NID_info_access, false,
         der::seq({der::seq({der::oid("1.3.6.1.5.5.7.48.1"), der::tlv(0x86, "http://r3.o.lencr.org")}),
                   der::seq({der::oid("1.3.6.1.5.5.7.48.2"), der::tlv(0x86, "http://r3.i.lencr.org/")})})},
    };
}

leaf_extension certificate_policies() {
    return {NID_certificate_policies, false,
            der::seq({der::seq({der::oid("2.23.140.1.2.1")}),
                      der::seq({der::oid("1.3.6.1.4.1.44947.1.1.1"),
                                der::seq({der::seq({der::oid("1.3.6.1.5.5.7.2.1"),
                                                    der::ia5("http://cps.letsencrypt.org")})})})})};
}

/// make_certificate() writes the SAN as the only extension; this puts the others around
/// it, signs again and reads the DER back into a fresh X509, the form a TLS stack hands
/// over after a handshake.
svcid_test::built_certificate make_leaf(const svcid_test::cert_spec& spec) {
    svcid_test::built_certificate out = svcid_test::make_certificate(spec);
    X509* x = out.cert.get();
    int at = 0;
    for (const auto& e : extensions_before_san()) {
        auto ext = svcid_test::make_extension(e.nid, e.critical, e.value);
        svcid_test::check(X509_add_ext(x, ext.get(), at++), "X509_add_ext");
    }
    const leaf_extension policies = certificate_policies();
    auto ext = svcid_test::make_extension(policies.nid, policies.critical, policies.value);
    svcid_test::check(X509_add_ext(x, ext.get(), -1), "X509_add_ext");
    svcid_test::check(X509_sign(x, out.key.get(), EVP_sha256()), "X509_sign");
    out.der = svcid_test::to_der(x);
    const auto* p = reinterpret_cast<const unsigned char*>(out.der.data());
    out.cert.reset(svcid_test::check(d2i_X509(nullptr, &p, static_cast<long>(out.der.size())), "d2i_X509"));
    if (X509_get_ext_count(out.cert.get()) != (spec.has_san() ? 8 : 7)) fail("leaf has the wrong extension count");
    return out;
}

// ---- profiles ----------------------------------------------------------------------------
#if !defined(SVCID_BENCH_NARROW_TU)
/// What OpenSSL hands svcid's verify callback at the leaf: an X509_STORE_CTX whose current
/// certificate is the peer's, at depth 0, carrying the SSL (and so its policy) in ex_data.
struct verify_rig {
    std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx{nullptr, SSL_CTX_free};
    std::unique_ptr<SSL, decltype(&SSL_free)> ssl{nullptr, SSL_free};
    std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> trust{nullptr, X509_STORE_free};
    std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> store{nullptr, X509_STORE_CTX_free};
};
#endif

enum class ref_kind { dns, ip, cn, spiffe, email };

struct profile {
    std::string name;
    ref_kind kind = ref_kind::dns;
    std::string reference;  ///< the text every checker is given
    bool expected = true;
    std::size_t names = 0;  ///< SAN entries, for the per-entry cost and the callgrind count
    svcid_test::built_certificate cert;

    // Prepared once, outside the timed loops, the way each API expects its input.
    svcid::dns_reference dns{};
    svcid::ip_reference ip{};
#if !defined(SVCID_BENCH_NARROW_TU)
    svcid::spiffe_reference spiffe{};
    svcid::email_reference email{};
    svcid::reference any{};  ///< the same reference through parse_reference
    verify_rig by_context;   ///< svcid::set_identity_policy on the SSL_CTX
    verify_rig by_ssl;       ///< svcid::attach_peer_identity on the SSL
#endif
    svcid::der_certificate parsed{};
    svcid::openssl_prepared_certificate prepared{nullptr};
    std::string floor_name;  ///< what the floor compares: lower-case name, IP octets, SPIFFE ID or mailbox
    std::string floor_tail;  ///< after the reference's first label, for `*.` patterns; empty below 3 labels
#if defined(SVCID_BENCH_GNUTLS)
    gnutls_x509_crt_t gnutls = nullptr;
#endif
};

#if !defined(SVCID_BENCH_NARROW_TU)
/// Sets up `rig` as OpenSSL would have before calling the verify callback at the leaf;
/// `attach` hangs the policy on the context or on the SSL.
template <class Attach>
void prepare_verify_rig(verify_rig& rig, const profile& p, Attach&& attach) {
    rig.ctx.reset(SSL_CTX_new(TLS_client_method()));
    if (!rig.ctx) fail("SSL_CTX_new");
    // The SSL must exist before a per-SSL attach and after a context policy is set, so the
    // context setter runs on the context before SSL_new and the per-SSL one after.
    const bool on_context = &rig == &p.by_context;
    if (on_context && !attach(rig)) fail(p.name + ": set_identity_policy");
    rig.ssl.reset(SSL_new(rig.ctx.get()));
    if (!rig.ssl) fail("SSL_new");
    if (!on_context && !attach(rig)) fail(p.name + ": attach_peer_identity");
    rig.trust.reset(X509_STORE_new());
    rig.store.reset(X509_STORE_CTX_new());
    if (!rig.trust || !rig.store) fail("X509_STORE_new");
    X509* leaf = p.cert.cert.get();
    if (X509_STORE_CTX_init(rig.store.get(), rig.trust.get(), leaf, nullptr) != 1 ||
        X509_STORE_CTX_set_ex_data(rig.store.get(), SSL_get_ex_data_X509_STORE_CTX_idx(), rig.ssl.get()) != 1)
        fail("X509_STORE_CTX_init");
    X509_STORE_CTX_set_current_cert(rig.store.get(), leaf);
    X509_STORE_CTX_set_error_depth(rig.store.get(), 0);
}
#endif

/// Three-character first labels, distinct for the 5,000-name series.
std::string tag3(std::size_t i) {
    static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    std::string s(3, '0');
    for (int k = 2; k >= 0; --k, i /= 36) s[static_cast<std::size_t>(k)] = digits[i % 36];
    return s;
}

/// Decoys for "www.example.com": by thirds, a name of its length and tail ("k3x.example.com"),
/// a wildcard whose tail has its tail's length ("*.k3xmple.com"), and a longer host under
/// another domain. None matches it under either policy.
std::string decoy(std::size_t i) {
    switch (i % 3) {
    case 0: return tag3(i) + ".example.com";
    case 1: return "*." + tag3(i) + "mple.com";
    default: return "host-" + tag3(i) + ".example.net";
    }
}

/// The profiles whose peer every checker refuses: their names end in -miss.
bool refused_profile(const std::string& name) {
    const std::string suffix = "-miss";
    return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::vector<profile> make_profiles(const std::string& filter) {
    std::vector<profile> out;
    auto add = [&](std::string name, ref_kind kind, std::string reference, bool expected, svcid_test::cert_spec spec) {
        // The tables know a refusal by its name alone (the instructions file carries no more).
        if (refused_profile(name) == expected) fail(name + ": only a -miss profile is refused");
        if (name.find(filter) == std::string::npos) return;
        profile p;
        p.name = std::move(name);
        p.kind = kind;
        p.reference = std::move(reference);
        p.expected = expected;
        p.names = spec.san.size();
        p.cert = make_leaf(spec);
        out.push_back(std::move(p));
    };
    const std::string www = "www.example.com";
    for (std::size_t n : {std::size_t{1}, std::size_t{10}, std::size_t{100}, std::size_t{1000}, std::size_t{5000}}) {
        for (bool last : {true, false}) {
            svcid_test::cert_spec s;
            s.subject_cn(last ? www : decoy(0));
            for (std::size_t i = 0; i + 1 < n; ++i) s.add_san(der::dns(decoy(i)));
            s.add_san(der::dns(last ? www : decoy(n - 1)));
            add("dns" + std::to_string(n) + (last ? "-last" : "-miss"), ref_kind::dns, www, last, s);
        }
    }
    {
        // A wildcard certificate as ACME CAs issue them: the apex, then the wildcard.
        svcid_test::cert_spec s;
        s.subject_cn("example.com");
        s.add_san(der::dns("example.com")).add_san(der::dns("*.example.com"));
        add("wildcard", ref_kind::dns, "foo.example.com", true, s);
    }
    {
        // A shared CDN certificate: 68 customer domains of varied length, each as the apex
        // and its wildcard; the reference is under the last one, so its wildcard (the 136th
        // name) matches.
        static const char* const words[] = {"shop", "news", "blog", "travel", "cloud", "pixelforge", "mail", "a",
                                            "greenhouse-supply", "data", "kitchen", "st"};
        svcid_test::cert_spec s;
        s.subject_cn("sni.cdn.example");
        std::string apex;
        for (std::size_t i = 0; i < 68; ++i) {
            apex = words[i % 12] + std::to_string(i * 7919 % 1000) + (i % 4 == 0 ? ".co.uk" : ".com");
            s.add_san(der::dns(apex)).add_san(der::dns("*." + apex));
        }
        add("cdn136", ref_kind::dns, "www." + apex, true, s);
    }
#if !defined(SVCID_BENCH_NARROW_TU)
    {
        // An X509-SVID: one URI SAN holding the SPIFFE ID (X509-SVID §2).
        const std::string id = "spiffe://prod.example.org/ns/payments/sa/ledger-api";
        svcid_test::cert_spec s;
        s.add_san(der::uri(id));
        add("spiffe", ref_kind::spiffe, id, true, s);
    }
    {
        svcid_test::cert_spec s;
        s.subject_cn("Alice Example");
        s.add_san(der::rfc822("alice.example@mail.example.com"));
        add("email", ref_kind::email, "alice.example@mail.example.com", true, s);
    }
#endif
    {
        svcid_test::cert_spec s;
        s.subject_cn("router");
        for (const char* a : {"\x0A\x00\x00\x01", "\x0A\x00\x00\x02", "\x0A\x00\x00\x03", "\xC0\xA8\x01\x04"})
            s.add_san(der::ip(std::string(a, 4)));
        add("ip", ref_kind::ip, "192.168.1.4", true, s);
    }
    {
        svcid_test::cert_spec s;
        s.subject.push_back({{"O", V_ASN1_UTF8STRING, "Example Ltd"}});
        s.subject_cn(www);
        add("cn-only", ref_kind::cn, www, true, s);
    }
    for (auto& p : out) {
        switch (p.kind) {
        case ref_kind::ip: {
            auto ip = svcid::parse_ip_reference(p.reference);
            if (!ip) fail(p.name + ": bad IP reference");
            p.ip = *ip;
            p.floor_name = std::string(p.ip.octets());
            break;
        }
#if !defined(SVCID_BENCH_NARROW_TU)
        case ref_kind::spiffe: {
            auto spiffe = svcid::make_spiffe_reference(p.reference);
            if (!spiffe) fail(p.name + ": bad SPIFFE reference");
            p.spiffe = *spiffe;
            p.floor_name = p.reference;
            break;
        }
        case ref_kind::email: {
            auto email = svcid::parse_email_reference(p.reference);
            if (!email) fail(p.name + ": bad e-mail reference");
            p.email = *email;
            p.floor_name = p.reference;
            break;
        }
#else
        case ref_kind::spiffe:
        case ref_kind::email: fail("no SPIFFE or e-mail profile in the narrow translation unit");
#endif
        case ref_kind::dns:
        case ref_kind::cn: {
            auto dns = svcid::parse_dns_reference(p.reference);
            if (!dns) fail(p.name + ": bad DNS reference");
            p.dns = *dns;
            p.floor_name = std::string(p.dns.name());
            if (p.dns.label_count() >= 3) p.floor_tail = std::string(p.dns.after_first_label());
            break;
        }
        }
#if !defined(SVCID_BENCH_NARROW_TU)
        auto any = svcid::parse_reference(p.reference);
        if (!any) fail(p.name + ": parse_reference refused the reference");
        p.any = *any;
        const svcid::verify_rules rules = p.kind == ref_kind::cn ? svcid::verify_rules::rfc6125 : svcid::verify_rules::rfc9525;
        const svcid::identity_policy policy = svcid::identity_policy::make(&p.any, 1, rules);
        if (!policy) fail(p.name + ": identity_policy::make");
        prepare_verify_rig(p.by_context, p, [&](verify_rig& rig) { return svcid::set_identity_policy(rig.ctx.get(), policy); });
        prepare_verify_rig(p.by_ssl, p, [&](verify_rig& rig) {
            return svcid::attach_peer_identity(rig.ssl.get(), policy) != nullptr;
        });
#endif
        auto parsed = svcid::parse_der_certificate(p.cert.der);
        if (!parsed) fail(p.name + ": parse_der_certificate refused the certificate");
        p.parsed = *parsed;
        p.prepared = svcid::openssl_prepared_certificate{p.cert.cert.get()};
#if defined(SVCID_BENCH_GNUTLS)
        if (gnutls_x509_crt_init(&p.gnutls) < 0) fail("gnutls_x509_crt_init");
        const gnutls_datum_t datum{reinterpret_cast<unsigned char*>(&p.cert.der[0]), static_cast<unsigned>(p.cert.der.size())};
        if (gnutls_x509_crt_import(p.gnutls, &datum, GNUTLS_X509_FMT_DER) < 0) fail(p.name + ": GnuTLS import");
#endif
    }
    return out;
}

// ---- the floor ---------------------------------------------------------------------------
// The least a checker must do: find the SAN extension, walk its DER with every length
// checked against the bytes that are there, and compare each name of the reference's type
// (ASCII case-insensitively for DNS names and mailboxes; `*.` plus an equal tail for a
// wildcard; octets for an address; bytes for a SPIFFE ID). It stops at the first match and
// validates nothing else: a lower bound, not a checker anyone should ship.
struct floor_tlv {
    unsigned char tag = 0;
    const unsigned char* content = nullptr;
    std::size_t length = 0;
};

// Always inlined, as a hand-written walker would be: the floor must be tight.
__attribute__((always_inline)) inline bool floor_read(const unsigned char*& at, const unsigned char* end, floor_tlv& out) noexcept {
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

bool floor_iequal(const unsigned char* a, std::size_t length, const std::string& lower) noexcept {
    if (length != lower.size()) return false;
    for (std::size_t i = 0; i < length; ++i) {
        unsigned char c = a[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c + ('a' - 'A'));
        if (c != static_cast<unsigned char>(lower[i])) return false;
    }
    return true;
}

/// Walks a SAN extnValue and calls `match(name)` for each GeneralName until it says true.
template <class Match>
bool floor_walk_general_names(const unsigned char* p, std::size_t length, Match match) noexcept {
    const unsigned char* end = p + length;
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

/// The comparison of one GeneralName with the profile's reference.
bool floor_compare(const profile& pr, const floor_tlv& n) noexcept {
    switch (pr.kind) {
    case ref_kind::ip:
        return n.tag == 0x87 && n.length == pr.floor_name.size() && std::memcmp(n.content, pr.floor_name.data(), n.length) == 0;
    case ref_kind::spiffe:
        return n.tag == 0x86 && n.length == pr.floor_name.size() && std::memcmp(n.content, pr.floor_name.data(), n.length) == 0;
    case ref_kind::email: return n.tag == 0x81 && floor_iequal(n.content, n.length, pr.floor_name);
    case ref_kind::dns:
    case ref_kind::cn: break;
    }
    if (n.tag != 0x82) return false;
    if (floor_iequal(n.content, n.length, pr.floor_name)) return true;
    return !pr.floor_tail.empty() && n.length > 2 && n.content[0] == '*' && n.content[1] == '.' &&
           floor_iequal(n.content + 2, n.length - 2, pr.floor_tail);
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

/// The least walk from a certificate's first byte to its SAN's extnValue: each element's
/// header read and its length checked, nothing validated (RFC 5280 §4.1).
bool floor_der_locate(const std::string& der, floor_tlv& san) noexcept {
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    const unsigned char* end = p + der.size();
    floor_tlv cert, tbs, field;
    if (!floor_read(p, end, cert)) return false;
    p = cert.content;
    if (!floor_read(p, cert.content + cert.length, tbs)) return false;
    p = tbs.content;
    end = tbs.content + tbs.length;
    while (p != end) {
        if (!floor_read(p, end, field)) return false;
        if (field.tag != 0xA3) continue;
        const unsigned char* q = field.content;
        floor_tlv list, extension, oid;
        if (!floor_read(q, field.content + field.length, list)) return false;
        q = list.content;
        while (q != list.content + list.length) {
            if (!floor_read(q, list.content + list.length, extension)) return false;
            const unsigned char* r = extension.content;
            const unsigned char* r_end = extension.content + extension.length;
            if (!floor_read(r, r_end, oid)) return false;
            if (oid.length != 3 || std::memcmp(oid.content, "\x55\x1D\x11", 3) != 0) continue;
            if (!floor_read(r, r_end, san)) return false;
            if (san.tag == 0x01 && !floor_read(r, r_end, san)) return false;  // critical
            return san.tag == 0x04;
        }
    }
    return false;
}

// ---- the checkers ------------------------------------------------------------------------
// Each is a separate, never-inlined function, so a profile (callgrind, perf) names it.
template <class Adapter>
bool svcid_match(const Adapter& cert, const profile& p) noexcept {
    switch (p.kind) {
    case ref_kind::ip: return svcid::match(cert, p.ip).matched();
    case ref_kind::cn: return svcid::match<svcid::rfc6125>(cert, p.dns).matched();
#if !defined(SVCID_BENCH_NARROW_TU)
    case ref_kind::spiffe: return svcid::match(cert, p.spiffe).matched();
    case ref_kind::email: return svcid::match(cert, p.email).matched();
#else
    case ref_kind::spiffe:
    case ref_kind::email: return false;
#endif
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

// svcid's verify callback at the leaf, as OpenSSL calls it in a handshake that passed chain
// validation, with the policy on the SSL_CTX or on the SSL: what a TLS user pays beside a
// plain match (svcid-reference, the same policy-level check).
__attribute__((noinline)) bool check_svcid_verify_context(const profile& p) noexcept {
    return svcid::verify_callback(1, p.by_context.store.get()) == 1;
}

__attribute__((noinline)) bool check_svcid_verify_ssl(const profile& p) noexcept {
    return svcid::verify_callback(1, p.by_ssl.store.get()) == 1;
}

// What else a real program instantiates beside the checkers: lists of references on every
// adapter and the verify layer. Never called for timing; run once by --check.
__attribute__((noinline)) bool instantiate_real_program(const profile& p) noexcept {
    const svcid::reference refs[] = {p.any, p.any};
    const svcid::openssl_certificate cert{p.cert.cert.get()};
    // Counted, not or-ed: every call must run, whatever the ones before it answered.
    int any = svcid::match_any(cert, refs).matched() + svcid::match_all(cert, refs).matched();
    any += svcid::match_any(p.prepared, refs).matched() + svcid::match_all(p.prepared, refs).matched();
    any += svcid::match_any(p.parsed, refs).matched() + svcid::match_all(p.parsed, refs).matched();
    any += svcid_match_any_reference(p.prepared, p) + svcid_match_any_reference(p.parsed, p);
    any += svcid::match<svcid::rfc6125>(p.parsed, p.any).matched();
    volatile svcid::ssl_verify_callback cb = &svcid::verify_callback;
    (void)cb;
    return any != 0;
}
#endif

__attribute__((noinline)) bool check_svcid_prepared(const profile& p) noexcept { return svcid_match(p.prepared, p); }

__attribute__((noinline)) bool check_svcid_der(const profile& p) noexcept { return svcid_match(p.parsed, p); }

__attribute__((noinline)) bool check_svcid_der_parse(const profile& p) noexcept {
    auto cert = svcid::parse_der_certificate(p.cert.der);
    return cert && svcid_match(*cert, p);
}

__attribute__((noinline)) bool check_svcid_der_locate(const profile& p) noexcept {
    auto cert = svcid::parse_der_certificate(p.cert.der);
    return cert && !cert->subject_alt_name_der().empty();
}

/// OpenSSL has no URI-ID check; this is the loop its users write for a SPIFFE ID
/// (decode the GENERAL_NAMES, compare each URI, free).
bool openssl_uri_san(const profile& p) noexcept {
    auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(p.cert.cert.get(), NID_subject_alt_name, nullptr, nullptr));
    if (names == nullptr) return false;
    bool found = false;
    for (int i = 0; i < sk_GENERAL_NAME_num(names) && !found; ++i) {
        const GENERAL_NAME* n = sk_GENERAL_NAME_value(names, i);
        if (n->type != GEN_URI) continue;
        const ASN1_IA5STRING* uri = n->d.uniformResourceIdentifier;
        found = static_cast<std::size_t>(ASN1_STRING_length(uri)) == p.reference.size() &&
                std::memcmp(ASN1_STRING_get0_data(uri), p.reference.data(), p.reference.size()) == 0;
    }
    GENERAL_NAMES_free(names);
    return found;
}

__attribute__((noinline)) bool check_openssl(const profile& p) noexcept {
    X509* x = p.cert.cert.get();
    switch (p.kind) {
    case ref_kind::ip: return X509_check_ip_asc(x, p.reference.c_str(), 0) == 1;
    case ref_kind::email: return X509_check_email(x, p.reference.data(), p.reference.size(), 0) == 1;
    case ref_kind::spiffe: return openssl_uri_san(p);
    case ref_kind::dns:
    case ref_kind::cn: break;
    }
    return X509_check_host(x, p.reference.data(), p.reference.size(), 0, nullptr) == 1;
}

#if defined(SVCID_BENCH_GNUTLS)
/// GnuTLS has no URI-ID check either; its users loop over the SAN entries.
bool gnutls_uri_san(const profile& p) noexcept {
    char buf[512];
    for (unsigned i = 0;; ++i) {
        std::size_t size = sizeof buf;
        const int type = gnutls_x509_crt_get_subject_alt_name(p.gnutls, i, buf, &size, nullptr);
        if (type == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) return false;
        if (type == GNUTLS_SAN_URI && size == p.reference.size() && std::memcmp(buf, p.reference.data(), size) == 0)
            return true;
    }
}

__attribute__((noinline)) bool check_gnutls(const profile& p) noexcept {
    switch (p.kind) {
    case ref_kind::ip: {
        const std::string_view octets = p.ip.octets();
        return gnutls_x509_crt_check_ip(p.gnutls, reinterpret_cast<const unsigned char*>(octets.data()),
                                        static_cast<unsigned>(octets.size()), 0) != 0;
    }
    case ref_kind::email: return gnutls_x509_crt_check_email(p.gnutls, p.reference.c_str(), 0) != 0;
    case ref_kind::spiffe: return gnutls_uri_san(p);
    case ref_kind::dns:
    case ref_kind::cn: break;
    }
    return gnutls_x509_crt_check_hostname2(p.gnutls, p.reference.c_str(), 0) != 0;
}
#endif

__attribute__((noinline)) bool check_floor(const profile& p) noexcept {
    if (p.kind == ref_kind::cn) return floor_cn(p);
    const X509* x = p.cert.cert.get();
    const int at = X509_get_ext_by_NID(x, NID_subject_alt_name, -1);
    if (at < 0) return false;
    const ASN1_OCTET_STRING* value = X509_EXTENSION_get_data(X509_get_ext(x, at));
    return floor_walk_general_names(ASN1_STRING_get0_data(value), static_cast<std::size_t>(ASN1_STRING_length(value)),
                                    [&p](const floor_tlv& n) noexcept { return floor_compare(p, n); });
}

__attribute__((noinline)) bool check_floor_der_locate(const profile& p) noexcept {
    floor_tlv san;
    return floor_der_locate(p.cert.der, san) && san.length != 0;
}

using check_fn = bool (*)(const profile&) noexcept;

struct checker {
    const char* name;
    check_fn fn;
    bool allocations_counted;  ///< false where this program cannot see the library's allocator
    bool must_not_allocate;    ///< svcid's promise, enforced by --check
    bool locates;              ///< answers "has a SAN" instead of "matches"
};

bool expected_answer(const checker& c, const profile& p) {
    return c.locates ? p.kind != ref_kind::cn : p.expected;
}

// ---- timing ------------------------------------------------------------------------------
/// Runs `n` operations and returns how many answered true. The empty asm with a memory
/// clobber tells the compiler the profile may have changed, so no call is hoisted or merged.
template <check_fn Fn>
__attribute__((noinline)) long run_ops(const profile& p, long n) noexcept {
    long matched = 0;
    for (long i = 0; i < n; ++i) {
        asm volatile("" : : "r"(&p) : "memory");
        matched += Fn(p) ? 1 : 0;
    }
    return matched;
}

using run_fn = long (*)(const profile&, long) noexcept;

struct entry {
    checker c;
    run_fn run;
};

template <check_fn Fn>
constexpr entry make_entry(const char* name, bool allocations_counted, bool must_not_allocate, bool locates = false) {
    return entry{{name, Fn, allocations_counted, must_not_allocate, locates}, &run_ops<Fn>};
}

std::vector<entry> checkers(bool gnutls_allocations_counted) {
    std::vector<entry> out = {
        make_entry<check_svcid_openssl>("svcid-openssl", true, true),
#if !defined(SVCID_BENCH_NARROW_TU)
        make_entry<check_svcid_reference>("svcid-reference", true, true),
        make_entry<check_svcid_verify_context>("svcid-verify-ctx", true, true),
        make_entry<check_svcid_verify_ssl>("svcid-verify-ssl", true, true),
#endif
        make_entry<check_svcid_prepared>("svcid-prepared", true, true),
        make_entry<check_svcid_der>("svcid-der", true, true),
        make_entry<check_svcid_der_parse>("svcid-der-parse", true, true),
        make_entry<check_openssl>("openssl", true, false),
#if defined(SVCID_BENCH_GNUTLS)
        make_entry<check_gnutls>("gnutls", gnutls_allocations_counted, false),
#endif
        make_entry<check_floor>("floor", true, true),
        make_entry<check_svcid_der_locate>("svcid-der-locate", true, true, true),
        make_entry<check_floor_der_locate>("floor-der-locate", true, true, true),
    };
    (void)gnutls_allocations_counted;
    return out;
}

struct measurement {
    double median = 0;
    double min = 0;
    double allocs_per_op = -1;  ///< negative: not counted
};

struct options {
    bool csv = false;
    bool check = false;
    bool callgrind = false;
    std::string instructions;  ///< a file of "checker profile instructions" lines
    std::string filter;
    int batches = 31;
    double batch_ms = 2;
};

void require_answer(const checker& c, const profile& p, long matched, long n) {
    if (matched != (expected_answer(c, p) ? n : 0))
        fail(std::string(c.name) + " on " + p.name + ": " + std::to_string(matched) + " of " + std::to_string(n) +
             " operations answered true; expected " + (expected_answer(c, p) ? "all" : "none"));
}

double timed_batch(const entry& e, const profile& p, long n) {
    using clock = std::chrono::steady_clock;
    const auto start = clock::now();
    const long matched = e.run(p, n);
    const double ns = std::chrono::duration<double, std::nano>(clock::now() - start).count();
    require_answer(e.c, p, matched, n);
    return ns;
}

/// All checkers on one profile, their batches interleaved round-robin.
std::vector<measurement> measure_profile(const std::vector<entry>& list, const profile& p, const options& o) {
    const std::size_t k = list.size();
    // Warm-up doubles as calibration: grow each batch until it lasts batch_ms.
    std::vector<long> ops(k, 1);
    for (std::size_t c = 0; c < k; ++c) {
        while (timed_batch(list[c], p, ops[c]) < o.batch_ms * 1e6 && ops[c] < (1L << 30)) ops[c] *= 2;
    }
    std::vector<std::vector<double>> per_op(k);
    for (int b = 0; b < o.batches; ++b) {
        for (std::size_t i = 0; i < k; ++i) {
            const std::size_t c = (i + static_cast<std::size_t>(b)) % k;
            per_op[c].push_back(timed_batch(list[c], p, ops[c]) / static_cast<double>(ops[c]));
        }
    }
    std::vector<measurement> out(k);
    for (std::size_t c = 0; c < k; ++c) {
        std::sort(per_op[c].begin(), per_op[c].end());
        out[c].median = per_op[c][per_op[c].size() / 2];
        out[c].min = per_op[c].front();
        constexpr long counted_ops = 100;
        const long before = allocations;
        require_answer(list[c].c, p, list[c].run(p, counted_ops), counted_ops);
        if (list[c].c.allocations_counted) out[c].allocs_per_op = static_cast<double>(allocations - before) / counted_ops;
    }
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
            if (answer != expected_answer(e.c, p)) {
                std::fprintf(stderr, "svcid-bench: %s on %s answered %s, expected %s\n", e.c.name, p.name.c_str(),
                             answer ? "true" : "false", answer ? "false" : "true");
                ++problems;
            }
            if (e.c.must_not_allocate && used != 0) {
                std::fprintf(stderr, "svcid-bench: %s on %s allocated %ld times\n", e.c.name, p.name.c_str(), used);
                ++problems;
            }
        }
    }
#if !defined(SVCID_BENCH_NARROW_TU)
    for (const auto& p : profiles) {
        if (instantiate_real_program(p) != p.expected) {
            std::fprintf(stderr, "svcid-bench: match_any/match_all over svcid::reference on %s answered %s\n",
                         p.name.c_str(), p.expected ? "no match" : "match");
            ++problems;
        }
    }
#endif
    if (problems == 0)
        std::fprintf(stderr, "svcid-bench: %zu checkers agree on %zu profiles; svcid and the floors allocated nothing\n",
                     list.size(), profiles.size());
    return problems == 0 ? 0 : 1;
}

// ---- --callgrind ---------------------------------------------------------------------------
// Run under `valgrind --tool=callgrind --instr-atstart=no --collect-atstart=no`: each
// checker x profile section is collected alone and dumped as checker/profile/operations, so
// each dump's total divided by its operations is instructions per operation
// (bench/callgrind.sh does the division). Fewer operations on the long profiles keep the
// run to a few minutes; instruction counts do not need many.
long callgrind_ops(const profile& p) { return std::max(4L, std::min(10000L, 20000L / static_cast<long>(p.names + 1))); }

int run_callgrind(const std::vector<profile>& profiles, const std::vector<entry>& list) {
#if defined(SVCID_BENCH_HAVE_CALLGRIND)
    CALLGRIND_START_INSTRUMENTATION;
#endif
    for (const auto& p : profiles) {
        const long ops = callgrind_ops(p);
        for (const auto& e : list) {
            e.run(p, std::min(100L, ops));  // first-use effects (lazy OpenSSL tables) stay out of the count
            const std::string label = std::string(e.c.name) + "/" + p.name + "/" + std::to_string(ops);
#if defined(SVCID_BENCH_HAVE_CALLGRIND)
            CALLGRIND_ZERO_STATS;
            CALLGRIND_TOGGLE_COLLECT;
#endif
            const long matched = e.run(p, ops);
#if defined(SVCID_BENCH_HAVE_CALLGRIND)
            CALLGRIND_TOGGLE_COLLECT;
            CALLGRIND_DUMP_STATS_AT(label.c_str());
#endif
            require_answer(e.c, p, matched, ops);
            std::fprintf(stderr, "%s\n", label.c_str());
        }
    }
#if !defined(SVCID_BENCH_HAVE_CALLGRIND)
    std::fprintf(stderr, "built without valgrind/callgrind.h: attribute cost by function name, run_ops<check_*>\n");
#endif
    return 0;
}

// ---- output --------------------------------------------------------------------------------
struct row {
    std::string checker;
    std::string profile;
    measurement m;
};

std::string allocs_text(double a) {
    if (a < 0) return "n/a";
    char buf[32];
    std::snprintf(buf, sizeof buf, a == static_cast<double>(static_cast<long>(a)) ? "%.0f" : "%.2f", a);
    return buf;
}

const measurement* find(const std::vector<row>& rows, const std::string& checker, const std::string& profile) {
    for (const auto& r : rows)
        if (r.checker == checker && r.profile == profile) return &r.m;
    return nullptr;
}

/// a / b of one statistic, or nothing when either is missing.
bool ratio(const std::vector<row>& rows, const std::string& a, const std::string& b, const std::string& profile,
           bool use_min, double& out) {
    const measurement* x = find(rows, a, profile);
    const measurement* y = find(rows, b, profile);
    if (x == nullptr || y == nullptr || y->median <= 0 || y->min <= 0) return false;
    out = use_min ? x->min / y->min : x->median / y->median;
    return true;
}

std::string ratio_text(const std::vector<row>& rows, const std::string& a, const std::string& b,
                       const std::string& profile, bool use_min) {
    double r = 0;
    if (!ratio(rows, a, b, profile, use_min, r)) return "–";
    char buf[32];
    std::snprintf(buf, sizeof buf, r >= 10 ? "%.0f" : "%.2f", r);
    return buf;
}

std::vector<std::string> profile_order(const std::vector<row>& rows) {
    std::vector<std::string> out;
    for (const auto& r : rows)
        if (std::find(out.begin(), out.end(), r.profile) == out.end()) out.push_back(r.profile);
    return out;
}

std::vector<std::string> checker_order(const std::vector<row>& rows) {
    std::vector<std::string> out;
    for (const auto& r : rows)
        if (std::find(out.begin(), out.end(), r.checker) == out.end()) out.push_back(r.checker);
    return out;
}

std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, v >= 100 ? "%.0f" : "%.1f", v);
    return buf;
}

std::string ratio_number(double r) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", r);
    return buf;
}

/// Per SAN entry, from the two largest no-match profiles: the slope of cost over names.
bool per_entry(const std::vector<row>& rows, const std::string& checker, bool use_min, double& out) {
    const measurement* small = find(rows, checker, "dns1000-miss");
    const measurement* large = find(rows, checker, "dns5000-miss");
    if (small == nullptr || large == nullptr) return false;
    out = ((use_min ? large->min : large->median) - (use_min ? small->min : small->median)) / 4000.0;
    return true;
}

struct target_report {
    int held = 0;
    int missed = 0;
    void line(bool ok, const std::string& text) {
        std::printf("- %s %s\n", ok ? "holds:" : "**misses**:", text.c_str());
        ++(ok ? held : missed);
    }
};

/// The targets, as ratios within this run, by `stat` ("median", "min" or
/// "instructions").
void print_targets(const std::vector<row>& rows, const char* stat, bool use_min) {
    std::printf("\nTargets, by %s:\n", stat);
    target_report t;
    auto each_profile = [&](const std::string& a, const std::string& b, double bound, bool below, const char* what,
                            bool accepted_only = false) {
        std::string worst;
        std::string failing;
        double worst_value = below ? 0 : 1e30;
        bool any = false;
        for (const auto& prof : profile_order(rows)) {
            if (accepted_only && refused_profile(prof)) continue;
            double r = 0;
            if (!ratio(rows, a, b, prof, use_min, r)) continue;
            any = true;
            if (below ? r > worst_value : r < worst_value) {
                worst_value = r;
                worst = prof;
            }
            if (below ? r > bound : r < bound) failing += (failing.empty() ? "" : ", ") + prof + " " + ratio_number(r);
        }
        if (!any) return;
        char text[256];
        std::snprintf(text, sizeof text, "%s (worst %s %.2f)", what, worst.c_str(), worst_value);
        t.line(failing.empty(), std::string(text) + (failing.empty() ? "" : "; over: " + failing));
    };
    each_profile("svcid-openssl", "floor", 1.3, true, "svcid-openssl <= 1.3x floor on every profile");
    each_profile("svcid-reference", "floor", 1.3, true, "svcid-reference <= 1.3x floor on every profile");
    each_profile("svcid-prepared", "floor", 1.0, true, "svcid-prepared below the floor on every profile");
    // The target is per successful check; a refusal also sets the store's error.
    each_profile("svcid-verify-ctx", "svcid-reference", 1.2, true,
                 "verify callback, context policy, <= 1.2x the plain match on every accepted profile", true);
    each_profile("svcid-verify-ssl", "svcid-reference", 1.2, true,
                 "verify callback, per-SSL policy, <= 1.2x the plain match on every accepted profile", true);
    each_profile("svcid-der-locate", "floor-der-locate", 2.0, true,
                 "raw-DER parse <= 2x the least walk to the SAN on every profile");
    auto versus_openssl = [&](const std::string& prof, double bound) {
        double r = 0;
        if (!ratio(rows, "openssl", "svcid-openssl", prof, use_min, r)) return;
        char text[128];
        std::snprintf(text, sizeof text, "X509_check_host / svcid-openssl >= %.0fx on %s: %.1fx", bound, prof.c_str(), r);
        t.line(r >= bound, text);
    };
    versus_openssl("dns1-last", 6);
    versus_openssl("dns100-last", 50);
    versus_openssl("dns100-miss", 50);
    double svcid_entry = 0, floor_entry = 0;
    if (per_entry(rows, "svcid-openssl", use_min, svcid_entry) && per_entry(rows, "floor", use_min, floor_entry)) {
        char text[160];
        std::snprintf(text, sizeof text, "per SAN entry <= 1.3x the floor's: svcid-openssl %.2f, floor %.2f (%.2fx)",
                      svcid_entry, floor_entry, svcid_entry / floor_entry);
        t.line(svcid_entry <= 1.3 * floor_entry, text);
    }
    std::printf("%d held, %d missed.\n", t.held, t.missed);
}

/// A value table (one column per checker) and a ratio table, for times or instructions.
void print_tables(const std::vector<row>& rows, const char* unit, bool with_min) {
    const auto checkers = checker_order(rows);
    const auto profiles = profile_order(rows);
    std::printf("%s%s:\n\n| profile |", unit, with_min ? " (median / min)" : "");
    for (const auto& c : checkers) std::printf(" %s |", c.c_str());
    std::printf("\n|---|");
    for (std::size_t i = 0; i < checkers.size(); ++i) std::printf("---:|");
    std::printf("\n");
    for (const auto& prof : profiles) {
        std::printf("| %s |", prof.c_str());
        for (const auto& c : checkers) {
            const measurement* m = find(rows, c, prof);
            if (m == nullptr) std::printf(" – |");
            else if (with_min) std::printf(" %s / %s |", number(m->median).c_str(), number(m->min).c_str());
            else std::printf(" %s |", number(m->median).c_str());
        }
        std::printf("\n");
    }
    std::printf("\nRatios%s:\n\n", with_min ? " (of medians / of minima)" : "");
    std::printf("| profile | svcid-openssl ÷ floor | svcid-reference ÷ floor | svcid-prepared ÷ floor | "
                "svcid-der-locate ÷ floor-der-locate | X509_check_host ÷ svcid-openssl | GnuTLS ÷ svcid-openssl |\n");
    std::printf("|---|---:|---:|---:|---:|---:|---:|\n");
    auto both = [&](const std::string& a, const std::string& b, const std::string& prof) {
        if (!with_min) return ratio_text(rows, a, b, prof, false);
        return ratio_text(rows, a, b, prof, false) + " / " + ratio_text(rows, a, b, prof, true);
    };
    for (const auto& prof : profiles) {
        std::printf("| %s | %s | %s | %s | %s | %s | %s |\n", prof.c_str(), both("svcid-openssl", "floor", prof).c_str(),
                    both("svcid-reference", "floor", prof).c_str(), both("svcid-prepared", "floor", prof).c_str(),
                    both("svcid-der-locate", "floor-der-locate", prof).c_str(),
                    both("openssl", "svcid-openssl", prof).c_str(), both("gnutls", "svcid-openssl", prof).c_str());
    }
}

void print_allocations(const std::vector<row>& rows) {
    const auto checkers = checker_order(rows);
    std::printf("\nAllocations per operation:\n\n| profile |");
    for (const auto& c : checkers) std::printf(" %s |", c.c_str());
    std::printf("\n|---|");
    for (std::size_t i = 0; i < checkers.size(); ++i) std::printf("---:|");
    std::printf("\n");
    for (const auto& prof : profile_order(rows)) {
        std::printf("| %s |", prof.c_str());
        for (const auto& c : checkers) {
            const measurement* m = find(rows, c, prof);
            std::printf(" %s |", m == nullptr ? "–" : allocs_text(m->allocs_per_op).c_str());
        }
        std::printf("\n");
    }
}

/// Lines of "checker profile instructions_per_op", as bench/callgrind.sh writes them.
std::vector<row> read_instructions(const std::string& path) {
    std::ifstream in(path);
    if (!in) fail("cannot read " + path);
    std::vector<row> rows;
    row r;
    while (in >> r.checker >> r.profile >> r.m.median) {
        r.m.min = r.m.median;
        rows.push_back(r);
    }
    if (rows.empty()) fail(path + " holds no instruction counts");
    return rows;
}

bool parse_options(int argc, char** argv, options& o) {
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--csv") o.csv = true;
        else if (a == "--check") o.check = true;
        else if (a == "--callgrind") o.callgrind = true;
        else if (a == "--instructions" && i + 1 < argc) o.instructions = argv[++i];
        else if (a == "--filter" && i + 1 < argc) o.filter = argv[++i];
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
        std::fprintf(stderr, "usage: svcid-bench [--csv] [--check] [--callgrind] [--instructions FILE] [--filter S] "
                             "[--batches N] [--batch-ms M]\n");
        return 2;
    }
    if (!o.instructions.empty()) {
        const std::vector<row> rows = read_instructions(o.instructions);
        print_tables(rows, "Instructions per operation (callgrind)", false);
        print_targets(rows, "instructions", false);
        return 0;
    }
    const bool gnutls_counted = install_gnutls_counting();
    const std::vector<profile> profiles = make_profiles(o.filter);
    const std::vector<entry> list = checkers(gnutls_counted);

    // Agreement first, whatever the mode.
    if (run_check(profiles, list) != 0) return 1;
    if (o.check) return 0;
    if (o.callgrind) return run_callgrind(profiles, list);

    std::vector<row> rows;
    for (const auto& p : profiles) {
        const std::vector<measurement> m = measure_profile(list, p, o);
        for (std::size_t c = 0; c < list.size(); ++c) rows.push_back({list[c].c.name, p.name, m[c]});
        std::fprintf(stderr, "svcid-bench: %s done\n", p.name.c_str());
    }

    if (o.csv) {
        std::printf("checker,profile,ns_median,ns_min,allocs_per_op\n");
        for (const auto& r : rows)
            std::printf("%s,%s,%.2f,%.2f,%s\n", r.checker.c_str(), r.profile.c_str(), r.m.median, r.m.min,
                        allocs_text(r.m.allocs_per_op).c_str());
        return 0;
    }
    std::printf("ns per operation, %d round-robin batches of about %.1f ms per checker and profile.\n\n", o.batches,
                o.batch_ms);
    print_tables(rows, "Time, ns per operation", true);
    print_allocations(rows);
    print_targets(rows, "median time", false);
    print_targets(rows, "minimum time", true);
    if (!gnutls_counted) std::printf("\nGnuTLS allocations: n/a (gnutls_global_set_mem_functions has no effect in this GnuTLS).\n");
    return 0;
}
