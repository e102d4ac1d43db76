// The page svcid-inspect serve sends: serve_page.html, compiled in by CMake so that the
// binary is all there is to run. "{{NONCE}}" marks where each response puts its CSP nonce.
#ifndef SVCID_INSPECT_SERVE_PAGE_HPP
#define SVCID_INSPECT_SERVE_PAGE_HPP

namespace svcid_inspect {
extern const char serve_page_html[];
} // namespace svcid_inspect

#endif
