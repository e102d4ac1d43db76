// Decoding certificates, CSRs and keys into document_info: OpenSSL reads the structures,
// svcid's adapters deliver the presented identifiers and svcid's parsers judge them.
#include "inspect.hpp"

#include <svcid/dns_id.hpp>
#include <svcid/dns_reference.hpp>
#include <svcid/email.hpp>
#include <svcid/syntax/idna.hpp>
#include <svcid/ip_reference.hpp>
#include <svcid/openssl.hpp>
#include <svcid/policy.hpp>
#include <svcid/public_suffix.hpp>
#include <svcid/syntax/spiffe.hpp>
#include <svcid/srv_reference.hpp>
#include <svcid/syntax/uri.hpp>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/opensslv.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>
#include <ctime>

#if OPENSSL_VERSION_NUMBER < 0x30000000L
#include <openssl/ec.h>
#include <openssl/rsa.h>
#else
#include <openssl/core_names.h>
#endif

namespace svcid_inspect {

std::string to_hex(std::string_view bytes, char separator) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (separator != '\0' && i != 0) out += separator;
        const auto b = static_cast<unsigned char>(bytes[i]);
        out += digits[b >> 4];
        out += digits[b & 0xF];
    }
    return out;
}

std::string printable(std::string_view bytes, bool utf8_ok, bool* escaped) {
    if (utf8_ok) {
        std::vector<char32_t> code_points(bytes.size());
        utf8_ok = svcid::decode_utf8(bytes, code_points.data(), code_points.size()).has_value();
    }
    std::string out;
    bool any = false;
    for (const char c : bytes) {
        const auto b = static_cast<unsigned char>(c);
        if (c == '\\' || c == '"') {
            out += '\\';
            out += c;
            any = true;
        } else if ((b >= 0x20 && b < 0x7F) || (b >= 0x80 && utf8_ok)) {
            out += c;
        } else {
            out += "\\x" + to_hex(std::string_view(&c, 1));
            any = true;
        }
    }
    if (escaped != nullptr) *escaped = any;
    return out;
}

namespace {

struct bio_free { void operator()(BIO* p) const noexcept { BIO_free(p); } };
struct bn_free { void operator()(BIGNUM* p) const noexcept { BN_free(p); } };
struct openssl_string_free { void operator()(char* p) const noexcept { OPENSSL_free(p); } };
struct asn1_object_free { void operator()(ASN1_OBJECT* p) const noexcept { ASN1_OBJECT_free(p); } };
struct x509_name_free { void operator()(X509_NAME* p) const noexcept { X509_NAME_free(p); } };
struct extension_stack_free {
    void operator()(STACK_OF(X509_EXTENSION)* p) const noexcept { sk_X509_EXTENSION_pop_free(p, X509_EXTENSION_free); }
};
struct eku_free { void operator()(EXTENDED_KEY_USAGE* p) const noexcept { EXTENDED_KEY_USAGE_free(p); } };
struct bit_string_free { void operator()(ASN1_BIT_STRING* p) const noexcept { ASN1_BIT_STRING_free(p); } };
struct basic_constraints_free { void operator()(BASIC_CONSTRAINTS* p) const noexcept { BASIC_CONSTRAINTS_free(p); } };

// ---- OpenSSL compatibility: the one place that knows about versions ---------------------
std::string ec_curve_name(EVP_PKEY* key) {
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    char name[80] = {};
    std::size_t length = 0;
    if (EVP_PKEY_get_group_name(key, name, sizeof name, &length) != 1) return {};
    return std::string(name, length);
#else
    const EC_KEY* ec = EVP_PKEY_get0_EC_KEY(key);
    const EC_GROUP* group = ec != nullptr ? EC_KEY_get0_group(ec) : nullptr;
    const int nid = group != nullptr ? EC_GROUP_get_curve_name(group) : NID_undef;
    return nid != NID_undef ? OBJ_nid2sn(nid) : "";
#endif
}
/// The RSA modulus and public exponent, or false for any other key.
bool rsa_numbers(EVP_PKEY* key, std::unique_ptr<BIGNUM, bn_free>& n, std::unique_ptr<BIGNUM, bn_free>& e) {
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    BIGNUM* modulus = nullptr;
    BIGNUM* exponent = nullptr;
    const bool ok = EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &modulus) == 1 &&
                    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &exponent) == 1;
    n.reset(modulus);
    e.reset(exponent);
    return ok;
#else
    const RSA* rsa = EVP_PKEY_get0_RSA(key);
    if (rsa == nullptr) return false;
    const BIGNUM* modulus = nullptr;
    const BIGNUM* exponent = nullptr;
    RSA_get0_key(rsa, &modulus, &exponent, nullptr);
    n.reset(BN_dup(modulus));
    e.reset(BN_dup(exponent));
    return n && e;
#endif
}
// -------------------------------------------------------------------------------------------

std::string name_text(const X509_NAME* name, unsigned long flags) {
    if (name == nullptr) return {};
    std::unique_ptr<BIO, bio_free> bio(BIO_new(BIO_s_mem()));
    if (!bio || X509_NAME_print_ex(bio.get(), name, 0, flags) < 0) return "(unprintable name)";
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    // OpenSSL has already escaped the RFC 2253 specials and control characters; escaping its
    // backslashes again would print "O=DigiCert\\, Inc." for "O=DigiCert\, Inc.". Only what
    // could still reach a terminal raw (a control byte, invalid UTF-8) is escaped here.
    const std::string_view text(data, static_cast<std::size_t>(length));
    std::vector<char32_t> code_points(text.size());
    const bool utf8_ok = svcid::decode_utf8(text, code_points.data(), code_points.size()).has_value();
    std::string out;
    for (const char c : text) {
        const auto b = static_cast<unsigned char>(c);
        if ((b >= 0x20 && b < 0x7F) || (b >= 0x80 && utf8_ok))
            out += c;
        else
            out += "\\x" + to_hex(std::string_view(&c, 1));
    }
    return out;
}

// Without ESC_MSB, OpenSSL prints non-ASCII as UTF-8 ("Müller"), as `openssl x509 -nameopt
// utf8` does, instead of "M\\C3\\BCller".
std::string rfc2253(const X509_NAME* name) {
    return name_text(name, XN_FLAG_RFC2253 & ~static_cast<unsigned long>(ASN1_STRFLGS_ESC_MSB));
}
std::string oneline(const X509_NAME* name) {
    return name_text(name, XN_FLAG_ONELINE & ~static_cast<unsigned long>(ASN1_STRFLGS_ESC_MSB));
}

std::string time_text(const ASN1_TIME* t) {
    std::tm tm{};
    if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return "(unreadable time)";
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

/// Whole days from now to `t` (negative: in the past).
long long days_from_now(const ASN1_TIME* t) {
    int days = 0;
    int seconds = 0;
    if (ASN1_TIME_diff(&days, &seconds, nullptr, t) != 1) return 0;
    return days;
}

std::string oid_text(const ASN1_OBJECT* object, bool numeric) {
    char text[128] = {};
    const int length = OBJ_obj2txt(text, sizeof text, object, numeric ? 1 : 0);
    if (length <= 0) return "(unreadable OID)";
    return std::string(text, static_cast<std::size_t>(length) < sizeof text ? static_cast<std::size_t>(length) : sizeof text - 1);
}

/// An OID from its content octets (as svcid's walkers deliver them), dotted.
std::string oid_from_content(std::string_view content) {
    if (content.empty() || content.size() > 127) return "(bad OID)";
    std::string der;
    der += '\x06';
    der += static_cast<char>(content.size());
    der += content;
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    std::unique_ptr<ASN1_OBJECT, asn1_object_free> object(d2i_ASN1_OBJECT(nullptr, &p, static_cast<long>(der.size())));
    if (!object) {
        ERR_clear_error();
        return "(bad OID)";
    }
    return oid_text(object.get(), true);
}

std::string digest_hex(std::string_view data, char separator) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(data.data(), data.size(), md, &length, EVP_sha256(), nullptr) != 1) return {};
    return to_hex(std::string_view(reinterpret_cast<const char*>(md), length), separator);
}

std::string algorithm_text(const X509_ALGOR* algorithm) {
    if (algorithm == nullptr) return {};
    const ASN1_OBJECT* object = nullptr;
    X509_ALGOR_get0(&object, nullptr, nullptr, algorithm);
    return object != nullptr ? oid_text(object, false) : std::string();
}

// ---- extensions, read the same way from a certificate and from a CSR's request ----------

void read_key_usage(const STACK_OF(X509_EXTENSION)* extensions, extension_values& out) {
    int critical = -1;
    std::unique_ptr<ASN1_BIT_STRING, bit_string_free> bits(
        static_cast<ASN1_BIT_STRING*>(X509V3_get_d2i(extensions, NID_key_usage, &critical, nullptr)));
    if (critical == -1) return;
    out.present = true;
    out.critical = critical == 1;
    if (!bits) {
        out.malformed = true;
        ERR_clear_error();
        return;
    }
    // RFC 5280 §4.2.1.3, in bit order.
    static const char* const names[] = {"digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment",
                                        "keyAgreement",     "keyCertSign",    "cRLSign",         "encipherOnly",
                                        "decipherOnly"};
    for (int bit = 0; bit < 9; ++bit)
        if (ASN1_BIT_STRING_get_bit(bits.get(), bit)) out.values.push_back(names[bit]);
}

void read_extended_key_usage(const STACK_OF(X509_EXTENSION)* extensions, extension_values& out) {
    int critical = -1;
    std::unique_ptr<EXTENDED_KEY_USAGE, eku_free> eku(
        static_cast<EXTENDED_KEY_USAGE*>(X509V3_get_d2i(extensions, NID_ext_key_usage, &critical, nullptr)));
    if (critical == -1) return;
    out.present = true;
    out.critical = critical == 1;
    if (!eku) {
        out.malformed = true;
        ERR_clear_error();
        return;
    }
    for (int i = 0; i < sk_ASN1_OBJECT_num(eku.get()); ++i) {
        const ASN1_OBJECT* purpose = sk_ASN1_OBJECT_value(eku.get(), i);
        const int nid = OBJ_obj2nid(purpose);
        out.values.push_back(nid != NID_undef ? OBJ_nid2sn(nid) : oid_text(purpose, true));
    }
}

void read_basic_constraints(const STACK_OF(X509_EXTENSION)* extensions, basic_constraints_info& out) {
    int critical = -1;
    std::unique_ptr<BASIC_CONSTRAINTS, basic_constraints_free> bc(
        static_cast<BASIC_CONSTRAINTS*>(X509V3_get_d2i(extensions, NID_basic_constraints, &critical, nullptr)));
    if (critical == -1) return;
    out.present = true;
    out.critical = critical == 1;
    if (!bc) {
        out.malformed = true;
        ERR_clear_error();
        return;
    }
    out.ca = bc->ca != 0;
    if (bc->pathlen != nullptr) out.path_length = ASN1_INTEGER_get(bc->pathlen);
}

// ---- identifiers ----------------------------------------------------------------------

/// A reference no certificate names, for check_dns_id: against it a presented name gets
/// the verdict that says whether it is well formed, without matching anything.
const svcid::dns_reference& probe_reference() {
    static const svcid::dns_reference probe = *svcid::parse_dns_reference("svcid-inspect.invalid");
    return probe;
}

std::string svcid_error_text(const svcid::error& e) {
    char text[256];
    svcid::describe(e, text, sizeof text);
    return text;
}

/// Adds the Unicode form of a name holding A-labels, or the problem with its A-labels.
void add_unicode(std::string_view ascii_name, identifier_info& id) {
    if (!svcid::has_a_label(ascii_name)) return;
    char utf8[4 * svcid::idna_max_name_octets + 8];
    auto length = svcid::a_label_to_utf8(ascii_name, utf8, sizeof utf8);
    if (!length) {
        id.problems.push_back("invalid A-label: " + svcid_error_text(length.error()));
        return;
    }
    id.unicode = std::string(utf8, *length);
}

/// Flags a DNS name (a dNSName or a CN) with svcid's own verdict of it.
void check_dns_name(std::string_view name, identifier_info& id) {
    if (name.find('\0') != std::string_view::npos)
        id.problems.push_back("contains a NUL byte: can never match (the classic NUL-prefix attack)");
    const svcid::dns_id_verdict strict = svcid::check_dns_id<svcid::rfc9525>(name, probe_reference());
    const svcid::dns_id_verdict lenient = svcid::check_dns_id<svcid::rfc6125>(name, probe_reference());
    switch (strict) {
    case svcid::dns_id_verdict::match:
    case svcid::dns_id_verdict::no_match: break;
    case svcid::dns_id_verdict::partial_wildcard_not_allowed:
        if (lenient == svcid::dns_id_verdict::wildcard_in_a_label)
            id.problems.push_back(std::string("partial wildcard ") + svcid::verdict_message(lenient));
        else
            id.notes.push_back("partial wildcard: only the rfc6125 policy accepts it (RFC 9525 §6.3)");
        break;
    case svcid::dns_id_verdict::malformed:
        if (name.find('\0') == std::string_view::npos) id.problems.push_back(svcid::verdict_message(strict));
        break;
    case svcid::dns_id_verdict::bad_a_label:
        // add_unicode() names the exact A-label error.
        break;
    default: id.problems.push_back(svcid::verdict_message(strict)); break;
    }
    if (strict != svcid::dns_id_verdict::malformed) add_unicode(name, id);
    if (name.find('*') != std::string_view::npos && id.problems.empty() && strict != svcid::dns_id_verdict::partial_wildcard_not_allowed)
        id.notes.push_back("wildcard: stands for exactly one left-most label");
}

bool is_ascii_string(svcid::string_tag tag) {
    return tag == svcid::string_tag::ia5_string || tag == svcid::string_tag::printable_string;
}

identifier_info classify(const svcid::presented_id& p) {
    identifier_info id;
    id.source = svcid::kind_name(p.kind);
    bool escaped = false;
    const bool utf8 = p.tag == svcid::string_tag::utf8_string;
    id.value = printable(p.value, utf8, &escaped);
    switch (p.kind) {
    case svcid::presented_kind::dns_name:
        id.type = "DNS-ID";
        check_dns_name(p.value, id);
        break;
    case svcid::presented_kind::common_name:
        id.type = "CN-ID";
        id.is_cn = true;
        if (p.tag == svcid::string_tag::bmp_string || p.tag == svcid::string_tag::universal_string) {
            id.notes.push_back("a BMPString/UniversalString CN is never compared with a DNS name");
        } else {
            const auto verdict = svcid::check_dns_id<svcid::rfc6125>(p.value, probe_reference());
            if (verdict == svcid::dns_id_verdict::malformed)
                id.notes.push_back("not a DNS name, so it names no host");
            else
                check_dns_name(p.value, id);
        }
        break;
    case svcid::presented_kind::ip_address: {
        id.type = "IP";
        char text[svcid::ip_reference::max_text_len + 1] = {};
        if (p.value.size() == 4 || p.value.size() == 16) {
            const std::size_t n = svcid::format_ip_octets(p.value, text, sizeof text - 1);
            id.value = std::string(text, n < sizeof text ? n : sizeof text - 1);
        } else {
            id.value = to_hex(p.value, ':');
            id.problems.push_back(std::to_string(p.value.size()) +
                                  " octets: an iPAddress is 4 (IPv4) or 16 (IPv6) octets, so this is no address");
        }
        escaped = false;
        break;
    }
    case svcid::presented_kind::uri: {
        id.type = "URI";
        auto uri = svcid::parse_uri(p.value);
        if (!uri) {
            id.problems.push_back("not a URI (RFC 3986): " + svcid_error_text(uri.error()));
            break;
        }
        if (uri->scheme == "spiffe" || uri->scheme == "SPIFFE") {
            auto spiffe = svcid::parse_spiffe_id(p.value);
            if (spiffe) {
                id.type = "SPIFFE-ID";
                id.notes.push_back("trust domain \"" + printable(spiffe->trust_domain(), false) + "\"");
            } else {
                id.problems.push_back("a spiffe: URI that is no valid SPIFFE ID: " + svcid_error_text(spiffe.error()));
            }
        } else if (uri->host_kind == svcid::uri_host_kind::reg_name && !uri->host.empty()) {
            id.type = "URI-ID";
            add_unicode(uri->host, id);
            if (!id.unicode.empty()) id.unicode = "host " + id.unicode;
        } else {
            id.notes.push_back("no DNS host, so it is no URI-ID (RFC 6125 §6.5.2)");
        }
        break;
    }
    case svcid::presented_kind::srv_name: {
        id.type = "SRV-ID";
        auto srv = svcid::parse_srv_reference(p.value);
        if (!srv) {
            id.problems.push_back("not a valid SRVName \"_service.domain\" (RFC 4985 §2): " +
                                  svcid_error_text(srv.error()));
            break;
        }
        const std::size_t dot = p.value.find('.');
        add_unicode(p.value.substr(dot + 1), id);
        if (!id.unicode.empty()) id.unicode = std::string(p.value.substr(0, dot + 1)) + id.unicode;
        break;
    }
    case svcid::presented_kind::rfc822_name: {
        id.type = "e-mail";
        auto email = svcid::parse_email_reference(p.value);
        if (!email) id.problems.push_back("not a valid mailbox: " + svcid_error_text(email.error()));
        break;
    }
    case svcid::presented_kind::smtp_utf8_mailbox: id.type = "e-mail"; break;
    case svcid::presented_kind::xmpp_addr: id.type = "XmppAddr"; break;
    case svcid::presented_kind::other_name:
        id.type = "otherName";
        id.oid = oid_from_content(p.oid);
        id.value = to_hex(p.value);
        escaped = false;
        break;
    case svcid::presented_kind::directory_name: {
        id.type = "directoryName";
        const auto* der = reinterpret_cast<const unsigned char*>(p.value.data());
        std::unique_ptr<X509_NAME, x509_name_free> name(d2i_X509_NAME(nullptr, &der, static_cast<long>(p.value.size())));
        if (name) {
            id.value = rfc2253(name.get());
        } else {
            ERR_clear_error();
            id.value = to_hex(p.value);
            id.problems.push_back("the Name does not decode");
        }
        escaped = false;
        break;
    }
    case svcid::presented_kind::registered_id:
        id.type = "registeredID";
        id.value = oid_from_content(p.value);
        escaped = false;
        break;
    case svcid::presented_kind::other_general_name:
        id.type = "x400Address/ediPartyName";
        id.value = to_hex(p.value);
        escaped = false;
        break;
    }
    if (escaped) id.raw_hex = to_hex(p.value);
    if (is_ascii_string(p.tag) && escaped && id.problems.empty())
        id.problems.push_back("holds bytes that are not printable ASCII");
    return id;
}

/// Classifies everything an adapter presents, and says for each CN whether the rfc6125
/// policy would consult it (rfc9525 never does): RFC 6125 §6.4.4 and svcid's rule, only
/// the last CN, only when no DNS-, SRV-, URI-ID or iPAddress SAN is present.
template <class Adapter>
void add_identifiers(const Adapter& adapter, document_info& d) {
    std::vector<svcid::presented_id> sans;
    const svcid::san_state san = adapter.visit_subject_alt_names([&](const svcid::presented_id& id) noexcept {
        sans.push_back(id);
        return svcid::visit::next;
    });
    d.san_entries = sans.size();
    d.subject_alt_name = san == svcid::san_state::absent ? "absent" : san == svcid::san_state::present ? "present" : "malformed";
    bool blocks_cn = false;
    for (const auto& p : sans) {
        d.identifiers.push_back(classify(p));
        blocks_cn = blocks_cn || p.kind == svcid::presented_kind::dns_name || p.kind == svcid::presented_kind::srv_name ||
                    p.kind == svcid::presented_kind::uri || p.kind == svcid::presented_kind::ip_address;
    }
    const auto uris = std::count_if(sans.begin(), sans.end(),
                                    [](const svcid::presented_id& p) { return p.kind == svcid::presented_kind::uri; });
    if (uris > 1)
        for (auto& id : d.identifiers)
            if (id.type == "SPIFFE-ID")
                id.notes.push_back("the certificate has " + std::to_string(uris) +
                                   " URI SANs, so it is no X509-SVID and SPIFFE references never match (X509-SVID §2)");
    std::vector<svcid::presented_id> cns;
    const bool subject_ok = adapter.visit_common_names([&](const svcid::presented_id& id) noexcept {
        cns.push_back(id);
        return svcid::visit::next;
    });
    for (std::size_t i = 0; i < cns.size(); ++i) {
        identifier_info id = classify(cns[i]);
        if (san == svcid::san_state::malformed) {
            id.rfc6125_reason = "the subjectAltName is malformed, so the CN is never a fallback";
        } else if (blocks_cn) {
            id.rfc6125_reason = "the certificate has DNS-, SRV-, URI-ID or iPAddress SANs";
        } else if (i + 1 != cns.size()) {
            id.rfc6125_reason = "only the last (most specific) CN is consulted";
        } else if (cns[i].tag == svcid::string_tag::bmp_string || cns[i].tag == svcid::string_tag::universal_string) {
            id.rfc6125_reason = "BMPString and UniversalString CNs are not compared";
        } else {
            id.rfc6125_consults = true;
            id.rfc6125_reason = "no DNS-, SRV-, URI-ID or iPAddress SAN";
        }
        d.identifiers.push_back(std::move(id));
    }
    if (!subject_ok) {
        identifier_info broken;
        broken.type = "CN-ID";
        broken.source = "subject";
        broken.problems.push_back("the subject name does not parse");
        d.identifiers.push_back(std::move(broken));
    }
}

/// The dotted OID, and OpenSSL's long name for it (empty when OpenSSL does not know it).
void name_object(const ASN1_OBJECT* object, std::string& oid, std::string& name) {
    oid = oid_text(object, true);
    const int nid = OBJ_obj2nid(object);
    if (nid != NID_undef) name = OBJ_nid2ln(nid);
}

void read_all_extensions(const STACK_OF(X509_EXTENSION)* extensions, document_info& d) {
    const int count = extensions != nullptr ? sk_X509_EXTENSION_num(extensions) : 0;
    for (int i = 0; i < count; ++i) {
        X509_EXTENSION* extension = sk_X509_EXTENSION_value(extensions, i);
        extension_info info;
        name_object(X509_EXTENSION_get_object(extension), info.oid, info.name);
        info.critical = X509_EXTENSION_get_critical(extension) == 1;
        std::unique_ptr<BIO, bio_free> bio(BIO_new(BIO_s_mem()));
        // X509V3_EXT_print returns 0 for an OID it has no printer for and -1 for a value that
        // does not decode; both leave the raw octets as the only honest rendering.
        if (bio && X509V3_EXT_print(bio.get(), extension, 0, 0) == 1) {
            char* data = nullptr;
            const long length = BIO_get_mem_data(bio.get(), &data);
            std::string text(data, static_cast<std::size_t>(length));
            while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
            info.text = printable(text, true);
            // printable() escapes the line breaks; keep them, they are OpenSSL's own layout.
            for (std::size_t at = info.text.find("\\x0a"); at != std::string::npos; at = info.text.find("\\x0a", at + 1))
                info.text.replace(at, 4, "\n");
        } else {
            const ASN1_OCTET_STRING* value = X509_EXTENSION_get_data(extension);
            info.value_hex = to_hex(std::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                                                     static_cast<std::size_t>(ASN1_STRING_length(value))),
                                    ':');
        }
        ERR_clear_error();
        d.extensions.push_back(std::move(info));
    }
}

void read_attributes(const X509_REQ* request, document_info& d) {
    for (int i = 0; i < X509_REQ_get_attr_count(request); ++i) {
        X509_ATTRIBUTE* attribute = X509_REQ_get_attr(request, i);
        attribute_info info;
        name_object(X509_ATTRIBUTE_get0_object(attribute), info.oid, info.name);
        for (int v = 0; v < X509_ATTRIBUTE_count(attribute); ++v) {
            const ASN1_TYPE* type = X509_ATTRIBUTE_get0_type(attribute, v);
            attribute_info::value value;
            const int tag = type != nullptr ? ASN1_TYPE_get(type) : -1;
            const char* tag_name = tag >= 0 ? ASN1_tag2str(tag) : nullptr;
            value.asn1_type = tag_name != nullptr ? tag_name : "unknown";
            switch (tag) {
            case V_ASN1_UTF8STRING:
            case V_ASN1_PRINTABLESTRING:
            case V_ASN1_IA5STRING:
            case V_ASN1_T61STRING:
            case V_ASN1_BMPSTRING:
            case V_ASN1_UNIVERSALSTRING:
            case V_ASN1_VISIBLESTRING: {
                unsigned char* utf8 = nullptr;
                const int length = ASN1_STRING_to_UTF8(&utf8, type->value.asn1_string);
                if (length >= 0) {
                    value.text = printable(std::string_view(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(length)), true);
                    OPENSSL_free(utf8);
                    break;
                }
                ERR_clear_error();
            }
                [[fallthrough]];
            default: {
                unsigned char* der = nullptr;
                const int length = type != nullptr ? i2d_ASN1_TYPE(type, &der) : -1;
                if (length > 0) {
                    value.der_hex = to_hex(std::string_view(reinterpret_cast<const char*>(der), static_cast<std::size_t>(length)), ':');
                    OPENSSL_free(der);
                }
                ERR_clear_error();
            }
            }
            info.values.push_back(std::move(value));
        }
        d.attributes.push_back(std::move(info));
    }
}

bool is_sha1_signature(const X509_ALGOR* algorithm) {
    if (algorithm == nullptr) return false;
    const ASN1_OBJECT* object = nullptr;
    X509_ALGOR_get0(&object, nullptr, nullptr, algorithm);
    int digest = NID_undef;
    return OBJ_find_sigid_algs(OBJ_obj2nid(object), &digest, nullptr) == 1 && digest == NID_sha1;
}

/// Lints shared by certificates and CSRs: the signature and the key.
void lint_signature_and_key(const X509_ALGOR* algorithm, document_info& d) {
    // SHA-1 signatures are forgeable by chosen-prefix collision (SHAttered, 2017; BR 7.1.3.2).
    if (is_sha1_signature(algorithm)) d.lints.push_back({"W001", "signed with SHA-1, which browsers and the BRs refuse"});
    // BR 6.1.5: RSA moduli of at least 2048 bits.
    if ((d.key.type == "RSA" || d.key.type == "RSA-PSS") && d.key.bits > 0 && d.key.bits < 2048)
        d.lints.push_back({"W002", "RSA key of " + std::to_string(d.key.bits) + " bits; the BRs need at least 2048 (BR 6.1.5)"});
}

/// BR 7.1.4.3: a subject CN, when present, repeats one of the SAN's dNSName or iPAddress
/// entries exactly (same case, same text form).
void lint_cn_in_san(document_info& d) {
    if (d.subject_alt_name != "present") return;
    for (const auto& cn : d.identifiers) {
        if (!cn.is_cn) continue;
        bool repeated = false;
        for (const auto& san : d.identifiers)
            if (!san.is_cn && (san.source == "dNSName" || san.source == "iPAddress") &&
                san.value == cn.value)
                repeated = true;
        if (!repeated)
            d.lints.push_back({"W006", "the CN \"" + cn.value + "\" repeats no dNSName or iPAddress SAN (BR 7.1.4.3)"});
    }
}

/// BR 3.2.2.6: no wildcard directly under a public suffix (`*.co.uk`, `*.github.io`). svcid's
/// rfc9525 and rfc6125 refuse to match one under an ICANN suffix; the PRIVATE section is
/// linted too, since a CA may not issue there without the suffix owner's whole namespace.
void lint_public_suffix_wildcards(document_info& d) {
    for (const auto& id : d.identifiers) {
        if (id.is_cn || id.source != "dNSName" || id.value.size() < 3 || id.value.compare(0, 2, "*.") != 0) continue;
        const auto parent = svcid::parse_dns_reference(std::string_view(id.value).substr(2));
        if (!parent) continue;
        const std::string_view domain = parent->name();
        if (!svcid::is_public_suffix(domain, svcid::public_suffix_sections::icann_and_private)) continue;
        const bool icann = svcid::is_public_suffix(domain, svcid::public_suffix_sections::icann);
        d.lints.push_back({"W007", "the wildcard \"" + id.value + "\" lies directly under the public suffix " +
                                       std::string(domain) + (icann ? " (ICANN section" : " (PRIVATE section") +
                                       " of the Public Suffix List " + std::string(svcid::public_suffix_list_version()) +
                                       "; BR 3.2.2.6)"});
    }
}

} // namespace

key_info describe_key(EVP_PKEY* key) {
    key_info info;
    if (key == nullptr) {
        info.error = "no public key";
        return info;
    }
    switch (EVP_PKEY_base_id(key)) {
    case EVP_PKEY_RSA: info.type = "RSA"; break;
    case EVP_PKEY_RSA_PSS: info.type = "RSA-PSS"; break;
    case EVP_PKEY_EC:
        info.type = "EC";
        info.curve = ec_curve_name(key);
        break;
    case EVP_PKEY_ED25519: info.type = "Ed25519"; break;
    case EVP_PKEY_ED448: info.type = "Ed448"; break;
    case EVP_PKEY_X25519: info.type = "X25519"; break;
    case EVP_PKEY_X448: info.type = "X448"; break;
    case EVP_PKEY_DSA: info.type = "DSA"; break;
    default: {
        const char* name = OBJ_nid2sn(EVP_PKEY_base_id(key));
        info.type = name != nullptr ? name : "unknown";
    }
    }
    info.bits = EVP_PKEY_bits(key);
    unsigned char* der = nullptr;
    const int length = i2d_PUBKEY(key, &der);
    if (length <= 0) {
        ERR_clear_error();
        info.error = "the public key does not encode";
        return info;
    }
    info.spki_sha256 = digest_hex(std::string_view(reinterpret_cast<const char*>(der), static_cast<std::size_t>(length)), '\0');
    OPENSSL_free(der);
    std::unique_ptr<BIGNUM, bn_free> modulus, exponent;
    if (info.type == "RSA" || info.type == "RSA-PSS") {
        if (rsa_numbers(key, modulus, exponent)) {
            std::unique_ptr<char, openssl_string_free> hex(BN_bn2hex(modulus.get()));
            std::unique_ptr<char, openssl_string_free> dec(BN_bn2dec(exponent.get()));
            if (hex) info.rsa_modulus = hex.get();
            if (dec) info.rsa_exponent = dec.get();
        }
        ERR_clear_error();
    }
    return info;
}

document_info describe_certificate(X509* cert) {
    document_info d;
    d.subject = rfc2253(X509_get_subject_name(cert));
    d.subject_oneline = oneline(X509_get_subject_name(cert));
    d.issuer = rfc2253(X509_get_issuer_name(cert));
    d.issuer_oneline = oneline(X509_get_issuer_name(cert));

    std::unique_ptr<BIGNUM, bn_free> serial(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr));
    if (serial) {
        std::unique_ptr<char, openssl_string_free> hex(BN_bn2hex(serial.get()));
        if (hex) {
            std::string digits(hex.get());
            const bool negative = !digits.empty() && digits[0] == '-';
            if (negative) digits.erase(0, 1);
            if (digits.size() % 2 != 0) digits.insert(0, "0");
            for (std::size_t i = 0; i < digits.size(); i += 2) {
                if (i != 0) d.serial += ':';
                d.serial += static_cast<char>(std::tolower(static_cast<unsigned char>(digits[i])));
                d.serial += static_cast<char>(std::tolower(static_cast<unsigned char>(digits[i + 1])));
            }
            if (negative) d.serial.insert(0, "-");
        }
    }

    const ASN1_TIME* not_before = X509_get0_notBefore(cert);
    const ASN1_TIME* not_after = X509_get0_notAfter(cert);
    d.not_before = time_text(not_before);
    d.not_after = time_text(not_after);
    if (X509_cmp_current_time(not_before) > 0) {
        d.validity = "not yet valid";
        d.validity_days = days_from_now(not_before);
    } else if (X509_cmp_current_time(not_after) < 0) {
        d.validity = "expired";
        d.validity_days = -days_from_now(not_after);
    } else {
        d.validity = "valid";
        d.validity_days = days_from_now(not_after);
    }

    d.key = describe_key(X509_get0_pubkey(cert));
    const X509_ALGOR* algorithm = nullptr;
    X509_get0_signature(nullptr, &algorithm, cert);
    d.signature_algorithm = algorithm_text(algorithm);

    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_length = 0;
    if (X509_digest(cert, EVP_sha256(), md, &md_length) == 1)
        d.sha256_fingerprint = to_hex(std::string_view(reinterpret_cast<const char*>(md), md_length), ':');
    if (X509_digest(cert, EVP_sha1(), md, &md_length) == 1)
        d.sha1_fingerprint = to_hex(std::string_view(reinterpret_cast<const char*>(md), md_length), ':');
    d.version = X509_get_version(cert) + 1;

    const STACK_OF(X509_EXTENSION)* extensions = X509_get0_extensions(cert);
    read_key_usage(extensions, d.key_usage);
    read_extended_key_usage(extensions, d.extended_key_usage);
    read_basic_constraints(extensions, d.basic_constraints);
    read_all_extensions(extensions, d);
    add_identifiers(svcid::openssl_certificate{cert}, d);
    lint_signature_and_key(algorithm, d);
    if (d.validity == "expired") d.lints.push_back({"W003", "expired " + std::to_string(d.validity_days) + " days ago (RFC 5280 §4.1.2.5)"});
    if (d.validity == "not yet valid")
        d.lints.push_back({"W004", "not valid for another " + std::to_string(d.validity_days) + " days (RFC 5280 §4.1.2.5)"});
    // A self-signed certificate that is no CA is a leaf nobody can chain to a trust anchor.
    if (!(d.basic_constraints.present && d.basic_constraints.ca) && X509_check_issued(cert, cert) == X509_V_OK)
        d.lints.push_back({"W005", "a self-signed leaf: no CA vouches for it"});
    lint_cn_in_san(d);
    lint_public_suffix_wildcards(d);
    ERR_clear_error();
    return d;
}

document_info describe_request(X509_REQ* request) {
    document_info d;
    d.is_request = true;
    d.subject = rfc2253(X509_REQ_get_subject_name(request));
    d.subject_oneline = oneline(X509_REQ_get_subject_name(request));
    EVP_PKEY* key = X509_REQ_get0_pubkey(request);
    d.key = describe_key(key);
    const X509_ALGOR* algorithm = nullptr;
    X509_REQ_get0_signature(request, nullptr, &algorithm);
    d.signature_algorithm = algorithm_text(algorithm);
    d.signature_valid = key == nullptr ? -1 : X509_REQ_verify(request, key) == 1 ? 1 : 0;
    d.version = X509_REQ_get_version(request) + 1;
    ERR_clear_error();

    std::unique_ptr<STACK_OF(X509_EXTENSION), extension_stack_free> extensions(X509_REQ_get_extensions(request));
    ERR_clear_error();
    read_key_usage(extensions.get(), d.key_usage);
    read_extended_key_usage(extensions.get(), d.extended_key_usage);
    read_basic_constraints(extensions.get(), d.basic_constraints);
    read_all_extensions(extensions.get(), d);
    read_attributes(request, d);
    add_identifiers(svcid::openssl_csr{request}, d);
    lint_signature_and_key(algorithm, d);
    lint_cn_in_san(d);
    lint_public_suffix_wildcards(d);
    ERR_clear_error();
    return d;
}

} // namespace svcid_inspect
