"""Taking in a dossier (tiếp nhận hồ sơ): validate, compute the appointment, take a code, store, queue
the op — all in one transaction, so a failure at any step leaves nothing behind and uses no lease number.

The code comes from the server when it answers (``intake_desk.save_intake`` asks ``/v1/codes/next`` after
``check_intake`` passed and passes the number in) and from this device's offline lease otherwise."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert, inspect, select
from sqlalchemy.orm import Session

from counterapp.domain.applicant import Applicant
from counterapp.domain.codes import build_dossier_code
from counterapp.domain.dossier import Dossier, DossierStatus, IntakeRequest, StatusChange, validate_intake
from counterapp.domain.duedate import DueDate, compute_due
from counterapp.domain.errors import ValidationFailed
from counterapp.domain.procedure import Procedure
from counterapp.protocol import ops
from counterapp.services.catalogue import get_procedure
from counterapp.services.clock import require_good_clock
from counterapp.services.device import office_hours, settings, work_calendar
from counterapp.services.dossiers import dossier_row, load_dossier
from counterapp.services.errors import AlreadySynced, InvalidState, NotFound
from counterapp.services.leases import LeaseKind, take_number
from counterapp.services.queue import find_ticket
from counterapp.store import outbox
from counterapp.store.dossier_models import DossierComponentRow, DossierRow, DossierStatusRow
from counterapp.store.queue_models import TicketRow
from counterapp.store.search_index import index_dossier
from counterapp.store.sync_models import OutboxRow


@dataclass(frozen=True, slots=True)
class IntakeResult:
    dossier: Dossier
    due: DueDate


def applicant_json(person: Applicant | None) -> dict[str, Any] | None:
    if person is None:
        return None
    pid = person.personal_id
    return {
        "name": person.name,
        "id_type": pid.id_type.value if pid else None,
        "id_number": pid.number if pid else None,
        "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else None,
        "sex": person.sex.value if person.sex else None,
        "address": person.address,
        "phone": person.phone.national if person.phone else None,
        "email": person.email,
    }


def _apply_request(row: DossierRow, request: IntakeRequest) -> None:
    a = request.applicant
    row.applicant_name = a.name
    row.applicant_id_type = a.personal_id.id_type.value if a.personal_id else None
    row.applicant_id_number = a.personal_id.number if a.personal_id else None
    row.applicant_dob = a.date_of_birth
    row.applicant_sex = a.sex.value if a.sex else None
    row.applicant_phone = a.phone.national if a.phone else None
    row.applicant_email = a.email
    row.applicant_address = a.address
    row.owner = applicant_json(request.owner)
    row.sets = request.sets
    row.return_mode = request.return_mode.value
    row.postal_address = request.postal_address
    row.note = request.note


def _replace_components(session: Session, row: DossierRow, request: IntakeRequest) -> None:
    for old in session.scalars(select(DossierComponentRow).where(DossierComponentRow.dossier_id == row.id)):
        session.delete(old)
    for position, d in enumerate(request.documents):
        session.add(DossierComponentRow(dossier_id=row.id, position=position, code=d.code, name=d.name,
                                        originals=d.originals, certified_copies=d.certified_copies,
                                        photocopies=d.photocopies))  # fmt: skip


def _payload(row: DossierRow, request: IntakeRequest) -> dict[str, Any]:
    return {
        "dossier_id": row.id,
        "code": row.code,
        "lease_id": row.lease_id,
        "procedure_code": row.procedure_code,
        "received_at": row.received_at.isoformat(),
        "due_at": row.due_at.isoformat() if row.due_at else None,
        "duration": {"value": row.duration_value, "unit": row.duration_unit},
        "calendar_version": row.calendar_version,
        "sets": row.sets,
        "channel": row.channel,
        "return_mode": row.return_mode,
        "postal_address": row.postal_address,
        "note": row.note,
        "register": {"book": row.register_book, "line": row.register_line},
        "counter": row.counter_number,
        "ticket_id": row.ticket_id,
        "applicant": applicant_json(request.applicant),
        "owner": applicant_json(request.owner),
        "documents": [
            {"code": d.code, "name": d.name, "originals": d.originals,
             "certified_copies": d.certified_copies, "photocopies": d.photocopies}
            for d in request.documents
        ],
    }  # fmt: skip


@dataclass(frozen=True, slots=True)
class CheckedIntake:
    """An intake form that passed every check, with what the write needs of it."""

    procedure: Procedure
    request: IntakeRequest
    ticket_id: str | None
    due: DueDate


def check_intake(session: Session, raw: Mapping[str, Any], *, now: datetime) -> CheckedIntake:
    """Everything that may refuse an intake before it takes a code: the procedure, the clock, the form,
    the ticket named, the appointment. Read-only, so it may run in a read transaction before a code is
    asked of the server (``intake_desk.save_intake``): a refused form must not use up a number."""
    procedure_code = str(raw.get("procedure_code") or "").strip()
    if not procedure_code:
        raise ValidationFailed.single("procedure_code", "procedure.required")
    procedure = get_procedure(session, procedure_code)
    require_good_clock(outbox.device_meta(session))  # the code's date and the receipt's times are legal facts
    request = validate_intake(raw, procedure, today=now.date())
    ticket_id = _ticket_link(session, raw, now)
    values = settings(session)  # the calendar's years and the office hours in one read
    calendar, hours = work_calendar(session, values), office_hours(session, values)
    due = compute_due(now, procedure.duration, calendar, hours, procedure.cutoff)
    return CheckedIntake(procedure, request, ticket_id, due)


def receive_dossier(
    session: Session, raw: Mapping[str, Any], *, now: datetime, user_id: str | None, code_number: int | None = None
) -> IntakeResult:
    """Validate the form against its procedure, compute the appointment, take a code and store the dossier
    with its op. ``now`` is the corrected (legal) time of receipt.

    The code's number is ``code_number`` when the server handed one out for today (``/v1/codes/next``:
    no lease, and it is also the register line), otherwise the next number of today's offline lease."""
    checked = check_intake(session, raw, now=now)
    procedure, request, due = checked.procedure, checked.request, checked.due
    meta = outbox.device_meta(session)
    if code_number is None:
        lease_id, sequence = take_number(session, kind=LeaseKind.DOSSIER_CODE, scope=meta.agency_code, day=now.date())
    else:
        lease_id, sequence = None, code_number
    code = build_dossier_code(meta.agency_code, now.date(), sequence)
    row = DossierRow(
        id=outbox.new_id(), code=str(code), procedure_code=procedure.code, procedure_name=procedure.name,
        received_on=now.date(), received_at=now, due_at=due.due_at,
        duration_value=str(procedure.duration.value), duration_unit=procedure.duration.unit.value,
        calendar_version=due.calendar_version, channel="direct", status=DossierStatus.RECEIVED.value,
        register_book=now.date().isoformat(), register_line=sequence, counter_number=meta.counter_number,
        clerk_id=user_id, ticket_id=checked.ticket_id, lease_id=lease_id, version=1,
        sync_state="pending", created_at=now, updated_at=now,
    )  # fmt: skip
    _apply_request(row, request)
    _insert(session, row, request, user_id=user_id)
    outbox.append_next(session, meta, ops.DOSSIER_CREATE, _payload(row, request), now=now, user_id=user_id)
    index_dossier(session, row, new=True)
    # what was just written, without reading it back
    received = StatusChange(DossierStatus.RECEIVED, now, user_id)
    return IntakeResult(load_dossier(session, row, request.documents, (received,)), due)


_DOSSIERS = cast(Table, DossierRow.__table__)
# built once, so each is compiled once
_ADD_DOSSIER = insert(_DOSSIERS).returning(_DOSSIERS.c.pk)
_ADD_COMPONENTS = insert(cast(Table, DossierComponentRow.__table__))
_ADD_STATUS = insert(cast(Table, DossierStatusRow.__table__))


def _insert(session: Session, row: DossierRow, request: IntakeRequest, *, user_id: str | None) -> None:
    """Write a new dossier, its documents and its first status with Core statements: ``row`` stays out of
    the session (no unit of work); it holds the values, and its ``pk`` once written."""
    session.flush()  # ORM changes made earlier in this transaction are written first
    connection = session.connection()
    values = {key: value for key, value in inspect(row).dict.items() if key in _DOSSIERS.c}
    row.pk = connection.execute(_ADD_DOSSIER, values).scalar_one()
    documents = [
        {"dossier_id": row.id, "position": position, "code": d.code, "name": d.name, "originals": d.originals,
         "certified_copies": d.certified_copies, "photocopies": d.photocopies}
        for position, d in enumerate(request.documents)
    ]  # fmt: skip
    if documents:
        connection.execute(_ADD_COMPONENTS, documents)
    connection.execute(_ADD_STATUS, {"dossier_id": row.id, "status": row.status, "at": row.received_at,
                                     "user_id": user_id, "note": None})  # fmt: skip


def _create_op_pending(session: Session, dossier_id: str) -> bool:
    status = session.scalar(
        select(OutboxRow.status).where(
            OutboxRow.kind == ops.DOSSIER_CREATE.name, OutboxRow.payload["dossier_id"].as_string() == dossier_id
        )
    )
    return status == "pending"


def _ticket_link(session: Session, raw: Mapping[str, Any], now: datetime) -> str | None:
    """The queue ticket the citizen came with, named by today's number (``A015``) or by its id."""
    number = str(raw.get("ticket") or "").strip()
    if number:
        try:
            return find_ticket(session, number, now=now).id
        except (NotFound, ValidationFailed):
            raise ValidationFailed.single("ticket", "ticket.unknown") from None
    ticket_id = str(raw.get("ticket_id") or "").strip()
    if not ticket_id:
        return None
    if session.get(TicketRow, ticket_id) is None:
        raise ValidationFailed.single("ticket_id", "ticket.unknown")
    return ticket_id


def amend_dossier(
    session: Session, code: str, raw: Mapping[str, Any], *, now: datetime, user_id: str | None
) -> Dossier:
    """Correct a dossier before it has reached the server. The whole form is re-validated; the code,
    the procedure, the receipt time and the appointment do not change."""
    row = dossier_row(session, code)
    if row.purged_at is not None:
        raise InvalidState("personal data of this dossier was purged", code="dossier.purged")
    if row.status == DossierStatus.WITHDRAWN.value:
        raise InvalidState("the dossier was voided", code="dossier.withdrawn", field="code")
    if row.sync_state != "pending" or not _create_op_pending(session, row.id):
        raise AlreadySynced("the dossier has reached the server; ask the back office to amend it")
    if str(raw.get("procedure_code") or row.procedure_code).strip() != row.procedure_code:
        raise ValidationFailed.single("procedure_code", "dossier.procedure_fixed")
    procedure = get_procedure(session, row.procedure_code)
    request = validate_intake(raw, procedure, today=row.received_on)
    base_version = row.version
    _apply_request(row, request)
    _replace_components(session, row, request)
    row.version += 1
    row.updated_at = now
    payload = _payload(row, request) | {"base_version": base_version}
    outbox.enqueue(session, ops.DOSSIER_AMEND, payload, now=now, user_id=user_id)
    index_dossier(session, row)
    session.flush()
    return load_dossier(session, row)
