#!/usr/bin/env bash
# Peak memory of one big SET over the network (issue #19): `redsim serve` against
# redis-server 7.0, each on a private loopback port. Sends `SET big <MB MB of 'x'>` as one
# request (streamed in 1 MB writes, as a client library does), then prints per server
# VmHWM (the peak RSS) and VmRSS after the reply, and `used_memory` from INFO memory
# (what maxmemory accounting sees). Usage: bench/big_set_rss.sh [MB]   (default 200;
# needs redis-server, redis-cli, python3; Linux for /proc).
set -euo pipefail
cd "$(dirname "$0")/.."
MB=${1:-200}
REDIS_PORT=${REDIS_PORT:-7305}
REDSIM_PORT=${REDSIM_PORT:-7306}

# shellcheck source=bench/servers.sh
source bench/servers.sh bigset

field() { awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status"; }
send_set() { # port
  python3 - "$1" "$MB" <<'PY'
import socket, sys
port, mb = int(sys.argv[1]), int(sys.argv[2])
n = mb << 20
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$%d\r\n" % n)
chunk = b"x" * (1 << 20)
for _ in range(mb):
    s.sendall(chunk)
s.sendall(b"\r\n")
reply = s.recv(64)
assert reply == b"+OK\r\n", reply
PY
}
printf '%-8s %6s %12s %12s %12s %14s\n' server MB hwm_start_kB hwm_kB rss_after_kB used_memory
for server in redis:$REDIS_PORT:$REDIS_PID redsim:$REDSIM_PORT:$REDSIM_PID; do
  IFS=: read -r name port pid <<<"$server"
  start=$(field "$pid" VmHWM)
  send_set "$port"
  used=$(redis-cli -p "$port" INFO memory | tr -d '\r' | awk -F: '$1 == "used_memory" {print $2}')
  printf '%-8s %6s %12s %12s %12s %14s\n' "$name" "$MB" "$start" "$(field "$pid" VmHWM)" \
    "$(field "$pid" VmRSS)" "$used"
done
