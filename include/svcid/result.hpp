// svcid/result.hpp — the value-or-error returned by every fallible svcid function.
//
// Parsing never throws and never allocates; a failure carries an error code plus where in
// the input it was found, so a message can say "label 2 is longer than 63 octets".
#ifndef SVCID_RESULT_HPP
#define SVCID_RESULT_HPP

#include "config.hpp"
#include "detail/writer.hpp"
#include "error.hpp"

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <type_traits>
#if defined(SVCID_HAS_EXCEPTIONS)
#include <system_error>
#endif

SVCID_BEGIN_NAMESPACE

/// What went wrong and where. `label` is 1-based (0: not about one label); `offset` is the
/// byte offset into the input where the problem starts. Both saturate at error::far
/// (UINT32_MAX) rather than wrap, so a position is never reported as an earlier one.
struct error {
    /// The saturation value of `label` and `offset`: a position at or beyond it reads as it.
    static constexpr std::uint32_t far = 0xFFFFFFFFu;

    /// What went wrong; `errc::ok` for no error.
    errc code = errc::ok;
    // 32 bits: a certificate or chain can exceed 64 kB, and a 16-bit offset wrapped silently
    // (a fault at byte 70,192 was reported at byte 4,656).
    /// 1-based label the error is in; 0 when it is not about one label.
    std::uint32_t label = 0;
    /// Byte offset into the input where the problem starts.
    std::uint32_t offset = 0;

    constexpr error() noexcept = default;
    /// An error `c` at byte `at` of the input, in label `in_label` (1-based; 0 for none).
    constexpr error(errc c, std::size_t at = 0, std::size_t in_label = 0) noexcept
        : code(c), label(saturate(in_label)), offset(saturate(at)) {}

    /// Equal when both hold the same value.
    friend constexpr bool operator==(const error& a, errc b) noexcept { return a.code == b; }
    /// Not equal: the negation of operator==.
    friend constexpr bool operator!=(const error& a, errc b) noexcept { return a.code != b; }

    /// The code as a std::error_code of svcid's category.
    std::error_code code_as_std() const noexcept { return make_error_code(code); }

private:
    static constexpr std::uint32_t saturate(std::size_t n) noexcept {
        return n >= far ? far : static_cast<std::uint32_t>(n);
    }
};

/// Writes "label 2: a label is longer than 63 octets (at byte 17)" into `buffer`, always
/// NUL-terminated when `size > 0`, truncated to fit. Returns the length it wanted to write.
/// No allocation.
// The bounded writer, not snprintf: GCC at -O2 sees a small buffer through inlining and
// flags the intended truncation (-Wformat-truncation), which -Werror turns into an error in
// every caller's build.
inline std::size_t describe(const error& e, char* buffer, std::size_t size) noexcept {
    detail::bounded_writer out(buffer, size);
    if (e.label != 0) {
        out.put("label ");
        out.put_unsigned(e.label);
        out.put(": ");
    }
    out.put(message(e.code));
    out.put(" (at byte ");
    out.put_unsigned(e.offset);
    out.put(e.offset == error::far ? " or later)" : ")");
    return out.wanted();
}

/// Either a T or an svcid::error. T must be trivially copyable (all svcid values are), which
/// keeps result itself trivially copyable and usable in constant expressions.
///
/// ```
/// auto ref = svcid::parse_dns_reference("api.example.com");
/// if (!ref) { char msg[128]; svcid::describe(ref.error(), msg, sizeof msg); ... }
/// ```
template <class T>
class result {
    static_assert(std::is_trivially_copyable<T>::value, "svcid::result<T> needs a trivially copyable T");
    static_assert(std::is_default_constructible<T>::value, "svcid::result<T> needs a default-constructible T");

public:
    /// A value.
    constexpr result(const T& value) noexcept : value_(value), error_() {}
    /// An error `c` at byte `at` of the input, in label `in_label` (1-based; 0 for none).
    constexpr result(errc code, std::size_t at = 0, std::size_t in_label = 0) noexcept
        : value_(), error_(code, at, in_label) {}
    /// An error.
    constexpr result(const svcid::error& e) noexcept : value_(), error_(e) {}

    /// True when the result holds a value, false when it holds an error.
    constexpr bool has_value() const noexcept { return error_.code == errc::ok; }
    /// True when there is a value (or a match).
    constexpr explicit operator bool() const noexcept { return has_value(); }

    /// The error; `errc::ok` when there is a value.
    constexpr const svcid::error& error() const noexcept { return error_; }

    /// Access after the caller has tested has_value(). Dereferencing an error is a bug that
    /// would otherwise lose the error: builds without NDEBUG print it and abort; with NDEBUG
    /// the value is a value-initialised T, which matches nothing (an empty reference is
    /// explained as such).
    constexpr const T& operator*() const noexcept {
        check_value();
        return value_;
    }
    /// The value, after the caller has tested has_value() (see operator*).
    constexpr const T* operator->() const noexcept {
        check_value();
        return &value_;
    }

    /// Checked access. Throws std::system_error when there is no value; in a build without
    /// exceptions it prints the error and aborts instead. Not for the matching path.
    const T& value() const {
        if (!has_value()) fail();
        return value_;
    }

private:
    constexpr void check_value() const noexcept {
#if !defined(NDEBUG)
        if (!has_value()) abort_on_error("svcid: dereferenced a result that holds an error: ");
#endif
    }

    [[noreturn]] void abort_on_error(const char* what) const noexcept {
        std::fputs(what, stderr);
        std::fputs(message(error_.code), stderr);
        std::fputs("\n", stderr);
        std::abort();
    }

    [[noreturn]] void fail() const {
#if defined(SVCID_HAS_EXCEPTIONS)
        throw std::system_error(make_error_code(error_.code));  // opt-in convenience, never on the hot path
#else
        abort_on_error("svcid: result::value() on an error: ");
#endif
    }

    T value_;
    svcid::error error_;
};

SVCID_END_NAMESPACE

#endif
