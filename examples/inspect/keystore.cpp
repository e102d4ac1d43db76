// Java keystores, JKS (magic 0xFEEDFEED) and JCEKS (0xCECECECE), versions 1 and 2, read from
// the format as Sun's keytool writes it, since no standard describes it:
//
//   u32 magic, u32 version, u32 entry count, then per entry
//     u32 tag (1 private key, 2 trusted certificate, 3 JCEKS secret key)
//     u16-prefixed alias (Java's modified UTF-8), u64 creation time (ms since 1970, UTC)
//     tag 1: u32-prefixed EncryptedPrivateKeyInfo, u32 chain length, that many certificates
//     tag 2: one certificate
//     each certificate: (version 2 only) u16-prefixed type name "X.509", u32-prefixed DER
//   20 octets: SHA-1(password as UTF-16BE || "Mighty Aphrodite" || every octet before it)
//
// Every length is checked against what remains before it is used: a hostile file ends in an
// error message, never a read past the buffer.
#include "inspect.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstdint>
#include <cstring>
#include <ctime>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

namespace svcid_inspect {
namespace {

constexpr std::uint32_t jks_magic = 0xFEEDFEEDu;
constexpr std::uint32_t jceks_magic = 0xCECECECEu;
constexpr std::size_t sha1_length = 20;
// The JDK's KeyProtector OIDs: JKS's SHA-1 keystream, JCEKS's PBEWithMD5AndTripleDES.
constexpr const char* jks_key_protector = "1.3.6.1.4.1.42.2.17.1.1";
constexpr const char* jceks_key_protector = "1.3.6.1.4.1.42.2.19.1";

struct md_ctx_free { void operator()(EVP_MD_CTX* p) const noexcept { EVP_MD_CTX_free(p); } };
struct cipher_ctx_free { void operator()(EVP_CIPHER_CTX* p) const noexcept { EVP_CIPHER_CTX_free(p); } };
struct pbe_free { void operator()(PBEPARAM* p) const noexcept { PBEPARAM_free(p); } };

/// A cursor over the store; each read says false when the bytes are not there.
class reader {
public:
    explicit reader(std::string_view data) : data_(data) {}
    std::size_t offset() const { return offset_; }
    std::size_t remaining() const { return data_.size() - offset_; }

    bool u16(std::uint32_t& out) { return number(2, out); }
    bool u32(std::uint32_t& out) { return number(4, out); }
    bool u64(std::uint64_t& out) {
        std::uint32_t high = 0, low = 0;
        if (!u32(high) || !u32(low)) return false;
        out = (std::uint64_t{high} << 32) | low;
        return true;
    }
    bool bytes(std::size_t n, std::string_view& out) {
        if (n > remaining()) return false;
        out = data_.substr(offset_, n);
        offset_ += n;
        return true;
    }

private:
    bool number(std::size_t octets, std::uint32_t& out) {
        std::string_view raw;
        if (!bytes(octets, raw)) return false;
        out = 0;
        for (const char c : raw) out = (out << 8) | static_cast<unsigned char>(c);
        return true;
    }
    std::string_view data_;
    std::size_t offset_ = 0;
};

const unsigned char* octets(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

/// The store password as Java holds it: UTF-16 code units, here from the UTF-8 of the
/// password file. False when the file's line is not UTF-8.
bool utf16_units(const std::string& utf8, std::vector<std::uint16_t>& units) {
    for (std::size_t i = 0; i < utf8.size();) {
        const auto lead = static_cast<unsigned char>(utf8[i]);
        const std::size_t length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : (lead >> 3) == 0x1E ? 4 : 0;
        if (length == 0 || i + length > utf8.size()) return false;
        std::uint32_t code = length == 1 ? lead : lead & (0x7Fu >> length);
        for (std::size_t k = 1; k < length; ++k) {
            const auto next = static_cast<unsigned char>(utf8[i + k]);
            if ((next & 0xC0) != 0x80) return false;
            code = (code << 6) | (next & 0x3Fu);
        }
        if (code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
        if (code >= 0x10000) {
            code -= 0x10000;
            units.push_back(static_cast<std::uint16_t>(0xD800 + (code >> 10)));
            units.push_back(static_cast<std::uint16_t>(0xDC00 + (code & 0x3FF)));
        } else {
            units.push_back(static_cast<std::uint16_t>(code));
        }
        i += length;
    }
    return true;
}

std::string utf16be(const std::vector<std::uint16_t>& units) {
    std::string out;
    for (const std::uint16_t u : units) {
        out += static_cast<char>(u >> 8);
        out += static_cast<char>(u & 0xFF);
    }
    return out;
}

/// Digest of the concatenated parts, or false when OpenSSL fails.
bool digest(const EVP_MD* md, std::initializer_list<std::string_view> parts, unsigned char* out) {
    std::unique_ptr<EVP_MD_CTX, md_ctx_free> ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestInit_ex(ctx.get(), md, nullptr) == 0) return false;
    for (const std::string_view part : parts)
        if (EVP_DigestUpdate(ctx.get(), part.data(), part.size()) == 0) return false;
    return EVP_DigestFinal_ex(ctx.get(), out, nullptr) != 0;
}

/// "2026-12-03T11:05:00Z" for the creation time, or the raw number when it is out of range.
std::string creation_text(std::uint64_t milliseconds) {
    const auto seconds = static_cast<std::time_t>(milliseconds / 1000);
    std::tm tm {};
    char text[32];
    if (milliseconds / 1000 > 253402300799u || gmtime_r(&seconds, &tm) == nullptr ||
        std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        return std::to_string(milliseconds) + " ms after 1970";
    return text;
}

/// JKS's KeyProtector: salt (20) || ciphertext || check (20); keystream block i is
/// SHA-1(password UTF-16BE || block i-1), block 0 the salt; check is SHA-1(password || plain).
std::string jks_unprotect(std::string_view data, const std::string& password16, std::string& plain) {
    if (data.size() < 2 * sha1_length) return "the protected key is shorter than its salt and check digest";
    const std::string_view salt = data.substr(0, sha1_length);
    const std::string_view cipher = data.substr(sha1_length, data.size() - 2 * sha1_length);
    const std::string_view check = data.substr(data.size() - sha1_length);
    unsigned char block[sha1_length];
    std::memcpy(block, salt.data(), sha1_length);
    plain.assign(cipher.size(), '\0');
    for (std::size_t i = 0; i < cipher.size(); ++i) {
        if (i % sha1_length == 0 &&
            !digest(EVP_sha1(), {password16, std::string_view(reinterpret_cast<const char*>(block), sha1_length)}, block))
            return "SHA-1 unavailable";
        plain[i] = static_cast<char>(cipher[i] ^ static_cast<char>(block[i % sha1_length]));
    }
    unsigned char computed[sha1_length];
    if (!digest(EVP_sha1(), {password16, plain}, computed)) return "SHA-1 unavailable";
    if (std::memcmp(computed, check.data(), sha1_length) != 0)
        return "the key does not decrypt with this password (its check digest differs)";
    return {};
}

/// JCEKS's PBEWithMD5AndTripleDES, Sun's variant of PBES1 (RFC 8018 §6.1): each half of
/// the 8-octet salt is hashed with MD5 `iterations` times, each round MD5(previous ||
/// password); the two digests give the 3DES key (24 octets) and the CBC IV (8). When the
/// halves are equal the first is rearranged first: the JDK's loop meant to reverse it turns
/// [a,b,c,d] into [d,a,b,d], and stores written by it depend on exactly that.
std::string jceks_unprotect(std::string_view data, int parameter_type, const void* parameter, const std::string& password,
                            std::string& plain) {
    if (parameter == nullptr || parameter_type != V_ASN1_SEQUENCE) return "the PBE parameters are missing";
    const auto* sequence = static_cast<const ASN1_STRING*>(parameter);
    const unsigned char* p = ASN1_STRING_get0_data(sequence);
    std::unique_ptr<PBEPARAM, pbe_free> pbe(d2i_PBEPARAM(nullptr, &p, ASN1_STRING_length(sequence)));
    if (!pbe) return "the PBE parameters do not decode";
    std::int64_t iterations = 0;
    if (pbe->salt->length != 8 || ASN1_INTEGER_get_int64(&iterations, pbe->iter) == 0)
        return "the PBE parameters are not an 8-octet salt and an iteration count";
    // keytool writes 200 000 at most; a hostile count must not keep the tool busy for hours.
    if (iterations < 1 || iterations > 1'000'000) return "the PBE iteration count is out of range";
    // The JDK refuses a password outside ASCII for this algorithm.
    for (const char c : password)
        if (static_cast<unsigned char>(c) >= 0x80) return "a JCEKS key password must be ASCII";
    unsigned char salt[8];
    std::memcpy(salt, pbe->salt->data, 8);
    if (std::memcmp(salt, salt + 4, 4) == 0) {
        salt[2] = salt[1];
        salt[1] = salt[0];
        salt[0] = salt[3];
    }
    unsigned char derived[32];
    // One context for every round: the count runs to hundreds of thousands.
    std::unique_ptr<EVP_MD_CTX, md_ctx_free> md(EVP_MD_CTX_new());
    if (!md) return "MD5 unavailable";
    for (int half = 0; half < 2; ++half) {
        unsigned char round[16];
        std::memcpy(round, salt + 4 * half, 4);
        std::size_t input_length = 4;
        for (std::int64_t i = 0; i < iterations; ++i) {
            if (EVP_DigestInit_ex(md.get(), EVP_md5(), nullptr) == 0 || EVP_DigestUpdate(md.get(), round, input_length) == 0 ||
                EVP_DigestUpdate(md.get(), password.data(), password.size()) == 0 ||
                EVP_DigestFinal_ex(md.get(), round, nullptr) == 0)
                return "MD5 unavailable";
            input_length = sizeof round;
        }
        std::memcpy(derived + 16 * half, round, 16);
    }
    std::unique_ptr<EVP_CIPHER_CTX, cipher_ctx_free> ctx(EVP_CIPHER_CTX_new());
    if (!ctx || data.size() > (1u << 30) ||
        EVP_DecryptInit_ex(ctx.get(), EVP_des_ede3_cbc(), nullptr, derived, derived + 24) == 0)
        return "3DES unavailable";
    plain.assign(data.size() + 8, '\0');
    int written = 0, final_written = 0;
    auto* out = reinterpret_cast<unsigned char*>(&plain[0]);
    if (EVP_DecryptUpdate(ctx.get(), out, &written, octets(data), static_cast<int>(data.size())) == 0 ||
        EVP_DecryptFinal_ex(ctx.get(), out + written, &final_written) == 0)
        return "the key does not decrypt with this password (bad padding)";
    plain.resize(static_cast<std::size_t>(written + final_written));
    return {};
}

/// One certificate of an entry: the type name (version 2) and the u32-prefixed DER, which
/// is decoded only once the store's digest has been checked, so that with a password an
/// altered byte anywhere is told as such.
std::string read_certificate(reader& in, std::uint32_t version, const std::string& where, std::string_view& der) {
    if (version == 2) {
        std::uint32_t type_length = 0;
        std::string_view type;
        if (!in.u16(type_length) || !in.bytes(type_length, type)) return "truncated keystore: " + where + "'s type name is cut short";
        if (type != "X.509") return where + " is of type \"" + printable(type, true) + "\", not X.509";
    }
    std::uint32_t length = 0;
    if (!in.u32(length)) return "truncated keystore: " + where + "'s length is cut short";
    if (!in.bytes(length, der))
        return "truncated keystore: " + where + " declares " + std::to_string(length) + " octets, " +
               std::to_string(in.remaining()) + " remain";
    return {};
}

struct parsed_entry {
    keystore_entry info;
    std::string_view protected_key;
    std::vector<std::string_view> chain;  ///< DER, leaf first
    std::string name;                     ///< "entry 2 (\"alias\")", for messages
};

std::string parse_store(std::string_view data, std::uint32_t magic, keystore_info& store,
                        std::vector<parsed_entry>& entries, std::size_t& body_length) {
    reader in(data);
    std::uint32_t ignored = 0, version = 0, count = 0;
    if (!in.u32(ignored) || !in.u32(version) || !in.u32(count)) return "truncated keystore: the header is cut short";
    if (version != 1 && version != 2) return "keystore version " + std::to_string(version) + " (1 and 2 are known)";
    store.version = version;
    for (std::uint32_t i = 0; i < count; ++i) {
        const std::string where = "entry " + std::to_string(i + 1);
        std::uint32_t tag = 0, alias_length = 0;
        std::string_view alias;
        std::uint64_t created = 0;
        if (!in.u32(tag)) return "truncated keystore: " + std::to_string(count) + " entries declared, " + std::to_string(i) + " present";
        if (!in.u16(alias_length) || !in.bytes(alias_length, alias) || !in.u64(created))
            return "truncated keystore: " + where + "'s alias or date is cut short";
        parsed_entry entry;
        entry.info.alias = printable(alias, true);
        entry.info.created = creation_text(created);
        const std::string named = where + " (\"" + entry.info.alias + "\")";
        if (tag == 1) {
            entry.info.private_key = true;
            std::uint32_t key_length = 0, chain_length = 0;
            if (!in.u32(key_length) || !in.bytes(key_length, entry.protected_key))
                return "truncated keystore: " + named + "'s protected key is cut short";
            if (!in.u32(chain_length)) return "truncated keystore: " + named + "'s chain length is cut short";
            for (std::uint32_t k = 0; k < chain_length; ++k) {
                std::string_view der;
                std::string error = read_certificate(in, version, named + " certificate " + std::to_string(k + 1), der);
                if (!error.empty()) return error;
                entry.chain.push_back(der);
            }
        } else if (tag == 2) {
            std::string_view der;
            std::string error = read_certificate(in, version, named + " certificate", der);
            if (!error.empty()) return error;
            entry.chain.push_back(der);
        } else if (tag == 3 && magic == jceks_magic) {
            // A secret key is a serialized Java object with no length before it: nothing
            // short of a Java deserializer finds where it ends.
            return named + " is a secret-key entry, which svcid-inspect does not read";
        } else {
            return named + " has the unknown tag " + std::to_string(tag);
        }
        entry.info.certificates = entry.chain.size();
        entry.name = named;
        entries.push_back(std::move(entry));
    }
    body_length = in.offset();
    if (in.remaining() < sha1_length) return "truncated keystore: the integrity digest is cut short";
    if (in.remaining() > sha1_length) return "bytes after the keystore's integrity digest";
    return {};
}

} // namespace

std::string decrypt_keystore_key(std::string_view protected_der, const std::string& password, pkey_ptr& key) {
    const unsigned char* p = octets(protected_der);
    std::unique_ptr<X509_SIG, x509_sig_free> sig(d2i_X509_SIG(nullptr, &p, static_cast<long>(protected_der.size())));
    if (!sig || p != octets(protected_der) + protected_der.size()) return "the protected key does not decode";
    const X509_ALGOR* algorithm = nullptr;
    const ASN1_OCTET_STRING* encrypted = nullptr;
    X509_SIG_get0(sig.get(), &algorithm, &encrypted);
    const ASN1_OBJECT* oid = nullptr;
    int parameter_type = 0;
    const void* parameter = nullptr;
    X509_ALGOR_get0(&oid, &parameter_type, &parameter, algorithm);
    char dotted[80];
    if (OBJ_obj2txt(dotted, sizeof dotted, oid, 1) <= 0) return "the key protection algorithm does not decode";
    const std::string_view data(reinterpret_cast<const char*>(encrypted->data), static_cast<std::size_t>(encrypted->length));
    std::string plain;
    std::string error;
    if (std::strcmp(dotted, jks_key_protector) == 0) {
        std::vector<std::uint16_t> units;
        if (!utf16_units(password, units)) return "the password is not UTF-8";
        error = jks_unprotect(data, utf16be(units), plain);
    } else if (std::strcmp(dotted, jceks_key_protector) == 0) {
        error = jceks_unprotect(data, parameter_type, parameter, password, plain);
    } else {
        return std::string("unsupported key protection ") + dotted;
    }
    if (!error.empty()) return error;
    const unsigned char* q = octets(plain);
    std::unique_ptr<PKCS8_PRIV_KEY_INFO, p8_free> info(d2i_PKCS8_PRIV_KEY_INFO(nullptr, &q, static_cast<long>(plain.size())));
    if (!info || q != octets(plain) + plain.size()) return "the decrypted key is no PKCS #8 PrivateKeyInfo";
    key.reset(EVP_PKCS82PKEY(info.get()));
    if (!key) return "unsupported key type in the keystore";
    return {};
}

bool is_keystore(std::string_view data) {
    if (data.size() < 4) return false;
    const std::uint32_t magic = (std::uint32_t{octets(data)[0]} << 24) | (std::uint32_t{octets(data)[1]} << 16) |
                                (std::uint32_t{octets(data)[2]} << 8) | octets(data)[3];
    return magic == jks_magic || magic == jceks_magic;
}

void load_keystore(std::string_view data, loaded_file& file, const std::optional<std::string>& password) {
    const bool jceks = static_cast<unsigned char>(data[0]) == 0xCE;
    file.format = jceks ? "JCEKS" : "JKS";
    keystore_info store;
    store.type = file.format;
    std::vector<parsed_entry> entries;
    std::size_t body_length = 0;
    file.error = parse_store(data, jceks ? jceks_magic : jks_magic, store, entries, body_length);
    if (!file.error.empty()) return;

    if (password) {
        std::vector<std::uint16_t> units;
        if (!utf16_units(*password, units)) {
            file.error = "the password is not UTF-8";
            return;
        }
        unsigned char computed[sha1_length];
        if (!digest(EVP_sha1(), {utf16be(units), "Mighty Aphrodite", data.substr(0, body_length)}, computed)) {
            file.error = "SHA-1 unavailable";
            return;
        }
        if (std::memcmp(computed, data.data() + body_length, sha1_length) != 0) {
            file.error = "keystore integrity check failed: wrong password, or the file was altered";
            return;
        }
        store.integrity_checked = true;
    }

    for (std::size_t i = 0; i < entries.size(); ++i) {
        parsed_entry& entry = entries[i];
        for (std::size_t k = 0; k < entry.chain.size(); ++k) {
            const std::string_view der = entry.chain[k];
            const unsigned char* p = octets(der);
            loaded_object object;
            object.kind = object_kind::certificate;
            object.cert.reset(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
            if (!object.cert || p != octets(der) + der.size()) {
                ERR_clear_error();
                file.objects.clear();
                file.error = entry.name + " certificate " + std::to_string(k + 1) + " does not decode as an X.509 certificate";
                return;
            }
            object.keystore_entry = i;
            file.objects.push_back(std::move(object));
        }
        if (!entry.info.private_key) continue;
        if (!password) {
            entry.info.key_state = "encrypted";
            continue;
        }
        loaded_object object;
        object.kind = object_kind::private_key;
        object.keystore_entry = i;
        const std::string error = decrypt_keystore_key(entry.protected_key, *password, object.key);
        ERR_clear_error();
        if (!error.empty()) {
            file.objects.clear();
            file.error = entry.name + ": " + error;
            return;
        }
        entry.info.key_state = "decrypted";
        file.objects.push_back(std::move(object));
    }
    for (auto& entry : entries) store.entries.push_back(std::move(entry.info));
    file.keystore = std::move(store);
}

bool select_alias(loaded_file& file, const std::string& alias, std::string& error) {
    if (!file.keystore) {
        error = "--alias applies to keystores only";
        return false;
    }
    std::optional<std::size_t> chosen;
    for (std::size_t i = 0; i < file.keystore->entries.size(); ++i)
        if (file.keystore->entries[i].alias == alias) chosen = i;
    if (!chosen) {
        error = "the keystore has no entry \"" + printable(alias, true) + "\"";
        return false;
    }
    std::vector<loaded_object> kept;
    for (auto& object : file.objects)
        if (object.keystore_entry == chosen) {
            object.keystore_entry = 0;
            kept.push_back(std::move(object));
        }
    file.objects = std::move(kept);
    keystore_entry entry = std::move(file.keystore->entries[*chosen]);
    file.keystore->entries.assign(1, std::move(entry));
    return true;
}

} // namespace svcid_inspect
