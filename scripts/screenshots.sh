#!/usr/bin/env bash
# `make screenshots`: refreshes docs/screenshots/ from the real, built app under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
export EARSHOT_SCREENSHOT_DIR="$PWD/docs/screenshots"
mkdir -p "$EARSHOT_SCREENSHOT_DIR"
for tool in trayer xdotool; do
  command -v "$tool" >/dev/null || { echo "make screenshots needs $tool (apt-get install $tool)"; exit 1; }
done
EARSHOT_XEMBED_TRAY=1 tests/atproto/with-atproto.sh tests/desktop/with-desktop.sh \
  cargo test -p earshot-e2e --test screenshots -- --ignored --exact docs_screenshots
ls -l "$EARSHOT_SCREENSHOT_DIR"
