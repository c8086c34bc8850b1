"""Building blocks shared by the PDF forms: paper geometry, cached styles, the NFC guard, markup
escaping, the national header, the signature row, the documents table and the document build (the QR
and Code 128 flowables are in ``pdf_codes``). Every text reaching here is already NFC (see
:func:`nfc`); layouts never name a centre or a place: those come from the ``CentreProfile``."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, is_dataclass, replace
from enum import StrEnum
from functools import cache
from io import BytesIO
from typing import Any, TypeVar, cast
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4, A5
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph, Spacer, Table, TableStyle
from reportlab.platypus.flowables import HRFlowable

from counterapp.printing.centre import CentreProfile
from counterapp.printing.fonts import Weight, font_name, register_pdf_fonts
from counterapp.printing.model import DocumentLine

T = TypeVar("T")

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
SIGN_HINT = "(Ký và ghi rõ họ tên)"
BLANK = "…………………………"  # an empty field is left to be filled in by hand
GAP = "&nbsp;" * 6  # between two fields on one line


class Paper(StrEnum):
    A4 = "A4"
    A5 = "A5"


@dataclass(frozen=True, slots=True)
class Geometry:
    width: float
    height: float
    top: float
    right: float
    bottom: float
    left: float
    size: float  # body font size, pt
    qr: float  # QR code side
    bar: float  # Code 128 narrowest bar

    @property
    def frame_width(self) -> float:
        return self.width - self.left - self.right


GEOMETRY = {
    Paper.A4: Geometry(A4[0], A4[1], 20 * mm, 15 * mm, 20 * mm, 15 * mm, size=10.5, qr=24 * mm, bar=0.26 * mm),
    Paper.A5: Geometry(A5[0], A5[1], 12 * mm, 10 * mm, 12 * mm, 10 * mm, size=8, qr=19 * mm, bar=0.2 * mm),
}


def nfc(value: T) -> T:
    """``value`` with every string in it (nested dataclasses and tuples included) in NFC."""
    if isinstance(value, str):
        return cast(T, unicodedata.normalize("NFC", value))
    if isinstance(value, tuple):
        return cast(T, tuple(nfc(item) for item in value))
    if is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: nfc(getattr(value, f.name)) for f in fields(value) if f.init}
        return cast(T, replace(cast(Any, value), **changes))
    return value


def esc(text: str) -> str:
    """Plain text → Paragraph markup (``&``, ``<``, ``>`` escaped)."""
    return escape(text)


def labelled(label: str, value: str, *, bold: bool = True) -> str:
    """ "Label: <b>value</b>" as markup; an empty value becomes a dotted blank."""
    shown = esc(value) if value else BLANK
    return f"{esc(label)}: <b>{shown}</b>" if bold and value else f"{esc(label)}: {shown}"


@dataclass(frozen=True, slots=True)
class Styles:
    body: ParagraphStyle
    small: ParagraphStyle
    note: ParagraphStyle
    head: ParagraphStyle  # header lines, centred
    head_bold: ParagraphStyle
    place_date: ParagraphStyle
    title: ParagraphStyle
    subtitle: ParagraphStyle
    cell: ParagraphStyle
    cell_center: ParagraphStyle
    cell_head: ParagraphStyle
    sign_title: ParagraphStyle
    sign_hint: ParagraphStyle


@cache
def styles(paper: Paper) -> Styles:
    """The paragraph styles of one paper size, built once per process."""
    register_pdf_fonts()
    s = GEOMETRY[paper].size
    regular, bold, italic = font_name(Weight.REGULAR), font_name(Weight.BOLD), font_name(Weight.ITALIC)

    def style(name: str, *, size: float = s, font: str = regular, align: int = TA_LEFT, **kw: Any) -> ParagraphStyle:
        kw.setdefault("leading", size * 1.3)
        return ParagraphStyle(f"{paper}-{name}", fontName=font, fontSize=size, alignment=align, **kw)

    return Styles(
        body=style("body", spaceAfter=s * 0.25),
        small=style("small", size=s * 0.82),
        note=style("note", size=s * 0.82, font=italic, spaceBefore=s * 0.4),
        head=style("head", size=s * 0.95, align=TA_CENTER, leading=s * 1.2),
        head_bold=style("head-bold", size=s * 0.95, font=bold, align=TA_CENTER, leading=s * 1.2),
        place_date=style("place-date", font=italic, align=TA_CENTER),
        title=style("title", size=s * 1.25, font=bold, align=TA_CENTER, spaceBefore=s * 0.9, spaceAfter=s * 0.3),
        subtitle=style("subtitle", align=TA_CENTER),
        cell=style("cell", size=s * 0.9, leading=s * 1.12),
        cell_center=style("cell-center", size=s * 0.9, align=TA_CENTER, leading=s * 1.12),
        cell_head=style("cell-head", size=s * 0.85, font=bold, align=TA_CENTER, leading=s * 1.05),
        sign_title=style("sign-title", font=bold, align=TA_CENTER, leading=s * 1.2),
        sign_hint=style("sign-hint", size=s * 0.85, font=italic, align=TA_CENTER),
    )


def para(markup: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(markup, style)


PLAIN = TableStyle(
    [
        ("FONTNAME", (0, 0), (-1, -1), font_name(Weight.REGULAR)),  # not Helvetica, even for empty cells
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]
)


def fitted(text: str, style: ParagraphStyle, width: float, smallest: float = 0.78) -> ParagraphStyle:
    """``style``, or a smaller copy of it (down to ``smallest`` × its size) so that the one-line
    ``text`` fits in ``width``; a configured name longer than that still wraps."""
    needed = stringWidth(text, style.fontName, style.fontSize)
    if needed <= width:
        return style
    scale = max(smallest, width / needed * 0.99)
    return _scaled(style, round(scale, 3))


@cache
def _scaled(style: ParagraphStyle, scale: float) -> ParagraphStyle:
    return ParagraphStyle(
        f"{style.name}@{scale}", parent=style, fontSize=style.fontSize * scale, leading=style.leading * scale
    )


def header_block(centre: CentreProfile, place_date: str, paper: Paper, reference: str = "") -> Table:
    """H1 (agency, upper case, a short rule under it) | H2 (nation, underlined motto); H3 under H2;
    "Số: …" under H1 when ``reference`` is set (Mẫu 02)."""
    st, width = styles(paper), GEOMETRY[paper].frame_width
    left_width = width * 0.46
    left: list[Flowable] = [
        para(esc(text), fitted(text, style, left_width - 4))
        for text, style in ((centre.governing_body.upper(), st.head), (centre.centre_name.upper(), st.head_bold))
    ]
    left += [Spacer(1, 3), HRFlowable(width="35%", thickness=0.7, color=colors.black)]
    right: list[Flowable] = [para(NATION, st.head_bold), para(f"<u>{esc(MOTTO)}</u>", st.head_bold)]
    right.append(Spacer(1, 4))
    second_left = [para(f"Số: {esc(reference)}", st.head)] if reference else []
    table = Table(
        [[left, right], [second_left, [para(esc(place_date), st.place_date)]]],
        colWidths=[left_width, width - left_width],
    )
    table.setStyle(PLAIN)
    table.setStyle([("ALIGN", (0, 0), (-1, -1), "CENTER")])
    return table


def signature_row(blocks: Sequence[tuple[str, str]], paper: Paper) -> Table:
    """Signature blocks side by side: TITLE / (Ký và ghi rõ họ tên) / space / name."""
    st, geometry = styles(paper), GEOMETRY[paper]
    space = geometry.size * 5.2
    cells = [
        [
            para(esc(title), st.sign_title),
            para(SIGN_HINT, st.sign_hint),
            Spacer(1, space),
            para(esc(name), st.sign_title),
        ]
        for title, name in blocks
    ]
    count = max(len(cells), 2)
    if len(cells) == 1:  # a single signature sits on the right, as on the official forms
        cells.insert(0, [])
    table = Table([cells], colWidths=[geometry.frame_width / count] * count)
    table.setStyle(PLAIN)
    return table


DOCUMENT_HEADS = ("TT", "Tên giấy tờ", "Số lượng", "Bản chính", "Bản sao chứng thực", "Bản photo")


def _count(value: int) -> str:
    return f"{value:02d}" if value else ""


def documents_table(documents: Sequence[DocumentLine], paper: Paper, name_head: str = DOCUMENT_HEADS[1]) -> Table:
    """TT | name | Số lượng (Bản chính, Bản sao chứng thực, Bản photo); two header rows repeated on each
    page, names wrap inside their cell, rows never split."""
    st, geometry = styles(paper), GEOMETRY[paper]
    tt, count = geometry.size * 2.5, geometry.size * 4.6
    heads = [para(esc(text), st.cell_head) for text in (*DOCUMENT_HEADS[:1], name_head, *DOCUMENT_HEADS[2:])]
    rows: list[list[Any]] = [[*heads[:3], "", ""], ["", "", *heads[3:]]]
    for number, line in enumerate(documents, start=1):
        counts = (line.originals, line.certified_copies, line.photocopies)
        rows.append(
            [para(str(number), st.cell_center), para(esc(line.name), st.cell)]
            + [para(_count(value), st.cell_center) for value in counts]
        )
    table = Table(
        rows,
        colWidths=[tt, geometry.frame_width - tt - 3 * count, count, count, count],
        repeatRows=2,
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font_name(Weight.REGULAR)),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("SPAN", (0, 0), (0, 1)),
                ("SPAN", (1, 0), (1, 1)),
                ("SPAN", (2, 0), (4, 0)),
                ("VALIGN", (0, 0), (-1, 1), "MIDDLE"),
                ("VALIGN", (0, 2), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 1), colors.Color(0.93, 0.93, 0.93)),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


PageHook = Callable[[Any, BaseDocTemplate], None]


def build_pdf(
    story: list[Flowable],
    *,
    pagesize: tuple[float, float],
    margins: tuple[float, float, float, float],
    title: str,
    author: str,
    on_page_end: PageHook | None = None,
    canvasmaker: Any = None,
) -> bytes:
    """Lay ``story`` out on pages of ``pagesize`` (margins top, right, bottom, left) and return the PDF.
    Deterministic: the same input gives the same bytes. Only the bundled fonts are used, including the
    canvas's initial font. ``canvasmaker`` replaces reportlab's canvas class, for what can only be drawn
    once every page is laid out ("Trang x/y")."""
    register_pdf_fonts()
    top, right, bottom, left = margins
    out = BytesIO()
    doc = BaseDocTemplate(
        out,
        pagesize=pagesize,
        topMargin=top,
        rightMargin=right,
        bottomMargin=bottom,
        leftMargin=left,
        title=title,
        author=author,
        creator="counterapp",
        invariant=1,
        initialFontName=font_name(Weight.REGULAR),
        lang="vi-VN",
    )
    frame = Frame(
        left,
        bottom,
        pagesize[0] - left - right,
        pagesize[1] - top - bottom,
        id="body",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    doc.addPageTemplates([PageTemplate("page", frames=[frame], onPageEnd=on_page_end or _nothing)])
    if canvasmaker is None:
        doc.build(story)
    else:
        doc.build(story, canvasmaker=canvasmaker)
    return out.getvalue()


def _nothing(canv: Any, doc: BaseDocTemplate) -> None:  # noqa: ARG001
    return None
