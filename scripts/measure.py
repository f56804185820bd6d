#!/usr/bin/python3
"""Start-up, memory and idle figures for Earshot, measured on a real window under Xvfb.

    scripts/measure.sh [BINARY]     (runs this inside tests/desktop/with-desktop.sh)

Prints one table:
- first paint: from spawning the process until Earshot's rail is on screen, median, min and
  max of 5 launches, each with a new data folder. Every 5 ms a band of 16 rows across the
  screen's middle (which any Earshot window crosses) is read: reading the whole 1280×800
  screen took 9.7 ms a time and 40 % of a core on a 2-core machine, besides the X server's
  share, and slowed the start-up it was timing;
- tray ready: `--hidden` start (the start at login: the data folder is already there) until
  the tray icon is registered with the StatusNotifierItem watcher (D-Bus, asked every 5 ms),
  median, min and max of 5, and the very first start that creates the data;
- reopen: the window closed (webview gone, its pages given back), then "Open Earshot" in the
  tray until the rail is on screen, median, min and max of 5;
- memory (PSS and RSS per process: the app, WebKit's web and network processes) 10 s after
  the first paint with the window open, 10 s after the window was closed, and 10 s after a
  `--hidden` start;
- idle CPU: the share of one core the whole process tree used over 60 s with the window
  closed (no accounts: this measures Earshot's own timers, not a sync);
- the .deb's size, when `make deb` has built one.

Figures, not assertions: these machines are noisy, so this prints and never fails on a number.
PSS shares a library's pages among the processes that map them (the X server maps Mesa too
once a GL client ran): USS, the pages no other process maps, is printed beside it. Run it
with no other WebKit application or test suite running.
"""

import glob
import os
import statistics
import subprocess
import sys
import tempfile
import time

import dbus

# The rail's background in the light and the dark theme (ui/src/app.css: --rail).
RAIL_COLOURS = (bytes((0xF5, 0xF6, 0xF8)) * 8, bytes((0x1C, 0x1F, 0x25)) * 8)
# Rows of the screen read for the rail (see the docstring).
BAND_ROWS = 16
LAUNCHES = 5
SETTLE_S = 10
IDLE_S = 60
# Earshot gives back the closed window's library pages 3 s after it went.
RELEASED_S = 5
HERE = os.path.dirname(os.path.abspath(__file__))
WINDOW_PY = os.path.join(HERE, "..", "tests", "desktop", "window.py")
TRAY_PY = os.path.join(HERE, "..", "tests", "desktop", "tray.py")
WATCHER = "org.kde.StatusNotifierWatcher"


def screen_shows_rail():
    # Imported here, in the watcher process only: GDK maps GL and LLVM, and a measuring
    # process that shared those pages with Earshot would halve what PSS charges it.
    import gi

    gi.require_version("Gdk", "3.0")
    from gi.repository import Gdk

    root = Gdk.get_default_root_window()
    top = (root.get_height() - BAND_ROWS) // 2
    pixbuf = Gdk.pixbuf_get_from_window(root, 0, top, root.get_width(), BAND_ROWS)
    pixels = pixbuf.get_pixels()
    return any(colour in pixels for colour in RAIL_COLOURS)


def watch_paint():
    """`measure.py --watch-paint`: says "ready", then the monotonic time the rail appears."""
    if screen_shows_rail():
        print("busy", flush=True)
        return
    print("ready", flush=True)
    started = time.monotonic()
    while not screen_shows_rail():
        if time.monotonic() - started > 30:
            print("never", flush=True)
            return
        time.sleep(0.005)
    print(time.monotonic(), flush=True)


class PaintWatcher:
    """The screen sampled in a process of its own, started before what it times."""

    def __init__(self):
        self.process = subprocess.Popen([sys.executable, os.path.abspath(__file__),
                                         "--watch-paint"], stdout=subprocess.PIPE, text=True)
        answer = self.process.stdout.readline().strip()
        if answer != "ready":
            sys.exit("the screen already shows an Earshot window; close it first")

    def seconds_since(self, started):
        seen = self.process.stdout.readline().strip()
        self.process.wait()
        if seen == "never":
            sys.exit("no first paint within 30 s")
        return float(seen) - started


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
    """RSS, PSS and USS (pages no other process maps) of one process, in KiB."""
    fields = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                name, _, rest = line.partition(":")
                if name in ("Rss", "Pss", "Private_Clean", "Private_Dirty"):
                    fields[name] = int(rest.split()[0])
    except OSError:
        pass
    uss = fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)
    return fields.get("Rss", 0), fields.get("Pss", 0), uss


def memory_by_process(root_pid):
    """(name, PSS, RSS, USS in MiB) per process of the tree, and the totals."""
    rows = []
    for pid in process_tree(root_pid):
        rss, pss, uss = memory_kib(pid)
        if rss:
            rows.append((name_of(pid), pss / 1024, rss / 1024, uss / 1024))
    total = ("all", *(sum(r[i] for r in rows) for i in (1, 2, 3)))
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


def start(binary, *args, data_dir=None):
    data_dir = data_dir or tempfile.mkdtemp(prefix="earshot-measure-")
    # The closed window lets its webview go at once (30 s later in everyday use).
    env = dict(os.environ, EARSHOT_DATA_DIR=data_dir, EARSHOT_WEBVIEW_GRACE_MS="0")
    return subprocess.Popen([binary, *args], env=env, stderr=subprocess.DEVNULL)


def stop(app):
    """Quits from the tray and waits for WebKit's processes too: one still exiting would share
    its libraries' pages with the next launch and halve what PSS charges it."""
    tree = process_tree(app.pid)
    subprocess.run(["/usr/bin/python3", TRAY_PY, "click", "Quit Earshot"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    try:
        app.wait(timeout=20)
    except subprocess.TimeoutExpired:
        app.kill()
        app.wait()
    wait_for(lambda: not any(os.path.exists(f"/proc/{pid}") for pid in tree), "WebKit exits")
    time.sleep(0.5)


def window_shown():
    return subprocess.run(["/usr/bin/python3", WINDOW_PY, "shown", "Earshot"],
                          stderr=subprocess.DEVNULL).returncode == 0


def close_window():
    subprocess.run(["/usr/bin/python3", WINDOW_PY, "close", "Earshot"],
                   stderr=subprocess.DEVNULL, check=False)
    wait_for(lambda: not window_shown(), "the window closes")


def print_memory(title, rows, total):
    for name, pss, rss, uss in rows:
        print(f"| {title}: {name} | {pss:.0f} MiB PSS | {rss:.0f} MiB RSS, {uss:.0f} MiB USS |")
    print(f"| {title}: **all {len(rows)} processes** | **{total[1]:.0f} MiB PSS** | "
          f"{total[2]:.0f} MiB RSS, {total[3]:.0f} MiB USS |")


def main():
    if sys.argv[1:] == ["--watch-paint"]:
        watch_paint()
        return
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "target/debug/earshot")
    print(f"Binary: {binary} ({os.path.getsize(binary) / 2**20:.1f} MiB)\n")
    print("| Figure | Value | |")
    print("|---|---|---|")

    paints = []
    for i in range(LAUNCHES):
        watcher = PaintWatcher()
        started = time.monotonic()
        app = start(binary)
        paints.append(watcher.seconds_since(started))
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
    reopens = []
    for i in range(LAUNCHES):
        if i > 0:
            # As after a real close: the webview gone and its pages given back (3 s later).
            close_window()
            time.sleep(RELEASED_S)
        watcher = PaintWatcher()
        started = time.monotonic()
        subprocess.run(["/usr/bin/python3", TRAY_PY, "click", "Open Earshot"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        reopens.append(round(watcher.seconds_since(started) * 1000))
    print(f"| Reopen from the tray to first paint (median of {LAUNCHES}) | "
          f"{statistics.median(reopens)} ms | min {min(reopens)}, max {max(reopens)} ms |")
    stop(app)

    # `--hidden` is the start at login: Earshot has run before and its data is there. The
    # first of these starts creates the data (every migration); the next ones find it. The
    # last stays for its memory.
    data_dir = tempfile.mkdtemp(prefix="earshot-measure-")
    trays = []
    for i in range(1 + LAUNCHES):
        baseline = len(tray_items())
        app = start(binary, "--hidden", data_dir=data_dir)
        trays.append(round(wait_for(lambda: len(tray_items()) > baseline, "the tray icon") * 1000))
        if i < LAUNCHES:
            stop(app)
    first, again = trays[0], trays[1:]
    print(f"| Hidden start to tray icon, data already there (median of {LAUNCHES}) | "
          f"{statistics.median(again)} ms | min {min(again)}, max {max(again)} ms; "
          f"the very first start, which creates the data: {first} ms |")
    time.sleep(SETTLE_S)
    print_memory("hidden start", *memory_by_process(app.pid))
    stop(app)

    for deb in sorted(glob.glob("target/release/bundle/deb/*.deb")):
        print(f"| Package {os.path.basename(deb)} | {os.path.getsize(deb) / 2**20:.1f} MiB | |")


if __name__ == "__main__":
    main()
