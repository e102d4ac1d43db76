#!/usr/bin/env bash
# The demo: builds svcid's examples and runs svcid-demo, which makes a throwaway CA,
# starts an mTLS server on 127.0.0.1 and shows which handshakes svcid accepts or refuses.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake -S . -B build/demo -DCMAKE_BUILD_TYPE=Release -DSVCID_BUILD_TESTS=OFF -DSVCID_BUILD_EXAMPLES=ON >/dev/null
cmake --build build/demo -j"${SVCID_JOBS:-2}" --target svcid-demo >/dev/null
exec build/demo/examples/svcid-demo "$@"
