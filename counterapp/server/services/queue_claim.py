"""Call-next's claim, and on PostgreSQL the choice, the claim and its record in one statement.

The claim is the compare-and-set of ``services/queue.py``. A won call also appends the ticket's event row
and sets the counter's run of regular calls (the interleave rule's streak). SQLite has no data-modifying
CTEs and no row locks; there the three are separate statements in a transaction that holds the write lock
from ``BEGIN IMMEDIATE``, so the choice read in it cannot be lost to another counter.

On PostgreSQL call-next is one statement (``claim_next_and_record``): the ticket is **chosen and locked**
by ``ORDER BY <the centre's rule> LIMIT 1 FOR UPDATE SKIP LOCKED`` over the counter's waiting tickets,
claimed, and its event and the counter's streak written (data-modifying CTEs). Counters racing for the same
services each take the first ticket no other counter is taking at that instant, without waiting for
anyone's commit and without retrying: a compare-and-set on the head made every loser wait for the winner,
read again and often lose again, and with 20 counters on 5 services one counter got 4 calls in 10 s while
another got 55. ``LIMIT 1`` makes the lock cover the one ticket returned, not the candidates passed over.
The rule's order is ``choose_next``'s, written as one sort: the kind the streak prefers (priority under the
strict rule or once the streak reached ``every``; regular otherwise) first, then the class rank, then issue
time and number. The other kind follows, which is ``choose_next``'s fallback when the preferred kind has
no ticket.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, String, Table, bindparam, case, exists, insert, literal, select, update
from sqlalchemy.orm import Session, aliased

from counterapp.domain.priority import OrderingRule, PriorityClass, PriorityPolicy
from counterapp.domain.ticket import EventKind, TicketState
from counterapp.server.models.org import Assignment, Counter, QueueService
from counterapp.server.models.queue import Ticket, TicketEventRow
from counterapp.server.services import numbers
from counterapp.server.services.common import new_id
from counterapp.server.services.queue_heads import available_to, class_rank

__all__ = ["CLAIM", "claim_next_and_record", "claimed"]

_TICKETS: Table = Ticket.__table__  # type: ignore[assignment]  # declared as FromClause
_COUNTERS: Table = Counter.__table__  # type: ignore[assignment]
_EVENTS: Table = TicketEventRow.__table__  # type: ignore[assignment]


def _claim_update(target: Any, ticket_id: ColumnElement[Any] | None = None) -> Any:
    """``UPDATE … WHERE id = :ticket_id AND state IN :states``: the compare-and-set, on the mapped class
    (to load the ORM object) or on its table (inside a CTE); ``ticket_id`` replaces the bound id (the
    chosen ticket's subquery)."""
    chosen = bindparam("ticket_id") if ticket_id is None else ticket_id
    return (
        update(target)
        .where(Ticket.id == chosen, Ticket.state.in_(bindparam("states", expanding=True)))
        .values(
            state=TicketState.CALLED.value,
            counter_id=bindparam("counter_id"),
            called_at=bindparam("at"),
            recalls=0,
            dealt_to=None,
            dealt_until=None,
            version=Ticket.version + 1,
        )
    )


# built once: every call claims, and building the statement cost about a third of running it
CLAIM = _claim_update(Ticket).returning(Ticket).execution_options(synchronize_session=False, populate_existing=True)


def claimed(
    session: Session, ticket_id: str, counter: Counter, at: datetime, states: Sequence[TicketState]
) -> Ticket | None:
    """The compare-and-set, answering with the claimed ticket as it now is (``RETURNING`` the row: no
    second read), or ``None`` when another counter got there first."""
    parameters = {"ticket_id": ticket_id, "states": [s.value for s in states], "counter_id": counter.id, "at": at}
    return session.scalars(CLAIM, parameters).first()


def _next_ticket(classes: tuple[PriorityClass, ...], priority_first: bool) -> Any:
    """The counter's next ticket by the rule, locked, skipping any another counter is claiming."""
    preferred = Ticket.priority.is_not(None) if priority_first else Ticket.priority.is_(None)
    assigned = select(Assignment.service_id).where(Assignment.counter_id == bindparam("counter_id"))
    return (
        select(Ticket.id)
        .where(
            Ticket.centre_id == bindparam("of_centre"),
            Ticket.day == bindparam("of_day"),
            Ticket.state == TicketState.WAITING.value,
            Ticket.service_id.in_(assigned),
            available_to(bindparam("counter_id"), bindparam("at")),
        )
        .order_by(case((preferred, 0), else_=1), class_rank(classes), Ticket.issued_at, Ticket.number)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )


def _claim_and_record_statement(next_ticket: Any) -> Any:
    won = _claim_update(_TICKETS, next_ticket).returning(*_TICKETS.c).cte("won")
    event = insert(_EVENTS).from_select(
        ["id", "ticket_id", "position", "kind", "at", "counter_id", "device_id", "user_id"],
        select(
            bindparam("event_id", type_=String()),
            won.c.id,
            won.c.version,
            literal(EventKind.CALLED.value, String()),
            bindparam("at", type_=_TICKETS.c.called_at.type),
            bindparam("counter_id", type_=String()),
            bindparam("device_id", type_=String()),
            bindparam("user_id", type_=String()),
        ).select_from(won),
    )
    regular = select(won.c.priority).scalar_subquery().is_(None)
    streak = (
        update(_COUNTERS)
        .where(_COUNTERS.c.id == bindparam("counter_id"), exists(select(won.c.id)))
        .values(regular_streak=case((regular, _COUNTERS.c.regular_streak + 1), else_=0))
        .returning(_COUNTERS.c.regular_streak)
        .cte("streak")
    )
    ticket = aliased(Ticket, won)
    return (
        select(ticket, select(streak.c.regular_streak).scalar_subquery(), QueueService)
        .join_from(ticket, QueueService, QueueService.id == ticket.service_id)
        .add_cte(event.cte("recorded"), streak)
        .execution_options(populate_existing=True)
    )


@lru_cache(maxsize=16)
def _claim_next_statement(classes: tuple[PriorityClass, ...], priority_first: bool) -> Any:
    """Built once per centre policy and preferred kind: building it cost about as much as running it."""
    return _claim_and_record_statement(_next_ticket(classes, priority_first))


def priority_first(policy: PriorityPolicy, regular_streak: int) -> bool:
    """Which kind ``choose_next`` takes when both wait: priority under the strict rule, or once the
    counter's run of regular calls reached ``every``."""
    return policy.rule is OrderingRule.STRICT or regular_streak >= policy.every


def claim_next_and_record(
    session: Session,
    counter: Counter,
    device_id: str | None,
    user_id: str | None,
    policy: PriorityPolicy,
    at: datetime,
) -> tuple[Ticket, int, QueueService] | None:
    """PostgreSQL: choose the counter's next ticket by ``policy``, claim it, append its ``called`` event
    and set the counter's streak, in one statement; the ticket as it now is, the new streak and its
    service, or ``None`` when no ticket is left that another counter is not already taking."""
    statement = _claim_next_statement(policy.classes, priority_first(policy, counter.regular_streak))
    parameters = {
        "of_centre": counter.centre_id,  # not a column's name: an UPDATE would take it as a new value
        "of_day": numbers.local_day(at),
        "states": [TicketState.WAITING.value],
        "counter_id": counter.id,
        "at": at,
        "event_id": new_id(),
        "device_id": device_id,
        "user_id": user_id,
    }
    row = session.execute(statement, parameters).first()
    return None if row is None else (row[0], row[1], row[2])
