"""The whole counter window over a real counter store (standalone: no server), for the tests that drive it
as a clerk does: real key presses on the window, to whichever widget has the focus, never slots."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QShortcut
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from counterapp.gui import jobs
from counterapp.gui.intake_panel import IntakePanel
from counterapp.gui.mainwindow import MainWindow
from counterapp.gui.queue_panel import QueuePanel
from counterapp.gui.window_geometry import window_settings
from counterapp.services import leases
from counterapp.services.workspace import Workspace
from tests.counter import AGENCY
from tests.gui.queuekit import make_queue_counter

__all__ = [
    "TIMEOUT", "Ambiguity", "fill_applicant", "intake_of", "make_window", "press", "queue_of", "window_workspace",
]  # fmt: skip

TIMEOUT = 10_000


def window_workspace(path: Path) -> Workspace:
    """Counter 5 with today's ticket leases (queuekit) and today's dossier codes, a clerk signed in."""
    workspace = make_queue_counter(path)
    with workspace.writing() as (session, now):
        for day in (now.date(), now.date() + timedelta(days=1)):  # a run across midnight still has codes
            leases.grant_lease(session, kind=leases.LeaseKind.DOSSIER_CODE, scope=AGENCY, day=day, start=1,
                               end=500, now=now)  # fmt: skip
    return workspace


def make_window(qtbot: QtBot, workspace: Workspace, settings_dir: Path, **options: object) -> MainWindow:
    """The window as the app opens it (``open()``: maximised the first time), active, with its panels loaded."""
    window = MainWindow(workspace, settings=window_settings(settings_dir), **options)  # type: ignore[arg-type]

    def before_close(win: MainWindow) -> None:
        win._closing_approved = True  # the test ends: no leave question
        queue_of(win).stop()
        jobs.wait_idle(15_000)

    qtbot.addWidget(window, before_close_func=before_close)
    with qtbot.waitSignal(queue_of(window).refreshed, timeout=TIMEOUT):
        window.open()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=TIMEOUT)  # window shortcuts need the active window
    qtbot.waitUntil(lambda: intake_of(window).picker.list.count() > 0, timeout=TIMEOUT)
    return window


def queue_of(window: MainWindow) -> QueuePanel:
    panel = window.panels["queue"]
    assert isinstance(panel, QueuePanel)
    return panel


def intake_of(window: MainWindow) -> IntakePanel:
    panel = window.panels["intake"]
    assert isinstance(panel, IntakePanel)
    return panel


def press(
    qtbot: QtBot, window: MainWindow, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    """A key pressed as on the keyboard: to the widget with the focus (the window if none has it)."""
    target: QWidget = QApplication.focusWidget() or window
    qtbot.keyClick(target, key, modifier)


class Ambiguity:
    """Every key the window received with two owners, so that Qt ran neither: a ``QShortcut`` emits
    ``activatedAmbiguously``; a ``QAction`` (Qt 6 has no such signal for it) logs "Ambiguous shortcut
    overload", which pytest-qt's ``qtlog`` captures."""

    def __init__(self, window: MainWindow, qtlog: Any) -> None:
        self._qtlog = qtlog
        self._shortcuts: list[str] = []
        for shortcut in window.findChildren(QShortcut):
            shortcut.activatedAmbiguously.connect(lambda s=shortcut: self._shortcuts.append(s.key().toString()))

    @property
    def keys(self) -> list[str]:
        logged = [r.message for r in self._qtlog.records if "Ambiguous shortcut" in r.message]
        return self._shortcuts + logged


def fill_applicant(intake: IntakePanel) -> None:
    """A valid applicant, typed the way Vietnamese must be in tests (setText: keyClicks aborts on it)."""
    a = intake.applicant
    a.name_edit.setText("Nguyễn Thị Tuyến")
    a.id_edit.setText("001190012345")
    a.dob_edit.setText("17/05/1990")
    a.phone_edit.setText("0912345678")
    a.address_edit.setText("Số 12 ngõ 34 phố Hàng Bông, Hoàn Kiếm, Hà Nội")
