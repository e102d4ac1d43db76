#!/usr/bin/env bash
# The whole svcid test suite: every configuration CI runs, in one command.
#   1. GCC, C++17 — unit, adapter, zero-allocation, handshake and consumer tests
#   2. Clang, C++20
#   3. Clang, C++17, AddressSanitizer + UndefinedBehaviorSanitizer
#   4. GCC, C++17, -fno-exceptions, libidn2 on (every public header must still compile and work)
#   5. libFuzzer targets, each for SVCID_FUZZ_SECONDS (default 20; 16 targets, about 5.5 minutes) from the committed seeds
# Build trees go to build/<config>. Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh

jobs=${SVCID_JOBS:-2}
fuzz_seconds=${SVCID_FUZZ_SECONDS:-20}
passed=0
failed=0

run_config() {
  local name=$1; shift
  echo "=== svcid: $name"
  cmake -S . -B "build/$name" -DCMAKE_BUILD_TYPE=Debug "$@" >/dev/null
  cmake --build "build/$name" -j"$jobs"
  if ctest --test-dir "build/$name" --output-on-failure -j"$jobs"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "svcid: $name FAILED"
    exit 1
  fi
}

run_config gcc-cxx17 -DCMAKE_CXX_COMPILER=g++ -DCMAKE_CXX_STANDARD=17 -DSVCID_WITH_LIBIDN2=ON -DSVCID_BUILD_BENCH=ON
run_config clang-cxx20 -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_CXX_STANDARD=20 -DSVCID_WITH_LIBIDN2=ON
run_config clang-asan-ubsan -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_CXX_STANDARD=17 -DSVCID_SANITIZE=address,undefined
run_config gcc-no-exceptions -DCMAKE_CXX_COMPILER=g++ -DCMAKE_CXX_STANDARD=17 -DCMAKE_CXX_FLAGS=-fno-exceptions -DSVCID_WITH_LIBIDN2=ON

if [ "$fuzz_seconds" -gt 0 ]; then
  echo "=== svcid: fuzz ($fuzz_seconds s per target)"
  cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
    -DSVCID_BUILD_FUZZ=ON -DSVCID_BUILD_TESTS=ON -DSVCID_BUILD_EXAMPLES=OFF >/dev/null
  cmake --build build/fuzz -j"$jobs" --target svcid-fuzz-all
  SVCID_FUZZ_SECONDS=$fuzz_seconds bash tests/fuzz/run.sh build/fuzz/tests/fuzz
  passed=$((passed + 1))
fi

echo "svcid: all configurations: $passed passed, $failed failed"
