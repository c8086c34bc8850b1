"""Dossiers (hồ sơ): statuses, what an intake must contain, and the value handed to every caller.

``validate_intake`` checks a whole intake form against its procedure at once — the applicant, the
owner if different, each document and its counts per form, the number of sets, the return option —
and reports every problem with the field it concerns, so nothing typed is lost to a first error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from counterapp.domain.applicant import NAME_ONLY, Applicant, validate_applicant
from counterapp.domain.errors import FieldError, ValidationFailed
from counterapp.domain.procedure import Procedure, ReturnOption
from counterapp.domain.text import clean

MAX_SETS = 99
MAX_NOTE = 500
FORMS = ("originals", "certified_copies", "photocopies")


class DossierStatus(StrEnum):
    RECEIVED = "received"  # Mới tiếp nhận
    PROCESSING = "processing"  # Đang xử lý
    SUPPLEMENT_REQUESTED = "supplement_requested"  # Chờ bổ sung
    HAS_RESULT = "has_result"  # Có kết quả / Đã xử lý xong
    RETURNED = "returned"  # Đã trả kết quả
    WITHDRAWN = "withdrawn"  # Công dân rút hồ sơ


# National-portal (DVCQG) status codes, DOMAIN.md §4, for reports and the later portal link.
DVCQG_CODES = {
    DossierStatus.RECEIVED: 2,
    DossierStatus.PROCESSING: 4,
    DossierStatus.SUPPLEMENT_REQUESTED: 5,
    DossierStatus.HAS_RESULT: 9,
    DossierStatus.RETURNED: 10,
    DossierStatus.WITHDRAWN: 7,
}


@dataclass(frozen=True, slots=True)
class DocumentReceived:
    code: str
    name: str
    originals: int = 0
    certified_copies: int = 0
    photocopies: int = 0

    @property
    def total(self) -> int:
        return self.originals + self.certified_copies + self.photocopies


@dataclass(frozen=True, slots=True)
class IntakeRequest:
    procedure: Procedure
    applicant: Applicant
    owner: Applicant | None
    documents: tuple[DocumentReceived, ...]
    sets: int
    return_mode: ReturnOption
    postal_address: str | None
    note: str | None


def _count(value: Any, field: str, errors: list[FieldError]) -> int:
    if value in (None, ""):
        return 0
    if isinstance(value, bool) or not isinstance(value, int | str):
        errors.append(FieldError(field, "document.count_invalid"))
        return 0
    try:
        number = int(value)
    except ValueError:
        errors.append(FieldError(field, "document.count_invalid"))
        return 0
    if not 0 <= number <= 99:
        errors.append(FieldError(field, "document.count_invalid"))
        return 0
    return number


def _sets(value: Any, errors: list[FieldError]) -> int:
    """Số bộ hồ sơ: a whole number from 1 to 99."""
    try:
        number = int(value) if not isinstance(value, bool) else 0
    except (TypeError, ValueError):
        number = 0
    if str(number) != str(value).strip() or not 1 <= number <= MAX_SETS:
        errors.append(FieldError("sets", "sets.invalid", {"max": MAX_SETS}))
        return 1
    return number


def check_documents(procedure: Procedure, raw: Sequence[Any], errors: list[FieldError]) -> tuple[DocumentReceived, ...]:
    """The documents received, in the procedure's order; every required one must be there."""
    known = {c.code: c for c in procedure.components}
    received: dict[str, DocumentReceived] = {}
    for index, item in enumerate(raw):
        field = f"documents[{index}]"
        if not isinstance(item, Mapping):
            errors.append(FieldError(field, "document.invalid"))
            continue
        code = clean(str(item.get("code") or ""))
        component = known.get(code)
        if component is None:
            errors.append(FieldError(f"{field}.code", "document.unknown", {"code": code}))
            continue
        if code in received:
            errors.append(FieldError(f"{field}.code", "document.duplicate", {"code": code}))
            continue
        counts = [_count(item.get(form), f"{field}.{form}", errors) for form in FORMS]
        received[code] = DocumentReceived(code, component.name, *counts)
    for component in procedure.components:
        got = received.get(component.code)
        if component.required and (got is None or got.total == 0):
            errors.append(FieldError(f"documents.{component.code}", "document.required_missing"))
    order = {c.code: i for i, c in enumerate(procedure.components)}
    return tuple(sorted((d for d in received.values() if d.total), key=lambda d: order[d.code]))


def validate_intake(raw: Mapping[str, Any], procedure: Procedure, *, today: date) -> IntakeRequest:
    """Check a whole intake form; raise :class:`ValidationFailed` naming every bad field."""
    errors: list[FieldError] = []
    if not procedure.is_valid_on(today):
        errors.append(FieldError("procedure_code", "procedure.not_in_force"))

    applicant: Applicant | None = None
    if not isinstance(raw.get("applicant") or {}, Mapping):
        errors.append(FieldError("applicant", "applicant.invalid"))
    else:
        try:
            applicant = validate_applicant(raw.get("applicant") or {}, today=today, prefix="applicant")
        except ValidationFailed as exc:
            errors.extend(exc.errors)
    owner: Applicant | None = None
    if raw.get("owner") and not isinstance(raw["owner"], Mapping):
        errors.append(FieldError("owner", "owner.invalid"))
    elif raw.get("owner"):
        try:
            owner = validate_applicant(raw["owner"], today=today, prefix="owner", required=NAME_ONLY)
        except ValidationFailed as exc:
            errors.extend(exc.errors)

    documents_raw = raw.get("documents") or []
    if not isinstance(documents_raw, list):
        errors.append(FieldError("documents", "documents.invalid"))
        documents_raw = []
    documents = check_documents(procedure, documents_raw, errors)

    sets = _sets(raw.get("sets", 1), errors)

    return_mode = ReturnOption.COUNTER
    try:
        return_mode = ReturnOption(str(raw.get("return_mode") or "counter"))
    except ValueError:
        errors.append(FieldError("return_mode", "return_mode.invalid"))
    if return_mode not in procedure.return_options:
        errors.append(FieldError("return_mode", "return_mode.not_offered"))
    postal_address = clean(str(raw.get("postal_address") or "")) or None
    if return_mode is ReturnOption.POSTAL and postal_address is None and applicant is not None:
        postal_address = applicant.address  # the applicant's own address unless another was given

    note = clean(str(raw.get("note") or "")) or None
    if note is not None and len(note) > MAX_NOTE:
        errors.append(FieldError("note", "note.too_long", {"max": MAX_NOTE}))

    if errors:
        raise ValidationFailed(errors)
    assert applicant is not None
    return IntakeRequest(procedure, applicant, owner, documents, sets, return_mode, postal_address, note)


@dataclass(frozen=True, slots=True)
class StatusChange:
    status: DossierStatus
    at: datetime
    user_id: str | None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Dossier:
    """A dossier as a caller sees it. Personal fields are ``None`` once purged from this cache."""

    id: str
    code: str
    procedure_code: str
    procedure_name: str
    received_at: datetime
    due_at: datetime | None
    calendar_version: str
    status: DossierStatus
    sets: int
    return_mode: ReturnOption
    register_book: str
    register_line: int
    counter_number: str | None
    clerk_id: str | None
    applicant_name: str | None
    applicant_id_type: str | None
    applicant_id_number: str | None
    applicant_phone: str | None
    applicant_email: str | None
    applicant_address: str | None
    owner_name: str | None
    postal_address: str | None
    note: str | None
    documents: tuple[DocumentReceived, ...]
    history: tuple[StatusChange, ...]
    returned_at: datetime | None
    returned_to: str | None
    purged: bool
    sync_state: str
    version: int
