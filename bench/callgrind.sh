#!/usr/bin/env bash
# Instructions per operation for every checker x profile of svcid-bench, from callgrind,
# with the same ratio tables and targets svcid-bench prints for time.
#   bench/callgrind.sh build-release/bench/svcid-bench [profile filter] [raw output file]
# svcid-bench --callgrind runs each section between callgrind markers and dumps it as
# checker/profile/operations; this divides each dump's total by its operations, writes
# "checker profile instructions" lines (kept in the third argument when given) and has
# svcid-bench --instructions print the tables.
set -euo pipefail
bench=${1:?usage: callgrind.sh path/to/svcid-bench [profile filter] [raw output file]}
filter=${2:-}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
args=(--callgrind)
[ -z "$filter" ] || args+=(--filter "$filter")
valgrind --tool=callgrind --instr-atstart=no --collect-atstart=no \
  --callgrind-out-file="$out/cg.%p" "$bench" "${args[@]}" >/dev/null 2>"$out/valgrind.log" ||
  { cat "$out/valgrind.log" >&2; exit 1; }
for f in $(printf "%s\n" "$out"/cg.* | sort -V); do
  label=$(sed -n 's/^desc: Trigger: Client Request: //p' "$f")
  [ -n "$label" ] || continue
  total=$(sed -n 's/^totals: \([0-9]*\).*/\1/p' "$f")
  echo "$label $total"
done | awk '{ split($1, part, "/"); printf "%s %s %.1f\n", part[1], part[2], $2 / part[3] }' >"$out/instructions"
[ -s "$out/instructions" ] || { echo "callgrind.sh: no dumps (was svcid-bench built with valgrind/callgrind.h?)" >&2; exit 1; }
[ -z "${3:-}" ] || cp "$out/instructions" "$3"
"$bench" --instructions "$out/instructions"
