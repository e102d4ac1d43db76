// One include for Catch2 v2 (Debian 12's package) and v3, chosen by CMake.
#ifndef SVCID_TEST_CATCH_HPP
#define SVCID_TEST_CATCH_HPP
#if defined(SVCID_CATCH2_V3)
#include <catch2/catch_all.hpp>
#else
#include <catch2/catch.hpp>
#endif
#endif
