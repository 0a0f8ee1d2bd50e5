#!/usr/bin/env bash
# Checks Porcupine's 108 histories (bench/porcupine/data, expected.tsv) with `redsim check`,
# one process per file, and compares each verdict with the expected one.
# Prints one line per file (ms, verdict, expected) and the total wall time.
# Usage: bench/porcupine/run.sh [extra `redsim check` args, e.g. --model engine]
#   REDSIM=path/to/redsim (default target/release/redsim)
set -uo pipefail
cd "$(dirname "$0")/../.."
REDSIM=${REDSIM:-target/release/redsim}
DATA=bench/porcupine/data
wrong=0 total_ns=0 n=0
while IFS=$'\t' read -r file expected; do
  [[ $file == \#* || $expected == - ]] && continue
  start=$(date +%s%N)
  verdict=$("$REDSIM" check "$@" "$DATA/$file" | tail -n 1)
  ns=$(($(date +%s%N) - start))
  total_ns=$((total_ns + ns)) n=$((n + 1))
  mark=ok
  [[ $verdict == "$expected" ]] || { mark=WRONG; wrong=$((wrong + 1)); }
  printf '%-18s %8.1f ms  %-17s %s\n' "$file" "$(echo "$ns / 1000000" | bc -l)" "$verdict" "$mark"
done <"$DATA/expected.tsv"
printf 'total: %d files, %.1f ms, %d wrong\n' "$n" "$(echo "$total_ns / 1000000" | bc -l)" "$wrong"
[[ $wrong == 0 ]]
