"""``counterapp demo``: the newcomer's one command (``make run``): an embedded server with demo data, an
enrolled counter, a kiosk issuing tickets, then the counter window; everything stops with the window.

    counterapp demo [--home DIR] [--reset] [--no-window]

Without the window (``--no-window``, or while ``counterapp.gui.app`` does not exist yet) it prints the
server URL and the demo login and serves until Ctrl+C."""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from counterapp.demo_site import DemoSite

WINDOW_MODULE = "counterapp.gui.app"
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
NO_WINDOW_TAIL_VI = "chỉ chạy máy chủ demo, không có cửa sổ"
NO_WINDOW_TAIL_EN = "serving the demo without the window"
NO_WINDOW = (
    f"Cửa sổ quầy chưa có trong bản này: {NO_WINDOW_TAIL_VI} / "
    f"The counter window is not in this version yet: {NO_WINDOW_TAIL_EN}"
)
NO_DISPLAY = (
    "Không tìm thấy màn hình (DISPLAY/WAYLAND_DISPLAY chưa đặt): trên máy không có màn hình, chạy "
    "'xvfb-run -a make run', hoặc 'counterapp demo --no-window' để chỉ chạy máy chủ demo.\n"
    "No display found (DISPLAY/WAYLAND_DISPLAY unset): on a headless machine run 'xvfb-run -a make run', "
    "or 'counterapp demo --no-window' for the demo server alone."
)


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "demo",
        help="the counter window with an embedded server and demo data (chạy thử)",
        description="Start a demo server on this PC (demo centre, staff, a kiosk issuing tickets), enrol a "
        "demo counter and open the counter window. The demo home is kept between runs; --reset starts over.",
    )
    p.add_argument("--home", type=Path, metavar="DIR", help="demo data (default: <user data dir>/counterapp/demo)")
    p.add_argument("--reset", action="store_true", help="delete the demo data first and start over")
    p.add_argument("--no-window", action="store_true", help="only serve the demo, until Ctrl+C")
    p.set_defaults(run=run, error_exit=1)


def say(message: str) -> None:
    print(message, flush=True)


def has_display() -> bool:
    """Whether Qt can open a window: always on Windows and macOS; on X11/Wayland only with a display
    (or an explicit QT_QPA_PLATFORM such as offscreen)."""
    if sys.platform in ("win32", "darwin"):
        return True
    return any(os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def find_window() -> Callable[..., int] | None:
    """``counterapp.gui.app.run_counter_window`` when it exists and Qt is installed, else None. Imported by
    name: the CLI must start (and ``--no-window`` work) on a machine without Qt."""
    try:
        module = importlib.import_module(WINDOW_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name and WINDOW_MODULE.startswith(exc.name):
            say(NO_WINDOW)
        else:  # e.g. PySide6 not installed
            say(f"Thiếu thư viện giao diện {exc.name}: {NO_WINDOW_TAIL_VI} / "
                f"The GUI library {exc.name} is missing: {NO_WINDOW_TAIL_EN}")  # fmt: skip
        return None
    window: Callable[..., int] | None = getattr(module, "run_counter_window", None)
    if window is None:
        say(NO_WINDOW)
    return window


def describe(site: DemoSite) -> list[str]:
    return [
        "Demo đã sẵn sàng / The demo is ready",
        f"  Máy chủ / Server:              {site.server_url}  (nhật ký / log: {site.log_path})",
        f"  Dữ liệu quầy / Counter data:   {site.data_dir}",
        f"  Đăng nhập / Log in:            {site.username} / {site.password}",
    ]


def _raise_interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def serve_until_interrupted(site: DemoSite) -> int:
    """Serve until Ctrl+C (or SIGTERM); 1 if the server stops by itself."""
    say("Nhấn Ctrl+C để dừng / Press Ctrl+C to stop")
    while site.process is not None and site.process.poll() is None:
        time.sleep(0.2)
    print(
        f"counterapp: máy chủ demo đã dừng; xem {site.log_path} / the demo server stopped; see {site.log_path}",
        file=sys.stderr,
    )
    return 1


def run(args: argparse.Namespace) -> int:
    from counterapp.demo_site import DemoError, default_home, prepare_demo

    window = None if args.no_window else find_window()
    if window is not None and not has_display():
        print(NO_DISPLAY, file=sys.stderr)
        return 1
    home: Path = args.home or default_home()
    # SIGTERM (`kill`, a closed terminal) stops the demo as Ctrl+C does, and Ctrl+C works even where the
    # shell started us with SIGINT ignored (`make run &`): the server must not outlive us.
    in_main = threading.current_thread() is threading.main_thread()  # only there can signals be handled
    previous = {sig: signal.signal(sig, _raise_interrupt) for sig in STOP_SIGNALS} if in_main else {}
    try:
        with prepare_demo(home, reset=args.reset, progress=say) as site:
            for line in describe(site):
                say(line)
            if window is None:
                return serve_until_interrupted(site)
            say("Đang mở cửa sổ quầy… / Opening the counter window…")
            return int(window(site.data_dir, site.server_url, prefill_username=site.username))
    except DemoError as exc:
        print(f"counterapp: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        say("Đã dừng demo / The demo has stopped")
        return 0  # stopping with Ctrl+C is how the demo ends: not an error for `make run`
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
