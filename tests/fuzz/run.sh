#!/usr/bin/env bash
# Runs every built fuzz target for SVCID_FUZZ_SECONDS (default 20) from its committed seed
# corpus, with the matching dictionary, SVCID_FUZZ_JOBS (default 2, one per core) at a time.
# New inputs go to a scratch copy, so the committed seeds stay small. Prints executions per
# target, in the targets' order; fails when any target found a crash, after all have run.
set -euo pipefail
bin_dir=${1:?usage: run.sh BUILD_DIR_WITH_FUZZ_TARGETS}
seconds=${SVCID_FUZZ_SECONDS:-20}
parallel=${SVCID_FUZZ_JOBS:-2}
here=$(cd "$(dirname "$0")" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

dictionary_for() {
  local name=${1#fuzz_}
  for candidate in "$name" "${name%%_*}"; do
    [ -f "$here/$candidate.dict" ] && { echo "$here/$candidate.dict"; return; }
  done
  case $name in
    punycode*|idna*) echo "$here/idna.dict" ;;
    der*|general_names*|x501*|match*|inspect*) [ -f "$here/der.dict" ] && echo "$here/der.dict" ;;
    *) [ -f "$here/names.dict" ] && echo "$here/names.dict" ;;
  esac
}

# One target's run; its log and, on a finding, a .failed marker go to the scratch directory.
fuzz_one() {
  local target=$1 name corpus dict
  name=$(basename "$target")
  corpus="$scratch/$name"
  mkdir -p "$corpus"
  [ -d "$here/corpus/$name" ] && cp -r "$here/corpus/$name/." "$corpus/"
  local args=(-max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=2048 -timeout=10 -artifact_prefix="$bin_dir/$name-")
  dict=$(dictionary_for "$name")
  [ -n "$dict" ] && args+=(-dict="$dict")
  "$target" "${args[@]}" "$corpus" >"$scratch/$name.log" 2>&1 || touch "$scratch/$name.failed"
}

targets=()
for target in "$bin_dir"/fuzz_*; do
  [ -x "$target" ] && targets+=("$target")
done
for target in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do wait -n || true; done
  fuzz_one "$target" &
done
wait

status=0
for target in "${targets[@]}"; do
  name=$(basename "$target")
  log="$scratch/$name.log"
  if [ -f "$scratch/$name.failed" ]; then
    tail -n 60 "$log"
    echo "fuzz: $name FAILED (crashing input kept as $bin_dir/$name-crash-*)"
    status=1
    continue
  fi
  runs=$(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  echo "fuzz: $name ok, $runs executions in ${seconds}s"
done
exit "$status"
