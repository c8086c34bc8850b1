"""The queue authority's tables (DESIGN.md §3 rules 3, 7): today's tickets and their event log.

A ticket row holds the current state for fast queries; ``ticket_events`` is its history, one row per
change, numbered by ``position`` (equal to the ticket's ``version`` after that change). Claims — calling a
ticket — are compare-and-set updates guarded by ``state``; ``version`` grows by one with every change."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from counterapp.server.models.base import Base


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("centre_id", "day", "number"),
        # today's waiting tickets of a centre in issue order (call-next, the board)
        Index("ix_tickets_queue", "centre_id", "day", "state", "issued_at"),
        # call-next reads the head of each of the counter's services: the first regular ticket here, and
        # the first priority ticket in the (small) partial index below; neither walks the whole queue
        Index("ix_tickets_service_queue", "centre_id", "day", "state", "service_id", "issued_at", "number"),
        Index(
            "ix_tickets_priority_queue",
            "centre_id",
            "day",
            "state",
            "service_id",
            "issued_at",
            "number",
            sqlite_where=text("priority IS NOT NULL"),
            postgresql_where=text("priority IS NOT NULL"),
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # UUIDv7
    centre_id: Mapped[str] = mapped_column(ForeignKey("centres.id"))
    service_id: Mapped[str] = mapped_column(ForeignKey("queue_services.id"))
    number: Mapped[str] = mapped_column(String(8))  # as printed: A015
    day: Mapped[date] = mapped_column(Date)  # the centre's local date of issue
    priority: Mapped[str | None] = mapped_column(String(20))  # priority class code
    state: Mapped[str] = mapped_column(String(10))  # waiting|called|serving|done|no_show|held|cancelled
    counter_id: Mapped[str | None] = mapped_column(ForeignKey("counters.id"))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    called_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    recalls: Mapped[int] = mapped_column(Integer, default=0)
    dealt_to: Mapped[str | None] = mapped_column(ForeignKey("counters.id"))  # a counter's offline hand
    dealt_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=0)


ISSUED_ONLY = text("kind = 'issued'")


class TicketEventRow(Base):
    __tablename__ = "ticket_events"
    __table_args__ = (
        UniqueConstraint("ticket_id", "position"),
        # the tickets a device issued (a kiosk's, a counter's walk-ins), day by day: its use of numbers
        # (counterapp.server.services.number_shares). Partial: calls and other events never touch it.
        Index("ix_ticket_events_issued_by", "device_id", "at", sqlite_where=ISSUED_ONLY, postgresql_where=ISSUED_ONLY),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(12))  # counterapp.domain.ticket.EventKind
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    counter_id: Mapped[str | None] = mapped_column(ForeignKey("counters.id"))
    device_id: Mapped[str | None] = mapped_column(ForeignKey("devices.id"))
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
