"""The queue panel over a real counter store: every step runs as a job on the DB pool, so each test waits
on what the clerk would see (the big number, the list, the banner), never on a sleep."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, Qt
from sqlalchemy import select

from counterapp.domain.ticket import TicketState
from counterapp.gui import queue_panel as queue_panel_module
from counterapp.gui.jobs import wait_idle
from counterapp.gui.queue_dialogs import CallSpecificDialog, PauseDialog, TransferDialog
from counterapp.gui.queue_models import SHORTCUTS, Action, legal_actions
from counterapp.gui.queue_panel import QueuePanel
from counterapp.services import queue
from counterapp.services.workspace import Workspace
from counterapp.store.sync_models import OutboxRow
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


def last_op(workspace: Workspace) -> tuple[str, str | None, str]:
    """The newest op in the outbox: kind, reason, status."""
    with workspace.reading() as (session, _now):
        row = session.scalars(select(OutboxRow).order_by(OutboxRow.client_seq.desc())).first()
        assert row is not None
        return row.kind, row.payload.get("reason"), row.status


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


@pytest.mark.parametrize("action", list(Action))
def test_each_button_shows_its_key_first(qtbot, counter, action):
    panel = make_panel(qtbot, counter)
    assert panel.buttons[action].text().startswith(f"{SHORTCUTS[action]}  ")


def test_a_key_pressed_at_the_wrong_moment_says_what_to_press(qtbot, counter):
    # GIVEN a called ticket (not started)
    issue(counter)
    panel = make_panel(qtbot, counter)
    press(qtbot, panel, Action.CALL_NEXT)
    # WHEN Finish is asked for (what F5 does) THEN nothing happens to the ticket, and the clerk reads why
    with qtbot.waitSignal(panel.message, timeout=TIMEOUT) as said:
        assert panel.perform(Action.FINISH) is False
    assert said.args[0] == "Ticket A001 has not been started: press F4 when the citizen sits down."
    assert stored_state(counter, "A001")[0] is TicketState.CALLED
    with qtbot.waitSignal(panel.message, timeout=TIMEOUT) as said:
        assert panel.perform(Action.CALL_NEXT) is False
    assert said.args[0].startswith("Ticket A001 is still at the counter")
    # WHEN it is possible THEN perform does the button's step
    with qtbot.waitSignal(panel.refreshed, timeout=TIMEOUT):
        assert panel.perform(Action.START) is True
    qtbot.waitUntil(lambda: "Serving" in panel.state_label.text(), timeout=TIMEOUT)


def test_held_tickets_are_listed_and_called_back_with_one_click(qtbot, counter):
    # GIVEN A001 called and put on hold, A002 waiting
    issue(counter)
    issue(counter)
    panel = make_panel(qtbot, counter)
    press(qtbot, panel, Action.CALL_NEXT)
    press(qtbot, panel, Action.HOLD)
    # THEN A001 is in the held list (not lost from every list), A002 still waiting
    qtbot.waitUntil(lambda: panel.held.numbers() == ["A001"], timeout=TIMEOUT)
    assert panel.held.title.text() == "On hold: 1" and waiting_numbers(panel) == ["A002"]
    assert panel.held.call_button.isEnabled()
    # WHEN the clerk clicks "Call back" THEN A001 is at the counter again, called
    with qtbot.waitSignal(panel.refreshed, timeout=TIMEOUT):
        qtbot.mouseClick(panel.held.call_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.number_label.text() == "A001" and not panel._busy, timeout=TIMEOUT)
    assert stored_state(counter, "A001")[0] is TicketState.CALLED
    qtbot.waitUntil(lambda: panel.held.numbers() == [], timeout=TIMEOUT)
    # and while a ticket is at the counter no held ticket can be called over it
    assert not panel.held.call_button.isEnabled()


def test_a_no_show_can_be_undone(qtbot, counter):
    issue(counter)
    panel = make_panel(qtbot, counter)
    press(qtbot, panel, Action.CALL_NEXT)
    press(qtbot, panel, Action.NO_SHOW)
    # THEN an undo is offered
    assert panel.undo_bar.isVisible() and "A001" in panel.undo_label.text()
    assert stored_state(counter, "A001")[0] is TicketState.NO_SHOW
    # WHEN the citizen turns up and the clerk undoes THEN A001 is called at this counter again
    with qtbot.waitSignal(panel.refreshed, timeout=TIMEOUT):
        qtbot.mouseClick(panel.undo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.number_label.text() == "A001" and not panel._busy, timeout=TIMEOUT)
    assert stored_state(counter, "A001")[0] is TicketState.CALLED and not panel.undo_bar.isVisible()
    with counter.reading() as (session, now):
        kinds = [e.kind for e in queue.current_ticket(session, now=now).events]
    assert [k.value for k in kinds] == ["issued", "called", "no_show", "reactivated", "called"]


def test_the_undo_offer_expires(qtbot, counter, monkeypatch):
    # long enough to see the offer even when a loaded machine takes a while over the two key presses
    monkeypatch.setattr(queue_panel_module, "UNDO_MS", 1500)
    issue(counter)
    panel = make_panel(qtbot, counter)
    press(qtbot, panel, Action.CALL_NEXT)
    press(qtbot, panel, Action.NO_SHOW)
    assert panel.undo_bar.isVisible()
    qtbot.waitUntil(lambda: not panel.undo_bar.isVisible(), timeout=TIMEOUT)


def test_a_recall_shows_how_often_the_ticket_was_called_again(qtbot, counter):
    issue(counter)
    panel = make_panel(qtbot, counter)
    press(qtbot, panel, Action.CALL_NEXT)
    assert "called again" not in panel.state_label.text()
    with qtbot.waitSignal(panel.message, timeout=TIMEOUT, check_params_cb=lambda m: "again" in m) as said:
        press(qtbot, panel, Action.RECALL)
    assert said.args[0] == "Ticket A001 called again (1×)."
    assert "called again (1×)" in panel.state_label.text()
    press(qtbot, panel, Action.RECALL)
    assert "called again (2×)" in panel.state_label.text()


def test_a_refused_step_banner_goes_by_itself(qtbot, counter, monkeypatch):
    monkeypatch.setattr(queue_panel_module, "ERROR_SHOWN_MS", 300)
    panel = make_panel(qtbot, counter)
    press(qtbot, panel, Action.CALL_NEXT)  # nobody waiting: refused
    assert panel.banner_text() == "No one is waiting for your services right now."
    qtbot.waitUntil(lambda: not panel.banner.isVisible(), timeout=TIMEOUT)


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


def test_pause_is_recorded_for_the_server_and_shown_until_resumed(qtbot, counter):
    issue(counter)
    panel = make_panel(qtbot, counter)
    qtbot.mouseClick(panel.buttons[Action.PAUSE], Qt.MouseButton.LeftButton)
    dialog = panel.dialog
    assert isinstance(dialog, PauseDialog)
    dialog.reason_box.setEditText("Họp giao ban")
    with qtbot.waitSignal(panel.refreshed, timeout=TIMEOUT):
        dialog.accept()
    qtbot.waitUntil(lambda: panel.paused_reason == "Họp giao ban" and not panel._busy, timeout=TIMEOUT)
    assert panel.paused_label.isVisible() and "Họp giao ban" in panel.paused_label.text()
    assert not panel.buttons[Action.CALL_NEXT].isEnabled()
    assert "Resume" in panel.buttons[Action.PAUSE].text()
    # THEN the pause is an op in the outbox, like the other steps, with its reason
    assert last_op(counter)[:2] == ("counter.pause", "Họp giao ban")
    # WHEN resumed THEN calling is possible again, and the resume is an op too
    with qtbot.waitSignal(panel.refreshed, timeout=TIMEOUT):
        qtbot.mouseClick(panel.buttons[Action.PAUSE], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.paused_reason is None and not panel._busy, timeout=TIMEOUT)
    assert not panel.paused_label.isVisible() and panel.buttons[Action.CALL_NEXT].isEnabled()
    assert last_op(counter)[0] == "counter.resume"


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


def test_a_pause_reason_with_a_phone_number_is_refused_in_the_dialog_and_kept(qtbot, counter):
    panel = make_panel(qtbot, counter)
    qtbot.mouseClick(panel.buttons[Action.PAUSE], Qt.MouseButton.LeftButton)
    dialog = panel.dialog
    assert isinstance(dialog, PauseDialog)
    dialog.reason_box.setEditText("Gọi lại cho 0912 345 678")
    qtbot.mouseClick(dialog.ok_button(), Qt.MouseButton.LeftButton)
    # THEN the dialog stays, says why, keeps the text; nothing was recorded
    assert dialog.isVisible() and not dialog.error_label.isHidden()
    assert "No phone or ID numbers" in dialog.error_label.text()
    assert dialog.reason_box.currentText() == "Gọi lại cho 0912 345 678"
    with counter.reading() as (session, _now):
        kinds = set(session.scalars(select(OutboxRow.kind)))
    assert panel.paused_reason is None and "counter.pause" not in kinds
    dialog.reject()
