"""Reading dossiers, returning results (trả kết quả) and the day's register (Sổ theo dõi hồ sơ)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from counterapp.domain.applicant import check_name
from counterapp.domain.codes import parse_dossier_code
from counterapp.domain.dossier import DocumentReceived, Dossier, DossierStatus, StatusChange
from counterapp.domain.errors import FieldError, ValidationFailed
from counterapp.domain.procedure import ReturnOption
from counterapp.domain.text import clean
from counterapp.services.errors import InvalidState, NotFound
from counterapp.store import outbox
from counterapp.store.dossier_models import DossierComponentRow, DossierRow, DossierStatusRow
from counterapp.store.search_index import index_dossier
from counterapp.sync import ops


def dossier_row(session: Session, code: str) -> DossierRow:
    text = str(parse_dossier_code(code, "code"))
    row = session.scalars(select(DossierRow).where(DossierRow.code == text)).first()
    if row is None:
        raise NotFound("no dossier with this code in this counter's cache", field="code", code_value=text)
    return row


def load_dossier(session: Session, row: DossierRow) -> Dossier:
    documents = session.scalars(
        select(DossierComponentRow)
        .where(DossierComponentRow.dossier_id == row.id)
        .order_by(DossierComponentRow.position)
    )
    history = session.scalars(
        select(DossierStatusRow).where(DossierStatusRow.dossier_id == row.id).order_by(DossierStatusRow.id)
    )
    owner: dict[str, Any] = row.owner or {}
    return Dossier(
        id=row.id, code=row.code, procedure_code=row.procedure_code, procedure_name=row.procedure_name,
        received_at=row.received_at, due_at=row.due_at, calendar_version=row.calendar_version,
        status=DossierStatus(row.status), sets=row.sets, return_mode=ReturnOption(row.return_mode),
        register_book=row.register_book, register_line=row.register_line, counter_number=row.counter_number,
        clerk_id=row.clerk_id, applicant_name=row.applicant_name, applicant_id_type=row.applicant_id_type,
        applicant_id_number=row.applicant_id_number, applicant_phone=row.applicant_phone,
        applicant_email=row.applicant_email, applicant_address=row.applicant_address,
        owner_name=owner.get("name"), postal_address=row.postal_address, note=row.note,
        documents=tuple(
            DocumentReceived(d.code, d.name, d.originals, d.certified_copies, d.photocopies) for d in documents
        ),
        history=tuple(StatusChange(DossierStatus(h.status), h.at, h.user_id, h.note) for h in history),
        returned_at=row.returned_at, returned_to=row.returned_to, purged=row.purged_at is not None,
        sync_state=row.sync_state, version=row.version,
    )  # fmt: skip


def show_dossier(session: Session, code: str) -> Dossier:
    return load_dossier(session, dossier_row(session, code))


def return_result(
    session: Session,
    code: str,
    *,
    collected_by: str,
    now: datetime,
    user_id: str | None,
    note: str | None = None,
) -> Dossier:
    """Hand the result to the citizen (or whoever they sent) and record who collected it."""
    row = dossier_row(session, code)
    name = check_name(collected_by, "collected_by")
    if isinstance(name, FieldError):
        raise ValidationFailed([name])
    if row.status in (DossierStatus.RETURNED.value, DossierStatus.WITHDRAWN.value):
        raise InvalidState("the result was already handed over", code="dossier.already_returned")
    row.status = DossierStatus.RETURNED.value
    row.returned_at, row.returned_to, row.returned_by = now, name, user_id
    row.updated_at = now
    row.sync_state = "pending"
    clean_note = clean(note) if note else None
    session.add(DossierStatusRow(dossier_id=row.id, status=row.status, at=now, user_id=user_id, note=clean_note))
    payload = {"dossier_id": row.id, "code": row.code, "returned_at": now.isoformat(), "collected_by": name,
               "note": clean_note}  # fmt: skip
    outbox.enqueue(session, ops.DOSSIER_RETURN, payload, now=now, user_id=user_id)
    index_dossier(session, row)
    session.flush()
    return load_dossier(session, row)


@dataclass(frozen=True, slots=True)
class RegisterLine:
    """One line of the Sổ theo dõi hồ sơ (DOMAIN.md §1.3)."""

    line: int  # Số thứ tự: the number printed on the receipt (the code's daily sequence)
    code: str
    procedure_name: str
    sets: int
    owner_name: str | None
    address: str | None
    phone: str | None
    received_at: datetime
    due_at: datetime | None
    returned_at: datetime | None
    returned_to: str | None
    status: DossierStatus
    note: str | None


def daily_register(session: Session, day: date) -> list[RegisterLine]:
    rows = session.scalars(
        select(DossierRow).where(DossierRow.received_on == day).order_by(DossierRow.received_at, DossierRow.code)
    )
    return [
        RegisterLine(
            line=r.register_line,
            code=r.code,
            procedure_name=r.procedure_name,
            sets=r.sets,
            owner_name=(r.owner or {}).get("name") or r.applicant_name,
            address=(r.owner or {}).get("address") or r.applicant_address,
            phone=r.applicant_phone,
            received_at=r.received_at,
            due_at=r.due_at,
            returned_at=r.returned_at,
            returned_to=r.returned_to,
            status=DossierStatus(r.status),
            note=r.note,
        )
        for r in rows
    ]
