"""The queue authority (DESIGN.md §3 rules 3, 7; SYNC.md §2 (a)): tickets are issued here, and calling a
ticket is a **claim**, decided by a compare-and-set on the ticket row:

    UPDATE tickets SET state='called', counter_id=:c, called_at=:now, version=version+1
    WHERE id=:id AND state='waiting'

Whoever changes the row wins; a caller that changes nothing lost the race and chooses again (call-next)
or is told who won (a call by number). On PostgreSQL (READ COMMITTED) a concurrent UPDATE of the same row
waits for the winner's commit, then re-checks ``state`` and changes nothing; on SQLite every transaction
holds the write lock from ``BEGIN IMMEDIATE``. Call-next on PostgreSQL does not race on the head at all:
it chooses and locks its ticket with ``LIMIT 1 FOR UPDATE SKIP LOCKED`` in the rule's order, so counters
calling at once take different tickets (``queue_claim``).

Other changes of a called ticket (recall, start, finish) lock the ticket row and are judged by the
domain's state machine (``counterapp.domain.ticket.apply``). Every change bumps ``version`` and appends a
``ticket_events`` row at ``position = version``. The caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, bindparam, insert, inspect, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from counterapp.domain.codes import build_ticket_number, parse_ticket_number
from counterapp.domain.duedate import VIETNAM_TZ
from counterapp.domain.errors import DomainError, ValidationFailed
from counterapp.domain.priority import (
    DEFAULT_PRIORITY_CLASSES,
    OrderingRule,
    PriorityPolicy,
    call_order,
    choose_next,
)
from counterapp.domain.ticket import EventKind, TicketEvent, TicketState, apply
from counterapp.domain.ticket import Ticket as DomainTicket
from counterapp.server import feed
from counterapp.server.events import publish_after_commit
from counterapp.server.models.auth import Device, User
from counterapp.server.models.org import Assignment, Centre, Counter, QueueService
from counterapp.server.models.queue import Ticket, TicketEventRow
from counterapp.server.services import numbers
from counterapp.server.services.common import as_utc, keep, new_id, require_aware
from counterapp.server.services.errors import NotFound
from counterapp.server.services.queue_claim import claim_next_and_record, claimed
from counterapp.server.services.queue_heads import Candidate, hand_shares, service_heads
from counterapp.server.services.queue_issue import insert_issued

MAX_CLAIM_ATTEMPTS = 50  # lost compare-and-sets in a row before call-next gives up (each: another counter won)
MAX_HAND = 5
MAX_LEASE = timedelta(minutes=30)


class QueueEmpty(DomainError):
    code = "queue.empty"


class AlreadyCalled(DomainError):
    """A call lost: another counter holds the ticket. ``str()`` says which and when (no personal data)."""

    code = "ticket.already_called"


class NotAtThisCounter(DomainError):
    code = "ticket.not_at_counter"


class QueueBusy(DomainError):
    """Call-next lost ``MAX_CLAIM_ATTEMPTS`` races in a row; the counter may simply retry."""

    code = "queue.busy"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: the counter (required for claims), and the device and user, recorded on the event."""

    counter: Counter
    device: Device | None = None
    user: User | None = None


def policy_of(centre: Centre) -> PriorityPolicy:
    """The centre's ordering rule (``Centre.priority_rule``/``priority_every``) over the default classes."""
    return PriorityPolicy(
        rule=OrderingRule(centre.priority_rule), every=centre.priority_every, classes=DEFAULT_PRIORITY_CLASSES
    )


def _policy(session: Session, counter: Counter) -> PriorityPolicy:
    return policy_of(session.get_one(Centre, counter.centre_id))


def record_event(session: Session, ticket: Ticket, kind: EventKind, at: datetime, actor: Actor | None) -> None:
    session.add(TicketEventRow(**_event_row(ticket, kind, at, actor)))


def _event_row(ticket: Ticket, kind: EventKind, at: datetime, actor: Actor | None) -> dict[str, Any]:
    return {
        "id": new_id(),
        "ticket_id": ticket.id,
        "position": ticket.version,
        "kind": kind.value,
        "at": at,
        "counter_id": actor.counter.id if actor else None,
        "device_id": actor.device.id if actor and actor.device else None,
        "user_id": actor.user.id if actor and actor.user else None,
    }


_INSERT_EVENT = insert(TicketEventRow)
_SET_STREAK = update(Counter).where(Counter.id == bindparam("counter_id")).values(regular_streak=bindparam("streak"))


def publish_ticket(
    session: Session, ticket: Ticket, kind: str, counter: Counter | None = None, *, service: QueueService | None = None
) -> None:
    """A live event for boards and counters, sent only if the transaction commits (no personal data)."""
    service = service or session.get_one(QueueService, ticket.service_id)
    data: dict[str, str] = {"ticket_id": ticket.id, "number": ticket.number, "service": service.code}
    if counter is not None:
        data["counter"] = counter.number
    publish_after_commit(session, ticket.centre_id, kind, data)


def domain_ticket(ticket: Ticket) -> DomainTicket:
    return DomainTicket(
        number=ticket.number,
        service=ticket.service_id,
        priority=ticket.priority,
        issued_at=as_utc(ticket.issued_at),
        state=TicketState(ticket.state),
        counter=ticket.counter_id,
        recalls=ticket.recalls,
    )


def local_time(at: datetime) -> str:
    return as_utc(at).astimezone(VIETNAM_TZ).strftime("%H:%M:%S")


# --- issue ---------------------------------------------------------------------------------------------


def validate_priority(centre: Centre, priority: str | None) -> str | None:
    if priority is None or not priority.strip():
        return None
    code = priority.strip().lower()
    if code not in {cls.code for cls in policy_of(centre).classes}:
        raise ValidationFailed.single("priority", "ticket.priority_invalid")
    return code


def issue_ticket(
    session: Session,
    centre: Centre,
    service: QueueService,
    priority: str | None,
    now: datetime,
    *,
    device: Device | None = None,
    user: User | None = None,
) -> Ticket:
    """A new waiting ticket of ``service``, numbered from the day's online range of its prefix."""
    at = require_aware(now)
    if service.centre_id != centre.id:
        raise ValidationFailed.single("service", "service.not_found")
    code = validate_priority(centre, priority)
    day = numbers.local_day(at)
    value = numbers.take_next(session, centre.id, numbers.TICKET, service.prefix, day)  # the service is the centre's
    ticket = Ticket(
        id=new_id(),
        centre_id=centre.id,
        service_id=service.id,
        number=str(build_ticket_number(service.prefix, value)),
        day=day,
        priority=code,
        state=TicketState.WAITING.value,
        counter_id=None,
        issued_at=at,
        called_at=None,
        recalls=0,
        dealt_to=None,
        dealt_until=None,
        version=0,
    )
    # Core statements (``queue_issue``): the ORM's flush of these two rows cost more than writing them
    insert_issued(session, ticket, service.code, new_id(), device.id if device else None, user.id if user else None)
    keep(session, service)  # the answer names the ticket's service
    publish_ticket(session, ticket, "ticket.issued", service=service)
    return ticket


_SERVICE_BY_CODE = select(QueueService).where(
    QueueService.centre_id == bindparam("centre_id"), QueueService.code == bindparam("code")
)


def service_by_code(session: Session, centre: Centre, code: str) -> QueueService:
    parameters = {"centre_id": centre.id, "code": code.strip().upper()}
    service = session.scalars(_SERVICE_BY_CODE, parameters).one_or_none()
    if service is None:
        raise ValidationFailed.single("service", "service.not_found")
    return service


# --- reading the queue ---------------------------------------------------------------------------------


def assigned_service_ids(session: Session, counter: Counter) -> list[str]:
    return list(session.scalars(select(Assignment.service_id).where(Assignment.counter_id == counter.id)))


_ASSIGNED = (
    select(QueueService)
    .join(Assignment, Assignment.service_id == QueueService.id)
    .where(Assignment.counter_id == bindparam("counter_id"))
    .order_by(QueueService.code)
)


def assigned_services(session: Session, counter: Counter) -> list[QueueService]:
    return list(session.scalars(_ASSIGNED, {"counter_id": counter.id}))


def waiting_candidates(session: Session, counter: Counter, now: datetime) -> list[Candidate]:
    """Today's waiting tickets of the counter's services, except those dealt to another counter's
    unexpired hand."""
    at = require_aware(now)
    services = assigned_service_ids(session, counter)
    if not services:
        return []
    rows = session.execute(
        select(Ticket.id, Ticket.number, Ticket.priority, Ticket.issued_at)
        .where(
            Ticket.centre_id == counter.centre_id,
            Ticket.day == numbers.local_day(at),
            Ticket.state == TicketState.WAITING.value,
            Ticket.service_id.in_(services),
            _available(counter, at),
        )
        .order_by(Ticket.issued_at, Ticket.number)
    ).all()
    return [Candidate(r.id, r.number, r.priority, as_utc(r.issued_at)) for r in rows]


def _available(counter: Counter, at: datetime) -> ColumnElement[bool]:
    """Not in another counter's unexpired hand."""
    return or_(Ticket.dealt_to.is_(None), Ticket.dealt_to == counter.id, Ticket.dealt_until <= at)


def waiting_in_call_order(session: Session, counter: Counter, now: datetime) -> list[Ticket]:
    candidates = call_order(waiting_candidates(session, counter, now), _policy(session, counter))
    rows = {t.id: t for t in session.scalars(select(Ticket).where(Ticket.id.in_([c.id for c in candidates])))}
    return [rows[c.id] for c in candidates if c.id in rows]


def ticket_by_number(session: Session, centre_id: str, number: str, now: datetime) -> Ticket:
    """Today's ticket ``number`` of the centre (``NotFound`` for another centre's, so nothing leaks)."""
    parsed = str(parse_ticket_number(number, "number"))
    ticket = session.scalars(
        select(Ticket).where(
            Ticket.centre_id == centre_id, Ticket.day == numbers.local_day(require_aware(now)), Ticket.number == parsed
        )
    ).one_or_none()
    if ticket is None:
        raise NotFound("no such ticket today", code="ticket.not_found")
    return ticket


# --- claims: compare-and-set ---------------------------------------------------------------------------


def claim(session: Session, ticket_id: str, counter: Counter, at: datetime, states: Sequence[TicketState]) -> bool:
    """The compare-and-set: whether this transaction turned the ticket from one of ``states`` into
    called-by-``counter``."""
    return claimed(session, ticket_id, counter, at, states) is not None


def called(
    session: Session,
    ticket_id: str,
    actor: Actor,
    at: datetime,
    *,
    ticket: Ticket | None = None,
    service: QueueService | None = None,
) -> Ticket:
    """Record a won claim: the event, the counter's regular streak (for the interleave rule), a live event."""
    ticket = ticket or session.get_one(Ticket, ticket_id, populate_existing=True)
    counter = actor.counter
    streak = 0 if ticket.priority else counter.regular_streak + 1
    # Core statements on the session's connection: the ORM's flush of these two rows cost ~0.8 ms of
    # every call. ``_announce_call`` touches the ticket for the change feed, as the event row's mapper
    # event would have done.
    sql = session.connection()
    sql.execute(_INSERT_EVENT, _event_row(ticket, EventKind.CALLED, at, actor))
    if streak != counter.regular_streak:
        sql.execute(_SET_STREAK, {"counter_id": counter.id, "streak": streak})
    return _announce_call(session, ticket, actor, streak, service)


def _announce_call(session: Session, ticket: Ticket, actor: Actor, streak: int, service: QueueService | None) -> Ticket:
    """After a won claim is recorded: the counter's streak as stored, the change feed, a live event."""
    set_committed_value(actor.counter, "regular_streak", streak)
    feed.touch(
        session, feed.centre_space(ticket.centre_id), "ticket", ticket.id, data=_called_data(ticket, actor, service)
    )
    publish_ticket(session, ticket, "ticket.called", actor.counter, service=service)
    return ticket


def _called_data(ticket: Ticket, actor: Actor, service: QueueService | None) -> feed.Data | None:
    """The feed's data of a ticket just claimed, from the claim's ``RETURNING`` row: the commit need not read
    it back. ``None`` (the commit reads it) unless the object is exactly the row: of ``service``, held by this
    counter, in no hand, not changed since it was loaded."""
    if service is None or service.id != ticket.service_id:
        return None
    if ticket.counter_id != actor.counter.id or ticket.dealt_to is not None:
        return None
    if inspect(ticket).modified:
        return None
    return feed.written_ticket_data(ticket, service.code, actor.counter.number, None)


def call_next(session: Session, counter: Counter, device: Device | None, user: User | None, now: datetime) -> Ticket:
    """Claim the next ticket for ``counter`` by the centre's rule among today's waiting tickets of its
    assigned services. ``QueueEmpty`` when there is none left to win."""
    at = require_aware(now)
    actor = Actor(counter, device, user)
    policy = _policy(session, counter)
    if session.get_bind().dialect.name == "postgresql":
        return _call_next_skipping_locked(session, actor, policy, at)
    # SQLite: the transaction holds the write lock from ``BEGIN IMMEDIATE``, so no other counter can claim
    # between this read and the claim; the loop guards the rule should that ever change.
    services = {s.id: s for s in assigned_services(session, counter)}
    keep(session, *services.values())  # the answer and the change feed name the ticket's service
    for _attempt in range(MAX_CLAIM_ATTEMPTS):
        heads = service_heads(session, counter, list(services), policy, at)
        chosen, _streak = choose_next(heads, policy, counter.regular_streak)
        if chosen is None:
            raise QueueEmpty("no ticket is waiting for this counter's services")
        claimed_ticket = claimed(session, chosen.id, counter, at, (TicketState.WAITING,))
        if claimed_ticket is not None:
            service = services[claimed_ticket.service_id]
            return called(session, chosen.id, actor, at, ticket=claimed_ticket, service=service)
    raise QueueBusy("too many lost calls in a row; try again")


def _call_next_skipping_locked(session: Session, actor: Actor, policy: PriorityPolicy, at: datetime) -> Ticket:
    """PostgreSQL: the choice, the claim and its record in one statement that skips the tickets other
    counters are claiming at this instant (``queue_claim``): never a wait for another's commit, never a
    retry. ``QueueEmpty`` when every waiting ticket is taken or being taken."""
    device_id = actor.device.id if actor.device else None
    user_id = actor.user.id if actor.user else None
    won = claim_next_and_record(session, actor.counter, device_id, user_id, policy, at)
    if won is None:
        raise QueueEmpty("no ticket is waiting for this counter's services")
    ticket, streak, service = won
    keep(session, service)
    return _announce_call(session, ticket, actor, streak, service)


def lost_detail(session: Session, ticket: Ticket) -> DomainError:
    if ticket.counter_id is not None and ticket.state in (TicketState.CALLED, TicketState.SERVING):
        holder = session.get(Counter, ticket.counter_id)
        number = holder.number if holder else "?"
        when = local_time(ticket.called_at) if ticket.called_at else "?"
        return AlreadyCalled(
            f"{ticket.number} was called by counter {number} at {when}", counter=number, called_at=when
        )
    return _illegal(ticket, EventKind.CALLED)


def _illegal(ticket: Ticket, kind: EventKind) -> DomainError:
    try:
        apply(domain_ticket(ticket), TicketEvent(kind, as_utc(ticket.issued_at), counter="x"))
    except DomainError as exc:
        return exc
    return AlreadyCalled(f"{ticket.number} changed meanwhile")  # pragma: no cover - only on a lost race


def call_ticket(
    session: Session,
    counter: Counter,
    number: str,
    now: datetime,
    *,
    device: Device | None = None,
    user: User | None = None,
) -> Ticket:
    """Claim ticket ``number`` (waiting or held) for ``counter``. Calling a ticket this counter already
    called answers it again (a retried request); a ticket another counter holds is ``AlreadyCalled``."""
    at = require_aware(now)
    ticket = ticket_by_number(session, counter.centre_id, number, at)
    if ticket.counter_id == counter.id and ticket.state == TicketState.CALLED:
        return ticket
    if claim(session, ticket.id, counter, at, (TicketState.WAITING, TicketState.HELD)):
        return called(session, ticket.id, Actor(counter, device, user), at)
    session.refresh(ticket)
    raise lost_detail(session, ticket)


# --- the counter's own ticket --------------------------------------------------------------------------


def _change(session: Session, counter: Counter, number: str, kind: EventKind, now: datetime, actor: Actor) -> Ticket:
    at = require_aware(now)
    ticket = ticket_by_number(session, counter.centre_id, number, at)
    session.refresh(ticket, with_for_update=True)  # serialise changes of this ticket
    if ticket.counter_id != counter.id and ticket.state in (TicketState.CALLED, TicketState.SERVING):
        holder = session.get(Counter, ticket.counter_id) if ticket.counter_id else None
        raise NotAtThisCounter(
            f"{ticket.number} is at counter {holder.number if holder else '?'}",
            counter=holder.number if holder else None,
        )
    after = apply(domain_ticket(ticket), TicketEvent(kind, at, counter=counter.id))  # IllegalTransition
    ticket.state = after.state.value
    ticket.recalls = after.recalls
    ticket.version = ticket.version + 1
    record_event(session, ticket, kind, at, actor)
    session.flush()
    if kind is EventKind.RECALLED:
        publish_ticket(session, ticket, "ticket.recalled", counter)
    return ticket


def recall(
    session: Session,
    counter: Counter,
    number: str,
    now: datetime,
    *,
    device: Device | None = None,
    user: User | None = None,
) -> Ticket:
    return _change(session, counter, number, EventKind.RECALLED, now, Actor(counter, device, user))


def start(
    session: Session,
    counter: Counter,
    number: str,
    now: datetime,
    *,
    device: Device | None = None,
    user: User | None = None,
) -> Ticket:
    return _change(session, counter, number, EventKind.STARTED, now, Actor(counter, device, user))


def finish(
    session: Session,
    counter: Counter,
    number: str,
    now: datetime,
    *,
    device: Device | None = None,
    user: User | None = None,
) -> Ticket:
    return _change(session, counter, number, EventKind.FINISHED, now, Actor(counter, device, user))


# --- hands for offline use -----------------------------------------------------------------------------


def deal_hand(session: Session, counter: Counter, size: int, lease: timedelta, now: datetime) -> list[Ticket]:
    """Mark the next waiting tickets of the counter (in call order) as dealt to it until ``now + lease``,
    for calls while partitioned (SYNC.md §2 (a)). Each deal is a compare-and-set too, so two counters never
    share a ticket. A counter that is not open (paused, closed) is dealt nothing — an empty hand, not an
    error: its sync worker may ask before it has heard of the pause, and a hand would keep those tickets
    from the others.

    The hand is capped twice (issue 15 point 2): at most ``size`` (≤ ``MAX_HAND``) tickets in all, and of
    each service at most the counter's share of its waiting tickets, ⌈waiting ÷ open counters serving it⌉.
    Each deal *replaces* the counter's hand: its tickets are dealt again first if they still fit (asking
    again renews the lease), and any it held beyond the new hand go back to the pool — so a sync worker
    asking again and again never holds more than its share."""
    at = require_aware(now)
    if not 1 <= size <= MAX_HAND:
        raise ValidationFailed.single("size", "hand.size_invalid", limit=MAX_HAND)
    if not timedelta(0) < lease <= MAX_LEASE:
        raise ValidationFailed.single("lease", "hand.lease_invalid")
    if counter.status != "open":  # paused or closed: it calls nothing, so it holds nothing from the others
        return []
    until = at + lease
    shares, service_of, candidates = hand_shares(session, counter, assigned_service_ids(session, counter), at)
    taken: dict[str, int] = dict.fromkeys(shares, 0)
    hand: list[str] = []
    for candidate in call_order(candidates, _policy(session, counter)):
        if len(hand) >= size:
            break
        service = service_of[candidate.id]
        if taken[service] >= shares[service]:
            continue
        won = session.execute(
            update(Ticket)
            .where(
                Ticket.id == candidate.id,
                Ticket.state == TicketState.WAITING.value,
                or_(Ticket.dealt_to.is_(None), Ticket.dealt_to == counter.id, Ticket.dealt_until <= at),
            )
            .values(dealt_to=counter.id, dealt_until=until)
            .returning(Ticket.id)
            .execution_options(synchronize_session=False)
        ).first()
        if won is not None:
            hand.append(candidate.id)
            taken[service] += 1
    released = session.scalars(  # what it held beyond the new hand (a share that shrank, a service taken away)
        update(Ticket)
        .where(Ticket.dealt_to == counter.id, Ticket.dealt_until > at, Ticket.id.not_in(hand))
        .values(dealt_to=None, dealt_until=None)
        .returning(Ticket.id)
        .execution_options(synchronize_session=False)
    ).all()
    rows = {
        t.id: t
        for t in session.scalars(select(Ticket).where(Ticket.id.in_(hand)).execution_options(populate_existing=True))
    }
    for ticket_id in [*hand, *released]:  # a bulk UPDATE writes no event row: tell the change feed here
        feed.touch(session, feed.centre_space(counter.centre_id), "ticket", ticket_id)
    return [rows[i] for i in hand]


def release_hand(session: Session, counter: Counter, now: datetime) -> list[Ticket]:
    """Give the counter's unexpired hand back to the pool (its tickets' ``dealt_to``/``dealt_until``
    cleared), so other counters can call them at once rather than when the lease runs out: the counter
    stopped calling (paused). The tickets are locked, so a concurrent call of one of them either happened
    first (it cleared the deal itself) or waits for this. Each change reaches the feed through the ticket's
    mapper event. Returns the released tickets."""
    at = require_aware(now)
    tickets = list(
        session.scalars(
            select(Ticket)
            .where(Ticket.dealt_to == counter.id, Ticket.dealt_until > at)
            .order_by(Ticket.issued_at, Ticket.number)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )
    for ticket in tickets:
        ticket.dealt_to, ticket.dealt_until = None, None
    session.flush()
    return tickets
