#!/usr/bin/env bash
# Installs tauri-driver (the WebDriver bridge for Tauri apps) at the pinned version, once.
set -euo pipefail
version=2.1.0
# tauri-driver has no --version flag; cargo's install record says what is there.
if cargo install --list 2>/dev/null | grep -q "^tauri-driver v$version:"; then
  exit 0
fi
cargo install tauri-driver --version "$version" --locked
