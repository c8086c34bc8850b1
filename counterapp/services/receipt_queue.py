"""Which printers a counter document goes to, for the intake screen (Qt-free, over services.printing).

A receipt (Mẫu 01) goes to every configured printer (A4 PDF and/or thermal); Mẫu 02/03 only to PDF
printers, since the thermal renderer has no layout for them; never to the printer named ``ticket`` (the
queue-slip printer chosen at the first start). With no suitable printer the document is
still queued, to a PDF folder in the data directory, so the clerk always gets a file to hand over.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from counterapp.printing.printers import PrinterConfig, PrinterKind
from counterapp.services import printing
from counterapp.services.printing import Document, PrintJob

__all__ = ["FALLBACK_PRINTER", "fallback_folder", "output_folder", "queue_document"]

FALLBACK_PRINTER = "pdf-data-dir"
TICKET_PRINTER = "ticket"  # the queue-slip printer chosen at the first start (services.printer_setup): no forms


def fallback_folder(data_dir: Path) -> Path:
    return data_dir / "receipts"


def _targets(session: Session, document: Document, data_dir: Path) -> list[str]:
    configured = printing.printers(session)
    wanted = [
        name
        for name, config in configured.items()
        if name not in (FALLBACK_PRINTER, TICKET_PRINTER) and (document is Document.RECEIPT or config.kind.is_pdf)
    ]
    if wanted:
        return wanted
    if FALLBACK_PRINTER not in configured:
        printing.save_printer(
            session,
            {"name": FALLBACK_PRINTER, "kind": PrinterKind.PDF_FOLDER.value, "folder": str(fallback_folder(data_dir))},
        )
    return [FALLBACK_PRINTER]


def queue_document(
    session: Session, *, document: Document, reference: str, now: datetime, data_dir: Path
) -> list[PrintJob]:
    """Enqueue ``document`` on its printers (one small transaction, the caller's)."""
    return [
        printing.enqueue(session, document=document, reference=reference, printer_name=name, now=now)
        for name in _targets(session, document, data_dir)
    ]


def output_folder(config: PrinterConfig) -> Path | None:
    """The folder a PDF-folder printer writes into (None for every other kind)."""
    return Path(config.folder) if config.kind is PrinterKind.PDF_FOLDER else None
