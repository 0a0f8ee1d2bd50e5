# Sourced by the bench scripts: builds the release binary, starts redis-server on
# $REDIS_PORT and `redsim serve` on $REDSIM_PORT (loopback, no persistence), sets
# REDIS_PID and REDSIM_PID, stops both on exit, and waits until both answer PING.
# $1 names the log files (/tmp/redsim-$1-redis.log, /tmp/redsim-$1-redsim.log).
cargo build --release -q -p redsim-sim
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
  >"/tmp/redsim-$1-redis.log" 2>&1 &
REDIS_PID=$!
target/release/redsim serve --port "$REDSIM_PORT" >"/tmp/redsim-$1-redsim.log" 2>&1 &
REDSIM_PID=$!
trap 'kill $REDIS_PID $REDSIM_PID 2>/dev/null || true' EXIT
for port in "$REDIS_PORT" "$REDSIM_PORT"; do
  for _ in $(seq 50); do redis-cli -p "$port" PING >/dev/null 2>&1 && break; sleep 0.1; done
done
