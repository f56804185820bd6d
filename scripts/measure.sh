#!/usr/bin/env bash
# `make measure`: start-up, memory, idle and package figures (scripts/measure.py), then the
# idle CPU with five accounts syncing against the local test servers
# (tests/e2e/examples/idle_accounts.rs). Measures the release binary when `make deb` has
# built one, else the debug build.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-}
if [ -z "$binary" ]; then
  binary=target/debug/earshot
  [ -x target/release/earshot ] && binary=target/release/earshot
fi
[ -x "$binary" ] || { echo "Build Earshot first: make deb (release) or make test (debug)"; exit 1; }
binary=$(realpath "$binary")
tests/desktop/with-desktop.sh /usr/bin/python3 scripts/measure.py "$binary"

# The accounts are signed in through the real UI: tauri-driver and the Bluesky reference
# servers, as `make test` installs them.
scripts/install-deps.sh
scripts/install-tauri-driver.sh
npm ci --prefix tests/atproto --no-audit --no-fund --silent
cargo build -q --locked -p earshot-e2e --example idle_accounts
EARSHOT_APP_BINARY=$binary tests/atproto/with-atproto.sh tests/desktop/with-desktop.sh \
  target/debug/examples/idle_accounts
