#!/usr/bin/env bash
# Regenerates bench/porcupine/data/ from Porcupine's published test data, at the commit the
# committed fixtures were made from, with our converter (convert.py). Needs git, python3.
set -euo pipefail
cd "$(dirname "$0")"
COMMIT=${COMMIT:-55508eb201b314c218d7e8412c3ea4b9499a5f53}
SRC=$(mktemp -d)
trap 'rm -rf "$SRC"' EXIT
git clone -q https://github.com/anishathalye/porcupine "$SRC"
git -C "$SRC" checkout -q "$COMMIT"
rm -rf data
python3 convert.py "$SRC" data
echo "converted $(ls data/*.json | wc -l) histories into $(pwd)/data"
