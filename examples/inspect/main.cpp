// svcid-inspect: decode certificates and CSRs, check a certificate against reference
// identities with svcid's matcher, tell whether certificates, CSRs and keys hold the same
// public key, and fetch a TLS server's chain to do the same with it. See docs/inspect.md.
//
// Exit status: 0 success (all match), 1 a mismatch (match, keymatch, fetch), 2 bad input or
// usage, or for fetch no connection or handshake.
#include "inspect.hpp"
#include "json_writer.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <cstdio>

namespace svcid_inspect {
namespace {

const char usage[] =
    "usage: svcid-inspect [--json] cert FILE... [--password-file F]\n"
    "       svcid-inspect [--json] csr FILE...\n"
    "       svcid-inspect [--json] match FILE REFERENCE... [--policy rfc9525|rfc6125]\n"
    "                               [--type dns|ip|srv|uri|spiffe|email]\n"
    "       svcid-inspect [--json] keymatch FILE... [--password-file F] [--alias A]\n"
    "       svcid-inspect [--json] fetch HOST[:PORT] [--servername NAME] [--name REFERENCE]\n"
    "                               [--ca-file F] [--timeout SECONDS] [--policy P] [--type T]\n"
    "       svcid-inspect serve [--port N]\n"
    "\n"
    "  cert      decode certificates (PEM or DER, every certificate of a chain,\n"
    "            PKCS #7 and PKCS #12 files, JKS and JCEKS keystores)\n"
    "  csr       decode certificate signing requests and check their self-signature\n"
    "  match     is the certificate (or CSR) in FILE valid for each REFERENCE?\n"
    "            Without --type the type is told by the text: spiffe://..., scheme://host,\n"
    "            local@domain, an IP address, else a DNS name (SRV-IDs need --type srv).\n"
    "  keymatch  do the certificates, CSRs and keys in FILE... hold the same public key?\n"
    "  fetch     connect to a TLS server (HOST a name, an IPv4 address or [IPv6], PORT 443\n"
    "            by default), show the chain it presents, whether it verifies, and whether\n"
    "            the leaf is valid for HOST (or --name); sends no application data\n"
    "  serve     all of the above except fetch, as a web page on 127.0.0.1 only; prints\n"
    "            its URL, which carries a random token (nothing leaves the machine, nothing\n"
    "            is stored)\n"
    "\n"
    "  --json            machine-readable output (shapes in docs/inspect.md)\n"
    "  --strict          cert, csr: a lint (warning Wnnn) makes the exit status 1\n"
    "  --version         print the version and the OpenSSL in use\n"
    "  FILE may be - for standard input\n"
    "  --policy P        rfc9525 (default: SAN only, whole-label wildcards) or rfc6125\n"
    "                    (adds partial wildcards and the CN-ID fallback)\n"
    "  --type T          how to read every REFERENCE\n"
    "  --password-file F the password for encrypted private keys, PKCS #12 files and\n"
    "                    keystores (first line of F)\n"
    "  --alias A         cert, match, keymatch: only keystore entry A\n"
    "  --port N          serve: the port on 127.0.0.1 (default 0: a free one)\n"
    "  --servername NAME fetch: the SNI to send (default HOST, none for an address)\n"
    "  --name REFERENCE  fetch: the identity to check instead of HOST\n"
    "  --ca-file F       fetch: trust these CA certificates instead of the system's\n"
    "  --timeout S       fetch: seconds for connect and handshake (default 10)\n"
    "\n"
    "exit status: 0 all good, 1 some reference or key does not match (or, with --strict,\n"
    "             a lint; fetch: the name or the chain is refused), 2 bad input\n"
    "             (fetch: no connection or no handshake)\n";

struct options {
    std::string command;
    std::vector<std::string> arguments;
    bool json = false;
    bool strict = false;
    std::string policy = "rfc9525";
    std::string type;
    std::optional<std::string> password_file;
    std::optional<std::string> port;
    std::optional<std::string> alias;
    std::optional<std::string> servername, name, ca_file, timeout;
};

int fail(const std::string& message) {
    std::fprintf(stderr, "svcid-inspect: %s\n", message.c_str());
    return exit_bad_input;
}

int file_error(const std::string& file, const std::string& reason) { return fail(file + ": " + reason); }

void emit(const std::string& text) { std::fwrite(text.data(), 1, text.size(), stdout); }

// The page's requests carry at most this much: the Debian CA bundle (about 210 KB of PEM)
// base64-encoded once more fits; anything larger is refused before it is read.
constexpr std::size_t serve_max_body = 1024 * 1024;

int run_serve_command(const options& o) {
    if (!o.arguments.empty()) return fail("serve takes no FILE: paste or drop files into the page");
    if (!serve_available()) return fail("serve: this svcid-inspect was built without it (it needs Boost.Beast's headers and C++ exceptions)");
    unsigned long port = 0;
    if (o.port) {
        const bool ok = !o.port->empty() && o.port->size() <= 5 && o.port->find_first_not_of("0123456789") == std::string::npos;
        for (const char c : ok ? *o.port : std::string()) port = port * 10 + static_cast<unsigned long>(c - '0');
        if (!ok || port > 65535) return fail("--port must be a number from 0 to 65535, not \"" + printable(*o.port, true) + "\"");
    }
    return run_serve(static_cast<unsigned short>(port), serve_max_body);
}

// ---- cert and csr --------------------------------------------------------------------

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

/// `path` loaded; with --alias, a keystore keeps only that entry (other files are left whole,
/// so keymatch can set one entry beside a certificate file).
loaded_file load_input(const options& o, const std::string& path, const std::optional<std::string>& password) {
    loaded_file file = load_file(path, password);
    if (o.alias && file.error.empty() && file.keystore) select_alias(file, *o.alias, file.error);
    return file;
}

/// --alias names an entry of a keystore: given with no keystore among the inputs it is a
/// mistake, not something to ignore.
bool alias_used(const options& o, const std::vector<named_file>& inputs) {
    if (!o.alias) return true;
    for (const auto& input : inputs)
        if (input.file.keystore || !input.file.error.empty()) return true;
    fail("--alias names a keystore entry, and no FILE is a keystore");
    return false;
}
bool alias_used(const options& o, const loaded_file& file) {
    if (!o.alias || file.keystore || !file.error.empty()) return true;
    fail("--alias names a keystore entry, and FILE is no keystore");
    return false;
}

int run_decode(const options& o, bool requests) {
    if (o.arguments.empty()) return fail(std::string(o.command) + ": no FILE given");
    std::optional<std::string> password;
    if (!read_password(o, password)) return exit_bad_input;
    std::string out;
    json_writer json(out);
    if (o.json) json.begin_array();
    std::vector<named_file> inputs;
    for (const auto& path : o.arguments) inputs.push_back({path, load_input(o, path, password)});
    if (!alias_used(o, inputs)) return exit_bad_input;
    int status = exit_ok;
    for (const auto& input : inputs) {
        std::string error;
        const int file_status = decode_command(input, requests, o.strict, o.json ? &json : nullptr, out, error);
        if (file_status == exit_bad_input) file_error(input.name, error);
        status = std::max(status, file_status);
    }
    if (o.json) json.end_array();
    emit(out);
    return status;
}

// ---- match and keymatch --------------------------------------------------------------

bool known_policy(const std::string& policy) { return policy == "rfc9525" || policy == "rfc6125"; }

bool known_type(const std::string& type) {
    return type.empty() || type == "dns" || type == "ip" || type == "srv" || type == "uri" || type == "spiffe" ||
           type == "email";
}


int run_match(const options& o) {
    if (o.arguments.size() < 2) return fail("match: need FILE and at least one REFERENCE");
    if (!known_policy(o.policy)) return fail("--policy must be rfc9525 or rfc6125, not \"" + printable(o.policy, true) + "\"");
    if (!known_type(o.type)) return fail("--type must be dns, ip, srv, uri, spiffe or email, not \"" + printable(o.type, true) + "\"");

    std::vector<parsed_reference> references;
    std::string error;
    for (std::size_t i = 1; i < o.arguments.size(); ++i) {
        parsed_reference parsed;
        if (!parse_reference_as(o.type, o.arguments[i], parsed, error)) return fail(error);
        references.push_back(std::move(parsed));
    }

    std::optional<std::string> password;
    if (!read_password(o, password)) return exit_bad_input;
    const std::string& path = o.arguments[0];
    const named_file input{path, load_input(o, path, password)};
    if (!alias_used(o, input.file)) return exit_bad_input;
    std::string out;
    json_writer json(out);
    const int status = match_command(input, references, o.policy, o.json ? &json : nullptr, out, error);
    if (status == exit_bad_input) return file_error(path, error);
    emit(out);
    return status;
}

int run_keymatch(const options& o) {
    if (o.arguments.empty()) return fail("keymatch: no FILE given");
    std::optional<std::string> password;
    if (!read_password(o, password)) return exit_bad_input;
    std::vector<named_file> inputs;
    for (const auto& path : o.arguments) {
        inputs.push_back({path, load_input(o, path, password)});
        if (!inputs.back().file.error.empty()) return file_error(path, inputs.back().file.error);
    }
    if (!alias_used(o, inputs)) return exit_bad_input;
    std::string out;
    std::string error;
    std::string failed;
    json_writer json(out);
    const int status = keymatch_command(inputs, o.json ? &json : nullptr, out, error, failed);
    if (status == exit_bad_input) return file_error(failed, error);
    emit(out);
    return status;
}

// ---- fetch ----------------------------------------------------------------------------

int run_fetch(const options& o) {
    if (o.arguments.size() != 1) return fail("fetch: need exactly one HOST[:PORT]");
    if (!known_policy(o.policy)) return fail("--policy must be rfc9525 or rfc6125, not \"" + printable(o.policy, true) + "\"");
    if (!known_type(o.type)) return fail("--type must be dns, ip, srv, uri, spiffe or email, not \"" + printable(o.type, true) + "\"");
    server_address server;
    std::string error;
    if (!parse_server_address(o.arguments[0], server, error)) return fail("fetch: " + error);
    fetch_settings settings;
    settings.servername = o.servername;
    settings.ca_file = o.ca_file;
    if (o.timeout) {
        const bool ok = !o.timeout->empty() && o.timeout->size() <= 4 && o.timeout->find_first_not_of("0123456789") == std::string::npos;
        int seconds = 0;
        for (const char c : ok ? *o.timeout : std::string()) seconds = seconds * 10 + (c - '0');
        if (!ok || seconds == 0) return fail("--timeout must be a number of seconds from 1 to 9999, not \"" + printable(*o.timeout, true) + "\"");
        settings.timeout_ms = seconds * 1000;
    }
    // The name the client means to reach: the host, as a browser would check it, unless --name.
    parsed_reference reference;
    if (!parse_reference_as(o.type, o.name ? *o.name : server.host, reference, error)) return fail(error);

    fetched_chain fetched;
    error = fetch_chain(server, settings, fetched);
    if (!error.empty()) return fail(o.arguments[0] + ": " + error);
    std::string out;
    json_writer json(out);
    const int status = fetch_command(o.arguments[0], fetched, reference, o.policy, o.json ? &json : nullptr, out);
    emit(out);
    return status;
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
            } else if (arg == "--policy" || arg == "--type" || arg == "--password-file" || arg == "--port" ||
                       arg == "--alias" || arg == "--servername" || arg == "--name" || arg == "--ca-file" ||
                       arg == "--timeout") {
                auto v = value();
                if (!v) return fail(arg + " needs a value");
                if (arg == "--policy") o.policy = *v;
                else if (arg == "--type") o.type = *v;
                else if (arg == "--port") o.port = *v;
                else if (arg == "--alias") o.alias = *v;
                else if (arg == "--servername") o.servername = *v;
                else if (arg == "--name") o.name = *v;
                else if (arg == "--ca-file") o.ca_file = *v;
                else if (arg == "--timeout") o.timeout = *v;
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
    if (o.command == "serve") return run_serve_command(o);
    if (o.command == "fetch") return run_fetch(o);
    return fail("unknown command \"" + printable(o.command, true) + "\" (see --help)");
}

} // namespace
} // namespace svcid_inspect

int main(int argc, char** argv) { return svcid_inspect::run(argc, argv); }
