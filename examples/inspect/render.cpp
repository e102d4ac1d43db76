// Printing document_info for people (aligned text) and for scripts (JSON, docs/inspect.md).
#include "inspect.hpp"
#include "json_writer.hpp"

namespace svcid_inspect {

namespace {

void line(std::string& out, std::string_view label, std::string_view value) {
    out += "  ";
    out += label;
    out += ':';
    out.append(label.size() < 20 ? 20 - label.size() : 1, ' ');
    out += value;
    out += '\n';
}

std::string join(const std::vector<std::string>& values) {
    std::string out;
    for (const auto& v : values) {
        if (!out.empty()) out += ", ";
        out += v;
    }
    return out;
}

std::string extension_text(const extension_values& e) {
    if (e.malformed) return "malformed (does not decode, or appears twice)";
    std::string out = e.values.empty() ? "(empty)" : join(e.values);
    if (e.critical) out += " (critical)";
    return out;
}

std::string key_text(const key_info& k) {
    if (!k.error.empty()) return k.error;
    std::string out = k.type;
    if (!k.curve.empty()) out += " " + k.curve;
    out += ", " + std::to_string(k.bits) + " bits";
    return out;
}

std::string quoted_value(const identifier_info& id) {
    // Addresses, OIDs, hex and Names are svcid-inspect's own rendering; names and URIs
    // are the certificate's bytes and are quoted.
    if (id.source == "iPAddress" || id.source == "otherName" || id.source == "registeredID" ||
        id.source == "directoryName" || id.source == "x400Address/ediPartyName" || id.source == "subject")
        return id.value;
    return "\"" + id.value + "\"";
}

void string_or_null(json_writer& json, std::string_view name, const std::string& value) {
    json.key(name);
    if (value.empty())
        json.null();
    else
        json.string(value);
}

void write_extension_json(json_writer& json, std::string_view name, const extension_values& e) {
    json.key(name);
    if (!e.present) {
        json.null();
        return;
    }
    json.begin_object().member("critical", e.critical).member("malformed", e.malformed).key("values").begin_array();
    for (const auto& v : e.values) json.string(v);
    json.end_array().end_object();
}

void write_strings(json_writer& json, std::string_view name, const std::vector<std::string>& values) {
    json.key(name).begin_array();
    for (const auto& v : values) json.string(v);
    json.end_array();
}

} // namespace

void print_document_text(std::string& out, const document_info& d, std::size_t index, std::size_t count) {
    out += d.is_request ? "certificate request" : "certificate";
    if (count > 1) out += " " + std::to_string(index + 1) + " of " + std::to_string(count);
    out += '\n';
    line(out, "version", std::to_string(d.version));
    line(out, "subject", d.subject.empty() ? "(empty)" : d.subject);
    if (!d.is_request) {
        line(out, "issuer", d.issuer.empty() ? "(empty)" : d.issuer);
        std::string validity = d.not_before + " to " + d.not_after + " (" + d.validity;
        if (d.validity == "valid")
            validity += ", " + std::to_string(d.validity_days) + " days left)";
        else if (d.validity == "expired")
            validity += " " + std::to_string(d.validity_days) + " days ago)";
        else
            validity += ", starts in " + std::to_string(d.validity_days) + " days)";
        line(out, "validity", validity);
        line(out, "serial", d.serial);
    }
    line(out, "public key", key_text(d.key));
    line(out, "SPKI SHA-256", d.key.spki_sha256);
    if (!d.key.rsa_modulus.empty()) {
        line(out, "RSA exponent", d.key.rsa_exponent);
        line(out, "RSA modulus", d.key.rsa_modulus);
    }
    line(out, "signature", d.signature_algorithm);
    if (d.is_request)
        line(out, "self-signature", d.signature_valid == 1 ? "verifies" : "DOES NOT VERIFY");
    else {
        line(out, "SHA-256 fingerprint", d.sha256_fingerprint);
        line(out, "SHA-1 fingerprint", d.sha1_fingerprint);
    }
    if (d.key_usage.present) line(out, "key usage", extension_text(d.key_usage));
    if (d.extended_key_usage.present) line(out, "extended key usage", extension_text(d.extended_key_usage));
    if (d.basic_constraints.present) {
        const auto& bc = d.basic_constraints;
        std::string text = bc.malformed ? "malformed" : bc.ca ? "CA" : "not a CA";
        if (bc.path_length >= 0) text += ", path length " + std::to_string(bc.path_length);
        if (bc.critical) text += " (critical)";
        line(out, "basic constraints", text);
    }
    line(out, "subjectAltName", d.subject_alt_name == "malformed"
                                    ? "MALFORMED: no identifier in it is ever matched, and no CN fallback"
                                    : d.subject_alt_name);
    if (d.subject_alt_name == "present") line(out, "SAN entries", std::to_string(d.san_entries));
    out += "  extensions: " + std::to_string(d.extensions.size()) + "\n";
    for (const auto& e : d.extensions) {
        out += "    " + (e.name.empty() ? e.oid : e.name + " (" + e.oid + ")") + (e.critical ? ", critical" : "") + "\n";
        const std::string& body = e.text.empty() ? e.value_hex : e.text;
        std::size_t start = 0;
        while (start <= body.size() && !body.empty()) {
            const std::size_t end = body.find('\n', start);
            out += "      " + body.substr(start, end == std::string::npos ? std::string::npos : end - start) + "\n";
            if (end == std::string::npos) break;
            start = end + 1;
        }
    }
    if (d.is_request) out += "  attributes: " + std::to_string(d.attributes.size()) + "\n";
    for (const auto& a : d.attributes) {
        out += "    " + (a.name.empty() ? a.oid : a.name + " (" + a.oid + ")") + "\n";
        for (const auto& v : a.values)
            out += "      " + v.asn1_type + " " + (v.der_hex.empty() ? "\"" + v.text + "\"" : v.der_hex) + "\n";
    }
    for (const auto& l : d.lints) out += "  warning " + l.code + ": " + l.message + "\n";
    out += d.is_request ? "  requested identifiers:\n" : "  identifiers:\n";
    if (d.identifiers.empty()) out += "    (none)\n";
    for (const auto& id : d.identifiers) {
        std::string entry = "    " + id.type;
        entry.append(id.type.size() < 10 ? 10 - id.type.size() : 1, ' ');
        entry += id.source;
        if (!id.oid.empty()) entry += " " + id.oid;
        entry += " " + quoted_value(id);
        if (!id.unicode.empty()) entry += " (" + id.unicode + ")";
        out += entry + '\n';
        if (id.is_cn) {
            out += "        rfc9525: not consulted (RFC 9525 §6.3: DNS-IDs come from the SAN only)\n";
            out += std::string("        rfc6125: ") + (id.rfc6125_consults ? "consulted, " : "not consulted: ") +
                   id.rfc6125_reason + '\n';
        }
        for (const auto& p : id.problems) out += "        MALFORMED: " + p + '\n';
        for (const auto& n : id.notes) out += "        note: " + n + '\n';
    }
}

void write_key_json(json_writer& json, const key_info& key) {
    json.begin_object();
    if (!key.error.empty()) {
        json.member("error", key.error).end_object();
        return;
    }
    json.member("type", key.type).member("bits", key.bits);
    string_or_null(json, "curve", key.curve);
    json.member("spki_sha256", key.spki_sha256);
    if (!key.rsa_modulus.empty()) json.member("rsa_modulus", key.rsa_modulus).member("rsa_exponent", key.rsa_exponent);
    json.end_object();
}

void write_document_json(json_writer& json, const document_info& d) {
    json.begin_object();
    json.member("type", d.is_request ? "request" : "certificate");
    json.member("version", static_cast<long long>(d.version));
    json.member("subject", d.subject).member("subject_oneline", d.subject_oneline);
    if (!d.is_request) {
        json.member("issuer", d.issuer).member("issuer_oneline", d.issuer_oneline);
        json.member("serial", d.serial);
        json.member("not_before", d.not_before).member("not_after", d.not_after);
        json.member("validity", d.validity).member("validity_days", d.validity_days);
    }
    json.key("public_key");
    write_key_json(json, d.key);
    json.member("signature_algorithm", d.signature_algorithm);
    if (d.is_request)
        json.member("signature_valid", d.signature_valid == 1);
    else
        json.member("sha256_fingerprint", d.sha256_fingerprint).member("sha1_fingerprint", d.sha1_fingerprint);
    json.key("extensions").begin_array();
    for (const auto& e : d.extensions) {
        json.begin_object().member("oid", e.oid);
        string_or_null(json, "name", e.name);
        json.member("critical", e.critical);
        if (!e.text.empty()) json.member("text", e.text);
        if (!e.value_hex.empty()) json.member("value_hex", e.value_hex);
        json.end_object();
    }
    json.end_array();
    if (d.is_request) {
        json.key("attributes").begin_array();
        for (const auto& a : d.attributes) {
            json.begin_object().member("oid", a.oid);
            string_or_null(json, "name", a.name);
            json.key("values").begin_array();
            for (const auto& v : a.values) {
                json.begin_object().member("asn1_type", v.asn1_type);
                if (v.der_hex.empty())
                    json.member("text", v.text);
                else
                    json.member("der_hex", v.der_hex);
                json.end_object();
            }
            json.end_array().end_object();
        }
        json.end_array();
    }
    write_extension_json(json, "key_usage", d.key_usage);
    write_extension_json(json, "extended_key_usage", d.extended_key_usage);
    json.key("basic_constraints");
    if (!d.basic_constraints.present) {
        json.null();
    } else {
        const auto& bc = d.basic_constraints;
        json.begin_object().member("critical", bc.critical).member("malformed", bc.malformed).member("ca", bc.ca);
        json.key("path_length");
        if (bc.path_length < 0)
            json.null();
        else
            json.number(bc.path_length);
        json.end_object();
    }
    json.key("lints").begin_array();
    for (const auto& l : d.lints) json.begin_object().member("code", l.code).member("message", l.message).end_object();
    json.end_array();
    json.member("subject_alt_name", d.subject_alt_name);
    json.member("san_entries", static_cast<long long>(d.san_entries));
    json.key("identifiers").begin_array();
    for (const auto& id : d.identifiers) {
        json.begin_object().member("type", id.type).member("source", id.source).member("value", id.value);
        if (!id.raw_hex.empty()) json.member("raw_hex", id.raw_hex);
        if (!id.unicode.empty()) json.member("unicode", id.unicode);
        if (!id.oid.empty()) json.member("oid", id.oid);
        json.member("malformed", !id.problems.empty());
        write_strings(json, "problems", id.problems);
        write_strings(json, "notes", id.notes);
        if (id.is_cn) {
            json.key("consulted").begin_object().member("rfc9525", false).member("rfc6125", id.rfc6125_consults);
            json.member("rfc6125_reason", id.rfc6125_reason).end_object();
        }
        json.end_object();
    }
    json.end_array();
    json.end_object();
}

namespace {

const char* entry_kind(const keystore_entry& entry) { return entry.private_key ? "private key" : "trusted certificate"; }

const char* integrity_text(const keystore_info& store) {
    return store.integrity_checked ? "verified" : "not checked (no --password-file)";
}

} // namespace

void print_keystore_text(std::string& out, const keystore_info& store) {
    out += store.type + " keystore, version " + std::to_string(store.version) + ", " +
           std::to_string(store.entries.size()) + (store.entries.size() == 1 ? " entry" : " entries") +
           ", integrity " + integrity_text(store) + "\n";
    for (const auto& entry : store.entries) {
        out += "  \"" + entry.alias + "\": " + entry_kind(entry) + ", created " + entry.created;
        if (entry.private_key) {
            out += ", " + std::to_string(entry.certificates) + (entry.certificates == 1 ? " certificate" : " certificates");
            out += entry.key_state == "decrypted" ? ", key decrypted" : ", key encrypted (not matched)";
        }
        out += '\n';
    }
}

void write_keystore_json(json_writer& json, const keystore_info& store, const std::vector<loaded_object>& objects) {
    json.key("keystore").begin_object().member("type", store.type).member("version", static_cast<long long>(store.version));
    json.member("integrity", store.integrity_checked ? "verified" : "not checked");
    json.key("entries").begin_array();
    for (std::size_t i = 0; i < store.entries.size(); ++i) {
        const keystore_entry& entry = store.entries[i];
        json.begin_object().member("alias", entry.alias).member("created", entry.created).member("kind", entry_kind(entry));
        json.key("key");
        if (entry.private_key)
            json.string(entry.key_state);
        else
            json.null();
        json.key("certificates").begin_array();
        long long index = 0;
        for (const auto& object : objects) {
            if (object.kind != object_kind::certificate) continue;
            if (object.keystore_entry == i) json.number(index);
            ++index;
        }
        json.end_array().end_object();
    }
    json.end_array().end_object();
}

} // namespace svcid_inspect
