"""``counter.pause`` / ``counter.resume``: the payload model is strict about the reason the lead will read,
and a pulled counter row does not undo the clerk's pause while its op waits in the outbox."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from counterapp.services import counter_status
from counterapp.store.database import Store
from counterapp.store.reference_models import CounterRow
from counterapp.store.sync_models import OutboxRow
from counterapp.sync import mirror, ops
from counterapp.sync.payloads import CounterPauseV1, CounterResumeV1, UndecodableOp, decode_payload
from counterapp.sync.protocol import Change, classify
from tests.counter import NOW, counter_store

PAUSE = {"counter": "5", "reason": "Họp giao ban", "at": "2026-03-16T10:02:00"}
RESUME = {"counter": "5", "at": "2026-03-16T10:30:00"}


def test_a_pause_and_a_resume_decode_and_are_facts() -> None:
    pause = decode_payload("counter.pause", 1, PAUSE)
    assert isinstance(pause, CounterPauseV1) and (pause.counter, pause.reason) == ("5", "Họp giao ban")
    assert pause.at == NOW.replace(hour=10, minute=2)
    assert isinstance(decode_payload("counter.resume", 1, RESUME), CounterResumeV1)
    assert classify("counter.pause") == classify("counter.resume") == "fact"
    assert ops.ALL["counter.pause"].version == ops.ALL["counter.resume"].version == 1


@pytest.mark.parametrize(
    ("payload", "why"),
    [
        (PAUSE | {"reason": ""}, "reason: Value error, text.required"),
        (PAUSE | {"reason": "x" * 201}, "reason: Value error, text.too_long"),
        (PAUSE | {"reason": "Nghỉ\x00trưa"}, "reason: Value error, text.invalid_character"),
        (PAUSE | {"reason": "  Nghỉ  trưa"}, "reason: Value error, text.not_clean"),
        (PAUSE | {"reason": unicodedata.normalize("NFD", "Nghỉ trưa")}, "reason: Value error, text.not_clean"),
        (PAUSE | {"reason": "Gọi 0912345678"}, "reason: Value error, text.personal_data"),
        (PAUSE | {"reason": 42}, "reason: Input should be a valid string"),
        (PAUSE | {"reason": None}, "reason: Input should be a valid string"),
        ({k: v for k, v in PAUSE.items() if k != "reason"}, "reason: Field required"),
        (PAUSE | {"counter": ""}, "counter: String should have at least 1 character"),
        (PAUSE | {"at": 1773630120}, "at: Value error, expected an ISO 8601"),
    ],
)
def test_a_pause_with_a_bad_reason_is_undecodable_and_says_why_without_the_value(payload: Any, why: str) -> None:
    with pytest.raises(UndecodableOp) as caught:
        decode_payload("counter.pause", 1, payload)
    assert why in caught.value.reason
    assert "0912345678" not in caught.value.reason and "Nghỉ" not in caught.value.reason


def test_a_resume_carries_no_reason() -> None:
    with pytest.raises(UndecodableOp, match="reason: Extra inputs are not permitted"):
        decode_payload("counter.resume", 1, RESUME | {"reason": "Quay lại"})


def test_two_hundred_characters_are_a_valid_reason() -> None:
    assert len(decode_payload("counter.pause", 1, PAUSE | {"reason": "ạ" * 200}).reason) == 200  # type: ignore[attr-defined]


# --- the mirror ----------------------------------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = counter_store(tmp_path / "data")
    yield opened
    opened.close()


def counter_change(seq: int, number: str, status: str, reason: str | None = None, epoch: int = 2) -> Change:
    """A counter row as the server's feed sends it."""
    ident = f"server-id-{number}"
    data = {"id": ident, "number": number, "name": f"Quầy {number}", "status": status, "pause_reason": reason,
            "epoch": epoch, "services": ["HTCT"]}  # fmt: skip
    return Change(space="centre:c1", seq=seq, entity="counter", id=ident, op="upsert", version=seq, data=data)


def local(store: Store, number: str = "5") -> tuple[str, str | None, int]:
    with store.read() as s:
        row = s.get_one(CounterRow, number)
        return row.status, row.pause_reason, row.epoch


def test_a_pulled_counter_row_waits_while_the_clerks_pause_is_unanswered(store: Store) -> None:
    # GIVEN the clerk paused counter 5; the op has not been answered yet
    with store.write() as s:
        counter_status.pause_counter(s, "Nghỉ trưa", now=NOW, user_id="clerk-1")
    # WHEN a pull brings counter 5 as the server had it before the op (open), and counter 7
    held: dict[str, int] = {}
    with store.write() as s:
        applied = mirror.apply_changes(s, [counter_change(40, "5", "open"), counter_change(41, "7", "open")], held)
    # THEN counter 5 stays paused and its change is kept back (the cursor stays before it); 7 is applied
    assert applied == 1 and held == {"centre:c1": 40}
    assert local(store) == ("paused", "Nghỉ trưa", 0)
    assert local(store, "7") == ("open", None, 2)
    # WHEN the server has answered the op, the same change applies: the server's word wins from then on
    with store.write() as s:
        s.execute(update(OutboxRow).values(status="applied"))
        assert mirror.apply_changes(s, [counter_change(40, "5", "closed", epoch=3)]) == 1
    assert local(store) == ("closed", None, 3)
    with store.read() as s:
        assert counter_status.counter_state(s).since is None  # the lead's change: its time is not known


def test_the_clerks_own_pause_coming_back_keeps_its_start(store: Store) -> None:
    with store.write() as s:
        counter_status.pause_counter(s, "Nghỉ trưa", now=NOW, user_id="clerk-1")
        s.execute(update(OutboxRow).values(status="applied"))
    with store.write() as s:
        mirror.apply_changes(s, [counter_change(42, "5", "paused", "Nghỉ trưa")])
    with store.read() as s:
        assert counter_status.counter_state(s) == counter_status.CounterState("paused", "Nghỉ trưa", NOW)
    with store.write() as s:  # a resume pending again: the pulled pause does not reopen… nor re-pause it
        counter_status.resume_counter(s, now=NOW + timedelta(minutes=30), user_id="clerk-1")
        mirror.apply_changes(s, [counter_change(43, "5", "paused", "Nghỉ trưa")])
    assert local(store) == ("open", None, 2)
