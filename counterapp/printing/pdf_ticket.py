"""The queue ticket slip as a small PDF page, 80 mm wide and as tall as its content (for a PDF printer or
a roll printer with a system driver; the thermal path renders the same :class:`TicketSlipData`)."""

from __future__ import annotations

from functools import cache

from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from counterapp.printing.fonts import Weight, font_name, register_pdf_fonts
from counterapp.printing.model import TicketSlipData, vn_datetime
from counterapp.printing.pdf_codes import QrFlowable
from counterapp.printing.pdf_common import build_pdf, esc, fitted, nfc, para

WIDTH = 80 * mm
MARGIN = 5 * mm
QR_SIDE = 26 * mm


@cache
def _styles() -> dict[str, ParagraphStyle]:
    register_pdf_fonts()
    regular, bold = font_name(Weight.REGULAR), font_name(Weight.BOLD)
    semibold, italic = font_name(Weight.SEMIBOLD), font_name(Weight.ITALIC)

    def style(name: str, font: str, size: float, **kw: float) -> ParagraphStyle:
        kw.setdefault("leading", size * 1.25)
        return ParagraphStyle(f"ticket-{name}", fontName=font, fontSize=size, alignment=TA_CENTER, **kw)

    return {
        "centre": style("centre", bold, 10),
        "branch": style("branch", regular, 8.5),
        "service": style("service", semibold, 11, spaceBefore=6),
        "number": style("number", bold, 46, leading=52, spaceBefore=2),
        "priority": style("priority", bold, 10.5, spaceAfter=2),
        "line": style("line", regular, 9),
        "ahead": style("ahead", semibold, 10.5, spaceBefore=2),
        "small": style("small", italic, 7.5),
    }


def ticket_pdf(data: TicketSlipData) -> bytes:
    """The ticket slip: centre, service, the number (very large), issued time, people ahead, priority
    label (if any), counters (if known), QR code of ``qr_payload``."""
    data = nfc(data)
    st, inner = _styles(), WIDTH - 2 * MARGIN
    centre = data.centre.centre_name.upper()
    story: list[Flowable] = [para(esc(centre), fitted(centre, st["centre"], inner, smallest=0.7))]
    if data.centre.branch_name:
        story.append(para(esc(data.centre.branch_name), st["branch"]))
    story += [
        para(esc(data.service_name), st["service"]),
        para(esc(data.number), fitted(data.number, st["number"], inner, smallest=0.5)),
    ]
    if data.priority_label:
        story.append(para(f"Ưu tiên: {esc(data.priority_label)}", st["priority"]))
    issued = f"Giờ lấy số: {vn_datetime(data.issued_at)}"
    story.append(para(esc(issued), fitted(issued, st["line"], inner, smallest=0.75)))
    story.append(para(f"Số người chờ trước: <b>{data.people_ahead}</b>", st["ahead"]))
    if data.counters:
        story.append(para(f"Quầy phục vụ: {esc(', '.join(data.counters))}", st["line"]))
    story += [Spacer(1, 6), QrFlowable(data.qr_payload, QR_SIDE), Spacer(1, 2)]
    story.append(para("Vui lòng chờ đến lượt gọi số của mình.", st["small"]))
    if data.centre.hotline:
        story.append(para(f"Đường dây nóng: {esc(data.centre.hotline)}", st["small"]))
    height = sum(_height(flowable, inner) for flowable in story) + 2 * MARGIN + 4
    return build_pdf(
        story,
        pagesize=(WIDTH, height),
        margins=(MARGIN, MARGIN, MARGIN, MARGIN),
        title=f"Số thứ tự {data.number}",
        author=data.centre.centre_name,
    )


def _height(flowable: Flowable, width: float) -> float:
    _, height = flowable.wrap(width, 10_000)
    return float(height + flowable.getSpaceBefore() + flowable.getSpaceAfter())
