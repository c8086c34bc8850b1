"""Synced copies of what the server owns: procedures, queue services, counters, assignments, calendar
overrides and centre settings. Counters read them; only the sync engine (or an admin command on a
standalone counter) writes them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from counterapp.store.base import Base


class ProcedureRow(Base):
    __tablename__ = "procedures"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    sector_code: Mapped[str] = mapped_column(String(40), default="")
    sector: Mapped[str] = mapped_column(Text, default="")
    agency: Mapped[str] = mapped_column(Text, default="")
    level: Mapped[str] = mapped_column(String(10), default="")
    duration_value: Mapped[str] = mapped_column(String(20))  # Decimal as text
    duration_unit: Mapped[str] = mapped_column(String(20))
    cutoff: Mapped[str | None] = mapped_column(String(5))
    duration_text: Mapped[str] = mapped_column(Text, default="")
    components: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    fee_text: Mapped[str] = mapped_column(Text, default="")
    return_options: Mapped[list[str]] = mapped_column(JSON)
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    catalogue_version: Mapped[str] = mapped_column(String(40), default="")


class QueueServiceRow(Base):
    """A queue service (nhóm dịch vụ): what a ticket is for, and its number prefix."""

    __tablename__ = "queue_services"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    prefix: Mapped[str] = mapped_column(String(3), unique=True)
    name_vi: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text, default="")


class CounterRow(Base):
    """A counter of the centre. This counter's own ``status``/``pause_reason`` are also written by its clerk
    (``services.counter_status``: a pause or resume, with its op); the rest only by the sync engine."""

    __tablename__ = "counters"

    number: Mapped[str] = mapped_column(String(10), primary_key=True)
    name: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | paused | closed
    pause_reason: Mapped[str | None] = mapped_column(Text)
    epoch: Mapped[int] = mapped_column(Integer, default=0)  # assignment fencing token
    # since when ``status`` holds, as this counter knows it: set by the clerk's own pause or resume; None
    # when the status came from the server (the lead's change), whose time the feed does not carry
    status_since: Mapped[datetime | None] = mapped_column(DateTime)


class AssignmentRow(Base):
    __tablename__ = "assignments"

    counter_number: Mapped[str] = mapped_column(ForeignKey("counters.number"), primary_key=True)
    service_code: Mapped[str] = mapped_column(ForeignKey("queue_services.code"), primary_key=True)


class CalendarOverrideRow(Base):
    """One day added (or removed, ``removed=True``) on top of the bundled calendar."""

    __tablename__ = "calendar_overrides"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    kind: Mapped[str] = mapped_column(String(10), default="off")
    category: Mapped[str] = mapped_column(String(20), default="local")
    name_vi: Mapped[str] = mapped_column(Text, default="")
    name_en: Mapped[str] = mapped_column(Text, default="")
    basis: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[str] = mapped_column(String(40))
    received_at: Mapped[datetime] = mapped_column(DateTime)


class SettingRow(Base):
    """Centre settings (office hours, priority rule, recall limit, retention…), JSON values."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
