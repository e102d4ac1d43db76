// svcid/config.hpp — version, namespace and feature macros shared by every svcid header.
//
// Every other header includes this one first, so the versioned inline namespace and the
// exception switch are decided in exactly one place.
#ifndef SVCID_CONFIG_HPP
#define SVCID_CONFIG_HPP

// string_view, if constexpr and inline variables are used throughout. A compiler keeps going
// after #error, and without C++17 every later line fails too (335 errors from GCC 12 in
// C++14 mode); the missing include after it is fatal, so the reason is the last word.
#if defined(_MSVC_LANG) ? _MSVC_LANG < 201703L : __cplusplus < 201703L
#error "svcid needs C++17 or later (-std=c++17, /std:c++17)"
#include <svcid_needs_cxx17>
#endif

#define SVCID_VERSION_MAJOR 0
#define SVCID_VERSION_MINOR 1
#define SVCID_VERSION_PATCH 0

// The inline namespace lets a future ABI-incompatible v2 live beside v1 in one program.
#define SVCID_BEGIN_NAMESPACE namespace svcid { inline namespace v1 {
#define SVCID_END_NAMESPACE } }

// Throwing conveniences (result::value()) compile out when the user builds without
// exceptions; everything on the matching path is noexcept either way.
#if defined(SVCID_NO_EXCEPTIONS)
#elif defined(__cpp_exceptions) || defined(__EXCEPTIONS) || defined(_CPPUNWIND)
#define SVCID_HAS_EXCEPTIONS 1
#endif

// The matcher's per-identifier visitor runs once per SAN entry; compilers at -O2 sometimes
// keep it out of line, which costs a call and a round trip through memory per entry.
#if defined(__GNUC__) || defined(__clang__)
#define SVCID_HOT_INLINE __attribute__((always_inline))
#elif defined(_MSC_VER)
#define SVCID_HOT_INLINE __forceinline
#else
#define SVCID_HOT_INLINE
#endif

// The rare paths beside a hot one (application callbacks around the verify callback's
// check): kept out of line so that the hot caller does not set up their closures.
#if defined(__GNUC__) || defined(__clang__)
#define SVCID_NOINLINE __attribute__((noinline))
#elif defined(_MSC_VER)
#define SVCID_NOINLINE __declspec(noinline)
#else
#define SVCID_NOINLINE
#endif

#if defined(__has_cpp_attribute)
#if __has_cpp_attribute(nodiscard)
#define SVCID_NODISCARD [[nodiscard]]
#endif
#endif
#ifndef SVCID_NODISCARD
#define SVCID_NODISCARD
#endif

// On a parameter whose bytes the result views: Clang then warns (-Wdangling) when the result
// outlives a temporary passed there. Functions like that also delete their std::string&&
// overloads, which catches the common case on every compiler.
#if defined(__has_cpp_attribute)
#if __has_cpp_attribute(clang::lifetimebound)
#define SVCID_LIFETIMEBOUND [[clang::lifetimebound]]
#endif
#endif
#ifndef SVCID_LIFETIMEBOUND
#define SVCID_LIFETIMEBOUND
#endif

#endif
