// svcid-inspect's internal interfaces: loading files (load.cpp), describing certificates,
// requests and keys (describe.cpp), printing the descriptions as text or JSON (render.cpp),
// and the commands (commands.cpp) that both the command line (main.cpp) and the local web
// page (serve.cpp) run.
#ifndef SVCID_INSPECT_INSPECT_HPP
#define SVCID_INSPECT_INSPECT_HPP

#include <svcid/reference.hpp>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace svcid_inspect {

struct x509_free { void operator()(X509* p) const noexcept { X509_free(p); } };
struct x509_req_free { void operator()(X509_REQ* p) const noexcept { X509_REQ_free(p); } };
struct evp_pkey_free { void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); } };
using x509_ptr = std::unique_ptr<X509, x509_free>;
using x509_req_ptr = std::unique_ptr<X509_REQ, x509_req_free>;
using pkey_ptr = std::unique_ptr<EVP_PKEY, evp_pkey_free>;
// PKCS #8, encrypted and plain: PEM, DER and keystore keys all pass through them.
struct x509_sig_free { void operator()(X509_SIG* p) const noexcept { X509_SIG_free(p); } };
struct p8_free { void operator()(PKCS8_PRIV_KEY_INFO* p) const noexcept { PKCS8_PRIV_KEY_INFO_free(p); } };

// ---- load.cpp ---------------------------------------------------------------------------

enum class object_kind { certificate, request, private_key, public_key };
const char* object_kind_name(object_kind k);

/// One decoded object of a file: exactly one of the pointers is set, by `kind`.
struct loaded_object {
    object_kind kind = object_kind::certificate;
    x509_ptr cert;
    x509_req_ptr request;
    pkey_ptr key;
    std::optional<std::size_t> keystore_entry;  ///< a keystore's object: its index in keystore_info::entries
};

/// One entry of a Java keystore (keystore.cpp).
struct keystore_entry {
    std::string alias;    ///< display form (printable)
    std::string created;  ///< the creation date the store records, "2026-12-03T11:05:00Z"
    bool private_key = false;  ///< a private-key entry with its chain; else a trusted certificate
    std::string key_state;     ///< private keys: "decrypted", or "encrypted" without a password
    std::size_t certificates = 0;
};

struct keystore_info {
    std::string type;  ///< "JKS" or "JCEKS"
    std::uint32_t version = 0;
    bool integrity_checked = false;  ///< the store's digest verified with the password
    std::vector<keystore_entry> entries;
};

/// Everything a file holds, in file order, or why it could not be read (`error`, a phrase
/// such as "truncated DER: ..."; empty on success).
struct loaded_file {
    std::string format;  ///< "PEM", "DER", "JKS" or "JCEKS"
    std::vector<loaded_object> objects;
    std::string error;
    std::optional<keystore_info> keystore;  ///< set for a Java keystore
};

/// Reads `path`, PEM (any number of blocks) or DER (one or more concatenated objects).
/// `password` decrypts encrypted private keys; without it an encrypted key is an error
/// that says to use --password-file.
/// Reads a whole regular file; false, with `error` set, for a directory or an unreadable path.
bool read_input_file(const std::string& path, std::string& data, std::string& error);
loaded_file load_file(const std::string& path, const std::optional<std::string>& password);
/// The same for bytes already read (the fuzz target's entry).
loaded_file load_data(std::string_view data, const std::optional<std::string>& password);

// ---- keystore.cpp -----------------------------------------------------------------------

/// Whether `data` starts with the JKS or JCEKS magic number.
bool is_keystore(std::string_view data);
/// Reads a Java keystore into `file`: every entry's certificates, and with a password the
/// integrity digest checked and each private key decrypted.
void load_keystore(std::string_view data, loaded_file& file, const std::optional<std::string>& password);
/// Decrypts one private-key entry's EncryptedPrivateKeyInfo (JKS or JCEKS key protection);
/// an error phrase, or "" with `key` set.
std::string decrypt_keystore_key(std::string_view protected_der, const std::string& password, pkey_ptr& key);
/// Keeps only the objects of the entry named `alias`; false, with `error`, when `file` is
/// no keystore or has no such entry.
bool select_alias(loaded_file& file, const std::string& alias, std::string& error);

// ---- fetch.cpp --------------------------------------------------------------------------

/// HOST[:PORT] as `fetch` takes it: a name, an IPv4 address, or an IPv6 address in brackets.
struct server_address {
    std::string host;
    unsigned short port = 443;
    bool is_ip = false;  ///< no SNI is sent for an address (RFC 6066 §3)
};
/// False, with `error`, when `text` is no HOST[:PORT].
bool parse_server_address(const std::string& text, server_address& out, std::string& error);

struct fetch_settings {
    std::optional<std::string> servername;  ///< SNI instead of the host
    std::optional<std::string> ca_file;     ///< trust anchors instead of the system store
    int timeout_ms = 10000;                 ///< for connect and handshake together
};

/// What the server presented, and OpenSSL's verdict on the chain (the name is not checked).
struct fetched_chain {
    std::string address;     ///< the address connected to, "192.0.2.1:443"
    std::string servername;  ///< the SNI sent, empty for none
    std::string protocol, cipher;
    loaded_file file;        ///< the chain as sent, leaf first
    bool verified = false;
    std::string verify_error;  ///< X509_verify_cert_error_string, when not verified
    std::string trust;         ///< what was trusted: the --ca-file, or the system store
};
/// Connects, handshakes and keeps the chain; an error phrase (no connection, no handshake,
/// timed out) or "". Sends no application data.
std::string fetch_chain(const server_address& server, const fetch_settings& settings, fetched_chain& out);

// ---- describe.cpp -----------------------------------------------------------------------

struct key_info {
    std::string type;   ///< "RSA", "EC", "Ed25519", ...
    int bits = 0;
    std::string curve;  ///< EC only: "prime256v1"
    std::string spki_sha256;  ///< hex SHA-256 of the DER SubjectPublicKeyInfo
    std::string rsa_modulus;   ///< RSA only: upper-case hex, as `openssl x509 -modulus` prints it
    std::string rsa_exponent;  ///< RSA only: decimal
    std::string error;  ///< set when the key cannot be encoded
};
key_info describe_key(EVP_PKEY* key);

struct extension_values {
    bool present = false;
    bool critical = false;
    bool malformed = false;  ///< present but does not decode (or appears twice)
    std::vector<std::string> values;
};

struct basic_constraints_info {
    bool present = false;
    bool critical = false;
    bool malformed = false;
    bool ca = false;
    long path_length = -1;  ///< -1: no pathLenConstraint
};

/// Any extension, decoded or not: nothing a certificate carries is dropped from the output.
struct extension_info {
    std::string oid;       ///< dotted
    std::string name;      ///< OpenSSL's long name, or empty when OpenSSL does not know the OID
    bool critical = false;
    std::string text;      ///< OpenSSL's rendering (X509V3_EXT_print), lines joined by "\n"
    std::string value_hex; ///< the extnValue octets, for extensions OpenSSL cannot render
};

/// One attribute of a CSR (RFC 2986 §4.1; PKCS #9, RFC 2985 §5.4): challengePassword,
/// unstructuredName, extensionRequest (its extensions are decoded under `extensions`), or
/// any other, each value as text when it is a string and as DER hex otherwise.
struct attribute_info {
    std::string oid;   ///< dotted
    std::string name;  ///< OpenSSL's long name, or empty when OpenSSL does not know the OID
    struct value {
        std::string asn1_type;  ///< "UTF8String", "PrintableString", "SEQUENCE", ...
        std::string text;       ///< string values, display form (escaped as identifiers are)
        std::string der_hex;    ///< any other value: its whole DER encoding
    };
    std::vector<value> values;
};

/// One presented identifier, classified for people and scripts.
struct identifier_info {
    std::string type;     ///< RFC 6125/9525 term: DNS-ID, CN-ID, SRV-ID, URI-ID, SPIFFE-ID, IP, e-mail, ...
    std::string source;   ///< where it sits: svcid::kind_name ("dNSName", "CN", ...)
    std::string value;    ///< display form, non-printable bytes escaped as \xNN
    std::string raw_hex;  ///< the raw octets in hex, when `value` had to escape any
    std::string unicode;  ///< A-labels decoded (svcid::a_label_to_utf8), when different from value
    std::string oid;      ///< otherName type, dotted
    std::vector<std::string> problems;  ///< why it is malformed and can never match
    std::vector<std::string> notes;     ///< facts worth knowing that are not defects
    bool is_cn = false;
    bool rfc6125_consults = false;      ///< CN-IDs: whether the rfc6125 policy would read it
    std::string rfc6125_reason;         ///< CN-IDs: why (not)
};

/// A finding that is no decoding error but that a reviewer should see; `code` never changes
/// meaning once released (docs/inspect.md lists them).
struct lint {
    std::string code;     ///< "W001"...
    std::string message;
};

/// A certificate or a CSR, decoded.
struct document_info {
    bool is_request = false;
    std::string subject, subject_oneline, issuer, issuer_oneline;
    std::string serial, not_before, not_after;
    std::string validity;       ///< "valid", "expired", "not yet valid"
    long long validity_days = 0;  ///< days left (valid), since expiry (expired), until start
    key_info key;
    std::string signature_algorithm;
    long version = 0;           ///< 1, 2 or 3 (the encoded value plus one, RFC 5280 §4.1.2.1)
    std::string sha256_fingerprint, sha1_fingerprint;
    int signature_valid = -1;   ///< CSRs: 1 verifies, 0 does not, -1 could not be checked
    extension_values key_usage, extended_key_usage;
    basic_constraints_info basic_constraints;
    std::string subject_alt_name;  ///< "absent", "present", "malformed"
    std::vector<identifier_info> identifiers;
    std::size_t san_entries = 0;  ///< GeneralNames in the subjectAltName
    std::vector<extension_info> extensions;
    std::vector<attribute_info> attributes;  ///< CSRs only
    std::vector<lint> lints;
};
document_info describe_certificate(X509* cert);
document_info describe_request(X509_REQ* request);

/// Makes untrusted bytes printable: \\, \" and bytes outside printable ASCII become
/// escapes; with `utf8_ok`, a value that is valid UTF-8 keeps its non-ASCII characters.
/// `escaped` says whether anything was escaped.
std::string printable(std::string_view bytes, bool utf8_ok, bool* escaped = nullptr);
std::string to_hex(std::string_view bytes, char separator = '\0');

// ---- render.cpp -------------------------------------------------------------------------

void print_document_text(std::string& out, const document_info& d, std::size_t index, std::size_t count);

class json_writer;
void write_document_json(json_writer& json, const document_info& d);
void write_key_json(json_writer& json, const key_info& key);

/// The keystore's type, integrity and entries: text before its certificates, and JSON as
/// the "keystore" member of a file object, whose entries name their certificates by index
/// into the file's "certificates" (`objects` are the file's, in that order).
void print_keystore_text(std::string& out, const keystore_info& store);
void write_keystore_json(json_writer& json, const keystore_info& store, const std::vector<loaded_object>& objects);

// ---- commands.cpp -----------------------------------------------------------------------

/// Every JSON document names its shape, so a script can refuse one it was not written for;
/// the number changes only when a member is removed or changes meaning.
inline constexpr const char* json_schema = "svcid-inspect/1";
inline constexpr int exit_ok = 0;
inline constexpr int exit_mismatch = 1;  ///< a reference or key does not match, a CSR does not verify, a lint with --strict
inline constexpr int exit_bad_input = 2;

/// A loaded input under the name it is reported by: a path, or the label the page gave it.
struct named_file {
    std::string name;
    loaded_file file;
};

struct parsed_reference {
    std::string text;
    svcid::reference reference;
};
/// Reads `text` as --type says ("dns", "ip", "srv", "uri", "spiffe", "email"; empty: told by
/// the text's form); false with `error` set when it does not parse.
bool parse_reference_as(const std::string& type, const std::string& text, parsed_reference& out, std::string& error);

/// The certificates of `file` that issued none of the others (a chain's leaf).
std::vector<X509*> leaf_certificates(const loaded_file& file);

// Each command writes its document to `json` when given, else text to `out`, and returns an
// exit status. On exit_bad_input, `error` says why; decode_command still writes its
// {"file", "error"} object, the others write nothing.
int decode_command(const named_file& input, bool requests, bool strict, json_writer* json, std::string& out,
                   std::string& error);
int match_command(const named_file& input, const std::vector<parsed_reference>& references, const std::string& policy,
                  json_writer* json, std::string& out, std::string& error);
/// `failed_input` names the input that made it exit_bad_input.
int keymatch_command(const std::vector<named_file>& inputs, json_writer* json, std::string& out, std::string& error,
                     std::string& failed_input);

/// `fetch`'s report: the chain decoded as `cert` decodes it, the chain's verdict, and the
/// identity check of `reference` against the leaf as `match` prints it. exit_ok when both
/// pass, else exit_mismatch.
int fetch_command(const std::string& server, const fetched_chain& fetched, const parsed_reference& reference,
                  const std::string& policy, json_writer* json, std::string& out);

// ---- serve.cpp --------------------------------------------------------------------------

/// Whether this build has `svcid-inspect serve` (it needs Boost.Beast's headers).
bool serve_available();
/// Serves the page on 127.0.0.1:`port` (0: a free port) until killed; prints the URL with
/// its token on stdout. Returns an exit status when it cannot start.
int run_serve(unsigned short port, std::size_t max_body);

} // namespace svcid_inspect

#endif
