// libFuzzer target for visit_general_names over a subjectAltName extnValue: it must never
// read outside the input, must deliver only views inside it, and must give the same
// verdict whether or not the visitor stops early (a match never hides a broken extension).
#include <svcid/syntax/general_names.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {
struct checking_visitor {
    std::string_view input;
    std::size_t* calls;
    svcid::visit result;
    svcid::visit operator()(const svcid::presented_id& id) const noexcept {
        for (std::string_view v : {id.value, id.oid})
            if (!v.empty() && (v.data() < input.data() || v.data() + v.size() > input.data() + input.size())) std::abort();
        ++*calls;
        return result;
    }
};
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    std::size_t all = 0, first = 0;
    const auto walked = svcid::visit_general_names(input, checking_visitor{input, &all, svcid::visit::next});
    const auto stopped = svcid::visit_general_names(input, checking_visitor{input, &first, svcid::visit::stop});
    if (walked != stopped || first > 1 || (all == 0) != (first == 0)) std::abort();
    return 0;
}
