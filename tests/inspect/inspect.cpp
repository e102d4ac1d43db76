// svcid-inspect, run as a program: every file it reads is generated here at run time
// (cert_builder.hpp) or is a committed keystore, every server it fetches from runs here, and
// each test checks the text, the JSON and the exit status.
#include "catch.hpp"
#include "cert_builder.hpp"
#include "json_reader.hpp"

#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/pkcs7.h>
#include <openssl/conf.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <mutex>
#include <thread>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace {

using namespace svcid_test;
namespace fs = std::filesystem;

/// A private directory for the files of this run, removed at exit.
struct temp_dir {
    fs::path path;
    temp_dir() {
        std::string pattern = (fs::temp_directory_path() / "svcid-inspect-XXXXXX").string();
        if (mkdtemp(&pattern[0]) == nullptr) throw std::runtime_error("mkdtemp failed");
        path = pattern;
    }
    ~temp_dir() {
        std::error_code ignored;
        fs::remove_all(path, ignored);
    }
};

const fs::path& dir() {
    static temp_dir d;
    return d.path;
}

std::string write_file(const std::string& name, const std::string& bytes) {
    const fs::path p = dir() / name;
    std::ofstream(p, std::ios::binary) << bytes;
    return p.string();
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

struct run_result {
    std::string out, err;
    int status = -1;
};

/// Runs svcid-inspect with `args`, stdout and stderr captured through files.
run_result inspect(const std::vector<std::string>& args, const std::string& stdin_path = "/dev/null") {
    const std::string out_path = (dir() / "stdout").string();
    const std::string err_path = (dir() / "stderr").string();
    std::vector<std::string> storage{SVCID_INSPECT_BINARY};
    storage.insert(storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : storage) argv.push_back(&a[0]);
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, stdin_path.c_str(), O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    pid_t pid = 0;
    const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) throw std::runtime_error("cannot run " SVCID_INSPECT_BINARY);
    int wait_status = 0;
    if (waitpid(pid, &wait_status, 0) != pid) throw std::runtime_error("waitpid failed");
    run_result r;
    // A signal (a crash) leaves status -1, which no test expects.
    if (WIFEXITED(wait_status)) r.status = WEXITSTATUS(wait_status);
    r.out = read_file(out_path);
    r.err = read_file(err_path);
    return r;
}

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

// ---- files --------------------------------------------------------------------------

struct bio_free { void operator()(BIO* p) const noexcept { BIO_free(p); } };

template <class Write>
std::string pem(Write write) {
    std::unique_ptr<BIO, bio_free> bio(BIO_new(BIO_s_mem()));
    check(write(bio.get()), "PEM_write");
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(length));
}

std::string pem_of(X509* cert) { return pem([&](BIO* b) { return PEM_write_bio_X509(b, cert); }); }
std::string pem_of(X509_REQ* req) { return pem([&](BIO* b) { return PEM_write_bio_X509_REQ(b, req); }); }
std::string pem_of_key(EVP_PKEY* key) {
    return pem([&](BIO* b) { return PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr); });
}
std::string pem_of_encrypted_key(EVP_PKEY* key, const std::string& password) {
    return pem([&](BIO* b) {
        return PEM_write_bio_PKCS8PrivateKey(b, key, EVP_aes_256_cbc(), const_cast<char*>(password.data()),
                                             static_cast<int>(password.size()), nullptr, nullptr);
    });
}
std::string pem_of_traditional_encrypted_key(EVP_PKEY* key, const std::string& password) {
    return pem([&](BIO* b) {
        return PEM_write_bio_PrivateKey_traditional(b, key, EVP_aes_128_cbc(),
                                                    reinterpret_cast<unsigned char*>(const_cast<char*>(password.data())),
                                                    static_cast<int>(password.size()), nullptr, nullptr);
    });
}
std::string der_of(X509_REQ* req) {
    unsigned char* der = nullptr;
    const int length = i2d_X509_REQ(req, &der);
    check(length, "i2d_X509_REQ");
    std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(length));
    OPENSSL_free(der);
    return out;
}

std::string hex(const unsigned char* p, std::size_t n) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < n; ++i) {
        out += digits[p[i] >> 4];
        out += digits[p[i] & 0xF];
    }
    return out;
}

/// The SHA-256 of the DER SubjectPublicKeyInfo, computed here independently of the tool.
std::string spki_sha256(EVP_PKEY* key) {
    unsigned char* der = nullptr;
    const int length = i2d_PUBKEY(key, &der);
    check(length, "i2d_PUBKEY");
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_length = 0;
    check(EVP_Digest(der, static_cast<std::size_t>(length), md, &md_length, EVP_sha256(), nullptr), "EVP_Digest");
    OPENSSL_free(der);
    return hex(md, md_length);
}

std::string fingerprint(X509* cert) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_length = 0;
    check(X509_digest(cert, EVP_sha256(), md, &md_length), "X509_digest");
    std::string plain = hex(md, md_length), out;
    for (std::size_t i = 0; i < plain.size(); i += 2) out += (i ? ":" : "") + plain.substr(i, 2);
    return out;
}

/// A server certificate with one identifier of every kind the inspector classifies.
const built_certificate& rich_certificate() {
    static const built_certificate cert = [] {
        cert_spec spec;
        spec.subject_cn("www.example.com");
        spec.add_san(der::dns("www.example.com"))
            .add_san(der::dns("*.example.com"))
            .add_san(der::dns("xn--bcher-kva.example"))
            .add_san(der::ip(std::string("\xc0\x00\x02\x01", 4)))
            .add_san(der::uri("https://api.example.com/v1"))
            .add_san(der::uri("spiffe://prod.example/ns/web"))
            .add_san(der::srv_name("_imap.example.net"))
            .add_san(der::rfc822("ops@example.com"))
            .add_san(der::xmpp_addr("im@example.com"))
            .add_san(der::other_name("1.2.3.4.5", der::utf8("opaque")));
        return make_certificate(spec);
    }();
    return cert;
}

const svcid_test::json_value* find_identifier(const json_value& doc, const std::string& source, const std::string& value) {
    const json_value& ids = doc["identifiers"];
    for (std::size_t i = 0; i < ids.size(); ++i)
        if (ids[i]["source"].string == source && ids[i]["value"].string == value) return &ids[i];
    return nullptr;
}

} // namespace

// ---- cert ---------------------------------------------------------------------------

TEST_CASE("cert classifies every presented identifier per RFC 9525 §2 and RFC 6125 §1.8, A-labels with their U-labels") {
    const auto& c = rich_certificate();
    const std::string file = write_file("rich.pem", pem_of(c.cert.get()));
    const run_result r = inspect({"cert", file});
    REQUIRE(r.status == 0);
    CHECK(r.err.empty());
    CHECK(contains(r.out, "subject:             CN=www.example.com\n"));
    // Thirty days from a second ago: 29 whole days and some hours, or 30 on a slow machine.
    CHECK((contains(r.out, "(valid, 29 days left)") || contains(r.out, "(valid, 30 days left)")));
    CHECK(contains(r.out, "public key:          EC prime256v1, 256 bits\n"));
    CHECK(contains(r.out, "SPKI SHA-256:        " + spki_sha256(c.key.get()) + "\n"));
    CHECK(contains(r.out, "SHA-256 fingerprint: " + fingerprint(c.cert.get()) + "\n"));
    CHECK(contains(r.out, "signature:           ecdsa-with-SHA256\n"));
    CHECK(contains(r.out, "DNS-ID    dNSName \"www.example.com\"\n"));
    CHECK(contains(r.out, "DNS-ID    dNSName \"xn--bcher-kva.example\" (bücher.example)\n"));
    CHECK(contains(r.out, "IP        iPAddress 192.0.2.1\n"));
    CHECK(contains(r.out, "URI-ID    uniformResourceIdentifier \"https://api.example.com/v1\"\n"));
    CHECK(contains(r.out, "SPIFFE-ID uniformResourceIdentifier \"spiffe://prod.example/ns/web\"\n"));
    CHECK(contains(r.out, "SRV-ID    SRVName \"_imap.example.net\"\n"));
    CHECK(contains(r.out, "e-mail    rfc822Name \"ops@example.com\"\n"));
    CHECK(contains(r.out, "XmppAddr  XmppAddr \"im@example.com\"\n"));
    CHECK(contains(r.out, "otherName otherName 1.2.3.4.5 0c066f7061717565\n"));
    CHECK(contains(r.out, "CN-ID     CN \"www.example.com\"\n"));
    CHECK(contains(r.out, "rfc6125: not consulted: the certificate has DNS-, SRV-, URI-ID or iPAddress SANs\n"));
    CHECK_FALSE(contains(r.out, "MALFORMED"));
}

TEST_CASE("cert --json gives the same facts as valid JSON") {
    const auto& c = rich_certificate();
    const std::string file = write_file("rich-json.pem", pem_of(c.cert.get()));
    const run_result r = inspect({"--json", "cert", file});
    REQUIRE(r.status == 0);
    const json_value root = parse_json(r.out);
    REQUIRE(root.size() == 1);
    CHECK(root[0]["file"].string == file);
    CHECK(root[0]["format"].string == "PEM");
    const json_value& doc = root[0]["certificates"][0];
    CHECK(doc["type"].string == "certificate");
    CHECK(doc["subject"].string == "CN=www.example.com");
    CHECK(doc["validity"].string == "valid");
    CHECK(doc["public_key"]["type"].string == "EC");
    CHECK(doc["public_key"]["bits"].number == 256);
    CHECK(doc["public_key"]["curve"].string == "prime256v1");
    CHECK(doc["public_key"]["spki_sha256"].string == spki_sha256(c.key.get()));
    CHECK(doc["sha256_fingerprint"].string == fingerprint(c.cert.get()));
    CHECK(doc["key_usage"].is_null());
    CHECK(doc["subject_alt_name"].string == "present");
    CHECK(doc["identifiers"].size() == 11);
    const json_value* alabel = find_identifier(doc, "dNSName", "xn--bcher-kva.example");
    REQUIRE(alabel != nullptr);
    CHECK((*alabel)["type"].string == "DNS-ID");
    CHECK((*alabel)["unicode"].string == "bücher.example");
    CHECK((*alabel)["malformed"].boolean == false);
    const json_value* other = find_identifier(doc, "otherName", "0c066f7061717565");
    REQUIRE(other != nullptr);
    CHECK((*other)["oid"].string == "1.2.3.4.5");
    const json_value* cn = find_identifier(doc, "CN", "www.example.com");
    REQUIRE(cn != nullptr);
    CHECK((*cn)["type"].string == "CN-ID");
    CHECK((*cn)["consulted"]["rfc9525"].boolean == false);
    CHECK((*cn)["consulted"]["rfc6125"].boolean == false);
}

TEST_CASE("cert reads DER as well as PEM") {
    const auto& c = rich_certificate();
    const std::string file = write_file("rich.der", c.der);
    const run_result r = inspect({"--json", "cert", file});
    REQUIRE(r.status == 0);
    const json_value root = parse_json(r.out);
    CHECK(root[0]["format"].string == "DER");
    CHECK(root[0]["certificates"][0]["sha256_fingerprint"].string == fingerprint(c.cert.get()));
}

TEST_CASE("cert shows every certificate of a chain file, with key usage and basic constraints (RFC 5280 §4.2.1.9)") {
    cert_spec ca_spec;
    ca_spec.subject_cn("Test Root CA");
    ca_spec.ca = true;
    const built_certificate ca = make_certificate(ca_spec);
    cert_spec leaf_spec;
    leaf_spec.subject_cn("leaf.example.com").add_san(der::dns("leaf.example.com"));
    leaf_spec.key = key_type::rsa_2048;
    const built_certificate leaf = make_certificate(leaf_spec, {ca.cert.get(), ca.key.get()});
    const std::string file = write_file("chain.pem", pem_of(leaf.cert.get()) + pem_of(ca.cert.get()));

    const run_result text = inspect({"cert", file});
    REQUIRE(text.status == 0);
    CHECK(contains(text.out, "certificate 1 of 2\n"));
    CHECK(contains(text.out, "certificate 2 of 2\n"));
    CHECK(contains(text.out, "issuer:              CN=Test Root CA\n"));
    CHECK(contains(text.out, "public key:          RSA, 2048 bits\n"));
    CHECK(contains(text.out, "basic constraints:   CA (critical)\n"));

    const json_value root = parse_json(inspect({"--json", "cert", file}).out);
    const json_value& certs = root[0]["certificates"];
    REQUIRE(certs.size() == 2);
    CHECK(certs[0]["subject"].string == "CN=leaf.example.com");
    CHECK(certs[0]["basic_constraints"].is_null());
    CHECK(certs[1]["basic_constraints"]["ca"].boolean);
    CHECK(certs[1]["basic_constraints"]["critical"].boolean);
}

TEST_CASE("cert flags a dNSName with a NUL byte as malformed and shows the byte escaped (RFC 5280 §4.2.1.6)") {
    cert_spec spec;
    spec.add_san(der::dns(std::string("www.example.com\0.evil.example", 29)));
    const std::string file = write_file("nul.pem", pem_of(make_certificate(spec).cert.get()));
    const run_result r = inspect({"cert", file});
    REQUIRE(r.status == 0);
    CHECK(contains(r.out, "DNS-ID    dNSName \"www.example.com\\x00.evil.example\"\n"));
    CHECK(contains(r.out, "MALFORMED: contains a NUL byte"));

    const json_value root = parse_json(inspect({"--json", "cert", file}).out);
    const json_value& id = root[0]["certificates"][0]["identifiers"][0];
    CHECK(id["value"].string == "www.example.com\\x00.evil.example");
    CHECK(id["raw_hex"].string.substr(28, 4) == "6d00");
    CHECK(id["malformed"].boolean);
}

TEST_CASE("cert flags a wildcard outside the left-most label, an invalid A-label and a 5-octet iPAddress (RFC 6125 §6.4.3, RFC 5890 §2.3.2.1)") {
    cert_spec spec;
    spec.add_san(der::dns("www.*.example.com"))
        .add_san(der::dns("*.com"))
        .add_san(der::dns("xn--abc-.example"))
        .add_san(der::dns("f*.example.com"))
        .add_san(der::ip(std::string("\x01\x02\x03\x04\x05", 5)));
    const std::string file = write_file("bad-names.pem", pem_of(make_certificate(spec).cert.get()));
    const run_result r = inspect({"cert", file});
    REQUIRE(r.status == 0);
    CHECK(contains(r.out, "\"www.*.example.com\"\n        MALFORMED: has '*' outside the left-most label"));
    CHECK(contains(r.out, "\"*.com\"\n        MALFORMED: is a wildcard with too few labels after '*'"));
    CHECK(contains(r.out, "\"xn--abc-.example\"\n        MALFORMED: invalid A-label: label 1:"));
    CHECK(contains(r.out, "\"f*.example.com\"\n        note: partial wildcard: only the rfc6125 policy accepts it"));
    CHECK(contains(r.out, "IP        iPAddress 01:02:03:04:05\n        MALFORMED: 5 octets"));
}

TEST_CASE("cert says an expired certificate is expired and a future one is not yet valid (RFC 5280 §4.1.2.5)") {
    cert_spec expired;
    expired.not_before_offset = -60L * 24 * 3600;
    expired.not_after_offset = -3L * 24 * 3600 - 60;
    cert_spec future;
    future.not_before_offset = 5L * 24 * 3600 + 60;
    const std::string expired_file = write_file("expired.pem", pem_of(make_certificate(expired).cert.get()));
    const std::string future_file = write_file("future.pem", pem_of(make_certificate(future).cert.get()));
    const run_result e = inspect({"cert", expired_file});
    REQUIRE(e.status == 0);
    CHECK(contains(e.out, "(expired 3 days ago)"));
    const run_result f = inspect({"cert", future_file});
    CHECK(contains(f.out, "(not yet valid, starts in 5 days)"));
    CHECK(parse_json(inspect({"--json", "cert", expired_file}).out)[0]["certificates"][0]["validity"].string == "expired");
    CHECK(parse_json(inspect({"--json", "cert", future_file}).out)[0]["certificates"][0]["validity"].string ==
          "not yet valid");
}

TEST_CASE("cert reports a subjectAltName that does not parse, and that the CN is then never a fallback") {
    cert_spec spec;
    spec.subject_cn("www.example.com");
    spec.san_raw = std::string("\x30\x05\x82\x09www", 7);
    const std::string file = write_file("bad-san.pem", pem_of(make_certificate(spec).cert.get()));
    const run_result r = inspect({"cert", file});
    REQUIRE(r.status == 0);
    CHECK(contains(r.out, "subjectAltName:      MALFORMED"));
    CHECK(contains(r.out, "rfc6125: not consulted: the subjectAltName is malformed"));
    CHECK(parse_json(inspect({"--json", "cert", file}).out)[0]["certificates"][0]["subject_alt_name"].string == "malformed");
}

TEST_CASE("a CN-ID is consulted by rfc6125 only when there is no DNS-, SRV-, URI-ID or IP SAN, and only the last CN (RFC 6125 §6.4.4)") {
    cert_spec spec;
    spec.subject.push_back({cn("first.example.com")});
    spec.subject.push_back({cn("last.example.com")});
    spec.add_san(der::rfc822("ops@example.com"));
    const std::string file = write_file("cn-only.pem", pem_of(make_certificate(spec).cert.get()));
    const json_value doc = parse_json(inspect({"--json", "cert", file}).out)[0]["certificates"][0];
    const json_value* first = find_identifier(doc, "CN", "first.example.com");
    const json_value* last = find_identifier(doc, "CN", "last.example.com");
    REQUIRE(first != nullptr);
    REQUIRE(last != nullptr);
    CHECK((*first)["consulted"]["rfc6125"].boolean == false);
    CHECK((*first)["consulted"]["rfc6125_reason"].string == "only the last (most specific) CN is consulted");
    CHECK((*last)["consulted"]["rfc6125"].boolean == true);
    CHECK((*last)["consulted"]["rfc9525"].boolean == false);
}

// ---- csr ----------------------------------------------------------------------------

TEST_CASE("csr shows the requested identities and that the self-signature verifies (RFC 2986 §3)") {
    cert_spec spec;
    spec.subject_cn("api.example.com").add_san(der::dns("api.example.com")).add_san(der::ip(std::string("\x0a\x00\x00\x07", 4)));
    spec.key = key_type::ed25519;
    const built_request req = make_request(spec);
    const std::string file = write_file("req.pem", pem_of(req.request.get()));
    const run_result r = inspect({"csr", file});
    REQUIRE(r.status == 0);
    CHECK(contains(r.out, "certificate request\n"));
    CHECK(contains(r.out, "public key:          Ed25519, 256 bits\n"));
    CHECK(contains(r.out, "self-signature:      verifies\n"));
    CHECK(contains(r.out, "DNS-ID    dNSName \"api.example.com\"\n"));
    CHECK(contains(r.out, "IP        iPAddress 10.0.0.7\n"));
    const json_value doc = parse_json(inspect({"--json", "csr", file}).out)[0]["requests"][0];
    CHECK(doc["type"].string == "request");
    CHECK(doc["signature_valid"].boolean);
    CHECK(doc["public_key"]["spki_sha256"].string == spki_sha256(req.key.get()));
}

TEST_CASE("csr says when the self-signature does not verify") {
    cert_spec spec;
    spec.subject_cn("api.example.com");
    const built_request req = make_request(spec);
    std::string der = der_of(req.request.get());
    der[der.size() - 1] = static_cast<char>(der[der.size() - 1] ^ 0x01);  // inside the signature
    const std::string file = write_file("bad-sig.der", der);
    const run_result r = inspect({"csr", file});
    CHECK(r.status == 1);
    CHECK(contains(r.out, "self-signature:      DOES NOT VERIFY\n"));
    CHECK(parse_json(inspect({"--json", "csr", file}).out)[0]["requests"][0]["signature_valid"].boolean == false);
}

TEST_CASE("csr shows every attribute: challengePassword, unstructuredName, extensionRequest, unknown ones as OID and DER hex (RFC 2985 §5.4)") {
    cert_spec spec;
    spec.subject_cn("attrs.example.com").add_san(der::dns("attrs.example.com"));
    const built_request req = make_request(spec);
    X509_REQ* r = req.request.get();
    REQUIRE(X509_REQ_add1_attr_by_NID(r, NID_pkcs9_challengePassword, MBSTRING_ASC,
                                      reinterpret_cast<const unsigned char*>("s3cret"), -1) == 1);
    REQUIRE(X509_REQ_add1_attr_by_NID(r, NID_pkcs9_unstructuredName, MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char*>("Unit \x1b[31m"), -1) == 1);
    ASN1_OBJECT* unknown = OBJ_txt2obj("1.3.6.1.4.1.55555.7", 1);
    REQUIRE(unknown != nullptr);
    REQUIRE(X509_REQ_add1_attr_by_OBJ(r, unknown, V_ASN1_OCTET_STRING, reinterpret_cast<const unsigned char*>("\x01\x02"), 2) == 1);
    ASN1_OBJECT_free(unknown);
    REQUIRE(X509_REQ_sign(r, req.key.get(), EVP_sha256()) > 0);
    const std::string file = write_file("attrs.csr", pem_of(r));
    const run_result text = inspect({"csr", file});
    REQUIRE(text.status == 0);
    CHECK(contains(text.out, "  attributes: 4\n"));
    CHECK(contains(text.out, "    Extension Request (1.2.840.113549.1.9.14)\n      SEQUENCE 30:"));
    CHECK(contains(text.out, "    challengePassword (1.2.840.113549.1.9.7)\n      UTF8STRING \"s3cret\"\n"));
    CHECK(contains(text.out, "    unstructuredName (1.2.840.113549.1.9.2)\n      UTF8STRING \"Unit \\x1b[31m\"\n"));
    CHECK(contains(text.out, "    1.3.6.1.4.1.55555.7\n      OCTET STRING 04:02:01:02\n"));
    const json_value attributes = parse_json(inspect({"--json", "csr", file}).out)[0]["requests"][0]["attributes"];
    REQUIRE(attributes.items.size() == 4);
    // DER sorts a SET OF, so the attributes come back in encoding order, not in the order added.
    auto attribute = [&](const std::string& oid) -> const json_value& {
        for (const auto& a : attributes.items)
            if (a["oid"].string == oid) return a;
        FAIL("no attribute " << oid);
        return attributes;
    };
    CHECK(attribute("1.2.840.113549.1.9.7")["name"].string == "challengePassword");
    CHECK(attribute("1.2.840.113549.1.9.7")["values"][0]["text"].string == "s3cret");
    CHECK(attribute("1.2.840.113549.1.9.2")["values"][0]["text"].string == "Unit \\x1b[31m");
    CHECK(attribute("1.2.840.113549.1.9.14")["values"][0]["der_hex"].string.rfind("30:", 0) == 0);
    CHECK(attribute("1.3.6.1.4.1.55555.7")["name"].is_null());
    CHECK(attribute("1.3.6.1.4.1.55555.7")["values"][0]["der_hex"].string == "04:02:01:02");
}

// ---- match --------------------------------------------------------------------------

TEST_CASE("match exits 0 when every reference matches and names the presented identifier that did (RFC 9525 §6)") {
    const std::string file = write_file("match.pem", pem_of(rich_certificate().cert.get()));
    const run_result r = inspect({"match", file, "www.example.com", "foo.example.com", "192.0.2.1", "ops@example.com",
                                  "https://api.example.com"});
    INFO(r.out << r.err);
    CHECK(r.status == 0);
    CHECK(contains(r.out, "MATCH     DNS-ID \"foo.example.com\": matched dNSName \"*.example.com\"\n"));
    CHECK(contains(r.out, "MATCH     IP-ID 192.0.2.1: matched iPAddress 192.0.2.1\n"));
    CHECK(contains(r.out, "MATCH     URI-ID \"https://api.example.com\": matched uniformResourceIdentifier"));
    CHECK(contains(r.out, "all references match\n"));
    const run_result srv = inspect({"match", file, "--type", "srv", "_imap.example.net"});
    CHECK(srv.status == 0);
    CHECK(contains(srv.out, "matched SRVName \"_imap.example.net\""));
}

TEST_CASE("match exits 1 and says why with svcid::explain when a reference does not match (RFC 9525 §6.3)") {
    const std::string file = write_file("nomatch.pem", pem_of(rich_certificate().cert.get()));
    const run_result r = inspect({"match", file, "www.example.com", "a.b.example.com"});
    CHECK(r.status == 1);
    CHECK(contains(r.out, "NO MATCH  DNS-ID \"a.b.example.com\": no presented identifier matches\n"
                          "            dNSName \"www.example.com\": names another host\n"));
    CHECK(contains(r.out, "some references do not match\n"));

    const run_result j = inspect({"--json", "match", file, "www.example.com", "198.51.100.1"});
    CHECK(j.status == 1);
    const json_value root = parse_json(j.out);
    CHECK(root["policy"].string == "rfc9525");
    CHECK(root["all_matched"].boolean == false);
    CHECK(root["results"][0]["matched"].boolean);
    CHECK(root["results"][0]["presented"]["value"].string == "www.example.com");
    CHECK(root["results"][1]["type"].string == "IP-ID");
    CHECK(root["results"][1]["status"].string == "no_match");
    CHECK(root["results"][1]["presented"].is_null());
    CHECK(contains(root["results"][1]["explanation"].string, "iPAddress 192.0.2.1: is another address"));
}

TEST_CASE("match follows --policy: the CN-ID fallback only under rfc6125 (RFC 6125 §6.4.4, RFC 9525 §6.3)") {
    cert_spec spec;
    spec.subject_cn("legacy.example.com");
    const std::string file = write_file("legacy.pem", pem_of(make_certificate(spec).cert.get()));
    const run_result strict = inspect({"--json", "match", file, "legacy.example.com"});
    CHECK(strict.status == 1);
    CHECK(parse_json(strict.out)["results"][0]["status"].string == "cn_not_consulted");
    const run_result lenient = inspect({"--json", "match", file, "legacy.example.com", "--policy", "rfc6125"});
    CHECK(lenient.status == 0);
    const json_value root = parse_json(lenient.out);
    CHECK(root["policy"].string == "rfc6125");
    CHECK(root["results"][0]["cn_consulted"].boolean);
    CHECK(root["results"][0]["presented"]["source"].string == "CN");
}

TEST_CASE("match refuses a SPIFFE reference against a certificate with two URI SANs: it is no X509-SVID (X509-SVID §2)") {
    const std::string file = write_file("two-uris.pem", pem_of(rich_certificate().cert.get()));
    const run_result r = inspect({"--json", "match", file, "spiffe://prod.example/ns/web"});
    CHECK(r.status == 1);
    CHECK(parse_json(r.out)["results"][0]["status"].string == "not_an_svid");
    CHECK(contains(inspect({"cert", file}).out, "the certificate has 2 URI SANs, so it is no X509-SVID"));
}

TEST_CASE("match --type spiffe matches the one URI SAN of an X509-SVID") {
    cert_spec spec;
    spec.add_san(der::uri("spiffe://prod.example/ns/payments"));
    const std::string file = write_file("svid.pem", pem_of(make_certificate(spec).cert.get()));
    CHECK(inspect({"match", file, "--type", "spiffe", "spiffe://prod.example/ns/payments"}).status == 0);
    CHECK(inspect({"match", file, "--type", "spiffe", "spiffe://prod.example/ns/other"}).status == 1);
}

TEST_CASE("match exits 2 on a bad reference with svcid::describe's message, and on bad options") {
    const std::string file = write_file("badref.pem", pem_of(rich_certificate().cert.get()));
    const run_result r = inspect({"match", file, "bad..example"});
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(contains(r.err, "bad reference \"bad..example\": label 2: the name has an empty label"));
    CHECK(inspect({"match", file, "*.example.com"}).status == 2);
    CHECK(inspect({"match", file, "--type", "ip", "1.2.3.04"}).status == 2);
    CHECK(contains(inspect({"match", file, "x.example", "--policy", "loose"}).err, "--policy must be"));
    CHECK(inspect({"match", file}).status == 2);
}

// ---- keymatch -----------------------------------------------------------------------

TEST_CASE("keymatch finds the same public key in a certificate, its CSR and its private key, for RSA, EC P-256 and Ed25519") {
    for (key_type type : {key_type::rsa_2048, key_type::ec_p256, key_type::ed25519}) {
        cert_spec spec;
        spec.key = type;
        spec.subject_cn("k.example.com");
        const built_certificate c = make_certificate(spec);
        const std::string tag = std::to_string(static_cast<int>(type));
        const std::string cert_file = write_file("k" + tag + ".crt", pem_of(c.cert.get()));
        const std::string key_file = write_file("k" + tag + ".key", pem_of_key(c.key.get()));
        // A CSR for the same key: sign one with the certificate's key.
        X509_REQ* req = check(X509_REQ_new(), "X509_REQ_new");
        x509_req_ptr owned(req);
        check(X509_REQ_set_pubkey(req, c.key.get()), "X509_REQ_set_pubkey");
        check(X509_REQ_sign(req, c.key.get(), digest_for(c.key.get())), "X509_REQ_sign");
        const std::string csr_file = write_file("k" + tag + ".csr", der_of(req));

        const run_result r = inspect({"--json", "keymatch", cert_file, csr_file, key_file});
        CHECK(r.status == 0);
        const json_value root = parse_json(r.out);
        CHECK(root["match"].boolean);
        REQUIRE(root["objects"].size() == 3);
        CHECK(root["objects"][0]["kind"].string == "certificate");
        CHECK(root["objects"][1]["kind"].string == "certificate request");
        CHECK(root["objects"][2]["kind"].string == "private key");
        for (std::size_t i = 0; i < 3; ++i) CHECK(root["objects"][i]["key"]["spki_sha256"].string == spki_sha256(c.key.get()));
        CHECK(root["objects"][2]["key"]["type"].string ==
              (type == key_type::rsa_2048 ? "RSA" : type == key_type::ec_p256 ? "EC" : "Ed25519"));
    }
}

TEST_CASE("keymatch exits 1 and names each key when they differ") {
    const built_certificate a = make_certificate(cert_spec{});
    const pkey_ptr other = make_key(key_type::ed25519);
    const std::string cert_file = write_file("differ.crt", pem_of(a.cert.get()));
    const std::string key_file = write_file("differ.key", pem_of_key(other.get()));
    const run_result r = inspect({"keymatch", cert_file, key_file});
    CHECK(r.status == 1);
    CHECK(contains(r.out, cert_file + ": certificate, EC prime256v1 256 bits, SPKI SHA-256 " + spki_sha256(a.key.get())));
    CHECK(contains(r.out, key_file + ": private key, Ed25519 256 bits, SPKI SHA-256 " + spki_sha256(other.get())));
    CHECK(contains(r.out, "the public keys DIFFER\n"));
}

TEST_CASE("keymatch decrypts a password-protected key with --password-file, and says clearly when it cannot") {
    const built_certificate c = make_certificate(cert_spec{});
    const std::string cert_file = write_file("enc.crt", pem_of(c.cert.get()));
    const std::string pkcs8 = write_file("enc-pkcs8.key", pem_of_encrypted_key(c.key.get(), "s3cret"));
    const std::string traditional = write_file("enc-trad.key", pem_of_traditional_encrypted_key(c.key.get(), "s3cret"));
    const std::string good = write_file("good.pw", "s3cret\n");
    const std::string bad = write_file("bad.pw", "guess\n");
    for (const std::string& key_file : {pkcs8, traditional}) {
        const run_result none = inspect({"keymatch", cert_file, key_file});
        CHECK(none.status == 2);
        CHECK(contains(none.err, key_file + ": "));
        CHECK(contains(none.err, "encrypted key: use --password-file"));
        CHECK(inspect({"keymatch", cert_file, key_file, "--password-file", good}).status == 0);
        const run_result wrong = inspect({"keymatch", cert_file, key_file, "--password-file", bad});
        INFO(wrong.err);
        CHECK(wrong.status == 2);
        CHECK(contains(wrong.err, "wrong password"));
    }
}

// ---- bad input ----------------------------------------------------------------------

TEST_CASE("bad files exit 2 with the file name and the reason on stderr, never a crash") {
    const built_certificate c = make_certificate(cert_spec{});
    const std::string full = pem_of(c.cert.get());
    struct bad_file {
        std::string name, bytes, reason;
    };
    const bad_file cases[] = {
        {"truncated.pem", full.substr(0, full.size() / 2), "truncated PEM"},
        {"truncated.der", c.der.substr(0, c.der.size() - 10), "truncated DER"},
        {"garbage.bin", std::string("\x13\x37 not a certificate at all \xff\xfe", 31), "not PEM or DER"},
        {"empty.pem", "", "empty file"},
        {"bad-base64.pem", "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n", "does not decode"},
        {"params.pem", "-----BEGIN X509 CRL-----\nMAA=\n-----END X509 CRL-----\n", "unsupported PEM block"},
        {"corrupt.der", std::string("\x30\x03\x02\x01\x05", 5), "DER that is no certificate"},
    };
    for (const auto& bad : cases) {
        const std::string file = write_file(bad.name, bad.bytes);
        for (const char* command : {"cert", "csr", "keymatch"}) {
            const run_result r = inspect({"--json", command, file});
            INFO(bad.name << " " << command << ": " << r.err);
            CHECK(r.status == 2);
            if (std::string(command) == "keymatch") {
                CHECK(r.out.empty());
            } else {
                const json_value root = parse_json(r.out);
                REQUIRE(root.size() == 1);
                CHECK(root[0]["file"].string == file);
                CHECK(contains(root[0]["error"].string, bad.reason));
            }
            CHECK(contains(r.err, "svcid-inspect: " + file + ": "));
            CHECK(contains(r.err, bad.reason));
        }
    }
    const run_result missing = inspect({"cert", (dir() / "no-such-file").string()});
    CHECK(missing.status == 2);
    CHECK(contains(missing.err, "No such file or directory"));
    const run_result csr_as_cert = inspect({"csr", write_file("not-a-csr.pem", full)});
    CHECK(csr_as_cert.status == 2);
    CHECK(contains(csr_as_cert.err, "holds no certificate request"));
}

TEST_CASE("names are escaped once, as RFC 4514 §2.4 says, and UTF-8 values stay readable") {
    cert_spec spec;
    spec.subject.push_back({{"O", V_ASN1_UTF8STRING, "DigiCert, Inc."}});
    spec.subject.push_back({{"CN", V_ASN1_UTF8STRING, "M\xc3\xbcller"}});
    const std::string file = write_file("escaped-name.pem", pem_of(make_certificate(spec).cert.get()));
    const run_result text = inspect({"cert", file});
    INFO(text.out << text.err);
    REQUIRE(text.status == 0);
    CHECK(contains(text.out, "CN=M\xc3\xbcller,O=DigiCert\\, Inc."));
    CHECK_FALSE(contains(text.out, "DigiCert\\\\,"));
    CHECK_FALSE(contains(text.out, "\\C3\\BC"));
    const run_result json = inspect({"--json", "cert", file});
    REQUIRE(json.status == 0);
    const json_value doc = parse_json(json.out);
    CHECK(doc[0]["certificates"][0]["subject"].string == "CN=M\xc3\xbcller,O=DigiCert\\, Inc.");
}

TEST_CASE("a directory given as a file or as the password file exits 2 with a reason, never a crash") {
    const std::string directory = dir().string();
    for (const char* command : {"cert", "csr", "keymatch"}) {
        const run_result r = inspect({command, directory});
        INFO(command << ": " << r.err);
        CHECK(r.status == 2);
        CHECK(contains(r.err, "is a directory"));
    }
    const std::string key = write_file("dir-test-key.pem", pem_of_key(make_key(key_type::ec_p256).get()));
    const run_result r = inspect({"keymatch", "--password-file", directory, key});
    INFO(r.err);
    CHECK(r.status == 2);
    CHECK(contains(r.err, "is a directory"));
}

TEST_CASE("one bad file is reported and the good files given with it are still decoded, exit 2") {
    const std::string good = write_file("good-with-bad.pem", pem_of(rich_certificate().cert.get()));
    const std::string bad = write_file("bad-with-good.pem", "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n");
    const run_result text = inspect({"cert", bad, good});
    CHECK(text.status == 2);
    CHECK(contains(text.err, bad + ": "));
    CHECK(contains(text.out, good + " (PEM)"));
    CHECK(contains(text.out, "www.example.com"));
    const run_result json = inspect({"--json", "cert", good, bad});
    CHECK(json.status == 2);
    const json_value root = parse_json(json.out);
    REQUIRE(root.size() == 2);
    CHECK(root[0]["certificates"].size() == 1);
    CHECK(root[1]["file"].string == bad);
    CHECK_FALSE(root[1]["error"].string.empty());
}

TEST_CASE("cert given a CSR and csr given a certificate say which command fits") {
    cert_spec spec;
    spec.subject_cn("hint.example.com");
    const std::string csr_file = write_file("hint.csr", der_of(make_request(spec).request.get()));
    const run_result r = inspect({"cert", csr_file});
    CHECK(r.status == 2);
    CHECK(contains(r.err, "try `svcid-inspect csr`"));
    const std::string cert_file = write_file("hint.crt", pem_of(make_certificate(spec).cert.get()));
    const run_result c = inspect({"csr", cert_file});
    CHECK(c.status == 2);
    CHECK(contains(c.err, "try `svcid-inspect cert`"));
}

TEST_CASE("match against a bundle matches the leaf wherever it stands, and refuses a bundle with no single leaf") {
    cert_spec ca_spec;
    ca_spec.subject_cn("Bundle Root CA");
    ca_spec.ca = true;
    const built_certificate ca = make_certificate(ca_spec);
    cert_spec leaf_spec;
    leaf_spec.subject_cn("leaf.bundle.test").add_san(der::dns("leaf.bundle.test"));
    const built_certificate leaf = make_certificate(leaf_spec, {ca.cert.get(), ca.key.get()});
    const std::string ca_first = write_file("bundle-ca-first.pem", pem_of(ca.cert.get()) + pem_of(leaf.cert.get()));
    const run_result r = inspect({"match", ca_first, "leaf.bundle.test"});
    INFO(r.out << r.err);
    CHECK(r.status == 0);
    cert_spec other_spec;
    other_spec.subject_cn("other.bundle.test").add_san(der::dns("other.bundle.test"));
    const built_certificate other = make_certificate(other_spec);
    const std::string two_leaves = write_file("bundle-two-leaves.pem", pem_of(other.cert.get()) + pem_of(leaf.cert.get()));
    const run_result ambiguous = inspect({"match", two_leaves, "leaf.bundle.test"});
    CHECK(ambiguous.status == 2);
    CHECK(contains(ambiguous.err, "in a file of its own"));
}

TEST_CASE("cert shows version, SHA-1 fingerprint, RSA modulus and exponent, the SAN count and every extension as openssl x509 -text does") {
    cert_spec spec;
    spec.subject_cn("le.example.com");
    spec.key = key_type::rsa_2048;
    spec.add_san(der::dns("le.example.com")).add_san(der::dns("www.le.example.com"));
    built_certificate c = make_certificate(spec);
    X509* x = c.cert.get();
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
    // certificatePolicies reads its qualifiers from a config database, even an empty one.
    std::unique_ptr<CONF, void (*)(CONF*)> conf(NCONF_new(nullptr), [](CONF* p) { NCONF_free(p); });
    X509V3_set_nconf(&ctx, conf.get());
    const std::pair<const char*, const char*> added[] = {
        {"subjectKeyIdentifier", "hash"},
        {"authorityInfoAccess", "OCSP;URI:http://ocsp.example.test,caIssuers;URI:http://ca.example.test/ca.der"},
        {"crlDistributionPoints", "URI:http://crl.example.test/ca.crl"},
        {"certificatePolicies", "2.23.140.1.2.1"},
        {"tlsfeature", "status_request"},
        {"nameConstraints", "critical,permitted;DNS:.example.com"},
        {"1.2.3.4.5", "DER:04:02:AB:CD"},
    };
    for (const auto& [name, value] : added) {
        X509_EXTENSION* extension = X509V3_EXT_nconf(conf.get(), &ctx, name, value);
        check(extension != nullptr ? 1 : 0, name);
        check(X509_add_ext(x, extension, -1), "X509_add_ext");
        X509_EXTENSION_free(extension);
    }
    check(X509_sign(x, c.key.get(), EVP_sha256()), "X509_sign");
    const std::string file = write_file("extensions.pem", pem_of(x));
    const std::string openssl_text = pem([&](BIO* b) { return X509_print_ex(b, x, XN_FLAG_COMPAT, X509_FLAG_COMPAT); });

    const run_result r = inspect({"cert", file});
    INFO(r.out << r.err);
    REQUIRE(r.status == 0);
    CHECK(contains(r.out, "  version:             3\n"));
    CHECK(contains(r.out, "  SAN entries:         2\n"));
    CHECK(contains(r.out, "  extensions: 8\n"));
    CHECK(contains(r.out, "    X509v3 Name Constraints (2.5.29.30), critical\n"));
    CHECK(contains(r.out, "    1.2.3.4.5\n      04:02:ab:cd\n"));
    // Each extension body openssl prints, line by line, is in ours (indentation aside).
    for (const char* header : {"Authority Information Access:", "X509v3 CRL Distribution Points:",
                               "X509v3 Certificate Policies:", "TLS Feature:", "X509v3 Subject Key Identifier:",
                               "X509v3 Name Constraints: critical"}) {
        const std::size_t at = openssl_text.find(header);
        REQUIRE(at != std::string::npos);
        std::size_t line_start = openssl_text.find('\n', at) + 1;
        // The body is every following line indented deeper than the header's 12 spaces.
        while (openssl_text.compare(line_start, 16, std::string(16, ' ')) == 0) {
            const std::size_t line_end = openssl_text.find('\n', line_start);
            std::string body = openssl_text.substr(line_start, line_end - line_start);
            body.erase(0, body.find_first_not_of(' '));
            while (!body.empty() && body.back() == ' ') body.pop_back();
            INFO(header << " line: " << body);
            CHECK(contains(r.out, body + "\n"));
            line_start = line_end + 1;
        }
    }
    const std::string fingerprint_text = pem([&](BIO* b) {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int length = 0;
        check(X509_digest(x, EVP_sha1(), md, &length), "X509_digest");
        return BIO_puts(b, hex(md, length).c_str());
    });
    std::string sha1;
    for (std::size_t i = 0; i < fingerprint_text.size(); i += 2) sha1 += (i ? ":" : "") + fingerprint_text.substr(i, 2);
    CHECK(contains(r.out, "  SHA-1 fingerprint:   " + sha1 + "\n"));
    CHECK(contains(r.out, "  RSA exponent:        65537\n"));
    BIGNUM* n = nullptr;
    check(EVP_PKEY_get_bn_param(c.key.get(), "n", &n), "EVP_PKEY_get_bn_param");
    char* modulus = BN_bn2hex(n);
    CHECK(contains(r.out, std::string("  RSA modulus:         ") + modulus + "\n"));
    OPENSSL_free(modulus);
    BN_free(n);

    const json_value root = parse_json(inspect({"--json", "cert", file}).out);
    CHECK(root[0]["schema"].string == "svcid-inspect/1");
    const json_value& doc = root[0]["certificates"][0];
    CHECK(doc["version"].number == 3);
    CHECK(doc["san_entries"].number == 2);
    CHECK(doc["sha1_fingerprint"].string == sha1);
    CHECK(doc["public_key"]["rsa_exponent"].string == "65537");
    REQUIRE(doc["extensions"].size() == 8);
    const json_value& unknown = doc["extensions"][7];
    CHECK(unknown["oid"].string == "1.2.3.4.5");
    CHECK(unknown["name"].is_null());
    CHECK(unknown["value_hex"].string == "04:02:ab:cd");
}

bool has_lint(const json_value& doc, const std::string& code) {
    for (std::size_t i = 0; i < doc["lints"].size(); ++i)
        if (doc["lints"][i]["code"].string == code) return true;
    return false;
}

TEST_CASE("lints: SHA-1 signature, RSA under 2048 bits, expired, self-signed leaf, CN not in the SAN (BR 7.1.3.2, 6.1.5, 7.1.4.3; RFC 5280 §4.1.2.5); --strict exits 1") {
    cert_spec spec;
    spec.subject_cn("legacy.example.com");
    spec.add_san(der::dns("www.legacy.example.com"));
    spec.not_before_offset = -90L * 24 * 3600;
    spec.not_after_offset = -10L * 24 * 3600;
    built_certificate c = make_certificate(spec);
    std::unique_ptr<EVP_PKEY_CTX, void (*)(EVP_PKEY_CTX*)> ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, nullptr), EVP_PKEY_CTX_free);
    check(EVP_PKEY_keygen_init(ctx.get()), "keygen_init");
    check(EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), 1024), "rsa bits");
    EVP_PKEY* weak = nullptr;
    check(EVP_PKEY_keygen(ctx.get(), &weak), "keygen");
    pkey_ptr weak_key(weak);
    check(X509_set_pubkey(c.cert.get(), weak), "X509_set_pubkey");
    check(X509_sign(c.cert.get(), weak, EVP_sha1()), "X509_sign SHA-1");
    const std::string file = write_file("legacy.pem", pem_of(c.cert.get()));

    const run_result text = inspect({"cert", file});
    INFO(text.out << text.err);
    CHECK(text.status == 0);
    for (const char* code : {"W001", "W002", "W003", "W005", "W006"}) CHECK(contains(text.out, std::string("  warning ") + code + ": "));
    CHECK_FALSE(contains(text.out, "W004"));
    CHECK(inspect({"--strict", "cert", file}).status == 1);
    const json_value doc = parse_json(inspect({"--json", "cert", file}).out)[0]["certificates"][0];
    for (const char* code : {"W001", "W002", "W003", "W005", "W006"}) CHECK(has_lint(doc, code));

    // The clean control: a CA-issued leaf whose CN repeats its SAN, valid now, P-256, SHA-256.
    cert_spec ca_spec;
    ca_spec.subject_cn("Lint Root CA");
    ca_spec.ca = true;
    const built_certificate ca = make_certificate(ca_spec);
    cert_spec good_spec;
    good_spec.subject_cn("good.example.com").add_san(der::dns("good.example.com"));
    const built_certificate good = make_certificate(good_spec, {ca.cert.get(), ca.key.get()});
    const std::string good_file = write_file("good-lint.pem", pem_of(good.cert.get()));
    const run_result clean = inspect({"--strict", "cert", good_file});
    CHECK(clean.status == 0);
    CHECK_FALSE(contains(clean.out, "warning"));
    CHECK(parse_json(inspect({"--json", "cert", good_file}).out)[0]["certificates"][0]["lints"].size() == 0);

    cert_spec future_spec;
    future_spec.not_before_offset = 5L * 24 * 3600;
    const std::string future_file = write_file("future-lint.pem", pem_of(make_certificate(future_spec, {ca.cert.get(), ca.key.get()}).cert.get()));
    CHECK(has_lint(parse_json(inspect({"--json", "cert", future_file}).out)[0]["certificates"][0], "W004"));

    // W007, BR 3.2.2.6: wildcards directly under an ICANN and a PRIVATE public suffix; a
    // wildcard one label further down is fine.
    cert_spec suffix_spec;
    suffix_spec.add_san(der::dns("*.co.uk")).add_san(der::dns("*.github.io")).add_san(der::dns("*.example.co.uk"));
    const std::string suffix_file =
        write_file("suffix-lint.pem", pem_of(make_certificate(suffix_spec, {ca.cert.get(), ca.key.get()}).cert.get()));
    const run_result suffix_text = inspect({"cert", suffix_file});
    INFO(suffix_text.out);
    CHECK(contains(suffix_text.out, "warning W007: the wildcard \"*.co.uk\" lies directly under the public suffix co.uk (ICANN section"));
    CHECK(contains(suffix_text.out, "warning W007: the wildcard \"*.github.io\" lies directly under the public suffix github.io (PRIVATE section"));
    CHECK_FALSE(contains(suffix_text.out, "\"*.example.co.uk\" lies"));
    CHECK(inspect({"--strict", "cert", suffix_file}).status == 1);
    CHECK(has_lint(parse_json(inspect({"--json", "cert", suffix_file}).out)[0]["certificates"][0], "W007"));
}

TEST_CASE("- reads standard input, and --version names the tool and its OpenSSL") {
    const std::string file = write_file("stdin.pem", pem_of(rich_certificate().cert.get()));
    const run_result r = inspect({"cert", "-"}, file);
    CHECK(r.status == 0);
    CHECK(contains(r.out, "- (PEM)"));
    CHECK(contains(r.out, "www.example.com"));
    const run_result v = inspect({"--version"});
    CHECK(v.status == 0);
    CHECK(contains(v.out, "svcid-inspect "));
    CHECK(contains(v.out, "OpenSSL"));
}

TEST_CASE("--help prints the usage and exits 0; an unknown command or option exits 2") {
    const run_result help = inspect({"--help"});
    CHECK(help.status == 0);
    CHECK(contains(help.out, "usage: svcid-inspect"));
    CHECK(contains(help.out, "keymatch"));
    CHECK(inspect({}).status == 2);
    CHECK(contains(inspect({"frobnicate"}).err, "unknown command"));
    CHECK(contains(inspect({"cert", "--bogus"}).err, "unknown option"));
}

// ---- containers ---------------------------------------------------------------------

namespace {

struct pkcs12_free { void operator()(PKCS12* p) const noexcept { PKCS12_free(p); } };
struct pkcs7_free { void operator()(PKCS7* p) const noexcept { PKCS7_free(p); } };
struct x509_stack_free { void operator()(STACK_OF(X509)* p) const noexcept { sk_X509_free(p); } };

template <class Encode, class T>
std::string der_of(Encode encode, T* object) {
    unsigned char* der = nullptr;
    const int length = encode(object, &der);
    check(length, "i2d");
    std::string bytes(reinterpret_cast<const char*>(der), static_cast<std::size_t>(length));
    OPENSSL_free(der);
    return bytes;
}

/// A leaf signed by a CA, for the container tests.
struct leaf_and_ca {
    built_certificate ca, leaf;
};

leaf_and_ca make_leaf_and_ca() {
    cert_spec ca_spec;
    ca_spec.subject_cn("Container Root CA");
    ca_spec.ca = true;
    leaf_and_ca r{make_certificate(ca_spec), {}};
    cert_spec leaf_spec;
    leaf_spec.subject_cn("p12.example.com").add_san(der::dns("p12.example.com"));
    r.leaf = make_certificate(leaf_spec, {r.ca.cert.get(), r.ca.key.get()});
    return r;
}

std::string pkcs12_of(const leaf_and_ca& c, const char* password) {
    std::unique_ptr<STACK_OF(X509), x509_stack_free> extra(sk_X509_new_null());
    check(sk_X509_push(extra.get(), c.ca.cert.get()), "sk_X509_push");
    std::unique_ptr<PKCS12, pkcs12_free> p12(
        PKCS12_create(password, "leaf", c.leaf.key.get(), c.leaf.cert.get(), extra.get(), 0, 0, 0, 0, 0));
    check(p12 != nullptr, "PKCS12_create");
    return der_of(i2d_PKCS12, p12.get());
}

} // namespace

TEST_CASE("cert and keymatch read PKCS #12 (RFC 7292) with and without a password, and tell a wrong password apart") {
    const leaf_and_ca c = make_leaf_and_ca();
    const std::string locked = write_file("locked.p12", pkcs12_of(c, "s3cret"));
    const std::string open = write_file("open.p12", pkcs12_of(c, nullptr));
    const std::string good = write_file("p12-good.pw", "s3cret\n");
    const std::string bad = write_file("p12-bad.pw", "guess\n");

    const run_result text = inspect({"cert", locked, "--password-file", good});
    INFO(text.err);
    REQUIRE(text.status == 0);
    CHECK(contains(text.out, "certificate 1 of 2\n"));
    CHECK(contains(text.out, "subject:             CN=p12.example.com\n"));
    CHECK(contains(text.out, "subject:             CN=Container Root CA\n"));

    const run_result none = inspect({"cert", locked});
    CHECK(none.status == 2);
    CHECK(contains(none.err, "password-protected PKCS #12: use --password-file"));
    const run_result wrong = inspect({"cert", locked, "--password-file", bad});
    CHECK(wrong.status == 2);
    CHECK(contains(wrong.err, "wrong password"));

    const json_value root = parse_json(inspect({"--json", "cert", open}).out);
    REQUIRE(root[0]["certificates"].size() == 2);
    CHECK(root[0]["certificates"][0]["subject"].string == "CN=p12.example.com");

    // The key inside matches the leaf beside it, and not the CA.
    const std::string leaf_file = write_file("p12-leaf.crt", pem_of(c.leaf.cert.get()));
    const std::string ca_file = write_file("p12-ca.crt", pem_of(c.ca.cert.get()));
    const run_result same = inspect({"keymatch", leaf_file, open});
    INFO(same.out);
    CHECK(same.status == 0);
    CHECK(contains(same.out, open + ": private key"));
    CHECK(inspect({"keymatch", ca_file, locked, "--password-file", good}).status == 1);
}

TEST_CASE("cert reads a PKCS #7 certificate bundle (RFC 2315 §9.1), PEM and DER") {
    const leaf_and_ca c = make_leaf_and_ca();
    std::unique_ptr<PKCS7, pkcs7_free> p7(PKCS7_new());
    check(p7 != nullptr, "PKCS7_new");
    check(PKCS7_set_type(p7.get(), NID_pkcs7_signed), "PKCS7_set_type");
    check(PKCS7_content_new(p7.get(), NID_pkcs7_data), "PKCS7_content_new");
    check(PKCS7_add_certificate(p7.get(), c.leaf.cert.get()), "PKCS7_add_certificate");
    check(PKCS7_add_certificate(p7.get(), c.ca.cert.get()), "PKCS7_add_certificate");
    const std::string der_file = write_file("bundle.p7c", der_of(i2d_PKCS7, p7.get()));
    const std::string pem_file =
        write_file("bundle.p7b", pem([&](BIO* b) { return PEM_write_bio_PKCS7(b, p7.get()); }));
    for (const std::string& file : {der_file, pem_file}) {
        const run_result text = inspect({"cert", file});
        INFO(file << "\n" << text.err);
        REQUIRE(text.status == 0);
        CHECK(contains(text.out, "certificate 2 of 2\n"));
        CHECK(contains(text.out, "subject:             CN=Container Root CA\n"));
        // match finds the leaf of the bundle wherever it stands.
        CHECK(inspect({"match", file, "p12.example.com"}).status == 0);
    }
    // A SignedData with no certificates is an error, not an empty success.
    std::unique_ptr<PKCS7, pkcs7_free> empty(PKCS7_new());
    check(PKCS7_set_type(empty.get(), NID_pkcs7_signed), "PKCS7_set_type");
    check(PKCS7_content_new(empty.get(), NID_pkcs7_data), "PKCS7_content_new");
    const run_result none = inspect({"cert", write_file("empty.p7c", der_of(i2d_PKCS7, empty.get()))});
    CHECK(none.status == 2);
    CHECK(contains(none.err, "PKCS #7 SignedData with no certificates"));
}

TEST_CASE("keymatch reads a PKCS #1 RSA PUBLIC KEY (RFC 8017 §A.1.1)") {
    cert_spec spec;
    spec.key = key_type::rsa_2048;
    const built_certificate c = make_certificate(spec);
    const built_certificate other = make_certificate(spec);
    const std::string cert_file = write_file("pkcs1.crt", pem_of(c.cert.get()));
    // For an RSA key i2d_PublicKey writes the PKCS #1 form.
    const std::string der = der_of(i2d_PublicKey, c.key.get());
    const std::string pkcs1 = pem([&](BIO* b) {
        return PEM_write_bio(b, "RSA PUBLIC KEY", "", reinterpret_cast<const unsigned char*>(der.data()),
                             static_cast<long>(der.size()));
    });
    REQUIRE(contains(pkcs1, "-----BEGIN RSA PUBLIC KEY-----"));
    const std::string pem_file = write_file("pkcs1.pub", pkcs1);
    const run_result same = inspect({"keymatch", cert_file, pem_file});
    INFO(same.err);
    CHECK(same.status == 0);
    CHECK(contains(same.out, pem_file + ": public key, RSA 2048 bits"));
    CHECK(inspect({"keymatch", write_file("pkcs1-other.crt", pem_of(other.cert.get())), pem_file}).status == 1);
}

// ---- Java keystores -----------------------------------------------------------------
// The stores are keytool's own (scripts/gen_keystores.sh), committed with the PEM files they
// were made from, so these tests need no Java.

namespace {

std::string keystore_file(const std::string& name) { return std::string(SVCID_KEYSTORE_DATA) + "/" + name; }

x509_ptr read_pem_certificate(const std::string& path) {
    const std::string text = read_file(path);
    std::unique_ptr<BIO, bio_free> bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
    x509_ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    check(cert != nullptr, "PEM_read_bio_X509");
    return cert;
}

/// The SHA-256 fingerprint of the certificate `entry` of a `cert --json` file object lists at `position`.
std::string entry_fingerprint(const json_value& file, const json_value& entry, std::size_t position) {
    const auto index = static_cast<std::size_t>(entry["certificates"][position].number);
    return file["certificates"][index]["sha256_fingerprint"].string;
}

const json_value* entry_named(const json_value& file, const std::string& alias) {
    const json_value& entries = file["keystore"]["entries"];
    for (std::size_t i = 0; i < entries.size(); ++i)
        if (entries[i]["alias"].string == alias) return &entries[i];
    return nullptr;
}

struct keystore_case {
    const char* file;
    const char* type;
    const char* version;
};
// keytool's stores, and the same in the version 1 layout (scripts/gen_keystores.sh).
const keystore_case keystores[] = {
    {"store.jks", "JKS", "2"}, {"store.jceks", "JCEKS", "2"}, {"store-v1.jks", "JKS", "1"}, {"store-v1.jceks", "JCEKS", "1"}};

} // namespace

TEST_CASE("cert reads JKS and JCEKS keystores: every entry with its alias and date, fingerprints as the PEM originals', versions 1 and 2") {
    const std::string ca = fingerprint(read_pem_certificate(keystore_file("ca.pem")).get());
    const std::string rsa = fingerprint(read_pem_certificate(keystore_file("rsa.pem")).get());
    const std::string ec = fingerprint(read_pem_certificate(keystore_file("ec.pem")).get());
    for (const keystore_case& k : keystores) {
        const std::string store = keystore_file(k.file);
        const std::string type = k.type;
        const run_result text = inspect({"cert", store, "--password-file", keystore_file("password.txt")});
        INFO(k.file << "\n" << text.err);
        REQUIRE(text.status == 0);
        CHECK(contains(text.out, type + " keystore, version " + k.version + ", 3 entries, integrity verified\n"));
        CHECK(contains(text.out, "\"example-root\": trusted certificate, created 20"));
        CHECK(contains(text.out, "\"rsa-server\": private key, created 20"));
        CHECK(contains(text.out, ", 2 certificates, key decrypted\n"));
        CHECK(contains(text.out, "keystore entry \"ec-server\": certificate"));
        CHECK(contains(text.out, "certificate 4 of 4\n"));

        const json_value root = parse_json(inspect({"--json", "cert", store}).out);
        const json_value& file = root[0];
        CHECK(file["format"].string == type);
        CHECK(file["keystore"]["integrity"].string == "not checked");
        REQUIRE(file["certificates"].size() == 4);
        const json_value* root_entry = entry_named(file, "example-root");
        const json_value* rsa_entry = entry_named(file, "rsa-server");
        const json_value* ec_entry = entry_named(file, "ec-server");
        REQUIRE(root_entry != nullptr);
        REQUIRE(rsa_entry != nullptr);
        REQUIRE(ec_entry != nullptr);
        CHECK((*root_entry)["kind"].string == "trusted certificate");
        CHECK((*root_entry)["key"].is_null());
        CHECK((*rsa_entry)["key"].string == "encrypted");
        CHECK(contains((*rsa_entry)["created"].string, "T"));
        CHECK(entry_fingerprint(file, *root_entry, 0) == ca);
        // A private-key entry's chain is in the order keytool keeps it: leaf first.
        REQUIRE((*rsa_entry)["certificates"].size() == 2);
        CHECK(entry_fingerprint(file, *rsa_entry, 0) == rsa);
        CHECK(entry_fingerprint(file, *rsa_entry, 1) == ca);
        CHECK(entry_fingerprint(file, *ec_entry, 0) == ec);
    }
}

TEST_CASE("keymatch pairs a keystore's decrypted key with its certificate and with the original key, and not with another") {
    const std::string password = keystore_file("password.txt");
    for (const keystore_case& k : keystores) {
        const std::string store = keystore_file(k.file);
        INFO(k.file);
        const run_result same = inspect({"keymatch", keystore_file("rsa.pem"), store, "--alias", "rsa-server", "--password-file", password});
        INFO(same.out << same.err);
        CHECK(same.status == 0);
        CHECK(contains(same.out, store + ": private key, RSA 2048 bits"));
        // The decrypted key is the very key OpenSSL made, not just one with the same public half.
        CHECK(inspect({"keymatch", keystore_file("ec.key"), store, "--alias", "ec-server", "--password-file", password}).status == 0);
        CHECK(inspect({"keymatch", keystore_file("ec.pem"), store, "--alias", "rsa-server", "--password-file", password}).status == 1);
        CHECK(inspect({"keymatch", keystore_file("rsa.key"), store, "--alias", "ec-server", "--password-file", password}).status == 1);
        // --alias must name an entry that is there, of a file that is a keystore.
        const run_result missing = inspect({"keymatch", keystore_file("rsa.pem"), store, "--alias", "nope"});
        CHECK(missing.status == 2);
        CHECK(contains(missing.err, "the keystore has no entry \"nope\""));
        CHECK(inspect({"cert", keystore_file("rsa.pem"), "--alias", "rsa-server"}).status == 2);
        // match reads the entry's chain and finds its leaf; the whole store has two leaves.
        CHECK(inspect({"match", store, "--alias", "rsa-server", "rsa.keystore.example"}).status == 0);
        const run_result whole = inspect({"match", store, "rsa.keystore.example"});
        CHECK(whole.status == 2);
        CHECK(contains(whole.err, "name the keystore entry to match with --alias"));
    }
}

TEST_CASE("a keystore with a wrong password exits 2 (integrity check failed), without one its keys are not matched") {
    for (const keystore_case& k : keystores) {
        const std::string store = keystore_file(k.file);
        INFO(k.file);
        const run_result wrong = inspect({"cert", store, "--password-file", keystore_file("wrong-password.txt")});
        CHECK(wrong.status == 2);
        CHECK(contains(wrong.err, "keystore integrity check failed"));
        CHECK(wrong.out.empty());
        const run_result wrong_keys = inspect({"--json", "keymatch", keystore_file("rsa.pem"), store, "--alias", "rsa-server",
                                               "--password-file", keystore_file("wrong-password.txt")});
        CHECK(wrong_keys.status == 2);
        CHECK(!contains(wrong_keys.out, "private key"));

        const run_result none = inspect({"cert", store});
        CHECK(none.status == 0);
        CHECK(contains(none.out, "integrity not checked (no --password-file)"));
        CHECK(contains(none.out, "key encrypted (not matched)"));
        CHECK(contains(none.out, "subject:             CN=rsa.keystore.example\n"));
        const run_result unmatched = inspect({"--json", "keymatch", keystore_file("rsa.pem"), store, "--alias", "rsa-server"});
        CHECK(unmatched.status == 1);
        const json_value km = parse_json(unmatched.out);
        CHECK(km["match"].boolean == false);
        REQUIRE(km["objects"].size() == 2);
        CHECK(km["objects"][1]["kind"].string == "certificate");
        REQUIRE(km["not_matched"].size() == 1);
        CHECK(km["not_matched"][0]["alias"].string == "rsa-server");
    }
}

TEST_CASE("a truncated keystore or one with a flipped byte exits 2 with a reason, never a crash") {
    const std::string password = keystore_file("password.txt");
    for (const keystore_case& k : keystores) {
        const std::string name = k.file;
        const std::string bytes = read_file(keystore_file(name));
        INFO(name);
        // Cuts inside the header, an alias, a certificate's length and body, and the digest.
        for (const std::size_t length : {std::size_t{5}, std::size_t{13}, std::size_t{20}, std::size_t{40},
                                         bytes.size() / 2, bytes.size() - 21, bytes.size() - 1}) {
            const std::string cut = write_file("cut-" + name, bytes.substr(0, length));
            const run_result r = inspect({"cert", cut});
            INFO("length " << length << ": " << r.err);
            CHECK(r.status == 2);
            CHECK(contains(r.err, "truncated keystore: "));
        }
        std::string flipped = bytes;
        flipped[bytes.size() / 2] = static_cast<char>(flipped[bytes.size() / 2] ^ 0x01);
        const std::string file = write_file("flipped-" + name, flipped);
        const run_result checked = inspect({"cert", file, "--password-file", password});
        CHECK(checked.status == 2);
        CHECK(contains(checked.err, "keystore integrity check failed"));
        // Without the password nothing checks the digest: the flip shows, or breaks a decode.
        const int unchecked = inspect({"cert", file}).status;
        CHECK((unchecked == 0 || unchecked == 2));
        std::string extra = bytes + "x";
        CHECK(contains(inspect({"cert", write_file("extra-" + name, extra)}).err,
                       "bytes after the keystore's integrity digest"));
    }
}

// ---- fetch --------------------------------------------------------------------------
// A TLS server in a thread of this process, on a free loopback port, presenting a leaf and
// its CA; it records the SNI it was sent and any application data it received.

namespace {

struct ssl_ctx_free { void operator()(SSL_CTX* p) const noexcept { SSL_CTX_free(p); } };
struct ssl_free { void operator()(SSL* p) const noexcept { SSL_free(p); } };

class tls_server {
public:
    tls_server(const built_certificate& leaf, X509* ca, int family = AF_INET) : ctx_(SSL_CTX_new(TLS_server_method())) {
        // The client hangs up after its handshake, often before the server's TLS 1.3 session
        // tickets are written: that write must fail with EPIPE, not end the test run.
        std::signal(SIGPIPE, SIG_IGN);
        check(ctx_ != nullptr, "SSL_CTX_new");
        check(SSL_CTX_use_certificate(ctx_.get(), leaf.cert.get()), "SSL_CTX_use_certificate");
        check(SSL_CTX_use_PrivateKey(ctx_.get(), leaf.key.get()), "SSL_CTX_use_PrivateKey");
        check(SSL_CTX_add1_chain_cert(ctx_.get(), ca) == 1, "SSL_CTX_add1_chain_cert");
        // Recorded while the ClientHello is read, before the client can finish and the test
        // look: after SSL_accept it would race the client's exit.
        SSL_CTX_set_tlsext_servername_callback(ctx_.get(), record_servername);
        SSL_CTX_set_tlsext_servername_arg(ctx_.get(), this);
        listener_ = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_storage address{};
        socklen_t length = 0;
        if (family == AF_INET6) {
            auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);
            v6->sin6_family = AF_INET6;
            v6->sin6_addr = in6addr_loopback;
            length = sizeof *v6;
        } else {
            auto* v4 = reinterpret_cast<sockaddr_in*>(&address);
            v4->sin_family = AF_INET;
            v4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            length = sizeof *v4;
        }
        if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
            ::listen(listener_, 8) != 0 || ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0)
            return;
        port_ = ntohs(family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&address)->sin6_port
                                         : reinterpret_cast<sockaddr_in*>(&address)->sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    ~tls_server() {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
        if (listener_ >= 0) ::close(listener_);
    }
    /// 0 when the socket could not listen (no IPv6 loopback here, say).
    unsigned short port() const { return port_; }
    std::string last_servername() {
        std::lock_guard<std::mutex> lock(mutex_);
        return servername_;
    }
    std::size_t application_bytes() const { return application_bytes_; }

private:
    void serve() {
        while (!stop_) {
            pollfd p{listener_, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            const int fd = ::accept(listener_, nullptr, nullptr);
            if (fd < 0) continue;
            // A client that stalls must not hold the test: reads give up after 5 s.
            timeval limit{5, 0};
            ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
            std::unique_ptr<SSL, ssl_free> ssl(SSL_new(ctx_.get()));
            SSL_set_fd(ssl.get(), fd);
            if (SSL_accept(ssl.get()) == 1) {
                char buffer[256];
                int n = 0;
                while ((n = SSL_read(ssl.get(), buffer, sizeof buffer)) > 0) application_bytes_ += static_cast<std::size_t>(n);
            }
            ERR_clear_error();
            ::close(fd);
        }
    }
    static int record_servername(SSL* ssl, int*, void* self) {
        auto* server = static_cast<tls_server*>(self);
        const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
        std::lock_guard<std::mutex> lock(server->mutex_);
        server->servername_ = name != nullptr ? name : "";
        return SSL_TLSEXT_ERR_OK;
    }
    std::unique_ptr<SSL_CTX, ssl_ctx_free> ctx_;
    int listener_ = -1;
    unsigned short port_ = 0;
    std::thread thread_;
    std::atomic<bool> stop_{false};
    std::atomic<std::size_t> application_bytes_{0};
    std::mutex mutex_;
    std::string servername_;
};

struct fetch_fixture {
    built_certificate ca, other_ca, leaf;
    std::string ca_file, other_ca_file;
    fetch_fixture() {
        cert_spec ca_spec;
        ca_spec.subject_cn("Fetch Test Root CA");
        ca_spec.ca = true;
        ca = make_certificate(ca_spec);
        cert_spec other_spec;
        other_spec.subject_cn("Some Other Root CA");
        other_spec.ca = true;
        other_ca = make_certificate(other_spec);
        cert_spec leaf_spec;
        leaf_spec.subject_cn("fetch.example.test")
            .add_san(der::dns("fetch.example.test"))
            .add_san(der::ip(std::string("\x7f\x00\x00\x01", 4)));
        leaf = make_certificate(leaf_spec, {ca.cert.get(), ca.key.get()});
        ca_file = write_file("fetch-ca.pem", pem_of(ca.cert.get()));
        other_ca_file = write_file("fetch-other-ca.pem", pem_of(other_ca.cert.get()));
    }
};

} // namespace

TEST_CASE("fetch shows the chain the server presented, leaf first, with their fingerprints, and sends no application data") {
    const fetch_fixture f;
    tls_server server(f.leaf, f.ca.cert.get());
    REQUIRE(server.port() != 0);
    const std::string address = "127.0.0.1:" + std::to_string(server.port());
    const run_result text = inspect({"fetch", address, "--ca-file", f.ca_file});
    INFO(text.out << text.err);
    REQUIRE(text.status == 0);
    CHECK(contains(text.out, "the server presented 2 certificates\n"));
    CHECK(contains(text.out, "subject:             CN=fetch.example.test\n"));
    CHECK(contains(text.out, "subject:             CN=Fetch Test Root CA\n"));
    CHECK(contains(text.out, "chain: verified against " + f.ca_file + "\n"));
    CHECK(contains(text.out, "MATCH     IP-ID 127.0.0.1"));
    // An address is no host name: no SNI (RFC 6066 §3).
    CHECK(contains(text.out, "SNI none"));
    CHECK(server.last_servername().empty());

    const run_result json = inspect({"--json", "fetch", address, "--ca-file", f.ca_file, "--name", "fetch.example.test"});
    REQUIRE(json.status == 0);
    const json_value root = parse_json(json.out);
    REQUIRE(root["certificates"].size() == 2);
    CHECK(root["certificates"][0]["sha256_fingerprint"].string == fingerprint(f.leaf.cert.get()));
    CHECK(root["certificates"][1]["sha256_fingerprint"].string == fingerprint(f.ca.cert.get()));
    CHECK(root["verification"]["verified"].boolean);
    CHECK(root["identity"]["all_matched"].boolean);
    CHECK(root["address"].string == address);
    CHECK(server.application_bytes() == 0);
}

TEST_CASE("fetch sends HOST or --servername as SNI and checks HOST or --name against the leaf (RFC 9525 §6)") {
    const fetch_fixture f;
    tls_server server(f.leaf, f.ca.cert.get());
    REQUIRE(server.port() != 0);
    const std::string port = std::to_string(server.port());
    // localhost is a name: it goes out as SNI, and is the reference unless --name says otherwise.
    const run_result named = inspect({"fetch", "localhost:" + port, "--ca-file", f.ca_file, "--name", "fetch.example.test"});
    INFO(named.out << named.err);
    CHECK(named.status == 0);
    CHECK(server.last_servername() == "localhost");
    const run_result host = inspect({"fetch", "localhost:" + port, "--ca-file", f.ca_file});
    CHECK(host.status == 1);
    CHECK(contains(host.out, "NO MATCH  DNS-ID \"localhost\""));
    CHECK(inspect({"fetch", "127.0.0.1:" + port, "--ca-file", f.ca_file, "--servername", "sni.example.test"}).status == 0);
    CHECK(server.last_servername() == "sni.example.test");
    CHECK(inspect({"fetch", "127.0.0.1:" + port, "--ca-file", f.ca_file}).status == 0);
    CHECK(server.last_servername().empty());
    // A wrong --name is refused with svcid's explanation, as match prints it.
    const run_result wrong = inspect({"fetch", "127.0.0.1:" + port, "--ca-file", f.ca_file, "--name", "other.example.test"});
    CHECK(wrong.status == 1);
    CHECK(contains(wrong.out, "NO MATCH  DNS-ID \"other.example.test\""));
    CHECK(contains(wrong.out, "some references do not match\n"));
    CHECK(server.application_bytes() == 0);
}

TEST_CASE("fetch exits 1 with the verify error when the chain does not lead to a trusted CA") {
    const fetch_fixture f;
    tls_server server(f.leaf, f.ca.cert.get());
    REQUIRE(server.port() != 0);
    const run_result r = inspect({"fetch", "127.0.0.1:" + std::to_string(server.port()), "--ca-file", f.other_ca_file});
    INFO(r.out << r.err);
    CHECK(r.status == 1);
    CHECK(contains(r.out, "chain: NOT verified against " + f.other_ca_file + ": "));
    // The chain is still shown: it is what there is to look at.
    CHECK(contains(r.out, "the server presented 2 certificates\n"));
    const json_value root = parse_json(inspect({"--json", "fetch", "127.0.0.1:" + std::to_string(server.port()),
                                                "--ca-file", f.other_ca_file}).out);
    CHECK_FALSE(root["verification"]["verified"].boolean);
    CHECK(!root["verification"]["error"].string.empty());
}

TEST_CASE("fetch reaches an IPv6 literal in brackets") {
    const fetch_fixture f;
    tls_server server(f.leaf, f.ca.cert.get(), AF_INET6);
    if (server.port() == 0) {
        WARN("no IPv6 loopback here: skipped");
        return;
    }
    const run_result r = inspect({"fetch", "[::1]:" + std::to_string(server.port()), "--ca-file", f.ca_file,
                                  "--name", "fetch.example.test"});
    INFO(r.out << r.err);
    CHECK(r.status == 0);
    CHECK(contains(r.out, "([::1]:" + std::to_string(server.port()) + ", "));
}

TEST_CASE("fetch exits 2 when nothing listens, and on a bad HOST[:PORT] or option") {
    // A port that was just free: bound, read back, closed.
    const int probe = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    REQUIRE(::bind(probe, reinterpret_cast<sockaddr*>(&address), length) == 0);
    REQUIRE(::getsockname(probe, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    const std::string port = std::to_string(ntohs(address.sin_port));
    ::close(probe);
    const run_result refused = inspect({"fetch", "127.0.0.1:" + port, "--timeout", "3"});
    CHECK(refused.status == 2);
    CHECK(contains(refused.err, "cannot connect: 127.0.0.1:" + port));
    CHECK(refused.out.empty());
    for (const char* bad : {"127.0.0.1:0", "127.0.0.1:99999", "[::1", "::1", "[nope]:443", ":443", "host:"}) {
        const run_result r = inspect({"fetch", bad});
        INFO(bad << ": " << r.err);
        CHECK(r.status == 2);
        CHECK(contains(r.err, "svcid-inspect: fetch: "));
    }
    CHECK(inspect({"fetch", "127.0.0.1:" + port, "--timeout", "0"}).status == 2);
    CHECK(inspect({"fetch"}).status == 2);
}

TEST_CASE("fetch gives up after --timeout on a server that never answers the handshake, exit 2") {
    // The kernel completes the TCP handshake for a listening socket nobody accepts on, and
    // then no TLS answer ever comes.
    const int silent = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    REQUIRE(::bind(silent, reinterpret_cast<sockaddr*>(&address), length) == 0);
    REQUIRE(::listen(silent, 4) == 0);
    REQUIRE(::getsockname(silent, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    const auto start = std::chrono::steady_clock::now();
    const run_result r = inspect({"fetch", "127.0.0.1:" + std::to_string(ntohs(address.sin_port)), "--timeout", "1"});
    const auto took = std::chrono::steady_clock::now() - start;
    ::close(silent);
    INFO(r.err);
    CHECK(r.status == 2);
    CHECK(contains(r.err, "timed out"));
    CHECK(took < std::chrono::seconds(5));
}
