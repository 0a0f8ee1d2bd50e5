#!/usr/bin/env bash
# Compares `redsim serve` with redis-server 7.0 in one run, on loopback:
#   1. redis-benchmark, 50 clients, plain and pipelined (-P 16): SET GET INCR and EVALSHA of
#      the seed's script (corpus/lua/counter_and_log.lua);
#   2. the server-side cost per call that Redis reports in INFO commandstats.
# Each figure is the median of ROUNDS runs (default 3), the two servers taking turns, so
# that a noisy moment hits both; the ratio is redsim's median over Redis's.
# Usage: bench/compare.sh [requests]   (default 200000 per run without pipelining, 8x that
# with -P 16). Needs redis-server, redis-benchmark.
set -uo pipefail  # one failed measurement prints n/a instead of ending the comparison
cd "$(dirname "$0")/.."
REQUESTS=${1:-200000}
ROUNDS=${ROUNDS:-3}
REDIS_PORT=${REDIS_PORT:-7301}
REDSIM_PORT=${REDSIM_PORT:-7302}

# shellcheck source=bench/servers.sh
source bench/servers.sh bench

SCRIPT=$(cat corpus/lua/counter_and_log.lua)
rps() { # port pipeline requests test-args... -> requests per second
  local port=$1 pipeline=$2 requests=$3; shift 3
  # Each run starts from the same keyspace: the script's sorted set grows by up to one
  # member per request, and a million-member set measures memory latency, not servers.
  redis-cli -p "$port" DEL counter ts >/dev/null
  redis-benchmark -p "$port" -c 50 -n "$requests" -P "$pipeline" -q "$@" 2>/dev/null |
    tr '\r' '\n' | awk '/requests per second/ {print $(NF-5)}' | tail -1 | grep . || echo n/a
}
median() { grep -v n/a | sort -g | awk '{v[NR] = $1} END {print NR ? v[int((NR + 1) / 2)] : "n/a"}'; }
ratio() { if [[ $1 == n/a || $2 == n/a ]]; then echo n/a; else echo "$2 / $1" | bc -l | cut -c1-5; fi; }
row() { # name pipeline test-args... -> one table row of medians
  local name=$1 pipeline=$2; shift 2
  local requests=$REQUESTS a=() b=()
  if [[ $pipeline -gt 1 ]]; then requests=$((REQUESTS * 8)); fi
  for _ in $(seq "$ROUNDS"); do
    a+=("$(rps "$REDIS_PORT" "$pipeline" "$requests" "$@")")
    b+=("$(rps "$REDSIM_PORT" "$pipeline" "$requests" "$@")")
  done
  local ma mb
  ma=$(printf '%s\n' "${a[@]}" | median)
  mb=$(printf '%s\n' "${b[@]}" | median)
  printf '%-10s %-4s %14s %14s %7s   (redis %s | redsim %s)\n' "$name" "$pipeline" "$ma" "$mb" \
    "$(ratio "$ma" "$mb")" "${a[*]}" "${b[*]}"
}

for port in "$REDIS_PORT" "$REDSIM_PORT"; do
  redis-cli -p "$port" SCRIPT LOAD "$SCRIPT" >/dev/null
done
SHA=$(redis-cli -p "$REDIS_PORT" SCRIPT LOAD "$SCRIPT")
echo "median of $ROUNDS runs each, 50 clients, $REQUESTS requests per run (x8 with -P 16)"
printf '%-10s %-4s %14s %14s %7s\n' test P redis-server redsim ratio
for pipeline in 1 16; do
  for t in set get incr; do
    row "$t" "$pipeline" -t "$t"
  done
  row evalsha "$pipeline" -r 1000000 EVALSHA "$SHA" 2 counter ts __rand_int__
done

echo
echo "redis-server INFO commandstats (usec_per_call, server-side):"
redis-cli -p "$REDIS_PORT" CONFIG RESETSTAT >/dev/null
redis-benchmark -p "$REDIS_PORT" -c 50 -n "$REQUESTS" -q -t set,get,incr,zadd >/dev/null 2>&1
redis-benchmark -p "$REDIS_PORT" -c 50 -n "$REQUESTS" -q ZCARD myzset >/dev/null 2>&1
redis-benchmark -p "$REDIS_PORT" -c 50 -n "$REQUESTS" -q -r 1000000 EVALSHA "$SHA" 2 counter ts __rand_int__ >/dev/null 2>&1
redis-cli -p "$REDIS_PORT" INFO commandstats | tr -d '\r' |
  grep -E 'cmdstat_(set|get|incr|zadd|zcard|evalsha):' | sed 's/^/  /'
