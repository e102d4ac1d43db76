// IDNA conversion of arbitrary bytes: to_ascii_name and a_label_to_utf8 stay in bounds, and
// what to_ascii_name produces is ASCII whose xn-- labels validate_a_label accepts and whose
// display form converts back to the same ASCII name.
#include <svcid/syntax/idna.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    char ascii[svcid::idna_max_name_octets + 1];
    const auto a = svcid::to_ascii_name(in, ascii, sizeof ascii);

    char shown[4 * svcid::idna_max_name_octets];
    (void)svcid::a_label_to_utf8(in, shown, sizeof shown);
    (void)svcid::validate_a_label(in);
    (void)svcid::has_a_label(in);
    if (!a) return 0;

    const std::string_view name(ascii, *a);
    for (char c : name)
        if (static_cast<unsigned char>(c) >= 0x80 || (c >= 'A' && c <= 'Z')) std::abort();
    const auto s = svcid::a_label_to_utf8(name, shown, sizeof shown);
    if (!s) std::abort();
    char again[svcid::idna_max_name_octets + 1];
    const auto b = svcid::to_ascii_name({shown, *s}, again, sizeof again);
    if (!b || *b != *a || std::memcmp(again, ascii, *a) != 0) std::abort();
    return 0;
}
