# The consumer programs every CMake route builds, linked only through svcid's public
# targets: whatever a route fails to deliver (an include path, OpenSSL) breaks the build.
enable_testing()
set(svcid_consumer_common ${CMAKE_CURRENT_LIST_DIR})

add_executable(core_consumer ${svcid_consumer_common}/core_consumer.cpp)
target_link_libraries(core_consumer PRIVATE svcid::svcid)
add_test(NAME core_consumer COMMAND core_consumer)

if(SVCID_CONSUMER_OPENSSL)
  add_executable(openssl_consumer ${svcid_consumer_common}/openssl_consumer.cpp)
  target_link_libraries(openssl_consumer PRIVATE svcid::openssl)
  add_test(NAME openssl_consumer COMMAND openssl_consumer)
endif()
