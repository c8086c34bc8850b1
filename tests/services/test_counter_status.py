"""The clerk pauses and resumes counter 5 on a real data directory: the counter's row and its op are written
in one transaction, a second pause only replaces the reason, a resume of an open counter writes nothing,
a counter the lead closed refuses both, and the queue panel's snapshot shows the status and the held
tickets."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from counterapp.domain.errors import ValidationFailed
from counterapp.domain.ticket import EventKind
from counterapp.services import counter_status, counter_view, queue
from counterapp.services.counter_status import CounterClosed, CounterState
from counterapp.store.database import Store
from counterapp.store.outbox import device_meta
from counterapp.store.queue_models import TicketRow
from counterapp.store.reference_models import CounterRow
from counterapp.store.sync_models import OutboxRow

from .conftest import NOW


def at(minutes: int) -> datetime:
    return NOW + timedelta(minutes=minutes)


def outbox(store: Store) -> list[tuple[str, dict[str, object], int, str | None]]:
    with store.read() as s:
        rows = s.scalars(select(OutboxRow).order_by(OutboxRow.client_seq))
        return [(r.kind, r.payload, r.epoch, r.user_id) for r in rows]


def counter_row(store: Store) -> tuple[str, str | None, datetime | None]:
    with store.read() as s:
        row = s.get_one(CounterRow, "5")
        return row.status, row.pause_reason, row.status_since


def set_status(store: Store, status: str, *, epoch: int | None = None) -> None:
    """What the sync mirror writes when the server's counter arrives (the lead's change)."""
    with store.write() as s:
        row = s.get_one(CounterRow, "5")
        row.status, row.pause_reason, row.status_since = status, None, None
        if epoch is not None:
            row.epoch = epoch


def test_a_pause_writes_the_counter_and_its_op_in_one_transaction(store: Store) -> None:
    set_status(store, "open", epoch=3)
    # GIVEN an open counter  WHEN the clerk pauses it
    with store.write() as s:
        state = counter_status.pause_counter(s, "Họp giao ban", now=at(62), user_id="clerk-1")
    # THEN it is paused since now, with the reason, and exactly one op says so with the counter's epoch
    assert state == CounterState("paused", "Họp giao ban", at(62))
    assert counter_row(store) == ("paused", "Họp giao ban", at(62))
    payload = {"counter": "5", "reason": "Họp giao ban", "at": at(62).isoformat()}
    assert outbox(store) == [("counter.pause", payload, 3, "clerk-1")]
    # AND a transaction that fails after the pause leaves neither the status nor the op behind
    with pytest.raises(RuntimeError), store.write() as s:
        counter_status.resume_counter(s, now=at(70), user_id="clerk-1")
        assert counter_status.counter_state(s).status == "open"
        raise RuntimeError("the disk is full")
    assert counter_row(store) == ("paused", "Họp giao ban", at(62))
    with store.read() as s:
        assert device_meta(s).last_client_seq == 1  # the sequence number went with the rollback


def test_a_second_pause_replaces_the_reason_and_the_same_one_writes_nothing(store: Store) -> None:
    with store.write() as s:
        counter_status.pause_counter(s, "Nghỉ giải lao", now=at(10), user_id="clerk-1")
    # the reason is stored as the payload model requires it: NFC, whitespace folded
    decomposed = unicodedata.normalize("NFD", "  Xử lý   hồ sơ ")
    with store.write() as s:
        state = counter_status.pause_counter(s, decomposed, now=at(20), user_id="clerk-1")
    assert state == CounterState("paused", "Xử lý hồ sơ", at(10))  # still paused since the first pause
    with store.write() as s:
        again = counter_status.pause_counter(s, "Xử lý hồ sơ", now=at(30), user_id="clerk-1")
    assert again == state
    assert [(kind, payload["reason"]) for kind, payload, _epoch, _user in outbox(store)] == [
        ("counter.pause", "Nghỉ giải lao"),
        ("counter.pause", "Xử lý hồ sơ"),
    ]


def test_a_resume_opens_a_paused_counter_and_is_a_no_op_on_an_open_one(store: Store) -> None:
    # GIVEN an open counter  WHEN the clerk resumes it  THEN nothing at all is written
    with store.write() as s:
        assert counter_status.resume_counter(s, now=at(5), user_id="clerk-1") == CounterState("open", None, None)
    assert outbox(store) == []
    with store.read() as s:
        assert device_meta(s).last_client_seq == 0
    # GIVEN a paused counter  WHEN the clerk resumes it  THEN it is open since now, with its op
    with store.write() as s:
        counter_status.pause_counter(s, "Nghỉ trưa", now=at(10), user_id="clerk-1")
    with store.write() as s:
        state = counter_status.resume_counter(s, now=at(40), user_id="clerk-2")
    assert state == CounterState("open", None, at(40)) and counter_row(store) == ("open", None, at(40))
    assert outbox(store)[-1] == ("counter.resume", {"counter": "5", "at": at(40).isoformat()}, 0, "clerk-2")


def test_a_counter_the_lead_closed_is_neither_paused_nor_resumed_by_the_clerk(store: Store) -> None:
    set_status(store, "closed")
    with pytest.raises(CounterClosed) as refused, store.write() as s:
        counter_status.pause_counter(s, "Nghỉ trưa", now=at(10), user_id="clerk-1")
    assert refused.value.code == "counter.closed"
    with pytest.raises(CounterClosed) as refused, store.write() as s:
        counter_status.resume_counter(s, now=at(10), user_id="clerk-1")
    assert refused.value.code == "counter.closed"
    assert counter_row(store) == ("closed", None, None) and outbox(store) == []


@pytest.mark.parametrize(
    ("reason", "code"),
    [
        ("", "text.required"),
        (" \t\n ", "text.required"),
        ("x" * 201, "text.too_long"),
        ("Nghỉ\x00trưa", "text.invalid_character"),
        ("Gọi lại 0912 345 678", "text.personal_data"),
        ("CCCD 001090012345", "text.personal_data"),
    ],
)
def test_a_pause_without_a_fit_reason_is_refused_and_writes_nothing(store: Store, reason: str, code: str) -> None:
    with pytest.raises(ValidationFailed) as refused, store.write() as s:
        counter_status.pause_counter(s, reason, now=at(10), user_id="clerk-1")
    assert [(e.field, e.code) for e in refused.value.errors] == [("reason", code)]
    assert counter_row(store) == ("open", None, None) and outbox(store) == []


def test_two_hundred_characters_and_a_dossier_code_are_a_fit_reason(store: Store) -> None:
    with store.write() as s:
        counter_status.pause_counter(s, "ạ" * 200, now=at(10), user_id="clerk-1")
        counter_status.pause_counter(s, "Xử lý 000.00.01.H26-260316-0001", now=at(11), user_id="clerk-1")
    assert [kind for kind, *_ in outbox(store)] == ["counter.pause", "counter.pause"]


def test_the_snapshot_shows_the_pause_and_the_tickets_held_here_oldest_first(store: Store) -> None:
    with store.write() as s:
        for minutes in (0, 1, 2, 3):  # A001–A004
            queue.issue_walkin(s, service_code="HTCT", now=at(minutes), user_id="clerk-1")
    with store.write() as s:  # A002 and A001 go to photocopy (held in that order); A003 is served
        for number, minutes in (("A002", 10), ("A001", 12)):
            queue.act(s, EventKind.CALLED, number, now=at(minutes), user_id="clerk-1")
            queue.act(s, EventKind.HELD, None, now=at(minutes + 1), user_id="clerk-1", reason="đi photo")
        queue.act(s, EventKind.CALLED, "A003", now=at(20), user_id="clerk-1")
        # A004 was held at counter 7 (a row the mirror brought): not this counter's to call back
        other = s.scalars(select(TicketRow).where(TicketRow.number == "A004")).one()
        other.state, other.counter_number = "held", "7"
    with store.read() as s:
        view = counter_view.snapshot(s, now=at(25))
    assert (view.status, view.pause_reason, view.paused_since) == ("open", None, None)
    assert [t.number for t in view.held] == ["A001", "A002"]  # by issue time, not by hold time
    assert view.held[0].events[-1].kind is EventKind.HELD and view.held[0].events[-1].reason == "đi photo"
    assert view.current is not None and view.current.number == "A003"
    with store.write() as s:
        counter_status.pause_counter(s, "Nghỉ giải lao", now=at(30), user_id="clerk-1")
    with store.read() as s:
        paused = counter_view.snapshot(s, now=at(31))
    assert (paused.status, paused.pause_reason, paused.paused_since) == ("paused", "Nghỉ giải lao", at(30))
    # tomorrow, yesterday's held tickets are not listed
    with store.read() as s:
        assert counter_view.snapshot(s, now=at(24 * 60)).held == []
