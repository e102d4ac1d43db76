// Parse arbitrary bytes as an e-mail reference; an accepted reference must match its own
// text and the text with the domain upper-cased, and never a value with a NUL appended.
#include <svcid/email.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto r = svcid::parse_email_reference(text);
    if (!r) {
        if (r.error().offset > size) std::abort();
        // Matching must be total: any bytes against any reference, without faults.
        static const auto probe = *svcid::parse_email_reference("a@b.example");
        (void)svcid::match_email(text, probe);
        return 0;
    }
    if (!svcid::match_email(text, *r)) std::abort();
    std::string upper(r->local_part());
    upper += '@';
    for (char c : r->domain()) upper += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    if (!svcid::match_email(upper, *r)) std::abort();
    std::string with_nul(text);
    with_nul += '\0';
    if (svcid::match_email(with_nul, *r)) std::abort();
    return 0;
}
