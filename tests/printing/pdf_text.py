"""Text of a rendered PDF, page by page, as two independent extractors see it: pypdf (content-stream
order) and poppler's ``pdftotext -layout`` (visual layout, columns side by side).

Matching rule: the needle and the text are both NFC-normalised and whitespace-folded, so a value that
wraps over lines still matches. In the layout text, a table cell or a column that wraps is interleaved
with its neighbours; :func:`layout_columns` rebuilds those columns (segments on consecutive lines that
start, or are centred, at the same character column) so the cell's text can be matched contiguously."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from functools import cache
from io import BytesIO

import pypdf
import pytest


def fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def pypdf_pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(BytesIO(pdf)).pages]


def poppler_pages(pdf: bytes, mode: str = "-layout") -> list[str]:
    if shutil.which("pdftotext") is None:
        pytest.fail("poppler's pdftotext is required (apt-get install poppler-utils)")
    done = subprocess.run(
        ["pdftotext", mode, "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True, timeout=30
    )
    pages = done.stdout.decode("utf-8").split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


SEGMENT = re.compile(r"\S+(?: \S+)*")  # a run of words separated by single spaces


def layout_columns(text: str, reach: int = 2) -> list[str]:
    """The columns of a layout page: segments on nearby lines (at most ``reach`` lines apart, as a
    neighbouring cell may take a line of its own in between) joined when they start at the same
    character column (left-aligned text) or are centred on the same one (centred cells)."""
    chains: list[list[str]] = []
    open_: list[tuple[int, int, float, list[str]]] = []  # (line, start, centre, chain), latest first
    for number, line in enumerate(text.splitlines()):
        current: list[tuple[int, int, float, list[str]]] = []
        for match in SEGMENT.finditer(line):
            start, centre = match.start(), (match.start() + match.end()) / 2
            chain = next(
                (c for n, s, m, c in open_ if number - n <= reach and (abs(s - start) <= 1 or abs(m - centre) <= 1.5)),
                None,
            )
            if chain is None:
                chain = []
                chains.append(chain)
            else:
                open_ = [entry for entry in open_ if entry[3] is not chain]
            chain.append(match.group())
            current.append((number, start, centre, chain))
        open_ = current + [entry for entry in open_ if number - entry[0] < reach]
    return [" ".join(chain) for chain in chains if len(chain) > 1]


@dataclass(frozen=True)
class Page:
    pypdf: str  # folded
    layout: str  # folded
    layout_raw: str
    pypdf_raw: str
    columns: tuple[str, ...]  # folded

    def has(self, needle: str) -> bool:
        """Found by both extractors."""
        return self.missing([needle]) == []

    def absent(self, needle: str) -> bool:
        """Found by neither extractor."""
        needle = fold(needle)
        return needle not in self.pypdf and needle not in self.layout and not any(needle in c for c in self.columns)

    def missing(self, needles: list[str]) -> list[str]:
        """The needles not found by both extractors, each prefixed with the extractor that missed it."""
        out = []
        for needle in map(fold, needles):
            if needle not in self.pypdf:
                out.append(f"pypdf: {needle}")
            if needle not in self.layout and not any(needle in column for column in self.columns):
                out.append(f"pdftotext: {needle}")
        return out


def page_of(pypdf_text: str, layout_text: str) -> Page:
    return Page(
        pypdf=fold(pypdf_text),
        layout=fold(layout_text),
        layout_raw=layout_text,
        pypdf_raw=pypdf_text,
        columns=tuple(fold(c) for c in layout_columns(layout_text)),
    )


def join(pages: list[Page]) -> Page:
    """Several pages read as one (one copy of a form that flows over pages)."""
    return Page(
        pypdf=" ".join(p.pypdf for p in pages),
        layout=" ".join(p.layout for p in pages),
        layout_raw="\n".join(p.layout_raw for p in pages),
        pypdf_raw="\n".join(p.pypdf_raw for p in pages),
        columns=tuple(c for p in pages for c in p.columns),
    )


@cache
def pages(pdf: bytes) -> tuple[Page, ...]:
    by_pypdf, by_poppler = pypdf_pages(pdf), poppler_pages(pdf)
    assert len(by_pypdf) == len(by_poppler), (len(by_pypdf), len(by_poppler))
    return tuple(page_of(a, b) for a, b in zip(by_pypdf, by_poppler, strict=True))


@cache
def stream_pages(pdf: bytes) -> tuple[Page, ...]:
    """Pages as pypdf and poppler's ``pdftotext -raw`` read them, both in content-stream order: for a dense
    table (the register's fifteen columns), where ``-layout`` runs neighbouring cells together on one line
    and no column can be rebuilt, while each cell's lines are still drawn one after the other."""
    by_pypdf, by_poppler = pypdf_pages(pdf), poppler_pages(pdf, "-raw")
    assert len(by_pypdf) == len(by_poppler), (len(by_pypdf), len(by_poppler))
    return tuple(page_of(a, b) for a, b in zip(by_pypdf, by_poppler, strict=True))


def whole(pdf: bytes) -> Page:
    return join(list(pages(pdf)))
