"""Dossiers received at this counter (and, later, synced from others), with their documents, status
history, Mẫu 02 supplement requests and Mẫu 03 refusals.

Personal fields are nullable: the retention purge clears them once a dossier is synced and old
enough, keeping the code, dates and status (DOMAIN.md §6).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from counterapp.store.base import Base


class DossierRow(Base):
    __tablename__ = "dossiers"
    __table_args__ = (
        Index("ix_dossiers_received", "received_on", "code"),
        Index("ix_dossiers_id_number", "applicant_id_number"),
        Index("ix_dossiers_phone", "applicant_phone"),
    )

    # SQLite rowid: also the search index's key; ``id`` is the client-made UUIDv7 used everywhere else.
    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    procedure_code: Mapped[str] = mapped_column(String(40))
    procedure_name: Mapped[str] = mapped_column(Text)
    received_on: Mapped[date] = mapped_column(Date)
    received_at: Mapped[datetime] = mapped_column(DateTime)
    due_at: Mapped[datetime | None] = mapped_column(DateTime)
    duration_value: Mapped[str] = mapped_column(String(20))
    duration_unit: Mapped[str] = mapped_column(String(20))
    calendar_version: Mapped[str] = mapped_column(String(80))
    sets: Mapped[int] = mapped_column(Integer, default=1)
    channel: Mapped[str] = mapped_column(String(10), default="direct")
    status: Mapped[str] = mapped_column(String(24), index=True)
    return_mode: Mapped[str] = mapped_column(String(10), default="counter")
    register_book: Mapped[str] = mapped_column(String(20))
    register_line: Mapped[int] = mapped_column(Integer)
    counter_number: Mapped[str | None] = mapped_column(String(10))
    clerk_id: Mapped[str | None] = mapped_column(String(60))
    ticket_id: Mapped[str | None] = mapped_column(String(36))
    lease_id: Mapped[str | None] = mapped_column(String(36))
    note: Mapped[str | None] = mapped_column(Text)
    # personal data — cleared by the retention purge
    applicant_name: Mapped[str | None] = mapped_column(Text)
    applicant_id_type: Mapped[str | None] = mapped_column(String(10))
    applicant_id_number: Mapped[str | None] = mapped_column(String(20))
    applicant_dob: Mapped[date | None] = mapped_column(Date)
    applicant_sex: Mapped[str | None] = mapped_column(String(6))
    applicant_phone: Mapped[str | None] = mapped_column(String(15))
    applicant_email: Mapped[str | None] = mapped_column(Text)
    applicant_address: Mapped[str | None] = mapped_column(Text)
    owner: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # chủ hồ sơ, when not the applicant
    postal_address: Mapped[str | None] = mapped_column(Text)
    returned_at: Mapped[datetime | None] = mapped_column(DateTime)
    returned_to: Mapped[str | None] = mapped_column(Text)
    returned_by: Mapped[str | None] = mapped_column(String(60))
    purged_at: Mapped[datetime | None] = mapped_column(DateTime)
    # bookkeeping
    version: Mapped[int] = mapped_column(Integer, default=1)
    sync_state: Mapped[str] = mapped_column(String(10), default="pending")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class DossierComponentRow(Base):
    """One document received, with the count of each form."""

    __tablename__ = "dossier_components"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dossier_id: Mapped[str] = mapped_column(ForeignKey("dossiers.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(Text)
    originals: Mapped[int] = mapped_column(Integer, default=0)
    certified_copies: Mapped[int] = mapped_column(Integer, default=0)
    photocopies: Mapped[int] = mapped_column(Integer, default=0)


class DossierStatusRow(Base):
    __tablename__ = "dossier_status_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dossier_id: Mapped[str] = mapped_column(ForeignKey("dossiers.id"), index=True)
    status: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime] = mapped_column(DateTime)
    user_id: Mapped[str | None] = mapped_column(String(60))
    note: Mapped[str | None] = mapped_column(Text)


class SupplementRequestRow(Base):
    """Mẫu 02: what the applicant must add, all in one go (hướng dẫn một lần, đầy đủ)."""

    __tablename__ = "supplement_requests"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    dossier_id: Mapped[str | None] = mapped_column(ForeignKey("dossiers.id"), index=True)
    procedure_code: Mapped[str] = mapped_column(String(40))
    procedure_name: Mapped[str] = mapped_column(Text)
    applicant: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    clerk_id: Mapped[str | None] = mapped_column(String(60))
    counter_number: Mapped[str | None] = mapped_column(String(10))
    purged_at: Mapped[datetime | None] = mapped_column(DateTime)
    sync_state: Mapped[str] = mapped_column(String(10), default="pending")


class RefusalRow(Base):
    """Mẫu 03: the dossier is refused, with the reason and its legal basis."""

    __tablename__ = "refusals"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    procedure_code: Mapped[str] = mapped_column(String(40))
    procedure_name: Mapped[str] = mapped_column(Text)
    applicant: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    clerk_id: Mapped[str | None] = mapped_column(String(60))
    counter_number: Mapped[str | None] = mapped_column(String(10))
    purged_at: Mapped[datetime | None] = mapped_column(DateTime)
    sync_state: Mapped[str] = mapped_column(String(10), default="pending")
