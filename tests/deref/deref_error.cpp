// Dereferences the result of a failed parse. Without NDEBUG this must abort with the error
// (tests/deref/expect.cmake checks the message); with NDEBUG the empty reference must say
// what happened when explained, so the lost parse error can still be diagnosed.
#include <svcid/explain.hpp>
#include <svcid/reference.hpp>

#include "list_adapter.hpp"

#include <cstdio>
#include <cstring>

int main() {
    const auto parsed = svcid::parse_reference("no spaces allowed");
    if (parsed) return 2;
    const svcid::reference& ref = *parsed;
    svcid_test::list_adapter cert;
    cert.alt_names = {svcid_test::ids::dns("www.example.com")};
    char text[512];
    ref.visit([&](const auto& typed) {
        svcid::explain(cert, typed, svcid::match(cert, typed), text, sizeof text);
        return 0;
    });
    std::puts(text);
    return std::strstr(text, "was an error result dereferenced?") != nullptr ? 0 : 1;
}
