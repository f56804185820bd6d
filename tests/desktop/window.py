#!/usr/bin/python3
"""Top-level windows as a window manager sees them (the headless session has none).

    window.py close TITLE    ask the window to close, as its title bar's close button does
                             (ICCCM WM_DELETE_WINDOW)
    window.py shown TITLE    exit 0 if a window with that title is mapped, 1 if not
    window.py rows TITLE RRGGBB X0 X1
                             the first and last row (window coordinates) where a pixel in
                             columns X0..X1 has exactly that colour, or nothing

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
    if not (len(sys.argv) == 3 and sys.argv[1] in ("close", "shown")) and not (
        len(sys.argv) == 6 and sys.argv[1] == "rows"
    ):
        print(__doc__, file=sys.stderr)
        return 64
    command, title = sys.argv[1:3]
    dpy = display.Display()
    window = find(dpy.screen().root, title)
    if window is None:
        print(f"no mapped window titled {title!r}", file=sys.stderr)
        return 1
    if command == "shown":
        return 0
    if command == "rows":
        return print_rows(window, *sys.argv[3:])
    message = protocol.event.ClientMessage(
        window=window,
        client_type=dpy.intern_atom("WM_PROTOCOLS"),
        data=(32, [dpy.intern_atom("WM_DELETE_WINDOW"), X.CurrentTime, 0, 0, 0]),
    )
    window.send_event(message, event_mask=X.NoEventMask)
    dpy.flush()
    return 0


def print_rows(window, colour, x0, x1):
    """Rows of `window` holding `colour` between columns x0 and x1 (32-bit BGRX pixels)."""
    x0, x1 = int(x0), int(x1)
    geometry = window.get_geometry()
    image = window.get_image(0, 0, geometry.width, geometry.height, X.ZPixmap, 0xFFFFFFFF)
    want = bytes.fromhex(colour)[::-1]  # BGR order in memory
    stride = geometry.width * 4
    rows = [
        y
        for y in range(geometry.height)
        if any(
            image.data[y * stride + x * 4 : y * stride + x * 4 + 3] == want
            for x in range(x0, min(x1, geometry.width))
        )
    ]
    if rows:
        print(rows[0], rows[-1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
