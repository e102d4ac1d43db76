// svcid/der.hpp — a bounded, allocation-free reader for the DER subset certificates use.
//
// svcid reads certificates it did not produce, so every byte is hostile: the reader checks
// each length against the bytes that are really there before it forms a view, never reads
// past the end of its input and never assumes NUL termination. It accepts only what DER
// allows (X.690 §10): definite lengths in minimal form, low tag numbers. Everything here is
// constexpr and noexcept, and nothing allocates.
#ifndef SVCID_DER_HPP
#define SVCID_DER_HPP

#include "../config.hpp"
#include "../error.hpp"
#include "../result.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

SVCID_BEGIN_NAMESPACE
namespace detail {

/// Identifier octets svcid looks for (X.690 §8.1.2; class and constructed bit included).
namespace der_tag {
constexpr std::uint8_t boolean = 0x01;
constexpr std::uint8_t integer = 0x02;
constexpr std::uint8_t bit_string = 0x03;
constexpr std::uint8_t octet_string = 0x04;
constexpr std::uint8_t oid = 0x06;
constexpr std::uint8_t sequence = 0x30;
constexpr std::uint8_t set = 0x31;
constexpr std::uint8_t context = 0x80;      ///< class bits of [n]; OR the number in
constexpr std::uint8_t constructed = 0x20;  ///< the constructed-encoding bit
} // namespace der_tag

/// Longest length field svcid reads: 4 octets (X.690 §8.1.3.5) cover any certificate.
static constexpr std::size_t der_max_length_octets = 4;
/// Deepest nesting der_check_nested() descends; certificates need about 8.
static constexpr unsigned der_max_depth = 16;

/// One element: its identifier octet and its content octets, a view into the input.
struct der_tlv {
    std::uint8_t tag = 0;
    std::string_view content;
    std::string_view encoding;  ///< the whole element: identifier, length and content octets

    constexpr bool constructed() const noexcept { return (tag & der_tag::constructed) != 0; }
};

/// Reads the element at the start of `in` (X.690 §8.1) into `out`. Bytes after it are left
/// alone; on an error `out` is unchanged and `at` says where in `in` the fault lies.
///
/// Errors: `der_truncated` when `in` ends inside the identifier or length octets;
/// `der_bad_tag` for tag 0 (end-of-contents has no place in DER) or a high tag number
/// (§8.1.2.4, which no certificate structure uses); `der_indefinite_length` for 0x80
/// (§10.1); `der_bad_length` for a length that is not minimal (§10.1), the reserved 0xFF,
/// more than 4 length octets, or a length larger than the bytes that follow.
///
/// This is the form the walkers use on every handshake: it writes into the caller's
/// element instead of returning a result, which keeps the per-element cost to a few loads.
constexpr errc read_tlv_into(std::string_view in, der_tlv& out, std::size_t& at) noexcept {
    at = 0;
    if (in.empty()) return errc::der_truncated;
    const auto tag = static_cast<std::uint8_t>(in[0]);
    if (tag == 0 || (tag & 0x1F) == 0x1F) return errc::der_bad_tag;
    at = 1;
    if (in.size() < 2) return errc::der_truncated;
    const auto first = static_cast<std::uint8_t>(in[1]);
    std::size_t header = 2;
    std::size_t length = first;
    if (first == 0x80) return errc::der_indefinite_length;
    if (first > 0x80) {
        const std::size_t octets = first & 0x7Fu;
        if (octets > der_max_length_octets) return errc::der_bad_length;
        if (in.size() < 2 + octets) return errc::der_truncated;
        // A leading zero octet, or a long form for a length that fits the short form, has a
        // shorter encoding, and DER has exactly one encoding per value.
        if (in[2] == 0) return errc::der_bad_length;
        length = 0;
        for (std::size_t i = 0; i < octets; ++i) length = (length << 8) | static_cast<std::uint8_t>(in[2 + i]);
        if (length < 0x80) return errc::der_bad_length;
        header += octets;
    }
    if (length > in.size() - header) return errc::der_bad_length;
    out.tag = tag;
    out.content = std::string_view(in.data() + header, length);
    out.encoding = std::string_view(in.data(), header + length);
    return errc::ok;
}

/// read_tlv_into() for the walkers' rare case (a long-form length, or an error), kept out
/// of line so that the per-entry loop that handles short forms in place stays small.
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline, cold))
#endif
constexpr errc read_long_tlv(std::string_view in, der_tlv& out) noexcept {
    std::size_t at = 0;
    return read_tlv_into(in, out, at);
}

/// Reads the element at the start of `in`, as read_tlv_into(), with the error's offset in
/// the result.
constexpr result<der_tlv> read_tlv(std::string_view in) noexcept {
    der_tlv tlv;
    std::size_t at = 0;
    const errc e = read_tlv_into(in, tlv, at);
    if (e != errc::ok) return {e, at};
    return tlv;
}

/// Reads an element that must fill `in` exactly and carry `tag`.
constexpr result<der_tlv> read_exact(std::string_view in, std::uint8_t tag) noexcept {
    auto tlv = read_tlv(in);
    if (!tlv) return tlv;
    if (tlv->tag != tag) return {errc::der_bad_tag, 0};
    if (tlv->encoding.size() != in.size()) return {errc::der_trailing_bytes, tlv->encoding.size()};
    return tlv;
}

/// Walks the elements of a constructed value (a SEQUENCE's or SET's content) one at a
/// time. `offset()` is where the next element starts, for error positions.
///
/// ```
/// detail::der_reader r(sequence.content);
/// detail::der_tlv child;
/// while (!r.empty()) { if (r.next(child) != errc::ok) return false; ... }
/// ```
class der_reader {
public:
    constexpr explicit der_reader(std::string_view content) noexcept : rest_(content), size_(content.size()) {}

    constexpr bool empty() const noexcept { return rest_.empty(); }
    constexpr std::size_t offset() const noexcept { return size_ - rest_.size(); }
    constexpr std::string_view remaining() const noexcept { return rest_; }

    /// Reads the next element, whatever its tag. The headers of certificate fields
    /// (a length below 65,536) are decoded in place, with the same DER rules as
    /// read_tlv_into(); longer lengths and every error take read_tlv_into() itself.
    SVCID_HOT_INLINE constexpr errc next(der_tlv& out) noexcept {
        const std::size_t n = rest_.size();
        if (n >= 2) {
            const auto tag = static_cast<std::uint8_t>(rest_[0]);
            const auto first = static_cast<std::uint8_t>(rest_[1]);
            std::size_t header = 2;
            std::size_t length = first;
            bool minimal = first < 0x80;
            if (first == 0x81 && n >= 3) {
                header = 3;
                length = static_cast<std::uint8_t>(rest_[2]);
                minimal = length >= 0x80;
            } else if (first == 0x82 && n >= 4) {
                header = 4;
                length = std::size_t{static_cast<std::uint8_t>(rest_[2])} << 8 | static_cast<std::uint8_t>(rest_[3]);
                minimal = length >= 0x100;
            }
            if (minimal && tag != 0 && (tag & 0x1F) != 0x1F && length <= n - header) {
                out.tag = tag;
                out.content = std::string_view(rest_.data() + header, length);
                out.encoding = std::string_view(rest_.data(), header + length);
                rest_.remove_prefix(header + length);
                return errc::ok;
            }
        }
        return next_long(out);
    }

    /// Reads the next element and requires `tag`; on a mismatch nothing is consumed.
    SVCID_HOT_INLINE constexpr errc expect(std::uint8_t tag, der_tlv& out) noexcept {
        if (rest_.empty()) return errc::der_truncated;
        if (static_cast<std::uint8_t>(rest_[0]) != tag) return errc::der_bad_tag;
        return next(out);
    }

    /// Reads an OPTIONAL or DEFAULT element: `present` is false, and nothing is consumed,
    /// when the next element does not carry `tag` (X.680 §25.6).
    SVCID_HOT_INLINE constexpr errc optional(std::uint8_t tag, der_tlv& out, bool& present) noexcept {
        present = !rest_.empty() && static_cast<std::uint8_t>(rest_[0]) == tag;
        return present ? next(out) : errc::ok;
    }

private:
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((noinline))
#endif
    constexpr errc next_long(der_tlv& out) noexcept {
        std::size_t at = 0;
        const errc e = read_tlv_into(rest_, out, at);
        if (e != errc::ok) return e;
        rest_.remove_prefix(out.encoding.size());
        return errc::ok;
    }

    std::string_view rest_;
    std::size_t size_;  // the offset is derived, so the hot loop only advances rest_
};

/// Octet equality of two short views (OIDs, flags) in place, without a memcmp call.
SVCID_HOT_INLINE constexpr bool same_octets(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i] != b[i]) return false;
    return true;
}

/// Checks that `in` is a concatenation of well-formed elements, descending into every
/// constructed one, with at most `depth` levels of elements (`der_too_deep` beyond). Used
/// where svcid hands a whole DER structure to the caller (a directoryName) without reading
/// it itself. Recursion is bounded by `depth`, so the stack use is too.
constexpr errc der_check_nested(std::string_view in, unsigned depth = der_max_depth) noexcept {
    if (in.empty()) return errc::ok;
    if (depth == 0) return errc::der_too_deep;
    der_reader r(in);
    der_tlv tlv;
    while (!r.empty()) {
        const errc e = r.next(tlv);
        if (e != errc::ok) return e;
        if (tlv.constructed()) {
            const errc inner = der_check_nested(tlv.content, depth - 1);
            if (inner != errc::ok) return inner;
        }
    }
    return errc::ok;
}

/// OBJECT IDENTIFIER content octets svcid compares against.
namespace oid {
constexpr std::string_view on_dns_srv{"\x2B\x06\x01\x05\x05\x07\x08\x07", 8};          ///< 1.3.6.1.5.5.7.8.7, RFC 4985
constexpr std::string_view on_xmpp_addr{"\x2B\x06\x01\x05\x05\x07\x08\x05", 8};        ///< 1.3.6.1.5.5.7.8.5, RFC 6120
constexpr std::string_view on_smtp_utf8_mailbox{"\x2B\x06\x01\x05\x05\x07\x08\x09", 8};  ///< 1.3.6.1.5.5.7.8.9, RFC 8398
constexpr std::string_view at_common_name{"\x55\x04\x03", 3};                            ///< 2.5.4.3, X.520
constexpr std::string_view ce_subject_alt_name{"\x55\x1D\x11", 3};                       ///< 2.5.29.17, RFC 5280
} // namespace oid

/// An OBJECT IDENTIFIER's content is a series of base-128 subidentifiers, each "encoded in
/// the fewest possible octets": no subidentifier starts with 0x80 (X.690 §8.19.2), and the
/// last octet has its continuation bit clear.
constexpr bool plausible_oid(std::string_view content) noexcept {
    if (content.empty() || (static_cast<std::uint8_t>(content.back()) & 0x80) != 0) return false;
    bool subidentifier_start = true;
    for (char c : content) {
        const auto octet = static_cast<std::uint8_t>(c);
        if (subidentifier_start && octet == 0x80) return false;
        subidentifier_start = (octet & 0x80) == 0;
    }
    return true;
}

} // namespace detail
SVCID_END_NAMESPACE

#endif
