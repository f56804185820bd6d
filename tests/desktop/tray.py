#!/usr/bin/python3
"""Reads and clicks Earshot's tray menu over D-Bus, as a desktop panel would.

    tray.py items            print the menu's labels, one per line
    tray.py click LABEL      click the menu item with that label
    tray.py icon             print the icon's image file, as the panel reads it

Needs sni_watcher.py on the same session bus. Exits 2 when no tray icon is registered.
"""

import sys
import time

import dbus

WATCHER = "org.kde.StatusNotifierWatcher"


def registered_items(bus):
    watcher = bus.get_object(WATCHER, "/StatusNotifierWatcher")
    return list(watcher.Get(WATCHER, "RegisteredStatusNotifierItems",
                            dbus_interface=dbus.PROPERTIES_IFACE))


def menu_of(bus, item):
    name, _, path = item.partition("/")
    path = "/" + path if path else "/StatusNotifierItem"
    sni = bus.get_object(name, path)
    menu_path = sni.Get("org.kde.StatusNotifierItem", "Menu", dbus_interface=dbus.PROPERTIES_IFACE)
    return dbus.Interface(bus.get_object(name, menu_path), "com.canonical.dbusmenu")


def labelled_items(menu):
    _revision, layout = menu.GetLayout(0, -1, ["label", "type", "toggle-state"])
    found = []

    def walk(node):
        item_id, props, children = node
        label = str(props.get("label", "")).replace("_", "")
        if label and int(item_id) != 0:  # 0 is the menu's root, not an item
            found.append((int(item_id), label))
        for child in children:
            walk(child)

    walk(layout)
    return found


def main():
    bus = dbus.SessionBus()
    deadline = time.monotonic() + 15
    items = []
    while not items and time.monotonic() < deadline:
        try:
            items = [i for i in registered_items(bus) if bus.name_has_owner(i.partition("/")[0])]
        except dbus.DBusException:
            items = []
        if not items:
            time.sleep(0.2)
    if not items:
        print("no tray icon registered", file=sys.stderr)
        return 2
    if sys.argv[1:2] == ["icon"]:
        name, _, path = items[-1].partition("/")
        sni = bus.get_object(name, "/" + path if path else "/StatusNotifierItem")
        print(sni.Get("org.kde.StatusNotifierItem", "IconName", dbus_interface=dbus.PROPERTIES_IFACE))
        return 0
    menu = menu_of(bus, items[-1])
    entries = labelled_items(menu)
    if sys.argv[1:2] == ["items"]:
        for _item_id, label in entries:
            print(label)
        return 0
    if sys.argv[1:2] == ["click"] and len(sys.argv) == 3:
        # The app may rebuild its menu between our reading it and clicking (the ids change):
        # read it again and click again, as a person would.
        for _attempt in range(5):
            for item_id, label in entries:
                if label == sys.argv[2]:
                    try:
                        menu.Event(item_id, "clicked", dbus.Int32(0, variant_level=1), dbus.UInt32(0))
                    except dbus.exceptions.DBusException as stale:
                        if "does not refer to a menu item" not in str(stale):
                            raise
                        break
                    return 0
            else:
                print(f"no menu item {sys.argv[2]!r}; have {[l for _, l in entries]}", file=sys.stderr)
                return 1
            entries = labelled_items(menu)
        print(f"the menu kept changing under {sys.argv[2]!r}", file=sys.stderr)
        return 1
    print(__doc__, file=sys.stderr)
    return 64


if __name__ == "__main__":
    sys.exit(main())
