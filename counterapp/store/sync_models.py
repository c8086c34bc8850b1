"""What makes "nothing lost" true on the counter: the outbox, device meta, number leases, sync cursors
and the durable print queue (SYNC.md §4 "Client tables")."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from counterapp.store.base import Base


class DeviceMetaRow(Base):
    """Exactly one row (id = 1): who this device is and its gap-free op sequence."""

    __tablename__ = "device_meta"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[str] = mapped_column(String(36))
    agency_code: Mapped[str] = mapped_column(String(20))
    counter_number: Mapped[str] = mapped_column(String(10))
    last_client_seq: Mapped[int] = mapped_column(Integer, default=0)
    clock_offset_ms: Mapped[int] = mapped_column(Integer, default=0)
    server_epoch: Mapped[int | None] = mapped_column(Integer)
    regular_streak: Mapped[int] = mapped_column(Integer, default=0)  # priority interleave state
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # the sync worker's last word (counterapp.sync.engine): shown in the status bar and `counterapp status`
    last_sync_at: Mapped[datetime | None] = mapped_column(DateTime)  # last complete push + pull
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)  # why the last attempt failed (no personal data)
    sync_blocked: Mapped[str | None] = mapped_column(String(40))  # e.g. sync.client_regressed: needs IT
    # why the server refused offline numbers in the last round that asked (lease.staff_required: nobody
    # signed in on this counter recently); None once a round got what it asked for or needed nothing
    lease_refused: Mapped[str | None] = mapped_column(String(40))


class OutboxRow(Base):
    """An intent to push: written in the same transaction as the change it describes."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status", "status", "client_seq"),)

    client_seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    op_id: Mapped[str] = mapped_column(String(36), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    v: Mapped[int] = mapped_column(Integer)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    user_id: Mapped[str | None] = mapped_column(String(60))
    wall_time: Mapped[datetime] = mapped_column(DateTime)
    corrected_time: Mapped[datetime] = mapped_column(DateTime)
    epoch: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending|applied|duplicate|rejected|conflict
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    acked_at: Mapped[datetime | None] = mapped_column(DateTime)


class NumberLeaseRow(Base):
    """A block of numbers this device may hand out on one date: dossier codes or walk-in tickets."""

    __tablename__ = "number_leases"
    __table_args__ = (Index("ix_leases_use", "kind", "scope", "day"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))  # dossier_code | ticket
    scope: Mapped[str] = mapped_column(String(20))  # agency code, or ticket prefix
    day: Mapped[date] = mapped_column(Date)
    range_start: Mapped[int] = mapped_column(Integer)
    range_end: Mapped[int] = mapped_column(Integer)  # inclusive
    next_value: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(12), default="server")  # server | standalone
    granted_at: Mapped[datetime] = mapped_column(DateTime)


class SyncCursorRow(Base):
    __tablename__ = "sync_cursors"

    space: Mapped[str] = mapped_column(String(60), primary_key=True)
    cursor: Mapped[str] = mapped_column(Text)


class SyncConflictRow(Base):
    """What the server did not apply as this counter did it (a lost call, a flagged fact, a merged
    amendment): pulled from the device's own space, shown until someone looks at it."""

    __tablename__ = "sync_conflicts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    op_id: Mapped[str] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(80))
    code: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    seen_at: Mapped[datetime | None] = mapped_column(DateTime)


class PrintJobRow(Base):
    """A print job is recorded before it is sent; it stays pending until the printer took it."""

    __tablename__ = "print_jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    document: Mapped[str] = mapped_column(String(20))  # receipt_01 | supplement_02 | refusal_03 | ticket
    reference: Mapped[str] = mapped_column(String(60))  # dossier code or ticket number
    target: Mapped[str] = mapped_column(String(60))  # printer name
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending | printed | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)  # the printer's reason, in English, for the log
    # PrinterError.code of the last failure (printer.unreachable, printer.folder …): the window shows the
    # reason in the clerk's language from this, not from last_error
    last_error_code: Mapped[str | None] = mapped_column(String(40))
    reprint_of: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    printed_at: Mapped[datetime | None] = mapped_column(DateTime)
    day: Mapped[date] = mapped_column(Date)
