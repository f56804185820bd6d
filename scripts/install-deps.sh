#!/usr/bin/env bash
# Installs every system package Earshot needs to build, run and test on Debian 12 / Ubuntu.
# The one place the apt package list lives; `make run` and `make test` call it.
# Skips apt entirely when everything is already present, so warm runs cost nothing.
set -euo pipefail

packages=(
  # Build Tauri on Linux.
  build-essential pkg-config libssl-dev libdbus-1-dev
  libwebkit2gtk-4.1-dev libsoup-3.0-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev
  # Headless desktop for the tests: X server, session bus, notification daemon, keyring.
  xvfb xauth dbus dbus-x11 dunst gnome-keyring libsecret-tools
  # The tray watcher, D-Bus and X11 probes in tests/desktop use the system Python.
  python3-dbus python3-gi python3-xlib
  # The Bluesky reference servers' databases (tests/atproto/with-atproto.sh).
  postgresql redis-server
  # WebKitWebDriver, driven by tauri-driver in the end-to-end tests; xdg-open, which opens
  # the Mastodon sign-in page (the tests point $BROWSER at a stand-in for the person).
  webkit2gtk-driver xdg-utils
  # make measure samples the screen through GDK; make screenshots captures the window
  # (ImageMagick's import) and opens the tray menu in a visible XEmbed tray.
  gir1.2-gtk-3.0 imagemagick trayer xdotool
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing system packages: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
