#include "json_reader.hpp"

#include <cstdlib>
#include <stdexcept>

namespace svcid_test {

bool json_value::has(std::string_view key) const {
    for (const auto& k : keys)
        if (k == key) return true;
    return false;
}

const json_value& json_value::operator[](std::string_view key) const {
    if (kind != type::object) throw std::runtime_error("json: not an object, looking for " + std::string(key));
    for (std::size_t i = 0; i < keys.size(); ++i)
        if (keys[i] == key) return items[i];
    throw std::runtime_error("json: no member " + std::string(key));
}

const json_value& json_value::operator[](std::size_t i) const {
    if (kind != type::array || i >= items.size()) throw std::runtime_error("json: no element " + std::to_string(i));
    return items[i];
}

namespace {

class reader {
public:
    explicit reader(std::string_view text) : text_(text) {}

    json_value document() {
        json_value v = value();
        space();
        if (at_ != text_.size()) fail("trailing bytes");
        return v;
    }

private:
    [[noreturn]] void fail(const std::string& what) const {
        throw std::runtime_error("json: " + what + " at byte " + std::to_string(at_));
    }

    void space() {
        while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\n' || text_[at_] == '\r' || text_[at_] == '\t'))
            ++at_;
    }

    char peek() {
        space();
        if (at_ == text_.size()) fail("unexpected end");
        return text_[at_];
    }

    void expect(char c) {
        if (peek() != c) fail(std::string("expected '") + c + "'");
        ++at_;
    }

    bool literal(std::string_view word) {
        if (text_.substr(at_, word.size()) != word) return false;
        at_ += word.size();
        return true;
    }

    json_value value() {
        json_value v;
        const char c = peek();
        if (c == '{') {
            v.kind = json_value::type::object;
            ++at_;
            if (peek() == '}') {
                ++at_;
                return v;
            }
            for (;;) {
                if (peek() != '"') fail("expected a key");
                v.keys.push_back(string());
                expect(':');
                v.items.push_back(value());
                if (peek() == ',') {
                    ++at_;
                    continue;
                }
                expect('}');
                return v;
            }
        }
        if (c == '[') {
            v.kind = json_value::type::array;
            ++at_;
            if (peek() == ']') {
                ++at_;
                return v;
            }
            for (;;) {
                v.items.push_back(value());
                if (peek() == ',') {
                    ++at_;
                    continue;
                }
                expect(']');
                return v;
            }
        }
        if (c == '"') {
            v.kind = json_value::type::string;
            v.string = string();
            return v;
        }
        if (literal("true")) {
            v.kind = json_value::type::boolean;
            v.boolean = true;
            return v;
        }
        if (literal("false")) {
            v.kind = json_value::type::boolean;
            return v;
        }
        if (literal("null")) return v;
        return number();
    }

    json_value number() {
        const std::size_t start = at_;
        if (at_ < text_.size() && text_[at_] == '-') ++at_;
        auto digits = [&] {
            const std::size_t from = at_;
            while (at_ < text_.size() && text_[at_] >= '0' && text_[at_] <= '9') ++at_;
            if (at_ == from) fail("expected a digit");
        };
        if (at_ < text_.size() && text_[at_] == '0')
            ++at_;
        else
            digits();
        if (at_ < text_.size() && text_[at_] == '.') {
            ++at_;
            digits();
        }
        if (at_ < text_.size() && (text_[at_] == 'e' || text_[at_] == 'E')) {
            ++at_;
            if (at_ < text_.size() && (text_[at_] == '+' || text_[at_] == '-')) ++at_;
            digits();
        }
        json_value v;
        v.kind = json_value::type::number;
        v.number = std::strtod(std::string(text_.substr(start, at_ - start)).c_str(), nullptr);
        return v;
    }

    static void put_utf8(std::string& out, unsigned cp) {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }

    std::string string() {
        expect('"');
        std::string out;
        for (;;) {
            if (at_ == text_.size()) fail("unterminated string");
            const char c = text_[at_++];
            if (c == '"') return out;
            if (static_cast<unsigned char>(c) < 0x20) fail("control character in a string");
            if (c != '\\') {
                out += c;
                continue;
            }
            if (at_ == text_.size()) fail("unterminated escape");
            const char e = text_[at_++];
            switch (e) {
            case '"': out += '"'; break;
            case '\\': out += '\\'; break;
            case '/': out += '/'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'n': out += '\n'; break;
            case 'r': out += '\r'; break;
            case 't': out += '\t'; break;
            case 'u': {
                if (at_ + 4 > text_.size()) fail("short \\u escape");
                unsigned cp = 0;
                for (int i = 0; i < 4; ++i) {
                    const char h = text_[at_++];
                    cp <<= 4;
                    if (h >= '0' && h <= '9') cp |= static_cast<unsigned>(h - '0');
                    else if (h >= 'a' && h <= 'f') cp |= static_cast<unsigned>(h - 'a' + 10);
                    else if (h >= 'A' && h <= 'F') cp |= static_cast<unsigned>(h - 'A' + 10);
                    else fail("bad \\u escape");
                }
                put_utf8(out, cp);
                break;
            }
            default: fail("bad escape");
            }
        }
    }

    std::string_view text_;
    std::size_t at_ = 0;
};

} // namespace

json_value parse_json(std::string_view text) { return reader(text).document(); }

} // namespace svcid_test
