"""Queue use cases at a counter: walk-in tickets, call next / call a number, and every later step.

Every action goes through the domain state machine (``counterapp.domain.ticket.apply``), so an illegal
move raises before anything is written; the new state, its event row and its outbox op are written
in the caller's transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, or_, select
from sqlalchemy.orm import Session

from counterapp.domain import ticket as rules
from counterapp.domain.codes import build_ticket_number, parse_ticket_number
from counterapp.domain.errors import ValidationFailed
from counterapp.domain.priority import PriorityPolicy, call_order, choose_next
from counterapp.domain.text import clean
from counterapp.domain.ticket import EventKind, Ticket, TicketEvent, TicketState
from counterapp.protocol import ops
from counterapp.protocol.ops import OpKind
from counterapp.services import queue_statements as statements
from counterapp.services.device import DEFAULT_SETTINGS, policy_from, priority_policy
from counterapp.services.errors import InvalidState, NotFound, QueueEmpty
from counterapp.services.leases import LeaseKind, take_number
from counterapp.store import outbox
from counterapp.store.base import sync_identity
from counterapp.store.errors import DeviceNotInitialised
from counterapp.store.queue_models import TicketEventRow, TicketRow
from counterapp.store.reference_models import CounterRow, QueueServiceRow
from counterapp.store.sync_models import DeviceMetaRow

# Steps only the counter holding the ticket may take.
AT_THIS_COUNTER = frozenset(
    {EventKind.RECALLED, EventKind.STARTED, EventKind.FINISHED, EventKind.NO_SHOW, EventKind.HELD}
)

OP_FOR_EVENT: dict[EventKind, OpKind] = {
    EventKind.CALLED: ops.TICKET_CALL,
    EventKind.RECALLED: ops.TICKET_RECALL,
    EventKind.STARTED: ops.TICKET_START,
    EventKind.FINISHED: ops.TICKET_FINISH,
    EventKind.NO_SHOW: ops.TICKET_NO_SHOW,
    EventKind.HELD: ops.TICKET_HOLD,
    EventKind.UNHELD: ops.TICKET_UNHOLD,
    EventKind.TRANSFERRED: ops.TICKET_TRANSFER,
    EventKind.CANCELLED: ops.TICKET_CANCEL,
    EventKind.REACTIVATED: ops.TICKET_REACTIVATE,
}


def _event_rows(session: Session, ticket_id: str) -> list[TicketEventRow]:
    return list(
        session.scalars(
            select(TicketEventRow).where(TicketEventRow.ticket_id == ticket_id).order_by(TicketEventRow.position)
        )
    )


def _to_domain(session: Session, row: TicketRow, events: list[TicketEventRow] | None = None) -> Ticket:
    if events is None:
        events = _event_rows(session, row.id)
    return Ticket(
        number=row.number,
        service=row.service_code,
        priority=row.priority,
        issued_at=row.issued_at,
        state=TicketState(row.state),
        counter=row.counter_number,
        recalls=row.recalls,
        events=tuple(
            TicketEvent(EventKind(e.kind), e.at, e.counter_number, e.service_code, e.priority, e.outcome, e.reason)
            for e in events
        ),
    )


def _state_only(row: TicketRow) -> Ticket:
    """Enough of the ticket for the state machine, without loading its history."""
    return Ticket(row.number, row.service_code, row.priority, row.issued_at, TicketState(row.state),
                  row.counter_number, row.recalls)  # fmt: skip


@dataclass(frozen=True, slots=True)
class CounterContext:
    """What an action at this counter needs to know first, read in one statement."""

    counter: str
    epoch: int
    services: list[str] | None  # None: no assignment, so every service (a standalone counter)
    settings: dict[str, Any]
    regular_streak: int  # the priority interleave's state (device_meta)
    last_client_seq: int  # the device's op sequence, for outbox.append (read under the write lock)
    clock_offset_ms: int

    @property
    def policy(self) -> PriorityPolicy:
        return policy_from(self.settings)


def counter_context(session: Session) -> CounterContext:
    """The device row's counter, streak and sequence, the counter's assignment epoch, its services and the
    centre settings: one round trip (a statement built once) instead of four on every call. Pending ORM
    changes are flushed first, so the read sees them."""
    session.flush()
    found = session.connection().execute(statements.CONTEXT).first()
    if found is None:
        raise DeviceNotInitialised("this data directory is not initialised; run 'counterapp init'")
    counter, streak, seq, offset, counter_epoch, services_json, settings_json = found
    services = json.loads(services_json) if services_json else []
    return CounterContext(
        counter=counter,
        epoch=counter_epoch or 0,
        services=services or None,
        settings=DEFAULT_SETTINGS | (json.loads(settings_json) if settings_json else {}),
        regular_streak=streak,
        last_client_seq=seq,
        clock_offset_ms=offset,
    )


def _counter(session: Session) -> tuple[str, int]:
    meta = outbox.device_meta(session)
    counter = session.get(CounterRow, meta.counter_number)
    return meta.counter_number, (counter.epoch if counter else 0)


def _event_payload(row: TicketRow | Row[Any], event: TicketEvent) -> dict[str, Any]:
    return {
        "ticket_id": row.id,
        "number": row.number,
        "issued_on": row.issued_on.isoformat(),
        "event": event.kind.value,
        "at": event.at.isoformat(),
        "counter": event.counter,
        "service": event.service,
        "outcome": event.outcome,
        "reason": event.reason,
    }


def _record(
    session: Session,
    row: TicketRow | Row[Any],
    event: TicketEvent,
    *,
    user_id: str | None,
    ctx: CounterContext,
    limit: int | None,
    streak: int | None = None,
) -> Ticket:
    """Apply ``event`` by the rules, then persist state, event and op together: three statements built
    once and the op's insert, on the session's connection (no ORM unit of work). ``streak``: call-next's
    new regular streak."""
    connection = session.connection()
    events = connection.execute(statements.HISTORY, {"ticket_id": row.id}).all()
    history = [TicketEvent(EventKind(e.kind), e.at, e.counter_number, e.service_code, e.priority, e.outcome,
                           e.reason) for e in events]  # fmt: skip
    before = Ticket(row.number, row.service_code, row.priority, row.issued_at, TicketState(row.state),
                    row.counter_number, row.recalls)  # fmt: skip
    after = rules.apply(before, event, recall_limit=limit)
    changed = {"state": after.state.value, "counter_number": after.counter, "recalls": after.recalls,
               "service_code": after.service, "sync_state": "pending"}  # fmt: skip
    connection.execute(
        statements.SET_TICKET,
        {"ticket_id": row.id, "state": after.state.value, "counter": after.counter, "recalls": after.recalls,
         "service": after.service},
    )  # fmt: skip
    seq, streak = ctx.last_client_seq + 1, ctx.regular_streak if streak is None else streak
    connection.execute(statements.SET_SEQUENCE, {"seq": seq, "streak": streak})
    payload = _event_payload(row, event)
    op_id = outbox.append(session, OP_FOR_EVENT[event.kind], payload, seq=seq, now=event.at,
                          clock_offset_ms=ctx.clock_offset_ms, user_id=user_id, epoch=ctx.epoch)  # fmt: skip
    connection.execute(
        statements.ADD_EVENT,
        {"id": outbox.new_id(), "ticket_id": row.id, "position": len(events), "kind": event.kind.value,
         "at": event.at, "counter_number": event.counter, "service_code": event.service, "priority": None,
         "outcome": event.outcome, "reason": event.reason, "user_id": user_id, "op_id": op_id},
    )  # fmt: skip
    # ORM objects of these rows in this session (a ticket found by number, the device row) stay true
    sync_identity(session, TicketRow, row.id, changed)
    sync_identity(session, DeviceMetaRow, 1, {"last_client_seq": seq, "regular_streak": streak})
    return replace(after, events=(*history, event))


def _service(session: Session, code: str) -> QueueServiceRow:
    service = session.get(QueueServiceRow, code.strip().upper())
    if service is None:
        raise NotFound("no such queue service", field="service", service=code)
    return service


def issue_walkin(
    session: Session, *, service_code: str, now: datetime, user_id: str | None, priority: str | None = None
) -> Ticket:
    """A ticket made at the counter from this device's ticket lease (a fact: never rejected later)."""
    service = _service(session, service_code)
    if priority and clean(priority) not in {c.code for c in priority_policy(session).classes}:
        raise ValidationFailed.single("priority", "priority.unknown", priority=clean(priority))
    lease_id, number = take_number(session, kind=LeaseKind.TICKET, scope=service.prefix, day=now.date())
    text = str(build_ticket_number(service.prefix, number))
    ticket = rules.issue(text, service.code, now, clean(priority) if priority else None)
    row = TicketRow(id=outbox.new_id(), number=text, service_code=service.code, priority=ticket.priority,
                    issued_on=now.date(), issued_at=now, origin="walkin", state=TicketState.WAITING.value,
                    recalls=0, sync_state="pending")  # fmt: skip
    session.add(row)
    session.flush()  # the ticket row exists before its first event row (foreign key)
    counter, epoch = _counter(session)
    payload = {"ticket_id": row.id, "number": text, "service": service.code, "priority": ticket.priority,
               "issued_on": now.date().isoformat(), "issued_at": now.isoformat(), "lease_id": lease_id,
               "counter": counter}  # fmt: skip
    op = outbox.enqueue(session, ops.TICKET_ISSUE, payload, now=now, user_id=user_id, epoch=epoch)
    session.add(TicketEventRow(id=outbox.new_id(), ticket_id=row.id, position=0, kind=EventKind.ISSUED.value,
                               at=now, service_code=service.code, priority=ticket.priority, user_id=user_id,
                               op_id=op.op_id))  # fmt: skip
    session.flush()
    return _to_domain(session, row)


def _waiting_conditions(
    session: Session, *, day: datetime, services: list[str] | None, only_hand: bool, counter: str | None = None
) -> list[ColumnElement[bool]]:
    conditions = [TicketRow.state == TicketState.WAITING.value, TicketRow.issued_on == day.date()]
    if services is not None:
        conditions.append(TicketRow.service_code.in_(services))
    if counter is None:
        counter, _ = _counter(session)
    # never a ticket held in another counter's unexpired hand: the server would refuse the call
    conditions.append(or_(TicketRow.dealt_to.is_(None), TicketRow.dealt_to == counter, TicketRow.dealt_until <= day))
    if only_hand:  # offline: the tickets dealt to this counter (lease still valid) and walk-ins
        conditions.append(
            or_(TicketRow.origin == "walkin", (TicketRow.dealt_to == counter) & (TicketRow.dealt_until > day))
        )
    return conditions


def _waiting_rows(
    session: Session, *, day: datetime, services: list[str] | None, only_hand: bool, counter: str
) -> list[TicketRow]:
    conditions = _waiting_conditions(session, day=day, services=services, only_hand=only_hand, counter=counter)
    return list(session.scalars(select(TicketRow).where(*conditions).order_by(TicketRow.issued_at, TicketRow.number)))


def _next_candidates(
    session: Session,
    *,
    now: datetime,
    services: list[str] | None,
    only_hand: bool,
    policy: PriorityPolicy,
    counter: str,
) -> list[Row[Any]]:
    """What call-next chooses from: the earliest regular ticket and the first priority ticket by the
    policy's class ranks. The rules only ever pick one of these two, so nothing else of a long queue
    is loaded; both reads walk ``ix_tickets_waiting`` in issue order, in one statement."""
    statement = statements.candidates(services=services is not None, only_hand=only_hand, policy=policy)
    params: dict[str, Any] = {"day": now.date(), "now": now, "counter": counter}
    if services is not None:
        params["services"] = services
    return list(session.connection().execute(statement, params))


def waiting(session: Session, *, now: datetime, only_hand: bool = False) -> list[Ticket]:
    """Today's waiting tickets for this counter's services, in the order they will be called."""
    ctx = counter_context(session)
    rows = _waiting_rows(session, day=now, services=ctx.services, only_hand=only_hand, counter=ctx.counter)
    return call_order([_state_only(r) for r in rows], ctx.policy, ctx.regular_streak)


def call_next(session: Session, *, now: datetime, user_id: str | None, only_hand: bool = False) -> Ticket:
    """Call the next ticket by the centre's priority rule (a claim the server confirms on sync)."""
    ctx = counter_context(session)
    policy = ctx.policy
    rows = _next_candidates(
        session, now=now, services=ctx.services, only_hand=only_hand, policy=policy, counter=ctx.counter
    )
    chosen, streak = choose_next(rows, policy, ctx.regular_streak)  # a Core row is Queued
    if chosen is None:
        raise QueueEmpty("no ticket is waiting for this counter's services")
    event = TicketEvent(EventKind.CALLED, now, counter=ctx.counter)
    return _record(session, chosen, event, user_id=user_id, ctx=ctx, limit=None, streak=streak)


def find_ticket(session: Session, number: str | None, *, now: datetime) -> TicketRow:
    """Today's ticket by number; without a number, the one at this counter now (called or serving)."""
    if number is None:
        counter, _ = _counter(session)
        row = session.scalars(
            select(TicketRow)
            .where(
                TicketRow.counter_number == counter,
                TicketRow.state.in_([TicketState.CALLED.value, TicketState.SERVING.value]),
            )
            .order_by(TicketRow.issued_at.desc())
        ).first()
        if row is None:
            raise NotFound("no ticket is at this counter", field="ticket")
        return row
    text = str(parse_ticket_number(number))
    row = session.scalars(select(TicketRow).where(TicketRow.number == text, TicketRow.issued_on == now.date())).first()
    if row is None:
        raise NotFound("no such ticket today", field="ticket", number=text)
    return row


def act(
    session: Session,
    kind: EventKind,
    number: str | None,
    *,
    now: datetime,
    user_id: str | None,
    to_service: str | None = None,
    outcome: str | None = None,
    reason: str | None = None,
) -> Ticket:
    """Call, recall, start, finish, no-show, hold, unhold, transfer, cancel or reactivate a ticket."""
    if kind is EventKind.ISSUED:
        raise ValueError("use issue_walkin to issue a ticket")
    row = find_ticket(session, number, now=now)
    ctx = counter_context(session)
    counter = ctx.counter
    if kind in AT_THIS_COUNTER and row.counter_number not in (None, counter):  # None: the rules will refuse
        raise InvalidState("the ticket is not at this counter", code="ticket.other_counter", number=row.number)
    service = _service(session, to_service).code if kind is EventKind.TRANSFERRED and to_service else None
    event = TicketEvent(
        kind,
        now,
        counter=counter if kind not in (EventKind.UNHELD, EventKind.REACTIVATED) else None,
        service=service,
        outcome=clean(outcome) if outcome else None,
        reason=clean(reason) if reason else None,
    )
    limit = ctx.settings["recall_limit"]
    return _record(session, row, event, user_id=user_id, ctx=ctx, limit=None if limit is None else int(limit))


def current_ticket(session: Session, *, now: datetime) -> Ticket | None:
    try:
        return _to_domain(session, find_ticket(session, None, now=now))
    except NotFound:
        return None


def held_here(session: Session, *, now: datetime, counter: str | None = None) -> list[Ticket]:
    """Today's tickets this counter put on hold (the citizen went to photocopy a paper…), oldest first,
    each with its history (the hold's reason is its last event): the queue panel lists them so the clerk
    calls them back in one click. A held ticket keeps the counter that held it."""
    if counter is None:
        counter, _ = _counter(session)
    rows = list(
        session.scalars(
            select(TicketRow)
            .where(
                TicketRow.state == TicketState.HELD.value,
                TicketRow.counter_number == counter,
                TicketRow.issued_on == now.date(),
            )
            .order_by(TicketRow.issued_at, TicketRow.number)
        )
    )
    events: dict[str, list[TicketEventRow]] = {row.id: [] for row in rows}
    if rows:  # every history in one read
        for event in session.scalars(
            select(TicketEventRow)
            .where(TicketEventRow.ticket_id.in_(list(events)))
            .order_by(TicketEventRow.ticket_id, TicketEventRow.position)
        ):
            events[event.ticket_id].append(event)
    return [_to_domain(session, row, events[row.id]) for row in rows]
