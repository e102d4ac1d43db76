#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to build and test svcid, and nothing that
# is already there. Needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(
  g++ clang cmake make pkg-config   # toolchains: GCC and Clang are both tested
  libclang-rt-14-dev                # libFuzzer and the sanitizer runtimes for clang
  libssl-dev                        # the OpenSSL adapter, test certificates, TLS handshakes
  catch2                            # Catch2 2.13, Debian 12's; v3 is used instead where found
  libidn2-dev                       # the optional UTS #46 adapter (svcid/idn2.hpp) and its tests
  publicsuffix                      # the Public Suffix List the built-in table is generated from (its reproducibility test)
  libpsl-dev                        # the optional libpsl adapter (svcid/psl.hpp) and its tests
  libgnutls28-dev                   # svcid::gnutls (svcid/gnutls.hpp) and its tests; svcid-bench compares against gnutls_x509_crt_check_hostname2
  libmbedtls-dev                    # svcid::mbedtls (svcid/mbedtls.hpp): its real-handshake tests and examples
  libboost-dev                      # the Boost.Asio example
  python3                           # scripts/amalgamate.py and the README-examples check
  valgrind                          # valgrind/callgrind.h for svcid-bench --callgrind
  doxygen                           # the reference documentation, checked for zero warnings
  git                               # the docs/integration.md routes test (git archive)
  chromium chromium-driver          # svcid-inspect serve tested in a real (headless) browser
  python3-selenium                  # drives that browser through chromedriver
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "svcid: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
