# Earshot's commands. On a fresh Debian 12 / Ubuntu machine each one installs what it needs.
.PHONY: run test dev deb deb-check bindings measure measure-detector bench screenshots

## Set up and run Earshot (debug build with the UI embedded).
run:
	scripts/run.sh

## Set up and run every check: formatting, lints, Rust and UI tests, end-to-end tests.
test:
	scripts/test.sh

## Develop with hot reload of the UI (Vite dev server + tauri dev).
dev:
	scripts/install-deps.sh && npm ci --prefix ui --no-audit --no-fund
	ui/node_modules/.bin/tauri dev

## Build the Debian package (release build) into target/release/bundle/deb/.
deb:
	scripts/install-deps.sh && npm ci --prefix ui --no-audit --no-fund
	ui/node_modules/.bin/tauri build --bundles deb

## Build the .deb, install it with dpkg and start the installed Earshot headless.
deb-check:
	scripts/deb-check.sh

## Regenerate ui/src/lib/bindings.ts from the Rust commands.
bindings:
	EARSHOT_WRITE_BINDINGS=1 cargo test -p earshot --lib ipc::tests

## Print start-up time, memory and package size figures.
measure:
	scripts/measure.sh

## Benchmarks: Inbox ingest rate and query time, the Owed queue with 1M items, a 500-plan
## event exported, imported and read, the Report over 90 days of 1M items and a 100k-item
## CSV export (criterion);
## Mastodon mention-to-store over the stream and mention-to-Notify on the bus (p50/p95).
bench:
	cargo bench -p earshot-store --bench inbox
	cargo bench -p earshot-store --bench plans
	cargo bench -p earshot-store --bench report
	cargo bench -p earshot-engine --bench stream_latency
	tests/desktop/with-desktop.sh cargo bench -p earshot-engine --bench notify_latency

## Precision, recall and F1 of the question detector on its labelled sets.
measure-detector:
	tests/detector/measure.py

## Refresh docs/screenshots/ from the real app under Xvfb.
screenshots:
	scripts/screenshots.sh
