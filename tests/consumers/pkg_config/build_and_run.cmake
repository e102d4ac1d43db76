# svcid through pkg-config from an install prefix, compiled by hand the way a Makefile
# would: `c++ $(pkg-config --cflags svcid) main.cpp`. Run with cmake -P and
#   PREFIX, PKGCONFIG_DIR (relative to PREFIX), PKG_CONFIG, CXX, CXX_STANDARD, CXX_FLAGS,
#   SOURCE_DIR (tests/consumers/common), BINARY_DIR, OPENSSL (ON to check svcid-openssl.pc).
set(ENV{PKG_CONFIG_PATH} "${PREFIX}/${PKGCONFIG_DIR}")
file(MAKE_DIRECTORY ${BINARY_DIR})

function(build_and_run program module)
  execute_process(COMMAND ${PKG_CONFIG} --cflags --libs ${module}
    RESULT_VARIABLE rc OUTPUT_VARIABLE flags ERROR_VARIABLE err OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "pkg-config --cflags --libs ${module} failed: ${err}")
  endif()
  # The include path must lead into this prefix, not to some other installed svcid.
  execute_process(COMMAND ${PKG_CONFIG} --variable=includedir ${module} OUTPUT_VARIABLE includedir
    OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(module STREQUAL "svcid")
    get_filename_component(includedir "${includedir}" REALPATH)
    get_filename_component(expected "${PREFIX}/include" REALPATH)
    if(NOT includedir STREQUAL expected)
      message(FATAL_ERROR "svcid.pc points at ${includedir}, not at ${expected}")
    endif()
  endif()
  separate_arguments(flags UNIX_COMMAND "${flags}")
  separate_arguments(extra UNIX_COMMAND "${CXX_FLAGS}")
  message(STATUS "${CXX} -std=c++${CXX_STANDARD} ${CXX_FLAGS} ${program}.cpp $(pkg-config --cflags --libs ${module}) = ${flags}")
  execute_process(COMMAND ${CXX} -std=c++${CXX_STANDARD} ${extra} ${SOURCE_DIR}/${program}.cpp ${flags}
      -o ${BINARY_DIR}/${program}
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "compiling ${program}.cpp with pkg-config's ${module} flags failed")
  endif()
  execute_process(COMMAND ${BINARY_DIR}/${program} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${program} built through pkg-config gave wrong answers (exit ${rc})")
  endif()
endfunction()

build_and_run(core_consumer svcid)
if(OPENSSL)
  build_and_run(openssl_consumer svcid-openssl)
endif()
