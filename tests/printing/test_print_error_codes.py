"""A print job that fails keeps the stable code of the failure (``PrinterError.code``) beside the English
reason, so the window can say why in the clerk's language: from a real refused socket and a real
unwritable folder, for every code the printers module raises, across a retry that prints, through the
command line's JSON, and on a data directory upgraded from the schema before the column existed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from counterapp.cli.main import main
from counterapp.datafiles.catalogue import demo_catalogue
from counterapp.printing.printers import PrinterError
from counterapp.services import intake, printing
from counterapp.store.database import open_store
from counterapp.store.sync_models import PrintJobRow
from tests.counter import NOW, counter_store, received_code
from tests.ports import free_port

from .loopback_printer import LoopbackPrinter


@pytest.fixture
def store(tmp_path: Path) -> Iterator:
    opened = counter_store(tmp_path / "data", code_range=(1, 50))
    yield opened
    opened.close()


@pytest.fixture
def code(store) -> str:
    return received_code(store)


def add_printer(store, **raw) -> None:
    with store.write() as s:
        printing.save_printer(s, raw)


def enqueue(store, code, printer="quay5") -> printing.PrintJob:
    with store.write() as s:
        return printing.enqueue(s, document=printing.Document.RECEIPT, reference=code, printer_name=printer,
                                now=NOW)  # fmt: skip


def stored_code(store, job_id: str) -> str | None:
    with store.read() as s:
        return s.get(PrintJobRow, job_id).last_error_code


def test_an_unreachable_printer_records_printer_unreachable_and_a_good_retry_clears_it(store, code):
    port = free_port()
    add_printer(store, name="quay5", kind="network", host="127.0.0.1", port=port, timeout=1)
    job = enqueue(store, code)
    assert job.error_code is None  # nothing failed yet
    failed = printing.run_job(store, job.id, now=NOW, user_id="c")
    assert (failed.status, failed.error_code) == ("pending", "printer.unreachable")
    assert failed.last_error and "quay5" in failed.last_error  # the English reason stays, for the log
    assert stored_code(store, job.id) == "printer.unreachable"
    with store.read() as s:
        pending = [(j.id, j.error_code) for j in printing.jobs(s, status="pending")]
    assert pending == [(job.id, "printer.unreachable")]
    with LoopbackPrinter(port):
        (done,) = printing.run_pending(store, now=NOW + timedelta(minutes=1), user_id="c")
    assert (done.status, done.error_code, done.last_error) == ("printed", None, None)
    assert stored_code(store, job.id) is None


def test_an_unwritable_pdf_folder_records_printer_folder(store, code, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    add_printer(store, name="a4", kind="pdf-folder", folder=str(blocker / "sub"), paper="a4")
    failed = printing.run_job(store, enqueue(store, code, "a4").id, now=NOW, user_id="c")
    assert (failed.status, failed.error_code) == ("pending", "printer.folder")
    assert "cannot write" in (failed.last_error or "")


CODES = ["printer.unreachable", "printer.folder", "printer.unsupported", "printer.wrong_kind", "printer.failed"]


@pytest.mark.parametrize("error_code", CODES)
def test_whatever_code_the_printer_raises_is_the_one_recorded(store, code, monkeypatch, error_code):
    add_printer(store, name="quay5", kind="network", host="127.0.0.1", port=free_port(), timeout=1)
    job = enqueue(store, code)

    def refuse(*_args: object) -> None:
        raise PrinterError("said in English", code=error_code) if error_code != "printer.failed" else PrinterError()

    monkeypatch.setattr(printing, "deliver", refuse)
    failed = printing.run_job(store, job.id, now=NOW, user_id="c")
    assert (failed.error_code, stored_code(store, job.id)) == (error_code, error_code)
    # AND a reprint starts clean: the code belongs to the job that failed, not to the document
    with store.write() as s:
        again = printing.reprint(s, job.id, now=NOW)
    assert again.error_code is None


def test_the_command_line_json_carries_the_code(tmp_path, capsys):
    data = tmp_path / "counter"
    store = counter_store(data, code_range=(1, 50))
    try:
        procedure = demo_catalogue().get("1.004873")
        applicant = {"name": "Lê Văn Ửng", "address": "Hà Nội", "id_number": "001090012345", "phone": "0912345678"}
        documents = [{"code": c.code, "originals": 1} for c in procedure.components if c.required]
        form = {"procedure_code": procedure.code, "applicant": applicant, "documents": documents}
        with store.write() as s:
            dossier = intake.receive_dossier(s, form, now=NOW, user_id="c").dossier.code
            printing.save_printer(s, {"name": "quay5", "kind": "network", "host": "127.0.0.1", "port": free_port(),
                                      "timeout": 1})  # fmt: skip
    finally:
        store.close()
    assert main(["print", "receipt", dossier, "--printer", "quay5", "--data-dir", str(data)]) == 1
    capsys.readouterr()
    assert main(["print", "queue", "--json", "--data-dir", str(data)]) == 0
    (job,) = json.loads(capsys.readouterr().out)
    assert (job["status"], job["error_code"]) == ("pending", "printer.unreachable")


def test_jobs_recorded_before_the_column_existed_upgrade_without_a_code(tmp_path):
    old = open_store(tmp_path, migrate_to="0005")
    with old.write_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO print_jobs (id, document, reference, target, status, attempts, last_error, created_at,"
                " day) VALUES ('job-1', 'receipt_01', :reference, 'quay5', 'pending', 1, :error, :at, '2026-03-16')"
            ),
            {"reference": "000.00.01.H26-260316-0001", "error": "printer 'quay5' did not take the job: refused",
             "at": "2026-03-16 09:00:00.000000"},
        )  # fmt: skip
    old.close()
    upgraded = open_store(tmp_path)
    try:
        with upgraded.read() as s:
            (job,) = printing.jobs(s)
        assert (job.id, job.status, job.error_code) == ("job-1", "pending", None)
        assert job.last_error == "printer 'quay5' did not take the job: refused"
    finally:
        upgraded.close()
