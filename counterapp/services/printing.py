"""The durable print queue. A job is written to the store before anything is sent, so a printer that is
off, out of paper or unreachable never loses a receipt: the job stays pending with the reason, and can
be retried or reprinted. Enqueueing is one small transaction; rendering and sending happen outside any
transaction (``run_job``), on a worker thread in the window.

A job that was sent but whose success could not be recorded (the PC lost power in between) stays
pending and prints again on retry: a second copy is better than none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from counterapp.domain.errors import ValidationFailed
from counterapp.printing.centre import CentreProfile, centre_from_mapping, demo_centre
from counterapp.printing.model import DocumentLine, RefusalData, SupplementData, TicketSlipData, receipt_from_dossier
from counterapp.printing.printers import PrinterConfig, PrinterError, deliver_pdf, printer_from_mapping, send_escpos
from counterapp.protocol import ops
from counterapp.services.catalogue import get_procedure
from counterapp.services.device import priority_policy, set_setting, setting
from counterapp.services.dossiers import dossier_row, load_dossier
from counterapp.services.errors import NotFound
from counterapp.services.queue import find_ticket, waiting
from counterapp.store import outbox
from counterapp.store.database import Store
from counterapp.store.dossier_models import DossierRow, RefusalRow, SupplementRequestRow
from counterapp.store.reference_models import QueueServiceRow
from counterapp.store.sync_models import PrintJobRow


class Document(StrEnum):
    RECEIPT = "receipt_01"  # Mẫu 01, by dossier code
    SUPPLEMENT = "supplement_02"  # Mẫu 02, by supplement request id (or the dossier code: its latest)
    REFUSAL = "refusal_03"  # Mẫu 03, by refusal id
    TICKET = "ticket"  # the queue ticket slip, by today's ticket number


@dataclass(frozen=True, slots=True)
class PrintJob:
    id: str
    document: Document
    reference: str
    printer: str
    status: str  # pending | printed
    attempts: int
    last_error: str | None
    reprint_of: str | None
    created_at: datetime
    printed_at: datetime | None
    # the stable code of the last failure (PrinterError.code: printer.unreachable, printer.folder,
    # printer.unsupported, printer.wrong_kind …), for a reason shown in the clerk's language; None once printed
    error_code: str | None = None


@dataclass(frozen=True, slots=True)
class Rendered:
    """A document ready to go: PDF bytes or ESC/POS bytes, and a file name for PDFs."""

    payload: bytes
    is_pdf: bool
    filename: str


def _job(row: PrintJobRow) -> PrintJob:
    return PrintJob(row.id, Document(row.document), row.reference, row.target, row.status, row.attempts,
                    row.last_error, row.reprint_of, row.created_at, row.printed_at, row.last_error_code)  # fmt: skip


# --- configuration ------------------------------------------------------------------------------


def printers(session: Session) -> dict[str, PrinterConfig]:
    stored: dict[str, dict[str, Any]] = setting(session, "printers") or {}
    return {name: printer_from_mapping(raw) for name, raw in stored.items()}


def save_printer(session: Session, raw: dict[str, Any]) -> PrinterConfig:
    config = printer_from_mapping(raw)
    if not config.kind.is_pdf:
        from counterapp.printing.profiles import profile

        profile(config.profile)  # an unknown profile is refused now, not at the first print
    stored = dict(setting(session, "printers") or {})
    stored[config.name] = config.to_mapping()
    set_setting(session, "printers", stored)
    return config


def remove_printer(session: Session, name: str) -> None:
    stored = dict(setting(session, "printers") or {})
    if stored.pop(name, None) is None:
        raise NotFound("no such printer", field="printer", printer=name)
    set_setting(session, "printers", stored)


def printer(session: Session, name: str) -> PrinterConfig:
    found = printers(session).get(name)
    if found is None:
        raise NotFound("no such printer", field="printer", printer=name)
    return found


def centre_profile(session: Session) -> CentreProfile:
    raw = setting(session, "centre")
    return centre_from_mapping(raw) if raw else demo_centre()


# --- the queue ----------------------------------------------------------------------------------


def enqueue(
    session: Session, *, document: Document, reference: str, printer_name: str, now: datetime,
    reprint_of: str | None = None,
) -> PrintJob:  # fmt: skip
    """Record a job (the only thing the caller waits for). The document must exist and render later."""
    printer(session, printer_name)
    document_data(session, document, reference, now)  # fail now on a wrong code, not in the worker
    row = PrintJobRow(id=outbox.new_id(), document=document.value, reference=reference.strip(), target=printer_name,
                      status="pending", attempts=0, reprint_of=reprint_of, created_at=now, day=now.date())  # fmt: skip
    session.add(row)
    session.flush()
    return _job(row)


def reprint(session: Session, job_id: str, *, now: datetime, printer_name: str | None = None) -> PrintJob:
    """A new job for the same document, marked as a reprint of the original."""
    original = session.get(PrintJobRow, job_id)
    if original is None:
        raise NotFound("no such print job", field="job", job=job_id)
    return enqueue(session, document=Document(original.document), reference=original.reference,
                   printer_name=printer_name or original.target, now=now, reprint_of=original.id)  # fmt: skip


def jobs(session: Session, *, status: str | None = None, limit: int = 100) -> list[PrintJob]:
    query = select(PrintJobRow).order_by(PrintJobRow.created_at.desc(), PrintJobRow.id.desc()).limit(limit)
    if status is not None:
        query = query.where(PrintJobRow.status == status)
    return [_job(r) for r in session.scalars(query)]


# --- rendering ----------------------------------------------------------------------------------


def _clerk_name(session: Session, user_id: str | None) -> str:
    names: dict[str, str] = setting(session, "staff_names") or {}
    return names.get(user_id or "", user_id or "")


def document_data(session: Session, document: Document, reference: str, now: datetime) -> Any:
    """The data model of the document to print, read from the store."""
    centre = centre_profile(session)
    if document is Document.RECEIPT:
        dossier = load_dossier(session, dossier_row(session, reference))
        try:
            procedure = get_procedure(session, dossier.procedure_code)
        except Exception:  # a procedure since removed from the catalogue: print what the dossier holds
            procedure = None
        counter = f"– quầy số {dossier.counter_number}" if dossier.counter_number else ""
        return receipt_from_dossier(dossier, procedure, centre, clerk_name=_clerk_name(session, dossier.clerk_id),
                                    counter_label=counter)  # fmt: skip
    if document is Document.SUPPLEMENT:
        return _supplement(session, reference, centre)
    if document is Document.REFUSAL:
        row = session.get(RefusalRow, reference.strip())
        if row is None:
            raise NotFound("no such refusal", field="reference", reference=reference)
        a = row.applicant or {}
        return RefusalData(centre, a.get("name") or "", a.get("address") or "", a.get("phone") or "",
                           row.procedure_name, row.reason, row.legal_basis,
                           _clerk_name(session, row.clerk_id), row.created_at)  # fmt: skip
    ticket = find_ticket(session, reference, now=now)
    service = session.get(QueueServiceRow, ticket.service_code)
    ahead = waiting(session, now=now)
    position = next((i for i, t in enumerate(ahead) if t.number == ticket.number), len(ahead))
    names = {c.code: c.name_vi for c in priority_policy(session).classes}
    label = names.get(ticket.priority, ticket.priority) if ticket.priority else ""
    return TicketSlipData(centre, ticket.number, service.name_vi if service else ticket.service_code,
                          ticket.issued_at, position, centre.lookup_link(ticket.number), label)  # fmt: skip


def _supplement(session: Session, reference: str, centre: CentreProfile) -> SupplementData:
    """A supplement request by its id, or by a dossier code (then the dossier's latest request)."""
    row = session.get(SupplementRequestRow, reference.strip())
    dossier: DossierRow | None = None
    if row is None:
        dossier = dossier_row(session, reference)
        row = session.scalars(
            select(SupplementRequestRow)
            .where(SupplementRequestRow.dossier_id == dossier.id)
            .order_by(SupplementRequestRow.created_at.desc())
        ).first()
        if row is None:
            raise NotFound("this dossier has no supplement request", field="reference", reference=reference)
    elif row.dossier_id:
        dossier = session.scalars(select(DossierRow).where(DossierRow.id == row.dossier_id)).first()
    a = row.applicant or {}
    if not a and dossier is not None:  # a request about a received dossier: its applicant
        a = {"name": dossier.applicant_name, "address": dossier.applicant_address,
             "phone": dossier.applicant_phone, "email": dossier.applicant_email}  # fmt: skip
    items = tuple(DocumentLine(i["name"], i["originals"], i["certified_copies"], i["photocopies"]) for i in row.items)
    return SupplementData(
        centre=centre,
        reference=f"{dossier.code}/HDHS" if dossier is not None else "",
        applicant_name=a.get("name") or "",
        address=a.get("address") or "",
        phone=a.get("phone") or "",
        email=a.get("email") or "",
        request=row.procedure_name,
        items=items,
        reason=row.reason,
        clerk_name=_clerk_name(session, row.clerk_id),
        created_at=row.created_at,
    )


def render(data: Any, document: Document, config: PrinterConfig) -> Rendered:
    """PDF for PDF printers (A4/A5 by the printer's paper), ESC/POS raster for thermal ones."""
    stem = {Document.RECEIPT: "mau-01", Document.SUPPLEMENT: "mau-02", Document.REFUSAL: "mau-03",
            Document.TICKET: "phieu"}[document]  # fmt: skip
    reference = getattr(data, "code", None) or getattr(data, "number", None) or "phieu"
    filename = f"{stem}-{reference}.pdf".replace("/", "-")
    if config.kind.is_pdf:
        from counterapp.printing import pdf_forms

        paper = pdf_forms.Paper(config.paper.upper()) if config.paper.upper() in ("A4", "A5") else pdf_forms.Paper.A4
        renderers: dict[Document, Callable[..., bytes]] = {
            Document.RECEIPT: lambda d: pdf_forms.receipt_pdf(d, paper),
            Document.SUPPLEMENT: lambda d: pdf_forms.supplement_pdf(d, paper),
            Document.REFUSAL: lambda d: pdf_forms.refusal_pdf(d, paper),
            Document.TICKET: pdf_forms.ticket_pdf,
        }
        return Rendered(renderers[document](data), True, filename)
    from counterapp.printing import thermal
    from counterapp.printing.profiles import profile

    chosen = profile(config.profile)
    if document is Document.RECEIPT:
        return Rendered(thermal.receipt_escpos(data, chosen), False, filename)
    if document is Document.TICKET:
        return Rendered(thermal.ticket_escpos(data, chosen), False, filename)
    raise ValidationFailed.single("printer", "printer.form_needs_pdf", document=document.value)


def render_reference(
    session: Session, document: Document, reference: str, config: PrinterConfig, now: datetime
) -> Rendered:
    return render(document_data(session, document, reference, now), document, config)


def deliver(config: PrinterConfig, rendered: Rendered) -> None:
    if rendered.is_pdf:
        deliver_pdf(config, rendered.payload, rendered.filename)
    else:
        send_escpos(config, rendered.payload)


def run_job(store: Store, job_id: str, *, now: datetime, user_id: str | None) -> PrintJob:
    """Render and send one job, then record the outcome. Call it off the GUI thread: it may wait for a
    printer up to the printer's timeout. A failure leaves the job pending with the reason."""
    with store.read() as session:
        row = session.get(PrintJobRow, job_id)
        if row is None:
            raise NotFound("no such print job", field="job", job=job_id)
        if row.status == "printed":
            return _job(row)
        config = printer(session, row.target)
        document = Document(row.document)
        rendered = render_reference(session, document, row.reference, config, now)
    error: str | None = None
    error_code: str | None = None
    try:
        deliver(config, rendered)
    except PrinterError as exc:
        error, error_code = str(exc), exc.code
    with store.write() as session:
        row = session.get(PrintJobRow, job_id)
        assert row is not None
        row.attempts += 1
        row.last_error, row.last_error_code = error, error_code
        if error is None:
            row.status, row.printed_at = "printed", now
            payload = {"job_id": row.id, "document": row.document, "reference": row.reference,
                       "printer": row.target, "reprint_of": row.reprint_of, "printed_at": now.isoformat()}  # fmt: skip
            outbox.enqueue(session, ops.RECEIPT_PRINTED, payload, now=now, user_id=user_id)
        session.flush()
        return _job(row)


def run_pending(store: Store, *, now: datetime, user_id: str | None) -> list[PrintJob]:
    """Try every pending job once, oldest first (the retry action, and the worker's loop)."""
    with store.read() as session:
        ids = list(session.scalars(select(PrintJobRow.id).where(PrintJobRow.status == "pending")
                                   .order_by(PrintJobRow.created_at, PrintJobRow.id)))  # fmt: skip
    return [run_job(store, job_id, now=now, user_id=user_id) for job_id in ids]
