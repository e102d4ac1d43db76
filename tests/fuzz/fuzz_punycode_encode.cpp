// Punycode encoding of arbitrary code points: bounded writes, and the round-trip property
// decode(encode(x)) == x whenever encoding succeeds.
#include <svcid/syntax/punycode.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::size_t cap = data[0] % (svcid::punycode_max_encoded + 1);
    ++data;
    --size;
    // Three bytes per code point reach every plane and some values past U+10FFFF.
    char32_t in[svcid::punycode_max_code_points + 2];
    std::size_t n = 0;
    for (; n < sizeof in / sizeof in[0] && 3 * n + 2 < size; ++n)
        in[n] = static_cast<char32_t>(data[3 * n]) << 16 | static_cast<char32_t>(data[3 * n + 1]) << 8 |
                data[3 * n + 2];
    char encoded[svcid::punycode_max_encoded];
    const auto e = svcid::punycode_encode(in, n, encoded, cap);
    if (!e) return 0;
    if (*e > cap) std::abort();
    char32_t back[svcid::punycode_max_code_points];
    const auto d = svcid::punycode_decode({encoded, *e}, back, svcid::punycode_max_code_points);
    if (!d || *d != n || std::memcmp(back, in, n * sizeof(char32_t)) != 0) std::abort();
    return 0;
}
