"""``counterapp selftest`` (also ``counterapp --selftest``): prove that this installation can do a counter's
work, without a server, a printer or a display. IT runs it after installing; CI runs it on the frozen
bundle (``make package-client``), where a missing data file or an unbundled module shows up here first.

Each check prints one line (``ok``/``FAIL``, its name, what it found, how long it took); the exit status
is 0 when all passed, else 1. Nothing is written outside a temporary folder, which is removed at the end.
The window checks run Qt offscreen and are imported by name, like ``counterapp gui``: the CLI's import
graph stays free of Qt (tests/test_architecture.py).
"""

from __future__ import annotations

import argparse
import importlib
import io
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from counterapp import __version__

#: the Qt checks live in the GUI package (only it may import PySide6)
GUI_MODULE = "counterapp.gui.selftest"
# A receipt is a legal document: its hard Vietnamese name must come back out of the PDF as text (search,
# copy, screen readers), which fails when a font is missing from the bundle and reportlab falls back.
PDF_NEEDLE = "Nguyễn Thị Tuyến"
RASTER_COMMAND = b"\x1dv0"  # ESC/POS GS v 0: the raster image the thermal receipt is printed as

Check = tuple[str, Callable[[], str]]


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "selftest",
        help="check this installation: store, receipt PDF, thermal raster, translations, window (tự kiểm tra)",
    )
    p.add_argument("--no-gui", action="store_true", help="skip the Qt checks (translations, theme, windows)")
    p.set_defaults(run=run, parser=p)


def run(args: argparse.Namespace) -> int:
    return run_selftest(gui=not args.no_gui)


class SelfTestAction(argparse.Action):
    """``counterapp --selftest``: like ``--version``, it needs no command and exits with the result."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_args: Any) -> None:
        parser.exit(run_selftest())


def check_version() -> str:
    frozen = "frozen bundle" if getattr(sys, "frozen", False) else "from source"
    return f"counterapp {__version__}, Python {sys.version.split()[0]}, {frozen}"


def check_data_files() -> str:
    from counterapp.datafiles.calendar import bundled_calendar
    from counterapp.datafiles.catalogue import demo_catalogue
    from counterapp.datafiles.paths import resource, resources_dir

    fonts = sorted(resource("fonts").glob("*.ttf"))
    if len(fonts) < 4:
        raise RuntimeError(f"{len(fonts)} fonts in {resource('fonts')}, expected the 4 Be Vietnam Pro faces")
    bundled_calendar()
    catalogue = demo_catalogue()
    return (
        f"{resources_dir()}: {len(fonts)} fonts, calendar, catalogue {catalogue.version} "
        f"({len(catalogue.procedures)} procedures)"
    )


def check_store(data_dir: Path) -> str:
    """A counter's data directory as ``counterapp init`` makes it: encrypted (SQLCipher, the default), schema
    migrated, device and catalogue written and read back; the file on disk must not be plain SQLite. Its
    key goes where a real cache's would (the OS keystore, else a 0600 file in the temporary folder): the
    line says which (``run_selftest`` deletes a keystore entry again at the end: the folder it names goes
    away, and the window check still opens this store)."""
    from counterapp.cli.init_cmd import demo_queue_services
    from counterapp.datafiles.catalogue import demo_catalogue
    from counterapp.services.catalogue import replace_catalogue
    from counterapp.services.clock import legal_now
    from counterapp.services.device import get_device, init_device
    from counterapp.store import cache_key, keystore
    from counterapp.store.database import DB_FILENAME, open_store

    store = open_store(data_dir)
    try:
        with store.write() as session:
            init_device(session, agency_code="000.00.01.H26", counter_number="1", now=legal_now(0),
                        services=demo_queue_services())  # fmt: skip
            procedures = replace_catalogue(session, demo_catalogue())
        with store.read() as session:
            device = get_device(session)
            answer = session.connection().exec_driver_sql("PRAGMA cipher_version")  # plain SQLite: no row
            cipher = answer.scalar() if answer.returns_rows else None
    finally:
        store.close()
    if not cipher:
        raise RuntimeError("the cache was opened without SQLCipher (no cipher_version)")
    if cache_key.is_plaintext(data_dir / DB_FILENAME):
        raise RuntimeError(f"{DB_FILENAME} is plain SQLite: the cache is not encrypted")
    where = cache_key.key_location(data_dir)
    key_at = f"OS keystore {keystore.backend_name()}" if where == "keystore" else f"file {cache_key.KEY_FILE} (0600)"
    return (
        f"encrypted (SQLCipher {cipher}), key in {key_at}, migrated, "
        f"device {device.agency_code}/{device.counter_number}, {procedures} procedures"
    )


def check_receipt_pdf() -> str:
    from pypdf import PdfReader

    from counterapp.printing import pdf_forms
    from counterapp.printing.samples import sample_receipt

    pdf = pdf_forms.receipt_pdf(sample_receipt(PDF_NEEDLE), pdf_forms.Paper.A4)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    if unicodedata.normalize("NFC", PDF_NEEDLE) not in " ".join(unicodedata.normalize("NFC", text).split()):
        raise RuntimeError("the applicant's name is not extractable from the receipt PDF (fonts missing?)")
    return f"A4 Mẫu 01, {len(pdf):,} bytes, text extractable"


def check_thermal() -> str:
    from counterapp.printing import thermal
    from counterapp.printing.profiles import PROFILES
    from counterapp.printing.samples import sample_receipt

    data = thermal.receipt_escpos(sample_receipt(), PROFILES["80mm"])
    if RASTER_COMMAND not in data:
        raise RuntimeError("no raster image in the 80 mm receipt's ESC/POS bytes")
    return f"80 mm receipt, {len(data):,} bytes of ESC/POS raster"


def checks(data_dir: Path, *, gui: bool) -> list[Check]:
    found: list[Check] = [
        ("version", check_version),
        ("data files", check_data_files),
        ("store", lambda: check_store(data_dir)),
        ("receipt PDF", check_receipt_pdf),
        ("thermal raster", check_thermal),
    ]
    if gui:
        found += importlib.import_module(GUI_MODULE).checks(data_dir)
    return found


def run_selftest(*, gui: bool = True, out: TextIO | None = None) -> int:
    """Run every check, one line each on ``out`` (stdout); 0 when all passed."""
    out = out or sys.stdout
    failed = 0
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="counterapp-selftest-") as scratch:
        try:
            found = checks(Path(scratch) / "counter", gui=gui)
        except Exception as exc:  # the Qt module itself did not import: one failure, the rest still run
            found = checks(Path(scratch) / "counter", gui=False)
            found.append(("qt", _raise(exc)))
        for name, check in found:
            t0 = time.perf_counter()
            try:
                detail, status = check(), "ok  "
            except Exception as exc:
                detail, status = f"{type(exc).__name__}: {exc}", "FAIL"
                failed += 1
            print(f"{status} {name}: {detail} ({(time.perf_counter() - t0) * 1000:.0f} ms)", file=out, flush=True)
        forget_keys(Path(scratch) / "counter")
    total = time.perf_counter() - started
    verdict = "all checks passed" if not failed else f"{failed} check(s) failed"
    print(f"selftest: {verdict} in {total:.1f} s", file=out, flush=True)
    return 1 if failed else 0


def forget_keys(data_dir: Path) -> None:
    """Delete the temporary store's cache key from the OS keystore, if it went there: nothing of the
    self-test may outlive its temporary folder."""
    from counterapp.store import cache_key, keystore

    if not (data_dir / keystore.ID_FILE).is_file():
        return
    backend = keystore.os_keystore()
    if backend is not None:
        keystore.delete_secret(backend, data_dir, cache_key.KEY_NAME)


def _raise(exc: Exception) -> Callable[[], str]:
    def check() -> str:
        raise exc

    return check
