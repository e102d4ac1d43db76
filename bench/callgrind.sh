#!/usr/bin/env bash
# Instructions per operation for every checker x profile of svcid-bench, from callgrind.
#   bench/callgrind.sh build-release/bench/svcid-bench [filter]
# svcid-bench --callgrind runs 10000 operations per section between callgrind markers and
# dumps each section under its own name; this divides each dump's total by that count.
set -euo pipefail
bench=${1:?usage: callgrind.sh path/to/svcid-bench [grep filter]}
filter=${2:-.}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
valgrind --tool=callgrind --instr-atstart=no --collect-atstart=no \
  --callgrind-out-file="$out/cg.%p" "$bench" --callgrind >/dev/null 2>"$out/valgrind.log"
echo "| profile | checker | instructions/op |"
echo "|---|---|---:|"
for f in "$out"/cg.*; do
  label=$(sed -n 's/^desc: Trigger: Client Request: //p' "$f")
  [ -n "$label" ] || continue
  total=$(sed -n 's/^totals: \([0-9]*\).*/\1/p' "$f")
  echo "$label $total"
done | grep -E -- "$filter" | awk '{ split($1, cp, "/"); printf "%s %s %.0f\n", cp[2], cp[1], $2 / 10000 }' |
  sort -k1,1 -s | awk '{ printf "| %s | %s | %s |\n", $1, $2, $3 }'
