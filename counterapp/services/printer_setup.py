"""The two printers IT chooses at the first start (Qt-free): the **receipt** printer (Mẫu 01 and the other
forms: A4/A5 PDF or a thermal roll) and the **ticket** printer (queue slips: thermal, or a PDF). Each is an
ordinary configured printer (``services.printing``) named after its role, so ``counterapp printer list``
shows them and ``counterapp print test --printer receipt`` prints the same test page as the wizard.

    config = role_printer("receipt", {"kind": "pdf-folder", "folder": "C:/BienNhan"})   # validated
    where = print_test_page("receipt", config)    # blocking (up to the printer's timeout): IO pool
    with workspace.writing() as (session, _now): save_role_printers(session, {"receipt": config})
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from counterapp.printing.printers import PrinterConfig, PrinterKind, deliver_pdf, printer_from_mapping, send_escpos
from counterapp.services import printing
from counterapp.services.printing import Document

__all__ = [
    "RECEIPT",
    "ROLES",
    "TICKET",
    "kinds_for",
    "print_test_page",
    "role_printer",
    "save_in_data_dir",
    "save_role_printers",
    "thermal_profiles",
]

RECEIPT = "receipt"
TICKET = "ticket"
ROLES = (RECEIPT, TICKET)


def thermal_profiles() -> tuple[str, ...]:
    from counterapp.printing.profiles import PROFILES

    return tuple(PROFILES)


def role_printer(role: str, raw: Mapping[str, Any]) -> PrinterConfig:
    """The printer for ``role`` from the wizard's fields: ``ValidationFailed`` names each bad field
    (``printer.host``, ``printer.folder``, …). A thermal profile that does not exist is refused now."""
    if role not in ROLES:
        raise ValueError(f"unknown printer role {role!r}")
    config = printer_from_mapping({**raw, "name": role})
    if not config.kind.is_pdf:
        from counterapp.printing.profiles import profile

        profile(config.profile)
    return config


def print_test_page(role: str, config: PrinterConfig) -> Path | None:
    """Send the role's test page: a sample receipt (made-up citizen) to the receipt printer, a sample queue
    slip to the ticket printer. Returns the PDF's path for a PDF-folder printer (IT opens it), else None.
    Raises ``PrinterError`` with the printer's reason. Nothing is queued or recorded: it is a test."""
    from counterapp.printing.samples import sample_receipt, sample_ticket

    document, data = (Document.RECEIPT, sample_receipt()) if role == RECEIPT else (Document.TICKET, sample_ticket())
    rendered = printing.render(data, document, config)
    filename = f"test-{role}.pdf"
    if rendered.is_pdf:
        return deliver_pdf(config, rendered.payload, filename)
    send_escpos(config, rendered.payload)
    return None


def save_role_printers(session: Session, configs: Mapping[str, PrinterConfig | None]) -> None:
    """Store the chosen printers under their role names; ``None`` removes a role's printer (receipts then
    go to the PDF folder in the data directory, ``services.receipt_queue``)."""
    for role, config in configs.items():
        if role not in ROLES:
            raise ValueError(f"unknown printer role {role!r}")
        if config is None:
            if role in printing.printers(session):
                printing.remove_printer(session, role)
            continue
        printing.save_printer(session, {**config.to_mapping(), "name": role})


def save_in_data_dir(data_dir: Path, configs: Mapping[str, PrinterConfig | None]) -> None:
    """``save_role_printers`` in its own transaction on ``data_dir`` (the first start: no workspace open yet)."""
    from counterapp.services.workspace import open_workspace

    workspace = open_workspace(data_dir)
    try:
        with workspace.writing() as (session, _now):
            save_role_printers(session, configs)
    finally:
        workspace.close()


def kinds_for(platform: str) -> tuple[PrinterKind, ...]:
    """The printer kinds offered on this platform, the likeliest first: Windows print queues exist only
    on Windows, CUPS queues only elsewhere."""
    system = PrinterKind.WIN32RAW if platform == "win32" else PrinterKind.CUPS
    return (PrinterKind.PDF_FOLDER, PrinterKind.NETWORK, system, PrinterKind.PDF_SYSTEM, PrinterKind.USB,
            PrinterKind.SERIAL, PrinterKind.FILE)  # fmt: skip
