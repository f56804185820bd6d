#!/usr/bin/env bash
# Every check Earshot has, from a fresh machine: `make test` runs this, and so does CI.
# Installs what is missing (system packages, UI packages, the Bluesky reference servers,
# tauri-driver), then runs formatting, lints, the Rust tests (the desktop ones inside a private
# headless session, the network ones against the Bluesky reference servers), the UI checks and
# tests, and the end-to-end tests of the real built app.
set -euo pipefail
cd "$(dirname "$0")/.."

started=$SECONDS
step() { printf '\n==> %s (%ds)\n' "$*" "$((SECONDS - started))"; }

step "System packages"
scripts/install-deps.sh

step "Test tools"
scripts/install-tauri-driver.sh

step "UI packages and the Bluesky reference servers (@atproto/dev-env)"
npm ci --prefix ui --no-audit --no-fund
npm ci --prefix tests/atproto --no-audit --no-fund

step "Formatting"
cargo fmt --all --check

step "UI: type check, lint, unit tests, build"
npm --prefix ui run check
npm --prefix ui run lint
npm --prefix ui test
# The app embeds ui/dist (feature custom-protocol), so the UI is built before any Rust.
npm --prefix ui run build

# One feature set for every cargo command below, so the Tauri stack is compiled once.
features=(--features custom-protocol)

step "Clippy"
cargo clippy --workspace --all-targets --locked "${features[@]}" -- -D warnings

step "Build the app"
cargo build --locked "${features[@]}"

step "Rust tests: desktop services (private session) and the Bluesky reference servers"
tests/atproto/with-atproto.sh tests/desktop/with-desktop.sh \
  cargo test --workspace --exclude earshot-e2e --locked "${features[@]}" -- --include-ignored

step "End-to-end tests of the built app (private session, Bluesky reference servers)"
# One app at a time: Earshot is single-instance per session, as it is for a person.
tests/atproto/with-atproto.sh tests/desktop/with-desktop.sh \
  cargo test -p earshot-e2e --test app --locked -- --include-ignored --test-threads=1

step "All checks passed"
