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

cargo build --release -q -p redsim-sim
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
  >/tmp/redsim-big-redis.log 2>&1 &
REDIS_PID=$!
target/release/redsim serve --port "$REDSIM_PORT" >/tmp/redsim-big-redsim.log 2>&1 &
REDSIM_PID=$!
trap 'kill $REDIS_PID $REDSIM_PID 2>/dev/null || true' EXIT
for port in "$REDIS_PORT" "$REDSIM_PORT"; do
  for _ in $(seq 50); do redis-cli -p "$port" PING >/dev/null 2>&1 && break; sleep 0.1; done
done

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
