#!/usr/bin/env bash
# SETRANGE and APPEND near the 512 MB string limit, and what the process keeps after DEL:
# `redsim serve` against redis-server 7.0, each on a private loopback port. Prints, per
# server, the seconds of `SETRANGE k 536870911 x`, of `APPEND`ing to a 512 MB string built
# by SETRANGE, and VmRSS (kB, /proc/PID/status) before, after the writes and after DEL.
# Usage: bench/big_strings.sh   (needs redis-server, redis-cli; Linux for /proc).
set -euo pipefail
cd "$(dirname "$0")/.."
REDIS_PORT=${REDIS_PORT:-7303}
REDSIM_PORT=${REDSIM_PORT:-7304}

# shellcheck source=bench/servers.sh
source bench/servers.sh big

rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
seconds() { # port command... -> elapsed seconds
  local port=$1 start end; shift
  start=$(date +%s.%N)
  redis-cli -p "$port" "$@" >/dev/null
  end=$(date +%s.%N)
  echo "$end - $start" | bc | awk '{printf "%.3f", $1}'
}
printf '%-8s %10s %10s %12s %12s %12s\n' server setrange_s append_s rss_start_kB rss_full_kB rss_del_kB
for server in redis:$REDIS_PORT:$REDIS_PID redsim:$REDSIM_PORT:$REDSIM_PID; do
  IFS=: read -r name port pid <<<"$server"
  before=$(rss "$pid")
  setrange=$(seconds "$port" SETRANGE k 536870911 x)
  redis-cli -p "$port" SETRANGE k2 536870000 y >/dev/null
  append=$(seconds "$port" APPEND k2 yyyyy)
  full=$(rss "$pid")
  redis-cli -p "$port" DEL k k2 >/dev/null
  sleep 0.5
  printf '%-8s %10s %10s %12s %12s %12s\n' "$name" "$setrange" "$append" "$before" "$full" "$(rss "$pid")"
done
