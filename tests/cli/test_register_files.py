"""``counterapp register --date D --pdf FILE --xlsx FILE``: the day's book written as files through the real
command line; a file that cannot be written is one line on stderr and exit status 1."""

from __future__ import annotations

import json
from datetime import datetime
from io import BytesIO

import openpyxl
import pypdf
import pytest

from tests.counter import legal_today

from .conftest import APPLICANT, good_form

TODAY = legal_today().isoformat()


@pytest.fixture
def received(counter) -> str:
    return str(counter.json("intake", "--from", counter.form(good_form()))["code"])


def test_register_writes_the_pdf_and_the_xlsx(counter, tmp_path):
    # GIVEN two dossiers received today
    first = counter.json("intake", "--from", counter.form(good_form()))["code"]
    second = counter.json("intake", "--from", counter.form(good_form(owner={"name": "Trần Văn Bình"})))["code"]
    pdf, xlsx = tmp_path / "so.pdf", tmp_path / "so.xlsx"
    # WHEN the register is written as both files
    out = counter.ok("register", "--date", TODAY, "--pdf", str(pdf), "--xlsx", str(xlsx))
    # THEN it names the files it wrote, one a line
    assert out.splitlines() == [str(pdf), str(xlsx)]
    # AND the PDF is landscape with both dossiers
    reader = pypdf.PdfReader(BytesIO(pdf.read_bytes()))
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "SỔ THEO DÕI HỒ SƠ" in text and f"Ngày {legal_today():%d} tháng {legal_today():%m}" in text
    assert first.replace("-", "- ", 1) in text and second.replace("-", "- ", 1) in text
    assert APPLICANT["name"] in text and "Trần Văn Bình" in text
    # AND the workbook has the same lines, dates as date-times
    sheet = openpyxl.load_workbook(xlsx).worksheets[0]
    assert sheet.title == f"{legal_today():%d-%m-%Y}"
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1], r[4]) for r in rows] == [(1, first, APPLICANT["name"]), (2, second, "Trần Văn Bình")]
    assert all(isinstance(r[8], datetime) and r[8].date() == legal_today() for r in rows)


@pytest.mark.usefixtures("received")
def test_register_json_reports_the_files(counter, tmp_path):
    target = tmp_path / "so.xlsx"
    result = json.loads(counter.ok("register", "--date", TODAY, "--xlsx", str(target), "--json"))
    assert result == {"date": TODAY, "lines": 1, "xlsx": {"file": str(target), "bytes": target.stat().st_size}}
    assert "pdf" not in result and target.stat().st_size > 1000


def test_an_empty_day_still_writes_the_book(counter, tmp_path):
    target = tmp_path / "so.pdf"
    assert counter.ok("register", "--date", "2025-07-01", "--pdf", str(target)) == f"{target}\n"
    assert "Tổng số hồ sơ tiếp nhận trong ngày: 0" in " ".join(
        pypdf.PdfReader(BytesIO(target.read_bytes())).pages[0].extract_text().split()
    )


@pytest.mark.usefixtures("received")
def test_a_file_that_cannot_be_written_is_one_line_and_exit_1(counter, tmp_path):
    missing = tmp_path / "no-such-folder" / "so.pdf"
    code, out, err = counter.cli("register", "--date", TODAY, "--pdf", str(missing))
    assert (code, out) == (1, "")
    assert err == f"counterapp: error: {missing}: cannot write (No such file or directory)\n"
    # AND a bad date is refused by the parser before anything is written
    code, _, err = counter.cli("register", "--date", "hôm nay", "--xlsx", str(tmp_path / "x.xlsx"))
    assert code == 2 and "--date" in err and not (tmp_path / "x.xlsx").exists()
