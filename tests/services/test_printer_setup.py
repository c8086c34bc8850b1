"""The first start's printers (``counterapp.services.printer_setup``): validation by field, the test page of
each role on real connectors (a PDF folder, a raw TCP "printer" on loopback, a device file), saving them
under their role names, and receipts never going to the ticket printer."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from counterapp.domain.errors import ValidationFailed
from counterapp.printing.printers import PrinterError, PrinterKind
from counterapp.services import printing, receipt_queue
from counterapp.services.printer_setup import (
    RECEIPT,
    TICKET,
    kinds_for,
    print_test_page,
    role_printer,
    save_role_printers,
)
from counterapp.services.workspace import Workspace, open_workspace
from tests.counter import counter_store
from tests.ports import free_port


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    counter_store(tmp_path / "counter").close()
    opened = open_workspace(tmp_path / "counter")
    yield opened
    opened.close()


@pytest.fixture
def tcp_printer() -> Iterator[tuple[int, Callable[[], list[bytes]]]]:
    """A raw port-9100 printer on loopback; the second item waits for the job and gives what it received."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(2)
    received: list[bytes] = []

    def serve() -> None:
        connection, _ = listener.accept()
        with connection:
            chunks = []
            while chunk := connection.recv(65536):
                chunks.append(chunk)
            received.append(b"".join(chunks))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()

    def jobs() -> list[bytes]:
        thread.join(5)  # the client's close and the printer's last read race: wait for the printer
        return received

    yield listener.getsockname()[1], jobs
    thread.join(5)
    listener.close()


def test_a_receipt_test_page_lands_in_the_pdf_folder(tmp_path: Path) -> None:
    config = role_printer(RECEIPT, {"kind": "pdf-folder", "folder": str(tmp_path / "BiênNhận"), "paper": "a5"})
    where = print_test_page(RECEIPT, config)
    assert where is not None and where.parent == tmp_path / "BiênNhận"
    assert where.read_bytes().startswith(b"%PDF")


def test_a_ticket_test_page_reaches_a_network_printer(tcp_printer: tuple[int, Callable[[], list[bytes]]]) -> None:
    port, jobs = tcp_printer
    config = role_printer(TICKET, {"kind": "network", "host": "127.0.0.1", "port": port, "profile": "58mm"})
    assert print_test_page(TICKET, config) is None
    received = jobs()
    assert received and received[0].startswith(b"\x1b@")  # ESC @: the printer is reset, then the raster


def test_a_device_file_takes_the_escpos_bytes(tmp_path: Path) -> None:
    device = tmp_path / "lp0"
    print_test_page(TICKET, role_printer(TICKET, {"kind": "file", "device": str(device)}))
    assert device.read_bytes().startswith(b"\x1b@")


def test_a_printer_that_is_off_gives_its_reason() -> None:
    config = role_printer(RECEIPT, {"kind": "network", "host": "127.0.0.1", "port": free_port(), "timeout": 1})
    with pytest.raises(PrinterError) as raised:
        print_test_page(RECEIPT, config)
    assert raised.value.code == "printer.unreachable"


def test_missing_fields_are_named() -> None:
    with pytest.raises(ValidationFailed) as raised:
        role_printer(TICKET, {"kind": "network", "port": 70000})
    assert set(raised.value.fields) == {"printer.host", "printer.port"}
    with pytest.raises(ValidationFailed) as raised:
        role_printer(RECEIPT, {"kind": "pdf-folder"})
    assert raised.value.fields == ("printer.folder",)


def test_saved_under_their_roles_and_receipts_skip_the_ticket_printer(workspace: Workspace, tmp_path: Path) -> None:
    # GIVEN a receipt printer (PDF folder) and a ticket printer (thermal) chosen at the first start
    receipt = role_printer(RECEIPT, {"kind": "pdf-folder", "folder": str(tmp_path / "pdf")})
    ticket = role_printer(TICKET, {"kind": "file", "device": str(tmp_path / "lp0")})
    with workspace.writing() as (session, _now):
        save_role_printers(session, {RECEIPT: receipt, TICKET: ticket})
    with workspace.reading() as (session, _now):
        assert set(printing.printers(session)) == {RECEIPT, TICKET}
        # THEN a receipt goes to the receipt printer only
        assert receipt_queue._targets(session, printing.Document.RECEIPT, workspace.data_dir) == [RECEIPT]
    # WHEN the receipt printer is removed again, receipts fall back to the data directory's PDF folder
    with workspace.writing() as (session, _now):
        save_role_printers(session, {RECEIPT: None})
        targets = receipt_queue._targets(session, printing.Document.RECEIPT, workspace.data_dir)
    assert targets == [receipt_queue.FALLBACK_PRINTER]


def test_kinds_offered_per_platform() -> None:
    assert PrinterKind.WIN32RAW in kinds_for("win32") and PrinterKind.CUPS not in kinds_for("win32")
    assert PrinterKind.CUPS in kinds_for("linux") and PrinterKind.WIN32RAW not in kinds_for("linux")
    assert kinds_for("linux")[0] is PrinterKind.PDF_FOLDER
