"""Screenshots of the counter window for the README, taken from the real demo (embedded server, sync, the
kiosk issuing tickets) on a virtual X screen: the counter panel after a call, the intake form filled in
with Vietnamese data, the dossiers tab after saving it and searching "nhung", and the offline state
after the server is stopped. Vietnamese UI.

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python scripts/screenshots.py --out docs/screenshots
    xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python scripts/screenshots.py --out docs/screenshots

Needs Debian's xvfb and the xcb libraries listed in the README. Each run uses a fresh demo home in a
temporary directory and names its files by the screen size (``counter-1366x768.png``…).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from counterapp import demo_site
from counterapp.gui import jobs
from counterapp.gui.app import CounterApp, _open
from counterapp.gui.i18n import LanguageManager
from counterapp.gui.resources import load_theme

TIMEOUT_S = 60.0


def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Pump the event loop until ``condition`` holds (the window works through jobs and signals)."""
    deadline = time.monotonic() + TIMEOUT_S
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        QCoreApplication.processEvents()
        time.sleep(0.02)


def settle(seconds: float = 0.6) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QCoreApplication.processEvents()
        time.sleep(0.02)


def shoot(app: QApplication, out: Path, name: str) -> Path:
    screen = app.primaryScreen()
    size = screen.size()
    path = out / f"{name}-{size.width()}x{size.height()}.png"
    if not screen.grabWindow(0).save(str(path)):
        raise SystemExit(f"could not write {path}")
    print(path)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n", 1)[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    if app.platformName() != "xcb":
        raise SystemExit("run under xvfb-run (see the docstring): the screenshots are of a real X screen")
    load_theme(app)
    languages = LanguageManager(parent=app)
    languages.set_language("vi")
    with tempfile.TemporaryDirectory(prefix="counterapp-shots-") as home:
        site = demo_site.prepare_demo(Path(home), kiosk_interval=(3600.0, 3600.0))
        workspace, credential = _open(site.data_dir, None)
        controller = CounterApp(workspace, credential, languages, prefill_username=site.username)
        try:
            controller.sync.start()
            controller.on_signed_in(controller.sign_in(site.username, site.password))
            window = controller.window
            assert window is not None
            window.setGeometry(app.primaryScreen().availableGeometry())
            window.show()
            window.activateWindow()  # no window manager on Xvfb: the shortcuts need an active window
            QTest.qWaitForWindowActive(window, 5000)
            queue = window.panels["queue"]
            wait_until(lambda: window.status_bar.online is True, "the status bar to show the server online")
            wait_until(lambda: queue.model.rowCount() > 0, "waiting tickets")
            QTest.keyClick(window, Qt.Key.Key_F2)  # call the next ticket
            wait_until(lambda: queue.number_label.text() not in ("", "—"), "the called ticket")
            settle()
            shoot(app, args.out, "counter")

            window.tabs.setCurrentIndex(1)
            intake = window.panels["intake"]
            wait_until(lambda: intake.picker.list.count() > 0, "the procedures")
            QTest.keyClicks(intake.picker.query_edit, "khai sinh")  # ASCII: diacritic-insensitive search
            applicant = intake.applicant
            applicant.name_edit.setText("Nguyễn Thị Hồng Nhung")  # Vietnamese through setText, not keys
            applicant.id_edit.setText("001190012345")
            applicant.dob_edit.setText("17/05/1990")
            applicant.phone_edit.setText("0912345678")
            applicant.email_edit.setText("nhung.nguyen@example.vn")
            applicant.address_edit.setText("Số 12 ngõ 34 phố Hàng Bông, phường Hàng Gai, Hoàn Kiếm, Hà Nội")
            settle()
            shoot(app, args.out, "intake")

            # Save it (a code, the receipt to the demo's PDF printer), then find it on the dossiers tab.
            intake.save()
            wait_until(lambda: bool(intake.code_label.text()) or intake.save_button.isEnabled(), "the save")
            window.tabs.setCurrentIndex(2)
            dossiers = window.panels["dossiers"]
            found: list[int] = []
            dossiers.search_finished.connect(found.append)
            QTest.keyClicks(dossiers.search_edit, "nhung")
            wait_until(lambda: bool(found), "the dossier search")
            QTest.keyClick(dossiers.search_edit, Qt.Key.Key_Return)  # open the first match
            settle(1.0)
            shoot(app, args.out, "dossiers")

            window.tabs.setCurrentIndex(0)
            if site.kiosk is not None:
                site.kiosk.stop()
                site.kiosk = None
            if site.process is not None:  # the server goes away; the clerk keeps working
                site.process.terminate()
                site.process.wait(timeout=15)
                site.process = None
            QTest.keyClick(window, Qt.Key.Key_F4)  # start serving the called ticket: a local write, pending
            wait_until(lambda: window.status_bar.online is False, "the offline banner")
            settle(1.5)
            shoot(app, args.out, "offline")
        finally:
            controller.shutdown()
            jobs.wait_idle()
            workspace.close()
            site.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
