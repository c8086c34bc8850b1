"""Letters for the thermal layout: fonts, a glyph cache, measuring and word wrapping (no escpos).

Every string is NFC-normalised, then wrapped on words by measuring it with the font; a word wider than
its column is drawn smaller (down to ``MIN_SHRINK`` of the size) or, failing that, broken between
letters, so no line ever exceeds the width it was given.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from PIL import Image, ImageDraw, ImageFont

from counterapp.printing.fonts import Weight, font_path

Font = ImageFont.FreeTypeFont
MIN_SHRINK = 0.6  # a too-long word is drawn down to 60 % of its size before it is broken
# Letters reaching furthest above the cap height (stacked Vietnamese marks) and below the baseline.
_PROBE = "ẤẦẨẪẬẮẰẲẴẶẾỀỂỄỆỐỒỔỖỘỚỜỞỠỢỦỨỪỬỮỰỲỴỶỸỹỵgjpqy|"
_WORD = re.compile(r"\S+")
_freetype = threading.Lock()


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@dataclass(frozen=True, slots=True)
class Style:
    size: int
    weight: Weight = Weight.REGULAR

    @property
    def bold(self) -> Style:
        return Style(self.size, Weight.BOLD)

    def sized(self, size: int) -> Style:
        return Style(size, self.weight)


@cache
def font(style: Style) -> Font:
    """The loaded font for a style, cached for the life of the process."""
    return ImageFont.truetype(str(font_path(style.weight)), style.size, layout_engine=ImageFont.Layout.BASIC)


@cache
def extent(style: Style) -> tuple[int, int]:
    """(pixels above the baseline, pixels below it) that any Vietnamese line in this style may use."""
    f = font(style)
    with _freetype:
        ascent, descent = f.getmetrics()
        _, top, _, bottom = f.getbbox(_PROBE, anchor="ls")
    return max(ascent, -int(top)), max(descent, int(bottom))


@cache
def _glyph(char: str, style: Style) -> tuple[float, Image.Image | None, int, int]:
    """(advance, 1-bit ink mask or None for a blank, mask left, mask top) of one letter, rendered once.
    Rendering per glyph matters: FreeType hints every glyph on every Pillow call (≈ 10 µs to measure,
    50 µs to draw one Be Vietnam Pro letter), which made a receipt take 250 ms."""
    f = font(style)
    with _freetype:  # one FreeType face is shared by the threads that print
        advance = float(f.getlength(char))
        left, top, right, bottom = (int(v) for v in f.getbbox(char, anchor="ls"))
        if right <= left or bottom <= top:
            return advance, None, 0, 0
        left, top = left - 2, top - 2  # a little slack: the mono rasteriser may reach one pixel further
        mask = Image.new("1", (right - left + 2, bottom - top + 2), 0)
        draw = ImageDraw.Draw(mask)
        draw.fontmode = "1"
        draw.text((-left, -top), char, fill=1, font=f, anchor="ls")
    return advance, mask, left, top


@lru_cache(maxsize=8192)
def text_width(text: str, style: Style) -> float:
    """The advance width of ``text``: the sum of its letters' (no kerning, as Pillow's basic layout)."""
    return sum(_glyph(char, style)[0] for char in text)


@lru_cache(maxsize=4096)
def word_mask(word: str, style: Style) -> tuple[Image.Image | None, int, int]:
    """The ink of a whole word, composed from its glyphs at their advances: (mask, left, top) from the pen."""
    placed, pen = [], 0.0
    for char in word:
        advance, mask, left, top = _glyph(char, style)
        if mask is not None:
            placed.append((mask, round(pen) + left, top))
        pen += advance
    if not placed:
        return None, 0, 0
    left = min(x for _, x, _ in placed)
    top = min(y for _, _, y in placed)
    right = max(x + m.width for m, x, _ in placed)
    bottom = max(y + m.height for m, _, y in placed)
    out = Image.new("1", (right - left, bottom - top), 0)
    for mask, x, y in placed:
        out.paste(1, (x - left, y - top), mask)
    return out, left, top


def ink_box(text: str, style: Style) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the ink of ``text`` drawn with its baseline at y = 0."""
    mask, left, top = word_mask(text, style)
    if mask is None:
        return 0, 0, 0, 0
    inner = mask.getbbox() or (0, 0, 0, 0)
    return left + inner[0], top + inner[1], left + inner[2], top + inner[3]


@dataclass(frozen=True, slots=True)
class Run:
    x: float  # from the start of the line
    text: str  # one word (or a piece of one)
    style: Style


@dataclass(frozen=True, slots=True)
class Line:
    runs: tuple[Run, ...]
    width: float
    above: int  # pixels above the baseline
    below: int

    @property
    def height(self) -> int:
        return self.above + self.below


Segment = tuple[str, Style]  # a piece of text in one style; paragraphs mix them ("Địa chỉ: " bold + value)


def _make_line(runs: list[Run], tight: bool) -> Line:
    if tight:  # the ink of these very letters, not the tallest Vietnamese ones (the ticket number)
        boxes = [ink_box(r.text, r.style) for r in runs]
        above, below = max(-b[1] for b in boxes), max(b[3] for b in boxes)
    else:
        above = max(extent(r.style)[0] for r in runs)
        below = max(extent(r.style)[1] for r in runs)
    last = runs[-1]
    return Line(tuple(runs), last.x + text_width(last.text, last.style), above, below)


def _tokens(segments: Sequence[Segment]) -> list[tuple[str, Style, bool]]:
    """(word, style, preceded by a space) for every word of the segments, in order."""
    tokens: list[tuple[str, Style, bool]] = []
    space_pending = False
    for raw, style in segments:
        text = nfc(raw)
        end = 0
        for match in _WORD.finditer(text):
            space_pending = space_pending or match.start() > end
            tokens.append((match.group(), style, space_pending))
            space_pending, end = False, match.end()
        space_pending = space_pending or end < len(text)
    return tokens


def _fit(word: str, style: Style, width: float) -> list[tuple[str, Style]]:
    """A word wider than ``width``: the same word smaller, or else its pieces at the same size."""
    smallest = max(1, round(style.size * MIN_SHRINK))
    for size in range(style.size - 1, smallest - 1, -1):
        if text_width(word, style.sized(size)) <= width:
            return [(word, style.sized(size))]
    pieces: list[tuple[str, Style]] = []
    piece = ""
    for char in word:
        if piece and text_width(piece + char, style) > width:
            pieces.append((piece, style))
            piece = ""
        piece += char
    return [*pieces, (piece, style)]


def wrap(segments: Sequence[Segment], width: float, *, tight: bool = False) -> list[Line]:
    """Greedy word wrap of styled segments into lines no wider than ``width`` pixels. ``tight``: lines are
    as tall as their own ink instead of the tallest Vietnamese letter."""
    lines: list[Line] = []
    runs: list[Run] = []
    end = 0.0  # where the last run ends

    def flush() -> None:
        if runs:
            lines.append(_make_line(runs, tight))
            runs.clear()

    for word, style, spaced in _tokens(segments):
        word_width = text_width(word, style)
        if runs:
            x = end + (text_width(" ", style) if spaced else 0)
            if x + word_width <= width:
                runs.append(Run(x, word, style))
                end = x + word_width
                continue
            flush()
        if word_width <= width:
            runs.append(Run(0, word, style))
            end = word_width
            continue
        for piece, piece_style in _fit(word, style, width):
            flush()
            runs.append(Run(0, piece, piece_style))
            end = text_width(piece, piece_style)
    flush()
    return lines


def balanced_wrap(segments: Sequence[Segment], width: int, count: int, tight: bool) -> list[Line]:
    """The wrap into ``count`` lines with the narrowest measure (binary search; greedy wrapping only gets
    more lines as the measure narrows)."""
    low = max(text_width(word, style) for word, style, _ in _tokens(segments))
    best = wrap(segments, width, tight=tight)
    low_px, high_px = math.ceil(low), width
    while low_px < high_px:
        middle = (low_px + high_px) // 2
        lines = wrap(segments, middle, tight=tight)
        if len(lines) <= count:
            best, high_px = lines, middle
        else:
            low_px = middle + 1
    return best
