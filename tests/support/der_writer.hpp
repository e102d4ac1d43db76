// A tiny DER encoder for tests: builds the nested byte strings that the hand-written
// test vectors would otherwise spell out octet by octet. No OpenSSL, so core tests can use
// it too; it writes whatever it is asked to, including non-DER, which is the point.
#ifndef SVCID_TEST_DER_WRITER_HPP
#define SVCID_TEST_DER_WRITER_HPP

#include <cstdint>
#include <initializer_list>
#include <string>

namespace svcid_test::der {

/// The minimal definite length octets for `n` (X.690 §10.1).
inline std::string length(std::size_t n) {
    if (n < 0x80) return std::string(1, static_cast<char>(n));
    std::string octets;
    for (std::size_t v = n; v != 0; v >>= 8) octets.insert(octets.begin(), static_cast<char>(v & 0xFF));
    return static_cast<char>(0x80 | octets.size()) + octets;
}

inline std::string tlv(std::uint8_t tag, const std::string& content) {
    return static_cast<char>(tag) + length(content.size()) + content;
}

inline std::string cat(std::initializer_list<std::string> parts) {
    std::string out;
    for (const auto& p : parts) out += p;
    return out;
}

inline std::string seq(std::initializer_list<std::string> parts) { return tlv(0x30, cat(parts)); }
inline std::string set(std::initializer_list<std::string> parts) { return tlv(0x31, cat(parts)); }

/// OID content octets from dotted text, e.g. oid("1.3.6.1.5.5.7.8.7").
inline std::string oid_content(const std::string& dotted) {
    std::uint64_t arcs[32] = {};
    std::size_t count = 0;
    for (std::size_t i = 0; i < dotted.size(); ++i) {
        if (dotted[i] == '.') ++count;
        else arcs[count] = arcs[count] * 10 + static_cast<std::uint64_t>(dotted[i] - '0');
    }
    ++count;
    std::string out;
    auto put = [&out](std::uint64_t v) {
        std::string base128(1, static_cast<char>(v & 0x7F));
        for (v >>= 7; v != 0; v >>= 7) base128.insert(base128.begin(), static_cast<char>(0x80 | (v & 0x7F)));
        out += base128;
    };
    put(arcs[0] * 40 + arcs[1]);
    for (std::size_t i = 2; i < count; ++i) put(arcs[i]);
    return out;
}
inline std::string oid(const std::string& dotted) { return tlv(0x06, oid_content(dotted)); }

inline std::string utf8(const std::string& s) { return tlv(0x0C, s); }
inline std::string printable(const std::string& s) { return tlv(0x13, s); }
inline std::string ia5(const std::string& s) { return tlv(0x16, s); }
inline std::string bmp(const std::string& s) { return tlv(0x1E, s); }

// GeneralName choices (RFC 5280 §4.2.1.6), implicitly tagged.
inline std::string other_name(const std::string& dotted_oid, const std::string& value_der) {
    return tlv(0xA0, oid(dotted_oid) + tlv(0xA0, value_der));
}
inline std::string rfc822(const std::string& s) { return tlv(0x81, s); }
inline std::string dns(const std::string& s) { return tlv(0x82, s); }
inline std::string directory_name(const std::string& name_der) { return tlv(0xA4, name_der); }
inline std::string uri(const std::string& s) { return tlv(0x86, s); }
inline std::string ip(const std::string& raw) { return tlv(0x87, raw); }
inline std::string registered_id(const std::string& dotted) { return tlv(0x88, oid_content(dotted)); }
inline std::string srv_name(const std::string& s) { return other_name("1.3.6.1.5.5.7.8.7", ia5(s)); }
inline std::string xmpp_addr(const std::string& s) { return other_name("1.3.6.1.5.5.7.8.5", utf8(s)); }
inline std::string smtp_utf8_mailbox(const std::string& s) { return other_name("1.3.6.1.5.5.7.8.9", utf8(s)); }

/// One AttributeTypeAndValue, e.g. atv("2.5.4.3", utf8("example.com")).
inline std::string atv(const std::string& dotted_oid, const std::string& value_der) {
    return seq({oid(dotted_oid), value_der});
}
inline std::string cn(const std::string& value_der) { return atv("2.5.4.3", value_der); }

} // namespace svcid_test::der

#endif
