"""Text → 1-bit Pillow images for thermal printers (no Qt, no escpos).

A :class:`Sheet` stacks paragraphs, label/value rows, tables, rules and pictures top to bottom on a
fixed pixel width and renders them to one mode-"1" image (0 = ink). The letters are measured and
wrapped by :mod:`counterapp.printing.textlayout`, so no line is wider than its column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from PIL import Image

from counterapp.printing.textlayout import (
    Line,
    Segment,
    Style,
    balanced_wrap,
    nfc,
    text_width,
    word_mask,
    wrap,
)

__all__ = ["Align", "Cell", "Segment", "Sheet", "Style", "fragments", "nfc", "qr_image", "stack", "text_width", "wrap"]

Align = Literal["left", "center", "right"]
LEADING = 3  # extra pixels between wrapped lines


@dataclass(frozen=True, slots=True)
class Cell:
    segments: tuple[Segment, ...]
    align: Align = "left"

    @classmethod
    def of(cls, text: str, style: Style, align: Align = "left") -> Cell:
        return cls(((text, style),), align)


@dataclass
class Sheet:
    """A strip of paper being laid out; :meth:`render` draws it."""

    width: int
    margin: int = 8
    y: int = 0
    _texts: list[tuple[int, int, str, Style]] = field(default_factory=list)  # x, baseline, text, style
    _boxes: list[tuple[int, int, int, int]] = field(default_factory=list)
    _pictures: list[tuple[Image.Image, int, int]] = field(default_factory=list)

    @property
    def inner(self) -> int:
        return self.width - 2 * self.margin

    def space(self, pixels: int) -> None:
        self.y += pixels

    def _place(self, lines: Sequence[Line], left: int, width: int, align: Align, top: int) -> int:
        """Queue the lines in the column [left, left + width); return the y below them."""
        y = top
        for line in lines:
            slack = width - line.width
            x = left + (slack if align == "right" else slack / 2 if align == "center" else 0)
            baseline = y + line.above
            self._texts.extend((round(x + run.x), baseline, run.text, run.style) for run in line.runs)
            y += line.height + LEADING
        return y - LEADING if lines else y

    def paragraph(
        self,
        segments: Sequence[Segment],
        align: Align = "left",
        indent: int = 0,
        *,
        balance: bool = False,
        tight: bool = False,
    ) -> None:
        """Wrapped text. ``balance``: the lines are made as even as possible (titles), not greedy-full."""
        width = self.inner - indent
        lines = wrap(segments, width, tight=tight)
        if balance and len(lines) > 1:
            lines = balanced_wrap(segments, width, len(lines), tight)
        self.y = self._place(lines, self.margin + indent, width, align, self.y) + LEADING

    def text(
        self, text: str, style: Style, align: Align = "left", *, balance: bool = False, tight: bool = False
    ) -> None:
        self.paragraph([(text, style)], align, balance=balance, tight=tight)

    def label_value(
        self, label: str, value: str, style: Style, *, label_width: int | None = None, indent: int = 24
    ) -> None:
        """ "Label: value". ``label_width`` None: the value runs on after the bold label and wraps under it,
        except that a value fitting on one line of its own is not split: it then goes on the next line,
        indented. A width: two columns, the label wrapped in the left one and the value in the right one."""
        if label_width is None:
            alone = text_width(nfc(value), style)
            if text_width(f"{nfc(label)} ", style.bold) + alone > self.inner and alone <= self.inner:
                self.paragraph([(label, style.bold)])
                self.paragraph([(value, style)], indent=indent if alone <= self.inner - indent else 0)
            else:
                self.paragraph([(f"{label} ", style.bold), (value, style)])
        else:
            self.row([Cell.of(label, style.bold), Cell.of(value, style)], [label_width, self.inner - label_width])

    def row(self, cells: Sequence[Cell], widths: Sequence[int], padding: int = 0) -> tuple[int, int]:
        """Cells side by side (column widths in pixels, summing to at most ``inner``), their first lines on
        one baseline; returns (top, bottom)."""
        top, bottom, left = self.y, self.y, self.margin
        wrapped = [wrap(cell.segments, width - 2 * padding) for cell, width in zip(cells, widths, strict=True)]
        first = max((lines[0].above for lines in wrapped if lines), default=0)
        for cell, width, lines in zip(cells, widths, wrapped, strict=True):
            down = first - lines[0].above if lines else 0
            bottom = max(bottom, self._place(lines, left + padding, width - 2 * padding, cell.align, top + down))
            left += width
        self.y = bottom + LEADING
        return top, bottom

    def table(
        self,
        header: Sequence[Cell],
        rows: Sequence[Sequence[Cell]],
        widths: Sequence[int],
        *,
        padding: int = 3,
        gap: int = 6,
    ) -> None:
        """A header row, a rule, then the rows separated by thin dotted rules."""
        self.row(header, widths, padding)
        self.rule(2)
        for index, cells in enumerate(rows):
            if index:
                self.rule(1, dotted=True)
            self.space(gap // 2)
            self.row(cells, widths, padding)
        self.rule(2)

    def rule(self, thickness: int = 2, *, dotted: bool = False, gap: int = 6) -> None:
        top = self.y + gap // 2
        right = self.width - self.margin
        if dotted:
            self._boxes.extend((x, top, min(x + 3, right), top + thickness) for x in range(self.margin, right, 8))
        else:
            self._boxes.append((self.margin, top, right, top + thickness))
        self.y = top + thickness + gap // 2

    def picture(self, image: Image.Image, align: Align = "center") -> None:
        slack = self.inner - image.width
        x = self.margin + (slack if align == "right" else slack // 2 if align == "center" else 0)
        self._pictures.append((image, max(0, x), self.y))
        self.y += image.height

    def placements(self) -> list[tuple[int, int, str, Style]]:
        """Every word laid out so far: (x of its pen, y of its baseline, word, style)."""
        return list(self._texts)

    def render(self, bottom_padding: int = 0) -> Image.Image:
        image = Image.new("1", (self.width, max(1, self.y + bottom_padding)), 1)
        for box in self._boxes:
            image.paste(0, box)
        for x, baseline, text, style in self._texts:
            mask, left, top = word_mask(text, style)
            if mask is not None:
                image.paste(0, (x + left, baseline + top), mask)
        for picture, x, y in self._pictures:
            image.paste(picture.convert("1"), (x, y))
        return image


def qr_image(payload: str, module_px: int, *, quiet_modules: int = 0) -> Image.Image:
    """The QR code (error correction M) as a 1-bit image, ``module_px`` dots per module."""
    import qrcode
    import qrcode.constants

    code = qrcode.QRCode(border=quiet_modules, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(payload)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix)
    modules = Image.frombytes("L", (size, size), bytes(0 if dark else 255 for row in matrix for dark in row))
    return modules.resize((size * module_px, size * module_px), Image.Resampling.NEAREST).convert("1")


def fragments(image: Image.Image, height: int = 960) -> list[Image.Image]:
    """The image cut into strips at most ``height`` rows tall (python-escpos' GS v 0 fragment size)."""
    return [
        image.crop((0, top, image.width, min(top + height, image.height))) for top in range(0, image.height, height)
    ]


def stack(images: Sequence[Image.Image]) -> Image.Image:
    """The images one under the other (for previews), in mode "L"."""
    out = Image.new("L", (max(i.width for i in images), sum(i.height for i in images)), 255)
    y = 0
    for image in images:
        out.paste(image.convert("L"), (0, y))
        y += image.height
    return out
