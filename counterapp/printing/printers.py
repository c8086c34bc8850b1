"""Configured printers and how bytes reach them.

Thermal printers are reached over ``network`` (raw TCP to port 9100, as python-escpos' ``Network``
does) or through python-escpos connectors: ``usb``, ``serial``, ``file`` (a device such as
/dev/usb/lp0, or a file), ``win32raw`` (a Windows print queue with a RAW-capable driver, the
recommended way on Windows) and ``cups``. PDF printers either drop the file into a folder
(``pdf-folder``) or hand it to the system's print queue (``pdf-system``).

The documents are rendered to bytes before a connector is opened, so what is sent is exactly what the
print queue recorded; every failure of the device becomes one :class:`PrinterError` with a readable
reason, never a hang (timeouts are short) and never a traceback in the clerk's face.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, fields
from enum import StrEnum
from pathlib import Path
from typing import Any

from counterapp.domain.errors import DomainError, FieldError, ValidationFailed
from counterapp.domain.text import clean


class PrinterKind(StrEnum):
    NETWORK = "network"
    USB = "usb"
    SERIAL = "serial"
    FILE = "file"
    WIN32RAW = "win32raw"
    CUPS = "cups"
    PDF_FOLDER = "pdf-folder"
    PDF_SYSTEM = "pdf-system"

    @property
    def is_pdf(self) -> bool:
        return self in (PrinterKind.PDF_FOLDER, PrinterKind.PDF_SYSTEM)


class PrinterError(DomainError):
    """The printer did not take the job: off, unreachable, out of paper, timed out, misconfigured."""

    code = "printer.failed"


@dataclass(frozen=True, slots=True)
class PrinterConfig:
    name: str
    kind: PrinterKind
    profile: str = "80mm"  # thermal: a name from counterapp.printing.profiles
    paper: str = "a4"  # PDF: a4 | a5
    host: str = ""
    port: int = 9100
    timeout: float = 5.0
    device: str = ""  # file / serial device path
    baudrate: int = 115200  # PRINTING_PACKAGING §1: 9600 baud takes ~49 s for one image ticket
    usb_vendor: int = 0
    usb_product: int = 0
    queue: str = ""  # win32raw / cups / pdf-system: the system's printer name
    folder: str = ""  # pdf-folder

    def to_mapping(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


_REQUIRED: dict[PrinterKind, tuple[str, ...]] = {
    PrinterKind.NETWORK: ("host",),
    PrinterKind.USB: ("usb_vendor", "usb_product"),
    PrinterKind.SERIAL: ("device",),
    PrinterKind.FILE: ("device",),
    PrinterKind.WIN32RAW: ("queue",),
    PrinterKind.CUPS: ("queue",),
    PrinterKind.PDF_FOLDER: ("folder",),
    PrinterKind.PDF_SYSTEM: (),
}


def printer_from_mapping(raw: Mapping[str, Any]) -> PrinterConfig:
    """Validate a printer's configuration; every bad field is named (``printer.host``, …)."""
    errors: list[FieldError] = []
    name = clean(str(raw.get("name") or ""))
    if not name or len(name) > 40:
        errors.append(FieldError("printer.name", "printer.name_invalid"))
    try:
        kind = PrinterKind(str(raw.get("kind") or ""))
    except ValueError:
        raise ValidationFailed([*errors, FieldError("printer.kind", "printer.kind_unknown")]) from None
    values: dict[str, Any] = {"name": name, "kind": kind}
    types = {f.name: f.type for f in fields(PrinterConfig)}
    for key, value in raw.items():
        if key in ("name", "kind") or key not in types or value in (None, ""):
            continue
        try:
            if types[key] == "int":
                values[key] = int(value, 0) if isinstance(value, str) else int(value)
            elif types[key] == "float":
                values[key] = float(value)
            else:
                values[key] = clean(str(value))
        except (TypeError, ValueError):
            errors.append(FieldError(f"printer.{key}", "printer.value_invalid"))
    for key in _REQUIRED[kind]:
        if not values.get(key):
            errors.append(FieldError(f"printer.{key}", "printer.required"))
    if not 1 <= int(values.get("port", 9100)) <= 65535:
        errors.append(FieldError("printer.port", "printer.value_invalid"))
    if str(values.get("paper", "a4")) not in ("a4", "a5"):
        errors.append(FieldError("printer.paper", "printer.value_invalid"))
    if errors:
        raise ValidationFailed(errors)
    return PrinterConfig(**values)


def _escpos_printer(config: PrinterConfig) -> Any:
    from counterapp.printing.escpos_env import escpos_printer

    printer = escpos_printer()
    if config.kind is PrinterKind.USB:
        return printer.Usb(config.usb_vendor, config.usb_product, timeout=int(config.timeout * 1000))
    if config.kind is PrinterKind.SERIAL:
        return printer.Serial(config.device, baudrate=config.baudrate, timeout=config.timeout)
    if config.kind is PrinterKind.FILE:
        return printer.File(config.device)
    if config.kind is PrinterKind.WIN32RAW:
        return printer.Win32Raw(config.queue)
    return printer.CupsPrinter(config.queue)


def _send_tcp(config: PrinterConfig, payload: bytes) -> None:
    """Raw TCP to port 9100: what python-escpos' ``Network`` does, but its socket leaks when the
    connection is refused, so the project opens and always closes its own."""
    with socket.create_connection((config.host, config.port), timeout=config.timeout) as connection:
        connection.sendall(payload)
        connection.shutdown(socket.SHUT_WR)  # the printer sees the end of the job


def send_escpos(config: PrinterConfig, payload: bytes) -> None:
    """Write ESC/POS bytes to a thermal printer, or raise :class:`PrinterError`."""
    if config.kind.is_pdf:
        raise PrinterError("this printer takes PDF documents", code="printer.wrong_kind", printer=config.name)
    try:
        if config.kind is PrinterKind.NETWORK:
            _send_tcp(config, payload)
            return
        device = _escpos_printer(config)
        if not device.is_usable():
            raise PrinterError(
                f"the {config.kind} connection needs a library that is not installed",
                code="printer.unsupported",
                printer=config.name,
            )
        device.open()
        try:
            device._raw(payload)  # the bytes were built (and recorded) beforehand; send them as they are
        finally:
            device.close()
    except PrinterError:
        raise
    except Exception as exc:  # every connector has its own exceptions; the clerk needs one message
        raise PrinterError(
            f"printer {config.name!r} did not take the job: {_reason(exc)}",
            code="printer.unreachable",
            printer=config.name,
            reason=_reason(exc),
        ) from None


def _reason(exc: Exception) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]


def deliver_pdf(config: PrinterConfig, pdf: bytes, filename: str) -> Path | None:
    """Put a PDF in the configured folder (atomically), or hand it to the system print queue."""
    if config.kind is PrinterKind.PDF_FOLDER:
        folder = Path(config.folder)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / filename
            partial = target.with_suffix(target.suffix + ".part")
            partial.write_bytes(pdf)
            os.replace(partial, target)  # a reader never sees half a file
        except OSError as exc:
            raise PrinterError(
                f"cannot write to {folder}: {_reason(exc)}", code="printer.folder", printer=config.name
            ) from None
        return target
    if config.kind is PrinterKind.PDF_SYSTEM:
        _print_pdf_with_system(config, pdf, filename)
        return None
    raise PrinterError("this printer takes ESC/POS documents", code="printer.wrong_kind", printer=config.name)


def _print_pdf_with_system(config: PrinterConfig, pdf: bytes, filename: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="counterapp-print-") as tmp:
        path = Path(tmp) / filename
        path.write_bytes(pdf)
        if sys.platform == "win32":  # the GUI prints through QtPdf; headless, the default PDF handler prints
            try:
                os.startfile(str(path), "print")  # type: ignore[attr-defined]
            except OSError as exc:
                raise PrinterError(f"Windows could not print: {_reason(exc)}", code="printer.unreachable") from None
            return
        command = ["lp", *(["-d", config.queue] if config.queue else []), str(path)]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PrinterError(f"lp failed: {_reason(exc)}", code="printer.unreachable") from None
        if done.returncode != 0:
            raise PrinterError(f"lp failed: {_reason(Exception(done.stderr))}", code="printer.unreachable")
