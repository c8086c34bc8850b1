"""What call-next chooses from: of each service a counter serves, the first waiting regular ticket in issue
order and the first priority ticket by the centre's class ranks. The rules only ever pick one of these,
so two ``LIMIT 1`` reads a service (``ix_tickets_service_queue`` and the partial
``ix_tickets_priority_queue``) replace loading the whole queue, whose cost grew with it.

These are SQLite's (the services are read first and the heads of each named in a ``UNION ALL``) and the
hand dealer's; on PostgreSQL call-next chooses and claims in one statement with the same filters and the
same class rank (``queue_claim.claim_next_and_record``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, CompoundSelect, Select, bindparam, case, func, or_, select, union_all
from sqlalchemy.orm import Session

from counterapp.domain.priority import UNKNOWN_CLASS_RANK, PriorityClass, PriorityPolicy
from counterapp.domain.ticket import TicketState
from counterapp.server.models.org import Assignment, Counter
from counterapp.server.models.queue import Ticket
from counterapp.server.services import numbers
from counterapp.server.services.common import as_utc, require_aware

__all__ = ["Candidate", "available_to", "class_rank", "hand_shares", "service_heads"]

_COLUMNS: tuple[Any, ...] = (Ticket.id, Ticket.number, Ticket.priority, Ticket.issued_at)
_ORDER = (Ticket.issued_at, Ticket.number)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A waiting ticket as the domain's ``choose_next`` sees it."""

    id: str
    number: str
    priority: str | None
    issued_at: datetime


def _parameters(counter: Counter, at: datetime) -> dict[str, Any]:
    return {"centre": counter.centre_id, "day": numbers.local_day(at), "counter": counter.id, "at": at}


def service_heads(
    session: Session, counter: Counter, services: Sequence[str], policy: PriorityPolicy, now: datetime
) -> list[Candidate]:
    """The heads of ``services`` (ids)."""
    at = require_aware(now)
    if not services:
        return []
    params = _parameters(counter, at)
    params.update({f"service_{i}": service_id for i, service_id in enumerate(services)})
    rows = session.connection().execute(_heads_statement(len(services), policy.classes), params).all()
    return [Candidate(r.id, r.number, r.priority, as_utc(r.issued_at)) for r in rows]


def class_rank(classes: tuple[PriorityClass, ...]) -> ColumnElement[Any]:
    if len({c.rank for c in classes}) > 1:  # ranked classes: by rank first (a sort of a few rows)
        return case({c.code: c.rank for c in classes}, value=Ticket.priority, else_=UNKNOWN_CLASS_RANK)
    return Ticket.priority.not_in([c.code for c in classes])  # one rank: an unknown class goes after


def available_to(counter_id: Any, at: Any) -> ColumnElement[bool]:
    """Not in another counter's unexpired hand."""
    return or_(Ticket.dealt_to.is_(None), Ticket.dealt_to == counter_id, Ticket.dealt_until <= at)


def _waiting(service_id: Any) -> Select[Any]:
    """Today's waiting tickets of one service, except those in another counter's unexpired hand."""
    available = available_to(bindparam("counter"), bindparam("at"))
    return select(*_COLUMNS).where(
        Ticket.centre_id == bindparam("centre"),
        Ticket.day == bindparam("day"),
        Ticket.state == TicketState.WAITING.value,
        Ticket.service_id == service_id,
        available,
    )


def _two_heads(service_id: Any, classes: tuple[PriorityClass, ...]) -> tuple[Select[Any], ...]:
    waiting = _waiting(service_id)
    regular = waiting.where(Ticket.priority.is_(None)).order_by(*_ORDER).limit(1)
    priority = waiting.where(Ticket.priority.is_not(None)).order_by(class_rank(classes), *_ORDER).limit(1)
    return regular, priority


@lru_cache(maxsize=64)
def _heads_statement(n_services: int, classes: tuple[PriorityClass, ...]) -> CompoundSelect[Any]:
    """``service_heads``'s statement for ``n_services`` services, built once: building it anew on every
    call cost about as much as running it."""
    heads = []
    for i in range(n_services):
        for head in _two_heads(bindparam(f"service_{i}"), classes):
            heads.append(select(head.subquery()))  # subqueries: SQLite has no "(SELECT … LIMIT 1) UNION"
    return union_all(*heads)


def hand_shares(
    session: Session, counter: Counter, services: list[str], at: datetime
) -> tuple[dict[str, int], dict[str, str], list[Candidate]]:
    """For a deal of a hand (``queue.deal_hand``): the counter's share of each of its ``services``'
    waiting tickets (⌈waiting ÷ open counters serving it⌉, at least 1), each candidate's service, and the
    candidates (today's waiting tickets of those services not in another counter's unexpired hand)."""
    if not services:
        return {}, {}, []
    rows = session.execute(
        select(Ticket.id, Ticket.number, Ticket.priority, Ticket.issued_at, Ticket.service_id, Ticket.dealt_to,
               Ticket.dealt_until)
        .where(
            Ticket.centre_id == counter.centre_id,
            Ticket.day == numbers.local_day(at),
            Ticket.state == TicketState.WAITING.value,
            Ticket.service_id.in_(services),
        )
        .order_by(Ticket.issued_at, Ticket.number)
    ).all()  # fmt: skip
    open_counters: dict[str, int] = {
        service_id: int(n)
        for service_id, n in session.execute(
            select(Assignment.service_id, func.count())
            .join(Counter, Counter.id == Assignment.counter_id)
            .where(Assignment.service_id.in_(services), Counter.status == "open")
            .group_by(Assignment.service_id)
        )
    }
    waiting: dict[str, int] = dict.fromkeys(services, 0)
    for row in rows:
        waiting[row.service_id] += 1
    shares = {s: max(1, -(-waiting[s] // max(1, open_counters.get(s, 0)))) for s in services}

    def free(row: Any) -> bool:
        return row.dealt_to is None or row.dealt_to == counter.id or as_utc(row.dealt_until) <= at

    candidates = [Candidate(r.id, r.number, r.priority, as_utc(r.issued_at)) for r in rows if free(r)]
    return shares, {r.id: r.service_id for r in rows}, candidates
