# find_package(svcid) component handling against the consumer-install prefix. Run with
# cmake -P and PREFIX, SOURCE_DIR (tests/consumers/components), BINARY_DIR, CXX, IDN2 (ON when
# the prefix has svcid::idn2), STACKS (the TLS stacks besides OpenSSL the prefix has, e.g.
# "mbedtls;gnutls").
#  1. The core alone configures on a machine without OpenSSL (find_package(OpenSSL) disabled).
#  2. COMPONENTS idn2 from an install without it fails and says why.
function(configure_consumer dir prefix components)
  file(REMOVE_RECURSE ${BINARY_DIR}/${dir})
  execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${BINARY_DIR}/${dir}
      -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_PREFIX_PATH=${prefix} "-DSVCID_COMPONENTS=${components}" ${ARGN}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  set(rc ${rc} PARENT_SCOPE)
  set(out "${out}${err}" PARENT_SCOPE)
endfunction()

configure_consumer(core-without-openssl ${PREFIX} "" -DCMAKE_DISABLE_FIND_PACKAGE_OpenSSL=ON)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "find_package(svcid) for the core alone failed without OpenSSL:\n${out}")
endif()

configure_consumer(openssl-without-openssl ${PREFIX} "openssl" -DCMAKE_DISABLE_FIND_PACKAGE_OpenSSL=ON)
if(rc EQUAL 0)
  message(FATAL_ERROR "find_package(svcid COMPONENTS openssl) succeeded without OpenSSL")
endif()
if(NOT out MATCHES "svcid components missing: openssl: ")
  message(FATAL_ERROR "COMPONENTS openssl without OpenSSL failed without saying why:\n${out}")
endif()

set(prefix ${PREFIX})
if(IDN2)
  # The same install without the idn2 export, as a build without libidn2 would make it.
  set(prefix ${BINARY_DIR}/prefix-without-idn2)
  file(REMOVE_RECURSE ${prefix})
  file(COPY ${PREFIX}/ DESTINATION ${prefix})
  file(GLOB_RECURSE idn2_files ${prefix}/*svcid-idn2-targets*.cmake)
  file(REMOVE ${idn2_files})
endif()
configure_consumer(idn2-missing ${prefix} "idn2")
if(rc EQUAL 0)
  message(FATAL_ERROR "find_package(svcid COMPONENTS idn2) succeeded on an install without it")
endif()
if(NOT out MATCHES "svcid components missing: idn2: this svcid was installed without it")
  message(FATAL_ERROR "COMPONENTS idn2 on an install without it failed without saying why:\n${out}")
endif()

configure_consumer(unknown ${PREFIX} "nosuch")
if(rc EQUAL 0 OR NOT out MATCHES "nosuch: no such component")
  message(FATAL_ERROR "find_package(svcid COMPONENTS nosuch) did not fail with a reason:\n${out}")
endif()

# 3. COMPONENTS mbedtls and gnutls from an install that has them define their targets (and
#    nothing else); from an install without them they fail and say why.
if(STACKS)
  configure_consumer(stacks ${PREFIX} "${STACKS}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "find_package(svcid COMPONENTS ${STACKS}) failed:\n${out}")
  endif()
  set(prefix ${BINARY_DIR}/prefix-without-stacks)
  file(REMOVE_RECURSE ${prefix})
  file(COPY ${PREFIX}/ DESTINATION ${prefix})
  foreach(stack IN LISTS STACKS)
    file(GLOB_RECURSE stack_files ${prefix}/*svcid-${stack}-targets*.cmake)
    file(REMOVE ${stack_files})
    configure_consumer(${stack}-missing ${prefix} "${stack}")
    if(rc EQUAL 0 OR NOT out MATCHES "svcid components missing: ${stack}: this svcid was installed")
      message(FATAL_ERROR "COMPONENTS ${stack} on an install without it did not fail with a reason:\n${out}")
    endif()
  endforeach()
endif()
