"""The clerk pauses and resumes their own counter (F12 in the queue panel), and the server hears of it.

A pause is not just something the window shows: the shift lead must see that counter 5 stopped calling
(and why), and the server must stop holding tickets in its hand for a counter that calls nothing. So each
change writes the counter's local row *and* its op (``counter.pause`` / ``counter.resume``, facts) in the
caller's one transaction, like every other action at the counter; the sync engine pushes it. While the op
waits in the outbox, a pulled copy of the counter does not overwrite the local status (``sync.mirror``),
and the engine asks for no hand while the counter is not open (``SyncEngine.refresh_hand``).

Rules: a pause needs a reason (``domain.counter.pause_reason``: cleaned, 1–200 characters, no personal
data); pausing a paused counter replaces the reason (the same reason again changes nothing); resuming an
open counter changes nothing and writes nothing. A counter the lead *closed* is the lead's to reopen: the
clerk can neither pause nor resume it (``CounterClosed``, code ``counter.closed``).

Qt-free; every value returned is a frozen dataclass, safe to hand to the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from counterapp.domain.counter import CounterStatus, pause_reason
from counterapp.domain.errors import DomainError
from counterapp.protocol import ops
from counterapp.services.errors import NotFound
from counterapp.store import outbox
from counterapp.store.reference_models import CounterRow

__all__ = ["CounterClosed", "CounterState", "counter_state", "pause_counter", "resume_counter"]


class CounterClosed(DomainError):
    """The lead closed this counter; only the lead opens it again."""

    code = "counter.closed"


@dataclass(frozen=True, slots=True)
class CounterState:
    status: str  # open | paused | closed (``CounterStatus`` values)
    pause_reason: str | None
    since: datetime | None  # when this counter's clerk set the status; None when it came from the server


def _row(session: Session) -> CounterRow:
    number = outbox.device_meta(session).counter_number
    row = session.get(CounterRow, number)
    if row is None:  # ``init_device`` writes it, the mirror never deletes it
        raise NotFound("this device's counter is not in the cache", field="counter", counter=number)
    return row


def _state(row: CounterRow) -> CounterState:
    return CounterState(row.status, row.pause_reason, row.status_since)


def counter_state(session: Session) -> CounterState:
    """This device's counter as the cache holds it now (its own pending change included)."""
    return _state(_row(session))


def _enqueue(
    session: Session, row: CounterRow, kind: ops.OpKind, payload: dict[str, Any], *, now: datetime, user_id: str | None
) -> None:
    """The op, stamped with the counter's assignment epoch as every op of this counter is (the server does
    not fence these facts by it, but the outbox records what the counter knew)."""
    body = {"counter": row.number, **payload, "at": now.isoformat()}
    outbox.enqueue(session, kind, body, now=now, user_id=user_id, epoch=row.epoch)


def pause_counter(session: Session, reason: str, *, now: datetime, user_id: str | None) -> CounterState:
    """Pause this counter with ``reason`` (or replace the reason of a paused one) and queue the op.
    ``ValidationFailed`` on field ``reason`` for an empty, too long or ID-like reason; ``CounterClosed``."""
    text = pause_reason(reason)
    row = _row(session)
    if row.status == CounterStatus.CLOSED:
        raise CounterClosed(f"counter {row.number} is closed", counter=row.number)
    if row.status == CounterStatus.PAUSED and row.pause_reason == text:
        return _state(row)  # nothing new to tell anyone
    if row.status != CounterStatus.PAUSED or row.status_since is None:
        row.status_since = now  # a new reason does not restart the pause
    row.status, row.pause_reason = CounterStatus.PAUSED.value, text
    _enqueue(session, row, ops.COUNTER_PAUSE, {"reason": text}, now=now, user_id=user_id)
    session.flush()
    return _state(row)


def resume_counter(session: Session, *, now: datetime, user_id: str | None) -> CounterState:
    """Open this paused counter again and queue the op; an open counter stays as it is, nothing written.
    ``CounterClosed`` for a counter the lead closed."""
    row = _row(session)
    if row.status == CounterStatus.CLOSED:
        raise CounterClosed(f"counter {row.number} is closed", counter=row.number)
    if row.status == CounterStatus.OPEN:
        return _state(row)
    row.status, row.pause_reason, row.status_since = CounterStatus.OPEN.value, None, now
    _enqueue(session, row, ops.COUNTER_RESUME, {}, now=now, user_id=user_id)
    session.flush()
    return _state(row)
