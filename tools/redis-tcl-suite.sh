#!/bin/bash
# Runs units of Redis's own Tcl test suite (external mode) against `redsim serve` and
# against redis-server, one fresh server per unit, and prints ok/err per unit side by side.
#
#   tools/redis-tcl-suite.sh REDIS_SOURCE_TREE [unit ...]
#
# REDIS_SOURCE_TREE is a Redis 7.0.15 source tree (for example `git archive 7.0.15` of
# redis/redis); it needs `tclsh` and the packaged redis-server / redis-cli on PATH (no
# build: the tree's src/redis-server and src/redis-cli are linked to them). Nothing of
# Redis's suite is copied into this repository. Logs go to $OUT (default /tmp/redis-tcl).
# Both servers run with DEBUG enabled, as the suite needs it.
set -u
TREE=${1:?usage: tools/redis-tcl-suite.sh REDIS_SOURCE_TREE [unit ...]}
shift
UNITS=${*:-unit/multi unit/keyspace unit/expire unit/protocol unit/introspection unit/introspection-2 unit/info-command unit/pause unit/maxmemory unit/scripting unit/functions unit/type/incr unit/type/string unit/type/hash unit/type/list unit/type/set unit/type/zset unit/bitops unit/bitfield unit/sort}
OUT=${OUT:-/tmp/redis-tcl}
REDSIM=${REDSIM:-$(cd "$(dirname "$0")/.." && pwd)/target/release/redsim}
PORT=${PORT:-21211}
mkdir -p "$OUT" "$TREE/src"
ln -sf "$(command -v redis-server)" "$TREE/src/redis-server"
ln -sf "$(command -v redis-cli)" "$TREE/src/redis-cli"

# Counts the [ok] and [err]/[exception] lines of a unit's log.
count() {
  local text
  text=$(sed 's/\x1b\[[0-9;]*m//g' "$1")
  echo "$(grep -c '^\[ok\]' <<<"$text") $(grep -c -E '^\[(err|exception)\]' <<<"$text")"
}

run_unit() { # server-kind unit
  local kind=$1 unit=$2 log="$OUT/$1-${2//\//_}" pid
  if [ "$kind" = redis ]; then
    redis-server --port "$PORT" --save '' --appendonly no --enable-debug-command yes >"$log.server" 2>&1 &
  else
    "$REDSIM" serve --port "$PORT" --enable-debug-command yes >"$log.server" 2>&1 &
  fi
  pid=$!
  sleep 0.5
  (cd "$TREE" && timeout 900 ./runtest --host 127.0.0.1 --port "$PORT" --single "$unit" --durable --timeout 60) >"$log.log" 2>&1
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  count "$log.log"
}

printf '%-24s %14s %14s\n' unit "redsim ok/err" "redis ok/err"
for unit in $UNITS; do
  read -r ok err < <(run_unit redsim "$unit")
  read -r rok rerr < <(run_unit redis "$unit")
  printf '%-24s %14s %14s\n' "$unit" "$ok/$err" "$rok/$rerr"
done
