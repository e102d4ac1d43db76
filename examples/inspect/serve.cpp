// svcid-inspect serve: the decoder, name check and key matcher as a web page on 127.0.0.1.
//
// The web tools this replaces ask people to paste private keys into a stranger's server.
// Here nothing leaves the machine, but the server is still reachable by every other web page
// the same browser has open, so it guards itself against them:
// - it listens on 127.0.0.1 only;
// - the Host header must name that address or localhost with this port, which defeats DNS
//   rebinding (a hostile name re-pointed at 127.0.0.1 still sends its own name as Host);
// - a random token, printed in the URL, is needed for the page and, in a header that no
//   cross-origin form can set, for every API request;
// - a request with another site's Origin (or Sec-Fetch-Site) is refused, and no response
//   carries a CORS header, so no other origin can read an answer;
// - request bodies are capped before they are read, and connections time out;
// - request bodies, passwords and keys are never logged or written anywhere, and are wiped
//   from memory once answered; responses are marked no-store.
// The page itself is one self-contained document (inline script and style, allowed by a
// per-response nonce in its Content-Security-Policy; no other source may load).
#include "inspect.hpp"
#include "json_writer.hpp"
#include "serve_page.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>


namespace svcid_inspect {

bool serve_available() { return true; }

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using request = http::request<http::string_body>;
using response = http::response<http::string_body>;

/// Beast's header values as the standard type (Boost 1.74's beast::string_view is Boost's own).
std::string_view header(const request& req, http::field name) {
    const auto v = req[name];
    return {v.data(), v.size()};
}
std::string_view header(const request& req, const char* name) {
    const auto v = req[name];
    return {v.data(), v.size()};
}

// A page that has sent nothing for this long is dropped, so a stalled peer cannot hold the
// (single-threaded) server.
constexpr auto io_timeout = std::chrono::seconds(15);
constexpr auto linger_timeout = std::chrono::seconds(3);
constexpr std::size_t max_header_bytes = 16 * 1024;

struct server_state {
    std::string token;
    std::size_t max_body = 0;
    std::string hosts[2];    ///< "127.0.0.1:P", "localhost:P"
    std::string origins[2];  ///< the same with "http://"
};

std::string random_hex(std::size_t bytes) {
    std::string raw(bytes, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(&raw[0]), static_cast<int>(bytes)) != 1) return {};
    return to_hex(raw);
}

bool same_secret(std::string_view a, std::string_view b) {
    return !a.empty() && a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

void wipe(std::string& s) {
    if (!s.empty()) OPENSSL_cleanse(&s[0], s.size());
    s.clear();
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

using form = std::vector<std::pair<std::string, std::string>>;

/// application/x-www-form-urlencoded (the URL Standard's parser): false on a broken escape.
bool parse_form(std::string_view text, form& out) {
    auto decode = [](std::string_view in, std::string& value) {
        for (std::size_t i = 0; i < in.size(); ++i) {
            if (in[i] == '+') {
                value += ' ';
            } else if (in[i] == '%') {
                if (i + 2 >= in.size()) return false;
                const int high = hex_value(in[i + 1]);
                const int low = hex_value(in[i + 2]);
                if (high < 0 || low < 0) return false;
                value += static_cast<char>(high * 16 + low);
                i += 2;
            } else {
                value += in[i];
            }
        }
        return true;
    };
    while (!text.empty()) {
        const std::size_t end = std::min(text.find('&'), text.size());
        const std::string_view pair = text.substr(0, end);
        text.remove_prefix(end == text.size() ? end : end + 1);
        if (pair.empty()) continue;
        const std::size_t eq = std::min(pair.find('='), pair.size());
        std::string name, value;
        if (!decode(pair.substr(0, eq), name)) return false;
        if (eq < pair.size() && !decode(pair.substr(eq + 1), value)) return false;
        out.emplace_back(std::move(name), std::move(value));
    }
    return true;
}

/// Standard base64 (RFC 4648 §4), padding optional; false on any other byte.
bool base64_decode(std::string_view in, std::string& out) {
    unsigned int buffer = 0;
    int bits = 0;
    for (const char c : in) {
        int v;
        if (c >= 'A' && c <= 'Z') v = c - 'A';
        else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
        else if (c >= '0' && c <= '9') v = c - '0' + 52;
        else if (c == '+') v = 62;
        else if (c == '/') v = 63;
        else if (c == '=') break;
        else return false;
        buffer = (buffer << 6) | static_cast<unsigned int>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buffer >> bits) & 0xFF);
        }
    }
    OPENSSL_cleanse(&buffer, sizeof buffer);
    return true;
}

std::string_view field(const form& f, std::string_view name) {
    for (const auto& [key, value] : f)
        if (key == name) return value;
    return {};
}

response reply(const request& req, http::status status, std::string body, const char* content_type,
               const std::string& csp = "default-src 'none'; frame-ancestors 'none'") {
    response res{status, req.version()};
    res.set(http::field::server, "svcid-inspect");
    res.set(http::field::content_type, content_type);
    // Answers describe private keys and what they match: never stored, never framed,
    // never sniffed into something else, never a referrer for the token in the URL.
    res.set(http::field::cache_control, "no-store");
    res.set("Content-Security-Policy", csp);
    res.set("X-Content-Type-Options", "nosniff");
    res.set("X-Frame-Options", "DENY");
    res.set("Referrer-Policy", "no-referrer");
    res.set("Cross-Origin-Resource-Policy", "same-origin");
    res.set("Cross-Origin-Opener-Policy", "same-origin");
    res.keep_alive(false);
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

response refuse(const request& req, http::status status, const std::string& why) {
    return reply(req, status, "svcid-inspect serve: " + why + "\n", "text/plain; charset=utf-8");
}

response page(const request& req) {
    // The nonce is the only key to the page's inline script and style; a fresh one per
    // response means no injected markup could guess it.
    const std::string nonce = random_hex(16);
    std::string html = serve_page_html;
    const std::string marker = "{{NONCE}}";
    for (std::size_t at = html.find(marker); at != std::string::npos; at = html.find(marker, at + nonce.size()))
        html.replace(at, marker.size(), nonce);
    return reply(req, http::status::ok, std::move(html), "text/html; charset=utf-8",
                 "default-src 'none'; script-src 'nonce-" + nonce + "'; style-src 'nonce-" + nonce +
                     "'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
}

/// Which pasted certificates issued which: the issuer's name and key identifiers fit
/// (X509_check_issued) and its key verifies the signature.
void write_chain_json(json_writer& json, const std::vector<named_file>& inputs) {
    struct located {
        std::size_t input, index;
        X509* cert;
    };
    std::vector<located> certs;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        std::size_t n = 0;
        for (const auto& object : inputs[i].file.objects)
            if (object.kind == object_kind::certificate) certs.push_back({i, n++, object.cert.get()});
    }
    json.key("issued_by").begin_array();
    for (const auto& subject : certs)
        for (const auto& issuer : certs)
            if (X509_check_issued(issuer.cert, subject.cert) == X509_V_OK &&
                X509_verify(subject.cert, X509_get0_pubkey(issuer.cert)) == 1) {
                json.begin_object();
                json.key("certificate").begin_array().number(static_cast<long long>(subject.input)).number(static_cast<long long>(subject.index)).end_array();
                json.key("issuer").begin_array().number(static_cast<long long>(issuer.input)).number(static_cast<long long>(issuer.index)).end_array();
                json.end_object();
            }
    json.end_array();
    ERR_clear_error();
}

void write_input_json(json_writer& json, const named_file& input) {
    json.begin_object().member("name", input.name);
    if (!input.file.error.empty()) {
        json.member("error", input.file.error).end_object();
        return;
    }
    json.member("format", input.file.format);
    for (const auto kind : {object_kind::certificate, object_kind::request}) {
        json.key(kind == object_kind::certificate ? "certificates" : "requests").begin_array();
        for (const auto& object : input.file.objects) {
            if (object.kind != kind) continue;
            write_document_json(json, kind == object_kind::certificate ? describe_certificate(object.cert.get())
                                                                        : describe_request(object.request.get()));
        }
        json.end_array();
    }
    json.key("keys").begin_array();
    for (const auto& object : input.file.objects) {
        if (object.kind != object_kind::private_key && object.kind != object_kind::public_key) continue;
        json.begin_object().member("kind", object_kind_name(object.kind)).key("key");
        write_key_json(json, describe_key(object.key.get()));
        json.end_object();
    }
    json.end_array().end_object();
}

/// POST /api/inspect: the objects the page sends (base64), decoded, checked and matched,
/// as one document made of the CLI's own JSON pieces.
response inspect(const request& req, form& fields) {
    std::optional<std::string> password;
    std::vector<std::string> labels, references;
    std::string policy = "rfc9525";
    std::string type;
    std::vector<named_file> inputs;
    for (auto& [name, value] : fields) {
        if (name == "password" && !value.empty()) password = value;
        if (name == "label") labels.push_back(printable(value, true));
        if (name == "reference" && !value.empty()) references.push_back(value);
        if (name == "policy") policy = value;
        if (name == "type") type = value;
    }
    if (policy != "rfc9525" && policy != "rfc6125") return refuse(req, http::status::bad_request, "policy must be rfc9525 or rfc6125");
    if (!type.empty() && type != "dns" && type != "ip" && type != "srv" && type != "uri" && type != "spiffe" && type != "email")
        return refuse(req, http::status::bad_request, "type must be dns, ip, srv, uri, spiffe or email");
    for (auto& [name, value] : fields) {
        if (name != "object") continue;
        std::string bytes;
        const std::string label =
            inputs.size() < labels.size() && !labels[inputs.size()].empty() ? labels[inputs.size()] : "object " + std::to_string(inputs.size() + 1);
        if (!base64_decode(value, bytes)) {
            wipe(bytes);
            loaded_file broken;
            broken.error = "the page sent it garbled (not base64)";
            inputs.push_back({label, std::move(broken)});
            continue;
        }
        inputs.push_back({label, load_data(bytes, password)});
        wipe(bytes);
    }
    if (password) wipe(*password);

    std::string out;
    json_writer json(out);
    json.begin_object().member("schema", json_schema).key("inputs").begin_array();
    for (const auto& input : inputs) write_input_json(json, input);
    json.end_array();
    write_chain_json(json, inputs);

    std::vector<named_file> loaded;
    for (auto& input : inputs)
        if (input.file.error.empty() && !input.file.objects.empty()) loaded.push_back(std::move(input));
    json.key("keymatch");
    std::string text, error, failed;
    if (loaded.empty()) {
        json.null();
    } else if (keymatch_command(loaded, &json, text, error, failed) == exit_bad_input) {
        json.begin_object().member("file", failed).member("error", error).end_object();
    }

    // The name check reads the first input that holds a certificate or CSR: its leaf, as
    // `svcid-inspect match` does.
    json.key("match");
    const named_file* subject = nullptr;
    for (const auto& input : loaded)
        for (const auto& object : input.file.objects)
            if (subject == nullptr && (object.kind == object_kind::certificate || object.kind == object_kind::request)) subject = &input;
    std::vector<parsed_reference> parsed;
    for (const auto& r : references) {
        parsed_reference p;
        if (!parse_reference_as(type, r, p, error)) break;
        parsed.push_back(std::move(p));
    }
    if (references.empty()) {
        json.null();
    } else if (parsed.size() != references.size()) {
        json.begin_object().member("error", error).end_object();
    } else if (subject == nullptr) {
        json.begin_object().member("error", "nothing to check the name against: paste a certificate or CSR").end_object();
    } else if (match_command(*subject, parsed, policy, &json, text, error) == exit_bad_input) {
        json.begin_object().member("file", subject->name).member("error", error).end_object();
    }
    json.end_object();
    return reply(req, http::status::ok, std::move(out), "application/json");
}

bool one_of(std::string_view value, const std::string (&allowed)[2]) { return value == allowed[0] || value == allowed[1]; }

response handle(request& req, const server_state& state) {
    if (!one_of(header(req, http::field::host), state.hosts))
        return refuse(req, http::status::forbidden,
                      "the Host header must be " + state.hosts[0] + " or " + state.hosts[1] +
                          " (a request naming another host came through some other name for this machine)");
    const std::string_view origin = header(req, http::field::origin);
    const std::string_view site = header(req, "Sec-Fetch-Site");
    if ((!origin.empty() && !one_of(origin, state.origins)) || site == "cross-site" || site == "same-site")
        return refuse(req, http::status::forbidden, "requests from other web pages are refused");
    const std::string_view target(req.target().data(), req.target().size());
    const std::size_t question = std::min(target.find('?'), target.size());
    const std::string_view path = target.substr(0, question);
    if (path == "/") {
        form query;
        if (question < target.size() && !parse_form(target.substr(question + 1), query)) query.clear();
        if (!same_secret(field(query, "token"), state.token))
            return refuse(req, http::status::forbidden, "missing or wrong token: open the URL that svcid-inspect serve printed");
        if (req.method() != http::verb::get) return refuse(req, http::status::method_not_allowed, "the page is read with GET");
        return page(req);
    }
    if (path == "/api/inspect") {
        if (!same_secret(header(req, "X-Svcid-Token"), state.token))
            return refuse(req, http::status::forbidden, "missing or wrong token");
        if (req.method() != http::verb::post) return refuse(req, http::status::method_not_allowed, "the API takes POST");
        if (header(req, http::field::content_type) != "application/x-www-form-urlencoded" &&
            header(req, http::field::content_type) != "application/x-www-form-urlencoded;charset=UTF-8")
            return refuse(req, http::status::unsupported_media_type, "the API takes application/x-www-form-urlencoded");
        form fields;
        if (!parse_form(req.body(), fields)) return refuse(req, http::status::bad_request, "the body is not form-encoded");
        response res = inspect(req, fields);
        for (auto& [name, value] : fields) {
            wipe(name);
            wipe(value);
        }
        return res;
    }
    return refuse(req, http::status::not_found, "no such page");
}

class session : public std::enable_shared_from_this<session> {
public:
    session(tcp::socket socket, const server_state& state) : stream_(std::move(socket)), state_(state) {}

    void start() {
        parser_.header_limit(max_header_bytes);
        // Refused as soon as a Content-Length (or a chunk) says more is coming: the
        // body is never read, let alone parsed.
        parser_.body_limit(state_.max_body);
        stream_.expires_after(io_timeout);
        http::async_read(stream_, buffer_, parser_,
                         [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

private:
    void on_read(beast::error_code ec) {
        request& req = parser_.get();
        if (ec == http::error::body_limit) {
            response_ = refuse(req, http::status::payload_too_large,
                               "the request is larger than " + std::to_string(state_.max_body) + " bytes");
        } else if (ec == http::error::header_limit) {
            response_ = refuse(req, http::status::request_header_fields_too_large, "the request's header is too large");
        } else if (ec) {
            return;  // timed out or closed by the peer: nothing to answer
        } else {
            response_ = handle(req, state_);
        }
        wipe(req.body());
        stream_.expires_after(io_timeout);
        http::async_write(stream_, response_, [self = shared_from_this()](beast::error_code, std::size_t) {
            beast::error_code ignored;
            self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
            self->stream_.expires_after(linger_timeout);
            self->drain();
        });
    }

    // A refused request may still be arriving: closing now would reset the connection and
    // could destroy the answer before the client reads it, so the rest is read and dropped
    // until the client closes (or the short linger ends).
    void drain() {
        stream_.async_read_some(asio::buffer(discard_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (!ec) self->drain();
        });
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    http::request_parser<http::string_body> parser_;
    response response_;
    char discard_[16 * 1024];
    const server_state& state_;
};

void accept(tcp::acceptor& acceptor, const server_state& state) {
    acceptor.async_accept([&acceptor, &state](beast::error_code ec, tcp::socket socket) {
        if (!ec) std::make_shared<session>(std::move(socket), state)->start();
        accept(acceptor, state);
    });
}

} // namespace

int run_serve(unsigned short port, std::size_t max_body) {
    server_state state;
    state.token = random_hex(16);
    state.max_body = max_body;
    if (state.token.empty()) {
        std::fprintf(stderr, "svcid-inspect: serve: no random bytes for the token\n");
        return exit_bad_input;
    }
    asio::io_context io;
    tcp::acceptor acceptor(io);
    const tcp::endpoint endpoint(asio::ip::address_v4::loopback(), port);
    beast::error_code ec;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        std::fprintf(stderr, "svcid-inspect: serve: cannot listen on 127.0.0.1:%u: %s\n", static_cast<unsigned>(port),
                     ec.message().c_str());
        return exit_bad_input;
    }
    const std::string bound = std::to_string(acceptor.local_endpoint().port());
    state.hosts[0] = "127.0.0.1:" + bound;
    state.hosts[1] = "localhost:" + bound;
    state.origins[0] = "http://" + state.hosts[0];
    state.origins[1] = "http://" + state.hosts[1];
    std::printf("svcid-inspect serve: open http://%s/?token=%s\n", state.hosts[0].c_str(), state.token.c_str());
    std::fflush(stdout);
    accept(acceptor, state);
    io.run();
    return exit_ok;
}

} // namespace svcid_inspect
