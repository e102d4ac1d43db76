// libFuzzer target for parse_der_certificate and both walkers it feeds: any input must
// parse or fail cleanly, never read out of bounds, and every view handed out must lie
// inside the input. Whatever the one-pass scan accepts, the exact reader must accept with
// the same views.
#include <svcid/der_certificate.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {
struct inside_visitor {
    std::string_view input;
    svcid::visit operator()(const svcid::presented_id& id) const noexcept {
        for (std::string_view v : {id.value, id.oid})
            if (!v.empty() && (v.data() < input.data() || v.data() + v.size() > input.data() + input.size())) std::abort();
        return svcid::visit::next;
    }
};
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    svcid::der_certificate scanned;
    if (svcid::detail::scan_der_certificate(input, scanned)) {
        const auto exact = svcid::detail::parse_der_certificate_exactly(input);
        if (!exact || scanned.subject_der().data() != exact->subject_der().data() ||
            scanned.subject_der().size() != exact->subject_der().size() ||
            scanned.subject_alt_name_der().data() != exact->subject_alt_name_der().data() ||
            scanned.subject_alt_name_der().size() != exact->subject_alt_name_der().size() ||
            scanned.san_is_critical() != exact->san_is_critical() ||
            scanned.visit_subject_alt_names(inside_visitor{input}) != exact->visit_subject_alt_names(inside_visitor{input}))
            std::abort();
    }
    const auto cert = svcid::parse_der_certificate(input);
    if (!cert) return 0;
    const inside_visitor v{input};
    (void)cert->visit_subject_alt_names(v);
    (void)cert->visit_common_names(v);
    return 0;
}
