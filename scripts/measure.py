#!/usr/bin/python3
"""Start-up and memory figures for Earshot, measured on a real window under Xvfb.

    scripts/measure.sh [BINARY]     (runs this inside tests/desktop/with-desktop.sh)

- cold start to first paint: from spawning the process until Earshot's rail is on screen
  (the screen is sampled every 5 ms), over several launches, each with a new data folder;
- idle memory: RSS and PSS summed over the app's whole process tree (the app, WebKit's web
  and network processes) 10 s after the first paint;
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

import gi

gi.require_version("Gdk", "3.0")
from gi.repository import Gdk  # noqa: E402

# The rail's background in the light and the dark theme (ui/src/app.css: --rail).
RAIL_COLOURS = (bytes((0xF5, 0xF6, 0xF8)) * 8, bytes((0x1C, 0x1F, 0x25)) * 8)
LAUNCHES = 5


def screen_shows_rail():
    root = Gdk.get_default_root_window()
    pixbuf = Gdk.pixbuf_get_from_window(root, 0, 0, root.get_width(), root.get_height())
    pixels = pixbuf.get_pixels()
    return any(colour in pixels for colour in RAIL_COLOURS)


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


def memory_kib(pids):
    rss = pss = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
        except OSError:
            pass
    return rss, pss


def launch(binary):
    data_dir = tempfile.mkdtemp(prefix="earshot-measure-")
    env = dict(os.environ, EARSHOT_DATA_DIR=data_dir)
    if screen_shows_rail():
        sys.exit("the screen already shows an Earshot window; close it first")
    started = time.monotonic()
    app = subprocess.Popen([binary], env=env, stderr=subprocess.DEVNULL)
    while not screen_shows_rail():
        if time.monotonic() - started > 30:
            app.kill()
            sys.exit("no first paint within 30 s")
        time.sleep(0.005)
    return app, time.monotonic() - started


def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "target/debug/earshot")
    print(f"Binary: {binary} ({os.path.getsize(binary) / 2**20:.1f} MiB)")

    paints, memory = [], None
    for i in range(LAUNCHES):
        app, first_paint = launch(binary)
        paints.append(first_paint)
        if i == LAUNCHES - 1:
            time.sleep(10)
            tree = process_tree(app.pid)
            memory = (len(tree), *memory_kib(tree))
        app.terminate()
        app.wait(timeout=20)
        time.sleep(0.5)

    ms = [round(p * 1000) for p in paints]
    print(f"Start to first paint: median {statistics.median(ms)} ms, min {min(ms)} ms, "
          f"max {max(ms)} ms over {LAUNCHES} launches {ms}")
    processes, rss, pss = memory
    print(f"Idle memory after 10 s: {processes} processes, RSS {rss / 1024:.0f} MiB, "
          f"PSS {pss / 1024:.0f} MiB")
    for deb in sorted(glob.glob("target/release/bundle/deb/*.deb")):
        print(f"Package: {deb} {os.path.getsize(deb) / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
