#!/usr/bin/env bash
# `make measure`: start-up, memory and package figures (see scripts/measure.py).
# Measures the release binary when `make deb` has built one, else the debug build.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-}
if [ -z "$binary" ]; then
  binary=target/debug/earshot
  [ -x target/release/earshot ] && binary=target/release/earshot
fi
[ -x "$binary" ] || { echo "Build Earshot first: make deb (release) or make test (debug)"; exit 1; }
exec tests/desktop/with-desktop.sh /usr/bin/python3 scripts/measure.py "$binary"
