#!/usr/bin/env bash
# The whole svcid test suite: every configuration CI runs, in one command.
#   1. GCC, C++17 — unit, adapter, zero-allocation, handshake and consumer tests, and
#      svcid-inspect serve in headless Chromium
#   2. Clang, C++20
#   3. Clang, C++17, AddressSanitizer + UndefinedBehaviorSanitizer
#   4. GCC, C++17, -fno-exceptions, libidn2 on (every public header must still compile and work)
#   5. GCC, C++17, Release -O2, OPENSSL_API_COMPAT=0x10101000L (only the OpenSSL 1.1.1 API)
#   6. Clang, C++17, Release -O2, OPENSSL_NO_DEPRECATED (none of OpenSSL's deprecated API)
#   7. Clang, C++17, ThreadSanitizer over the TLS concurrency test (8 threads, shared SSL_CTXs)
#   8. libFuzzer targets, each for SVCID_FUZZ_SECONDS (default 20) from the committed seeds, two
#      at a time (SVCID_FUZZ_JOBS)
# The consumer tests (install, find_package, FetchContent, pkg-config, docs/integration.md run
# as written) build with each configuration's compiler, standard and flags, so they run in
# every configuration but the sanitizer one, whose sanitizer flags they do not take. The
# Doxygen check depends on no compiler and runs in the first only. Build trees go to build/<config>.
# Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh

jobs=${SVCID_JOBS:-2}
fuzz_seconds=${SVCID_FUZZ_SECONDS:-20}
passed=0
failed=0

# Each configuration's ctest run adds its counts to the closing line.
run_config() {
  local name=$1; shift
  echo "=== svcid: $name (started at ${SECONDS}s)"
  # Tests and examples asked for explicitly, so a missing dependency fails instead of skipping;
  # a later -DCMAKE_BUILD_TYPE in "$@" wins over Debug.
  cmake -S . -B "build/$name" -DCMAKE_BUILD_TYPE=Debug -DSVCID_BUILD_TESTS=ON -DSVCID_BUILD_EXAMPLES=ON "$@" >/dev/null
  cmake --build "build/$name" -j"$jobs"
  local log="build/$name/ctest.log"
  local status=0
  ctest --test-dir "build/$name" --output-on-failure -j"$jobs" 2>&1 | tee "$log" || status=$?
  local summary total bad
  summary=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -n 1)
  total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$summary")
  bad=$(sed -E 's/.*passed, ([0-9]+) tests failed.*/\1/' <<<"$summary")
  passed=$((passed + ${total:-0} - ${bad:-0}))
  failed=$((failed + ${bad:-0}))
  if [ "$status" -ne 0 ] || [ -z "$summary" ] || [ "${bad:-1}" -ne 0 ]; then
    echo "svcid: $name FAILED"
    echo "svcid: $passed passed, $((failed > 0 ? failed : 1)) failed"
    exit 1
  fi
}

# The browser test of svcid-inspect serve (headless Chromium, ~15 s) runs in this configuration only.
run_config gcc-cxx17 -DCMAKE_CXX_COMPILER=g++ -DCMAKE_CXX_STANDARD=17 -DSVCID_WITH_LIBIDN2=ON -DSVCID_WITH_LIBPSL=ON -DSVCID_BUILD_BENCH=ON \
  -DSVCID_BROWSER_TEST=ON
run_config clang-cxx20 -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_CXX_STANDARD=20 -DSVCID_WITH_LIBIDN2=ON -DSVCID_WITH_LIBPSL=ON -DSVCID_DOXYGEN_TEST=OFF
run_config clang-asan-ubsan -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_CXX_STANDARD=17 -DSVCID_SANITIZE=address,undefined \
  -DSVCID_DOXYGEN_TEST=OFF -DSVCID_CONSUMER_TESTS=OFF
run_config gcc-no-exceptions -DCMAKE_CXX_COMPILER=g++ -DCMAKE_CXX_STANDARD=17 -DCMAKE_CXX_FLAGS=-fno-exceptions -DSVCID_WITH_LIBIDN2=ON -DSVCID_WITH_LIBPSL=ON \
  -DSVCID_DOXYGEN_TEST=OFF
# Release at -O2 (CMake's default Release is -O3): the optimiser's warnings (-Wformat-truncation,
# -Wmaybe-uninitialized, -Wstringop-*) and any optimiser-dependent bug show up only here.
run_config gcc-release -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG" \
  -DCMAKE_CXX_COMPILER=g++ -DCMAKE_CXX_STANDARD=17 -DSVCID_WITH_LIBIDN2=ON -DSVCID_WITH_LIBPSL=ON -DCMAKE_CXX_FLAGS=-DOPENSSL_API_COMPAT=0x10101000L \
  -DSVCID_DOXYGEN_TEST=OFF
run_config clang-release -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG" \
  -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_CXX_STANDARD=17 -DSVCID_WITH_LIBIDN2=ON -DSVCID_WITH_LIBPSL=ON -DCMAKE_CXX_FLAGS=-DOPENSSL_NO_DEPRECATED \
  -DSVCID_DOXYGEN_TEST=OFF

# ThreadSanitizer builds only the TLS concurrency test: the other test binaries replace
# operator new to count allocations, and TSan's runtime defines it too.
echo "=== svcid: clang-tsan (started at ${SECONDS}s)"
cmake -S . -B build/clang-tsan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_CXX_STANDARD=17 \
  -DSVCID_SANITIZE=thread -DSVCID_BUILD_TESTS=ON -DSVCID_BUILD_EXAMPLES=OFF >/dev/null
cmake --build build/clang-tsan -j"$jobs" --target svcid-tls-thread-tests
if TSAN_OPTIONS=halt_on_error=1 ctest --test-dir build/clang-tsan --output-on-failure --no-tests=error \
     -R '^svcid-tls-thread-tests$'; then
  passed=$((passed + 1))
else
  echo "svcid: clang-tsan FAILED"
  echo "svcid: $passed passed, $((failed + 1)) failed"
  exit 1
fi

if [ "$fuzz_seconds" -gt 0 ]; then
  echo "=== svcid: fuzz ($fuzz_seconds s per target, started at ${SECONDS}s)"
  cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
    -DSVCID_BUILD_FUZZ=ON -DSVCID_BUILD_TESTS=ON -DSVCID_BUILD_EXAMPLES=OFF >/dev/null
  cmake --build build/fuzz -j"$jobs" --target svcid-fuzz-all
  if SVCID_FUZZ_SECONDS=$fuzz_seconds bash tests/fuzz/run.sh build/fuzz/tests/fuzz; then
    passed=$((passed + 1))
  else
    echo "svcid: $passed passed, 1 failed"
    exit 1
  fi
fi

echo "svcid: all configurations done in ${SECONDS}s"
echo "svcid: $passed passed, $failed failed"
