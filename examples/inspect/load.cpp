// Reading certificate, CSR and key files: PEM or DER told apart by content, chains and
// bundles object by object, and a plain reason for every file that cannot be read.
#include "inspect.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/pkcs7.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <sys/stat.h>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace svcid_inspect {

const char* object_kind_name(object_kind k) {
    switch (k) {
    case object_kind::certificate: return "certificate";
    case object_kind::request: return "certificate request";
    case object_kind::private_key: return "private key";
    case object_kind::public_key: return "public key";
    }
    return "object";
}

namespace {

struct bio_free { void operator()(BIO* p) const noexcept { BIO_free(p); } };
struct openssl_string_free { void operator()(char* p) const noexcept { OPENSSL_free(p); } };
struct openssl_bytes_free { void operator()(unsigned char* p) const noexcept { OPENSSL_free(p); } };
struct pkcs7_free { void operator()(PKCS7* p) const noexcept { PKCS7_free(p); } };
struct pkcs12_free { void operator()(PKCS12* p) const noexcept { PKCS12_free(p); } };
struct x509_stack_free { void operator()(STACK_OF(X509)* p) const noexcept { sk_X509_pop_free(p, X509_free); } };

/// The reason OpenSSL queued last, for messages; clears the queue.
std::string openssl_reason() {
    const unsigned long code = ERR_peek_last_error();
    std::string reason;
    if (code != 0) {
        const char* text = ERR_reason_error_string(code);
        reason = text != nullptr ? text : "unknown OpenSSL error";
    }
    ERR_clear_error();
    return reason;
}

struct password_state {
    const std::optional<std::string>* password;
    bool asked = false;
};

int password_callback(char* buffer, int size, int, void* user) {
    auto* state = static_cast<password_state*>(user);
    state->asked = true;
    if (!state->password->has_value()) return -1;
    const std::string& p = **state->password;
    if (p.size() > static_cast<std::size_t>(size)) return -1;
    std::memcpy(buffer, p.data(), p.size());
    return static_cast<int>(p.size());
}

/// The length of the DER element at the start of `der` (header included), or 0 when the
/// header itself is cut short or not a definite length; `declared` may exceed der.size().
std::size_t der_element_length(std::string_view der) {
    if (der.size() < 2) return 0;
    const auto first = static_cast<unsigned char>(der[1]);
    if (first < 0x80) return 2 + first;
    const std::size_t octets = first & 0x7F;
    if (octets == 0 || octets > 4 || der.size() < 2 + octets) return 0;
    std::size_t length = 0;
    for (std::size_t i = 0; i < octets; ++i) length = (length << 8) | static_cast<unsigned char>(der[2 + i]);
    return 2 + octets + length;
}

/// Decrypts a PKCS #8 EncryptedPrivateKeyInfo.
std::string decrypt_pkcs8(X509_SIG* encrypted, const std::optional<std::string>& password, pkey_ptr& key) {
    if (!password) return "encrypted key: use --password-file";
    std::unique_ptr<PKCS8_PRIV_KEY_INFO, p8_free> info(
        PKCS8_decrypt(encrypted, password->data(), static_cast<int>(password->size())));
    if (!info) {
        ERR_clear_error();
        return "wrong password (the encrypted key does not decrypt)";
    }
    key.reset(EVP_PKCS82PKEY(info.get()));
    if (!key) return "unsupported key: " + openssl_reason();
    return {};
}

/// Decodes one whole DER object of unknown type. `hint` narrows the guess when a PEM label
/// named the type. Returns an error phrase, or "" with `out` filled.
enum class der_hint { any, certificate, request, private_key, encrypted_private_key, public_key, rsa_public_key, pkcs7 };

/// The certificates of a PKCS #7 SignedData (RFC 2315 §9.1), the form of .p7b/.p7c chains.
std::string certificates_of_pkcs7(PKCS7* p7, std::vector<loaded_object>& objects) {
    if (PKCS7_type_is_signed(p7) == 0 || p7->d.sign == nullptr) return "PKCS #7 that is no SignedData";
    const STACK_OF(X509)* certs = p7->d.sign->cert;
    const int n = certs != nullptr ? sk_X509_num(certs) : 0;
    if (n == 0) return "PKCS #7 SignedData with no certificates";
    for (int i = 0; i < n; ++i) {
        X509* cert = sk_X509_value(certs, i);
        if (X509_up_ref(cert) == 0) return "out of memory";
        loaded_object object;
        object.kind = object_kind::certificate;
        object.cert.reset(cert);
        objects.push_back(std::move(object));
    }
    return {};
}

/// The key, certificate and CA certificates of a PKCS #12 file (RFC 7292). The MAC is
/// checked first, with the empty password when none was given, so a wrong password is told
/// apart from a damaged file.
std::string contents_of_pkcs12(PKCS12* p12, const std::optional<std::string>& password,
                               std::vector<loaded_object>& objects) {
    const char* pass = password ? password->c_str() : "";
    const int pass_length = password ? static_cast<int>(password->size()) : 0;
    if (PKCS12_mac_present(p12) != 0 && PKCS12_verify_mac(p12, pass, pass_length) == 0) {
        // Some writers encode an empty password as no password at all.
        if (password && !password->empty()) {
            ERR_clear_error();
            return "wrong password (the PKCS #12 MAC does not verify)";
        }
        if (PKCS12_verify_mac(p12, nullptr, 0) == 0) {
            ERR_clear_error();
            return password ? "wrong password (the PKCS #12 MAC does not verify)"
                            : "password-protected PKCS #12: use --password-file";
        }
        pass = nullptr;
    }
    EVP_PKEY* key_raw = nullptr;
    X509* cert_raw = nullptr;
    STACK_OF(X509)* ca_raw = nullptr;
    if (PKCS12_parse(p12, pass, &key_raw, &cert_raw, &ca_raw) == 0)
        return "the PKCS #12 contents do not decode: " + openssl_reason();
    pkey_ptr key(key_raw);
    x509_ptr cert(cert_raw);
    std::unique_ptr<STACK_OF(X509), x509_stack_free> ca(ca_raw);
    if (cert) {
        loaded_object object;
        object.kind = object_kind::certificate;
        object.cert = std::move(cert);
        objects.push_back(std::move(object));
    }
    for (int i = 0; ca && i < sk_X509_num(ca.get()); ++i) {
        X509* extra = sk_X509_value(ca.get(), i);
        if (X509_up_ref(extra) == 0) return "out of memory";
        loaded_object object;
        object.kind = object_kind::certificate;
        object.cert.reset(extra);
        objects.push_back(std::move(object));
    }
    if (key) {
        loaded_object object;
        object.kind = object_kind::private_key;
        object.key = std::move(key);
        objects.push_back(std::move(object));
    }
    if (objects.empty()) return "PKCS #12 with no certificate or key";
    return {};
}

/// One object into `out`, or, for a container (PKCS #7, PKCS #12), its contents appended to
/// `objects` with `container` set.
std::string decode_der_one(std::string_view der, der_hint hint, const std::optional<std::string>& password,
                           loaded_object& out, std::vector<loaded_object>& objects, bool& container) {
    const auto* start = reinterpret_cast<const unsigned char*>(der.data());
    const long length = static_cast<long>(der.size());
    // Each attempt must consume the whole element: a prefix that happens to decode is not
    // the object the file holds.
    auto whole = [&](const unsigned char* end) { return end == start + length; };

    if (hint == der_hint::any || hint == der_hint::certificate) {
        const unsigned char* p = start;
        x509_ptr cert(d2i_X509(nullptr, &p, length));
        if (cert && whole(p)) {
            out.kind = object_kind::certificate;
            out.cert = std::move(cert);
            return {};
        }
        ERR_clear_error();
    }
    if (hint == der_hint::any || hint == der_hint::request) {
        const unsigned char* p = start;
        x509_req_ptr request(d2i_X509_REQ(nullptr, &p, length));
        if (request && whole(p)) {
            out.kind = object_kind::request;
            out.request = std::move(request);
            return {};
        }
        ERR_clear_error();
    }
    if (hint == der_hint::any || hint == der_hint::encrypted_private_key) {
        const unsigned char* p = start;
        std::unique_ptr<X509_SIG, x509_sig_free> encrypted(d2i_X509_SIG(nullptr, &p, length));
        if (encrypted && whole(p)) {
            out.kind = object_kind::private_key;
            return decrypt_pkcs8(encrypted.get(), password, out.key);
        }
        ERR_clear_error();
    }
    if (hint == der_hint::any || hint == der_hint::public_key) {
        const unsigned char* p = start;
        pkey_ptr key(d2i_PUBKEY(nullptr, &p, length));
        if (key && whole(p)) {
            out.kind = object_kind::public_key;
            out.key = std::move(key);
            return {};
        }
        ERR_clear_error();
    }
    if (hint == der_hint::any || hint == der_hint::private_key) {
        const unsigned char* p = start;
        pkey_ptr key(d2i_AutoPrivateKey(nullptr, &p, length));
        if (key && whole(p)) {
            out.kind = object_kind::private_key;
            out.key = std::move(key);
            return {};
        }
        ERR_clear_error();
    }
    if (hint == der_hint::any || hint == der_hint::rsa_public_key) {
        // PKCS #1 RSAPublicKey (RFC 8017 §A.1.1), PEM "RSA PUBLIC KEY".
        const unsigned char* p = start;
        pkey_ptr key(d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, length));
        if (key && whole(p)) {
            out.kind = object_kind::public_key;
            out.key = std::move(key);
            return {};
        }
        ERR_clear_error();
    }
    if (hint == der_hint::any || hint == der_hint::pkcs7) {
        const unsigned char* p = start;
        std::unique_ptr<PKCS7, pkcs7_free> p7(d2i_PKCS7(nullptr, &p, length));
        if (p7 && whole(p)) {
            container = true;
            return certificates_of_pkcs7(p7.get(), objects);
        }
        ERR_clear_error();
    }
    if (hint == der_hint::any) {
        const unsigned char* p = start;
        std::unique_ptr<PKCS12, pkcs12_free> p12(d2i_PKCS12(nullptr, &p, length));
        if (p12 && whole(p)) {
            container = true;
            return contents_of_pkcs12(p12.get(), password, objects);
        }
        ERR_clear_error();
    }
    switch (hint) {
    case der_hint::rsa_public_key: return "the PKCS #1 RSA public key does not decode (corrupt or truncated)";
    case der_hint::pkcs7: return "the PKCS #7 does not decode (corrupt or truncated)";
    case der_hint::certificate: return "the certificate does not decode (corrupt or truncated)";
    case der_hint::request: return "the certificate request does not decode (corrupt or truncated)";
    case der_hint::private_key: return "unsupported or corrupt private key";
    case der_hint::encrypted_private_key: return "the encrypted private key does not decode (corrupt or truncated)";
    case der_hint::public_key: return "unsupported or corrupt public key";
    case der_hint::any: break;
    }
    return "DER that is no certificate, certificate request, key, PKCS #7 or PKCS #12";
}

/// Appends what `der` holds to `objects`: one object, or a container's contents.
std::string decode_der(std::string_view der, der_hint hint, const std::optional<std::string>& password,
                       std::vector<loaded_object>& objects) {
    loaded_object out;
    bool container = false;
    std::string error = decode_der_one(der, hint, password, out, objects, container);
    if (error.empty() && !container) objects.push_back(std::move(out));
    return error;
}

void load_der(std::string_view data, loaded_file& file, const std::optional<std::string>& password) {
    file.format = "DER";
    while (!data.empty()) {
        if (static_cast<unsigned char>(data[0]) != 0x30) {
            file.error = file.objects.empty() ? "not PEM or DER" : "bytes after the last DER object";
            return;
        }
        const std::size_t element = der_element_length(data);
        if (element == 0 || element > data.size()) {
            file.error = "truncated DER: ";
            file.error += element == 0 ? "the length is cut short"
                                       : "the object declares " + std::to_string(element) + " octets, the file has " +
                                             std::to_string(data.size());
            return;
        }
        std::string error = decode_der(data.substr(0, element), der_hint::any, password, file.objects);
        if (!error.empty()) {
            file.error = std::move(error);
            return;
        }
        data.remove_prefix(element);
    }
}

der_hint hint_for_label(std::string_view label) {
    if (label == "CERTIFICATE" || label == "X509 CERTIFICATE" || label == "TRUSTED CERTIFICATE")
        return der_hint::certificate;
    if (label == "CERTIFICATE REQUEST" || label == "NEW CERTIFICATE REQUEST") return der_hint::request;
    if (label == "ENCRYPTED PRIVATE KEY") return der_hint::encrypted_private_key;
    if (label == "PRIVATE KEY" || label == "RSA PRIVATE KEY" || label == "EC PRIVATE KEY" || label == "DSA PRIVATE KEY")
        return der_hint::private_key;
    if (label == "PUBLIC KEY") return der_hint::public_key;
    if (label == "RSA PUBLIC KEY") return der_hint::rsa_public_key;
    if (label == "PKCS7" || label == "CERTIFICATE CHAIN") return der_hint::pkcs7;
    return der_hint::any;
}

void load_pem(std::string_view text, loaded_file& file, const std::optional<std::string>& password) {
    file.format = "PEM";
    const std::size_t last_begin = text.rfind("-----BEGIN ");
    if (text.find("-----END ", last_begin) == std::string_view::npos) {
        file.error = "truncated PEM: the last block has no END line";
        return;
    }
    std::unique_ptr<BIO, bio_free> bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
    if (!bio) {
        file.error = "out of memory";
        return;
    }
    for (std::size_t block = 1;; ++block) {
        char* name_raw = nullptr;
        char* header_raw = nullptr;
        unsigned char* data_raw = nullptr;
        long length = 0;
        const int ok = PEM_read_bio(bio.get(), &name_raw, &header_raw, &data_raw, &length);
        std::unique_ptr<char, openssl_string_free> name(name_raw), header(header_raw);
        std::unique_ptr<unsigned char, openssl_bytes_free> data(data_raw);
        if (ok == 0) {
            const unsigned long code = ERR_peek_last_error();
            if (ERR_GET_LIB(code) == ERR_LIB_PEM && ERR_GET_REASON(code) == PEM_R_NO_START_LINE && block > 1) {
                ERR_clear_error();
                return;
            }
            file.error = "PEM block " + std::to_string(block) + " does not decode: " + openssl_reason();
            return;
        }
        const std::string_view label(name.get());
        if (label == "EC PARAMETERS" || label == "DH PARAMETERS") continue;  // beside a key; nothing to inspect
        const der_hint hint = hint_for_label(label);
        if (hint == der_hint::any) {
            file.error = "unsupported PEM block \"" + printable(label, false) + "\"";
            return;
        }
        // Traditional ("Proc-Type: 4,ENCRYPTED") keys are decrypted in place before decoding.
        EVP_CIPHER_INFO cipher;
        if (!PEM_get_EVP_CIPHER_INFO(header.get(), &cipher)) {
            file.error = "PEM block " + std::to_string(block) + ": bad encryption header: " + openssl_reason();
            return;
        }
        if (cipher.cipher != nullptr) {
            password_state state{&password};
            if (!PEM_do_header(&cipher, data.get(), &length, password_callback, &state)) {
                ERR_clear_error();
                file.error = password ? "wrong password (the encrypted key does not decrypt)"
                                      : "encrypted key: use --password-file";
                return;
            }
        }
        std::string error = decode_der(
            std::string_view(reinterpret_cast<const char*>(data.get()), static_cast<std::size_t>(length)), hint,
            password, file.objects);
        // A wrong password passes the CBC padding check about once in 256 tries, and then
        // the "decrypted" bytes are noise: say so rather than blame the key's format.
        if (!error.empty() && cipher.cipher != nullptr) error = "wrong password (the decrypted key does not decode)";
        if (!error.empty()) {
            file.error = "PEM block " + std::to_string(block) + " (" + std::string(label) + "): " + error;
            return;
        }
    }
}

} // namespace

bool read_input_file(const std::string& path, std::string& data, std::string& error) {
    if (path == "-") {
        data.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
        if (std::cin.bad()) {
            error = "read error";
            return false;
        }
        return true;
    }
    // A directory opens as an ifstream on Linux and then fails inside the stream buffer, which
    // libstdc++ reports by throwing; ask the file system first so every caller gets a message.
    struct stat status {};
    if (::stat(path.c_str(), &status) != 0) {
        error = std::strerror(errno);
        return false;
    }
    if (S_ISDIR(status.st_mode)) {
        error = "is a directory";
        return false;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = std::strerror(errno);
        return false;
    }
    data.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (in.bad()) {
        error = "read error";
        return false;
    }
    return true;
}

loaded_file load_file(const std::string& path, const std::optional<std::string>& password) {
    loaded_file file;
    std::string data;
    if (!read_input_file(path, data, file.error)) return file;
    return load_data(data, password);
}

loaded_file load_data(std::string_view data, const std::optional<std::string>& password) {
    loaded_file file;
    if (data.empty()) {
        file.error = "empty file";
        return file;
    }
    // The BIO length is an int; no certificate or key file comes near that.
    if (data.size() > (1u << 30)) {
        file.error = "file too large";
        return file;
    }
    if (is_keystore(data))
        load_keystore(data, file, password);
    else if (data.find("-----BEGIN ") != std::string_view::npos)
        load_pem(data, file, password);
    else
        load_der(data, file, password);
    return file;
}

} // namespace svcid_inspect
