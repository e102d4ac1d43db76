// svcid/explain.hpp — a bounded, human-readable account of a match result.
//
// For logs, error messages and the inspector: which reference, what happened, and for a
// failure each presented identifier of the reference's type with the reason it did not
// match. Written into a caller-provided buffer; nothing is allocated, and the certificate
// is walked again here rather than remembered during the (hot) match.
#ifndef SVCID_EXPLAIN_HPP
#define SVCID_EXPLAIN_HPP

#include "config.hpp"
#include "detail/writer.hpp"
#include "match.hpp"
#include "reference.hpp"

#include <cstddef>
#include <type_traits>
#include <utility>

SVCID_BEGIN_NAMESPACE

/// How many presented identifiers an explanation lists before it says "and N more".
constexpr std::size_t explain_max_listed = 8;

namespace detail {
// Adapters over a native handle (openssl_certificate::get()) can say there is no certificate
// at all, which reads better than "no identifier of this type" for a peer that sent none.
template <class Adapter, class = void>
struct has_handle : std::false_type {};
template <class Adapter>
struct has_handle<Adapter, std::void_t<decltype(std::declval<const Adapter&>().get() == nullptr)>> : std::true_type {};

/// Writes a presented identifier as explanations show it: its kind, then the address in
/// text or the value quoted and escaped.
constexpr void put_presented(const presented_id& id, bounded_writer& out) noexcept {
    out.put(kind_name(id.kind));
    out.put(" ");
    if (id.kind == presented_kind::ip_address)
        put_ip_octets(id.value, out);
    else
        out.put_quoted(id.value);
}

constexpr const char* no_certificate_message =
    "there is no certificate (a null handle: the peer presented none, or it was never fetched)";

template <class Adapter>
constexpr bool no_certificate(const Adapter& certificate) noexcept {
    if constexpr (has_handle<Adapter>::value) {
        return certificate.get() == nullptr;
    } else {
        return false;
    }
}

/// What every explanation says after naming what was looked for: the identifier that
/// matched, that there is no certificate, or the status. True when nothing more follows.
template <class Adapter>
constexpr bool put_verdict(const Adapter& certificate, const match_result& result, bounded_writer& out) noexcept {
    if (result.matched()) {
        out.put("matched ");
        put_presented(result.presented, out);
        return true;
    }
    if (no_certificate(certificate)) {
        out.put(no_certificate_message);
        return true;
    }
    out.put(status_message(result.status));
    if (result.status == match_status::dns_name_not_preferred || result.status == match_status::cn_not_in_san) {
        out.put("\n  ");
        put_presented(result.presented, out);
    }
    return false;
}

template <class Policy, class Reference>
struct explain_visitor {
    const Reference& reference;
    bounded_writer& out;
    bool common_names = false;
    std::size_t listed = 0;
    std::size_t unlisted = 0;

    constexpr visit operator()(const presented_id& id) noexcept {
        if (!common_names && !reference_traits<Reference>::considers(id.kind)) return visit::next;
        if (listed == explain_max_listed) {
            ++unlisted;
            return visit::next;
        }
        ++listed;
        out.put("\n  ");
        put_presented(id, out);
        out.put(": ");
        out.put(reference_traits<Reference>::template why<Policy>(reference, id));
        return visit::next;
    }
};
} // namespace detail

/// Writes an explanation of `result` (from match<Policy>(certificate, reference)) into
/// `buffer`, NUL-terminated and cut to `size`, never inside a UTF-8 sequence. Returns the
/// length the full text needed, so a caller can tell it was cut (return value >= size).
/// Untrusted bytes are escaped.
///
/// ```
/// char text[512];
/// svcid::explain(cert, ref, svcid::match(cert, ref), text, sizeof text);
/// // DNS-ID "api.example.com": no presented identifier matches
/// //   dNSName "www.example.com": names another host
/// ```
/// noexcept; no heap.
template <class Policy = rfc9525, class Adapter, class Reference>
std::size_t explain(const Adapter& certificate, const Reference& reference, const match_result& result, char* buffer,
                    std::size_t size) noexcept {
    using traits = reference_traits<Reference>;
    detail::bounded_writer out(buffer, size);
    out.put(traits::type_name);
    out.put(" ");
    traits::write(reference, out);
    out.put(": ");
    if (detail::put_verdict(certificate, result, out)) return out.wanted();
    if (result.status == match_status::no_match) {
        detail::explain_visitor<Policy, Reference> visitor{reference, out, result.cn_consulted};
        if (result.cn_consulted)
            certificate.visit_common_names(visitor);
        else
            certificate.visit_subject_alt_names(visitor);
        if (visitor.unlisted != 0) {
            out.put("\n  and ");
            out.put_unsigned(visitor.unlisted);
            out.put(" more");
        }
    }
    return out.wanted();
}

namespace detail {
template <class Policy, class Adapter>
struct explain_typed {
    const Adapter& certificate;
    const match_result& result;
    char* buffer;
    std::size_t size;

    template <class Typed>
    std::size_t operator()(const Typed& typed) const noexcept {
        return explain<Policy>(certificate, typed, result, buffer, size);
    }
};
} // namespace detail

/// The same for a reference of any type (what parse_reference returns), so whatever
/// match() accepts can be explained. noexcept; no heap.
template <class Policy = rfc9525, class Adapter>
std::size_t explain(const Adapter& certificate, const reference& ref, const match_result& result, char* buffer,
                    std::size_t size) noexcept {
    return ref.visit(detail::explain_typed<Policy, Adapter>{certificate, result, buffer, size});
}

SVCID_END_NAMESPACE

#endif
