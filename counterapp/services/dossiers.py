"""Reading dossiers, returning results (trả kết quả) and the day's register (Sổ theo dõi hồ sơ)."""

from __future__ import annotations

from collections.abc import Iterable
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
from counterapp.protocol import ops
from counterapp.services.errors import InvalidState, NotFound
from counterapp.store import outbox
from counterapp.store.dossier_models import DossierComponentRow, DossierRow, DossierStatusRow
from counterapp.store.reference_models import ProcedureRow
from counterapp.store.search_index import index_dossier
from counterapp.store.sync_models import OutboxRow


def dossier_row(session: Session, code: str) -> DossierRow:
    text = str(parse_dossier_code(code, "code"))
    row = session.scalars(select(DossierRow).where(DossierRow.code == text)).first()
    if row is None:
        raise NotFound("no dossier with this code in this counter's cache", field="code", code_value=text)
    return row


def load_dossier(
    session: Session,
    row: DossierRow,
    documents: Iterable[DocumentReceived] | None = None,
    history: Iterable[StatusChange] | None = None,
) -> Dossier:
    """The dossier of ``row``; its documents and status history are read unless the caller, who just
    wrote them, passes them in."""
    if documents is None:
        documents = (
            DocumentReceived(d.code, d.name, d.originals, d.certified_copies, d.photocopies)
            for d in session.scalars(
                select(DossierComponentRow)
                .where(DossierComponentRow.dossier_id == row.id)
                .order_by(DossierComponentRow.position)
            )
        )
    if history is None:
        history = (
            StatusChange(DossierStatus(h.status), h.at, h.user_id, h.note)
            for h in session.scalars(
                select(DossierStatusRow).where(DossierStatusRow.dossier_id == row.id).order_by(DossierStatusRow.id)
            )
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
        documents=tuple(documents),
        history=tuple(history),
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


MAX_VOID_REASON = 500


def void_dossier(session: Session, code: str, reason: str, *, now: datetime, user_id: str | None) -> Dossier:
    """Withdraw a dossier received by mistake (the wrong procedure, a receipt already printed). Codes are
    final: the dossier keeps its code and register line, marked withdrawn with the reason, and is never
    reused. Only on the day it was received, at the counter that received it, while it is still
    ``received``; the server applies the ``dossier.void`` claim only if its copy is still received
    too (else ``dossier.void_too_late`` comes back as a sync conflict and the server's status returns)."""
    row = dossier_row(session, code)
    text = clean(reason or "")
    if not text:
        raise ValidationFailed.single("reason", "reason.required")
    if len(text) > MAX_VOID_REASON:
        raise ValidationFailed.single("reason", "reason.too_long", max=MAX_VOID_REASON)
    if row.status == DossierStatus.WITHDRAWN.value:
        raise InvalidState("the dossier was already voided", code="dossier.already_withdrawn", field="code")
    if row.status != DossierStatus.RECEIVED.value:
        raise InvalidState("only a dossier still received can be voided", code="dossier.void_not_received",
                           field="code", status=row.status)  # fmt: skip
    if row.received_on != now.date():
        raise InvalidState("only a dossier received today can be voided", code="dossier.void_not_today", field="code")
    if row.counter_number != outbox.device_meta(session).counter_number or not _received_here(session, row.id):
        raise InvalidState("only the counter that received a dossier can void it", code="dossier.void_other_counter",
                           field="code")  # fmt: skip
    row.status = DossierStatus.WITHDRAWN.value
    row.updated_at = now
    row.sync_state = "pending"
    session.add(DossierStatusRow(dossier_id=row.id, status=row.status, at=now, user_id=user_id, note=text))
    payload = {"dossier_id": row.id, "code": row.code, "voided_at": now.isoformat(), "reason": text}
    outbox.enqueue(session, ops.DOSSIER_VOID, payload, now=now, user_id=user_id)
    index_dossier(session, row)
    session.flush()
    return load_dossier(session, row)


def _received_here(session: Session, dossier_id: str) -> bool:
    """Whether this device's outbox holds the dossier's ``dossier.create`` (one pulled from another
    counter, even one with the same number before a re-enrolment, has none)."""
    found = session.scalar(
        select(OutboxRow.client_seq)
        .where(OutboxRow.kind == ops.DOSSIER_CREATE.name, OutboxRow.payload["dossier_id"].as_string() == dossier_id)
        .limit(1)
    )
    return found is not None


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
    agency: str | None = None  # cơ quan giải quyết: the catalogue's, while the procedure is in it
    transferred_at: datetime | None = None  # ngày chuyển: first "processing" status (from the centre)
    result_received_at: datetime | None = None  # ngày nhận kết quả: first "has_result" status


def daily_register(session: Session, day: date) -> list[RegisterLine]:
    """The dossiers received on ``day``, in receipt order. The book's columns the dossier row does not
    hold come from the catalogue (the deciding agency) and from the status history (when the dossier was
    forwarded and when its result came back, known once the centre's changes are synced)."""
    rows = list(
        session.scalars(
            select(DossierRow).where(DossierRow.received_on == day).order_by(DossierRow.received_at, DossierRow.code)
        )
    )
    agencies: dict[str, str] = {
        row.code: row.agency
        for row in session.execute(
            select(ProcedureRow.code, ProcedureRow.agency).where(
                ProcedureRow.code.in_({r.procedure_code for r in rows})
            )
        )
    }
    first_at: dict[tuple[str, str], datetime] = {}
    milestones = (DossierStatus.PROCESSING.value, DossierStatus.HAS_RESULT.value)
    history = session.execute(
        select(DossierStatusRow.dossier_id, DossierStatusRow.status, DossierStatusRow.at)
        .where(DossierStatusRow.dossier_id.in_([r.id for r in rows]), DossierStatusRow.status.in_(milestones))
        .order_by(DossierStatusRow.at, DossierStatusRow.id)
    )
    for dossier_id, status, at in history:
        first_at.setdefault((dossier_id, status), at)
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
            agency=agencies.get(r.procedure_code) or None,
            transferred_at=first_at.get((r.id, DossierStatus.PROCESSING.value)),
            result_received_at=first_at.get((r.id, DossierStatus.HAS_RESULT.value)),
        )
        for r in rows
    ]
