#!/usr/bin/env python3
"""Converts Porcupine's published test data into redsim-history/1 fixtures.

Porcupine (github.com/anishathalye/porcupine) ships two formats in `test_data/`:

* `jepsen/etcd_NNN.log`: Jepsen's log of a single etcd register, one event a line,
  `INFO  jepsen.util - PROC  :TYPE  :F  VALUE` with TYPE invoke / ok / fail / info and F
  read / write / cas.
* `kv/cNN-{ok,bad}.txt`: EDN maps, one event a line,
  `{:process P, :type :invoke|:ok, :f :get|:put|:append, :key "K", :value V}`.

Mapping (our own reading of the formats, written from the data, not from Porcupine's code):

* time: the line number, so every event has its own instant and real-time order is the
  order of the log;
* client: Jepsen's process number (Jepsen gives a crashed process a new number, and our
  format imposes no order after an unknown op anyway);
* etcd register, one key `r`: read -> GET (`nil` -> null, N -> "N"); write -> SET;
  compare-and-set [from to] -> EVAL of `CAS_SCRIPT` (redsim_sim::check::models), reply 1
  when it applied (`:ok`), 0 when it was refused (`:fail :cas` is a definite "the value
  differed", an observed reply, so the op is `ok` with result 0); `:info` (timed out) and
  invocations never completed -> `unknown`; a read that timed out (`:fail :read
  :timed-out`) -> `unknown` too (it changes nothing, so this is the same as dropping it);
* kv, one key per Porcupine key: get -> GET (the log's "" for a key never written is
  Redis's nil: no put or append in the data writes an empty string, which the converter
  asserts); put -> SET; append -> APPEND (the log echoes the argument, not the length
  APPEND replies, so the result is left out: it matches anything).

Expected verdicts (expected.tsv): kv files by their names (`-ok` linearizable, `-bad`
not); etcd files as Porcupine's own tests (porcupine_test.go, TestEtcdJepsenNNN) state them.
etcd_095 has no test there, so it has no expected verdict ("-") and is not counted.

Usage: convert.py PORCUPINE_CHECKOUT OUT_DIR
"""

import json
import os
import re
import sys

CAS_SCRIPT = ("if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], "
              "ARGV[2]) return 1 end return 0")
REGISTER_KEY = "r"

JEPSEN = re.compile(r"^INFO\s+jepsen\.util\s+-\s+(\d+)\s+:(\w+)\s+:(\w+)\s+(.*?)\s*$")
CAS_ARGS = re.compile(r"^\[(\d+)\s+(\d+)\]$")
KV = re.compile(r'^\{:process (\d+), :type :(\w+), :f :(\w+), :key "(.*?)", '
                r':value (nil|"(.*)")\}$')


class Builder:
    """Pairs invocations with completions per client and emits ops in call order."""

    def __init__(self):
        self.ops = []
        self.open = {}  # client -> index into self.ops of its pending invocation

    def invoke(self, client, time, op):
        if client in self.open:
            raise ValueError(f"client {client} invokes twice without completing")
        self.open[client] = len(self.ops)
        self.ops.append({"client": client, "call": time, "status": "unknown", "op": op})

    def complete(self, client, time, status, result=None, has_result=False):
        entry = self.ops[self.open.pop(client)]
        entry["status"] = status
        if status == "ok":
            entry["return"] = time
            if has_result:
                entry["result"] = result

    def history(self):
        # Invocations never completed stay `unknown` (no return, no result).
        ops = []
        for op in self.ops:
            ordered = {"client": op["client"], "call": op["call"]}
            if "return" in op:
                ordered["return"] = op["return"]
            ordered["status"] = op["status"]
            ordered["op"] = op["op"]
            if "result" in op:
                ordered["result"] = op["result"]
            ops.append(ordered)
        return {"format": "redsim-history/1", "ops": ops}


def convert_etcd(lines):
    b = Builder()
    for time, line in enumerate(lines):
        m = JEPSEN.match(line)
        if not m:
            continue
        client, kind, f, value = int(m[1]), m[2], m[3], m[4]
        if kind == "invoke":
            if f == "read":
                op = ["GET", REGISTER_KEY]
            elif f == "write":
                op = ["SET", REGISTER_KEY, str(int(value))]
            elif f == "cas":
                frm, to = CAS_ARGS.match(value).groups()
                op = {"script": CAS_SCRIPT, "keys": [REGISTER_KEY], "args": [frm, to]}
            else:
                raise ValueError(f"line {time + 1}: unknown operation {f}")
            b.invoke(client, time, op)
        elif kind == "ok" and f == "read":
            b.complete(client, time, "ok", None if value == "nil" else str(int(value)), True)
        elif kind == "ok" and f == "write":
            b.complete(client, time, "ok", {"ok": "OK"}, True)
        elif kind == "ok" and f == "cas":
            b.complete(client, time, "ok", 1, True)
        elif kind == "fail" and f == "cas":
            b.complete(client, time, "ok", 0, True)
        elif kind == "info" or (kind == "fail" and value == ":timed-out"):
            b.complete(client, time, "unknown")
        else:
            raise ValueError(f"line {time + 1}: unknown event {kind} {f}")
    return b.history()


def convert_kv(lines):
    b = Builder()
    for time, line in enumerate(lines):
        line = line.strip()
        if not line:
            continue
        m = KV.match(line)
        if not m:
            raise ValueError(f"line {time + 1}: not a kv event: {line}")
        client, kind, f, key, value = int(m[1]), m[2], m[3], m[4], m[6]
        if kind == "invoke":
            if f == "get":
                op = ["GET", key]
            elif f in ("put", "append"):
                if not value:
                    raise ValueError(f"line {time + 1}: an empty {f} would make '' ambiguous")
                op = ["SET" if f == "put" else "APPEND", key, value]
            else:
                raise ValueError(f"line {time + 1}: unknown operation {f}")
            b.invoke(client, time, op)
        elif kind == "ok" and f == "get":
            b.complete(client, time, "ok", value if value else None, True)
        elif kind == "ok" and f == "put":
            b.complete(client, time, "ok", {"ok": "OK"}, True)
        elif kind == "ok" and f == "append":
            b.complete(client, time, "ok")
        else:
            raise ValueError(f"line {time + 1}: unknown event {kind} {f}")
    return b.history()


def etcd_expectations(test_go):
    """{log number: linearizable?} from porcupine_test.go's TestEtcdJepsenNNN."""
    found = {}
    for m in re.finditer(r"func TestEtcdJepsen(\d+)\(t \*testing\.T\) \{\s*checkJepsen\(t, (\d+), "
                         r"(true|false)\)", test_go):
        found[int(m[2])] = m[3] == "true"
    return found


def write(history, path):
    # One op a line: small diffs, readable, and still one JSON document.
    with open(path, "w") as out:
        out.write('{"format":"redsim-history/1","ops":[\n')
        ops = history["ops"]
        for i, op in enumerate(ops):
            out.write(json.dumps(op, separators=(",", ":")))
            out.write(",\n" if i + 1 < len(ops) else "\n")
        out.write("]}\n")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(src, "porcupine_test.go")) as f:
        expected_etcd = etcd_expectations(f.read())
    rows = []
    jepsen = os.path.join(src, "test_data", "jepsen")
    for name in sorted(os.listdir(jepsen)):
        num = int(re.match(r"etcd_(\d+)\.log$", name)[1])
        with open(os.path.join(jepsen, name)) as f:
            history = convert_etcd(f.read().splitlines())
        target = f"etcd_{num:03d}.json"
        write(history, os.path.join(out, target))
        verdict = expected_etcd.get(num)
        rows.append((target, "-" if verdict is None else
                     "linearizable" if verdict else "not linearizable"))
    kv = os.path.join(src, "test_data", "kv")
    for name in sorted(os.listdir(kv)):
        with open(os.path.join(kv, name)) as f:
            history = convert_kv(f.read().splitlines())
        target = name.replace(".txt", ".json")
        write(history, os.path.join(out, target))
        rows.append((target, "linearizable" if name.endswith("-ok.txt") else "not linearizable"))
    with open(os.path.join(out, "expected.tsv"), "w") as f:
        f.write("# file\texpected verdict (etcd: porcupine_test.go; kv: the file name)\n")
        for target, verdict in rows:
            f.write(f"{target}\t{verdict}\n")


if __name__ == "__main__":
    main()
