"""The PDF forms: Mẫu 01 (receipt), Mẫu 02 (supplement request), Mẫu 03 (refusal), as A4 or A5 pages,
and (re-exported from ``pdf_ticket``) the ticket slip: the public entry point of PDF printing.

Each renderer takes the printing model (``model.py``), normalises every string to NFC first and returns
the PDF bytes. Field codes in the comments (H1, B3, F1 …) are those of DOMAIN.md §1.2."""

from __future__ import annotations

from typing import Any

from reportlab.platypus import BaseDocTemplate, Flowable, KeepTogether, PageBreak, Spacer, Table

from counterapp.printing.model import ReceiptData, RefusalData, SupplementData, vn_datetime, vn_place_date
from counterapp.printing.pdf_codes import QrFlowable, code128
from counterapp.printing.pdf_common import (
    GAP,
    GEOMETRY,
    PLAIN,
    Paper,
    build_pdf,
    documents_table,
    esc,
    header_block,
    labelled,
    nfc,
    para,
    signature_row,
    styles,
)
from counterapp.printing.pdf_ticket import ticket_pdf

__all__ = ["Paper", "receipt_pdf", "refusal_pdf", "supplement_pdf", "ticket_pdf"]

RECEIPT_TITLE = "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"
SUPPLEMENT_TITLE = "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"
REFUSAL_TITLE = "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"
NO_APPOINTMENT = "Không có ngày hẹn trả (giải quyết ngay)"


def _margins(paper: Paper) -> tuple[float, float, float, float]:
    g = GEOMETRY[paper]
    return g.top, g.right, g.bottom, g.left


class CopyStart(Flowable):  # type: ignore[misc]
    """Invisible marker at the start of a copy: remembers on the canvas which copy (and from which
    page) is being printed, for the running line of the continuation pages."""

    def __init__(self, line: str) -> None:
        super().__init__()
        self.line = line

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.canv.counterapp_copy = (self.line, self.canv.getPageNumber())


def _continuation_line(paper: Paper) -> Any:
    """A page-end hook printing "<copy line> – trang n" at the top of the 2nd, 3rd … page of a copy."""
    g = GEOMETRY[paper]
    style = styles(paper).small

    def hook(canv: Any, doc: BaseDocTemplate) -> None:  # noqa: ARG001
        line, first = getattr(canv, "counterapp_copy", ("", canv.getPageNumber()))
        page = canv.getPageNumber() - first + 1
        if page > 1:
            canv.saveState()
            canv.setFont(style.fontName, style.fontSize)
            canv.drawRightString(g.width - g.right, g.height - g.top * 0.6, f"{line} – trang {page}")
            canv.restoreState()

    return hook


# ---------------------------------------------------------------- Mẫu 01


def receipt_pdf(data: ReceiptData, paper: Paper = Paper.A4) -> bytes:
    """Mẫu 01 — GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ, the whole form once per copy (``data.copies``),
    each copy starting on a new page."""
    data = nfc(data)
    story: list[Flowable] = []
    for index, copy in enumerate(data.copies):
        if index:
            story.append(PageBreak())
        story.extend(_receipt_copy(data, copy, paper))
    return build_pdf(
        story,
        pagesize=(GEOMETRY[paper].width, GEOMETRY[paper].height),
        margins=_margins(paper),
        title=f"{RECEIPT_TITLE} {data.code}",
        author=data.centre.centre_name,
        on_page_end=_continuation_line(paper),
    )


def _code_block(data: ReceiptData, copy: str, paper: Paper) -> Table:
    """T2 (code, Code 128) and T3 (copy label) in the middle, the QR code of the lookup link on the right."""
    st, g = styles(paper), GEOMETRY[paper]
    middle_width = g.frame_width - 2 * (g.qr + 2)
    middle: list[Flowable] = [para(f"Mã hồ sơ: <b>{esc(data.code)}</b>", st.subtitle)]
    bar = code128(data.code, paper, middle_width)
    if bar is not None:
        middle += [Spacer(1, 2), bar, Spacer(1, 3)]
    middle.append(para(f"<i>({esc(copy)})</i>", st.subtitle))
    table = Table([[[], middle, QrFlowable(data.qr_payload, g.qr)]], colWidths=[g.qr + 2, middle_width, g.qr + 2])
    table.setStyle(PLAIN)
    table.setStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("ALIGN", (1, 0), (1, 0), "CENTER"),
            ("ALIGN", (2, 0), (2, 0), "RIGHT"),
        ]
    )
    return table


def _receipt_copy(data: ReceiptData, copy: str, paper: Paper) -> list[Flowable]:
    st = styles(paper)
    body = st.body
    story: list[Flowable] = [
        CopyStart(f"Mã hồ sơ: {data.code} ({copy})"),
        header_block(data.centre, vn_place_date(data.centre.place_name, data.received_at), paper),
        para(RECEIPT_TITLE, st.title),
        _code_block(data, copy, paper),
        Spacer(1, st.body.fontSize * 0.6),
        para(labelled("Bộ phận tiếp nhận và trả kết quả", data.centre.receiving_unit), body),
        para(labelled("Tiếp nhận hồ sơ của (Ông/Bà)", data.applicant_name), body),
        para(labelled("Địa chỉ", data.address, bold=False), body),
        para(
            f"{labelled('Số điện thoại', data.phone, bold=False)}{GAP}{labelled('Email', data.email, bold=False)}", body
        ),
        para(labelled("Số CMND/Thẻ căn cước/Hộ chiếu", data.id_number, bold=False), body),
        para(labelled("Nội dung yêu cầu giải quyết", data.request), body),
    ]
    if data.owner_name:
        story.append(para(labelled("Chủ hồ sơ", data.owner_name), body))
        story.append(para(labelled("Địa chỉ chủ hồ sơ", data.owner_address, bold=False), body))
    if data.fee_text:
        story.append(para(labelled("Phí, lệ phí", data.fee_text, bold=False), body))
    due = vn_datetime(data.due_at) if data.due_at is not None else NO_APPOINTMENT
    story += [
        para("1. Thành phần hồ sơ nộp gồm:", body),
        documents_table(data.documents, paper),
        Spacer(1, body.fontSize * 0.5),
    ]
    closing: list[Flowable] = [  # items 2–6, F1 and the signatures stay together on one page
        para(f"2. Số lượng hồ sơ: <b>{data.sets:02d}</b> (bộ)", body),
        para("3. " + labelled("Thời gian giải quyết hồ sơ theo quy định là", data.duration_text), body),
        para("4. " + labelled("Thời gian nhận hồ sơ", vn_datetime(data.received_at)), body),
        para("5. " + labelled("Thời gian trả kết quả giải quyết hồ sơ", due), body),
        para("6. " + labelled("Đăng ký nhận kết quả tại", data.return_place), body),
        para(
            f"Vào Sổ theo dõi hồ sơ, Quyển số: <b>{esc(data.register_book)}</b>"
            f"{GAP}Số thứ tự: <b>{data.register_line}</b>",
            body,
        ),
        Spacer(1, body.fontSize * 0.6),
        signature_row([("NGƯỜI NỘP HỒ SƠ", data.applicant_name), ("NGƯỜI TIẾP NHẬN HỒ SƠ", data.clerk_name)], paper),
    ]
    story.append(KeepTogether(closing))
    story += _notes(data.centre.note, _footer_lines(data), paper)
    return story


def _footer_lines(data: ReceiptData) -> list[str]:
    centre, lines = data.centre, []
    if centre.hotline:
        lines.append(f"Đường dây nóng: {centre.hotline}")
    if centre.lookup_url:
        lines.append(f"Tra cứu tình trạng hồ sơ: {data.qr_payload}")
    if centre.footer:
        lines.append(centre.footer)
    return lines


def _notes(note: str, footer: list[str], paper: Paper) -> list[Flowable]:
    """N (the centre's note, italic, small) and X (footer lines, small)."""
    st = styles(paper)
    out: list[Flowable] = [Spacer(1, st.body.fontSize * 0.4)]
    if note:
        out.append(para(f"Ghi chú: {esc(note)}", st.note))
    out += [para(esc(line), st.small) for line in footer]
    return out


# ---------------------------------------------------------------- Mẫu 02


def supplement_pdf(data: SupplementData, paper: Paper = Paper.A4) -> bytes:
    """Mẫu 02 — PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ."""
    data = nfc(data)
    st, centre = styles(paper), data.centre
    body = st.body
    if centre.hotline:
        contact = (
            "Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, Ông/Bà liên hệ "
            f"{esc(centre.receiving_unit)}, số điện thoại <b>{esc(centre.hotline)}</b> để được hướng dẫn."
        )
    else:
        contact = f"Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, Ông/Bà liên hệ {esc(centre.receiving_unit)}."
    story: list[Flowable] = [
        header_block(centre, vn_place_date(centre.place_name, data.created_at), paper, reference=data.reference),
        para(SUPPLEMENT_TITLE, st.title),
        Spacer(1, body.fontSize * 0.6),
        para(labelled("Bộ phận tiếp nhận và trả kết quả", centre.receiving_unit), body),
        para(labelled("Tiếp nhận hồ sơ/yêu cầu của (Ông/Bà)", data.applicant_name), body),
        para(labelled("Nội dung yêu cầu giải quyết", data.request), body),
        para(labelled("Địa chỉ", data.address, bold=False), body),
        para(
            f"{labelled('Số điện thoại', data.phone, bold=False)}{GAP}{labelled('Email', data.email, bold=False)}", body
        ),
        para("Yêu cầu Ông/Bà hoàn thiện hồ sơ gồm những nội dung như sau:", body),
        documents_table(data.items, paper, name_head="Thành phần hồ sơ"),
        Spacer(1, body.fontSize * 0.5),
        para(labelled("Lý do", data.reason, bold=False), body),
        para(contact, body),
        Spacer(1, body.fontSize * 0.6),
        signature_row([("NGƯỜI HƯỚNG DẪN", data.clerk_name)], paper),
    ]
    return build_pdf(
        story,
        pagesize=(GEOMETRY[paper].width, GEOMETRY[paper].height),
        margins=_margins(paper),
        title=SUPPLEMENT_TITLE,
        author=centre.centre_name,
    )


# ---------------------------------------------------------------- Mẫu 03


def refusal_pdf(data: RefusalData, paper: Paper = Paper.A4) -> bytes:
    """Mẫu 03 — PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ."""
    data = nfc(data)
    st, centre = styles(paper), data.centre
    body = st.body
    story: list[Flowable] = [
        header_block(centre, vn_place_date(centre.place_name, data.created_at), paper),
        para(REFUSAL_TITLE, st.title),
        Spacer(1, body.fontSize * 0.6),
        para(labelled("Bộ phận tiếp nhận và trả kết quả", centre.receiving_unit), body),
        para(labelled("Tiếp nhận hồ sơ của (Ông/Bà)", data.applicant_name), body),
        para(labelled("Địa chỉ", data.address, bold=False), body),
        para(labelled("Số điện thoại", data.phone, bold=False), body),
        para(labelled("Nội dung yêu cầu giải quyết", data.request), body),
        para(labelled("Căn cứ pháp lý", data.legal_basis, bold=False), body),
        para(
            "Sau khi xem xét thành phần hồ sơ và đối chiếu với các quy định hiện hành, "
            f"{esc(centre.receiving_unit)} từ chối tiếp nhận, giải quyết hồ sơ này vì lý do sau: "
            f"<b>{esc(data.reason)}</b>",
            body,
        ),
        para("Xin thông báo để Ông/Bà biết và thực hiện./.", body),
        Spacer(1, body.fontSize * 0.6),
        signature_row([("NGƯỜI TIẾP NHẬN HỒ SƠ", data.clerk_name)], paper),
    ]
    return build_pdf(
        story,
        pagesize=(GEOMETRY[paper].width, GEOMETRY[paper].height),
        margins=_margins(paper),
        title=REFUSAL_TITLE,
        author=centre.centre_name,
    )
