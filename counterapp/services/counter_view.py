"""What the clerk's queue panel shows, read in one transaction: the counter's status (open, or paused and
why, since when), the ticket at this counter, the waiting list, the tickets it holds to call back, the
services a ticket can be transferred to and the sync conflicts nobody has looked at yet.

Qt-free (the GUI may not import the store); every value returned is a frozen dataclass or a domain
object, so a pool thread can hand it to the GUI thread.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from counterapp.domain.ticket import Ticket
from counterapp.services import counter_status, queue
from counterapp.services.device import priority_policy
from counterapp.store.queue_models import TicketRow
from counterapp.store.reference_models import QueueServiceRow
from counterapp.store.sync_models import SyncConflictRow

__all__ = [
    "CounterSnapshot",
    "OpenConflict",
    "ServiceChoice",
    "mark_conflicts_seen",
    "open_conflicts",
    "queue_services",
    "snapshot",
]


@dataclass(frozen=True, slots=True)
class ServiceChoice:
    code: str
    name_vi: str
    name_en: str


@dataclass(frozen=True, slots=True)
class OpenConflict:
    """A step the server did not apply as this counter did it (e.g. a call lost to another counter)."""

    id: str
    code: str  # stable, e.g. ticket.already_called; the GUI maps it to words
    entity: str
    entity_id: str
    reason: str  # the server's English detail, for the log and a tooltip
    created_at: datetime
    subject: str  # what the clerk knows it by: the ticket number when the cache has it, else the id


@dataclass(frozen=True, slots=True)
class CounterSnapshot:
    now: datetime
    current: Ticket | None
    waiting: list[Ticket]
    services: list[ServiceChoice]
    conflicts: list[OpenConflict]
    priority_names: dict[str, tuple[str, str]]  # class code → (Vietnamese, English)
    status: str  # open | paused | closed
    pause_reason: str | None
    paused_since: datetime | None  # None when open, or paused by the lead (the time is not known here)
    held: list[Ticket]  # today's tickets on hold at this counter, oldest first, to call back


def queue_services(session: Session) -> list[ServiceChoice]:
    rows = session.scalars(select(QueueServiceRow).order_by(QueueServiceRow.prefix))
    return [ServiceChoice(r.code, r.name_vi, r.name_en or r.name_vi) for r in rows]


def open_conflicts(session: Session) -> list[OpenConflict]:
    found = session.execute(
        select(SyncConflictRow, TicketRow.number)
        .outerjoin(TicketRow, (SyncConflictRow.entity == "ticket") & (TicketRow.id == SyncConflictRow.entity_id))
        .where(SyncConflictRow.seen_at.is_(None))
        .order_by(SyncConflictRow.created_at)
    )
    return [
        OpenConflict(r.id, r.code, r.entity, r.entity_id, r.reason, r.created_at, number or r.entity_id)
        for r, number in found
    ]


def mark_conflicts_seen(session: Session, ids: Iterable[str], *, now: datetime) -> int:
    """The clerk has read these; they stop being shown (the lead still sees them on the server)."""
    count = 0
    for conflict_id in ids:
        row = session.get(SyncConflictRow, conflict_id)
        if row is not None and row.seen_at is None:
            row.seen_at = now
            count += 1
    return count


def snapshot(session: Session, *, now: datetime, only_hand: bool = False) -> CounterSnapshot:
    """Everything the panel refreshes, in one read (``only_hand``: the offline waiting list)."""
    state = counter_status.counter_state(session)
    return CounterSnapshot(
        now=now,
        current=queue.current_ticket(session, now=now),
        waiting=queue.waiting(session, now=now, only_hand=only_hand),
        services=queue_services(session),
        conflicts=open_conflicts(session),
        priority_names={c.code: (c.name_vi, c.name_en) for c in priority_policy(session).classes},
        status=state.status,
        pause_reason=state.pause_reason,
        paused_since=state.since if state.status == "paused" else None,
        held=queue.held_here(session, now=now),
    )
