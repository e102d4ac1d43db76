// Must not compile: C++14 gets svcid's one-line reason and nothing else.
#include <svcid/svcid.hpp>
#include <svcid/openssl.hpp>

int main() { return 0; }
