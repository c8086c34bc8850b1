"""Screenshots of the counter window for the README, as a clerk sees it: the real demo (embedded server,
sync, the kiosk issuing tickets) on a virtual X screen with a window manager, the window at the size it
opens at (maximised on a first start, never resized for the picture), the keys pressed as real X key
events through xdotool. Vietnamese UI.

    .venv/bin/python scripts/screenshots.py --size 1366x768 --out docs/screenshots
    .venv/bin/python scripts/screenshots.py --size 1920x1080 --out docs/screenshots

It starts its own Xvfb and openbox (Debian packages ``xvfb openbox xdotool`` and the xcb libraries listed in
the README; without a window manager nothing maximises or takes the focus) unless ``--display`` names a
running one. Each run uses a fresh demo home in a temporary directory and names its files by the screen
size (``counter-1366x768.png``…): the counter after F2, the intake form with the ticket it is linked to,
the dossiers tab after saving it and searching "nhung", the counter with a ticket on hold, and offline
after the server is stopped.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

TIMEOUT_S = 60.0


@contextmanager
def x_display(size: str, display: str | None) -> Iterator[str]:
    """A virtual X screen of ``size`` with openbox on it (or the running ``display``)."""
    if display:
        yield display
        return
    for tool in ("Xvfb", "openbox", "xdotool"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is missing: apt-get install xvfb openbox xdotool")
    number = 90 + os.getpid() % 500
    name = f":{number}"
    xvfb = subprocess.Popen(["Xvfb", name, "-screen", "0", f"{size}x24", "-nolisten", "tcp"],
                            stderr=subprocess.DEVNULL)  # fmt: skip
    time.sleep(1.0)
    wm = subprocess.Popen(["openbox"], env={**os.environ, "DISPLAY": name}, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    try:
        yield name
    finally:
        for process in (wm, xvfb):
            process.terminate()
            process.wait(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n", 1)[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--size", default="1366x768", help="the screen, WIDTHxHEIGHT")
    parser.add_argument("--display", help="a running X display with a window manager (default: start one)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with x_display(args.size, args.display) as display:
        os.environ["DISPLAY"] = display
        os.environ.pop("QT_QPA_PLATFORM", None)
        return shoot_all(args.out)


def shoot_all(out: Path) -> int:
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    from counterapp import demo_site
    from counterapp.gui import jobs
    from counterapp.gui.app import CounterApp, _open
    from counterapp.gui.i18n import LanguageManager
    from counterapp.gui.resources import load_theme

    app = QApplication(sys.argv[:1])
    if app.platformName() != "xcb":
        raise SystemExit("the screenshots are of a real X screen (xcb), not " + app.platformName())
    load_theme(app)
    languages = LanguageManager(parent=app)
    languages.set_language("vi")

    def wait_until(condition: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + TIMEOUT_S
        while not condition():
            if time.monotonic() > deadline:
                raise SystemExit(f"timed out waiting for {what}")
            QCoreApplication.processEvents()
            time.sleep(0.02)

    def settle(seconds: float = 0.8) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            QCoreApplication.processEvents()
            time.sleep(0.02)

    def keys(*sequence: str) -> None:
        """Real X key events to the focused window, the event loop running meanwhile."""
        for key in sequence:
            done = subprocess.Popen(["xdotool", "key", "--clearmodifiers", key])
            while done.poll() is None:
                QCoreApplication.processEvents()
                time.sleep(0.01)
            settle(0.3)

    def shoot(name: str) -> Path:
        screen = app.primaryScreen()
        size = screen.size()
        path = out / f"{name}-{size.width()}x{size.height()}.png"
        if not screen.grabWindow(0).save(str(path)):
            raise SystemExit(f"could not write {path}")
        print(path)
        return path

    with tempfile.TemporaryDirectory(prefix="counterapp-shots-") as home:
        site = demo_site.prepare_demo(Path(home), kiosk_interval=(3600.0, 3600.0))
        workspace, credential = _open(site.data_dir, None)
        controller = CounterApp(workspace, credential, languages, prefill_username=site.username)
        try:
            controller.start()
            login = controller.login
            assert login is not None
            login.activateWindow()
            wait_until(login.isActiveWindow, "the sign-in dialog")
            login.password_edit.setFocus()
            subprocess.run(["xdotool", "type", "--delay", "20", site.password], check=True)
            keys("Return")
            wait_until(lambda: controller.window is not None and controller.window.isVisible(), "the window")
            window = controller.window
            assert window is not None
            wait_until(window.isActiveWindow, "the window to take the focus")
            queue = window.panels["queue"]
            wait_until(lambda: window.status_bar.online is True, "the status bar to show the server online")
            wait_until(lambda: queue.model.rowCount() > 2, "waiting tickets")
            keys("F2")
            wait_until(lambda: queue.current is not None and not queue.busy, "the called ticket")
            keys("F4")
            settle()
            shoot("counter")

            keys("ctrl+n")  # a fresh intake form for the citizen at the counter
            intake = window.panels["intake"]
            wait_until(lambda: intake.picker.list.count() > 0, "the procedures")
            subprocess.run(["xdotool", "type", "--delay", "30", "khai sinh"], check=True)
            settle(0.4)
            keys("Down")  # the first match, as the clerk chooses it
            applicant = intake.applicant
            applicant.name_edit.setText("Nguyễn Thị Hồng Nhung")  # Vietnamese through setText, not keys
            applicant.id_edit.setText("001190012345")
            applicant.dob_edit.setText("17/05/1990")
            applicant.phone_edit.setText("0912345678")
            applicant.email_edit.setText("nhung.nguyen@example.vn")
            applicant.address_edit.setText("Số 12 ngõ 34 phố Hàng Bông, phường Hàng Gai, Hoàn Kiếm, Hà Nội")
            applicant.name_edit.setFocus()
            settle()
            shoot("intake")

            keys("ctrl+s")  # a code, the receipt to the demo's PDF printer
            wait_until(lambda: bool(intake.code_label.text()) or intake.save_button.isEnabled(), "the save")
            keys("F5", "ctrl+f")  # the ticket finished from the intake tab, then find the dossier
            dossiers = window.panels["dossiers"]
            found: list[int] = []
            dossiers.search_finished.connect(found.append)
            subprocess.run(["xdotool", "type", "--delay", "30", "nhung"], check=True)
            wait_until(lambda: bool(found), "the dossier search")
            keys("Return")  # open the first match
            settle(1.0)
            shoot("dossiers")

            keys("ctrl+1", "F2")
            wait_until(lambda: queue.current is not None and not queue.busy, "the next ticket")
            keys("F7", "F2")  # hold it (the citizen went to photocopy), call the next one
            wait_until(lambda: queue.current is not None and not queue.busy and queue.held.numbers(), "the hold")
            settle()
            shoot("held")

            if site.kiosk is not None:
                site.kiosk.stop()
                site.kiosk = None
            if site.process is not None:  # the server goes away; the clerk keeps working
                site.process.terminate()
                site.process.wait(timeout=15)
                site.process = None
            keys("F4")  # start serving the called ticket: a local write, pending
            wait_until(lambda: window.status_bar.online is False, "the offline banner")
            settle(1.5)
            shoot("offline")
            window._closing_approved = True
        finally:
            controller.shutdown()
            jobs.wait_idle()
            workspace.close()
            site.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
