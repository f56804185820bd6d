#!/usr/bin/env bash
# `make deb-check`: builds the .deb, installs it with dpkg, starts the *installed* Earshot in a
# private headless session, waits until its tray icon is up and its database exists, quits it
# from the tray and expects a clean exit. Leaves the package installed.
set -euo pipefail
cd "$(dirname "$0")/.."

make deb
deb=$(ls -t target/release/bundle/deb/*.deb | head -n 1)
echo "Package: $deb ($(du -h "$deb" | cut -f1))"
dpkg-deb --field "$deb" Package Version Depends

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo dpkg -i "$deb" || $sudo apt-get install -y -f
binary=/usr/bin/earshot
test -x "$binary"

tests/desktop/with-desktop.sh bash -c '
  set -euo pipefail
  export EARSHOT_DATA_DIR=$(mktemp -d)
  '"$binary"' --hidden >"$EARSHOT_DATA_DIR/earshot.log" 2>&1 &
  app=$!
  /usr/bin/python3 tests/desktop/tray.py items
  test -s "$EARSHOT_DATA_DIR/earshot.sqlite3" || { echo "no database was created"; exit 1; }
  /usr/bin/python3 tests/desktop/tray.py click "Quit Earshot"
  wait "$app"
  echo "The installed Earshot started, showed its tray menu and quit cleanly."
'
