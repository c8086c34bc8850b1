"""The queue panel over a real counter store: every step runs as a job on the DB pool, so each test waits
on what the clerk would see (the big number, the list, the banner), never on a sleep."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, Qt

from counterapp.domain.ticket import TicketState
from counterapp.gui.jobs import wait_idle
from counterapp.gui.queue_dialogs import CallSpecificDialog, PauseDialog, TransferDialog
from counterapp.gui.queue_models import SHORTCUTS, Action, legal_actions
from counterapp.gui.queue_panel import QueuePanel
from counterapp.services import queue
from counterapp.services.workspace import Workspace
from tests.gui.queuekit import add_conflict, add_kiosk_ticket, issue, make_queue_counter

TIMEOUT = 5_000


@pytest.fixture
def counter(tmp_path: Path) -> Iterator[Workspace]:
    workspace = make_queue_counter(tmp_path / "queue")
    yield workspace
    wait_idle()  # no job may outlive the store
    workspace.close()


def make_panel(qtbot, workspace: Workspace) -> QueuePanel:
    panel = QueuePanel(workspace)
    qtbot.addWidget(panel, before_close_func=lambda p: (p.stop(), wait_idle()))
    with qtbot.waitSignal(panel.refreshed, timeout=TIMEOUT):
        panel.show()
    return panel


def press(qtbot, panel: QueuePanel, action: Action) -> None:
    """Click ``action`` and wait until its step and the refresh after it are shown."""
    assert panel.buttons[action].isEnabled(), action
    with qtbot.waitSignal(panel.refreshed, timeout=TIMEOUT):
        qtbot.mouseClick(panel.buttons[action], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel._busy and not panel._refreshing, timeout=TIMEOUT)


def waiting_numbers(panel: QueuePanel) -> list[str]:
    return panel.model.numbers()


def stored_state(workspace: Workspace, number: str) -> tuple[TicketState, str]:
    with workspace.reading() as (session, now):
        row = queue.find_ticket(session, number, now=now)
        return TicketState(row.state), row.service_code


def test_call_start_finish_updates_the_big_number_and_the_list(qtbot, counter):
    # GIVEN two walk-ins waiting
    issue(counter)
    issue(counter)
    panel = make_panel(qtbot, counter)
    assert waiting_numbers(panel) == ["A001", "A002"]
    assert panel.waiting_title.text() == "Waiting: 2 ticket(s)"
    assert panel.number_label.text() == "—"
    assert panel.number_label.font().pointSize() >= 36
    assert not panel.buttons[Action.FINISH].isEnabled()
    # WHEN the clerk calls next
    press(qtbot, panel, Action.CALL_NEXT)
    # THEN the first ticket is large on the panel, called, and gone from the list
    assert panel.number_label.text() == "A001"
    assert "Called" in panel.state_label.text()
    assert "HTCT" in panel.service_label.text()
    assert panel.waited_label.text() == "Waited 0 min before the call"
    assert waiting_numbers(panel) == ["A002"]
    assert not panel.buttons[Action.CALL_NEXT].isEnabled()  # settle A001 first
    assert not panel.buttons[Action.FINISH].isEnabled()  # not serving yet
    # WHEN serving starts, then finishes
    press(qtbot, panel, Action.START)
    assert "Serving" in panel.state_label.text()
    assert panel.buttons[Action.FINISH].isEnabled() and not panel.buttons[Action.RECALL].isEnabled()
    with qtbot.waitSignal(panel.message, timeout=TIMEOUT) as said:
        press(qtbot, panel, Action.FINISH)
    assert "A001" in said.args[0]
    # THEN the counter is free again and the ticket is done in the store
    assert panel.number_label.text() == "—"
    assert panel.buttons[Action.CALL_NEXT].isEnabled()
    assert stored_state(counter, "A001")[0] is TicketState.DONE


def test_recall_then_no_show(qtbot, counter):
    issue(counter)
    panel = make_panel(qtbot, counter)
    press(qtbot, panel, Action.CALL_NEXT)
    press(qtbot, panel, Action.RECALL)
    assert panel.number_label.text() == "A001"
    press(qtbot, panel, Action.NO_SHOW)
    assert panel.number_label.text() == "—"
    assert stored_state(counter, "A001")[0] is TicketState.NO_SHOW


def test_hold_parks_the_ticket_and_call_specific_brings_it_back(qtbot, counter):
    issue(counter)
    issue(counter)
    panel = make_panel(qtbot, counter)
    press(qtbot, panel, Action.CALL_NEXT)
    press(qtbot, panel, Action.HOLD)
    assert stored_state(counter, "A001")[0] is TicketState.HELD
    # WHEN the clerk calls A001 by number (a held ticket may be called directly)
    qtbot.mouseClick(panel.buttons[Action.CALL_SPECIFIC], Qt.MouseButton.LeftButton)
    dialog = panel.dialog
    assert isinstance(dialog, CallSpecificDialog)
    assert not dialog.ok_button().isEnabled()
    qtbot.keyClicks(dialog.number_edit, "a001")  # ASCII only
    assert dialog.ok_button().isEnabled()
    with qtbot.waitSignal(panel.refreshed, timeout=TIMEOUT):
        dialog.accept()
    qtbot.waitUntil(lambda: panel.number_label.text() == "A001", timeout=TIMEOUT)
    assert waiting_numbers(panel) == ["A002"]


def test_call_specific_out_of_order(qtbot, counter):
    for _ in range(3):
        issue(counter)
    panel = make_panel(qtbot, counter)
    panel.buttons[Action.CALL_SPECIFIC].click()
    assert isinstance(panel.dialog, CallSpecificDialog)
    panel.dialog.number_edit.setText("A003")
    panel.dialog.accept()
    qtbot.waitUntil(lambda: panel.number_label.text() == "A003", timeout=TIMEOUT)
    qtbot.waitUntil(lambda: waiting_numbers(panel) == ["A001", "A002"], timeout=TIMEOUT)


def test_transfer_to_another_service(qtbot, counter):
    issue(counter)
    panel = make_panel(qtbot, counter)
    press(qtbot, panel, Action.CALL_NEXT)
    qtbot.mouseClick(panel.buttons[Action.TRANSFER], Qt.MouseButton.LeftButton)
    dialog = panel.dialog
    assert isinstance(dialog, TransferDialog)
    codes = [dialog.service_list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(dialog.service_list.count())]
    assert "HTCT" not in codes and "DDXD" in codes  # never the ticket's own service
    assert not dialog.ok_button().isEnabled()
    dialog.select_service("DDXD")
    dialog.reason_edit.setText("Hồ sơ đất đai")  # non-ASCII: setText, never keyClicks
    with qtbot.waitSignal(panel.refreshed, timeout=TIMEOUT):
        dialog.accept()
    qtbot.waitUntil(lambda: panel.number_label.text() == "—", timeout=TIMEOUT)
    # THEN the ticket keeps its number, waits in the other service (this standalone counter serves all)
    assert stored_state(counter, "A001") == (TicketState.WAITING, "DDXD")
    assert waiting_numbers(panel) == ["A001"]


def test_empty_queue_shows_a_banner_in_plain_words(qtbot, counter):
    panel = make_panel(qtbot, counter)
    assert not panel.banner.isVisible()
    with qtbot.waitSignal(panel.message, timeout=TIMEOUT) as said:
        press(qtbot, panel, Action.CALL_NEXT)
    assert panel.banner.isVisible()
    assert panel.banner_text() == "No one is waiting for your services right now."
    assert said.args == ["No one is waiting for your services right now."]
    assert "Traceback" not in panel.banner_text() and "queue.empty" not in panel.banner_text()
    # WHEN a ticket arrives and the clerk calls again THEN the banner goes
    issue(counter)
    press(qtbot, panel, Action.CALL_NEXT)
    assert not panel.banner.isVisible()
    assert panel.number_label.text() == "A001"


def test_dismiss_hides_the_banner(qtbot, counter):
    panel = make_panel(qtbot, counter)
    press(qtbot, panel, Action.CALL_NEXT)
    qtbot.mouseClick(panel.dismiss_button, Qt.MouseButton.LeftButton)
    assert not panel.banner.isVisible()


def test_a_lost_call_from_sync_shows_until_dismissed(qtbot, counter):
    # GIVEN the server refused this counter's call of A001 (another counter called it first)
    issue(counter)
    add_conflict(counter, "A001")
    add_conflict(counter, "A001", code="some.future_code")  # a code this release does not know yet
    panel = make_panel(qtbot, counter)
    # THEN the panel says so in plain words, with the ticket number
    assert "Ticket A001: another counter called it first." in panel.banner_text()
    assert "A001: the server did not accept a step (some.future_code)." in panel.banner_text()
    assert "was called at counter 2" in panel.banner_label.toolTip()
    # WHEN the clerk dismisses it THEN it is marked seen and stays gone after the refresh
    with qtbot.waitSignal(panel.refreshed, timeout=TIMEOUT):
        qtbot.mouseClick(panel.dismiss_button, Qt.MouseButton.LeftButton)
    assert not panel.banner.isVisible()
    with qtbot.waitSignal(panel.refreshed, timeout=TIMEOUT):
        panel.refresh()
    assert not panel.banner.isVisible()


@pytest.mark.parametrize(
    ("action", "key"),
    [(Action.CALL_NEXT, Qt.Key.Key_F2), (Action.CALL_SPECIFIC, Qt.Key.Key_F9), (Action.PAUSE, Qt.Key.Key_F12)],
)
def test_shortcuts_are_shown_on_the_buttons(qtbot, counter, action, key):
    panel = make_panel(qtbot, counter)
    assert panel.buttons[action].text().startswith(SHORTCUTS[action])
    assert panel.shortcuts[action].key().toString() == SHORTCUTS[action]
    assert panel.shortcuts[action].key()[0].key() == key


def test_function_keys_drive_the_queue(qtbot, counter):
    issue(counter)
    panel = make_panel(qtbot, counter)
    panel.activateWindow()
    qtbot.waitUntil(panel.isActiveWindow, timeout=TIMEOUT)
    # F2 calls next, F4 starts, F5 finishes
    qtbot.keyClick(panel, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: panel.number_label.text() == "A001", timeout=TIMEOUT)
    qtbot.waitUntil(lambda: panel.buttons[Action.START].isEnabled(), timeout=TIMEOUT)
    qtbot.keyClick(panel, Qt.Key.Key_F4)
    qtbot.waitUntil(lambda: "Serving" in panel.state_label.text(), timeout=TIMEOUT)
    qtbot.waitUntil(lambda: panel.buttons[Action.FINISH].isEnabled(), timeout=TIMEOUT)
    qtbot.keyClick(panel, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: panel.number_label.text() == "—", timeout=TIMEOUT)
    assert stored_state(counter, "A001")[0] is TicketState.DONE


def test_offline_calls_only_the_hand_and_walkins(qtbot, counter):
    # GIVEN a kiosk ticket in nobody's hand (issued first), one dealt to counter 5, and a walk-in
    add_kiosk_ticket(counter, "A500", dealt_to=None)
    add_kiosk_ticket(counter, "A501", dealt_to="5")
    issue(counter)
    panel = make_panel(qtbot, counter)
    assert set(waiting_numbers(panel)) == {"A500", "A501", "A001"}
    assert not panel.offline_label.isVisible()
    # WHEN the counter goes offline
    with qtbot.waitSignal(panel.refreshed, timeout=TIMEOUT):
        panel.set_online(False)
    # THEN the panel says so and lists (and calls) only what is callable offline
    assert panel.offline_label.isVisible() and "Offline" in panel.offline_label.text()
    assert set(waiting_numbers(panel)) == {"A501", "A001"}
    press(qtbot, panel, Action.CALL_NEXT)
    assert panel.number_label.text() in {"A501", "A001"}
    assert stored_state(counter, "A500")[0] is TicketState.WAITING
    # WHEN back online THEN the kiosk ticket is listed again
    with qtbot.waitSignal(panel.refreshed, timeout=TIMEOUT):
        panel.set_online(True)
    assert "A500" in waiting_numbers(panel)


def test_pause_is_kept_and_shown_until_resumed(qtbot, counter):
    issue(counter)
    panel = make_panel(qtbot, counter)
    qtbot.mouseClick(panel.buttons[Action.PAUSE], Qt.MouseButton.LeftButton)
    dialog = panel.dialog
    assert isinstance(dialog, PauseDialog)
    dialog.reason_box.setEditText("Họp giao ban")
    dialog.accept()
    assert panel.paused_reason == "Họp giao ban"
    assert panel.paused_label.isVisible() and "Họp giao ban" in panel.paused_label.text()
    assert not panel.buttons[Action.CALL_NEXT].isEnabled()
    assert "Resume" in panel.buttons[Action.PAUSE].text()
    qtbot.mouseClick(panel.buttons[Action.PAUSE], Qt.MouseButton.LeftButton)
    assert panel.paused_reason is None and not panel.paused_label.isVisible()
    assert panel.buttons[Action.CALL_NEXT].isEnabled()


def test_priority_mark_in_the_list(qtbot, counter):
    issue(counter)
    issue(counter, priority="elderly")
    panel = make_panel(qtbot, counter)
    assert waiting_numbers(panel) == ["A002", "A001"]  # strict rule: priority first
    assert panel.model.index(0, 2).data().startswith("★")
    assert panel.model.index(1, 2).data() == ""
    assert panel.model.index(0, 3).data() == 0
    assert panel.model.headerData(3, Qt.Orientation.Horizontal) == "Waited (min)"


def test_retranslate_keeps_every_text(qtbot, counter):
    panel = make_panel(qtbot, counter)
    press(qtbot, panel, Action.CALL_NEXT)  # a banner to re-word
    before = [b.text() for b in panel.buttons.values()], panel.banner_text(), panel.state_label.text()
    panel.retranslate_ui()
    assert ([b.text() for b in panel.buttons.values()], panel.banner_text(), panel.state_label.text()) == before


def test_service_and_priority_names_follow_the_language(qtbot, counter):
    issue(counter, priority="elderly")
    panel = make_panel(qtbot, counter)
    press(qtbot, panel, Action.CALL_NEXT)
    assert panel.service_label.text() == "HTCT — Civil status, certification"
    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.Vietnamese))  # what LanguageManager does on a switch
    try:
        panel.retranslate_ui()
        assert panel.service_label.text() == "HTCT — Hộ tịch, chứng thực"
        assert "★ Người cao tuổi" in panel.state_label.text()
    finally:
        QLocale.setDefault(before)


def test_legal_actions_follow_the_state_machine():
    from datetime import datetime

    from counterapp.domain.ticket import Ticket

    called = Ticket("A001", "HTCT", None, datetime(2026, 3, 16, 9), TicketState.CALLED, "5")
    serving = Ticket("A001", "HTCT", None, datetime(2026, 3, 16, 9), TicketState.SERVING, "5")
    assert legal_actions(None, paused=False) == {Action.CALL_NEXT, Action.CALL_SPECIFIC, Action.PAUSE}
    assert legal_actions(None, paused=True) == {Action.PAUSE}
    assert legal_actions(called, paused=False) == {
        Action.RECALL, Action.START, Action.NO_SHOW, Action.HOLD, Action.TRANSFER,
    }  # fmt: skip
    assert legal_actions(serving, paused=False) == {Action.FINISH, Action.HOLD, Action.TRANSFER}
