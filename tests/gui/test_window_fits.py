"""The window and its dialogs fit what a clerk has: 1366×768 is the smallest supported screen, Vietnamese
(the longer language) with the theme's large type. Maximised on Windows 10 at 1366×768, the window's
client area is 1366×697 (taskbar 40 px, title bar 31 px); every tab must show its panel whole there,
with the offline banner and the ticket strip both showing, i.e. without a scroll bar."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtWidgets import QAbstractButton, QDialog, QGroupBox, QLabel, QListWidget, QTabWidget
from pytestqt.qtbot import QtBot

from counterapp.datafiles.catalogue import demo_catalogue
from counterapp.domain.errors import FieldError, ValidationFailed
from counterapp.domain.ticket import Ticket, TicketState
from counterapp.gui import jobs
from counterapp.gui.i18n import LanguageManager
from counterapp.gui.intake_dialogs import RefusalDialog, SupplementDialog
from counterapp.gui.leave_guard import LeaveDialog
from counterapp.gui.mainwindow import PANELS, MainWindow
from counterapp.gui.panel_scroll import PanelScroll
from counterapp.gui.queue_dialogs import CallSpecificDialog, PauseDialog, TransferDialog
from counterapp.gui.queue_models import Action
from counterapp.gui.return_dialog import ReturnDialog
from counterapp.services.counter_view import ServiceChoice
from counterapp.services.workspace import Workspace
from counterapp.sync.engine import SyncStatus
from tests.gui.queuekit import issue
from tests.gui.windowkit import TIMEOUT, intake_of, queue_of, window_workspace

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

SIZES = {"1366x768": (1366, 697), "1920x1080": (1920, 1009)}


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    opened = window_workspace(tmp_path / "counter")
    for _ in range(3):
        issue(opened)
    yield opened
    jobs.wait_idle(15_000)
    opened.close()


def longest_procedure() -> str:
    """The demo procedure with the most documents (the longest checklist)."""
    return max(demo_catalogue().procedures, key=lambda p: len(p.components)).code


STATUS = SyncStatus(
    online=False, pending_ops=128, oldest_pending_at=datetime(2026, 3, 16, 8, 0), last_sync_at=datetime(2026, 3, 16),
    last_error="unreachable", clock_offset_ms=0, codes_blocked=False, blocked=None,
    leases_left={"dossier_code:000.00.01.H26": 30, "ticket:A": 120, "ticket:B": 80},
)  # fmt: skip


@pytest.mark.parametrize("size", list(SIZES))
def test_every_tab_fits_without_scrolling_in_vietnamese(
    qtbot: QtBot, themed: LanguageManager, workspace: Workspace, size: str
):
    # GIVEN the window at the client size of a maximised window, offline (banner) with a ticket called
    window = MainWindow(workspace, languages=themed)
    qtbot.addWidget(window, before_close_func=lambda w: (queue_of(w).stop(), jobs.wait_idle(15_000)))
    window.resize(*SIZES[size])
    with qtbot.waitSignal(queue_of(window).refreshed, timeout=TIMEOUT):
        window.show()
    window.status_bar.on_status_changed(STATUS)
    queue = queue_of(window)
    with qtbot.waitSignal(queue.refreshed, timeout=TIMEOUT):
        queue.buttons[Action.CALL_NEXT].click()
    qtbot.waitUntil(lambda: queue.current is not None, timeout=TIMEOUT)
    # and the intake in its tallest state: the longest checklist, errors under three fields
    intake = intake_of(window)
    qtbot.waitUntil(lambda: intake.picker.list.count() > 0, timeout=TIMEOUT)
    intake.picker.choose(longest_procedure())
    pairs = (("applicant.name", "name.required"), ("applicant.id_number", "cccd.length"),
             ("applicant.phone", "phone.format"))  # fmt: skip
    errors = [FieldError(field, code) for field, code in pairs]
    intake._show_field_errors(ValidationFailed(errors))
    # THEN on every tab the panel is shown whole (no scroll bar), with the offline banner and the strip
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        qtbot.wait(50)
        scroll = window.tabs.widget(index)
        assert isinstance(scroll, PanelScroll)
        assert window.status_bar.offline_banner.isVisible()
        assert index == 0 or window.strip.isVisible()
        assert scroll.fits(), (window.tabs.tabText(index), scroll.minimum_panel_size(), scroll.maximumViewportSize())
        assert not scroll.verticalScrollBar().isVisible() and not scroll.horizontalScrollBar().isVisible()
    # and the status bar leaves a panel's message room to be read
    assert window.status_bar.message_label.width() >= 300, window.status_bar.message_label.width()
    window.status_bar.show_message("Số A001: Đã gọi, chờ công dân")
    assert window.status_bar.message_label.text() == "Số A001: Đã gọi, chờ công dân"  # not elided


def assert_readable(dialog: QDialog) -> None:
    """No one-line label is cut, and a list shows its items whole (wrapped if very long)."""
    for label in dialog.findChildren(QLabel):
        if label.isVisible() and not label.wordWrap() and label.text():
            assert label.width() >= label.sizeHint().width() - 1, (label.text(), label.width())
    for view in dialog.findChildren(QListWidget):
        width = view.viewport().width()
        for row in range(view.count()):
            text = view.item(row).text()
            assert view.wordWrap() or view.fontMetrics().horizontalAdvance(text) <= width, text


def test_the_dialogs_are_wide_enough_to_read(qtbot: QtBot, themed: LanguageManager):
    assert themed.language == "vi"
    procedure = max(demo_catalogue().procedures, key=lambda p: max(len(c.name) for c in p.components))
    land = "Đất đai, xây dựng, quy hoạch, môi trường và tài nguyên nước"
    services = [ServiceChoice("HTCT", "Hộ tịch, chứng thực", "Civil status"), ServiceChoice("DDXD", land, "Land")]

    ticket = Ticket("A015", "HTCT", None, datetime(2026, 3, 16, 9), TicketState.SERVING, "5")
    dialogs: list[QDialog] = [
        SupplementDialog(procedure, procedure.components, {}),
        RefusalDialog(procedure, {}),
        ReturnDialog("000.00.01.H26-260316-0001", "Nguyễn Thị Hồng Nhung"),
        TransferDialog(services, "HTCT", vietnamese=True),
        CallSpecificDialog(),
        PauseDialog(),
        LeaveDialog(ticket, 12, closing=False),
    ]
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        assert dialog.width() >= 420, (type(dialog).__name__, dialog.width())
        assert_readable(dialog)
    assert dialogs[0].width() >= 640 and dialogs[2].width() >= 560  # Mẫu 02 was 367 px, the return 296


def mnemonic(text: str) -> str | None:
    found = re.search(r"&([^&\s])", text.replace("&&", ""))
    return found.group(1).casefold() if found else None


@pytest.mark.parametrize("language", ["vi", "en"])
def test_no_two_alt_letters_in_sight_share_a_letter(
    qtbot: QtBot, themed: LanguageManager, workspace: Workspace, language: str
):
    """Alt+letter (a label's buddy, a button, a menu) is live for what is on screen: the menu bar and the
    current tab. Two with one letter make Alt+that letter cycle instead of act (once: the Counter menu and
    "Scan CCCD &QR", the Language menu and the date of birth, "Full &name" and "&New form")."""
    themed.set_language(language)
    window = MainWindow(workspace, languages=themed)
    qtbot.addWidget(window, before_close_func=lambda w: (queue_of(w).stop(), jobs.wait_idle(15_000)))
    window.resize(*SIZES["1366x768"])
    window.show()
    intake = intake_of(window)
    intake.picker.choose(longest_procedure())
    menus = [mnemonic(a.text()) for a in window.menuBar().actions()]
    assert None not in menus, [a.text() for a in window.menuBar().actions()]
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        panel = window.panels[PANELS[index].key]
        subtabs = panel.findChildren(QTabWidget)
        pages = [tabs.widget(i) for tabs in subtabs for i in range(tabs.count())] or [panel]
        for page in pages:
            for tabs in subtabs:
                if tabs.indexOf(page) >= 0:
                    tabs.setCurrentWidget(page)
            qtbot.wait(20)
            texts = [b.text() for b in page.findChildren(QAbstractButton) if b.isVisible()]
            texts += [label.text() for label in page.findChildren(QLabel) if label.isVisible() and label.buddy()]
            texts += [g.title() for g in page.findChildren(QGroupBox) if g.isVisible() and g.isCheckable()]
            letters = [m for m in (mnemonic(t) for t in texts) if m] + [m for m in menus if m]
            clashes = sorted({m for m in letters if letters.count(m) > 1})
            assert clashes == [], (language, window.tabs.tabText(index), clashes, texts)
