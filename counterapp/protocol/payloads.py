"""Typed payloads of every op kind at its current version: exactly what the counter's services write
(``counterapp/services``: queue, intake, dossiers, forms, printing), checked by the contract test in
``tests/protocol/test_payloads.py``. The server reads every op through :func:`decode_payload`.

Times in payloads are what the counter wrote: ISO 8601 text, today without an offset (the centre's local
legal time, Asia/Ho_Chi_Minh); an offset is accepted too. Dates are ``YYYY-MM-DD``.

Every field is one of the checked types of ``counterapp.protocol.fields`` (text without NUL, surrogates or
misplaced control characters, checked natively: ``fields.line``/``fields.text``; integers strict and
bounded; times within 2000–2099), with the length of the column it ends up in where it has one. With
``extra="forbid"`` that makes a payload its model accepted storable as it was sent (``op_log.payload``
keeps the raw JSON): a field added here must use those types too (``tests/protocol/test_payloads.py``
poisons every string and integer of every kind to check it).
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict, StringConstraints, ValidationError
from pydantic_core import ErrorDetails

from counterapp.domain.counter import MAX_PAUSE_REASON, pause_reason_problem
from counterapp.domain.duedate import DurationUnit
from counterapp.domain.identity import IdType, Sex
from counterapp.domain.procedure import ReturnOption
from counterapp.domain.text import clean
from counterapp.protocol import ops
from counterapp.protocol.fields import PATTERN_MESSAGES, BirthDate, Day, Int32, LocalTime, line, storable, text
from counterapp.protocol.messages import UuidText
from counterapp.protocol.ops import OpKind
from counterapp.protocol.upcast import UndecodableOp, upcast

__all__ = ["PAYLOADS", "Payload", "UndecodableOp", "decode_payload", "summary"]


Text = Annotated[str, text(1000, min_length=1)]  # free text: a name, an address, a note
Code = Annotated[str, line(40, min_length=1)]  # one line: a code, a number, a reference
TicketNumber = Annotated[str, line(8, min_length=1)]  # tickets.number
ServiceCode = Annotated[str, line(20, min_length=1)]  # queue_services.code, tickets.priority
CounterNumber = Annotated[str, line(10, min_length=1)]  # counters.number
# dossiers.code: no control character can match \S+ here (the agency code is ASCII letters, digits, dots)
DossierCode = Annotated[str, StringConstraints(strict=True, max_length=40, pattern=r"^[!-~]+-[0-9]{6}-[0-9]{4}$")]
Count = Annotated[Int32, Field(ge=0, le=99)]
Positive = Annotated[Int32, Field(ge=1)]


class Payload(BaseModel):
    """A payload at one version: every key the service writes is required (nullable ones too)."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, serialize_by_alias=True)
    KIND: ClassVar[OpKind]


# --- tickets (counterapp/services/queue.py) -------------------------------------------------------


class TicketIssueV1(Payload):
    KIND = ops.TICKET_ISSUE
    ticket_id: UuidText
    number: TicketNumber
    service: ServiceCode
    priority: ServiceCode | None
    issued_on: Day
    issued_at: LocalTime
    lease_id: Code
    counter: CounterNumber


class TicketEvent(Payload):
    """``_event_payload``: one step of a ticket's life; ``event`` is fixed by the kind."""

    ticket_id: UuidText
    number: TicketNumber
    issued_on: Day
    at: LocalTime
    counter: CounterNumber | None
    service: ServiceCode | None
    outcome: Code | None
    reason: Text | None


class TicketCallV1(TicketEvent):
    KIND = ops.TICKET_CALL
    event: Literal["called"]


class TicketRecallV1(TicketEvent):
    KIND = ops.TICKET_RECALL
    event: Literal["recalled"]


class TicketStartV1(TicketEvent):
    KIND = ops.TICKET_START
    event: Literal["started"]


class TicketFinishV1(TicketEvent):
    KIND = ops.TICKET_FINISH
    event: Literal["finished"]


class TicketNoShowV1(TicketEvent):
    KIND = ops.TICKET_NO_SHOW
    event: Literal["no_show"]


class TicketHoldV1(TicketEvent):
    KIND = ops.TICKET_HOLD
    event: Literal["held"]


class TicketUnholdV1(TicketEvent):
    KIND = ops.TICKET_UNHOLD
    event: Literal["unheld"]


class TicketTransferV1(TicketEvent):
    KIND = ops.TICKET_TRANSFER
    event: Literal["transferred"]


class TicketCancelV1(TicketEvent):
    KIND = ops.TICKET_CANCEL
    event: Literal["cancelled"]


class TicketReactivateV1(TicketEvent):
    KIND = ops.TICKET_REACTIVATE
    event: Literal["reactivated"]


# --- dossiers (counterapp/services/intake.py, dossiers.py, forms.py) ------------------------------


class ApplicantV1(Payload):
    """``intake.applicant_json``."""

    name: Text
    id_type: Annotated[IdType, Strict(False)] | None
    id_number: Code | None
    date_of_birth: BirthDate | None
    sex: Annotated[Sex, Strict(False)] | None
    address: Text | None
    phone: Code | None
    email: Text | None


class DurationV1(Payload):
    value: Annotated[str, StringConstraints(strict=True, pattern=r"^[0-9]{1,6}(\.[0-9]{1,6})?$")]  # a Decimal
    unit: Annotated[DurationUnit, Strict(False)]


class RegisterV1(Payload):
    book: Code
    line: Positive


class DocumentV1(Payload):
    code: Code
    name: Text
    originals: Count
    certified_copies: Count
    photocopies: Count


class DossierCreateV1(Payload):
    """``intake._payload``: the dossier as received, with its code and appointment."""

    KIND = ops.DOSSIER_CREATE
    dossier_id: UuidText
    code: DossierCode
    lease_id: Code | None
    procedure_code: Code
    received_at: LocalTime
    due_at: LocalTime | None
    duration: DurationV1
    calendar_version: Code
    sets: Positive
    channel: Code
    return_mode: Annotated[ReturnOption, Strict(False)]
    postal_address: Text | None
    note: Text | None
    register_: Annotated[RegisterV1, Field(alias="register")]  # ``register`` would shadow BaseModel.register
    counter: CounterNumber
    ticket_id: UuidText | None
    applicant: ApplicantV1
    owner: ApplicantV1 | None
    documents: Annotated[list[DocumentV1], Field(max_length=200)]


class DossierAmendV1(DossierCreateV1):
    """``intake.amend_dossier``: the whole corrected form (code, procedure and times unchanged) and the
    version it was made on; the server finds the changed fields by comparing with that version."""

    KIND = ops.DOSSIER_AMEND
    base_version: Positive


class DossierReturnV1(Payload):
    KIND = ops.DOSSIER_RETURN
    dossier_id: UuidText
    code: DossierCode
    returned_at: LocalTime
    collected_by: Text
    note: Text | None


class DossierVoidV1(Payload):
    """``dossiers.void_dossier``: a dossier received by mistake, withdrawn the same day with the reason."""

    KIND = ops.DOSSIER_VOID
    dossier_id: UuidText
    code: DossierCode
    voided_at: LocalTime
    reason: Annotated[str, text(500, min_length=1)]


class CodeVoidV1(Payload):
    """``online_codes.enqueue_void``: numbers ``/v1/codes/next`` handed out that no dossier got, reported
    through the outbox when the server could not be told at once (``/v1/codes/voids`` needs it online)."""

    KIND = ops.CODE_VOID
    kind: Literal["dossier", "ticket"]
    scope: ServiceCode | None  # code_voids.scope: an agency code or a ticket prefix
    day: Day
    numbers: Annotated[list[Positive], Field(min_length=1, max_length=1000)]
    reason: Annotated[str, text(200, min_length=1)]
    voided_at: LocalTime


class ItemV1(Payload):
    name: Text
    originals: Count
    certified_copies: Count
    photocopies: Count


class SupplementCreateV1(Payload):
    """``forms.request_supplement`` (Mẫu 02); ``applicant`` is null when it concerns a dossier."""

    KIND = ops.SUPPLEMENT_CREATE
    id: UuidText
    dossier_id: UuidText | None
    procedure_code: Code
    applicant: ApplicantV1 | None
    items: Annotated[list[ItemV1], Field(min_length=1, max_length=200)]
    reason: Annotated[str, text(1000, min_length=1)]
    created_at: LocalTime


class RefusalCreateV1(Payload):
    """``forms.refuse`` (Mẫu 03)."""

    KIND = ops.REFUSAL_CREATE
    id: UuidText
    procedure_code: Code
    applicant: ApplicantV1
    reason: Annotated[str, text(1000, min_length=1)]
    legal_basis: Text
    created_at: LocalTime


class ReceiptPrintedV1(Payload):
    """``printing.run_job``: any document the printer took (receipt, Mẫu 02/03, ticket slip)."""

    KIND = ops.RECEIPT_PRINTED
    job_id: UuidText
    document: Literal["receipt_01", "supplement_02", "refusal_03", "ticket"]
    reference: Annotated[str, line(80, min_length=1)]  # records.reference
    printer: Annotated[str, line(200, min_length=1)]
    reprint_of: UuidText | None
    printed_at: LocalTime


# --- the counter itself (counterapp/services/counter_status.py) ------------------------------------


def _pause_reason(value: Any) -> Any:
    """The reason exactly as the service stores it (already cleaned); anything else is refused, never
    repaired here: the code names the rule, the value is not repeated."""
    if isinstance(value, str):  # another type: the strict ``str`` check that follows refuses it
        problem = pause_reason_problem(value)
        if problem is None and value != clean(value):  # not NFC, or whitespace not folded
            problem = "text.not_clean"
        if problem is not None:
            raise ValueError(problem)
    return value


PauseReason = Annotated[str, BeforeValidator(_pause_reason), line(MAX_PAUSE_REASON, min_length=1)]


class CounterPauseV1(Payload):
    """``counter_status.pause_counter``: the clerk stopped calling at ``counter`` (again, with a new reason,
    if it was already paused). ``reason`` is shown to the lead: ≤ 200 characters, no personal data."""

    KIND = ops.COUNTER_PAUSE
    counter: CounterNumber
    reason: PauseReason
    at: LocalTime


class CounterResumeV1(Payload):
    """``counter_status.resume_counter``: the clerk is back and calls tickets again."""

    KIND = ops.COUNTER_RESUME
    counter: CounterNumber
    at: LocalTime


PAYLOADS: dict[str, type[Payload]] = {
    model.KIND.name: model
    for model in (
        TicketIssueV1, TicketCallV1, TicketRecallV1, TicketStartV1, TicketFinishV1, TicketNoShowV1,
        TicketHoldV1, TicketUnholdV1, TicketTransferV1, TicketCancelV1, TicketReactivateV1,
        DossierCreateV1, DossierAmendV1, DossierReturnV1, DossierVoidV1, CodeVoidV1, SupplementCreateV1,
        RefusalCreateV1,
        ReceiptPrintedV1, CounterPauseV1, CounterResumeV1,
    )
}  # fmt: skip


def _message(error: ErrorDetails) -> str:
    """Pydantic's message, but a character rule (``fields.line``'s pattern) said in words, and a length
    checked after a validator said as a number of characters rather than "items after validation"."""
    ctx = error.get("ctx") or {}
    if error["type"] == "string_pattern_mismatch" and ctx.get("pattern") in PATTERN_MESSAGES:
        return PATTERN_MESSAGES[ctx["pattern"]]
    if error["type"] == "too_short" and "min_length" in ctx:
        return f"String should have at least {ctx['min_length']} character(s)"
    if error["type"] == "too_long" and "max_length" in ctx:
        return f"String should have at most {ctx['max_length']} characters"
    return error["msg"]


def summary(error: ValidationError, limit: int = 5, root: str = "payload") -> str:
    """Where and why, never the refused values (they may be personal data). Storable as it is: a key that
    was refused for its characters is named with them replaced (``fields.storable``)."""
    parts = []
    for e in error.errors(include_input=False, include_url=False)[:limit]:
        where = ".".join(str(p) for p in e["loc"]) or root
        parts.append(f"{storable(where, 80)}: {storable(_message(e), 200)}")
    more = error.error_count() - limit
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


def decode_payload(kind: str, v: int, payload: dict[str, Any]) -> Payload:
    """The payload of ``kind@v`` upcast to the current version and validated; raises
    :class:`UndecodableOp` for an unknown kind, an unknown or newer version, or an invalid payload."""
    current, data = upcast(kind, v, payload)
    model = PAYLOADS.get(kind)
    if model is None or model.KIND.version != current:
        raise UndecodableOp(f"no payload model for {kind}@{current}", kind=kind, v=v)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise UndecodableOp(f"{kind}@{v}: {summary(exc)}", kind=kind, v=v) from None
