"""The durable print queue with real loopback sockets and real files: nothing is lost when a printer
is unreachable, a retry prints once, a reprint is marked, PDF printers write whole files."""

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from counterapp.printing.printers import PrinterConfig, PrinterKind
from counterapp.services import device, printing
from counterapp.services.errors import NotFound
from counterapp.store.database import Store
from counterapp.store.sync_models import OutboxRow
from tests.counter import NOW, counter_store, received_code
from tests.ports import free_port

from .loopback_printer import LoopbackPrinter


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = counter_store(tmp_path / "data", code_range=(1, 50))
    with opened.write() as s:
        device.set_setting(s, "staff_names", {"clerk-1": "Đặng Ngọc Ánh"})
    yield opened
    opened.close()


@pytest.fixture
def code(store) -> str:
    return received_code(store)


def add_printer(store, **raw):
    with store.write() as s:
        return printing.save_printer(s, raw)


def enqueue(store, code, printer="quay5", document=printing.Document.RECEIPT):
    with store.write() as s:
        return printing.enqueue(s, document=document, reference=code, printer_name=printer, now=NOW)


def printed_ops(store):
    with store.read() as s:
        return [o.payload for o in s.scalars(select(OutboxRow).where(OutboxRow.kind == "receipt.printed"))]


def expected_bytes(store, code, config):
    with store.read() as s:
        return printing.render_reference(s, printing.Document.RECEIPT, code, config, NOW).payload


def test_an_unreachable_printer_keeps_the_job_and_a_retry_prints_it_once(store, code):
    port = free_port()  # nobody listens here yet
    config = add_printer(store, name="quay5", kind="network", host="127.0.0.1", port=port, timeout=1)
    # WHEN the clerk prints while the printer is off
    job = enqueue(store, code)
    assert job.status == "pending" and job.attempts == 0  # enqueueing never touched the printer
    failed = printing.run_job(store, job.id, now=NOW, user_id="clerk-1")
    # THEN the job is kept, pending, with a reason a person can read, and nothing claims it was printed
    assert (failed.status, failed.attempts) == ("pending", 1)
    assert "quay5" in failed.last_error and ("refused" in failed.last_error.lower() or str(port) in failed.last_error)
    assert printed_ops(store) == []
    # WHEN the printer comes back on that port and the queue is retried
    with LoopbackPrinter(port) as printer:
        done = printing.run_pending(store, now=NOW + timedelta(minutes=1), user_id="clerk-1")
        again = printing.run_pending(store, now=NOW + timedelta(minutes=2), user_id="clerk-1")
    # THEN it printed exactly once, the very bytes rendered for that receipt
    assert [(j.id, j.status, j.attempts, j.last_error) for j in done] == [(job.id, "printed", 2, None)]
    assert again == []
    assert printer.jobs == [expected_bytes(store, code, config)]
    assert b"\x1dv0" in printer.jobs[0] and b"\x1dV" in printer.jobs[0]  # raster image and cut
    assert [(op["job_id"], op["reference"], op["reprint_of"]) for op in printed_ops(store)] == [(job.id, code, None)]


def test_a_reprint_is_a_new_job_marked_as_such(store, code):
    with LoopbackPrinter() as printer:
        add_printer(store, name="quay5", kind="network", host="127.0.0.1", port=printer.port, timeout=2)
        first = printing.run_job(store, enqueue(store, code).id, now=NOW, user_id="clerk-1")
        with store.write() as s:
            second = printing.reprint(s, first.id, now=NOW)
        second = printing.run_job(store, second.id, now=NOW, user_id="clerk-1")
    assert first.status == second.status == "printed"
    assert second.reprint_of == first.id and second.id != first.id
    assert len(printer.jobs) == 2 and printer.jobs[0] == printer.jobs[1]
    assert [op["reprint_of"] for op in printed_ops(store)] == [None, first.id]
    with store.read() as s:
        listed = printing.jobs(s)
    assert {j.id for j in listed} == {first.id, second.id}


def test_running_a_printed_job_again_does_not_print_twice(store, code):
    with LoopbackPrinter() as printer:
        add_printer(store, name="quay5", kind="network", host="127.0.0.1", port=printer.port, timeout=2)
        job = enqueue(store, code)
        printing.run_job(store, job.id, now=NOW, user_id="c")
        printing.run_job(store, job.id, now=NOW, user_id="c")
    assert len(printer.jobs) == 1 and len(printed_ops(store)) == 1


def test_pdf_printers_write_whole_files_or_keep_the_job(store, code, tmp_path):
    folder = tmp_path / "in"
    add_printer(store, name="a4", kind="pdf-folder", folder=str(folder), paper="a4")
    done = printing.run_job(store, enqueue(store, code, "a4").id, now=NOW, user_id="c")
    files = list(folder.iterdir())
    assert done.status == "printed"
    assert [f.name for f in files] == [f"mau-01-{code}.pdf"]
    assert files[0].read_bytes().startswith(b"%PDF")
    # a "folder" that is really a file cannot be written: the job waits with the reason
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    add_printer(store, name="broken", kind="pdf-folder", folder=str(blocker / "sub"))
    failed = printing.run_job(store, enqueue(store, code, "broken").id, now=NOW, user_id="c")
    assert failed.status == "pending" and "cannot write" in failed.last_error


def test_enqueue_refuses_unknown_printers_and_documents_and_writes_nothing(store, code):
    add_printer(store, name="quay5", kind="network", host="127.0.0.1", port=free_port())
    with pytest.raises(NotFound), store.write() as s:
        printing.enqueue(s, document=printing.Document.RECEIPT, reference=code, printer_name="nope", now=NOW)
    with pytest.raises(NotFound), store.write() as s:
        printing.enqueue(s, document=printing.Document.RECEIPT, reference=code[:-4] + "0049", printer_name="quay5",
                         now=NOW)  # fmt: skip
    with store.read() as s:
        assert printing.jobs(s) == []


def test_printer_configuration_is_validated_field_by_field(store):
    from counterapp.domain.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as caught, store.write() as s:
        printing.save_printer(s, {"name": "x", "kind": "network", "port": 70000})
    assert set(caught.value.fields) == {"printer.host", "printer.port"}
    with pytest.raises(ValidationFailed) as caught, store.write() as s:
        printing.save_printer(s, {"name": "x", "kind": "network", "host": "127.0.0.1", "profile": "99mm"})
    assert caught.value.fields == ("printer.profile",)
    with pytest.raises(ValidationFailed) as caught, store.write() as s:
        printing.save_printer(s, {"name": "", "kind": "fax"})
    assert set(caught.value.fields) == {"printer.name", "printer.kind"}
    assert PrinterConfig("p", PrinterKind.USB, usb_vendor=0x04B8).to_mapping()["usb_vendor"] == 0x04B8


def test_the_ticket_slip_names_the_priority_class_and_the_people_ahead(store):
    from counterapp.services import queue

    with store.write() as s:
        for minute in range(3):
            queue.issue_walkin(s, service_code="HTCT", now=NOW + timedelta(minutes=minute), user_id="c")
        queue.issue_walkin(s, service_code="HTCT", now=NOW + timedelta(minutes=5), user_id="c", priority="elderly")
    with store.read() as s:
        slip = printing.document_data(s, printing.Document.TICKET, "A004", NOW + timedelta(minutes=6))
        regular = printing.document_data(s, printing.Document.TICKET, "A003", NOW + timedelta(minutes=6))
    assert (slip.number, slip.priority_label, slip.people_ahead) == ("A004", "Người cao tuổi", 0)  # strict rule
    assert (regular.priority_label, regular.people_ahead) == ("", 3)
    assert slip.service_name == "Hộ tịch, chứng thực"
