# Finds mbedTLS for svcid::mbedtls and defines the imported target svcid_deps::mbedtls that
# its link interface names. Used by svcid's build and, installed beside the package config,
# by find_package(svcid COMPONENTS mbedtls), so that the exported target carries no
# absolute library paths. mbedTLS 3.x installs a CMake package (MbedTLS::mbedtls); 2.28,
# as Debian 12 ships it, installs neither that nor a pkg-config file: then the headers and
# the three libraries are looked up directly.
if(NOT TARGET svcid_deps::mbedtls)
  find_package(MbedTLS 3 CONFIG QUIET)
  if(TARGET MbedTLS::mbedtls)
    add_library(svcid_deps::mbedtls INTERFACE IMPORTED)
    set_target_properties(svcid_deps::mbedtls PROPERTIES INTERFACE_LINK_LIBRARIES MbedTLS::mbedtls)
  else()
    find_path(SVCID_MBEDTLS_INCLUDE_DIR mbedtls/ssl.h)
    find_library(SVCID_MBEDTLS_LIBRARY mbedtls)
    find_library(SVCID_MBEDX509_LIBRARY mbedx509)
    find_library(SVCID_MBEDCRYPTO_LIBRARY mbedcrypto)
    if(SVCID_MBEDTLS_INCLUDE_DIR AND SVCID_MBEDTLS_LIBRARY AND SVCID_MBEDX509_LIBRARY AND SVCID_MBEDCRYPTO_LIBRARY)
      add_library(svcid_deps::mbedtls INTERFACE IMPORTED)
      # The order matters to static linking: each library needs the ones after it.
      set_target_properties(svcid_deps::mbedtls PROPERTIES
        INTERFACE_INCLUDE_DIRECTORIES "${SVCID_MBEDTLS_INCLUDE_DIR}"
        INTERFACE_LINK_LIBRARIES "${SVCID_MBEDTLS_LIBRARY};${SVCID_MBEDX509_LIBRARY};${SVCID_MBEDCRYPTO_LIBRARY}")
    endif()
  endif()
endif()
