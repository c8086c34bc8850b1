"""Undoing a no-show at the counter: the clerk pressed "No-show" and the citizen walks up a moment later.

A no-show is a fact already queued for the server, so it is not erased: the ticket is *reactivated* (back in
the queue at its original place) and *called* again by this counter, in one transaction, as two more ops.
The history keeps all three steps, so the lead's figures see what happened. Only the counter that marked
the no-show can undo it, and only the same day.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from counterapp.domain.ticket import EventKind, Ticket, TicketState
from counterapp.services import queue
from counterapp.services.errors import InvalidState

__all__ = ["undo_no_show"]


def undo_no_show(session: Session, number: str, *, now: datetime, user_id: str | None) -> Ticket:
    """Bring today's no-show ``number`` back to this counter as called. ``ticket.undo_not_possible`` when it
    is no longer a no-show of this counter (another step happened, or another counter marked it)."""
    row = queue.find_ticket(session, number, now=now)
    counter = queue.counter_context(session).counter
    if row.state != TicketState.NO_SHOW.value or row.counter_number != counter:
        raise InvalidState("the ticket is not a no-show of this counter", code="ticket.undo_not_possible",
                           number=row.number)  # fmt: skip
    queue.act(session, EventKind.REACTIVATED, row.number, now=now, user_id=user_id)
    return queue.act(session, EventKind.CALLED, row.number, now=now, user_id=user_id)
