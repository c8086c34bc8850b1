"""Tickets and their event history, as this counter knows them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from counterapp.store.base import Base


class TicketRow(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("issued_on", "number"),
        # call-next reads today's waiting tickets in issue order and stops at the first that fits; priority and
        # service are in the index so the filters are checked without reading the rows
        Index("ix_tickets_waiting", "issued_on", "state", "issued_at", "number", "priority", "service_code"),
        # the few priority tickets, so the first of them is found without walking the whole queue
        Index(
            "ix_tickets_waiting_priority",
            "issued_on",
            "state",
            "issued_at",
            "number",
            "service_code",
            sqlite_where=text("priority IS NOT NULL"),
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    number: Mapped[str] = mapped_column(String(8))
    service_code: Mapped[str] = mapped_column(String(20))
    priority: Mapped[str | None] = mapped_column(String(20))
    issued_on: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(DateTime)
    origin: Mapped[str] = mapped_column(String(10), default="kiosk")  # kiosk | walkin
    state: Mapped[str] = mapped_column(String(12))
    counter_number: Mapped[str | None] = mapped_column(String(10))
    recalls: Mapped[int] = mapped_column(Integer, default=0)
    # The hand: the server dealt this ticket to a counter, callable offline until the lease ends.
    dealt_to: Mapped[str | None] = mapped_column(String(10))
    dealt_until: Mapped[datetime | None] = mapped_column(DateTime)
    sync_state: Mapped[str] = mapped_column(String(10), default="pending")  # synced | pending | conflict


class TicketEventRow(Base):
    __tablename__ = "ticket_events"
    __table_args__ = (UniqueConstraint("ticket_id", "position"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # 0 = issued
    kind: Mapped[str] = mapped_column(String(12))
    at: Mapped[datetime] = mapped_column(DateTime)
    counter_number: Mapped[str | None] = mapped_column(String(10))
    service_code: Mapped[str | None] = mapped_column(String(20))
    priority: Mapped[str | None] = mapped_column(String(20))
    outcome: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[str | None] = mapped_column(String(60))
    op_id: Mapped[str | None] = mapped_column(String(36), index=True)  # the outbox op that carries it
