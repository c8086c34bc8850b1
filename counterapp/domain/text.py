"""Text at the boundary: NFC normalisation, whitespace folding and diacritic-free search keys."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# đ/Đ are letters of their own, not d plus a combining mark, so NFD does not strip them.
_FOLD_EXTRA = str.maketrans({"đ": "d", "Đ": "d"})


def nfc(text: str) -> str:
    """Return ``text`` in Unicode NFC, the only form stored, compared and printed."""
    return unicodedata.normalize("NFC", text)


def clean(text: str) -> str:
    """NFC, with every run of whitespace (tabs, NBSP, newlines) folded to one space and ends trimmed."""
    return _SPACES.sub(" ", nfc(text)).strip()


def search_key(text: str) -> str:
    """Lower-case, diacritic-free form for matching: ``"Nguyễn Thị Tuyến"`` → ``"nguyen thi tuyen"``."""
    decomposed = unicodedata.normalize("NFD", text.translate(_FOLD_EXTRA))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()
