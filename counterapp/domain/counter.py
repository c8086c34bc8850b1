"""A counter's working status and the reason a clerk gives for a pause.

The status is what a shift lead and the centre's boards see: ``open`` (calling tickets), ``paused`` (the
clerk stepped away or is busy, with a reason) or ``closed`` (set by the lead only). The reason is free text
typed at the counter and shown to the lead, so it is kept short and must not carry personal data: a run
of nine or more digits (a phone, CCCD or CMND number, even grouped with spaces or dots) is refused — the
only kind of personal data a rule can recognise in free text. Pure: the counter's service and the sync
payload model share this one rule.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from counterapp.domain.errors import ValidationFailed
from counterapp.domain.text import clean

MAX_PAUSE_REASON = 200  # the same limit the lead's own pause has (server ``lead.MAX_PAUSE_REASON``)

# nine or more digits, possibly grouped by single spaces or dots: "0912 345 678", "001.090.012.345"
_ID_LIKE = re.compile(r"\d(?:[ .]?\d){8,}")
_CONTROL = frozenset({"Cc", "Cs", "Co", "Cn"})  # NUL and other controls, surrogates, unassigned


class CounterStatus(StrEnum):
    OPEN = "open"
    PAUSED = "paused"
    CLOSED = "closed"


def pause_reason_problem(text: str) -> str | None:
    """Why ``text``, already cleaned, is not an acceptable pause reason (a stable code), or ``None``."""
    if not text:
        return "text.required"
    if len(text) > MAX_PAUSE_REASON:
        return "text.too_long"
    if any(unicodedata.category(ch) in _CONTROL for ch in text):
        return "text.invalid_character"
    if _ID_LIKE.search(text):
        return "text.personal_data"
    return None


def pause_reason(text: str) -> str:
    """The reason as stored and sent: NFC, whitespace folded, 1–200 characters, no control characters, no
    number that looks like a phone or ID number. Raises ``ValidationFailed`` on field ``reason``."""
    cleaned = clean(text)
    problem = pause_reason_problem(cleaned)
    if problem is not None:
        params = {"max_length": MAX_PAUSE_REASON} if problem == "text.too_long" else {}
        raise ValidationFailed.single("reason", problem, **params)
    return cleaned
