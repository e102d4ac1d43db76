// svcid-inspect: decode certificates and CSRs, check a certificate against reference
// identities with svcid's matcher, and tell whether certificates, CSRs and keys hold the
// same public key. See docs/inspect.md.
//
// Exit status: 0 success (all match), 1 a mismatch (match, keymatch), 2 bad input or usage.
#include "inspect.hpp"
#include "json_writer.hpp"

#include <svcid/explain.hpp>
#include <svcid/openssl.hpp>
#include <svcid/reference.hpp>

#include <openssl/crypto.h>

#include <cstdio>
#include <fstream>
#include <iterator>

namespace svcid_inspect {
namespace {

constexpr int exit_ok = 0;
constexpr int exit_mismatch = 1;
constexpr int exit_bad_input = 2;
// Every JSON document names its shape, so a script can refuse one it was not written for;
// the number changes only when a member is removed or changes meaning.
constexpr const char* json_schema = "svcid-inspect/1";

const char usage[] =
    "usage: svcid-inspect [--json] cert FILE... [--password-file F]\n"
    "       svcid-inspect [--json] csr FILE...\n"
    "       svcid-inspect [--json] match FILE REFERENCE... [--policy rfc9525|rfc6125]\n"
    "                               [--type dns|ip|srv|uri|spiffe|email]\n"
    "       svcid-inspect [--json] keymatch FILE... [--password-file F]\n"
    "\n"
    "  cert      decode certificates (PEM or DER, every certificate of a chain,\n"
    "            PKCS #7 and PKCS #12 files)\n"
    "  csr       decode certificate signing requests and check their self-signature\n"
    "  match     is the certificate (or CSR) in FILE valid for each REFERENCE?\n"
    "            Without --type the type is told by the text: spiffe://..., scheme://host,\n"
    "            local@domain, an IP address, else a DNS name (SRV-IDs need --type srv).\n"
    "  keymatch  do the certificates, CSRs and keys in FILE... hold the same public key?\n"
    "\n"
    "  --json            machine-readable output (shapes in docs/inspect.md)\n"
    "  --strict          cert, csr: a lint (warning Wnnn) makes the exit status 1\n"
    "  --version         print the version and the OpenSSL in use\n"
    "  FILE may be - for standard input\n"
    "  --policy P        rfc9525 (default: SAN only, whole-label wildcards) or rfc6125\n"
    "                    (adds partial wildcards and the CN-ID fallback)\n"
    "  --type T          how to read every REFERENCE\n"
    "  --password-file F the password for encrypted private keys and PKCS #12 files\n"
    "                    (first line of F)\n"
    "\n"
    "exit status: 0 all good, 1 some reference or key does not match (or, with --strict,\n"
    "             a lint), 2 bad input\n";

struct options {
    std::string command;
    std::vector<std::string> arguments;
    bool json = false;
    bool strict = false;
    std::string policy = "rfc9525";
    std::string type;
    std::optional<std::string> password_file;
};

int fail(const std::string& message) {
    std::fprintf(stderr, "svcid-inspect: %s\n", message.c_str());
    return exit_bad_input;
}

int file_error(const std::string& file, const std::string& reason) { return fail(file + ": " + reason); }

void emit(const std::string& text) { std::fwrite(text.data(), 1, text.size(), stdout); }

// ---- cert and csr --------------------------------------------------------------------

/// What a file holds instead, so that `cert x.csr` says which command the user meant.
std::string wrong_command_hint(const loaded_file& file, bool requests) {
    for (const auto& object : file.objects) {
        if (requests && object.kind == object_kind::certificate) return " (it holds a certificate: try `svcid-inspect cert`)";
        if (!requests && object.kind == object_kind::request) return " (it holds a certificate request: try `svcid-inspect csr`)";
    }
    return {};
}

// Each file stands alone: a bad one is reported on stderr and in the JSON array, and the good
// ones given with it are still decoded; the exit status is the worst of all files.
/// The first line of --password-file, when given; false (reported) when it cannot be read.
bool read_password(const options& o, std::optional<std::string>& password) {
    if (!o.password_file) return true;
    std::string text;
    std::string error;
    if (!read_input_file(*o.password_file, text, error)) {
        file_error(*o.password_file, "cannot read the password file: " + error);
        return false;
    }
    const std::size_t end = text.find_first_of("\r\n");
    if (end != std::string::npos) text.resize(end);
    password = std::move(text);
    return true;
}

int run_decode(const options& o, bool requests) {
    if (o.arguments.empty()) return fail(std::string(o.command) + ": no FILE given");
    std::optional<std::string> password;
    if (!read_password(o, password)) return exit_bad_input;
    std::string out;
    json_writer json(out);
    if (o.json) json.begin_array();
    int status = exit_ok;
    for (const auto& path : o.arguments) {
        loaded_file file = load_file(path, password);
        std::string error = file.error;
        std::vector<document_info> documents;
        for (const auto& object : file.objects) {
            if (!requests && object.kind == object_kind::certificate) documents.push_back(describe_certificate(object.cert.get()));
            if (requests && object.kind == object_kind::request) documents.push_back(describe_request(object.request.get()));
        }
        if (error.empty() && documents.empty())
            error = std::string("holds no ") + (requests ? "certificate request" : "certificate") + wrong_command_hint(file, requests);
        if (!error.empty()) {
            file_error(path, error);
            status = exit_bad_input;
            if (o.json) json.begin_object().member("schema", json_schema).member("file", path).member("error", error).end_object();
            continue;
        }
        // A CSR whose self-signature does not verify was not made with the key it carries
        // (RFC 2986 §3): a failed check, like a name that does not match.
        for (const auto& d : documents) {
            if (requests && d.signature_valid != 1 && status == exit_ok) status = exit_mismatch;
            if (o.strict && !d.lints.empty() && status == exit_ok) status = exit_mismatch;
        }
        if (o.json) {
            json.begin_object().member("schema", json_schema).member("file", path).member("format", file.format);
            json.key(requests ? "requests" : "certificates").begin_array();
            for (const auto& d : documents) write_document_json(json, d);
            json.end_array().end_object();
        } else {
            out += path + " (" + file.format + ")\n";
            for (std::size_t i = 0; i < documents.size(); ++i) print_document_text(out, documents[i], i, documents.size());
        }
    }
    if (o.json) json.end_array();
    emit(out);
    return status;
}

// ---- match ---------------------------------------------------------------------------

struct parsed_reference {
    std::string text;
    svcid::reference reference;
};

svcid::result<svcid::reference> parse_typed(const std::string& type, std::string_view text) {
    auto wrap = [](auto r) -> svcid::result<svcid::reference> {
        if (!r) return r.error();
        return svcid::reference(*r);
    };
    if (type.empty()) return svcid::parse_reference(text);
    if (type == "dns") return wrap(svcid::parse_dns_reference(text));
    if (type == "ip") return wrap(svcid::parse_ip_reference(text));
    if (type == "srv") return wrap(svcid::parse_srv_reference(text));
    if (type == "uri") return wrap(svcid::parse_uri_reference(text));
    if (type == "spiffe") return wrap(svcid::make_spiffe_reference(text));
    return wrap(svcid::parse_email_reference(text));
}

const char* status_name(svcid::match_status s) {
    switch (s) {
    case svcid::match_status::matched: return "matched";
    case svcid::match_status::no_identifier_of_type: return "no_identifier_of_type";
    case svcid::match_status::no_match: return "no_match";
    case svcid::match_status::san_malformed: return "san_malformed";
    case svcid::match_status::cn_not_consulted: return "cn_not_consulted";
    case svcid::match_status::cn_not_permitted: return "cn_not_permitted";
    case svcid::match_status::multiple_cn_refused: return "multiple_cn_refused";
    case svcid::match_status::subject_malformed: return "subject_malformed";
    case svcid::match_status::no_reference: return "no_reference";
    case svcid::match_status::optional_not_matched: return "optional_not_matched";
    case svcid::match_status::not_an_svid: return "not_an_svid";
    }
    return "unknown";
}

struct match_outcome {
    svcid::match_result result;
    std::string type_name;
    std::string explanation;
};

template <class Policy, class Adapter>
match_outcome match_one(const Adapter& adapter, const svcid::reference& reference) {
    return reference.visit([&](const auto& typed) {
        using typed_reference = std::decay_t<decltype(typed)>;
        match_outcome outcome;
        outcome.result = svcid::match<Policy>(adapter, typed);
        outcome.type_name = svcid::reference_traits<typed_reference>::type_name;
        std::string text(1024, '\0');
        std::size_t wanted = svcid::explain<Policy>(adapter, typed, outcome.result, &text[0], text.size());
        if (wanted >= text.size()) {
            text.assign(wanted + 1, '\0');
            wanted = svcid::explain<Policy>(adapter, typed, outcome.result, &text[0], text.size());
        }
        text.resize(wanted < text.size() ? wanted : text.size() - 1);
        outcome.explanation = std::move(text);
        return outcome;
    });
}

template <class Adapter>
int run_match_with(const options& o, const std::string& path, const Adapter& adapter, const document_info& d,
                   const std::vector<parsed_reference>& references) {
    std::string out;
    json_writer json(out);
    if (o.json) {
        json.begin_object().member("schema", json_schema).member("file", path).member("policy", o.policy).member("subject", d.subject);
        json.key("results").begin_array();
    } else {
        out += path + ": " + (d.is_request ? "certificate request" : "certificate") + " " +
               (d.subject.empty() ? "(empty subject)" : d.subject) + ", policy " + o.policy + "\n";
    }
    bool all = true;
    for (const auto& ref : references) {
        const match_outcome m = o.policy == "rfc6125" ? match_one<svcid::rfc6125>(adapter, ref.reference)
                                                      : match_one<svcid::rfc9525>(adapter, ref.reference);
        const bool matched = m.result.matched();
        all = all && matched;
        if (o.json) {
            json.begin_object().member("reference", printable(ref.text, true)).member("type", m.type_name);
            json.member("matched", matched).member("status", status_name(m.result.status));
            json.key("presented");
            if (matched) {
                json.begin_object().member("source", svcid::kind_name(m.result.presented.kind));
                std::string value;
                if (m.result.presented.kind == svcid::presented_kind::ip_address) {
                    char text[svcid::ip_reference::max_text_len + 1] = {};
                    const std::size_t n = svcid::format_ip_octets(m.result.presented.value, text, sizeof text - 1);
                    value.assign(text, n < sizeof text ? n : sizeof text - 1);
                } else {
                    value = printable(m.result.presented.value, m.result.presented.tag == svcid::string_tag::utf8_string);
                }
                json.member("value", value).end_object();
            } else {
                json.null();
            }
            json.member("cn_consulted", m.result.cn_consulted).member("explanation", m.explanation).end_object();
        } else {
            // explain() puts each presented identifier on its own line; indent those
            // under the reference they belong to.
            std::string text;
            for (const char c : m.explanation) text += c == '\n' ? std::string("\n          ") : std::string(1, c);
            out += std::string(matched ? "  MATCH     " : "  NO MATCH  ") + text + "\n";
        }
    }
    if (o.json) {
        json.end_array().member("all_matched", all).end_object();
    } else {
        out += all ? "all references match\n" : "some references do not match\n";
    }
    emit(out);
    return all ? exit_ok : exit_mismatch;
}

int run_match(const options& o) {
    if (o.arguments.size() < 2) return fail("match: need FILE and at least one REFERENCE");
    if (o.policy != "rfc9525" && o.policy != "rfc6125") return fail("--policy must be rfc9525 or rfc6125, not \"" + printable(o.policy, true) + "\"");
    if (!o.type.empty() && o.type != "dns" && o.type != "ip" && o.type != "srv" && o.type != "uri" &&
        o.type != "spiffe" && o.type != "email")
        return fail("--type must be dns, ip, srv, uri, spiffe or email, not \"" + printable(o.type, true) + "\"");

    std::vector<parsed_reference> references;
    for (std::size_t i = 1; i < o.arguments.size(); ++i) {
        const std::string& text = o.arguments[i];
        auto parsed = parse_typed(o.type, text);
        if (!parsed) {
            char reason[256];
            svcid::describe(parsed.error(), reason, sizeof reason);
            return fail("bad reference \"" + printable(text, true) + "\": " + reason);
        }
        references.push_back({text, *parsed});
    }

    std::optional<std::string> password;
    if (!read_password(o, password)) return exit_bad_input;
    const std::string& path = o.arguments[0];
    loaded_file file = load_file(path, password);
    if (!file.error.empty()) return file_error(path, file.error);
    // A bundle may list its certificates in any order: the one to match is the leaf, the one
    // certificate that issued none of the others. Two candidates (two unrelated leaves, or a
    // bundle of roots) leave nothing to choose by, so the user must say which.
    std::vector<X509*> certificates;
    for (const auto& object : file.objects)
        if (object.kind == object_kind::certificate) certificates.push_back(object.cert.get());
    std::vector<X509*> leaves;
    for (X509* candidate : certificates) {
        bool issued_another = false;
        for (X509* other : certificates)
            if (other != candidate && X509_check_issued(candidate, other) == X509_V_OK) issued_another = true;
        if (!issued_another) leaves.push_back(candidate);
    }
    if (leaves.size() == 1)
        return run_match_with(o, path, svcid::openssl_certificate{leaves.front()}, describe_certificate(leaves.front()),
                              references);
    if (!certificates.empty())
        return file_error(path, "holds " + std::to_string(certificates.size()) + " certificates of which " +
                                    std::to_string(leaves.size()) +
                                    " issued no other: put the certificate to match in a file of its own");
    for (const auto& object : file.objects)
        if (object.kind == object_kind::request)
            return run_match_with(o, path, svcid::openssl_csr{object.request.get()}, describe_request(object.request.get()),
                                  references);
    return file_error(path, "holds no certificate or certificate request");
}

// ---- keymatch ------------------------------------------------------------------------

struct key_entry {
    std::string file;
    object_kind kind;
    key_info key;
};

int run_keymatch(const options& o) {
    if (o.arguments.empty()) return fail("keymatch: no FILE given");
    std::optional<std::string> password;
    if (!read_password(o, password)) return exit_bad_input;
    std::vector<key_entry> entries;
    for (const auto& path : o.arguments) {
        loaded_file file = load_file(path, password);
        if (!file.error.empty()) return file_error(path, file.error);
        // Of the certificates and CSRs a file holds, the first is the one whose key counts
        // (the leaf of a chain); every key in the file counts.
        bool have_document = false;
        for (auto& object : file.objects) {
            EVP_PKEY* key = nullptr;
            if (object.kind == object_kind::certificate || object.kind == object_kind::request) {
                if (have_document) continue;
                have_document = true;
                key = object.kind == object_kind::certificate ? X509_get0_pubkey(object.cert.get())
                                                              : X509_REQ_get0_pubkey(object.request.get());
            } else {
                key = object.key.get();
            }
            key_info info = describe_key(key);
            if (!info.error.empty()) return file_error(path, "unsupported key: " + info.error);
            entries.push_back({path, object.kind, std::move(info)});
        }
    }
    bool same = true;
    for (const auto& e : entries) same = same && e.key.spki_sha256 == entries.front().key.spki_sha256;

    std::string out;
    if (o.json) {
        json_writer json(out);
        json.begin_object().member("schema", json_schema).member("match", same).key("objects").begin_array();
        for (const auto& e : entries) {
            json.begin_object().member("file", e.file).member("kind", object_kind_name(e.kind)).key("key");
            write_key_json(json, e.key);
            json.end_object();
        }
        json.end_array().end_object();
    } else {
        for (const auto& e : entries) {
            out += e.file + ": " + object_kind_name(e.kind) + ", " + e.key.type;
            if (!e.key.curve.empty()) out += " " + e.key.curve;
            out += " " + std::to_string(e.key.bits) + " bits, SPKI SHA-256 " + e.key.spki_sha256 + "\n";
        }
        out += same ? "all hold the same public key\n" : "the public keys DIFFER\n";
    }
    emit(out);
    return same ? exit_ok : exit_mismatch;
}

// ---- command line --------------------------------------------------------------------

int run(int argc, char** argv) {
    options o;
    bool only_positional = false;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&]() -> std::optional<std::string> {
            if (i + 1 >= argc) return std::nullopt;
            return std::string(argv[++i]);
        };
        if (!only_positional && arg.size() > 1 && arg[0] == '-') {
            if (arg == "--") {
                only_positional = true;
            } else if (arg == "--help" || arg == "-h") {
                emit(usage);
                return exit_ok;
            } else if (arg == "--json") {
                o.json = true;
            } else if (arg == "--strict") {
                o.strict = true;
            } else if (arg == "--version") {
                emit(std::string("svcid-inspect ") + SVCID_INSPECT_VERSION + " (" + OpenSSL_version(OPENSSL_VERSION) + ")\n");
                return exit_ok;
            } else if (arg == "--policy" || arg == "--type" || arg == "--password-file") {
                auto v = value();
                if (!v) return fail(arg + " needs a value");
                if (arg == "--policy") o.policy = *v;
                else if (arg == "--type") o.type = *v;
                else o.password_file = *v;
            } else {
                return fail("unknown option \"" + printable(arg, true) + "\" (see --help)");
            }
        } else if (o.command.empty()) {
            o.command = arg;
        } else {
            o.arguments.push_back(arg);
        }
    }
    if (o.command.empty()) {
        std::fputs(usage, stderr);
        return exit_bad_input;
    }
    if (o.command == "cert") return run_decode(o, false);
    if (o.command == "csr") return run_decode(o, true);
    if (o.command == "match") return run_match(o);
    if (o.command == "keymatch") return run_keymatch(o);
    return fail("unknown command \"" + printable(o.command, true) + "\" (see --help)");
}

} // namespace
} // namespace svcid_inspect

int main(int argc, char** argv) { return svcid_inspect::run(argc, argv); }
