"""QR code and Code 128 flowables for the PDF forms (reportlab's own encoders, no extra dependency)."""

from __future__ import annotations

from functools import cache
from typing import cast

from reportlab.graphics.barcode import qrencoder
from reportlab.graphics.barcode.code128 import Code128Auto
from reportlab.lib import colors
from reportlab.platypus import Flowable

from counterapp.printing.pdf_common import GEOMETRY, Paper


class QrFlowable(Flowable):  # type: ignore[misc]
    """A QR code (reportlab's encoder, error correction M), encoded once however often it is drawn."""

    def __init__(self, value: str, side: float, border: int = 2) -> None:
        super().__init__()
        self.value, self.side, self.border = value, side, border
        self.modules = _qr_modules(value)
        self.hAlign = "CENTER"

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.side, self.side

    def draw(self) -> None:
        count = len(self.modules) + 2 * self.border
        box = self.side / count
        path = self.canv.beginPath()
        for r, row in enumerate(self.modules):
            c = 0
            while c < len(row):
                if row[c]:
                    start = c
                    while c < len(row) and row[c]:
                        c += 1
                    x, y = (start + self.border) * box, self.side - (r + self.border + 1) * box
                    path.rect(x, y, (c - start) * box, box * 1.02)
                c += 1
        self.canv.setFillColor(colors.black)
        self.canv.drawPath(path, stroke=0, fill=1)


@cache
def _qr_modules(value: str) -> tuple[tuple[bool, ...], ...]:
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(value)
    code.make()
    return tuple(tuple(bool(m) for m in row) for row in code.modules)


def code128(value: str, paper: Paper, max_width: float) -> Flowable | None:
    """A Code 128 of ``value`` (no human-readable line: the code is printed as text), or None when it
    would not fit in ``max_width`` or holds characters Code 128 cannot carry."""
    if not value or not value.isascii() or not value.isprintable():
        return None
    geometry = GEOMETRY[paper]
    bar = Code128Auto(value, barWidth=geometry.bar, barHeight=geometry.size * 2.2, humanReadable=0, quiet=0)
    if bar.width > max_width:
        return None
    bar.hAlign = "CENTER"
    return cast(Flowable, bar)
