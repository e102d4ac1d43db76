# Fails when a core header (anything but openssl*.hpp and the umbrella) reaches <openssl/...>
# directly: the core must build for users of other TLS stacks.
file(GLOB_RECURSE headers RELATIVE ${HEADER_DIR} ${HEADER_DIR}/*.hpp)
foreach(header IN LISTS headers)
  if(header MATCHES "^openssl" OR header STREQUAL "svcid.hpp" OR header STREQUAL "asio.hpp")
    continue()
  endif()
  file(STRINGS ${HEADER_DIR}/${header} lines REGEX "#[ \t]*include[ \t]*[<\"](openssl/|svcid/openssl|openssl)")
  if(lines)
    message(FATAL_ERROR "core header ${header} includes OpenSSL: ${lines}")
  endif()
endforeach()
list(LENGTH headers count)
message(STATUS "checked ${count} core headers")
