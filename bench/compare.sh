#!/usr/bin/env bash
# Compares `redsim serve` with redis-server 7.0 in one run, on loopback:
#   1. redis-benchmark, 50 clients, plain and pipelined (-P 16): SET GET INCR and EVALSHA of
#      the seed's script (corpus/lua/counter_and_log.lua);
#   2. the server-side cost per call that Redis reports in INFO commandstats.
# Usage: bench/compare.sh [requests]   (default 200000). Needs redis-server, redis-benchmark.
set -uo pipefail  # one failed measurement prints n/a instead of ending the comparison
cd "$(dirname "$0")/.."
REQUESTS=${1:-200000}
REDIS_PORT=${REDIS_PORT:-7301}
REDSIM_PORT=${REDSIM_PORT:-7302}

cargo build --release -q -p redsim-sim
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
  >/tmp/redsim-bench-redis.log 2>&1 &
REDIS_PID=$!
target/release/redsim serve --port "$REDSIM_PORT" >/tmp/redsim-bench-redsim.log 2>&1 &
REDSIM_PID=$!
trap 'kill $REDIS_PID $REDSIM_PID 2>/dev/null || true' EXIT
for port in "$REDIS_PORT" "$REDSIM_PORT"; do
  for _ in $(seq 50); do redis-cli -p "$port" PING >/dev/null 2>&1 && break; sleep 0.1; done
done

SCRIPT=$(cat corpus/lua/counter_and_log.lua)
rps() { # port pipeline test-args... -> requests per second
  local port=$1 pipeline=$2; shift 2
  redis-benchmark -p "$port" -c 50 -n "$REQUESTS" -P "$pipeline" -q "$@" 2>/dev/null |
    tr '\r' '\n' | awk '/requests per second/ {print $(NF-5)}' | tail -1 | grep . || echo n/a
}
ratio() { if [[ $1 == n/a || $2 == n/a ]]; then echo n/a; else echo "$2 / $1" | bc -l; fi; }

printf '%-10s %-4s %14s %14s %7s\n' test P redis-server redsim ratio
for pipeline in 1 16; do
  for t in set get incr; do
    a=$(rps "$REDIS_PORT" "$pipeline" -t "$t")
    b=$(rps "$REDSIM_PORT" "$pipeline" -t "$t")
    printf '%-10s %-4s %14s %14s %7s\n' "$t" "$pipeline" "$a" "$b" "$(ratio "$a" "$b" | cut -c1-5)"
  done
  for port in "$REDIS_PORT" "$REDSIM_PORT"; do
    redis-cli -p "$port" SCRIPT LOAD "$SCRIPT" >/dev/null
  done
  SHA=$(redis-cli -p "$REDIS_PORT" SCRIPT LOAD "$SCRIPT")
  a=$(rps "$REDIS_PORT" "$pipeline" -r 1000000 EVALSHA "$SHA" 2 counter ts __rand_int__)
  b=$(rps "$REDSIM_PORT" "$pipeline" -r 1000000 EVALSHA "$SHA" 2 counter ts __rand_int__)
  printf '%-10s %-4s %14s %14s %7s\n' evalsha "$pipeline" "$a" "$b" "$(ratio "$a" "$b" | cut -c1-5)"
done

echo
echo "redis-server INFO commandstats (usec_per_call, server-side):"
redis-cli -p "$REDIS_PORT" CONFIG RESETSTAT >/dev/null
redis-benchmark -p "$REDIS_PORT" -c 50 -n "$REQUESTS" -q -t set,get,incr,zadd >/dev/null 2>&1
redis-benchmark -p "$REDIS_PORT" -c 50 -n "$REQUESTS" -q ZCARD myzset >/dev/null 2>&1
redis-benchmark -p "$REDIS_PORT" -c 50 -n "$REQUESTS" -q -r 1000000 EVALSHA "$SHA" 2 counter ts __rand_int__ >/dev/null 2>&1
redis-cli -p "$REDIS_PORT" INFO commandstats | tr -d '\r' |
  grep -E 'cmdstat_(set|get|incr|zadd|zcard|evalsha):' | sed 's/^/  /'
