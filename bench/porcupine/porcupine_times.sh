#!/usr/bin/env bash
# Porcupine's own times on its test data, on this machine, for the side-by-side figures in
# docs/BENCHMARKS.md: clones Porcupine at the commit the fixtures came from, adds our
# timing test (porcupine_timing_test.go: CheckEvents per file, verdict only, best of 5) and
# runs it. Needs git and Go (`apt-get install golang-go`; Porcupine asks for Go ≥ 1.16).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
COMMIT=${COMMIT:-55508eb201b314c218d7e8412c3ea4b9499a5f53}
SRC=$(mktemp -d)
trap 'rm -rf "$SRC"' EXIT
git clone -q https://github.com/anishathalye/porcupine "$SRC"
git -C "$SRC" checkout -q "$COMMIT"
cp "$HERE/porcupine_timing_test.go" "$SRC/"
cd "$SRC" && go test -v -run TestTimeAll -count=1 . | grep -E '^(etcd|c[0-9]|total)'
