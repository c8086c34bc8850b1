"""The intake screen's units of work, Qt-free: each function is what one GUI Job runs on a pool thread.

Recording (a dossier, a Mẫu 02, a Mẫu 03) and queueing its print jobs are separate transactions, so a
printer problem can never undo the record; the outcome says what was queued and where PDFs land.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from counterapp.domain.calendar import WorkCalendar
from counterapp.domain.dossier import Dossier
from counterapp.domain.office_hours import OfficeHours
from counterapp.domain.procedure import Procedure
from counterapp.printing.printers import PrinterConfig, PrinterKind
from counterapp.services import catalogue, device, dossiers, forms, intake, printing, receipt_queue
from counterapp.services.intake import IntakeResult
from counterapp.services.printing import Document, PrintJob
from counterapp.services.workspace import Workspace

if TYPE_CHECKING:  # the HTTP client loads httpx: only a signed-in online window builds an OnlineCodes
    from counterapp.services.online_codes import OnlineCodes

__all__ = [
    "IntakeContext", "Queued", "Reserved", "SavedIntake", "load_context", "queue_prints", "record_form",
    "render_preview", "reprint", "reserve_number", "run_prints", "save_intake", "void_received",
]  # fmt: skip

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class IntakeContext:
    """Loaded once per screen: what the live appointment and the picker need on the GUI thread."""

    procedures: list[Procedure]
    calendar: WorkCalendar
    hours: OfficeHours
    clock_offset_ms: int


@dataclass(frozen=True, slots=True)
class Queued:
    """Print jobs of one document; ``error`` when they could not be queued (the record itself stands)."""

    document: Document
    jobs: tuple[PrintJob, ...]
    folders: tuple[Path, ...]  # where PDF-folder printers put the files
    error: Exception | None = None


@dataclass(frozen=True, slots=True)
class SavedIntake:
    """A received dossier, its receipt's print jobs, and where its code came from: the server's online
    range (``"server"``) or this counter's offline lease (``"lease"``)."""

    result: IntakeResult
    queued: Queued
    source: Literal["server", "lease"] = "lease"


def load_context(workspace: Workspace) -> IntakeContext:
    with workspace.reading() as (s, now):
        return IntakeContext(catalogue.find_procedures(s, "", on=now.date(), limit=100_000), device.work_calendar(s),
                             device.office_hours(s), device.get_device(s).clock_offset_ms)  # fmt: skip


def queue_prints(workspace: Workspace, document: Document, reference: str) -> Queued:
    try:
        with workspace.writing() as (s, now):
            queued = receipt_queue.queue_document(s, document=document, reference=reference, now=now,
                                                  data_dir=workspace.data_dir)  # fmt: skip
            folders = {receipt_queue.output_folder(printing.printer(s, j.printer)) for j in queued}
    except Exception as exc:  # reported to the clerk; the record was committed before
        log.warning("could not queue %s for printing", document.value, exc_info=not getattr(exc, "code", None))
        return Queued(document, (), (), exc)
    return Queued(document, tuple(queued), tuple(sorted(f for f in folders if f is not None)))


@dataclass(frozen=True, slots=True)
class Reserved:
    """The server's number for an intake about to be written (``number`` ``None``: no answer in time, so the
    offline lease will give it); ``day`` is the legal day it was asked for."""

    day: date
    number: int | None


def reserve_number(workspace: Workspace, raw: Mapping[str, Any], online: OnlineCodes) -> Reserved:
    """Check the form, then ask the server for the day's next number: the network part of an online intake,
    which the window runs on its IO pool so that the database's thread never waits on the network. A form
    that would be refused raises here, before any number is taken."""
    with workspace.reading() as (s, now):
        intake.check_intake(s, raw, now=now)
    day = now.date()
    return Reserved(day, online.next_dossier_number(day))


def save_intake(
    workspace: Workspace,
    raw: Mapping[str, Any],
    online: OnlineCodes | None = None,
    reserved: Reserved | None = None,
) -> SavedIntake:
    """Receive a dossier and queue its receipt. With ``online``, the code is the server's next number of
    the day, asked only once the form passed every check (a refused form uses up no number) and outside
    any transaction (the request may take its whole timeout; ``reserved`` when it was asked already, see
    ``reserve_number``); without an answer, the offline lease's. A number taken but not written (the write
    failed, or midnight passed meanwhile) is voided."""
    if online is not None and reserved is None:
        reserved = reserve_number(workspace, raw, online)
    number = reserved.number if reserved is not None else None
    day = reserved.day if reserved is not None else None
    try:
        with workspace.writing() as (s, now):
            usable = number if day == now.date() else None
            result = intake.receive_dossier(s, raw, now=now, user_id=workspace.user_id, code_number=usable)
    except BaseException:
        if online is not None and number is not None and day is not None:
            online.void(day, [number], "intake failed after the code was issued", workspace=workspace)
        raise
    if online is not None and number is not None and day is not None and usable is None:
        online.void(day, [number], "the day changed before the intake was written", workspace=workspace)
    source: Literal["server", "lease"] = "lease" if usable is None else "server"
    return SavedIntake(result, queue_prints(workspace, Document.RECEIPT, result.dossier.code), source)


def void_received(workspace: Workspace, code: str, reason: str) -> Dossier:
    """A dossier received by mistake, withdrawn with the clerk's reason (``dossiers.void_dossier``)."""
    with workspace.writing() as (s, now):
        return dossiers.void_dossier(s, code, reason, now=now, user_id=workspace.user_id)


def record_form(workspace: Workspace, raw: Mapping[str, Any], document: Document) -> tuple[Any, Queued]:
    """Mẫu 02 (``Document.SUPPLEMENT``) or Mẫu 03 (``Document.REFUSAL``), then its print jobs."""
    service = forms.request_supplement if document is Document.SUPPLEMENT else forms.refuse
    with workspace.writing() as (s, now):
        record = service(s, raw, now=now, user_id=workspace.user_id)
    return record, queue_prints(workspace, document, record.id)


def reprint(workspace: Workspace, job_ids: list[str]) -> Queued:
    with workspace.writing() as (s, now):
        again = tuple(printing.reprint(s, j, now=now) for j in job_ids)
    return Queued(Document.RECEIPT, again, ())


def run_prints(workspace: Workspace, job_ids: list[str]) -> list[PrintJob]:
    """Send the jobs (IO pool: a printer may take its whole timeout); failures stay pending."""
    with workspace.reading() as (_s, now):
        pass
    return [printing.run_job(workspace.store, j, now=now, user_id=workspace.user_id) for j in job_ids]


def render_preview(workspace: Workspace, code: str) -> Path:
    """The A4 receipt of ``code`` as a PDF under ``<data dir>/preview``, not through the print queue."""
    folder = workspace.data_dir / "preview"
    config = PrinterConfig(name="preview", kind=PrinterKind.PDF_FOLDER, folder=str(folder))
    with workspace.reading() as (s, now):
        rendered = printing.render_reference(s, Document.RECEIPT, code, config, now)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / rendered.filename
    target.write_bytes(rendered.payload)
    return target
