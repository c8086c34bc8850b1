"""``counterapp printer`` and ``counterapp print``, run as a clerk or an IT installer would."""

import json
import subprocess
from pathlib import Path

import pytest

from counterapp.cli.main import main
from counterapp.datafiles.catalogue import demo_catalogue
from tests.counter import legal_today
from tests.ports import free_port

from .loopback_printer import LoopbackPrinter


def cli(capsys, data_dir, *args):
    try:
        code = main([*args, "--data-dir", str(data_dir)])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def counter(tmp_path, capsys):
    """An initialised counter with today's lease, one dossier, one refusal and one walk-in ticket."""
    data = tmp_path / "data"
    today = legal_today().isoformat()
    assert cli(capsys, data, "init", "--agency-code", "000.00.01.H26", "--counter", "5")[0] == 0
    assert (
        cli(capsys, data, "lease", "grant", "--kind", "dossier-code", "--date", today, "--from", "1", "--to", "9")[0]
        == 0
    )
    assert cli(capsys, data, "lease", "grant", "--kind", "ticket", "--date", today, "--from", "1", "--to", "99",
               "--prefix", "A")[0] == 0  # fmt: skip
    procedure = demo_catalogue().get("1.004873")
    form = tmp_path / "form.json"
    form.write_text(json.dumps({
        "procedure_code": procedure.code,
        "applicant": {"name": "Trương Quỳnh Hương", "id_number": "001190012345", "address": "Hà Nội",
                      "phone": "0912345678"},
        "documents": [{"code": c.code, "originals": 1} for c in procedure.components if c.required],
    }), encoding="utf-8")  # fmt: skip
    code, out, _ = cli(capsys, data, "intake", "--from", str(form), "--json")
    assert code == 0
    dossier = json.loads(out)["code"]
    refusal_form = tmp_path / "refuse.json"
    refusal_form.write_text(json.dumps({"procedure_code": procedure.code, "applicant": {"name": "Lê Văn Ửng"},
                                        "reason": "Không thuộc thẩm quyền"}), encoding="utf-8")  # fmt: skip
    code, out, _ = cli(capsys, data, "refuse", "--from", str(refusal_form), "--json")
    assert code == 0
    refusal = json.loads(out)["id"]
    assert cli(capsys, data, "ticket", "issue", "--service", "HTCT")[0] == 0
    return {"data": data, "code": dossier, "refusal": refusal}


def pdf_text(path: Path) -> str:
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(done.stdout.split())


def test_receipt_to_pdf_files_a4_and_a5(capsys, counter, tmp_path):
    for paper in ("a4", "a5"):
        out = tmp_path / f"r-{paper}.pdf"
        code, stdout, _ = cli(capsys, counter["data"], "print", "receipt", counter["code"], "--pdf", str(out),
                              "--paper", paper)  # fmt: skip
        assert code == 0 and stdout.strip() == str(out)
        text = pdf_text(out)
        assert counter["code"] in text and "Trương Quỳnh Hương" in text
        assert "Liên 1: Lưu" in text and "Liên 2: Giao khách hàng" in text


def test_refusal_and_ticket_documents(capsys, counter, tmp_path):
    out = tmp_path / "tu-choi.pdf"
    assert (
        cli(capsys, counter["data"], "print", "receipt", counter["refusal"], "--form", "03", "--pdf", str(out))[0] == 0
    )
    assert "Không thuộc thẩm quyền" in pdf_text(out) and "Lê Văn Ửng" in pdf_text(out)
    slip = tmp_path / "ticket.bin"
    assert cli(capsys, counter["data"], "print", "ticket", "A001", "--escpos", str(slip), "--width", "58")[0] == 0
    assert b"\x1dv0" in slip.read_bytes()
    # a Mẫu 03 has no thermal layout: a clear refusal, exit 1, no file
    bad = tmp_path / "x.bin"
    code, _, err = cli(capsys, counter["data"], "print", "receipt", counter["refusal"], "--form", "03", "--escpos",
                       str(bad))  # fmt: skip
    assert code == 1 and "printer.form_needs_pdf" in err and not bad.exists()


def test_thermal_receipt_bytes_for_both_widths(capsys, counter, tmp_path):
    for width in ("80", "58"):
        out = tmp_path / f"r{width}.bin"
        assert cli(capsys, counter["data"], "print", "receipt", counter["code"], "--escpos", str(out), "--width",
                   width)[0] == 0  # fmt: skip
        assert out.read_bytes().count(b"\x1dv0") >= 2


def test_unknown_code_is_refused_in_one_line(capsys, counter, tmp_path):
    code, _, err = cli(capsys, counter["data"], "print", "receipt", counter["code"][:-4] + "0009", "--pdf",
                       str(tmp_path / "x.pdf"))  # fmt: skip
    assert code == 1 and err.count("\n") == 1 and "not_found" in err


def test_queue_to_an_offline_network_printer_then_retry_and_reprint(capsys, counter):
    data, port = counter["data"], free_port()
    assert cli(capsys, data, "printer", "add", "quay5", "--kind", "network", "--host", "127.0.0.1", "--port", str(port),
               "--timeout", "1")[0] == 0  # fmt: skip
    code, out, _ = cli(capsys, data, "print", "receipt", counter["code"], "--printer", "quay5")
    assert code == 1 and "vẫn chờ" in out  # the clerk is told it did not print, and it is kept
    code, out, _ = cli(capsys, data, "print", "queue", "--json")
    (job,) = json.loads(out)
    assert (job["status"], job["attempts"], job["reference"]) == ("pending", 1, counter["code"])
    with LoopbackPrinter(port) as printer:
        assert cli(capsys, data, "print", "retry")[0] == 0
        assert cli(capsys, data, "print", "retry")[0] == 0  # nothing pending any more
        code, out, _ = cli(capsys, data, "print", "reprint", job["id"], "--json")
        assert code == 0 and json.loads(out)["reprint_of"] == job["id"]
        assert cli(capsys, data, "print", "test", "--printer", "quay5")[0] == 0
    assert len(printer.jobs) == 3 and printer.jobs[0] == printer.jobs[1]
    code, out, _ = cli(capsys, data, "print", "queue")
    assert "in lại" in out  # the reprint is marked in the listing


def test_printer_list_and_remove(capsys, counter, tmp_path):
    data = counter["data"]
    assert cli(capsys, data, "printer", "add", "a4", "--kind", "pdf-folder", "--folder", str(tmp_path / "out"))[0] == 0
    code, out, _ = cli(capsys, data, "printer", "list")
    assert code == 0 and "a4" in out and "pdf-folder" in out
    assert cli(capsys, data, "print", "test", "--printer", "a4")[0] == 0
    assert list((tmp_path / "out").glob("*.pdf"))
    assert cli(capsys, data, "printer", "remove", "a4")[0] == 0
    code, _, err = cli(capsys, data, "printer", "remove", "a4")
    assert code == 1 and "not_found" in err
    code, _, err = cli(capsys, data, "printer", "add", "x", "--kind", "network")
    assert code == 1 and "printer.host: printer.required" in err
