#!/usr/bin/env bash
# Runs every built fuzz target for SVCID_FUZZ_SECONDS (default 20; 17 targets, about 6 minutes) from its committed seed
# corpus, with the matching dictionary. New inputs go to a scratch copy, so the committed
# seeds stay small. Fails on the first crash; prints executions per target.
set -euo pipefail
bin_dir=${1:?usage: run.sh BUILD_DIR_WITH_FUZZ_TARGETS}
seconds=${SVCID_FUZZ_SECONDS:-20}
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

for target in "$bin_dir"/fuzz_*; do
  [ -x "$target" ] || continue
  name=$(basename "$target")
  corpus="$scratch/$name"
  mkdir -p "$corpus"
  [ -d "$here/corpus/$name" ] && cp -r "$here/corpus/$name/." "$corpus/"
  args=(-max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=2048 -timeout=10 -artifact_prefix="$bin_dir/$name-")
  dict=$(dictionary_for "$name")
  [ -n "$dict" ] && args+=(-dict="$dict")
  log="$scratch/$name.log"
  if ! "$target" "${args[@]}" "$corpus" >"$log" 2>&1; then
    tail -n 60 "$log"
    echo "fuzz: $name FAILED (crashing input kept as $bin_dir/$name-crash-*)"
    exit 1
  fi
  runs=$(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  echo "fuzz: $name ok, $runs executions in ${seconds}s"
done
