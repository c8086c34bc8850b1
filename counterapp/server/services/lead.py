"""What a centre's shift lead does during the day (DESIGN.md §3 rule 8): open, close or pause a counter,
move a waiting ticket to another service, and see which counters have not yet received their latest
assignment ("pending delivery"). The caller owns the transaction and checks the role."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from counterapp.domain.errors import DomainError, ValidationFailed
from counterapp.domain.ticket import EventKind, TicketState
from counterapp.server.events import publish_after_commit
from counterapp.server.models.auth import Device, StaffSession, User
from counterapp.server.models.numbers import CodeLease
from counterapp.server.models.org import Counter, QueueService
from counterapp.server.models.queue import Ticket, TicketEventRow
from counterapp.server.services import queue
from counterapp.server.services.common import as_utc, new_id, require_aware

OPEN, PAUSED, CLOSED = "open", "paused", "closed"
MAX_PAUSE_REASON = 200


class TicketNotWaiting(DomainError):
    code = "ticket.not_waiting"


# --- counters ------------------------------------------------------------------------------------------


def set_counter_status(counter: Counter, status: str, reason: str | None = None) -> Counter:
    """Open, close or pause ``counter``. A pause needs a reason (≤ 200 characters, no personal data: it
    may be shown on the board); opening or closing clears it. Setting the current status again is a no-op
    for the status and replaces the pause reason."""
    if status not in (OPEN, PAUSED, CLOSED):
        raise ValueError(f"unknown counter status {status!r}")
    text = " ".join(unicodedata.normalize("NFC", reason or "").split())
    if status == PAUSED:
        if not text:
            raise ValidationFailed.single("reason", "text.required")
        if len(text) > MAX_PAUSE_REASON:
            raise ValidationFailed.single("reason", "text.too_long", max_length=MAX_PAUSE_REASON)
    counter.status = status
    counter.pause_reason = text if status == PAUSED else None
    return counter


def change_counter_status(
    session: Session, counter: Counter, status: str, reason: str | None = None, *, now: datetime
) -> Counter:
    """``set_counter_status`` with what must go with it, whoever changes the status — the lead online, or a
    clerk's pushed ``counter.pause``/``counter.resume``, so both look the same to the lead and the boards:

    * a paused counter's unexpired hand goes back to the pool (``queue.release_hand``): it calls nothing
      for now, and other counters can call those tickets at once;
    * ``assignment.changed`` is published after the commit, with the status but never the pause reason
      (free text); the counter row itself reaches the change feed through its mapper event.

    The epoch is left alone: it fences *assignments* (which services the counter serves), and a status
    change assigns nothing, so claims made under the current epoch stay valid."""
    set_counter_status(counter, status, reason)
    if counter.status == PAUSED:
        queue.release_hand(session, counter, now)
    session.flush()
    data = {"counter": counter.number, "counter_id": counter.id, "epoch": counter.epoch, "status": counter.status}
    publish_after_commit(session, counter.centre_id, "assignment.changed", data)
    return counter


# --- tickets -------------------------------------------------------------------------------------------


def move_ticket(
    session: Session,
    centre_id: str,
    number: str,
    service: QueueService,
    now: datetime,
    *,
    device: Device | None = None,
    user: User | None = None,
) -> Ticket:
    """Move today's WAITING ticket ``number`` to ``service`` of the same centre. It keeps its number and its
    place (issue time) and leaves any counter's offline hand; a ``transferred`` event is recorded.
    ``NotFound`` for another centre's or an unknown ticket, ``TicketNotWaiting`` otherwise."""
    at = require_aware(now)
    ticket = queue.ticket_by_number(session, centre_id, number, at)
    if service.centre_id != centre_id:
        raise ValidationFailed.single("service", "service.not_found")
    if ticket.state != TicketState.WAITING.value:
        raise TicketNotWaiting(f"{ticket.number} is {ticket.state}, not waiting", state=ticket.state)
    if ticket.service_id == service.id:
        raise ValidationFailed.single("service", "ticket.same_service")
    # compare-and-set, like a call: a counter that claimed it meanwhile wins, and the move is refused
    moved = session.execute(
        update(Ticket)
        .where(Ticket.id == ticket.id, Ticket.state == TicketState.WAITING.value, Ticket.version == ticket.version)
        .values(service_id=service.id, dealt_to=None, dealt_until=None, version=Ticket.version + 1)
        .returning(Ticket.id)
        .execution_options(synchronize_session=False)
    ).first()
    session.refresh(ticket)
    if moved is None:
        raise TicketNotWaiting(f"{ticket.number} is {ticket.state}, not waiting", state=ticket.state)
    session.add(
        TicketEventRow(
            id=new_id(),
            ticket_id=ticket.id,
            position=ticket.version,
            kind=EventKind.TRANSFERRED.value,
            at=at,
            counter_id=None,
            device_id=device.id if device else None,
            user_id=user.id if user else None,
        )
    )
    session.flush()
    return ticket


# --- pending delivery ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PendingDelivery:
    """A counter whose enrolled device has not yet applied the counter's latest assignment."""

    counter: Counter
    device: Device
    last_contact: datetime | None


def last_contact(session: Session, device: Device) -> datetime | None:
    """The last time the server knows the device was in touch: its latest sync ``hello`` (``last_seen_at``)
    or, for a device that never said hello, its enrollment, latest staff login, latest ticket event or
    latest number lease."""
    if device.last_seen_at is not None:
        return as_utc(device.last_seen_at)
    candidates = [
        device.enrolled_at,
        session.scalar(select(func.max(StaffSession.created_at)).where(StaffSession.device_id == device.id)),
        session.scalar(select(func.max(TicketEventRow.at)).where(TicketEventRow.device_id == device.id)),
        session.scalar(select(func.max(CodeLease.granted_at)).where(CodeLease.device_id == device.id)),
    ]
    known = [as_utc(value) for value in candidates if value is not None]
    return max(known) if known else None


def pending_deliveries(session: Session, centre_id: str) -> list[PendingDelivery]:
    """The centre's counters whose enrolled, unrevoked counter device reports an ``applied_epoch`` below the
    counter's ``epoch``, by counter number then device."""
    rows = session.execute(
        select(Counter, Device)
        .join(Device, Device.counter_id == Counter.id)
        .where(
            Counter.centre_id == centre_id,
            Device.centre_id == centre_id,
            Device.kind == "counter",
            Device.enrolled_at.is_not(None),
            Device.revoked_at.is_(None),
            Device.applied_epoch < Counter.epoch,
        )
    ).all()
    ordered = sorted(rows, key=lambda r: (len(r[0].number), r[0].number, r[1].id))  # "2" before "10"
    return [PendingDelivery(counter, device, last_contact(session, device)) for counter, device in ordered]
