// A small streaming JSON writer for svcid-inspect's --json output (RFC 8259).
//
// Keys and strings are escaped here; callers hand in UTF-8 (the inspector escapes
// certificate bytes that are not valid UTF-8 before they get this far, so the document is
// always valid JSON). Commas and indentation follow from the nesting the writer tracks.
#ifndef SVCID_INSPECT_JSON_WRITER_HPP
#define SVCID_INSPECT_JSON_WRITER_HPP

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace svcid_inspect {

class json_writer {
public:
    explicit json_writer(std::string& out) : out_(out) {}

    json_writer& begin_object() { return open('{'); }
    json_writer& end_object() { return close('}'); }
    json_writer& begin_array() { return open('['); }
    json_writer& end_array() { return close(']'); }

    json_writer& key(std::string_view name) {
        separate();
        quote(name);
        out_ += ": ";
        after_key_ = true;
        return *this;
    }

    json_writer& string(std::string_view s) {
        separate();
        quote(s);
        return *this;
    }
    json_writer& boolean(bool b) { return raw(b ? "true" : "false"); }
    json_writer& null() { return raw("null"); }
    json_writer& number(long long n) { return raw(std::to_string(n)); }

    // Shorthands for the common `"key": value` member.
    json_writer& member(std::string_view name, std::string_view s) { return key(name).string(s); }
    json_writer& member(std::string_view name, const char* s) { return key(name).string(s); }
    json_writer& member(std::string_view name, bool b) { return key(name).boolean(b); }
    json_writer& member(std::string_view name, long long n) { return key(name).number(n); }
    json_writer& member(std::string_view name, int n) { return key(name).number(n); }

private:
    json_writer& raw(std::string_view text) {
        separate();
        out_ += text;
        return *this;
    }

    json_writer& open(char bracket) {
        separate();
        out_ += bracket;
        first_.push_back(true);
        return *this;
    }

    json_writer& close(char bracket) {
        const bool empty = first_.back();
        first_.pop_back();
        if (!empty) newline();
        out_ += bracket;
        if (first_.empty()) out_ += '\n';
        return *this;
    }

    // Before a value or key: a comma unless it is the first in its container, then a new
    // line; a value right after its key stays on the key's line.
    void separate() {
        if (after_key_) {
            after_key_ = false;
            return;
        }
        if (first_.empty()) return;
        if (!first_.back()) out_ += ',';
        first_.back() = false;
        newline();
    }

    void newline() {
        out_ += '\n';
        out_.append(2 * first_.size(), ' ');
    }

    void quote(std::string_view s) {
        out_ += '"';
        for (const char c : s) {
            const auto byte = static_cast<unsigned char>(c);
            switch (c) {
            case '"': out_ += "\\\""; break;
            case '\\': out_ += "\\\\"; break;
            case '\n': out_ += "\\n"; break;
            case '\r': out_ += "\\r"; break;
            case '\t': out_ += "\\t"; break;
            default:
                if (byte < 0x20 || byte == 0x7F) {
                    char escaped[8];
                    std::snprintf(escaped, sizeof escaped, "\\u%04x", byte);
                    out_ += escaped;
                } else {
                    out_ += c;
                }
            }
        }
        out_ += '"';
    }

    std::string& out_;
    std::vector<bool> first_;
    bool after_key_ = false;
};

} // namespace svcid_inspect

#endif
