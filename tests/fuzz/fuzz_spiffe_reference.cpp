// Make SPIFFE references from arbitrary bytes in each mode. An accepted reference holds
// exactly the input, and the input presented as a URI SAN matches it in every mode.
#include <svcid/spiffe_reference.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    static const svcid::spiffe_reference fixed =
        *svcid::make_spiffe_reference("spiffe://prod.example/ns/payments", svcid::spiffe_match::path_prefix);
    (void)svcid::match_spiffe(text, fixed);
    for (auto mode : {svcid::spiffe_match::exact, svcid::spiffe_match::trust_domain, svcid::spiffe_match::path_prefix}) {
        const auto ref = svcid::make_spiffe_reference(text, mode);
        if (!ref) {
            if (ref.error().offset > size) std::abort();
            continue;
        }
        if (ref->text() != text || ref->mode() != mode) std::abort();
        if (!svcid::match_spiffe(text, *ref)) std::abort();
    }
    return 0;
}
