"""The sync protocol's tables (SYNC.md §4): what devices pushed, the per-space change feed, and the facts
that live only on the server (dossiers, printed documents, Mẫu 02/03 records, flagged conflicts).

* ``op_log``: every op a device pushed, once (``op_id``; ``(device_id, client_seq)`` unique) with its
  result — the audit trail and the answer to a retried batch.
* ``space_clock``: one row per space; ``seq`` is taken by ``UPDATE … SET seq = seq + n RETURNING seq`` in
  the writing transaction, so its row lock makes commit order equal seq order (pull never skips a row).
  ``floor``: changes at or below it were pruned; a cursor below it must reset from a snapshot.
* ``changes``: the feed a counter pulls, ``(space, seq)``; ``sync_entities``: the latest version of each
  entity of a space, which a snapshot reads.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from counterapp.server.models.base import Base

Json = JSON().with_variant(JSONB(), "postgresql")


class OpLogEntry(Base):
    __tablename__ = "op_log"
    __table_args__ = (UniqueConstraint("device_id", "client_seq"),)

    op_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"))
    centre_id: Mapped[str] = mapped_column(ForeignKey("centres.id"), index=True)
    client_seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(40))
    v: Mapped[int] = mapped_column(Integer)
    payload: Mapped[dict[str, Any]] = mapped_column(Json)
    user_id: Mapped[str | None] = mapped_column(String(60))  # as the device sent it (a username)
    wall_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    corrected_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    hlc: Mapped[str | None] = mapped_column(String(64))
    epoch: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12))  # applied | rejected | conflict | quarantined
    server_seq: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SpaceClock(Base):
    __tablename__ = "space_clock"

    space: Mapped[str] = mapped_column(String(80), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    floor: Mapped[int] = mapped_column(Integer, default=0)


class ChangeRow(Base):
    __tablename__ = "changes"

    space: Mapped[str] = mapped_column(String(80), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(80))
    op: Mapped[str] = mapped_column(String(6))  # upsert | delete
    version: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any] | None] = mapped_column(Json)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SyncEntity(Base):
    __tablename__ = "sync_entities"
    __table_args__ = (Index("ix_sync_entities_space_seq", "space", "seq"),)

    space: Mapped[str] = mapped_column(String(80), primary_key=True)
    entity: Mapped[str] = mapped_column(String(40), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    data: Mapped[dict[str, Any] | None] = mapped_column(Json)


class Dossier(Base):
    """A dossier received at a counter (a fact: kept whatever else happened). ``code`` is not unique in
    the schema on purpose: two dossiers with one code would both be kept and the second flagged."""

    __tablename__ = "dossiers"
    __table_args__ = (
        Index("ix_dossiers_centre_received", "centre_id", "received_at"),
        # a device's dossiers by code (which carries the day): its use of numbers, day by day, and which
        # of its leased numbers it has spent (counterapp.server.services.number_shares)
        Index("ix_dossiers_device_code", "device_id", "code"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    centre_id: Mapped[str] = mapped_column(ForeignKey("centres.id"))
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"))
    code: Mapped[str] = mapped_column(String(40), index=True)
    procedure_code: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(12))  # received | returned | withdrawn (voided by its counter)
    version: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    returned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    data: Mapped[dict[str, Any]] = mapped_column(Json)  # the form as received or last amended


class DossierRevision(Base):
    """Each version of a dossier's form, so a late amendment is merged against the version it was made on."""

    __tablename__ = "dossier_revisions"

    dossier_id: Mapped[str] = mapped_column(ForeignKey("dossiers.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(Json)
    op_id: Mapped[str] = mapped_column(String(36))


class RecordRow(Base):
    """A fact with no queue or dossier state of its own: a printed document, a Mẫu 02 or Mẫu 03."""

    __tablename__ = "records"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    centre_id: Mapped[str] = mapped_column(ForeignKey("centres.id"), index=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"))
    kind: Mapped[str] = mapped_column(String(40))
    reference: Mapped[str | None] = mapped_column(String(80))
    data: Mapped[dict[str, Any]] = mapped_column(Json)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Conflict(Base):
    """An op the server could not apply as the counter did it: a rejected claim, or a fact kept but
    flagged (a citizen served after another counter won the call, a second dossier with one code, an
    amendment that touched a field changed meanwhile). Shown to the counter (its device space) and the lead."""

    __tablename__ = "conflicts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    centre_id: Mapped[str] = mapped_column(ForeignKey("centres.id"), index=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"))
    op_id: Mapped[str] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(40))  # the op's kind
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(80))
    code: Mapped[str] = mapped_column(String(40))  # stable reason code, e.g. ticket.already_called
    reason: Mapped[str] = mapped_column(Text)  # readable, no personal data
    data: Mapped[dict[str, Any] | None] = mapped_column(Json)  # the losing values, kept for review
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
