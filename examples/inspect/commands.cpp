// The commands behind both faces of svcid-inspect: the command line (main.cpp) and the
// local web page (serve.cpp) call the same functions, so both print the same facts and the
// same JSON documents (docs/svcid-inspect.schema.json).
#include "inspect.hpp"
#include "json_writer.hpp"

#include <svcid/explain.hpp>
#include <svcid/openssl.hpp>

namespace svcid_inspect {
namespace {

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
    case svcid::match_status::dns_name_not_preferred: return "dns_name_not_preferred";
    case svcid::match_status::cn_not_in_san: return "cn_not_in_san";
    case svcid::match_status::critical_san_with_subject: return "critical_san_with_subject";
    case svcid::match_status::empty_subject_without_critical_san: return "empty_subject_without_critical_san";
    case svcid::match_status::leaf_facts_unknown: return "leaf_facts_unknown";
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

std::string presented_value(const svcid::presented_id& presented) {
    if (presented.kind != svcid::presented_kind::ip_address)
        return printable(presented.value, presented.tag == svcid::string_tag::utf8_string);
    char text[svcid::ip_reference::max_text_len + 1] = {};
    const std::size_t n = svcid::format_ip_octets(presented.value, text, sizeof text - 1);
    return std::string(text, n < sizeof text ? n : sizeof text - 1);
}

template <class Adapter>
int match_with(const std::string& name, const Adapter& adapter, const document_info& d,
               const std::vector<parsed_reference>& references, const std::string& policy, json_writer* json,
               std::string& out) {
    if (json != nullptr) {
        json->begin_object().member("schema", json_schema).member("file", name).member("policy", policy).member("subject", d.subject);
        json->key("results").begin_array();
    } else {
        out += name + ": " + (d.is_request ? "certificate request" : "certificate") + " " +
               (d.subject.empty() ? "(empty subject)" : d.subject) + ", policy " + policy + "\n";
    }
    bool all = true;
    for (const auto& ref : references) {
        const match_outcome m = policy == "rfc6125" ? match_one<svcid::rfc6125>(adapter, ref.reference)
                                                    : match_one<svcid::rfc9525>(adapter, ref.reference);
        const bool matched = m.result.matched();
        all = all && matched;
        if (json != nullptr) {
            json->begin_object().member("reference", printable(ref.text, true)).member("type", m.type_name);
            json->member("matched", matched).member("status", status_name(m.result.status));
            json->key("presented");
            if (matched)
                json->begin_object()
                    .member("source", svcid::kind_name(m.result.presented.kind))
                    .member("value", presented_value(m.result.presented))
                    .end_object();
            else
                json->null();
            json->member("cn_consulted", m.result.cn_consulted).member("explanation", m.explanation).end_object();
        } else {
            // explain() puts each presented identifier on its own line; indent those
            // under the reference they belong to.
            std::string text;
            for (const char c : m.explanation) text += c == '\n' ? std::string("\n          ") : std::string(1, c);
            out += std::string(matched ? "  MATCH     " : "  NO MATCH  ") + text + "\n";
        }
    }
    if (json != nullptr)
        json->end_array().member("all_matched", all).end_object();
    else
        out += all ? "all references match\n" : "some references do not match\n";
    return all ? exit_ok : exit_mismatch;
}

} // namespace

bool parse_reference_as(const std::string& type, const std::string& text, parsed_reference& out, std::string& error) {
    auto parsed = parse_typed(type, text);
    if (!parsed) {
        char reason[256];
        svcid::describe(parsed.error(), reason, sizeof reason);
        error = "bad reference \"" + printable(text, true) + "\": " + reason;
        return false;
    }
    out = {text, *parsed};
    return true;
}

std::vector<X509*> leaf_certificates(const loaded_file& file) {
    // A bundle may list its certificates in any order: the leaf is a certificate that issued
    // none of the others.
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
    return leaves;
}

int decode_command(const named_file& input, bool requests, bool strict, json_writer* json, std::string& out,
                   std::string& error) {
    error = input.file.error;
    std::vector<document_info> documents;
    const keystore_info* store = input.file.keystore ? &*input.file.keystore : nullptr;
    std::vector<const keystore_entry*> entry_of;  // by document, for a keystore's certificates
    for (const auto& object : input.file.objects) {
        if (!requests && object.kind == object_kind::certificate) {
            documents.push_back(describe_certificate(object.cert.get()));
            entry_of.push_back(store != nullptr && object.keystore_entry ? &store->entries[*object.keystore_entry] : nullptr);
        }
        if (requests && object.kind == object_kind::request) documents.push_back(describe_request(object.request.get()));
    }
    if (error.empty() && documents.empty()) {
        error = std::string("holds no ") + (requests ? "certificate request" : "certificate");
        // What the file holds instead, so that `cert x.csr` says which command was meant.
        for (const auto& object : input.file.objects) {
            if (requests && object.kind == object_kind::certificate) {
                error += " (it holds a certificate: try `svcid-inspect cert`)";
                break;
            }
            if (!requests && object.kind == object_kind::request) {
                error += " (it holds a certificate request: try `svcid-inspect csr`)";
                break;
            }
        }
    }
    if (!error.empty()) {
        if (json != nullptr) json->begin_object().member("schema", json_schema).member("file", input.name).member("error", error).end_object();
        return exit_bad_input;
    }
    int status = exit_ok;
    // A CSR whose self-signature does not verify was not made with the key it carries
    // (RFC 2986 §3): a failed check, like a name that does not match.
    for (const auto& d : documents) {
        if (requests && d.signature_valid != 1) status = exit_mismatch;
        if (strict && !d.lints.empty()) status = exit_mismatch;
    }
    if (json != nullptr) {
        json->begin_object().member("schema", json_schema).member("file", input.name).member("format", input.file.format);
        json->key(requests ? "requests" : "certificates").begin_array();
        for (const auto& d : documents) write_document_json(*json, d);
        json->end_array();
        if (store != nullptr && !requests) write_keystore_json(*json, *store, input.file.objects);
        json->end_object();
    } else {
        out += input.name + " (" + input.file.format + ")\n";
        if (store != nullptr && !requests) print_keystore_text(out, *store);
        for (std::size_t i = 0; i < documents.size(); ++i) {
            if (i < entry_of.size() && entry_of[i] != nullptr) out += "keystore entry \"" + entry_of[i]->alias + "\": ";
            print_document_text(out, documents[i], i, documents.size());
        }
    }
    return status;
}

int match_command(const named_file& input, const std::vector<parsed_reference>& references, const std::string& policy,
                  json_writer* json, std::string& out, std::string& error) {
    const loaded_file& file = input.file;
    if (!file.error.empty()) {
        error = file.error;
        return exit_bad_input;
    }
    const std::vector<X509*> leaves = leaf_certificates(file);
    if (leaves.size() == 1)
        return match_with(input.name, svcid::openssl_certificate{leaves.front()}, describe_certificate(leaves.front()),
                          references, policy, json, out);
    std::size_t certificates = 0;
    for (const auto& object : file.objects) certificates += object.kind == object_kind::certificate ? 1 : 0;
    // Two candidates (two unrelated leaves, or a bundle of roots) leave nothing to choose by,
    // so the user must say which.
    if (certificates != 0) {
        error = "holds " + std::to_string(certificates) + " certificates of which " + std::to_string(leaves.size()) +
                " issued no other: " +
                (file.keystore ? "name the keystore entry to match with --alias"
                               : "put the certificate to match in a file of its own");
        return exit_bad_input;
    }
    for (const auto& object : file.objects)
        if (object.kind == object_kind::request)
            return match_with(input.name, svcid::openssl_csr{object.request.get()}, describe_request(object.request.get()),
                              references, policy, json, out);
    error = "holds no certificate or certificate request";
    return exit_bad_input;
}

int keymatch_command(const std::vector<named_file>& inputs, json_writer* json, std::string& out, std::string& error,
                     std::string& failed_input) {
    struct key_entry {
        std::string file;
        object_kind kind;
        key_info key;
    };
    std::vector<key_entry> entries;
    struct unmatched_key {
        std::string file, alias;
    };
    std::vector<unmatched_key> unmatched;  // keystore keys left encrypted for want of a password
    for (const auto& input : inputs) {
        if (!input.file.error.empty()) {
            failed_input = input.name;
            error = input.file.error;
            return exit_bad_input;
        }
        if (input.file.keystore)
            for (const auto& entry : input.file.keystore->entries)
                if (entry.private_key && entry.key_state != "decrypted") unmatched.push_back({input.name, entry.alias});
        // Of the certificates and CSRs a file holds, the first is the one whose key counts
        // (the leaf of a chain); every key in the file counts.
        bool have_document = false;
        for (const auto& object : input.file.objects) {
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
            if (!info.error.empty()) {
                failed_input = input.name;
                error = "unsupported key: " + info.error;
                return exit_bad_input;
            }
            entries.push_back({input.name, object.kind, std::move(info)});
        }
    }
    bool same = true;
    for (const auto& e : entries) same = same && e.key.spki_sha256 == entries.front().key.spki_sha256;
    // A key that could not be read cannot be said to match: "same" would be a guess.
    const bool all_read = unmatched.empty();

    if (json != nullptr) {
        json->begin_object().member("schema", json_schema).member("match", same && all_read).key("objects").begin_array();
        for (const auto& e : entries) {
            json->begin_object().member("file", e.file).member("kind", object_kind_name(e.kind)).key("key");
            write_key_json(*json, e.key);
            json->end_object();
        }
        json->end_array();
        if (!all_read) {
            json->key("not_matched").begin_array();
            for (const auto& u : unmatched)
                json->begin_object().member("file", u.file).member("alias", u.alias).member("reason", "encrypted: use --password-file").end_object();
            json->end_array();
        }
        json->end_object();
    } else {
        for (const auto& e : entries) {
            out += e.file + ": " + object_kind_name(e.kind) + ", " + e.key.type;
            if (!e.key.curve.empty()) out += " " + e.key.curve;
            out += " " + std::to_string(e.key.bits) + " bits, SPKI SHA-256 " + e.key.spki_sha256 + "\n";
        }
        for (const auto& u : unmatched)
            out += u.file + ": keystore entry \"" + u.alias + "\": private key encrypted, not matched (use --password-file)\n";
        if (!same)
            out += "the public keys DIFFER\n";
        else
            out += all_read ? "all hold the same public key\n" : "the keys read hold the same public key, but not every key was read\n";
    }
    return same && all_read ? exit_ok : exit_mismatch;
}

int fetch_command(const std::string& server, const fetched_chain& fetched, const parsed_reference& reference,
                  const std::string& policy, json_writer* json, std::string& out) {
    std::vector<document_info> chain;
    for (const auto& object : fetched.file.objects) chain.push_back(describe_certificate(object.cert.get()));
    X509* leaf = fetched.file.objects.front().cert.get();
    if (json != nullptr) {
        json->begin_object().member("schema", json_schema).member("server", server).member("address", fetched.address);
        json->key("servername");
        if (fetched.servername.empty())
            json->null();
        else
            json->string(printable(fetched.servername, true));
        json->member("protocol", fetched.protocol).member("cipher", fetched.cipher);
        json->key("certificates").begin_array();
        for (const auto& d : chain) write_document_json(*json, d);
        json->end_array();
        json->key("verification").begin_object().member("verified", fetched.verified).member("trust", fetched.trust);
        json->key("error");
        if (fetched.verified)
            json->null();
        else
            json->string(fetched.verify_error);
        json->end_object().key("identity");
    } else {
        out += server + " (" + fetched.address + ", " + fetched.protocol + ", " + fetched.cipher + ", SNI " +
               (fetched.servername.empty() ? std::string("none") : "\"" + printable(fetched.servername, true) + "\"") + ")\n";
        out += "the server presented " + std::to_string(chain.size()) + (chain.size() == 1 ? " certificate\n" : " certificates\n");
        for (std::size_t i = 0; i < chain.size(); ++i) print_document_text(out, chain[i], i, chain.size());
        out += fetched.verified ? "chain: verified against " + fetched.trust + "\n"
                                : "chain: NOT verified against " + fetched.trust + ": " + fetched.verify_error + "\n";
    }
    const int identity = match_with(server, svcid::openssl_certificate{leaf}, chain.front(), {reference}, policy, json, out);
    if (json != nullptr) json->end_object();
    return identity == exit_ok && fetched.verified ? exit_ok : exit_mismatch;
}

} // namespace svcid_inspect
