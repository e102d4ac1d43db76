// Must not compile: the certificate would view a string destroyed at the end of the line.
#include <svcid/der_certificate.hpp>

#include <string>

std::string read_file() { return std::string(64, '\0'); }

int main() {
    const auto cert = svcid::parse_der_certificate(read_file());
    return cert ? 0 : 1;
}
