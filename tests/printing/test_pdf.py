"""The PDF forms (Mẫu 01, 02, 03) and the PDF ticket slip: every field's exact NFC text comes back out
of the PDF through two extractors (pypdf and poppler ``pdftotext -layout``), the bundled font is
embedded, a long document list flows over pages without losing a row, NFD input prints as NFC."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from io import BytesIO
from typing import Any

import pypdf
import pytest

from counterapp.printing.model import COPIES, DocumentLine, ReceiptData, vn_datetime, vn_place_date
from counterapp.printing.pdf_common import Paper
from counterapp.printing.pdf_forms import receipt_pdf, refusal_pdf, supplement_pdf
from counterapp.printing.pdf_ticket import ticket_pdf
from counterapp.printing.samples import (
    HARD_NAMES,
    LONG_ADDRESS,
    TWELVE_DOCUMENTS,
    sample_receipt,
    sample_refusal,
    sample_supplement,
    sample_ticket,
)
from tests.printing.pdf_text import Page, fold, join, page_of, pages, whole

PAPERS = list(Paper)
LABELS = tuple(f"({copy})" for copy in COPIES)


def header(data: Any, moment: Any) -> list[str]:
    centre = data.centre
    return [
        centre.governing_body.upper(),
        centre.centre_name.upper(),
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        vn_place_date(centre.place_name, moment),
    ]


def receipt_fields(data: ReceiptData) -> list[str]:
    """Every field of DOMAIN.md §1.2 that ``data`` has, as printed (copy label excluded)."""
    assert data.due_at is not None
    return [
        *header(data, data.received_at),
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        f"Mã hồ sơ: {data.code}",
        f"Bộ phận tiếp nhận và trả kết quả: {data.centre.receiving_unit}",
        f"Tiếp nhận hồ sơ của (Ông/Bà): {data.applicant_name}",
        f"Địa chỉ: {data.address}",
        f"Số điện thoại: {data.phone} Email: {data.email}",
        f"Số CMND/Thẻ căn cước/Hộ chiếu: {data.id_number}",
        f"Nội dung yêu cầu giải quyết: {data.request}",
        f"Chủ hồ sơ: {data.owner_name}",
        f"Địa chỉ chủ hồ sơ: {data.owner_address}",
        f"Phí, lệ phí: {data.fee_text}",
        "Thành phần hồ sơ nộp gồm:",
        "TT",
        "Tên giấy tờ",
        "Số lượng",
        "Bản chính",
        "Bản sao chứng thực",
        "Bản photo",
        *(line.name for line in data.documents),
        "Số lượng hồ sơ: 01 (bộ)",
        f"Thời gian giải quyết hồ sơ theo quy định là: {data.duration_text}",
        f"Thời gian nhận hồ sơ: {vn_datetime(data.received_at)}",
        f"Thời gian trả kết quả giải quyết hồ sơ: {vn_datetime(data.due_at)}",
        f"Đăng ký nhận kết quả tại: {data.return_place}",
        f"Vào Sổ theo dõi hồ sơ, Quyển số: {data.register_book} Số thứ tự: {data.register_line}",
        "NGƯỜI NỘP HỒ SƠ",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
        "(Ký và ghi rõ họ tên)",
        data.applicant_name,
        data.clerk_name,
        data.centre.note,
        f"Đường dây nóng: {data.centre.hotline}",
        data.qr_payload,
        data.centre.footer,
    ]


def copies_of(pdf: bytes, labels: tuple[str, ...] = LABELS) -> list[list[Page]]:
    """The pages of each copy: every page carries exactly one copy label (the continuation pages in
    their running line), and the copies follow each other in order."""
    result: list[list[Page]] = [[] for _ in labels]
    last = 0
    for number, page in enumerate(pages(pdf), start=1):
        found = [i for i, label in enumerate(labels) if page.has(label)]
        assert len(found) == 1, f"page {number} carries copy labels {found}"
        assert all(page.absent(label) for i, label in enumerate(labels) if i != found[0])
        assert found[0] >= last, f"page {number} goes back to an earlier copy"
        last = found[0]
        result[found[0]].append(page)
    assert all(result), "a copy has no page"
    return result


# ---------------------------------------------------------------- Mẫu 01


@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("name", HARD_NAMES)
def test_receipt_prints_every_field_on_each_copy(paper: Paper, name: str):
    # GIVEN the sample receipt (long address, 12 documents) for a hard name
    data = sample_receipt(name)
    # WHEN it is rendered
    pdf = receipt_pdf(data, paper)
    # THEN each copy, read by both extractors, holds every field's exact text, and its own label only
    expected = receipt_fields(data)
    assert f"Địa chỉ: {LONG_ADDRESS}" in expected and all(line.name in expected for line in TWELVE_DOCUMENTS)
    for copy_pages, (label, other) in zip(copies_of(pdf), [LABELS, LABELS[::-1]], strict=True):
        copy = join(copy_pages)
        assert copy.missing([*expected, label]) == []
        assert copy.absent(other)


def test_receipt_prints_each_signature_title_with_its_name_under_it():
    data = sample_receipt(HARD_NAMES[3])
    text = whole(receipt_pdf(data)).pypdf
    assert fold(f"NGƯỜI NỘP HỒ SƠ (Ký và ghi rõ họ tên) {HARD_NAMES[3]}") in text
    assert fold(f"NGƯỜI TIẾP NHẬN HỒ SƠ (Ký và ghi rõ họ tên) {data.clerk_name}") in text


def test_receipt_without_appointment_owner_or_fee_says_so_and_omits_them():
    data = dataclasses.replace(sample_receipt(), due_at=None, owner_name="", owner_address="", fee_text="")
    text = whole(receipt_pdf(data))
    assert text.missing(["Thời gian trả kết quả giải quyết hồ sơ: Không có ngày hẹn trả (giải quyết ngay)"]) == []
    for absent in ("Chủ hồ sơ", "Phí, lệ phí", "17 giờ 00 phút"):
        assert text.absent(absent)


def test_receipt_prints_each_count_in_its_own_column():
    # GIVEN a document with distinct counts and one with photocopies only
    documents = (DocumentLine("Tờ khai", 3, 5, 7), DocumentLine("Bản kê", 0, 0, 4))
    pdf = receipt_pdf(dataclasses.replace(sample_receipt(), documents=documents, copies=COPIES[:1]))
    text = whole(pdf)
    # THEN the row reads TT, name, originals, certified copies, photocopies in that order
    assert "TT Tên giấy tờ Số lượng Bản chính Bản sao chứng thực Bản photo 1 Tờ khai 03 05 07 2 Bản kê 04" in text.pypdf
    assert "1 Tờ khai 03 05 07" in text.layout
    # AND the lone count of the second row sits in the photocopies column, under the first row's 07
    lines = text.layout_raw.splitlines()
    first = next(line for line in lines if re.search(r"\b1\s+Tờ khai\b", line))
    second = next(line for line in lines if re.search(r"\b2\s+Bản kê\b", line))
    assert abs(first.index("07") - second.index("04")) <= 1


def test_receipt_has_a_page_set_per_copy_in_order():
    data = sample_receipt()
    pdf = receipt_pdf(data)
    per_copy = copies_of(pdf)
    assert len(pages(pdf)) >= len(data.copies) == 2
    assert [len(p) for p in per_copy] == [len(per_copy[0])] * 2  # both copies laid out alike
    single = receipt_pdf(dataclasses.replace(data, copies=COPIES[1:]))
    assert whole(single).absent(LABELS[0]) and whole(single).has(LABELS[1])


FORTY = tuple(DocumentLine(f"Giấy tờ kèm theo số {n:02d} của hồ sơ xin phép", n % 3, 1, 0) for n in range(1, 41))


@pytest.mark.parametrize("paper", PAPERS)
def test_long_document_list_flows_over_pages_without_losing_a_row(paper: Paper):
    # GIVEN 40 documents, more than one page holds
    pdf = receipt_pdf(sample_receipt(documents=FORTY), paper)
    # THEN every copy spans several pages
    per_copy = copies_of(pdf)
    assert all(len(copy_pages) >= 2 for copy_pages in per_copy)
    for copy_pages in per_copy:
        copy = join(copy_pages)
        # AND every row, number and name, is printed exactly once per copy, in order, by both extractors
        for text in (copy.pypdf, copy.layout):
            positions = []
            for number, line in enumerate(FORTY, start=1):
                hits = [m.start() for m in re.finditer(rf"(?<!\S){number} {re.escape(line.name)}(?!\S)", text)]
                assert len(hits) == 1, (number, line.name, len(hits))
                positions.append(hits[0])
            assert positions == sorted(positions)
        # AND every page that holds rows repeats the table header, and the later pages say "trang n"
        for index, page in enumerate(copy_pages):
            if "Giấy tờ kèm theo số" in page.pypdf:
                assert page.has("Tên giấy tờ") and page.has("Bản sao chứng thực")
            assert page.has(f"trang {index + 1}") == (index > 0)


def nfd(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFD", value)
    if isinstance(value, tuple):
        return tuple(nfd(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{f.name: nfd(getattr(value, f.name)) for f in dataclasses.fields(value)})
    return value


def test_nfd_input_is_printed_as_nfc():
    # GIVEN the sample receipt with every string decomposed (NFD)
    data = sample_receipt(HARD_NAMES[2])
    decomposed = nfd(data)
    assert decomposed.applicant_name != data.applicant_name
    # WHEN it is rendered
    pdf = receipt_pdf(decomposed)
    # THEN the PDF is the one of the NFC input, and the raw extracted text is NFC, with the NFC fields
    assert pdf == receipt_pdf(data)
    text = whole(pdf)
    for raw in (text.pypdf_raw, text.layout_raw):
        assert unicodedata.is_normalized("NFC", raw)
        assert not any(unicodedata.combining(ch) for ch in raw)
        assert data.applicant_name in raw and "Tiếp nhận hồ sơ của (Ông/Bà)" in raw


def test_markup_characters_are_printed_literally():
    data = dataclasses.replace(sample_receipt(), applicant_name="Lê Văn <Ửng> & Cộng sự", request="A < B > C &amp; D")
    text = whole(receipt_pdf(data))
    assert text.missing(["Tiếp nhận hồ sơ của (Ông/Bà): Lê Văn <Ửng> & Cộng sự", "A < B > C &amp; D"]) == []


def test_output_is_deterministic():
    assert receipt_pdf(sample_receipt()) == receipt_pdf(sample_receipt())


# ---------------------------------------------------------------- fonts and paper


def fonts_used(pdf: bytes) -> list[tuple[str, bool]]:
    """(BaseFont, embedded as TrueType) for every font resource of every page."""
    found = []
    for page in pypdf.PdfReader(BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            embedded = descriptor is not None and "/FontFile2" in descriptor.get_object()
            found.append((str(font["/BaseFont"]), embedded))
    return found


ALL_FORMS = [
    pytest.param(lambda paper: receipt_pdf(sample_receipt(), paper), id="receipt"),
    pytest.param(lambda paper: supplement_pdf(sample_supplement(), paper), id="supplement"),
    pytest.param(lambda paper: refusal_pdf(sample_refusal(), paper), id="refusal"),
    pytest.param(lambda paper: ticket_pdf(sample_ticket()), id="ticket"),
]


@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("render", ALL_FORMS)
def test_only_the_embedded_bundled_font_is_used(render: Any, paper: Paper):
    used = fonts_used(render(paper))
    assert used, "no font at all"
    assert {name.split("+")[-1] for name, _ in used} >= {"BeVietnamPro-Regular", "BeVietnamPro-Bold"}
    assert all("BeVietnamPro" in name and embedded for name, embedded in used), used


@pytest.mark.parametrize(("paper", "size_mm"), [(Paper.A4, (210, 297)), (Paper.A5, (148, 210))])
def test_paper_size(paper: Paper, size_mm: tuple[int, int]):
    for render in (receipt_pdf(sample_receipt(), paper), refusal_pdf(sample_refusal(), paper)):
        for page in pypdf.PdfReader(BytesIO(render)).pages:
            box = page.mediabox
            assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == size_mm


# ---------------------------------------------------------------- Mẫu 02, Mẫu 03, ticket slip


@pytest.mark.parametrize("paper", PAPERS)
def test_supplement_prints_every_field(paper: Paper):
    data = sample_supplement()
    text = whole(supplement_pdf(data, paper))
    expected = [
        *header(data, data.created_at),
        f"Số: {data.reference}",
        "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        f"Bộ phận tiếp nhận và trả kết quả: {data.centre.receiving_unit}",
        f"Tiếp nhận hồ sơ/yêu cầu của (Ông/Bà): {data.applicant_name}",
        f"Nội dung yêu cầu giải quyết: {data.request}",
        f"Địa chỉ: {data.address}",
        f"Số điện thoại: {data.phone}",
        "Email:",
        "Yêu cầu Ông/Bà hoàn thiện hồ sơ gồm những nội dung như sau:",
        "Thành phần hồ sơ",
        "Bản sao chứng thực",
        *(item.name for item in data.items),
        f"Lý do: {data.reason}",
        f"số điện thoại {data.centre.hotline}",
        "NGƯỜI HƯỚNG DẪN",
        data.clerk_name,
    ]
    assert text.missing(expected) == []
    for number, item in enumerate(data.items, start=1):
        assert fold(f"{number} {item.name} {item.originals:02d}") in text.pypdf


@pytest.mark.parametrize("paper", PAPERS)
def test_refusal_prints_every_field(paper: Paper):
    data = sample_refusal()
    text = whole(refusal_pdf(data, paper))
    expected = [
        *header(data, data.created_at),
        "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
        f"Tiếp nhận hồ sơ của (Ông/Bà): {data.applicant_name}",
        f"Địa chỉ: {data.address}",
        f"Số điện thoại: {data.phone}",
        f"Nội dung yêu cầu giải quyết: {data.request}",
        f"Căn cứ pháp lý: {data.legal_basis}",
        f"từ chối tiếp nhận, giải quyết hồ sơ này vì lý do sau: {data.reason}",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
        "(Ký và ghi rõ họ tên)",
        data.clerk_name,
    ]
    assert text.missing(expected) == []
    assert len(pages(refusal_pdf(data, paper))) == 1


def test_ticket_slip_prints_every_field_on_a_narrow_page():
    data = sample_ticket()
    pdf = ticket_pdf(data)
    text = whole(pdf)
    expected = [
        data.centre.centre_name.upper(),
        data.service_name,
        data.number,
        f"Giờ lấy số: {vn_datetime(data.issued_at)}",
        f"Số người chờ trước: {data.people_ahead}",
        f"Ưu tiên: {data.priority_label}",
    ]
    assert text.missing(expected) == []
    [page] = pypdf.PdfReader(BytesIO(pdf)).pages
    assert round(float(page.mediabox.width) / 72 * 25.4) == 80
    assert float(page.mediabox.height) < float(page.mediabox.width) * 2


def test_ticket_slip_without_priority_has_no_priority_line_and_lists_counters():
    data = dataclasses.replace(sample_ticket(), priority_label="", counters=("Quầy 3", "Quầy 4"))
    text = whole(ticket_pdf(data))
    assert text.absent("Ưu tiên")
    assert text.missing(["Quầy phục vụ: Quầy 3, Quầy 4"]) == []


# ---------------------------------------------------------------- the matcher itself


def test_the_layout_matcher_joins_a_wrapped_cell_but_never_two_columns_or_other_tone_marks():
    layout = "  1   Đơn đề nghị cấp giấy    01\n      phép xây dựng\n  2   Bản vẽ mặt bằng         02\n"
    page = page_of("", layout)
    assert "Đơn đề nghị cấp giấy phép xây dựng" in " / ".join(page.columns)
    assert not any("giấy 01" in column or "dựng 02" in column for column in page.columns)
    assert page.absent("Đơn đề nghị cấp giây")
    receipt = whole(receipt_pdf(sample_receipt()))
    assert receipt.has("Nguyễn Thị Tuyến") and receipt.absent("Nguyễn Thị Tuyên") and receipt.absent("Nguyen Thi")
