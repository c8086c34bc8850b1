"""A pulled counter row does not undo the clerk's pause while its ``counter.pause`` op waits in the outbox."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from counterapp.protocol.messages import Change
from counterapp.services import counter_status
from counterapp.store.database import Store
from counterapp.store.reference_models import CounterRow
from counterapp.store.sync_models import OutboxRow
from counterapp.sync import mirror
from tests.counter import NOW, counter_store

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
