"""The canonical JSON used to compare a counter's mirror with the server (SYNC.md §3 R2)."""

from __future__ import annotations

import unicodedata
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from counterapp.domain.ticket import TicketState
from counterapp.protocol.canonical import canonical_hash, canonical_json
from counterapp.protocol.messages import GapProblem

ICT = timezone(timedelta(hours=7))
NFC_NAME = unicodedata.normalize("NFC", "Nguyễn Thị Tuyến")
NFD_NAME = unicodedata.normalize("NFD", "Nguyễn Thị Tuyến")


def row(**overrides: Any) -> dict[str, Any]:
    return {"id": "A001", "name": NFC_NAME, "at": datetime(2026, 3, 16, 9, tzinfo=ICT), "n": 1, **overrides}


def test_the_form_is_compact_sorted_nfc_and_utc() -> None:
    assert NFC_NAME != NFD_NAME
    value = {"b": [1, 2.5, None, True], "a": NFD_NAME, "t": datetime(2026, 3, 16, 9, tzinfo=ICT),
             "d": date(2026, 3, 16), "u": uuid.UUID(int=1), "s": TicketState.CALLED}  # fmt: skip
    expected = ('{"a":"' + NFC_NAME + '","b":[1,2.5,null,true],"d":"2026-03-16","s":"called",'
                '"t":"2026-03-16T02:00:00Z","u":"00000000-0000-0000-0000-000000000001"}')  # fmt: skip
    assert canonical_json(value) == expected.encode("utf-8")


def test_the_form_does_not_depend_on_order_normalisation_or_zone() -> None:
    one = {"name": NFC_NAME, "at": datetime(2026, 3, 16, 2, tzinfo=UTC), "tags": ["x"]}
    other = {"tags": ("x",), "at": datetime(2026, 3, 16, 9, tzinfo=ICT), unicodedata.normalize("NFD", "name"): NFD_NAME}
    assert canonical_json(one) == canonical_json(other)
    assert canonical_json({NFD_NAME: 1}) == canonical_json({NFC_NAME: 1})
    gap = b'{"code":"sync.gap","detail":"","expected_seq":3,"status":409}'
    assert canonical_json(GapProblem(expected_seq=3)) == gap


@pytest.mark.parametrize(
    "value",
    [datetime(2026, 3, 16, 9), float("nan"), float("inf"), {1: "x"}, {NFC_NAME: 1, NFD_NAME: 2}, {"x": object()}],
)
def test_values_without_one_canonical_form_are_refused(value: Any) -> None:
    with pytest.raises((TypeError, ValueError)):
        canonical_json(value)


def test_the_hash_ignores_row_order_and_changes_with_any_field() -> None:
    rows = [row(), row(id="A002", n=2), row(id="A003", name=None)]
    digest = canonical_hash(rows)
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert canonical_hash(reversed(rows)) == digest
    assert canonical_hash([row(name=NFD_NAME), rows[1], rows[2]]) == digest
    assert canonical_hash([row(n=2), rows[1], rows[2]]) != digest
    assert canonical_hash([row(at=datetime(2026, 3, 16, 9, 0, 1, tzinfo=ICT)), rows[1], rows[2]]) != digest
    assert canonical_hash(rows[:2]) != digest
    assert canonical_hash([*rows, rows[0]]) != digest  # a duplicated row is a difference
    assert canonical_hash([]) != canonical_hash([{}])
