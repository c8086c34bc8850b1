"""Writing an issued ticket: its row and its ``issued`` event in Core statements, not an ORM flush.

A kiosk press is the commonest write after a call. Through the ORM the two rows cost a flush (unit of work,
mapper events) and a read of the ticket's centre by the event row's feed listener, which runs before the new
ticket is in the identity map. Here: on PostgreSQL one statement (a data-modifying CTE; the event's foreign
key is checked at the statement's end, when the ticket exists), elsewhere two; the ticket object is then
put in the session as persistent (no INSERT at the next flush) and the change feed is touched explicitly,
as the mapper events would have done.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.orm import Session, make_transient_to_detached

from counterapp.domain.ticket import EventKind
from counterapp.server import feed
from counterapp.server.models.queue import Ticket, TicketEventRow

_INSERT_TICKET = insert(Ticket)
_INSERT_EVENT = insert(TicketEventRow)
_ISSUE_POSTGRESQL = text(
    """
    WITH issued AS (
        INSERT INTO tickets (id, centre_id, service_id, number, day, priority, state, counter_id, issued_at,
                             called_at, recalls, dealt_to, dealt_until, version)
        VALUES (:id, :centre_id, :service_id, :number, :day, :priority, :state, NULL, :issued_at,
                NULL, 0, NULL, NULL, 0)
    )
    INSERT INTO ticket_events (id, ticket_id, position, kind, at, counter_id, device_id, user_id)
    VALUES (:event_id, :id, 0, :kind, :issued_at, NULL, :device_id, :user_id)
    """
)


def insert_issued(
    session: Session, ticket: Ticket, service_code: str, event_id: str, device_id: str | None, user_id: str | None
) -> Ticket:
    """Write ``ticket`` (transient, every column set) and its ``issued`` event ``event_id``; return it,
    persistent in ``session``, with the change feed touched for it and given its data (the commit need not
    read the new row back: a round trip less)."""
    row: dict[str, Any] = {column.key: getattr(ticket, column.key) for column in Ticket.__table__.columns}
    sql = session.connection()
    if session.get_bind().dialect.name == "postgresql":
        parameters = {**row, "event_id": event_id, "kind": EventKind.ISSUED.value}
        sql.execute(_ISSUE_POSTGRESQL, {**parameters, "device_id": device_id, "user_id": user_id})
    else:
        sql.execute(_INSERT_TICKET, row)
        event = {"id": event_id, "ticket_id": ticket.id, "position": 0, "kind": EventKind.ISSUED.value,
                 "at": ticket.issued_at, "counter_id": None, "device_id": device_id, "user_id": user_id}  # fmt: skip
        sql.execute(_INSERT_EVENT, event)
    make_transient_to_detached(ticket)  # the columns as written are its committed state: no reload, no INSERT
    session.add(ticket)
    data = feed.new_ticket_data(ticket, service_code)
    feed.touch(session, feed.centre_space(ticket.centre_id), "ticket", ticket.id, new=True, data=data)
    return ticket
