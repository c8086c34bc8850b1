"""The number authority (DESIGN.md §3 rule 6, SYNC.md §2 (b)): per-day counters of dossier codes and
ticket numbers, the blocks leased to devices for offline use, and the numbers devices report unused.

A counter row holds both the next number of the dense online range (``next_value``) and the next free
number of the reserved range (``next_reserved``), so one row lock serialises everything handed out for
one (centre, kind, scope, day)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from counterapp.server.models.base import Base


class CodeCounter(Base):
    __tablename__ = "code_counters"

    centre_id: Mapped[str] = mapped_column(ForeignKey("centres.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)  # dossier | ticket
    scope: Mapped[str] = mapped_column(String(20), primary_key=True)  # agency code | ticket prefix
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    next_value: Mapped[int] = mapped_column(Integer)  # next number of the online range
    next_reserved: Mapped[int] = mapped_column(Integer)  # next unleased number of the reserved range


class CodeLease(Base):
    """A block of reserved numbers bound to one day, held by one device."""

    __tablename__ = "code_leases"
    __table_args__ = (Index("ix_code_leases_scope_day", "centre_id", "kind", "scope", "day"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    centre_id: Mapped[str] = mapped_column(ForeignKey("centres.id"))
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    scope: Mapped[str] = mapped_column(String(20))
    day: Mapped[date] = mapped_column(Date)
    range_start: Mapped[int] = mapped_column(Integer)
    range_end: Mapped[int] = mapped_column(Integer)
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class NumberVoid(Base):
    """A number that was handed out but never printed: a recorded gap, never reused."""

    __tablename__ = "number_voids"

    centre_id: Mapped[str] = mapped_column(ForeignKey("centres.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    scope: Mapped[str] = mapped_column(String(20), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[str | None] = mapped_column(ForeignKey("devices.id"))  # who reported it
    reason: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class NumberAlarm(Base):
    """A day's range of numbers that ran low or out, for the shift lead (``GET /v1/centre/alarms``): once
    per (centre, kind, scope, day, range, level), the first time it happened. ``range`` is ``online``
    (numbers handed out one at a time) or ``reserved`` (the blocks leased for offline use); ``level`` is
    ``low`` (80 % of the range handed out) or ``exhausted`` (a request found nothing left for it)."""

    __tablename__ = "number_alarms"

    centre_id: Mapped[str] = mapped_column(ForeignKey("centres.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    scope: Mapped[str] = mapped_column(String(20), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    range: Mapped[str] = mapped_column(String(10), primary_key=True)  # online | reserved
    level: Mapped[str] = mapped_column(String(10), primary_key=True)  # low | exhausted
    used: Mapped[int] = mapped_column(Integer)  # numbers of the range handed out when it was raised
    size: Mapped[int] = mapped_column(Integer)  # numbers in the range
    device_id: Mapped[str | None] = mapped_column(ForeignKey("devices.id"))  # whose request raised it
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
