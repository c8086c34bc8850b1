"""A real counter for the queue panel's tests: counter 5 with the demo queue services and ticket leases
for *today* (the panel works in the legal time of this PC, not the fixed ``NOW`` of the service tests)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from counterapp.domain.ticket import Ticket
from counterapp.services import leases, queue
from counterapp.services.workspace import SignedIn, Workspace, open_workspace
from tests.counter import DEMO_SERVICES, counter_store

__all__ = ["CLERK", "add_conflict", "add_kiosk_ticket", "issue", "make_queue_counter"]

CLERK = SignedIn(user_id="clerk-5", username="hoa", full_name="Lê Thị Hoa", role="clerk")


def make_queue_counter(path: Path) -> Workspace:
    counter_store(path).close()
    workspace = open_workspace(path)
    workspace.user = CLERK
    with workspace.writing() as (session, now):
        for service in DEMO_SERVICES:
            leases.grant_lease(session, kind=leases.LeaseKind.TICKET, scope=service["prefix"], day=now.date(),
                               start=1, end=999, now=now)  # fmt: skip
    return workspace


def issue(workspace: Workspace, service: str = "HTCT", priority: str | None = None) -> Ticket:
    """A walk-in ticket, issued the way the counter issues one."""
    with workspace.writing() as (session, now):
        return queue.issue_walkin(session, service_code=service, now=now, user_id=CLERK.user_id, priority=priority)


def add_kiosk_ticket(workspace: Workspace, number: str, *, dealt_to: str | None) -> None:
    """A kiosk ticket as the sync mirror stores it: dealt to ``dealt_to``'s hand for 40 minutes, or to nobody."""
    from counterapp.store.queue_models import TicketEventRow, TicketRow

    with workspace.writing() as (session, now):
        session.add(TicketRow(id=number, number=number, service_code="HTCT", issued_on=now.date(),
                              issued_at=now - timedelta(minutes=5), origin="kiosk", state="waiting",
                              dealt_to=dealt_to, dealt_until=now + timedelta(minutes=40)))  # fmt: skip
        session.flush()
        session.add(TicketEventRow(id=f"e-{number}", ticket_id=number, position=0, kind="issued",
                                   at=now - timedelta(minutes=5), service_code="HTCT"))  # fmt: skip


def add_conflict(workspace: Workspace, number: str, code: str = "ticket.already_called") -> None:
    """A rejected claim on today's ticket ``number``, as the sync mirror stores it from the server."""
    from counterapp.store.sync_models import SyncConflictRow

    with workspace.writing() as (session, now):
        row = queue.find_ticket(session, number, now=now)
        session.add(SyncConflictRow(id=f"c-{number}-{code}", op_id=f"op-{number}-{code}", kind="ticket.call",
                                    entity="ticket", entity_id=row.id, code=code,
                                    reason=f"{number} was called at counter 2", created_at=now))  # fmt: skip
