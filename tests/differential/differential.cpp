// svcid against OpenSSL's hostname and IP checks, on generated certificates.
//
// A fixed-seed generator draws (subjectAltName list, subject CNs, reference) triples from
// small alphabets so that names collide often: labels from a handful of strings, '*' in
// every position and as partial wildcards, case changes, trailing dots, NULs, A-labels and
// U-labels, IP addresses as dNSName and as iPAddress, URI SANs, certificates with no SAN
// (CN fallback). Each certificate is built and signed with OpenSSL, then checked by
//   svcid::match<rfc6125>  vs X509_check_host / X509_check_ip_asc with flags 0, and
//   svcid::match<rfc9525>  vs the same with NO_PARTIAL_WILDCARDS | NEVER_CHECK_SUBJECT
// (rfc9525 never reads the CN, RFC 9525 §6.3, so OpenSSL is told not to either).
// Every disagreement must be explained by one of the named classes below, each a
// predicate over the case that, where it can, re-asks OpenSSL to prove the stated cause;
// anything unexplained fails the test. docs/differential.md lists the classes and counts.
#include <svcid/openssl.hpp>

#include <svcid/der_certificate.hpp>
#include <svcid/reference.hpp>

#include "catch.hpp"
#include "cert_builder.hpp"

#include <openssl/x509v3.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace der = svcid_test::der;

namespace {

constexpr std::uint32_t seed = 6125;
constexpr int pairs = 4000;

// ---- generation ------------------------------------------------------------------------

struct rng {
    std::mt19937 engine{seed};
    // mt19937's output is specified exactly; distributions are not, so no std::*_distribution.
    std::size_t below(std::size_t n) { return static_cast<std::size_t>(engine() % n); }
    bool chance(unsigned percent) { return below(100) < percent; }
    template <class T, std::size_t N>
    const T& pick(const T (&options)[N]) { return options[below(N)]; }
};

enum class san_kind { dns, ip, uri };
struct san_item {
    san_kind kind;
    std::string value;  // text for dns/uri, octets for ip
};

struct test_case {
    std::string reference;  // the text given to both libraries
    bool ip_reference = false;
    std::vector<san_item> san;
    std::vector<std::string> cns;
};

const char* const labels[] = {"a", "b", "ab", "A", "example", "xn--bcher-kva", "c"};
const char* const last_labels[] = {"com", "net", "a", "example"};

std::string base_name(rng& r) {
    std::string name = r.pick(labels);
    const std::size_t more = 1 + r.below(3);
    for (std::size_t i = 1; i < more; ++i) name += std::string(".") + r.pick(labels);
    return name + "." + r.pick(last_labels);
}

std::string flip_case(rng& r, std::string s) {
    for (char& c : s)
        if (r.chance(30) && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return s;
}

std::string first_label(const std::string& s) { return s.substr(0, s.find('.')); }
std::string after_first(const std::string& s) {
    const auto dot = s.find('.');
    return dot == std::string::npos ? std::string() : s.substr(dot + 1);
}

// A presented name derived from `name`, so that it matches or nearly matches.
std::string presented_from(rng& r, const std::string& name) {
    std::string out = name;
    const std::string head = first_label(name);
    const std::string tail = after_first(name);
    switch (r.below(22)) {
    case 0: case 1: out = "*." + tail; break;
    case 2: out = head.substr(0, 1) + "*." + tail; break;
    case 3: out = "*" + head.substr(head.size() - 1) + "." + tail; break;
    case 4: out = head.substr(0, 1) + "*" + head.substr(head.size() - 1) + "." + tail; break;
    case 5: out = head + "*." + tail; break;   // partial wildcard that must match nothing
    case 6: out = "*" + head + "." + tail; break;
    case 7: out = head + ".*." + after_first(tail); break;  // '*' not left-most
    case 8: out = "**." + tail; break;
    case 9: out = "xn--*." + tail; break;
    case 10: out = name + "."; break;
    case 11: out = name; out.insert(r.below(out.size() + 1), 1, '\0'); break;
    case 12: out = "*." + name; break;
    case 13: out = "b\xc3\xbc" "cher." + tail; break;  // raw UTF-8, no DNS name
    case 14: out = "*._s." + tail; break;
    default: break;
    }
    return flip_case(r, out);
}

std::string reference_from(rng& r, const std::string& name) {
    std::string out = name;
    switch (r.below(20)) {
    case 0: out = name + "."; break;
    case 1: out = "*." + after_first(name); break;
    case 2: out = "." + after_first(name); break;
    case 3: out = name + ".."; break;
    case 4: out = name; out.insert(r.below(out.size() + 1), 1, '\0'); break;
    case 5: out = "b\xc3\xbc" "cher." + after_first(name); break;  // U-label reference
    case 6: out = "192.0.2.1"; break;
    case 7: out = name + ".1"; break;
    case 8: out = "xn--a." + after_first(name); break;
    case 9: out = "-" + name; break;
    case 10: out = "_s." + after_first(name); break;
    default: break;
    }
    return flip_case(r, out);
}

const char* const ip_texts[] = {"192.0.2.1", "192.0.2.2", "2001:db8::1", "2001:DB8:0:0:0:0:0:1", "::ffff:192.0.2.1",
                                "192.0.2.01", "[2001:db8::1]", "0:0:0:0:0:0:0:1", "::1", "192.000.002.001"};
const std::string ip_octets[] = {std::string("\xC0\x00\x02\x01", 4), std::string("\xC0\x00\x02\x02", 4),
                                 std::string("\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16),
                                 std::string("\0\0\0\0\0\0\0\0\0\0\xff\xff\xC0\x00\x02\x01", 16),
                                 std::string("\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 16)};

test_case generate(rng& r) {
    test_case t;
    const std::string name = base_name(r);
    t.ip_reference = r.chance(12);
    t.reference = t.ip_reference ? std::string(r.pick(ip_texts)) : reference_from(r, name);
    const bool no_san = r.chance(25);
    if (!no_san) {
        const std::size_t n = r.below(4);
        for (std::size_t i = 0; i < n; ++i) {
            const auto what = r.below(10);
            if (what < 6) t.san.push_back({san_kind::dns, r.chance(70) ? presented_from(r, name) : presented_from(r, base_name(r))});
            else if (what < 8) t.san.push_back({san_kind::ip, r.pick(ip_octets)});
            else if (what < 9) t.san.push_back({san_kind::dns, r.pick(ip_texts)});
            else t.san.push_back({san_kind::uri, "https://" + name + "/"});
        }
        // The reference's own text as a dNSName, so that references svcid refuses meet
        // a presented name OpenSSL would accept for them.
        if (!t.ip_reference && r.chance(15)) t.san.push_back({san_kind::dns, flip_case(r, t.reference)});
    }
    const std::size_t cns = r.below(3);
    for (std::size_t i = 0; i < cns; ++i) t.cns.push_back(r.chance(70) ? presented_from(r, name) : base_name(r));
    return t;
}

svcid_test::built_certificate build(const test_case& t) {
    svcid_test::cert_spec spec;
    for (const auto& cn : t.cns) spec.subject_cn(cn);
    for (const auto& s : t.san)
        spec.add_san(s.kind == san_kind::dns ? der::dns(s.value) : s.kind == san_kind::ip ? der::ip(s.value) : der::uri(s.value));
    // An empty SAN list is still a SAN extension; "no SAN" means no extension at all.
    return svcid_test::make_certificate(spec);
}

svcid_test::built_certificate build_one_dns(const std::string& dns_name) {
    svcid_test::cert_spec spec;
    spec.add_san(der::dns(dns_name));
    return svcid_test::make_certificate(spec);
}

// ---- the two checkers ------------------------------------------------------------------

struct openssl_answer {
    bool matched = false;
    std::string peer;  // the presented name OpenSSL matched (X509_check_host's peername)
};

openssl_answer openssl_host(X509* x, const std::string& reference, unsigned flags) {
    char* peer = nullptr;
    openssl_answer a;
    a.matched = X509_check_host(x, reference.data(), reference.size(), flags, &peer) == 1;
    if (peer != nullptr) a.peer = peer;
    OPENSSL_free(peer);
    return a;
}

openssl_answer openssl_ip(X509* x, const std::string& reference) {
    openssl_answer a;
    a.matched = X509_check_ip_asc(x, reference.c_str(), 0) == 1;
    return a;
}

struct svcid_answer {
    bool parsed = false;
    svcid::errc refused = svcid::errc::ok;
    bool matched = false;
    std::string presented;  // the presented value svcid matched
    std::string normalised; // the reference's DNS name after parsing
    svcid::match_status status = svcid::match_status::no_reference;
};

template <class Policy>
svcid_answer svcid_check(X509* x, const std::string& der_bytes, const test_case& t) {
    svcid_answer a;
    svcid::reference ref;
    if (t.ip_reference) {
        auto ip = svcid::parse_ip_reference(t.reference);
        if (!ip) a.refused = ip.error().code;
        else ref = *ip;
    } else {
        auto dns = svcid::parse_dns_reference(t.reference);
        if (!dns) a.refused = dns.error().code;
        else {
            ref = *dns;
            a.normalised = std::string(dns->name());
        }
    }
    a.parsed = a.refused == svcid::errc::ok;
    if (!a.parsed) return a;
    const svcid::openssl_certificate adapter{x};
    const auto r = svcid::match<Policy>(adapter, ref);
    // Both adapters must give the same answer for the same certificate: a difference
    // between them is a bug in svcid, never a class of disagreement with OpenSSL.
    const auto parsed_der = svcid::parse_der_certificate(der_bytes);
    REQUIRE(parsed_der);
    const auto d = svcid::match<Policy>(*parsed_der, ref);
    REQUIRE(d.status == r.status);
    REQUIRE(std::string(d.presented.value) == std::string(r.presented.value));
    a.matched = r.matched();
    a.status = r.status;
    a.presented = std::string(r.presented.value);
    return a;
}

// ---- classification --------------------------------------------------------------------

struct observed {
    const test_case& t;
    X509* x;
    const svcid_answer& s;
    const openssl_answer& o;
    unsigned flags;
};

bool has_non_ascii(const std::string& s) {
    for (char c : s)
        if (static_cast<unsigned char>(c) >= 0x80) return true;
    return false;
}
std::string without_one_trailing_dot(std::string s) {
    if (s.size() > 1 && s.back() == '.') s.pop_back();
    return s;
}
std::string last_label(const std::string& s) {
    const auto dot = s.rfind('.');
    return dot == std::string::npos ? s : s.substr(dot + 1);
}
bool cn_is_peer(const test_case& t, const std::string& peer) {
    for (const auto& cn : t.cns)
        if (cn == peer) return true;
    return false;
}
bool san_has(const test_case& t, san_kind k) {
    for (const auto& s : t.san)
        if (s.kind == k) return true;
    return false;
}
bool any_label_is_bad_a_label(const std::string& name) {
    std::size_t at = 0;
    while (at <= name.size()) {
        const auto dot = name.find('.', at);
        const std::string label = name.substr(at, dot == std::string::npos ? std::string::npos : dot - at);
        if (label.size() >= 4 && (label[0] | 0x20) == 'x' && (label[1] | 0x20) == 'n' && label[2] == '-' && label[3] == '-' &&
            svcid::validate_a_label(label) != svcid::errc::ok)
            return true;
        if (dot == std::string::npos) break;
        at = dot + 1;
    }
    return false;
}

struct disagreement_class {
    const char* name;
    const char* why;  // the RFC or design reason; quoted in docs/differential.md
    std::function<bool(const observed&)> explains;
};

// OpenSSL matched, svcid refused the reference text itself.
std::vector<disagreement_class> openssl_only_classes() {
    using svcid::errc;
    auto refused = [](errc e) { return [e](const observed& c) { return !c.s.parsed && c.s.refused == e; }; };
    return {
        {"reference contains '*': svcid refuses references with wildcards",
         "a reference names one service and is never a pattern (RFC 9525 §6.2); OpenSSL lets '*' in the reference match a literal '*'",
         [=](const observed& c) { return refused(errc::wildcard_in_reference)(c) && c.t.reference.find('*') != std::string::npos; }},
        {"reference ends in a NUL: OpenSSL drops it as a C string's terminator",
         "a NUL is no DNS character (RFC 1034 §3.5); X509_check_host refuses a NUL anywhere but in the last byte",
         [=](const observed& c) { return refused(errc::nul_in_name)(c) && c.t.reference.back() == '\0'; }},
        {"reference starts with '.': OpenSSL's implicit sub-domain pattern",
         "an empty label is no DNS name (RFC 1034 §3.1); OpenSSL treats '.example.com' as 'any name below example.com'",
         [=](const observed& c) { return refused(errc::empty_label)(c) && c.t.reference.front() == '.'; }},
        {"reference ends in two dots: OpenSSL strips one and compares 'name.' with a presented 'name.'",
         "an empty label is no DNS name (RFC 1034 §3.1)",
         [=](const observed& c) {
             return refused(errc::empty_label)(c) && c.t.reference.size() > 2 &&
                    c.t.reference.compare(c.t.reference.size() - 2, 2, "..") == 0;
         }},
        {"reference is an IP address: svcid compares it with iPAddress SANs only, OpenSSL with dNSNames",
         "an IP address is never a DNS-ID (RFC 9525 §6.1, §6.4; curl CVE-2014-0139)",
         [=](const observed& c) {
             return refused(errc::ip_literal_as_dns_name)(c) && svcid::parse_ip_reference(c.t.reference).has_value();
         }},
        {"reference's last label is all digits",
         "an all-numeric top-level label is no host name (RFC 9525 §6.1, RFC 3696 §2)",
         [=](const observed& c) {
             const std::string name = without_one_trailing_dot(c.t.reference);
             const std::string last = last_label(name);
             return refused(errc::numeric_last_label)(c) && !last.empty() &&
                    last.find_first_not_of("0123456789") == std::string::npos;
         }},
        {"reference has an invalid A-label",
         "an xn-- label must be valid punycode of a valid U-label (RFC 5890 §2.3.2.1, RFC 5891 §5.4)",
         [=](const observed& c) { return refused(errc::idna_bad_a_label)(c) && any_label_is_bad_a_label(c.t.reference); }},
        {"reference label starts or ends with '-'",
         "LDH labels neither start nor end with a hyphen (RFC 5890 §2.3.1, RFC 1123 §2.1)",
         [=](const observed& c) {
             return refused(errc::hyphen_at_label_edge)(c) &&
                    (c.t.reference.front() == '-' || c.t.reference.find("-.") != std::string::npos ||
                     c.t.reference.find(".-") != std::string::npos);
         }},
        {"svcid's IP text is strict; OpenSSL's parser accepts leading zeros",
         "DESIGN.md: no leading zeros, short or hex forms ('010' is octal to inet_aton, decimal to sscanf); RFC 9525 §6.4 compares octets of an unambiguous address",
         [](const observed& c) {
             if (!c.t.ip_reference || c.s.parsed) return false;
             ASN1_OCTET_STRING* parsed = a2i_IPADDRESS(c.t.reference.c_str());
             ASN1_OCTET_STRING_free(parsed);
             return parsed != nullptr && c.t.reference.find("0") != std::string::npos;
         }},
        {"OpenSSL consults the CN although an iPAddress or URI SAN is present",
         "svcid (like mozilla-pkix and GnuTLS) falls back to the CN only when no DNS-, SRV-, URI-ID and no iPAddress is presented (RFC 6125 §6.4.4)",
         [](const observed& c) {
             return c.s.parsed && c.s.status == svcid::match_status::cn_not_permitted && !san_has(c.t, san_kind::dns) &&
                    (san_has(c.t, san_kind::ip) || san_has(c.t, san_kind::uri)) && cn_is_peer(c.t, c.o.peer);
         }},
        {"OpenSSL matches a CN other than the last",
         "RFC 6125 §6.4.4: the most specific (last) CN is the one to use; svcid never reads the others",
         [](const observed& c) {
             return c.s.parsed && c.t.cns.size() > 1 && c.t.san.empty() && cn_is_peer(c.t, c.o.peer) &&
                    c.o.peer != c.t.cns.back();
         }},
        {"OpenSSL lets a partial wildcard match zero characters",
         "a wildcard stands for at least one character, as '*' alone does in OpenSSL too (RFC 6125 §6.4.3: 'f*' is not 'f'); the zero-length case is the '*evil.com' vs 'evil.com' hazard",
         [](const observed& c) {
             if (!c.s.parsed) return false;
             const std::string pattern = first_label(c.o.peer);
             return pattern.size() > 1 && pattern.find('*') != std::string::npos &&
                    first_label(c.s.normalised).size() + 1 == pattern.size();
         }},
        {"OpenSSL compares a U-label reference byte for byte with a raw UTF-8 dNSName",
         "a dNSName is IA5String and holds A-labels (RFC 5280 §4.2.1.6, §7.2); svcid compares the reference's A-label (RFC 6125 §6.4.2)",
         [](const observed& c) { return c.s.parsed && has_non_ascii(c.t.reference) && has_non_ascii(c.o.peer); }},
    };
}

// svcid matched, OpenSSL did not.
std::vector<disagreement_class> svcid_only_classes() {
    return {
        {"svcid normalises a trailing dot in the presented name",
         "DESIGN.md: normalised on both sides, as Chromium and curl do; 'example.com.' and 'example.com' are the same absolute name (RFC 1034 §3.1)",
         [](const observed& c) {
             if (c.s.presented.size() < 2 || c.s.presented.back() != '.') return false;
             const auto one = build_one_dns(without_one_trailing_dot(c.s.presented));
             return openssl_host(one.cert.get(), c.t.reference, c.flags & ~static_cast<unsigned>(X509_CHECK_FLAG_NEVER_CHECK_SUBJECT)).matched;
         }},
        {"svcid normalises a trailing dot in the reference",
         "DESIGN.md: normalised on both sides; X509_check_host strips a trailing NUL, not a trailing dot",
         [](const observed& c) {
             const std::string& r = c.t.reference;
             return r.size() > 1 && r.back() == '.' && openssl_host(c.x, r.substr(0, r.size() - 1), c.flags).matched;
         }},
        {"'*' stands for a left-most label holding '_'",
         "DESIGN.md: '_' is accepted in DNS names when matching (Go and rustls-webpki agree); OpenSSL's wildcard matches LDH bytes only",
         [](const observed& c) {
             return first_label(c.s.presented) == "*" && first_label(c.s.normalised).find('_') != std::string::npos;
         }},
        {"svcid converts a U-label reference to its A-label",
         "RFC 6125 §6.4.2 / RFC 9525 §6.3: U-labels are converted to A-labels before comparison; OpenSSL compares bytes",
         [](const observed& c) {
             return has_non_ascii(c.t.reference) && !c.s.normalised.empty() &&
                    openssl_host(c.x, c.s.normalised, c.flags).matched;
         }},
        {"svcid accepts a wildcard inside a label (b*z); OpenSSL only at either end",
         "RFC 6125 §6.4.3 lets clients match 'b*z.example.net' (rfc6125 policy only)",
         [](const observed& c) {
             const std::string pattern = first_label(c.s.presented);
             const auto star = pattern.find('*');
             return c.flags == 0 && star != std::string::npos && star != 0 && star != pattern.size() - 1;
         }},
        {"svcid accepts a bracketed IPv6 reference; OpenSSL's parser does not",
         "'[2001:db8::1]' is the URI form of an IPv6 address (RFC 3986 §3.2.2); svcid reads it as the address",
         [](const observed& c) {
             const std::string& r = c.t.reference;
             return c.t.ip_reference && r.size() > 2 && r.front() == '[' && r.back() == ']' &&
                    openssl_ip(c.x, r.substr(1, r.size() - 2)).matched;
         }},
    };
}

struct tally {
    std::map<std::string, int> counts;
    std::vector<std::string> unexplained;
    int agreements = 0;
    int both_matched = 0;
};

std::string printable(const std::string& s) {
    std::string out;
    for (char c : s) {
        const auto b = static_cast<unsigned char>(c);
        if (b >= 0x20 && b < 0x7f) out += c;
        else {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02x", b);
            out += hex;
        }
    }
    return out;
}

std::string describe(const observed& c) {
    std::string d = "reference \"" + printable(c.t.reference) + "\" flags " + std::to_string(c.flags) + "; SAN:";
    for (const auto& s : c.t.san)
        d += (s.kind == san_kind::dns ? " dns:" : s.kind == san_kind::ip ? " ip:" : " uri:") + printable(s.value);
    d += c.t.san.empty() ? " (none)" : "";
    d += "; CN:";
    for (const auto& cn : c.t.cns) d += " " + printable(cn);
    d += "; svcid " + std::string(c.s.matched ? "matched \"" + printable(c.s.presented) + "\"" :
                                  c.s.parsed ? svcid::status_message(c.s.status) : "refused the reference");
    d += "; OpenSSL " + std::string(c.o.matched ? "matched \"" + printable(c.o.peer) + "\"" : "did not match");
    return d;
}

void classify(const observed& c, const std::vector<disagreement_class>& classes, const char* side, tally& out) {
    for (const auto& k : classes) {
        if (k.explains(c)) {
            ++out.counts[std::string(side) + k.name];
            return;
        }
    }
    if (out.unexplained.size() < 20) out.unexplained.push_back(describe(c));
    else out.unexplained.back() = "... and more";
}

} // namespace

TEST_CASE("svcid agrees with OpenSSL's X509_check_host and X509_check_ip_asc except for named, justified classes "
          "(RFC 6125 §6.4, RFC 9525 §6)") {
    rng r;
    const auto openssl_only = openssl_only_classes();
    const auto svcid_only = svcid_only_classes();
    tally lenient, strict;
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < pairs; ++i) {
        const test_case t = generate(r);
        const auto built = build(t);
        X509* x = built.cert.get();
        struct mode {
            unsigned flags;
            tally& out;
            bool rfc6125;
        };
        for (const mode m : {mode{0u, lenient, true},
                             mode{X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS | X509_CHECK_FLAG_NEVER_CHECK_SUBJECT, strict, false}}) {
            const svcid_answer s = m.rfc6125 ? svcid_check<svcid::rfc6125>(x, built.der, t)
                                             : svcid_check<svcid::rfc9525>(x, built.der, t);
            const openssl_answer o = t.ip_reference ? openssl_ip(x, t.reference) : openssl_host(x, t.reference, m.flags);
            if (s.matched == o.matched) {
                ++m.out.agreements;
                m.out.both_matched += s.matched ? 1 : 0;
                continue;
            }
            const observed c{t, x, s, o, m.flags};
            if (o.matched) classify(c, openssl_only, "OpenSSL only: ", m.out);
            else classify(c, svcid_only, "svcid only: ", m.out);
        }
    }
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();

    for (const auto* t : {&lenient, &strict}) {
        std::printf("%s: %d pairs, %d agree (%d both matched)\n",
                    t == &lenient ? "rfc6125 vs X509_check_host flags 0" : "rfc9525 vs NO_PARTIAL_WILDCARDS|NEVER_CHECK_SUBJECT",
                    pairs, t->agreements, t->both_matched);
        for (const auto& [name, count] : t->counts) std::printf("  %5d  %s\n", count, name.c_str());
    }
    std::printf("%d certificates built and checked in %lld ms\n", pairs, static_cast<long long>(ms));

    for (const auto& u : lenient.unexplained) UNSCOPED_INFO("rfc6125: " << u);
    for (const auto& u : strict.unexplained) UNSCOPED_INFO("rfc9525: " << u);
    CHECK(lenient.unexplained.empty());
    CHECK(strict.unexplained.empty());
    // The generator must keep producing both outcomes, or the comparison says nothing.
    CHECK(lenient.both_matched > pairs / 20);
    CHECK(strict.both_matched > pairs / 20);
}
