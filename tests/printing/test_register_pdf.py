"""The Sổ theo dõi hồ sơ as an A4 landscape PDF: every column head and value comes back out as NFC text
through two extractors (pypdf, and poppler's ``pdftotext``: ``-layout`` for the heading, ``-raw`` for the
fifteen dense columns, see ``stream_pages``), a 40-line register flows over pages
with the header row and "Trang x/y" on each, a long name and address are complete and wrapped inside
their own cells (every piece of cell text lies between its column's grid lines)."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from datetime import date, datetime, timedelta
from io import BytesIO
from typing import Any

import pypdf
import pytest
from reportlab.pdfbase.pdfmetrics import stringWidth

from counterapp.printing.register_model import COLUMNS, RegisterData, RegisterEntry, register_date
from counterapp.printing.register_pdf import (
    LEFT,
    PAD_X,
    SIZE,
    _broken_at_hyphens,
    _styles,
    column_widths,
    register_pdf,
)
from counterapp.printing.samples import HARD_NAMES, LONG_ADDRESS, sample_centre
from tests.printing.pdf_text import Page, join, pages, stream_pages

DAY = date(2026, 3, 16)
START = datetime(2026, 3, 16, 7, 30)
LONG_NAME = "Công ty Trách nhiệm hữu hạn Thương mại và Dịch vụ Xuất nhập khẩu Trương Quỳnh Hương Đặng Ngọc Ánh"
PROCEDURES = (
    "Đăng ký khai sinh",
    "Cấp bản sao Trích lục hộ tịch",
    "Đăng ký khai sinh kết hợp đăng ký nhận cha, mẹ, con",
)


def code(line: int) -> str:
    return f"000.00.01.H26-260316-{line:04d}"


def printed_code(line: int) -> str:
    """The code as the narrow column prints it: broken after its first hyphen."""
    return code(line).replace("-", "- ", 1)


def entry(line: int, **changes: Any) -> RegisterEntry:
    received = START + timedelta(minutes=9 * line)
    base = RegisterEntry(
        line=line,
        code=code(line),
        procedure_name=PROCEDURES[line % 3],
        sets=1 + line % 2,
        owner_name=HARD_NAMES[line % 4],
        address=f"Số {line} phố Hàng Bông, phường Hoàn Kiếm, Hà Nội",
        phone=f"09123456{line:02d}",
        agency="Ủy ban nhân dân cấp xã",
        received_at=received,
        due_at=received.replace(hour=17, minute=0) + timedelta(days=3),
        transferred_at=None,
        result_received_at=None,
        returned_at=None,
        returned_to="",
        note="",
    )
    return dataclasses.replace(base, **changes)


def register(count: int = 40, **first: Any) -> RegisterData:
    entries = [entry(n) for n in range(1, count + 1)]
    if first:
        entries[0] = dataclasses.replace(entries[0], **first)
    return RegisterData(sample_centre(), DAY, tuple(entries))


FORTY = register(
    40,
    owner_name=LONG_NAME,
    address=LONG_ADDRESS,
    transferred_at=datetime(2026, 3, 16, 14, 0),
    result_received_at=datetime(2026, 3, 18, 10, 15),
    returned_at=datetime(2026, 3, 19, 8, 5),
    returned_to="Trần Văn Nam",
    note="nhận thay, có giấy ủy quyền",
)


@pytest.fixture(scope="module")
def forty_pdf() -> bytes:
    return register_pdf(FORTY)


def whole(pdf: bytes) -> Page:
    """The whole document in drawing order, as pypdf and ``pdftotext -raw`` read it."""
    return join(list(stream_pages(pdf)))


def test_the_page_is_a4_landscape(forty_pdf: bytes):
    for page in pypdf.PdfReader(BytesIO(forty_pdf)).pages:
        box = page.mediabox
        assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (297, 210)


def test_the_heading_names_the_book_the_centre_and_the_day(forty_pdf: bytes):
    first = pages(forty_pdf)[0]
    centre = FORTY.centre
    assert first.missing([
        "SỔ THEO DÕI HỒ SƠ",
        centre.governing_body.upper(),
        centre.centre_name.upper(),
        "Ngày 16 tháng 03 năm 2026",
        f"Bộ phận tiếp nhận và trả kết quả: {centre.receiving_unit}",
    ]) == []  # fmt: skip
    # AND the heading is printed once, not on the following pages
    assert all(page.absent("SỔ THEO DÕI HỒ SƠ") for page in pages(forty_pdf)[1:])


def test_forty_lines_span_pages_with_the_header_row_and_page_numbers_on_each(forty_pdf: bytes):
    # GIVEN a 40-line register, more than a page holds
    every = stream_pages(forty_pdf)
    total = len(every)
    assert total >= 3
    for number, page in enumerate(every, start=1):
        # THEN every page repeats the whole header row and says "Trang x/y"
        assert page.missing(list(COLUMNS)) == [], number
        assert page.has(f"Trang {number}/{total}")
        assert page.has("Sổ theo dõi hồ sơ ngày 16/03/2026")
    # AND every line, number and code, is printed exactly once and in order, by both extractors
    document = whole(forty_pdf)
    for text in (document.pypdf, document.layout):
        positions = []
        for line in range(1, 41):
            hits = [m.start() for m in re.finditer(rf"(?<!\S){line} {re.escape(printed_code(line))}(?!\S)", text)]
            assert len(hits) == 1, (line, hits)
            positions.append(hits[0])
        assert positions == sorted(positions)
    assert every[-1].has("Tổng số hồ sơ tiếp nhận trong ngày: 40")


def test_every_value_of_a_line_is_printed(forty_pdf: bytes):
    first = stream_pages(forty_pdf)[0]
    line = FORTY.entries[0]
    dates = [line.received_at, line.due_at, line.transferred_at, line.result_received_at, line.returned_at]
    assert first.missing([
        line.procedure_name, line.owner_name, line.address, line.phone, line.agency, line.returned_to, line.note,
        *(register_date(moment) for moment in dates if moment is not None),
    ]) == []  # fmt: skip
    assert first.has("16/03/2026 07:39") and first.has("19/03/2026 08:05")


def cell_fragments(pdf: bytes) -> list[tuple[int, str, float, float]]:
    """(page, text, left x, right x) of every line of text drawn in the table's body size."""
    found: list[tuple[int, str, float, float]] = []
    for number, page in enumerate(pypdf.PdfReader(BytesIO(pdf)).pages, start=1):

        def visit(text: str, cm: Any, tm: Any, font: Any, size: float, number: int = number) -> None:
            text = text.strip()
            if not text or abs(size - SIZE) > 0.01 or font is None:
                return
            name = str(font["/BaseFont"]).split("+")[-1]
            left = float(cm[4]) + float(tm[4])
            found.append((number, text, left, left + stringWidth(text, name, size)))

        page.extract_text(visitor_text=visit)
    return found


def test_long_name_and_address_wrap_inside_their_cells_and_nothing_spills_over_a_grid_line(forty_pdf: bytes):
    _styles()  # registers the fonts used to measure
    edges = [LEFT]
    for width in column_widths():
        edges.append(edges[-1] + width)
    fragments = cell_fragments(forty_pdf)
    assert len(fragments) > 40 * 10
    by_column: dict[int, list[str]] = {}
    for page, text, left, right in fragments:
        column = next(i for i in range(len(COLUMNS)) if edges[i] <= left < edges[i + 1])
        # THEN no line of text crosses its column's right grid line (it wrapped instead)
        assert right <= edges[column + 1] - PAD_X + 0.5, (page, text, COLUMNS[column])
        if page == 1:
            by_column.setdefault(column, []).append(text)
    # AND the long name and address are there in full, each in its own column, over several lines
    owner = by_column[COLUMNS.index("Chủ hồ sơ")]
    address = by_column[COLUMNS.index("Địa chỉ")]
    assert LONG_NAME in " ".join(owner) and LONG_ADDRESS in " ".join(address)
    assert sum(1 for text in owner if text in LONG_NAME) >= 3
    assert sum(1 for text in address if text in LONG_ADDRESS) >= 4
    assert whole(forty_pdf).has(LONG_NAME) and whole(forty_pdf).has(LONG_ADDRESS)


def test_the_code_breaks_after_a_hyphen_only_when_it_does_not_fit():
    style = _styles().cell
    assert _broken_at_hyphens(code(7), 1000, style) == code(7)
    narrow = column_widths()[COLUMNS.index("Mã hồ sơ")] - 2 * PAD_X
    assert _broken_at_hyphens(code(7), narrow, style) == "000.00.01.H26-<br/>260316-0007"
    assert _broken_at_hyphens("A<B-C", 1, style) == "A&lt;B-<br/>C"


def test_nfd_input_is_printed_as_nfc_and_markup_literally():
    decomposed = unicodedata.normalize("NFD", "Lê Văn <Ửng> & Cộng sự")
    data = register(2, owner_name=decomposed, note=unicodedata.normalize("NFD", "gấp"))
    pdf = register_pdf(data)
    assert pdf == register_pdf(register(2, owner_name="Lê Văn <Ửng> & Cộng sự", note="gấp"))
    text = whole(pdf)
    for raw in (text.pypdf_raw, text.layout_raw):
        assert unicodedata.is_normalized("NFC", raw) and not any(unicodedata.combining(ch) for ch in raw)
    assert text.has("Lê Văn <Ửng> & Cộng sự")


def test_an_empty_day_still_prints_the_book_page_with_its_header_row():
    pdf = register_pdf(RegisterData(sample_centre(), DAY, ()))
    only = stream_pages(pdf)
    assert len(only) == 1
    assert only[0].missing(["SỔ THEO DÕI HỒ SƠ", *COLUMNS, "Tổng số hồ sơ tiếp nhận trong ngày: 0", "Trang 1/1"]) == []


def test_the_longest_values_intake_accepts_still_lay_out():
    """Intake caps a name at 100, an address at 300 and a note at 500 characters: one such line is taller
    than usual but must still fit a page (a row is never split), not fail the whole book."""
    huge = register(
        3,
        procedure_name="Đăng ký biến động quyền sử dụng đất, " * 8,
        owner_name=("Nguyễn Thị Tuyến " * 6)[:100],
        address=("Số 186 ngõ 92 đường Nguyễn Khánh Toàn, " * 8)[:300],
        agency="Phòng Kinh tế (Phòng Kinh tế, Hạ tầng và Đô thị) thuộc Ủy ban nhân dân cấp xã",
        returned_to=("Trần Văn Nam " * 8)[:100],
        note=("nhận thay, có giấy ủy quyền " * 20)[:500],
    )
    pdf = register_pdf(huge)
    assert whole(pdf).missing([printed_code(n) for n in (1, 2, 3)]) == []


def test_only_the_embedded_bundled_font_is_used(forty_pdf: bytes):
    used = set()
    for page in pypdf.PdfReader(BytesIO(forty_pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            assert descriptor is not None and "/FontFile2" in descriptor.get_object()
            used.add(str(font["/BaseFont"]).split("+")[-1])
    assert used >= {"BeVietnamPro-Regular", "BeVietnamPro-Bold"} and all("BeVietnamPro" in n for n in used)


def test_output_is_deterministic(forty_pdf: bytes):
    assert register_pdf(FORTY) == forty_pdf
