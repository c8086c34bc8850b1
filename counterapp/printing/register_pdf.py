"""The day's register, Sổ theo dõi hồ sơ (DOMAIN.md §1.3), as A4 landscape pages.

Fifteen columns do not fit a portrait page, so the book is landscape with a small (7 pt) body. The
columns whose content has a known shape (line number, code, phone, dates) get exactly the width of that
shape, measured with the bundled font; the free-text columns share the rest. Every cell is a Paragraph,
so a long name or address wraps inside its cell and is never cut; the header row repeats on every page
and a row is never split between two pages (the longest values the intake accepts still fit one page).
The code, wider than its column, breaks after a hyphen ("000.00.01.H26-" / "260316-9001"), not inside
a number. "Trang x/y" needs the page count, so the footer is drawn by a canvas that holds the pages back
until the layout is done."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Spacer, Table, TableStyle
from reportlab.platypus.flowables import HRFlowable

from counterapp.printing.fonts import Weight, font_name, register_pdf_fonts
from counterapp.printing.pdf_common import PLAIN, build_pdf, esc, fitted, nfc, para
from counterapp.printing.register_model import COLUMNS, REGISTER_TITLE, RegisterData, RegisterEntry, register_date

__all__ = ["PAGE_SIZE", "register_pdf"]

PAGE_SIZE: tuple[float, float] = landscape(A4)
TOP, RIGHT, BOTTOM, LEFT = 10 * mm, 10 * mm, 14 * mm, 10 * mm
FRAME_WIDTH = PAGE_SIZE[0] - LEFT - RIGHT
SIZE = 7.0  # body size of the table, pt
PAD_X, PAD_TOP, PAD_BOTTOM = 2.0, 1.5, 2.5
SIGN_SPACE = 5 * mm  # room to sign above the printed name in "Người nhận (ký)"

# Widths of the columns with a known shape: the widest text they hold (and their header's longest word).
_SHAPED = {
    "STT": "9999",
    "Mã hồ sơ": "000.00.01.H26-",  # one part of the code: it breaks after its hyphens
    "Số bộ": "Số bộ",
    "SĐT": "0912345678",
    "Ngày nhận": "16/03/2026",  # the time goes on a second line
    "Ngày hẹn trả": "16/03/2026",
    "Ngày chuyển": "16/03/2026",
    "Ngày nhận kết quả": "16/03/2026",
    "Ngày trả": "16/03/2026",
}
# The free-text columns share what is left, in these proportions.
_WEIGHTS = {
    "Tên TTHC": 3.4,
    "Chủ hồ sơ": 2.0,
    "Địa chỉ": 3.8,
    "Cơ quan giải quyết": 1.8,
    "Người nhận (ký)": 1.8,
    "Ghi chú": 1.8,
}
_CENTRED = {"STT", "Số bộ"}


@dataclass(frozen=True, slots=True)
class _Styles:
    head: ParagraphStyle
    head_bold: ParagraphStyle
    title: ParagraphStyle
    subtitle: ParagraphStyle
    cell: ParagraphStyle
    cell_center: ParagraphStyle
    cell_head: ParagraphStyle
    total: ParagraphStyle


@cache
def _styles() -> _Styles:
    register_pdf_fonts()
    regular, bold, italic = font_name(Weight.REGULAR), font_name(Weight.BOLD), font_name(Weight.ITALIC)

    def style(name: str, font: str, size: float, align: int = TA_LEFT, **kw: Any) -> ParagraphStyle:
        kw.setdefault("leading", size * 1.22)
        return ParagraphStyle(f"register-{name}", fontName=font, fontSize=size, alignment=align, **kw)

    return _Styles(
        head=style("head", regular, 9.5, TA_CENTER),
        head_bold=style("head-bold", bold, 9.5, TA_CENTER),
        title=style("title", bold, 14, TA_CENTER, spaceBefore=2, spaceAfter=2),
        subtitle=style("subtitle", italic, 9.5, TA_CENTER),
        cell=style("cell", regular, SIZE),
        cell_center=style("cell-center", regular, SIZE, TA_CENTER),
        cell_head=style("cell-head", bold, SIZE, TA_CENTER),
        total=style("total", italic, 8.5, spaceBefore=4),
    )


@cache
def column_widths() -> tuple[float, ...]:
    """Widths of :data:`COLUMNS` in points; they add up to the page's frame width."""
    st = _styles()
    fixed: dict[str, float] = {}
    for head, sample in _SHAPED.items():
        longest_word = max(stringWidth(word, st.cell_head.fontName, SIZE) for word in head.split())
        fixed[head] = max(stringWidth(sample, st.cell.fontName, SIZE), longest_word) + 2 * PAD_X + 2
    free = FRAME_WIDTH - sum(fixed.values())
    unit = free / sum(_WEIGHTS.values())
    return tuple(fixed[head] if head in fixed else _WEIGHTS[head] * unit for head in COLUMNS)


_AFTER_HYPHEN = re.compile(r"(?<=-)")


def _broken_at_hyphens(text: str, width: float, style: ParagraphStyle) -> str:
    """``text`` as markup, on one line if it fits ``width``, else with line breaks after hyphens."""

    def fits(part: str) -> bool:
        return bool(stringWidth(part, style.fontName, style.fontSize) <= width)

    if fits(text):
        return esc(text)
    lines: list[str] = []
    current = ""
    for part in _AFTER_HYPHEN.split(text):
        if current and not fits(current + part):
            lines.append(current)
            current = part
        else:
            current += part
    lines.append(current)
    return "<br/>".join(esc(line) for line in lines)


def _when(moment: datetime | None) -> str:
    return register_date(moment) if moment is not None else ""


def _row(entry: RegisterEntry, widths: tuple[float, ...]) -> list[Any]:
    st = _styles()
    code_width = widths[COLUMNS.index("Mã hồ sơ")] - 2 * PAD_X
    texts = {
        "STT": str(entry.line),
        "Số bộ": str(entry.sets),
        "Ngày nhận": _when(entry.received_at),
        "Ngày hẹn trả": _when(entry.due_at),
        "Ngày chuyển": _when(entry.transferred_at),
        "Ngày nhận kết quả": _when(entry.result_received_at),
        "Ngày trả": _when(entry.returned_at),
    }
    cells: list[Any] = []
    for head, value in zip(COLUMNS, entry.cells(), strict=True):
        if head == "Mã hồ sơ":
            cells.append(para(_broken_at_hyphens(entry.code, code_width, st.cell), st.cell))
        elif head == "Người nhận (ký)":  # the signature goes above the printed name
            cells.append([Spacer(1, SIGN_SPACE), para(esc(entry.returned_to), st.cell_center)])
        else:
            text = texts.get(head, value if isinstance(value, str) else "")
            cells.append(para(esc(text), st.cell_center if head in _CENTRED else st.cell))
    return cells


def _table(entries: tuple[RegisterEntry, ...]) -> Table:
    st, widths = _styles(), column_widths()
    rows: list[list[Any]] = [[para(esc(head), st.cell_head) for head in COLUMNS]]
    rows += [_row(entry, widths) for entry in entries]
    table = Table(rows, colWidths=list(widths), repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font_name(Weight.REGULAR)),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
                ("VALIGN", (0, 1), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.93, 0.93, 0.93)),
                ("LEFTPADDING", (0, 0), (-1, -1), PAD_X),
                ("RIGHTPADDING", (0, 0), (-1, -1), PAD_X),
                ("TOPPADDING", (0, 0), (-1, -1), PAD_TOP),
                ("BOTTOMPADDING", (0, 0), (-1, -1), PAD_BOTTOM),
            ]
        )
    )
    return table


def _heading(data: RegisterData) -> list[Flowable]:
    """The agency (upper case, a short rule under it) on the left, then the title, the day and the
    receiving unit centred over the table."""
    st = _styles()
    centre = data.centre
    left_width = FRAME_WIDTH * 0.4
    agency: list[Flowable] = [
        para(esc(text), fitted(text, style, left_width - 4))
        for text, style in ((centre.governing_body.upper(), st.head), (centre.centre_name.upper(), st.head_bold))
    ]
    agency += [Spacer(1, 3), HRFlowable(width="35%", thickness=0.7, color=colors.black)]
    block = Table([[agency, []]], colWidths=[left_width, FRAME_WIDTH - left_width])
    block.setStyle(PLAIN)
    block.setStyle([("ALIGN", (0, 0), (0, 0), "CENTER")])
    day = data.day
    return [
        block,
        Spacer(1, 4),
        para(REGISTER_TITLE, st.title),
        para(f"Ngày {day:%d} tháng {day:%m} năm {day:%Y}", st.subtitle),
        para(esc(f"Bộ phận tiếp nhận và trả kết quả: {centre.receiving_unit}"), st.subtitle),
        Spacer(1, 6),
    ]


def _numbered_canvas(running_line: str) -> type:
    """A canvas class that keeps each finished page until the document is saved, then draws the running
    line and "Trang x/y" at the foot of every page, when y is known."""
    regular = font_name(Weight.REGULAR)

    class NumberedCanvas(Canvas):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._finished: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._finished.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._finished)
            for state in self._finished:
                self.__dict__.update(state)
                self.saveState()
                self.setFont(regular, 7.5)
                self.setFillColor(colors.black)
                self.drawString(LEFT, BOTTOM * 0.45, running_line)
                self.drawRightString(PAGE_SIZE[0] - RIGHT, BOTTOM * 0.45, f"Trang {self._pageNumber}/{total}")
                self.restoreState()
                Canvas.showPage(self)
            Canvas.save(self)

    return NumberedCanvas


def register_pdf(data: RegisterData) -> bytes:
    """Sổ theo dõi hồ sơ of one day: the heading, the table of every entry (header row on every page),
    the count, and "Trang x/y" with the day at the foot of each page."""
    data = nfc(data)
    st = _styles()
    count = len(data.entries)
    story: list[Flowable] = [*_heading(data), _table(data.entries)]
    story.append(para(f"Tổng số hồ sơ tiếp nhận trong ngày: {count}", st.total))
    running = f"Sổ theo dõi hồ sơ ngày {data.day:%d/%m/%Y} – {data.centre.centre_name}"
    return build_pdf(
        story,
        pagesize=PAGE_SIZE,
        margins=(TOP, RIGHT, BOTTOM, LEFT),
        title=f"{REGISTER_TITLE} {data.day:%d/%m/%Y}",
        author=data.centre.centre_name,
        canvasmaker=_numbered_canvas(running),
    )
