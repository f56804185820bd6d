#!/usr/bin/env bash
# Runs a command inside a private, headless desktop session and tears it down afterwards,
# also when the command fails:
#   - an Xvfb display,
#   - a D-Bus session bus of its own (never the person's),
#   - dunst, a real freedesktop notification daemon,
#   - gnome-keyring's Secret Service, unlocked with a throwaway password,
#   - a StatusNotifierWatcher, so the tray icon registers as it would under a panel.
# XDG folders point into a temporary directory: nothing here touches the real user's data.
#
#   tests/desktop/with-desktop.sh COMMAND [ARGS...]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
session=$(mktemp -d -t earshot-desktop.XXXXXX)
pids=()

cleanup() {
  local status=$?
  if [ -n "${command_group:-}" ]; then kill -KILL -- "-$command_group" 2>/dev/null || true; fi
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill "${pids[i]}" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  rm -rf "$session"
  exit "$status"
}
trap cleanup EXIT INT TERM

wait_for() { # wait_for SECONDS DESCRIPTION TEST-COMMAND...
  local seconds=$1 what=$2
  shift 2
  for ((i = 0; i < seconds * 10; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "with-desktop: $what did not come up in ${seconds}s" >&2
  return 1
}

# GTK's accessibility bridge would look for an AT-SPI bus this session does not have.
export NO_AT_BRIDGE=1
export XDG_RUNTIME_DIR="$session/run" XDG_CONFIG_HOME="$session/config"
export XDG_DATA_HOME="$session/data" XDG_CACHE_HOME="$session/cache"
mkdir -p "$XDG_RUNTIME_DIR" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME"
chmod 700 "$XDG_RUNTIME_DIR"

# A display number nobody uses.
display=99
while [ -e "/tmp/.X11-unix/X$display" ] || [ -e "/tmp/.X$display-lock" ]; do
  display=$((display + 1))
done
Xvfb ":$display" -screen 0 1280x800x24 -nolisten tcp >"$session/xvfb.log" 2>&1 &
pids+=($!)
export DISPLAY=":$display"
wait_for 10 "Xvfb" test -e "/tmp/.X11-unix/X$display"

bus_info=$(dbus-daemon --config-file="$here/session-bus.conf" --fork --print-address=1 --print-pid=1 \
  --address="unix:path=$XDG_RUNTIME_DIR/bus")
export DBUS_SESSION_BUS_ADDRESS=$(sed -n 1p <<<"$bus_info")
pids+=("$(sed -n 2p <<<"$bus_info")")

# Actions are picked through dunst's context menu, whose "dmenu" is pick-action.sh.
export EARSHOT_DUNST_CHOICE="$session/dunst-choice"
# Body markup on, as on desktops that render it (dunst, KDE Plasma, Xfce): what a stranger
# writes must reach the screen as text.
printf '[global]\n    dmenu = %s\n    markup = full\n' "$here/pick-action.sh" >"$session/dunstrc"
dunst -config "$session/dunstrc" >"$session/dunst.log" 2>&1 &
pids+=($!)
wait_for 10 "the notification daemon" \
  dbus-send --session --dest=org.freedesktop.Notifications --print-reply \
  /org/freedesktop/Notifications org.freedesktop.Notifications.GetServerInformation

# --unlock reads the login keyring's password on stdin and creates the keyring if missing.
start_keyring() {
  printf 'earshot-test-session' |
    gnome-keyring-daemon --foreground --unlock --components=secrets >"$session/keyring.log" 2>&1 &
  pids+=($!)
}
# Ready means the login collection exists and is unlocked, not merely that the daemon
# answers: it appears a moment after the service, and a secret stored before then makes the
# daemon ask (through a prompt nobody will ever answer) to create a keyring. Then a secret
# must really go in and out. Each probe is time-limited so a stuck call cannot hang the run.
login_unlocked() {
  timeout 5 dbus-send --session --print-reply --dest=org.freedesktop.secrets \
    /org/freedesktop/secrets/collection/login org.freedesktop.DBus.Properties.Get \
    string:org.freedesktop.Secret.Collection string:Locked | grep -q "boolean false"
}
keyring_round_trip() {
  printf probe | timeout 5 secret-tool store --label="Earshot session probe" earshot-session probe &&
    timeout 5 secret-tool clear earshot-session probe
}
start_keyring
if ! wait_for 30 "the unlocked login keyring" login_unlocked; then
  sed 's/^/  gnome-keyring: /' "$session/keyring.log" >&2 || true
  exit 1
fi
wait_for 15 "the keyring" keyring_round_trip

# EARSHOT_XEMBED_TRAY=1 starts a visible XEmbed tray (trayer) instead of the watcher: the
# tray icon then falls back to XEmbed and its menu can be opened with the mouse, for
# screenshots. Tests use the watcher, which lets them reach the menu over D-Bus.
if [ "${EARSHOT_XEMBED_TRAY:-}" = 1 ]; then
  trayer --edge bottom --align right --widthtype request --height 32 --tint 0xdddddd \
    --transparent true --alpha 0 >"$session/trayer.log" 2>&1 &
  pids+=($!)
else
  /usr/bin/python3 "$here/sni_watcher.py" >"$session/sni.log" 2>&1 &
  pids+=($!)
  wait_for 10 "the tray watcher" \
    dbus-send --session --dest=org.kde.StatusNotifierWatcher --print-reply \
    /StatusNotifierWatcher org.freedesktop.DBus.Peer.Ping
fi

export EARSHOT_DESKTOP_SESSION="$session"
# The command runs in a process group of its own, so that everything it starts (tauri-driver,
# WebKitWebDriver, app instances) is stopped with it, even what its own clean-up missed.
set -m
"$@" &
command_group=$!
set +m
wait "$command_group"
