#!/usr/bin/env bash
# Server CPU per request (µs): utime + stime of the server process (/proc/PID/stat) before
# and after redis-benchmark's requests, divided by their number, for `redsim serve` and
# redis-server 7.0 taking turns: SET, GET, INCR and EVALSHA of the seed's script
# (corpus/lua/counter_and_log.lua), 50 clients, no pipelining. ROUNDS runs each (default
# 3); prints every run's figure and the median.
# Usage: bench/cpu_per_request.sh [requests]   (default 200000; needs redis-server,
# redis-benchmark; Linux for /proc).
set -euo pipefail
cd "$(dirname "$0")/.."
REQUESTS=${1:-200000}
ROUNDS=${ROUNDS:-3}
REDIS_PORT=${REDIS_PORT:-7307}
REDSIM_PORT=${REDSIM_PORT:-7308}

# shellcheck source=bench/servers.sh
source bench/servers.sh cpu

TICK=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
SCRIPT=$(cat corpus/lua/counter_and_log.lua)
SHA=$(redis-cli -p "$REDIS_PORT" SCRIPT LOAD "$SCRIPT")
redis-cli -p "$REDSIM_PORT" SCRIPT LOAD "$SCRIPT" >/dev/null
us_per_request() { # port pid test-args...
  local port=$1 pid=$2 before after; shift 2
  redis-cli -p "$port" DEL counter ts >/dev/null
  before=$(cpu_ticks "$pid")
  redis-benchmark -p "$port" -c 50 -n "$REQUESTS" -q "$@" >/dev/null 2>&1
  after=$(cpu_ticks "$pid")
  echo "($after - $before) * 1000000 / $TICK / $REQUESTS" | bc -l | cut -c1-5
}
median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
printf '%-8s %-28s %-28s %8s %8s\n' test redis_runs redsim_runs redis redsim
for test in SET GET INCR EVALSHA; do
  case $test in
    SET) args=(-t set) ;;
    GET) args=(-t get) ;;
    INCR) args=(-t incr) ;;
    EVALSHA) args=(-r 1000000 evalsha "$SHA" 2 counter ts __rand_int__) ;;
  esac
  a=() b=()
  for _ in $(seq "$ROUNDS"); do
    a+=("$(us_per_request "$REDIS_PORT" "$REDIS_PID" "${args[@]}")")
    b+=("$(us_per_request "$REDSIM_PORT" "$REDSIM_PID" "${args[@]}")")
  done
  printf '%-8s %-28s %-28s %8s %8s\n' "$test" "${a[*]}" "${b[*]}" \
    "$(printf '%s\n' "${a[@]}" | median)" "$(printf '%s\n' "${b[@]}" | median)"
done
