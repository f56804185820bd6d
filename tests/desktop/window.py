#!/usr/bin/python3
"""Top-level windows as a window manager sees them (the headless session has none).

    window.py close TITLE    ask the window to close, as its title bar's close button does
                             (ICCCM WM_DELETE_WINDOW)
    window.py shown TITLE    exit 0 if a window with that title is mapped, 1 if not

Exits 1 when no mapped window has that title.
"""

import sys

from Xlib import X, display, protocol


def find(window, title):
    try:
        if window.get_wm_name() == title and window.get_attributes().map_state == X.IsViewable:
            return window
    except Exception:  # windows can vanish while we walk the tree
        return None
    for child in window.query_tree().children:
        found = find(child, title)
        if found:
            return found
    return None


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("close", "shown"):
        print(__doc__, file=sys.stderr)
        return 64
    command, title = sys.argv[1:]
    dpy = display.Display()
    window = find(dpy.screen().root, title)
    if window is None:
        print(f"no mapped window titled {title!r}", file=sys.stderr)
        return 1
    if command == "shown":
        return 0
    message = protocol.event.ClientMessage(
        window=window,
        client_type=dpy.intern_atom("WM_PROTOCOLS"),
        data=(32, [dpy.intern_atom("WM_DELETE_WINDOW"), X.CurrentTime, 0, 0, 0]),
    )
    window.send_event(message, event_mask=X.NoEventMask)
    dpy.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
