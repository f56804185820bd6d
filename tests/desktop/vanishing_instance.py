#!/usr/bin/python3
"""Plays an Earshot that has just crashed: it holds the single-instance name on the session
bus, and when a new launch tries to hand over, it vanishes without answering — the window
of time right after a crash, before the bus has noticed.

    vanishing_instance.py IDENTIFIER     (e.g. app.earshot.desktop)

Prints "ready" once it owns the name; exits when called.
"""

import os
import sys

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib


class Vanishing(dbus.service.Object):
    @dbus.service.method("org.SingleInstance.DBus", in_signature="ass", out_signature="")
    def ExecuteCallback(self, argv, cwd):
        os._exit(0)  # gone mid-call: the caller gets NoReply, as from a crashed instance


def main():
    identifier = sys.argv[1]
    name = f"{identifier}.SingleInstance"
    DBusGMainLoop(set_as_default=True)
    bus = dbus.SessionBus()
    owned = dbus.service.BusName(name, bus, do_not_queue=True)
    Vanishing(owned, "/" + name.replace(".", "/").replace("-", "_"))
    print("ready", flush=True)
    GLib.MainLoop().run()


if __name__ == "__main__":
    main()
