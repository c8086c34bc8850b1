"""Queue tickets as a state machine over events, and the KPIs derived from those events.

States: waiting → called → serving → done, with no-show, hold (park) and back, transfer to another
service (the number is kept), cancel and reactivate. A recall is an event that keeps the ticket
called; an optional limit on recalls makes the next recall an error so the clerk marks a no-show.
The ticket is rebuilt from its events (``replay``), which is what the outbox and the server carry.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from counterapp.domain.errors import DomainError


class TicketState(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    HELD = "held"
    CANCELLED = "cancelled"


class EventKind(StrEnum):
    ISSUED = "issued"
    CALLED = "called"
    RECALLED = "recalled"
    STARTED = "started"
    FINISHED = "finished"
    NO_SHOW = "no_show"
    HELD = "held"
    UNHELD = "unheld"
    TRANSFERRED = "transferred"
    CANCELLED = "cancelled"
    REACTIVATED = "reactivated"


S, E = TicketState, EventKind
TRANSITIONS: dict[tuple[TicketState, EventKind], TicketState] = {
    (S.WAITING, E.CALLED): S.CALLED,
    (S.HELD, E.CALLED): S.CALLED,  # the clerk calls a parked ticket directly
    (S.CALLED, E.RECALLED): S.CALLED,
    (S.CALLED, E.STARTED): S.SERVING,
    (S.CALLED, E.NO_SHOW): S.NO_SHOW,
    (S.SERVING, E.FINISHED): S.DONE,
    (S.CALLED, E.HELD): S.HELD,
    (S.SERVING, E.HELD): S.HELD,
    (S.HELD, E.UNHELD): S.WAITING,  # back in the queue, at its original place (issue time)
    (S.WAITING, E.TRANSFERRED): S.WAITING,
    (S.CALLED, E.TRANSFERRED): S.WAITING,
    (S.SERVING, E.TRANSFERRED): S.WAITING,
    (S.HELD, E.TRANSFERRED): S.WAITING,
    (S.WAITING, E.CANCELLED): S.CANCELLED,
    (S.CALLED, E.CANCELLED): S.CANCELLED,
    (S.HELD, E.CANCELLED): S.CANCELLED,
    (S.CANCELLED, E.REACTIVATED): S.WAITING,
    (S.NO_SHOW, E.REACTIVATED): S.WAITING,
}
TERMINAL_STATES = frozenset({S.DONE, S.NO_SHOW, S.CANCELLED})
del S, E


class IllegalTransition(DomainError):
    code = "ticket.illegal_transition"


class RecallLimitReached(DomainError):
    code = "ticket.recall_limit"


class TicketEventInvalid(DomainError):
    code = "ticket.event_invalid"


@dataclass(frozen=True, slots=True)
class TicketEvent:
    kind: EventKind
    at: datetime
    counter: str | None = None  # called/recalled/started/finished/held: which counter acted
    service: str | None = None  # issued/transferred: the (new) service code
    priority: str | None = None  # issued: priority class code, if any
    outcome: str | None = None  # finished: e.g. "dossier_received", "advice_only"
    reason: str | None = None  # held/cancelled/transferred: free text, no personal data


@dataclass(frozen=True, slots=True)
class Ticket:
    number: str
    service: str
    priority: str | None
    issued_at: datetime
    state: TicketState = TicketState.WAITING
    counter: str | None = None
    recalls: int = 0
    events: tuple[TicketEvent, ...] = ()

    @property
    def is_priority(self) -> bool:
        return self.priority is not None


def issue(number: str, service: str, at: datetime, priority: str | None = None) -> Ticket:
    event = TicketEvent(EventKind.ISSUED, at, service=service, priority=priority)
    return Ticket(number, service, priority, at, events=(event,))


def apply(ticket: Ticket, event: TicketEvent, *, recall_limit: int | None = None) -> Ticket:
    """The ticket after ``event``; raises :class:`IllegalTransition` for a move the rules forbid."""
    new_state = TRANSITIONS.get((ticket.state, event.kind))
    if new_state is None:
        raise IllegalTransition(
            f"cannot {event.kind} a ticket that is {ticket.state}",
            state=ticket.state.value,
            event=event.kind.value,
        )
    changes: dict[str, object] = {"state": new_state, "events": (*ticket.events, event)}
    if event.kind is EventKind.CALLED:
        if not event.counter:
            raise TicketEventInvalid("a call names the counter", field="counter")
        changes.update(counter=event.counter, recalls=0)
    elif event.kind is EventKind.RECALLED:
        if recall_limit is not None and ticket.recalls >= recall_limit:
            raise RecallLimitReached("recall limit reached; mark the ticket as no-show", limit=recall_limit)
        changes["recalls"] = ticket.recalls + 1
    elif event.kind is EventKind.TRANSFERRED:
        if not event.service or event.service == ticket.service:
            raise TicketEventInvalid("a transfer names another service", field="service")
        changes.update(service=event.service, counter=None, recalls=0)
    elif event.kind in (EventKind.UNHELD, EventKind.REACTIVATED):
        changes.update(counter=None, recalls=0)
    return replace(ticket, **changes)  # type: ignore[arg-type]


def replay(events: Iterable[TicketEvent], number: str, *, recall_limit: int | None = None) -> Ticket:
    """Rebuild a ticket from its event history, the first event being ``issued``."""
    iterator = iter(events)
    first = next(iterator, None)
    if first is None or first.kind is not EventKind.ISSUED or not first.service:
        raise TicketEventInvalid("a ticket history starts with its issue", field="events")
    ticket = issue(number, first.service, first.at, first.priority)
    for event in iterator:
        ticket = apply(ticket, event, recall_limit=recall_limit)
    return ticket


@dataclass(frozen=True, slots=True)
class TicketKpis:
    """Time spent in each state (summed over transfers and holds) and end to end.

    ``waiting``: in the queue; ``walk_up``: from being called to service starting; ``service``:
    being served; ``held``: parked; ``first_wait``: issue to first call; ``total``: issue to the
    final event (or to ``now`` for an open ticket when ``now`` was given).
    """

    waiting: timedelta
    walk_up: timedelta
    service: timedelta
    held: timedelta
    first_wait: timedelta | None
    total: timedelta | None


def kpis(ticket: Ticket, now: datetime | None = None) -> TicketKpis:
    spent = {state: timedelta() for state in TicketState}
    state = TicketState.WAITING
    since = ticket.issued_at
    first_call: datetime | None = None
    for event in ticket.events[1:]:
        spent[state] += max(event.at - since, timedelta())
        if event.kind is EventKind.CALLED and first_call is None:
            first_call = event.at
        state = TRANSITIONS[(state, event.kind)]
        since = event.at
    end: datetime | None = since if state in TERMINAL_STATES else now
    if state not in TERMINAL_STATES and now is not None:
        spent[state] += max(now - since, timedelta())
    return TicketKpis(
        waiting=spent[TicketState.WAITING],
        walk_up=spent[TicketState.CALLED],
        service=spent[TicketState.SERVING],
        held=spent[TicketState.HELD],
        first_wait=None if first_call is None else max(first_call - ticket.issued_at, timedelta()),
        total=None if end is None else max(end - ticket.issued_at, timedelta()),
    )
