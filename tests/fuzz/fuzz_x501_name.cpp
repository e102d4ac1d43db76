// Walk arbitrary bytes as the DER of an X.501 Name. Every CN handed out is a view inside
// the input; a typed one has a whole number of code units (an untyped one, `none`, is a CN
// of another type, delivered so that the last CN stays the last); stopping early must not
// change the framing verdict, since the walker promises to keep checking after a stop.
#include <svcid/syntax/x501_name.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {
struct checking_visitor {
    std::string_view input;
    std::size_t seen = 0;
    svcid::visit after = svcid::visit::next;
    svcid::visit operator()(const svcid::presented_id& id) noexcept {
        if (id.kind != svcid::presented_kind::common_name) std::abort();
        if (!id.value.empty() &&
            (id.value.data() < input.data() || id.value.data() + id.value.size() > input.data() + input.size()))
            std::abort();
        if (id.tag == svcid::string_tag::bmp_string && id.value.size() % 2 != 0) std::abort();
        if (id.tag == svcid::string_tag::universal_string && id.value.size() % 4 != 0) std::abort();
        ++seen;
        return after;
    }
};
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    checking_visitor all{input};
    const bool ok = svcid::visit_common_names(input, all);
    checking_visitor first{input, 0, svcid::visit::stop};
    const bool ok_after_stop = svcid::visit_common_names(input, first);
    if (ok != ok_after_stop) std::abort();
    if (first.seen > 1 || (all.seen > 0) != (first.seen == 1)) std::abort();
    return 0;
}
