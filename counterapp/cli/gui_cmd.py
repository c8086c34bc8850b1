"""``counterapp gui``: open the clerk's counter window on the configured data directory; one that is not
enrolled yet gets the first-start wizard (server address, one-time code, printers) before the sign-in.

On a machine without a display (Linux with no ``DISPLAY``/``WAYLAND_DISPLAY`` and no ``QT_QPA_PLATFORM``)
it says how to run under Xvfb instead of letting Qt abort with a traceback."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import Any

from counterapp.cli.client import add_client_options, data_dir

NO_DISPLAY = (
    "counterapp: no display found (DISPLAY/WAYLAND_DISPLAY are not set).\n"
    "  Run the window under a virtual X server:   xvfb-run -a counterapp gui\n"
    "  or without any window system (tests):      QT_QPA_PLATFORM=offscreen counterapp gui"
)


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("gui", help="open the counter window (cửa sổ quầy)")
    p.add_argument("--server", metavar="URL", help="use this server address instead of the enrolled one")
    p.add_argument("--username", metavar="NAME", help="pre-fill the sign-in form")
    p.add_argument("--lang", choices=("vi", "en"), default="vi", help="language of the window (default vi)")
    add_client_options(p)
    p.set_defaults(run=run_gui, parser=p)


def has_display(environ: dict[str, str] | os._Environ[str] = os.environ, platform: str = sys.platform) -> bool:
    if environ.get("QT_QPA_PLATFORM"):
        return True
    if not platform.startswith("linux"):  # Windows and macOS always have their window system
        return True
    return bool(environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"))


def run_gui(args: argparse.Namespace) -> int:
    if not has_display():
        print(NO_DISPLAY, file=sys.stderr)
        return 1
    path = data_dir(args)  # not enrolled yet: the window starts with the first-start wizard (gui.enroll_wizard)
    # Imported by name: the CLI's import graph stays free of Qt (tests/test_architecture.py), and only
    # this command pays for loading it.
    app = importlib.import_module("counterapp.gui.app")
    app.setup_logging(path)
    return int(app.run_counter_window(path, args.server, args.username, language=args.lang))
