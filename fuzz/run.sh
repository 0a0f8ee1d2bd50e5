#!/bin/sh
# Usage: fuzz/run.sh TARGET SECONDS [extra libFuzzer flags]: one nice'd, time-bounded run
# of a built target over fuzz/corpus-work/TARGET (seeded from fuzz/corpus/TARGET).
# FUZZ_TARGET_DIR picks another build (default target/; target-asan/ for the ASan one).
set -eu
cd "$(dirname "$0")"
t=$1; secs=$2; shift 2
mkdir -p "corpus-work/$t" "artifacts/$t"
[ -d "corpus/$t" ] && cp -n corpus/$t/* "corpus-work/$t/" 2>/dev/null || true
# SIGKILL as a backstop: libFuzzer's own handlers can deadlock after heap corruption.
exec timeout -s KILL $((secs + 60)) nice -n 19 \
  "${FUZZ_TARGET_DIR:-target}/x86_64-unknown-linux-gnu/release/$t" -max_total_time=$secs -timeout=10 \
  -rss_limit_mb=4096 -max_len=4096 -print_final_stats=1 \
  -artifact_prefix=artifacts/$t/ "$@" corpus-work/$t
