// Must not compile: a policy without all knobs is named in the error (STYLE.md rule 6).
#include <svcid/dns_id.hpp>

struct half_a_policy {
    static constexpr bool wildcards = true;
};

int main() {
    return svcid::match_dns_id<half_a_policy>("www.example.com", *svcid::parse_dns_reference("www.example.com")) ? 0 : 1;
}
