// Must not compile: the uri_view would view a string destroyed at the end of the line.
#include <svcid/syntax/uri.hpp>

#include <string>

int main() {
    const auto uri = svcid::parse_uri(std::string("https://example.com/"));
    return uri ? 0 : 1;
}
