"""The day's register as files: the lines ``daily_register`` reads (with the deciding agency and the
forward/result dates from the status history), the XLSX read back with openpyxl (typed values, real
date-times, a bold frozen header, no formula from typed text) and the PDF of the same lines."""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import date, datetime, timedelta
from io import BytesIO

import openpyxl
import pypdf
from openpyxl.worksheet.worksheet import Worksheet

from counterapp.domain.dossier import DossierStatus
from counterapp.printing.register_model import COLUMNS
from counterapp.services import dossiers, intake, register_export
from counterapp.store.dossier_models import DossierRow, DossierStatusRow

from .conftest import NOW, intake_form

DAY = NOW.date()


def receive(store, minutes=0, **overrides):
    with store.write() as s:
        return intake.receive_dossier(s, intake_form(**overrides), now=NOW + timedelta(minutes=minutes),
                                      user_id="clerk-1").dossier  # fmt: skip


def day_with_three_dossiers(store):
    """Three dossiers on NOW's day: the first forwarded, its result back and handed over; the second for
    an owner with a formula-looking note; the third plain."""
    first = receive(store, 0)
    second = receive(store, 5, procedure_code="1.001193", note="=HYPERLINK(\"http://x\")",
                     owner={"name": "Công ty TNHH Hoa Sen", "address": "Cầu Giấy, Hà Nội"})  # fmt: skip
    third = receive(store, 10)
    with store.write() as s:
        row = s.query(DossierRow).filter_by(code=first.code).one()
        for status, at in (
            (DossierStatus.PROCESSING, datetime(2026, 3, 16, 14, 0)),
            (DossierStatus.PROCESSING, datetime(2026, 3, 17, 8, 0)),  # a second forward: the first one counts
            (DossierStatus.HAS_RESULT, datetime(2026, 3, 18, 10, 15)),
        ):
            s.add(DossierStatusRow(dossier_id=row.id, status=status.value, at=at, user_id=None))
    with store.write() as s:
        dossiers.return_result(s, first.code, collected_by="Trần Văn Nam", now=datetime(2026, 3, 19, 8, 5),
                               user_id="clerk-2", note="nhận thay")  # fmt: skip
    return first, second, third


def test_the_register_lines_carry_the_agency_and_the_forward_and_result_dates(store):
    first, second, third = day_with_three_dossiers(store)
    with store.read() as s:
        lines = dossiers.daily_register(s, DAY)
    assert [line.code for line in lines] == [first.code, second.code, third.code]
    assert lines[0].agency == "Ủy ban nhân dân cấp xã"
    assert (lines[0].transferred_at, lines[0].result_received_at) == (
        datetime(2026, 3, 16, 14, 0),
        datetime(2026, 3, 18, 10, 15),
    )
    assert (lines[0].returned_at, lines[0].returned_to) == (datetime(2026, 3, 19, 8, 5), "Trần Văn Nam")
    assert (lines[1].transferred_at, lines[1].result_received_at, lines[1].returned_at) == (None, None, None)


def sheet_of(payload: bytes) -> Worksheet:
    book = openpyxl.load_workbook(BytesIO(payload))
    assert len(book.worksheets) == 1
    return book.worksheets[0]


def test_the_xlsx_has_one_sheet_named_by_the_day_with_a_bold_frozen_header(store):
    day_with_three_dossiers(store)
    with store.read() as s:
        sheet = sheet_of(register_export.register_xlsx(s, DAY))
    assert sheet.title == "16-03-2026"
    header = list(sheet[1])
    assert tuple(cell.value for cell in header) == COLUMNS
    assert all(cell.font.b for cell in header)
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:O4"
    assert sheet.max_row == 4 and not any(cell.font.b for cell in sheet[2])
    widths = [sheet.column_dimensions[chr(ord("A") + i)].width for i in range(len(COLUMNS))]
    assert widths[COLUMNS.index("Mã hồ sơ")] >= len(dossiers_code(store)) and min(widths) >= 6


def dossiers_code(store) -> str:
    with store.read() as s:
        return s.query(DossierRow).first().code


def test_the_xlsx_values_are_typed_and_dates_are_real_date_times(store):
    first, second, _ = day_with_three_dossiers(store)
    with store.read() as s:
        sheet = sheet_of(register_export.register_xlsx(s, DAY))
    row = dict(zip(COLUMNS, sheet[2], strict=True))
    assert (row["STT"].value, row["Số bộ"].value) == (first.register_line, 1)
    assert row["Mã hồ sơ"].value == first.code
    assert row["Tên TTHC"].value == "Cấp Giấy xác nhận tình trạng hôn nhân"
    assert row["Chủ hồ sơ"].value == "Nguyễn Thị Tuyến"
    assert row["Địa chỉ"].value == "Số 12 ngõ 34 phố Hàng Bông, phường Hoàn Kiếm, Hà Nội"
    assert row["SĐT"].value == "0912345678"  # text: the leading 0 stays
    assert row["Cơ quan giải quyết"].value == "Ủy ban nhân dân cấp xã"
    expected = {
        "Ngày nhận": NOW,
        "Ngày hẹn trả": first.due_at,
        "Ngày chuyển": datetime(2026, 3, 16, 14, 0),
        "Ngày nhận kết quả": datetime(2026, 3, 18, 10, 15),
        "Ngày trả": datetime(2026, 3, 19, 8, 5),
    }
    for head, moment in expected.items():
        cell = row[head]
        assert isinstance(cell.value, datetime) and cell.value == moment, head
        assert cell.is_date and cell.number_format == "dd/mm/yyyy hh:mm", head
    assert row["Người nhận (ký)"].value == "Trần Văn Nam"
    # AND what the counter does not know yet is an empty cell
    second_row = {head: cell.value for head, cell in zip(COLUMNS, sheet[3], strict=True)}
    assert second_row["Chủ hồ sơ"] == "Công ty TNHH Hoa Sen" and second_row["Địa chỉ"] == "Cầu Giấy, Hà Nội"
    assert second_row["Tên TTHC"] == "Đăng ký khai sinh"
    assert [second_row[h] for h in ("Ngày chuyển", "Ngày nhận kết quả", "Ngày trả", "Người nhận (ký)")] == [None] * 4
    # AND a note that looks like a formula is kept as text, never evaluated
    assert second_row["Ghi chú"] == '=HYPERLINK("http://x")' and sheet[3][COLUMNS.index("Ghi chú")].data_type == "s"
    assert second.code == second_row["Mã hồ sơ"]


def test_the_xlsx_text_is_nfc_and_control_characters_are_dropped(store):
    day_with_three_dossiers(store)
    with store.read() as s:
        data = register_export.register_data(s, DAY)
    odd = replace(data.entries[0], owner_name=unicodedata.normalize("NFD", "Trương Quỳnh Hương"), note="a\x01b")
    sheet = sheet_of(register_export.workbook_bytes(replace(data, entries=(odd,))))
    row = {head: cell.value for head, cell in zip(COLUMNS, sheet[2], strict=True)}
    assert row["Chủ hồ sơ"] == "Trương Quỳnh Hương" and unicodedata.is_normalized("NFC", row["Chủ hồ sơ"])
    assert row["Ghi chú"] == "ab"


def test_a_withdrawn_dossier_keeps_its_line_and_says_so(store):
    first, second, third = day_with_three_dossiers(store)
    with store.write() as s:
        for code in (second.code, third.code):
            s.query(DossierRow).filter_by(code=code).one().status = DossierStatus.WITHDRAWN.value
    with store.read() as s:
        data = register_export.register_data(s, DAY)
    assert [(e.code, e.note) for e in data.entries] == [
        (first.code, ""),
        (second.code, 'Đã rút hồ sơ; =HYPERLINK("http://x")'),
        (third.code, "Đã rút hồ sơ"),
    ]


def test_an_empty_day_gives_the_header_row_only(store):
    with store.read() as s:
        sheet = sheet_of(register_export.register_xlsx(s, date(2026, 3, 17)))
    assert sheet.title == "17-03-2026" and sheet.max_row == 1
    assert tuple(cell.value for cell in sheet[1]) == COLUMNS


def test_the_pdf_lists_the_same_lines_on_landscape_pages(store):
    first, second, third = day_with_three_dossiers(store)
    with store.read() as s:
        pdf = register_export.register_pdf(s, DAY)
    reader = pypdf.PdfReader(BytesIO(pdf))
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    for code in (first.code, second.code, third.code):
        assert code.replace("-", "- ", 1) in text
    assert "Công ty TNHH Hoa Sen" in text and "Trần Văn Nam" in text and "Trang 1/1" in text
