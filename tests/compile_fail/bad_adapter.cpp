// Must not compile: the readable message names the missing member (STYLE.md rule 6).
#include <svcid/match.hpp>

struct not_an_adapter {
    int subject_alt_names;
};

int main() {
    const not_an_adapter cert{};
    return svcid::match(cert, *svcid::parse_dns_reference("www.example.com")).matched() ? 0 : 1;
}
