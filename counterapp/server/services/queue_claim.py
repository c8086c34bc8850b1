"""Call-next's claim, and on PostgreSQL the claim with its record in one statement.

The claim is the compare-and-set of ``services/queue.py``. A won call also appends the ticket's event row
and sets the counter's run of regular calls (the interleave rule's streak). On PostgreSQL the three go to
the database as one statement (data-modifying CTEs: the event and the streak are written only if the
claim changed the row): two round trips fewer on every call, which on the measured virtual machine cost
more than their work whenever the call came after a quiet moment. SQLite has no data-modifying CTEs; there
the three are separate statements in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import String, Table, bindparam, case, exists, insert, literal, select, update
from sqlalchemy.orm import Session, aliased

from counterapp.domain.ticket import EventKind, TicketState
from counterapp.server.models.org import Counter
from counterapp.server.models.queue import Ticket, TicketEventRow
from counterapp.server.services.common import new_id

__all__ = ["CLAIM", "claim_and_record", "claimed"]

_TICKETS: Table = Ticket.__table__  # type: ignore[assignment]  # declared as FromClause
_COUNTERS: Table = Counter.__table__  # type: ignore[assignment]
_EVENTS: Table = TicketEventRow.__table__  # type: ignore[assignment]


def _claim_update(target: Any) -> Any:
    """``UPDATE … WHERE id = :ticket_id AND state IN :states``: the compare-and-set, on the mapped class
    (to load the ORM object) or on its table (inside a CTE)."""
    return (
        update(target)
        .where(Ticket.id == bindparam("ticket_id"), Ticket.state.in_(bindparam("states", expanding=True)))
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


def _claim_and_record_statement() -> Any:
    won = _claim_update(_TICKETS).returning(*_TICKETS.c).cte("won")
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
    return (
        select(aliased(Ticket, won), select(streak.c.regular_streak).scalar_subquery())
        .add_cte(event.cte("recorded"), streak)
        .execution_options(populate_existing=True)
    )


_CLAIM_AND_RECORD = _claim_and_record_statement()


def claim_and_record(
    session: Session, ticket_id: str, counter: Counter, device_id: str | None, user_id: str | None, at: datetime
) -> tuple[Ticket, int] | None:
    """PostgreSQL: claim a waiting ticket and, if won, append its ``called`` event and set the counter's
    streak, in one statement; the ticket as it now is and the new streak, or ``None`` if the claim lost."""
    parameters = {
        "ticket_id": ticket_id,
        "states": [TicketState.WAITING.value],
        "counter_id": counter.id,
        "at": at,
        "event_id": new_id(),
        "device_id": device_id,
        "user_id": user_id,
    }
    row = session.execute(_CLAIM_AND_RECORD, parameters).first()
    return None if row is None else (row[0], row[1])
