"""A clerk's day on the keyboard: the real key sequences pressed on the real window, to whichever widget has
the focus, from each tab — never a slot called. Each test here failed on the window before the keys moved
to the main window (F5 had two owners and did nothing; the queue keys were dead outside the Counter tab;
Ctrl+F worked only on the Dossiers tab; a fresh form carried a procedure nobody chose)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections import Counter as Tally
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from counterapp.domain.ticket import TicketState
from counterapp.gui import jobs
from counterapp.gui.leave_guard import LeaveChoice
from counterapp.gui.mainwindow import MainWindow
from counterapp.gui.queue_models import SHORTCUTS, Action
from counterapp.gui.window_keys import KEYS
from counterapp.services import queue
from counterapp.services.workspace import Workspace
from counterapp.store.dossier_models import DossierRow
from tests.gui.queuekit import issue
from tests.gui.windowkit import (
    TIMEOUT,
    Ambiguity,
    fill_applicant,
    intake_of,
    make_window,
    press,
    queue_of,
    window_workspace,
)  # fmt: skip

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

F = {action: getattr(Qt.Key, f"Key_{key}") for action, key in SHORTCUTS.items()}
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    opened = window_workspace(tmp_path / "counter")
    yield opened
    jobs.wait_idle(15_000)
    opened.close()


@pytest.fixture
def window(qtbot: QtBot, workspace: Workspace, tmp_path: Path) -> MainWindow:
    return make_window(qtbot, workspace, tmp_path)


def state_of(workspace: Workspace, number: str) -> TicketState:
    with workspace.reading() as (session, now):
        return TicketState(queue.find_ticket(session, number, now=now).state)


def settled(window: MainWindow) -> bool:
    panel = queue_of(window)
    return not panel.busy and not panel._refreshing


def step(qtbot: QtBot, window: MainWindow, action: Action, shown: str) -> None:
    """Press ``action``'s F-key and wait until the counter shows ``shown`` ("—": no ticket)."""
    panel = queue_of(window)
    qtbot.waitUntil(lambda: settled(window), timeout=TIMEOUT)
    press(qtbot, window, F[action])
    qtbot.waitUntil(lambda: panel.number_label.text() == shown and settled(window), timeout=TIMEOUT)


def test_every_key_of_the_window_has_one_owner(window: MainWindow):
    # GIVEN every action and shortcut anywhere in the window
    keys: Tally[str] = Tally()
    for action in window.findChildren(QAction):
        for sequence in action.shortcuts():
            keys[sequence.toString()] += 1
    for shortcut in window.findChildren(QShortcut):
        keys[shortcut.key().toString()] += 1
    # THEN no key sequence has two owners, and each of the window's keys is there once
    assert [k for k, n in keys.items() if n > 1 and k] == []
    for key in KEYS.values():
        assert keys[QKeySequence(key).toString()] == 1, key
    # and the two that once collided are apart: F5 finishes, Ctrl+R syncs
    assert window.actions_by_key[Action.FINISH].shortcut().toString() == "F5"
    assert window.sync_action.shortcut().toString() == "Ctrl+R"


@pytest.mark.parametrize("tab", [0, 1, 2], ids=["counter-tab", "intake-tab", "dossiers-tab"])
def test_the_clerks_loop_by_keys_from_each_tab(
    qtbot: QtBot, qtlog: Any, window: MainWindow, workspace: Workspace, tab: int
):
    # GIVEN three citizens waiting, and the clerk on a tab, reached with its Ctrl+digit key
    for _ in range(3):
        issue(workspace)
    queue_panel = queue_of(window)
    queue_panel.refresh()
    qtbot.waitUntil(lambda: len(queue_panel.model.numbers()) == 3 and settled(window), timeout=TIMEOUT)
    ambiguous = Ambiguity(window, qtlog)
    press(qtbot, window, getattr(Qt.Key, f"Key_{tab + 1}"), CTRL)
    assert window.tabs.currentIndex() == tab
    # WHEN call (F2), start (F4), finish (F5), call next (F2), hold (F7), call next (F2), no-show (F6)
    step(qtbot, window, Action.CALL_NEXT, "A001")
    if tab:  # the other tabs show the ticket at the counter above them
        assert window.strip.isVisible() and "A001" in window.strip.text()
    step(qtbot, window, Action.START, "A001")
    step(qtbot, window, Action.FINISH, "—")
    step(qtbot, window, Action.CALL_NEXT, "A002")
    step(qtbot, window, Action.HOLD, "—")
    step(qtbot, window, Action.CALL_NEXT, "A003")
    step(qtbot, window, Action.NO_SHOW, "—")
    # THEN each step reached the store, the clerk never left the tab, and no key was ambiguous
    assert [state_of(workspace, n) for n in ("A001", "A002", "A003")] == [
        TicketState.DONE, TicketState.HELD, TicketState.NO_SHOW,
    ]  # fmt: skip
    assert window.tabs.currentIndex() == tab and ambiguous.keys == []
    # and the held ticket is listed, the no-show undone with Ctrl+Z (focus on no text field)
    assert queue_panel.held.numbers() == ["A002"]
    if QApplication.focusWidget() is not None and QApplication.focusWidget().inherits("QLineEdit"):
        window.tabs.setFocus()  # a text field keeps Ctrl+Z for its own undo, as it should
    press(qtbot, window, Qt.Key.Key_Z, CTRL)
    qtbot.waitUntil(lambda: queue_panel.number_label.text() == "A003" and settled(window), timeout=TIMEOUT)
    assert state_of(workspace, "A003") is TicketState.CALLED


def test_a_key_with_two_owners_is_caught(qtbot: QtBot, qtlog: Any, window: MainWindow, workspace: Workspace):
    """The check above can fail: a second F5 owner (as the menu's "Sync now" once was) runs neither."""
    issue(workspace)
    queue_of(window).refresh()
    step(qtbot, window, Action.CALL_NEXT, "A001")
    step(qtbot, window, Action.START, "A001")
    ambiguous = Ambiguity(window, qtlog)
    rival = QAction("Sync now", window)
    rival.setShortcut(QKeySequence("F5"))
    window.addAction(rival)
    press(qtbot, window, Qt.Key.Key_F5)
    qtbot.wait(300)
    assert ambiguous.keys and state_of(workspace, "A001") is TicketState.SERVING  # F5 did not finish


def test_tabs_switch_with_ctrl_digits_and_focus_lands_where_typing_starts(qtbot: QtBot, window: MainWindow):
    intake = intake_of(window)
    dossiers = window.panels["dossiers"]
    press(qtbot, window, Qt.Key.Key_2, CTRL)
    assert window.tabs.currentIndex() == 1
    qtbot.waitUntil(intake.picker.query_edit.hasFocus, timeout=TIMEOUT)
    press(qtbot, window, Qt.Key.Key_3, CTRL)
    assert window.tabs.currentIndex() == 2
    qtbot.waitUntil(dossiers.search_edit.hasFocus, timeout=TIMEOUT)  # type: ignore[attr-defined]
    press(qtbot, window, Qt.Key.Key_1, CTRL)
    assert window.tabs.currentIndex() == 0 and not window.strip.isVisible()


def test_ctrl_f_from_any_tab_opens_the_dossier_search(qtbot: QtBot, window: MainWindow):
    dossiers = window.panels["dossiers"]
    dossiers.tabs.setCurrentWidget(dossiers.register)  # type: ignore[attr-defined]
    for tab in (0, 1):
        window.tabs.setCurrentIndex(tab)
        press(qtbot, window, Qt.Key.Key_F, CTRL)
        assert window.tabs.currentIndex() == 2
        qtbot.waitUntil(dossiers.search_edit.hasFocus, timeout=TIMEOUT)  # type: ignore[attr-defined]
        assert dossiers.tabs.currentWidget() is dossiers.search_tab  # type: ignore[attr-defined]


def test_intake_by_keys_links_the_dossier_to_the_ticket_at_the_counter(
    qtbot: QtBot, window: MainWindow, workspace: Workspace
):
    # GIVEN A001 called and started at the counter
    issue(workspace)
    queue_of(window).refresh()
    step(qtbot, window, Action.CALL_NEXT, "A001")
    step(qtbot, window, Action.START, "A001")
    # WHEN Ctrl+N (from the Counter tab) opens a fresh intake form
    press(qtbot, window, Qt.Key.Key_N, CTRL)
    intake = intake_of(window)
    assert window.tabs.currentIndex() == 1 and intake.picker.current is None
    assert intake.ticket_label.text() == "Ticket A001: the dossier will be linked to it."
    # and the clerk picks the procedure by its code and fills the applicant (Vietnamese: setText)
    qtbot.waitUntil(intake.picker.query_edit.hasFocus, timeout=TIMEOUT)
    qtbot.keyClicks(intake.picker.query_edit, "1.004873")
    fill_applicant(intake)
    # WHEN Ctrl+S, then F5 finishes the ticket from the Intake tab
    with qtbot.waitSignal(intake.prints_finished, timeout=TIMEOUT):
        press(qtbot, window, Qt.Key.Key_S, CTRL)
    step(qtbot, window, Action.FINISH, "—")
    # THEN the dossier is linked to A001 (in the store and in the op the server receives), A001 is done
    with workspace.reading() as (session, now):
        ticket_id = queue.find_ticket(session, "A001", now=now).id
        dossier = session.scalars(select(DossierRow)).one()
    assert dossier.ticket_id == ticket_id and state_of(workspace, "A001") is TicketState.DONE
    assert intake.ticket_label.text() == "Ticket A001: this dossier is linked to it."


def test_ctrl_n_after_a_save_gives_a_form_without_the_previous_procedure(
    qtbot: QtBot, window: MainWindow, workspace: Workspace
):
    press(qtbot, window, Qt.Key.Key_2, CTRL)
    intake = intake_of(window)
    qtbot.keyClicks(intake.picker.query_edit, "1.004873")
    fill_applicant(intake)
    with qtbot.waitSignal(intake.prints_finished, timeout=TIMEOUT):
        press(qtbot, window, Qt.Key.Key_S, CTRL)
    # WHEN Ctrl+N and the next citizen's details, then Ctrl+S without choosing a procedure
    press(qtbot, window, Qt.Key.Key_N, CTRL)
    assert intake.picker.current is None and intake.discard_box is None
    fill_applicant(intake)
    with qtbot.waitSignal(intake.message, timeout=TIMEOUT, check_params_cb=lambda m: "highlighted" in m):
        press(qtbot, window, Qt.Key.Key_S, CTRL)
    # THEN no second dossier (no code, no receipt), and the procedure field says why
    assert intake.picker.error.text() == "Choose a procedure."
    with workspace.reading() as (session, _now):
        assert len(session.scalars(select(DossierRow)).all()) == 1


def test_signing_out_with_a_ticket_at_the_counter_asks_and_holds_it(
    qtbot: QtBot, window: MainWindow, workspace: Workspace
):
    issue(workspace)
    queue_of(window).refresh()
    step(qtbot, window, Action.CALL_NEXT, "A001")
    step(qtbot, window, Action.START, "A001")
    signed_out: list[bool] = []
    window.signed_out.connect(lambda: signed_out.append(True))
    # WHEN the clerk signs out THEN they are asked first; "Stay" (the default) keeps everything
    window.sign_out_action.trigger()
    dialog = window.leave_dialog
    assert dialog is not None and "A001 is still at the counter" in dialog.text()
    assert dialog.defaultButton() is dialog.choice_buttons[LeaveChoice.STAY]
    assert set(dialog.choice_buttons) == {LeaveChoice.STAY, LeaveChoice.LEAVE, LeaveChoice.HOLD_AND_LEAVE,
                                          LeaveChoice.FINISH_AND_LEAVE}  # fmt: skip
    qtbot.mouseClick(dialog.choice_buttons[LeaveChoice.STAY], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.leave_dialog is None, timeout=TIMEOUT)
    assert signed_out == [] and workspace.user is not None
    # WHEN asked again and the clerk holds the ticket and leaves
    window.sign_out_action.trigger()
    dialog = window.leave_dialog
    assert dialog is not None
    qtbot.mouseClick(dialog.choice_buttons[LeaveChoice.HOLD_AND_LEAVE], Qt.MouseButton.LeftButton)
    # THEN the ticket is held (the next clerk finds it in the held list) and the clerk is signed out
    qtbot.waitUntil(lambda: signed_out == [True], timeout=TIMEOUT)
    assert state_of(workspace, "A001") is TicketState.HELD and workspace.user is None


def test_signing_out_with_nothing_open_does_not_ask(qtbot: QtBot, window: MainWindow, workspace: Workspace):
    with qtbot.waitSignal(window.signed_out, timeout=TIMEOUT):
        window.sign_out_action.trigger()
    assert window.leave_dialog is None and workspace.user is None


def test_the_window_opens_maximised_then_as_it_was_left(qtbot: QtBot, workspace: Workspace, tmp_path: Path):
    # GIVEN a PC where the window never opened THEN it opens maximised
    first = make_window(qtbot, workspace, tmp_path)
    assert first.isMaximized()
    # WHEN the clerk makes it a normal window and closes it THEN the next start restores that
    first.showNormal()
    first.setGeometry(40, 50, 700, 480)  # inside the offscreen screen (800×600): restored as is
    qtbot.waitUntil(lambda: not first.isMaximized() and first.width() == 700, timeout=TIMEOUT)
    first._closing_approved = True
    first.close()
    second = make_window(qtbot, workspace, tmp_path)
    assert not second.isMaximized() and (second.width(), second.height()) == (700, 480)


def test_locking_with_a_ticket_at_the_counter_says_so(qtbot: QtBot, workspace: Workspace, tmp_path: Path):
    from functools import partial

    from counterapp.services import staff

    user = workspace.user
    assert user is not None
    with workspace.writing() as (session, now):
        staff.remember(session, user, user.username, "mật khẩu đủ dài", now=now)
    window = make_window(qtbot, workspace, tmp_path, verify_password=partial(staff.sign_in, workspace, None,
                                                                              user.username))  # fmt: skip
    issue(workspace)
    queue_of(window).refresh()
    step(qtbot, window, Action.CALL_NEXT, "A001")
    # WHEN Ctrl+L THEN the panels are covered and the lock dialog says the ticket is still at the counter
    press(qtbot, window, Qt.Key.Key_L, CTRL)
    lock = window.lock_dialog
    assert lock is not None and window.tabs.isHidden() and window.strip.isHidden()
    assert not lock.ticket_label.isHidden() and lock.ticket_label.text() == "Ticket A001 is still at the counter."
    # and the queue keys do nothing while locked
    press(qtbot, window, Qt.Key.Key_F6)
    qtbot.wait(200)
    assert state_of(workspace, "A001") is TicketState.CALLED
    window.watcher.pause()


def test_closing_the_window_with_a_ticket_at_the_counter_asks_first(
    qtbot: QtBot, window: MainWindow, workspace: Workspace
):
    issue(workspace)
    queue_of(window).refresh()
    step(qtbot, window, Action.CALL_NEXT, "A001")
    # WHEN the window is closed THEN it stays open and asks
    assert window.close() is False
    dialog = window.leave_dialog
    assert dialog is not None and dialog.closing and window.isVisible()
    assert LeaveChoice.FINISH_AND_LEAVE not in dialog.choice_buttons  # called, not served: no finish offered
    # WHEN the clerk holds the ticket and leaves THEN the ticket is held and the window closes
    qtbot.mouseClick(dialog.choice_buttons[LeaveChoice.HOLD_AND_LEAVE], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=TIMEOUT)
    assert state_of(workspace, "A001") is TicketState.HELD
