// Make SPIFFE references from arbitrary bytes in each mode, copied and viewed. An accepted
// reference holds exactly the input, and the input presented as a URI SAN matches it in
// every mode; copying refuses only what viewing accepts and is too long to hold inline.
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
        const auto view = svcid::view_spiffe_reference(text, mode);
        if (!view) {
            if (ref || view.error().offset > size) std::abort();
            continue;
        }
        if (view->text().data() != text.data() || view->text() != text || !svcid::match_spiffe(text, *view)) std::abort();
        if (!ref) {
            if (ref.error() != svcid::errc::spiffe_id_needs_view || size <= svcid::spiffe_reference::inline_capacity)
                std::abort();
            continue;
        }
        if (ref->text() != text || ref->mode() != mode || ref->is_view()) std::abort();
        if (!svcid::match_spiffe(text, *ref)) std::abort();
    }
    return 0;
}
