"""The bundled Vietnamese fonts (Be Vietnam Pro, OFL), for reportlab and for Pillow."""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from pathlib import Path

from counterapp.datafiles.paths import resource


class Weight(StrEnum):
    REGULAR = "Regular"
    ITALIC = "Italic"
    SEMIBOLD = "SemiBold"
    BOLD = "Bold"


FAMILY = "BeVietnamPro"


def font_path(weight: Weight = Weight.REGULAR) -> Path:
    return resource(f"fonts/{FAMILY}-{weight.value}.ttf")


def font_name(weight: Weight = Weight.REGULAR) -> str:
    """The name the font is registered under in reportlab."""
    return f"{FAMILY}-{weight.value}"


@cache
def register_pdf_fonts() -> None:
    """Register every weight with reportlab once per process (about 8 ms)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for weight in Weight:
        pdfmetrics.registerFont(TTFont(font_name(weight), str(font_path(weight))))
    pdfmetrics.registerFontFamily(
        FAMILY,
        normal=font_name(Weight.REGULAR),
        bold=font_name(Weight.BOLD),
        italic=font_name(Weight.ITALIC),
        boldItalic=font_name(Weight.BOLD),
    )
