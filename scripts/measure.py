#!/usr/bin/python3
"""Start-up, memory and idle figures for Earshot, measured on a real window under Xvfb.

    scripts/measure.sh [BINARY]     (runs this inside tests/desktop/with-desktop.sh)

Prints one table:
- first paint: from spawning the process until Earshot's rail is on screen (the screen is
  sampled every 5 ms), median, min and max of 5 launches, each with a new data folder;
- tray ready: `--hidden` start until the tray icon is registered with the StatusNotifierItem
  watcher (D-Bus, polled every 2 ms);
- reopen: the window closed, then "Open Earshot" in the tray until the rail is on screen;
- memory (PSS and RSS per process: the app, WebKit's web and network processes) 10 s after
  the first paint with the window open, 10 s after the window was closed, and 10 s after a
  `--hidden` start;
- idle CPU: the share of one core the whole process tree used over 60 s with the window
  closed (no accounts: this measures Earshot's own timers, not a sync);
- the .deb's size, when `make deb` has built one.

Figures, not assertions: these machines are noisy, so this prints and never fails on a number.
"""

import glob
import os
import statistics
import subprocess
import sys
import tempfile
import time

import dbus
import gi

gi.require_version("Gdk", "3.0")
from gi.repository import Gdk  # noqa: E402

# The rail's background in the light and the dark theme (ui/src/app.css: --rail).
RAIL_COLOURS = (bytes((0xF5, 0xF6, 0xF8)) * 8, bytes((0x1C, 0x1F, 0x25)) * 8)
LAUNCHES = 5
SETTLE_S = 10
IDLE_S = 60
HERE = os.path.dirname(os.path.abspath(__file__))
WINDOW_PY = os.path.join(HERE, "..", "tests", "desktop", "window.py")
TRAY_PY = os.path.join(HERE, "..", "tests", "desktop", "tray.py")
WATCHER = "org.kde.StatusNotifierWatcher"


def screen_shows_rail():
    root = Gdk.get_default_root_window()
    pixbuf = Gdk.pixbuf_get_from_window(root, 0, 0, root.get_width(), root.get_height())
    pixels = pixbuf.get_pixels()
    return any(colour in pixels for colour in RAIL_COLOURS)


def wait_for(check, what, limit=30):
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > limit:
            sys.exit(f"{what}: not within {limit} s")
        time.sleep(0.005)
    return time.monotonic() - started


def process_tree(root_pid):
    children = {}
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(stat) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.split("/")[2]))
    tree, todo = [], [root_pid]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def name_of(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return "?"


def memory_kib(pid):
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


def memory_by_process(root_pid):
    """(name, PSS MiB, RSS MiB) per process of the tree, and the totals."""
    rows = []
    for pid in process_tree(root_pid):
        rss, pss = memory_kib(pid)
        if rss:
            rows.append((name_of(pid), pss / 1024, rss / 1024))
    total = ("all", sum(r[1] for r in rows), sum(r[2] for r in rows))
    return rows, total


def cpu_seconds(root_pid):
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in process_tree(root_pid):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total / ticks


def tray_items():
    bus = dbus.SessionBus()
    watcher = bus.get_object(WATCHER, "/StatusNotifierWatcher")
    return list(watcher.Get(WATCHER, "RegisteredStatusNotifierItems",
                            dbus_interface="org.freedesktop.DBus.Properties"))


def start(binary, *args):
    data_dir = tempfile.mkdtemp(prefix="earshot-measure-")
    # The closed window lets its webview go at once (30 s later in everyday use).
    env = dict(os.environ, EARSHOT_DATA_DIR=data_dir, EARSHOT_WEBVIEW_GRACE_MS="0")
    return subprocess.Popen([binary, *args], env=env, stderr=subprocess.DEVNULL)


def stop(app):
    subprocess.run(["/usr/bin/python3", TRAY_PY, "click", "Quit Earshot"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    try:
        app.wait(timeout=20)
    except subprocess.TimeoutExpired:
        app.kill()
        app.wait()
    time.sleep(0.5)


def window_shown():
    return subprocess.run(["/usr/bin/python3", WINDOW_PY, "shown", "Earshot"],
                          stderr=subprocess.DEVNULL).returncode == 0


def close_window():
    subprocess.run(["/usr/bin/python3", WINDOW_PY, "close", "Earshot"],
                   stderr=subprocess.DEVNULL, check=False)
    wait_for(lambda: not window_shown(), "the window closes")


def print_memory(title, rows, total):
    for name, pss, rss in rows:
        print(f"| {title}: {name} | {pss:.0f} MiB PSS | {rss:.0f} MiB RSS |")
    print(f"| {title}: **all {len(rows)} processes** | **{total[1]:.0f} MiB PSS** | "
          f"{total[2]:.0f} MiB RSS |")


def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "target/debug/earshot")
    if screen_shows_rail():
        sys.exit("the screen already shows an Earshot window; close it first")
    print(f"Binary: {binary} ({os.path.getsize(binary) / 2**20:.1f} MiB)\n")
    print("| Figure | Value | |")
    print("|---|---|---|")

    paints = []
    for i in range(LAUNCHES):
        app = start(binary)
        paints.append(wait_for(screen_shows_rail, "first paint"))
        if i < LAUNCHES - 1:
            stop(app)
    ms = [round(p * 1000) for p in paints]
    print(f"| First paint (median of {LAUNCHES}) | {statistics.median(ms)} ms | "
          f"min {min(ms)}, max {max(ms)} ms |")

    # The last launch stays: memory open, then closed, then opened again from the tray.
    time.sleep(SETTLE_S)
    print_memory("window open", *memory_by_process(app.pid))
    close_window()
    time.sleep(SETTLE_S)
    print_memory("window closed", *memory_by_process(app.pid))
    before = cpu_seconds(app.pid)
    time.sleep(IDLE_S)
    used = cpu_seconds(app.pid) - before
    print(f"| Idle CPU, window closed, no accounts ({IDLE_S} s) | "
          f"{100 * used / IDLE_S:.2f} % of a core | {used:.2f} s of CPU |")
    subprocess.run(["/usr/bin/python3", TRAY_PY, "click", "Open Earshot"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    reopen = wait_for(screen_shows_rail, "the window comes back")
    print(f"| Reopen from the tray to first paint | {reopen * 1000:.0f} ms | |")
    stop(app)

    baseline = len(tray_items())
    app = start(binary, "--hidden")
    ready = wait_for(lambda: len(tray_items()) > baseline, "the tray icon")
    print(f"| Hidden start to tray icon | {ready * 1000:.0f} ms | |")
    time.sleep(SETTLE_S)
    print_memory("hidden start", *memory_by_process(app.pid))
    stop(app)

    for deb in sorted(glob.glob("target/release/bundle/deb/*.deb")):
        print(f"| Package {os.path.basename(deb)} | {os.path.getsize(deb) / 2**20:.1f} MiB | |")


if __name__ == "__main__":
    main()
