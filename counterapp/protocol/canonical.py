"""One byte form per value, for comparing a counter's mirror with the server (SYNC.md §3 R2, §2(e)).

``canonical_json``: keys sorted, no whitespace, UTF-8, strings (keys too) in Unicode NFC, times as ISO
8601 in UTC with ``Z``. A naive time is refused: which zone it meant is exactly what a hash must not
guess. ``canonical_hash``: SHA-256 of the rows' canonical forms, sorted, so row order does not matter.
"""

from __future__ import annotations

import hashlib
import json
import math
import unicodedata
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from pydantic import BaseModel


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, Enum):
        return _plain(value.value)
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("NaN and infinity have no canonical JSON form")
        return value
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()}: attach its time zone before hashing")
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, BaseModel):
        return _plain(value.model_dump(mode="python", by_alias=True))
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"canonical JSON keys are text, not {type(key).__name__}")
            name = unicodedata.normalize("NFC", key)
            if name in out:
                raise ValueError(f"two keys are the same text once normalised: {name!r}")
            out[name] = _plain(item)
        return out
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    raise TypeError(f"{type(value).__name__} has no canonical JSON form")


def canonical_json(obj: Any) -> bytes:
    """The canonical UTF-8 JSON of ``obj`` (see the module docstring)."""
    return json.dumps(_plain(obj), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def canonical_hash(rows: Iterable[Any]) -> str:
    """Hex SHA-256 of the sorted canonical rows, one per line: equal for the same multiset of rows."""
    digest = hashlib.sha256()
    for line in sorted(canonical_json(row) for row in rows):
        digest.update(line)
        digest.update(b"\n")
    return digest.hexdigest()
