// Builds without Boost.Beast's headers have no `serve`; the command says so (main.cpp).
#include "inspect.hpp"

namespace svcid_inspect {

bool serve_available() { return false; }
int run_serve(unsigned short, std::size_t) { return exit_bad_input; }

} // namespace svcid_inspect
