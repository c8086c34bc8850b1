"""``counter.pause`` / ``counter.resume`` on the wire: the payload model is strict about the reason the
lead will read, and both are facts."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest

from counterapp.protocol import ops
from counterapp.protocol.messages import classify
from counterapp.protocol.payloads import CounterPauseV1, CounterResumeV1, UndecodableOp, decode_payload
from tests.counter import NOW

PAUSE = {"counter": "5", "reason": "Họp giao ban", "at": "2026-03-16T10:02:00"}
RESUME = {"counter": "5", "at": "2026-03-16T10:30:00"}


def test_a_pause_and_a_resume_decode_and_are_facts() -> None:
    pause = decode_payload("counter.pause", 1, PAUSE)
    assert isinstance(pause, CounterPauseV1) and (pause.counter, pause.reason) == ("5", "Họp giao ban")
    assert pause.at == NOW.replace(hour=10, minute=2)
    assert isinstance(decode_payload("counter.resume", 1, RESUME), CounterResumeV1)
    assert classify("counter.pause") == classify("counter.resume") == "fact"
    assert ops.ALL["counter.pause"].version == ops.ALL["counter.resume"].version == 1


@pytest.mark.parametrize(
    ("payload", "why"),
    [
        (PAUSE | {"reason": ""}, "reason: Value error, text.required"),
        (PAUSE | {"reason": "x" * 201}, "reason: Value error, text.too_long"),
        (PAUSE | {"reason": "Nghỉ\x00trưa"}, "reason: Value error, text.invalid_character"),
        (PAUSE | {"reason": "  Nghỉ  trưa"}, "reason: Value error, text.not_clean"),
        (PAUSE | {"reason": unicodedata.normalize("NFD", "Nghỉ trưa")}, "reason: Value error, text.not_clean"),
        (PAUSE | {"reason": "Gọi 0912345678"}, "reason: Value error, text.personal_data"),
        (PAUSE | {"reason": 42}, "reason: Input should be a valid string"),
        (PAUSE | {"reason": None}, "reason: Input should be a valid string"),
        ({k: v for k, v in PAUSE.items() if k != "reason"}, "reason: Field required"),
        (PAUSE | {"counter": ""}, "counter: String should have at least 1 character"),
        (PAUSE | {"at": 1773630120}, "at: expected an ISO 8601"),
    ],
)
def test_a_pause_with_a_bad_reason_is_undecodable_and_says_why_without_the_value(payload: Any, why: str) -> None:
    with pytest.raises(UndecodableOp) as caught:
        decode_payload("counter.pause", 1, payload)
    assert why in caught.value.reason
    assert "0912345678" not in caught.value.reason and "Nghỉ" not in caught.value.reason


def test_a_resume_carries_no_reason() -> None:
    with pytest.raises(UndecodableOp, match="reason: Extra inputs are not permitted"):
        decode_payload("counter.resume", 1, RESUME | {"reason": "Quay lại"})


def test_two_hundred_characters_are_a_valid_reason() -> None:
    assert len(decode_payload("counter.pause", 1, PAUSE | {"reason": "ạ" * 200}).reason) == 200  # type: ignore[attr-defined]
