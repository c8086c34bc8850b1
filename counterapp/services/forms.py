"""Mẫu 02 (supplement request: everything missing, told in one go) and Mẫu 03 (refusal) records."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from counterapp.domain.applicant import NAME_ONLY, validate_applicant
from counterapp.domain.dossier import DossierStatus
from counterapp.domain.errors import FieldError, ValidationFailed
from counterapp.domain.text import clean
from counterapp.protocol import ops
from counterapp.services.catalogue import get_procedure
from counterapp.services.dossiers import dossier_row
from counterapp.services.intake import applicant_json
from counterapp.store import outbox
from counterapp.store.dossier_models import DossierStatusRow, RefusalRow, SupplementRequestRow

MAX_REASON = 1000


@dataclass(frozen=True, slots=True)
class SupplementRequest:
    id: str
    reference: str | None  # "<dossier code>/HDHS" when it concerns a received dossier
    procedure_code: str
    procedure_name: str
    applicant: dict[str, Any] | None
    items: tuple[dict[str, Any], ...]
    reason: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Refusal:
    id: str
    procedure_code: str
    procedure_name: str
    applicant: dict[str, Any] | None
    reason: str
    legal_basis: str
    created_at: datetime


def _reason(raw: Mapping[str, Any], errors: list[FieldError]) -> str:
    reason = clean(str(raw.get("reason") or ""))
    if not reason:
        errors.append(FieldError("reason", "reason.required"))
    elif len(reason) > MAX_REASON:
        errors.append(FieldError("reason", "reason.too_long", {"max": MAX_REASON}))
    return reason


def _applicant(raw: Mapping[str, Any], now: datetime, errors: list[FieldError]) -> dict[str, Any] | None:
    if not isinstance(raw.get("applicant") or {}, Mapping):
        errors.append(FieldError("applicant", "applicant.invalid"))
        return None
    try:
        return applicant_json(validate_applicant(raw.get("applicant") or {}, today=now.date(), required=NAME_ONLY))
    except ValidationFailed as exc:
        errors.extend(exc.errors)
        return None


def _items(raw: Mapping[str, Any], errors: list[FieldError]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    raw_items = raw.get("items") or []
    if not isinstance(raw_items, list):
        errors.append(FieldError("items", "items.invalid"))
        return items
    for i, item in enumerate(raw_items):
        if not isinstance(item, Mapping):
            errors.append(FieldError(f"items[{i}]", "item.invalid"))
            continue
        name = clean(str(item.get("name") or ""))
        if not name:
            errors.append(FieldError(f"items[{i}].name", "item.name_required"))
        counts = {}
        for form in ("originals", "certified_copies", "photocopies"):
            value = item.get(form, 0)
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 99:
                errors.append(FieldError(f"items[{i}].{form}", "document.count_invalid"))
                value = 0
            counts[form] = value
        items.append({"name": name, **counts})
    if not items:
        errors.append(FieldError("items", "items.required"))
    return items


def request_supplement(
    session: Session, raw: Mapping[str, Any], *, now: datetime, user_id: str | None
) -> SupplementRequest:
    """Record a Mẫu 02. With ``dossier_code`` it concerns a received dossier, which then waits for
    the supplement; without, it is the guidance given at the counter before a dossier is accepted."""
    errors: list[FieldError] = []
    dossier = dossier_row(session, str(raw["dossier_code"])) if raw.get("dossier_code") else None
    procedure = get_procedure(session, dossier.procedure_code if dossier else str(raw.get("procedure_code") or ""))
    applicant = _applicant(raw, now, errors) if raw.get("applicant") or dossier is None else None
    items = _items(raw, errors)
    reason = _reason(raw, errors)
    if errors:
        raise ValidationFailed(errors)
    meta = outbox.device_meta(session)
    row = SupplementRequestRow(
        id=outbox.new_id(), dossier_id=dossier.id if dossier else None, procedure_code=procedure.code,
        procedure_name=procedure.name, applicant=applicant, items=items, reason=reason, created_at=now,
        clerk_id=user_id, counter_number=meta.counter_number, sync_state="pending",
    )  # fmt: skip
    session.add(row)
    if dossier is not None:
        dossier.status = DossierStatus.SUPPLEMENT_REQUESTED.value
        dossier.updated_at, dossier.sync_state = now, "pending"
        session.add(DossierStatusRow(dossier_id=dossier.id, status=dossier.status, at=now, user_id=user_id))
    payload = {"id": row.id, "dossier_id": row.dossier_id, "procedure_code": procedure.code,
               "applicant": applicant, "items": items, "reason": reason, "created_at": now.isoformat()}  # fmt: skip
    outbox.enqueue(session, ops.SUPPLEMENT_CREATE, payload, now=now, user_id=user_id)
    session.flush()
    reference = f"{dossier.code}/HDHS" if dossier else None
    return SupplementRequest(row.id, reference, procedure.code, procedure.name, applicant, tuple(items), reason, now)


def refuse(session: Session, raw: Mapping[str, Any], *, now: datetime, user_id: str | None) -> Refusal:
    """Record a Mẫu 03: the dossier is not accepted, with the reason and its legal basis."""
    errors: list[FieldError] = []
    procedure = get_procedure(session, str(raw.get("procedure_code") or ""))
    applicant = _applicant(raw, now, errors)
    reason = _reason(raw, errors)
    if errors:
        raise ValidationFailed(errors)
    legal_basis = clean(str(raw.get("legal_basis") or "")) or procedure.legal_basis
    meta = outbox.device_meta(session)
    row = RefusalRow(id=outbox.new_id(), procedure_code=procedure.code, procedure_name=procedure.name,
                     applicant=applicant, reason=reason, legal_basis=legal_basis, created_at=now,
                     clerk_id=user_id, counter_number=meta.counter_number, sync_state="pending")  # fmt: skip
    session.add(row)
    payload = {"id": row.id, "procedure_code": procedure.code, "applicant": applicant, "reason": reason,
               "legal_basis": legal_basis, "created_at": now.isoformat()}  # fmt: skip
    outbox.enqueue(session, ops.REFUSAL_CREATE, payload, now=now, user_id=user_id)
    session.flush()
    return Refusal(row.id, procedure.code, procedure.name, applicant, reason, legal_basis, now)
