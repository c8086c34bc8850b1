"""Dossiers through the command line: intake, show, search, return, amend, Mẫu 02/03 and the register."""

from __future__ import annotations

import json
import subprocess
import sys
import unicodedata
from datetime import timedelta

import pytest

from counterapp.store.database import open_store
from counterapp.store.dossier_models import DossierRow
from tests.counter import legal_today

from .conftest import AGENCY, APPLICANT, good_form, today_code

TODAY = legal_today().isoformat()


def stored_dossiers(counter) -> int:
    store = open_store(counter.data_dir)
    with store.read() as s:
        count = s.query(DossierRow).count()
    store.close()
    return count


# --- intake ----------------------------------------------------------------------------------------


def test_intake_prints_the_code_and_the_appointment(counter):
    out = counter.ok("intake", "--from", counter.form(good_form()))
    code, due = out.rstrip("\n").split("\t")
    assert code == today_code(1)
    shown = counter.json("dossier", "show", code)
    assert due == shown["due_at"] and len(due) == len("2025-09-05T17:00") and due.endswith("T17:00")
    assert due[:10] > TODAY  # three working days after receipt


def test_intake_json_has_the_details_and_normalises_text(counter):
    decomposed = unicodedata.normalize("NFD", APPLICANT["name"])
    form = good_form(applicant=APPLICANT | {"name": decomposed}, sets=2, note="  gấp  ")
    result = counter.json("intake", "--from", counter.form(form), "--user", "clerk-9")
    assert result["code"] == today_code(1) and result["id"]
    assert result["received_at"].startswith(TODAY) and result["due_at"] > result["received_at"]
    assert result["calendar_version"]
    assert isinstance(result["skipped"], list)
    assert [(d["code"], d["originals"], d["certified_copies"]) for d in result["documents"]] == [
        ("TK", 1, 0),
        ("LH", 0, 1),
    ]
    shown = counter.json("dossier", "show", result["code"])
    assert shown["applicant"]["name"] == APPLICANT["name"]  # stored in NFC
    assert (shown["sets"], shown["note"], shown["history"][0]["user_id"]) == (2, "gấp", "clerk-9")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "invalid JSON at line 1 column 2"),
        ("[1, 2]", "expected a JSON object"),
        (b"\xff\xfe{}", "cannot read"),
    ],
)
def test_a_malformed_form_file_exits_1_and_writes_nothing(counter, tmp_path, content, message):
    path = tmp_path / "broken.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    code, out, err = counter.cli("intake", "--from", str(path))
    assert (code, out) == (1, "")
    assert err.startswith(f"counterapp: error: {path}: ") and message in err and err.count("\n") == 1
    assert counter.pending() == 0 and stored_dossiers(counter) == 0


def test_missing_form_file(counter, tmp_path):
    code, _, err = counter.cli("intake", "--from", str(tmp_path / "nope.json"))
    assert (code, err) == (1, f"counterapp: error: {tmp_path / 'nope.json'}: file not found\n")


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        (
            good_form(applicant=APPLICANT | {"id_number": "0011"}, documents=[{"code": "LH", "photocopies": 1}]),
            "applicant.id_number: cccd.length; documents.TK: document.required_missing",
        ),
        (
            good_form(applicant="Nguyễn Văn A", documents=[7, {"code": "TK", "originals": 1}]),
            "applicant: applicant.invalid",
        ),
        (good_form(procedure_code="9.999999"), "procedure.not_found"),
        (good_form(return_mode="drone", sets=0), "sets: sets.invalid; return_mode: return_mode.invalid"),
    ],
)
def test_invalid_fields_are_named_and_nothing_is_written_nor_a_number_used(counter, form, expected):
    code, out, err = counter.cli("intake", "--from", counter.form(form))
    assert (code, out) == (1, "")
    assert err.startswith("counterapp: error: ") and expected in err and err.count("\n") == 1
    assert APPLICANT["id_number"] not in err and "Nguyễn" not in err  # no personal data echoed
    assert counter.pending() == 0 and stored_dossiers(counter) == 0
    assert counter.json("lease", "list")["leases"][0]["remaining"] == 50
    assert counter.ok("intake", "--from", counter.form(good_form())).startswith(today_code(1) + "\t")


def test_wrongly_typed_documents_are_named(counter):
    form = good_form(documents=[7, {"code": "TK", "originals": "one"}])
    code, _, err = counter.cli("intake", "--from", counter.form(form))
    assert code == 1
    assert "documents[0]: document.invalid" in err and "documents[1].originals: document.count_invalid" in err


def test_intake_without_a_lease_for_today(bare):
    code, _, err = bare.cli("intake", "--from", bare.form(good_form()))
    assert code == 1 and err.startswith("counterapp: error: lease.missing") and err.count("\n") == 1
    yesterday = (legal_today() - timedelta(days=1)).isoformat()
    bare.ok("lease", "grant", "--kind", "dossier-code", "--date", yesterday, "--from", "1", "--to", "9")
    code, _, err = bare.cli("intake", "--from", bare.form(good_form()))
    assert code == 1 and err.startswith("counterapp: error: lease.wrong_date") and yesterday in err
    assert bare.pending() == 0 and stored_dossiers(bare) == 0


# --- dossier show / search / return / amend --------------------------------------------------------


@pytest.fixture
def received(counter) -> str:
    return str(counter.json("intake", "--from", counter.form(good_form()))["code"])


def test_dossier_show_has_documents_and_history(counter, received):
    text = counter.ok("dossier", "show", received)
    assert text.startswith(f"{received} — Cấp Giấy xác nhận tình trạng hôn nhân (1.004873)")
    assert "[1/0/0] TK" in text and "[0/1/0] LH" in text
    assert "Lịch sử:" in text and "mới tiếp nhận" in text.split("Lịch sử:")[1]
    code, _, err = counter.cli("dossier", "show", today_code(7))
    assert code == 1 and err.startswith("counterapp: error: not_found")
    assert counter.cli("dossier", "show", "XYZ")[2] == "counterapp: error: code: dossier_code.format\n"


def test_dossier_search_without_diacritics_by_id_and_by_code(counter, received):
    other = good_form(applicant=APPLICANT | {"name": "Phạm Văn Đức", "id_number": "079201001234"})
    second = counter.json("intake", "--from", counter.form(other))["code"]
    found = counter.json("dossier", "search", "nguyen thi tuyen")
    assert [i["code"] for i in found["items"]] == [received] and not found["has_more"]
    assert [i["code"] for i in counter.json("dossier", "search", "pham van duc")["items"]] == [second]
    assert [i["code"] for i in counter.json("dossier", "search", APPLICANT["id_number"])["items"]] == [received]
    assert counter.ok("dossier", "search", second).startswith(second)
    paged = counter.json("dossier", "search", AGENCY, "--page-size", "1")
    assert len(paged["items"]) == 1 and paged["has_more"]
    assert "không tìm thấy" in counter.ok("dossier", "search", "hoang").lower()
    code, _, err = counter.cli("dossier", "search", "x", "--page", "0")
    assert (code, err) == (1, "counterapp: error: page: page.invalid\n")


def test_dossier_return_records_who_collected_it(counter, received):
    out = counter.ok("dossier", "return", received, "--to", "Nguyễn Văn Nam", "--note", "có giấy ủy quyền")
    assert out.startswith(f"{received}\tđã trả kết quả\t")
    shown = counter.json("dossier", "show", received)
    assert (shown["status"], shown["returned_to"]) == ("returned", "Nguyễn Văn Nam")
    assert shown["history"][-1]["note"] == "có giấy ủy quyền"
    before = counter.pending()
    code, _, err = counter.cli("dossier", "return", received, "--to", "Nguyễn Văn Nam")
    assert (code, err) == (1, "counterapp: error: dossier.already_returned\n")
    code, _, err = counter.cli("dossier", "return", today_code(9), "--to", "")
    assert code == 1 and err.startswith("counterapp: error: not_found")
    assert counter.pending() == before


def test_dossier_amend_revalidates_the_whole_form(counter, received):
    amended = good_form(applicant=APPLICANT | {"phone": "0987654321"}, documents=[{"code": "TK", "originals": 2}])
    shown = counter.json("dossier", "amend", received, "--from", counter.form(amended))
    assert (shown["version"], shown["applicant"]["phone"]) == (2, "0987654321")
    assert [(d["code"], d["originals"]) for d in shown["documents"]] == [("TK", 2)]
    before = counter.pending()
    code, _, err = counter.cli("dossier", "amend", received, "--from", counter.form(good_form(documents=[])))
    assert (code, err) == (1, "counterapp: error: documents.TK: document.required_missing\n")
    code, _, err = counter.cli(
        "dossier", "amend", received, "--from", counter.form(good_form(procedure_code="1.001193"))
    )
    assert (code, err) == (1, "counterapp: error: procedure_code: dossier.procedure_fixed\n")
    assert counter.pending() == before and counter.json("dossier", "show", received)["version"] == 2


# --- Mẫu 02 / Mẫu 03 -------------------------------------------------------------------------------


def test_supplement_for_a_received_dossier_and_before_intake(counter, received):
    items = [{"name": "Bản sao trích lục khai tử", "certified_copies": 1}, {"name": "Văn bản ủy quyền", "originals": 1}]
    request = {"dossier_code": received, "items": items, "reason": "Thiếu giấy tờ chứng minh"}
    made = counter.json("supplement", "--from", counter.form(request))
    assert made["reference"] == f"{received}/HDHS" and len(made["items"]) == 2
    assert counter.json("dossier", "show", received)["status"] == "supplement_requested"
    guidance = {"procedure_code": "1.004873", "applicant": {"name": "Lê Văn An"}, "items": items[:1], "reason": "x"}
    assert (
        counter.ok("supplement", "--from", counter.form(guidance)).rstrip().endswith("1.004873\t1 giấy tờ cần bổ sung")
    )
    before = counter.pending()
    code, _, err = counter.cli("supplement", "--from", counter.form({"procedure_code": "1.004873", "items": "x"}))
    assert code == 1 and "applicant.name: name.required" in err and "items: items.invalid" in err
    assert "reason: reason.required" in err and counter.pending() == before


def test_refuse(counter):
    form = {"procedure_code": "1.004873", "applicant": {"name": "Lê Văn An"}, "reason": "Không thuộc thẩm quyền"}
    made = counter.json("refuse", "--from", counter.form(form))
    assert made["reason"] == "Không thuộc thẩm quyền" and made["legal_basis"].startswith("Luật Hộ tịch 2014")
    text = counter.ok("refuse", "--from", counter.form(form | {"legal_basis": "Điều 9 Nghị định 61/2018"}))
    assert text.split("\t")[1] == "1.004873"
    assert [o["kind"] for o in counter.json("outbox", "list")["ops"]] == ["refusal.create"] * 2
    code, _, err = counter.cli("refuse", "--from", counter.form({"procedure_code": "1.004873", "applicant": {}}))
    assert (code, err) == (1, "counterapp: error: applicant.name: name.required; reason: reason.required\n")


# --- the register ----------------------------------------------------------------------------------


def test_register_lists_the_days_dossiers(counter, received):
    owner = good_form(owner={"name": "Trần Văn Bình", "address": "Hải Phòng"})
    second = counter.json("intake", "--from", counter.form(owner))["code"]
    lines = counter.json("register", "--date", TODAY)["lines"]
    assert [(r["line"], r["code"], r["owner_name"]) for r in lines] == [
        (1, received, APPLICANT["name"]),
        (2, second, "Trần Văn Bình"),
    ]
    text = counter.ok("register", "--date", TODAY)
    assert text.splitlines()[0].startswith("Sổ theo dõi hồ sơ ngày") and received in text and "Trần Văn Bình" in text
    assert "không có hồ sơ" in counter.ok("register", "--date", "2025-07-01")
    code, _, err = counter.cli("register", "--date", "hôm nay")
    assert code == 2 and "--date" in err


def test_help_and_validate_start_without_the_database_layer():
    """Client commands import SQLAlchemy and Alembic only when they run, so other commands start fast."""
    probe = (
        "import json, sys, counterapp.cli.main; "
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'alembic'))))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(result.stdout) == []
