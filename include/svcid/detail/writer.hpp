// svcid/detail/writer.hpp — bounded text output into a caller's buffer.
//
// Explanations quote bytes from certificates an attacker wrote, so output is always
// bounded (Go's CVE-2025-61729 was an unbounded error message) and every byte that is not
// printable ASCII is escaped, so a NUL or a terminal escape in a name is shown, not obeyed.
#ifndef SVCID_DETAIL_WRITER_HPP
#define SVCID_DETAIL_WRITER_HPP

#include "../config.hpp"

#include <cstddef>
#include <string_view>

SVCID_BEGIN_NAMESPACE
namespace detail {

class bounded_writer {
public:
    constexpr bounded_writer(char* buffer, std::size_t size) noexcept : buffer_(buffer), size_(size) {
        if (size_ != 0) buffer_[0] = '\0';
    }

    /// Appends text as is (for svcid's own strings).
    constexpr void put(std::string_view text) noexcept {
        for (char c : text) put_char(c);
    }

    /// Appends untrusted bytes with escapes, at most `limit` of them, then "..." if cut.
    constexpr void put_quoted(std::string_view bytes, std::size_t limit = 96) noexcept {
        put_char('"');
        std::size_t shown = 0;
        for (char c : bytes) {
            if (shown++ == limit) {
                put("...");
                break;
            }
            const auto byte = static_cast<unsigned char>(c);
            if (byte >= 0x20 && byte < 0x7f && c != '"' && c != '\\') {
                put_char(c);
            } else {
                constexpr char hex[] = "0123456789abcdef";
                put_char('\\');
                put_char('x');
                put_char(hex[byte >> 4]);
                put_char(hex[byte & 0xf]);
            }
        }
        put_char('"');
    }

    constexpr void put_unsigned(std::size_t value) noexcept {
        char digits[20] = {};
        std::size_t n = 0;
        do {
            digits[n++] = static_cast<char>('0' + value % 10);
            value /= 10;
        } while (value != 0);
        while (n != 0) put_char(digits[--n]);
    }

    /// Length the full text would have had; larger than or equal to size() when cut.
    constexpr std::size_t wanted() const noexcept { return wanted_; }

private:
    constexpr void put_char(char c) noexcept {
        if (size_ != 0 && wanted_ + 1 < size_) {
            buffer_[wanted_] = c;
            buffer_[wanted_ + 1] = '\0';
        } else if (size_ != 0 && wanted_ + 1 == size_) {
            drop_partial_sequence();
        }
        ++wanted_;
    }

    // svcid's own text has UTF-8 ("§"); a cut must not leave the first octets of a sequence
    // at the end of the buffer, which a log or JSON encoder would reject (RFC 3629 §3).
    // Untrusted bytes are escaped to ASCII, so only svcid's text can end this way.
    constexpr void drop_partial_sequence() noexcept {
        std::size_t end = wanted_;  // octets written, all before the NUL at buffer_[end]
        std::size_t start = end;
        while (start != 0 && end - start < 4 && (static_cast<unsigned char>(buffer_[start - 1]) & 0xC0) == 0x80)
            --start;
        if (start == 0) return;
        const auto lead = static_cast<unsigned char>(buffer_[start - 1]);
        if (lead < 0xC0) return;  // ASCII: the last sequence is complete
        const std::size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
        if (end - (start - 1) < length) buffer_[start - 1] = '\0';
    }

    char* buffer_;
    std::size_t size_;
    std::size_t wanted_ = 0;
};

} // namespace detail
SVCID_END_NAMESPACE

#endif
