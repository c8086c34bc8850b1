"""The first-start wizard at its default size, in Vietnamese with the theme's large type: every page shows its
texts whole (no label cut, no button narrower than its text). ``COUNTERAPP_SCREENSHOTS=DIR`` keeps a PNG
of each page there, for a person to look at."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

import pytest
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget
from pytestqt.qtbot import QtBot

from counterapp.domain.errors import DomainError
from counterapp.gui import jobs
from counterapp.gui.enroll_wizard import DEFAULT_SIZE, PRINTER_PAGE, RESULT_PAGE, SERVER_PAGE, EnrollWizard
from counterapp.gui.i18n import LanguageManager
from counterapp.services.install_config import InstallConfig
from counterapp.services.workspace import Workspace
from counterapp.sync import firstrun

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def cut_texts(root: QWidget) -> list[str]:
    """Visible labels shorter than their text needs at their width, and buttons narrower than their text."""
    problems = []
    for label in root.findChildren(QLabel):
        if not label.isVisible() or not label.text():
            continue
        needed = label.heightForWidth(label.width()) if label.wordWrap() else label.sizeHint().height()
        if label.height() < needed or (not label.wordWrap() and label.width() < label.sizeHint().width()):
            problems.append(f"label {label.text()!r}: {label.size().toTuple()} needs {needed}")
    for button in root.findChildren(QAbstractButton):
        if button.isVisible() and button.width() < button.sizeHint().width():
            problems.append(f"button {button.text()!r}: {button.width()} < {button.sizeHint().width()}")
    return problems


def grab(wizard: QWidget, name: str) -> None:
    folder = os.environ.get("COUNTERAPP_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        assert wizard.grab().save(str(Path(folder) / f"enroll-wizard-{name}.png"))


def test_every_page_fits_in_vietnamese(qtbot: QtBot, themed: LanguageManager, tmp_path: Path) -> None:
    # GIVEN the wizard as a fresh PC opens it, at its default size
    config = InstallConfig(tmp_path / "counter.conf", "https://hcc.example", "", "12")
    wizard = EnrollWizard(tmp_path / "counter", languages=themed, install_config=config)
    qtbot.addWidget(wizard, before_close_func=lambda _w: jobs.wait_idle(15_000))
    wizard.show()
    qtbot.waitExposed(wizard)
    assert wizard.size().toTuple() == DEFAULT_SIZE
    # THEN page 1, with its longest failure shown, is whole
    assert wizard.title_label.text() == "Kết nối quầy với máy chủ"
    wizard.on_failed(DomainError("tls", code="connect.tls"))
    qtbot.wait(50)
    assert cut_texts(wizard) == []
    grab(wizard, "1-server")
    # and page 2, with both warnings a PC can get
    wizard.result_info = firstrun.Enrolled(
        "https://hcc.example", "d1", "000.00.01.H26", "Trung tâm Phục vụ hành chính công tỉnh Hà Giang", "5",
        "Quầy 5 — Hộ tịch, chứng thực", (firstrun.SERVER_TOO_NEW, firstrun.COUNTER_MISMATCH), (1, 1),
    )  # fmt: skip
    wizard._go(RESULT_PAGE)
    qtbot.wait(50)
    assert wizard.warning_label.isVisible()
    assert cut_texts(wizard) == []
    grab(wizard, "2-result")
    # and page 3, a network printer and a PDF folder, one failed test page
    wizard._go(PRINTER_PAGE)
    wizard.ticket_chooser.set_kind("network")
    wizard.ticket_chooser.on_test_failed(DomainError("printer.unreachable", reason="timed out"))
    qtbot.wait(50)
    assert cut_texts(wizard) == []
    assert not wizard.printers_scroll.verticalScrollBar().isVisible()  # both printers whole, side by side
    grab(wizard, "3-printers")
    wizard._go(SERVER_PAGE)


@pytest.mark.usefixtures("themed")
def test_the_reenroll_dialog_fits_in_vietnamese(qtbot: QtBot, workspace: Workspace) -> None:
    from counterapp.gui.reenroll_dialog import ReenrollDialog
    from tests.gui.test_reenroll_dialog import add_unsent

    # GIVEN two unsent changes the server cannot take (this counter is not even enrolled)
    add_unsent(workspace)
    dialog = ReenrollDialog(workspace, server_url="https://hcc.example")
    qtbot.addWidget(dialog, before_close_func=lambda _d: jobs.wait_idle(15_000))
    dialog.show()
    qtbot.waitUntil(lambda: dialog.left is not None and not dialog._busy, timeout=15_000)
    qtbot.wait(50)
    # THEN it says so in Vietnamese, whole
    assert dialog.state_label.text().startswith("2 thay đổi không gửi được lên máy chủ.")
    assert cut_texts(dialog) == []
    grab(dialog, "4-reenroll")
