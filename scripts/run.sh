#!/usr/bin/env bash
# Sets up a fresh machine and runs Earshot: `make run`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
npm ci --prefix ui --no-audit --no-fund
npm --prefix ui run build
exec cargo run --locked --features custom-protocol -- "$@"
