// svcid/general_names.hpp — the subjectAltName walker every certificate adapter shares.
//
// Whatever the TLS library, the subjectAltName extension reaches svcid as the DER of its
// extnValue; one walker over those bytes means every adapter reports the same identifiers
// and the same verdict on broken encodings. It runs on each handshake, so it is one pass
// over the bytes with no allocation, and hands each name to the visitor as a view.
#ifndef SVCID_GENERAL_NAMES_HPP
#define SVCID_GENERAL_NAMES_HPP

#include "../config.hpp"
#include "der.hpp"
#include "../presented.hpp"

#include <cstdint>
#include <string_view>
#include <type_traits>

SVCID_BEGIN_NAMESPACE
namespace detail {

// `skip`: the GeneralName's tag and length are sound but its content does not decode; it is
// that entry's fault alone, so the walk goes on without it (see visit_general_names).
enum class general_name_outcome : std::uint8_t { deliver, skip, malformed };

template <class Visitor>
constexpr void check_visitor() noexcept {
    static_assert(std::is_same<decltype(std::declval<Visitor&>()(std::declval<const presented_id&>())), visit>::value,
                  "svcid: a visitor must be callable as `svcid::visit v(const svcid::presented_id&) noexcept`");
}

/// otherName ::= SEQUENCE { type-id OBJECT IDENTIFIER, value [0] EXPLICIT ANY } under
/// implicit [0]. Everything inside the [0] is content: a known type whose value is not the
/// string RFC 4985/6120/8398 require arrives as a plain `other_name`, never as its kind, and
/// one whose type-id or value does not decode at all (`A0 00`) arrives as an `other_name`
/// with an empty `oid`, which nothing matches and which blocks CN fallback (it might have
/// been an SRVName).
constexpr general_name_outcome decode_other_name(std::string_view content, presented_id& id) noexcept {
    der_reader r(content);
    der_tlv type_id, value;
    if (r.expect(der_tag::oid, type_id) != errc::ok || !plausible_oid(type_id.content) ||
        r.expect(der_tag::context | der_tag::constructed | 0, value) != errc::ok || !r.empty()) {
        id.kind = presented_kind::other_name;
        id.value = content;
        return general_name_outcome::deliver;
    }

    std::uint8_t want = 0;
    if (type_id.content == oid::on_dns_srv) {
        id.kind = presented_kind::srv_name;
        want = static_cast<std::uint8_t>(string_tag::ia5_string);
    } else if (type_id.content == oid::on_xmpp_addr) {
        id.kind = presented_kind::xmpp_addr;
        want = static_cast<std::uint8_t>(string_tag::utf8_string);
    } else if (type_id.content == oid::on_smtp_utf8_mailbox) {
        id.kind = presented_kind::smtp_utf8_mailbox;
        want = static_cast<std::uint8_t>(string_tag::utf8_string);
    } else {
        id.kind = presented_kind::other_name;
        id.value = value.content;
        id.oid = type_id.content;
        return general_name_outcome::deliver;
    }
    auto inner = read_exact(value.content, want);
    if (!inner) {
        // Not the string its type demands: no matcher may take it for its kind, but it is
        // still an identifier of that type (an SRV-ID blocks CN fallback, RFC 6125 §6.4.4).
        id.kind = presented_kind::other_name;
        id.value = value.content;
        id.oid = type_id.content;
        return general_name_outcome::deliver;
    }
    id.tag = static_cast<string_tag>(want);
    id.value = inner->content;
    return general_name_outcome::deliver;
}

/// Maps one GeneralName (RFC 5280 §4.2.1.6) to a presented identifier. Tags outside the
/// CHOICE, or with the wrong constructed bit for their type, make the extension malformed:
/// GeneralName has no extension marker, so there is nothing else they could be. Content
/// that does not decode (a registeredID that is no OID, a directoryName that is no Name)
/// is skipped: neither is ever matched, and its bounds are known from its own length.
constexpr general_name_outcome decode_general_name(std::uint8_t tag, std::string_view content, presented_id& id) noexcept {
    id = presented_id{};
    constexpr std::uint8_t primitive = der_tag::context;
    constexpr std::uint8_t constructed = der_tag::context | der_tag::constructed;
    switch (tag) {
    case constructed | 0: return decode_other_name(content, id);
    case primitive | 1: id.kind = presented_kind::rfc822_name; id.tag = string_tag::ia5_string; break;
    case primitive | 2: id.kind = presented_kind::dns_name; id.tag = string_tag::ia5_string; break;
    case constructed | 3: id.kind = presented_kind::other_general_name; break;
    case constructed | 4: {
        // directoryName is a CHOICE, hence EXPLICIT: the content is one whole Name, which is
        // handed on as DER, so it is checked all the way down first.
        auto name = read_exact(content, der_tag::sequence);
        if (!name || der_check_nested(name->content, der_max_depth - 1) != errc::ok)
            return general_name_outcome::skip;
        id.kind = presented_kind::directory_name;
        break;
    }
    case constructed | 5: id.kind = presented_kind::other_general_name; break;
    case primitive | 6: id.kind = presented_kind::uri; id.tag = string_tag::ia5_string; break;
    case primitive | 7: id.kind = presented_kind::ip_address; break;
    case primitive | 8:
        if (!plausible_oid(content)) return general_name_outcome::skip;
        id.kind = presented_kind::registered_id;
        break;
    default: return general_name_outcome::malformed;
    }
    id.value = content;
    return general_name_outcome::deliver;
}

// After a stop: the rest is framed and decoded, but nothing is delivered.
struct skip_names {
    constexpr visit operator()(const presented_id&) const noexcept { return visit::next; }
};

constexpr san_state walk_after_stop(const char* p, const char* end) noexcept;

// visit_general_names' loop over the GeneralNames in [p, end). A stop hands the rest to a
// walk that delivers nothing, so the loop itself never tests for one.
template <class Visitor>
SVCID_HOT_INLINE constexpr san_state walk_general_names(const char* p, const char* const end, Visitor&& v) noexcept {
    // Each entry is read in place from a pointer and a length held in registers: a
    // short-form header (every dNSName, URI and iPAddress of a real certificate) is two
    // octets, so no element is written to the stack and read back. Measured: with the
    // element round-tripping through a stack der_tlv (two 8-byte stores, then a 16-byte
    // load the store buffer cannot forward) the per-entry cost rose about 3x in a
    // translation unit where read_tlv_into was not inlined. Long forms take the cold path.
    presented_id id;
    while (p != end) {
        const auto avail = static_cast<std::size_t>(end - p);
        std::uint8_t tag = 0;
        std::string_view content;
        const std::uint8_t first = avail >= 2 ? static_cast<std::uint8_t>(p[1]) : 0xFF;
        if (first < 0x80 && first <= avail - 2) {
            // Tag 0 and high tag numbers are not GeneralName tags: decode_general_name
            // refuses them below, as read_tlv_into would.
            tag = static_cast<std::uint8_t>(p[0]);
            content = std::string_view(p + 2, first);
            p += 2 + std::size_t{first};
        } else {
            detail::der_tlv gn;
            if (detail::read_long_tlv(std::string_view(p, avail), gn) != errc::ok) return san_state::malformed;
            tag = gn.tag;
            content = gn.content;
            p += gn.encoding.size();
        }
        // dNSName is nearly every entry of real certificates: no decoding to do. Its own
        // presented_id never has its address taken by a call, so the compiler keeps it in
        // registers and writes it out only when the visitor keeps it (a match).
        if (tag == (detail::der_tag::context | 2)) {
            const presented_id dns{presented_kind::dns_name, string_tag::ia5_string, content, {}};
            if (v(dns) == visit::stop) return p == end ? san_state::present : walk_after_stop(p, end);
            continue;
        }
        // A URI (URI-IDs, SPIFFE IDs) the same way.
        if (tag == (detail::der_tag::context | 6)) {
            const presented_id uri{presented_kind::uri, string_tag::ia5_string, content, {}};
            if (v(uri) == visit::stop) return p == end ? san_state::present : walk_after_stop(p, end);
            continue;
        }
        // The other primitive names that carry an identity (rfc822Name, iPAddress) need no
        // decoding either; the rest go through decode_general_name.
        if (tag == (detail::der_tag::context | 7)) {
            id.kind = presented_kind::ip_address;
            id.tag = string_tag::none;
            id.value = content;
            id.oid = {};
        } else if (tag == (detail::der_tag::context | 1)) {
            id.kind = presented_kind::rfc822_name;
            id.tag = string_tag::ia5_string;
            id.value = content;
            id.oid = {};
        } else {
            const auto outcome = detail::decode_general_name(tag, content, id);
            if (outcome == detail::general_name_outcome::malformed) return san_state::malformed;
            if (outcome == detail::general_name_outcome::skip) continue;
        }
        if (v(static_cast<const presented_id&>(id)) == visit::stop)
            return p == end ? san_state::present : walk_after_stop(p, end);
    }
    return san_state::present;
}

// The names after a stop: framed and decoded as before, delivered to no one.
constexpr san_state walk_after_stop(const char* p, const char* end) noexcept {
    return walk_general_names(p, end, skip_names{});
}
} // namespace detail

/// Walks the DER of a subjectAltName extnValue, `GeneralNames ::= SEQUENCE SIZE (1..MAX)
/// OF GeneralName` (RFC 5280 §4.2.1.6), and calls `v` once per name in certificate order
/// until it returns `visit::stop`.
///
/// - dNSName, rfc822Name and URI arrive as their IA5String content (`tag` ia5_string), with
///   any NUL or non-ASCII octet intact for the matcher to refuse; iPAddress as raw octets
///   of whatever length the certificate has; registeredID as OID content octets;
///   directoryName as the Name's DER; x400Address and ediPartyName as raw content.
/// - otherName: SRVName (RFC 4985), XmppAddr (RFC 6120 §13.7.1.4) and SmtpUTF8Mailbox
///   (RFC 8398) arrive as their string's content; when that string has the wrong type or
///   framing, and for any other type, the name arrives as `other_name` with `oid` set and
///   `value` the raw DER inside `[0]`; an otherName with no decodable type-id and value
///   arrives as `other_name` with an empty `oid`.
///
/// Framing is the SEQUENCE and each GeneralName's tag and length; content is what is
/// inside one GeneralName. Returns `present` when the framing parsed, `malformed` when the
/// SEQUENCE is empty, badly framed or followed by other bytes, or any GeneralName's tag or
/// length is bad. Bad content is one entry's fault: the entry is delivered as above or
/// skipped (registeredID, directoryName), and the others still count, as in mozilla::pkix
/// and rustls-webpki. After a stop the remaining names are still checked (without calls) so
/// that a match cannot hide a broken extension. Never allocates; never reads outside
/// `san_extn_value`.
///
/// ```
/// auto state = svcid::visit_general_names(extn_value, [&](const svcid::presented_id& id) noexcept {
///     return id.kind == svcid::presented_kind::dns_name && id.value == "example.com"
///         ? svcid::visit::stop : svcid::visit::next;
/// });
/// ```
template <class Visitor>
constexpr san_state visit_general_names(std::string_view san_extn_value, Visitor&& v) noexcept {
    detail::check_visitor<Visitor>();
    // read_tlv_into rather than read_exact: no error position is reported here, and this
    // runs once per match.
    detail::der_tlv names;
    std::size_t error_at = 0;
    if (detail::read_tlv_into(san_extn_value, names, error_at) != errc::ok || names.tag != detail::der_tag::sequence ||
        names.encoding.size() != san_extn_value.size() || names.content.empty())
        return san_state::malformed;
    return detail::walk_general_names(names.content.data(), names.content.data() + names.content.size(), v);
}

SVCID_END_NAMESPACE

#endif
