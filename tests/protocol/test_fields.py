"""The shared field types (``counterapp.protocol.fields``): what each refuses, with which code, and what it
gives back (NFC text, UTC instants); every value that reached a database as a 500 in issue 15 is here."""

from __future__ import annotations

import math
import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Annotated, Any

import pytest
from pydantic import Field, TypeAdapter, ValidationError
from pydantic_core import PydanticCustomError

from counterapp.protocol.fields import (
    INT32_MAX,
    BirthDate,
    Day,
    Int32,
    Int64,
    Line,
    LocalTime,
    Moment,
    Secret,
    Text,
    check_json,
    storable,
)


def refusal(kind: Any, value: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        TypeAdapter(kind).validate_python(value)
    return str(caught.value.errors()[0]["type"])


@pytest.mark.parametrize(
    ("kind", "value", "code"),
    [(Line, "clerk\x00", "text.nul"), (Text, "a\x00", "text.nul"), (Secret, "\x00", "text.nul"),
     (Line, "k\ud800", "text.surrogate"), (Text, "\udfff", "text.surrogate"), (Secret, "\ud800", "text.surrogate"),
     (Line, "a\nb", "text.control_character"), (Line, "a\tb", "text.control_character"),
     (Line, "a\x1bb", "text.control_character"), (Text, "a\x07", "text.control_character"),
     (Text, "Nguy\x85n", "text.control_character"), (Line, 5, "string_type"), (Line, b"x", "string_type")],
)  # fmt: skip
def test_text_refuses_what_no_database_stores_and_control_characters(kind: Any, value: Any, code: str) -> None:
    assert refusal(kind, value) == code


def test_free_text_keeps_its_line_breaks_and_a_secret_is_never_changed() -> None:
    assert TypeAdapter(Text).validate_python("dòng 1\r\n\tdòng 2") == "dòng 1\r\n\tdòng 2"
    decomposed = unicodedata.normalize("NFD", "mật khẩu\x07")
    assert TypeAdapter(Secret).validate_python(decomposed) == decomposed  # its hash was made from these


def test_text_comes_out_in_nfc_and_its_length_is_counted_after() -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn")  # 9 code points, 6 in NFC
    assert TypeAdapter(Line).validate_python(decomposed) == "Nguyễn"
    assert TypeAdapter(Annotated[Line, Field(max_length=6)]).validate_python(decomposed) == "Nguyễn"
    assert refusal(Annotated[Line, Field(max_length=5)], decomposed) == "too_long"


@pytest.mark.parametrize(
    ("kind", "value", "code"),
    [(Int32, 2**31, "less_than_equal"), (Int32, -(2**31) - 1, "greater_than_equal"), (Int64, 2**63, "less_than_equal"),
     (Int32, "5", "int_type"), (Int32, 5.0, "int_type"), (Int32, True, "int_type"), (Int32, None, "int_type"),
     (Annotated[Int32, Field(ge=1)], 0, "greater_than_equal"),
     (Annotated[Int32, Field(ge=1)], 2**31, "less_than_equal")],
)  # fmt: skip
def test_integers_are_strict_and_fit_their_column(kind: Any, value: Any, code: str) -> None:
    assert refusal(kind, value) == code


def test_a_narrower_bound_keeps_the_column_s_other_bound() -> None:
    positive = TypeAdapter(Annotated[Int32, Field(ge=1)])
    assert positive.validate_python(INT32_MAX) == INT32_MAX
    assert TypeAdapter(Int64).validate_python(2**40) == 2**40


@pytest.mark.parametrize(
    "text",
    ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00", "1999-12-31T23:59:59+00:00",
     "2000-01-01T06:59:59+07:00", "2100-01-01T00:00:00+00:00", "2099-12-31T23:59:59-12:00"],
)  # fmt: skip
def test_instants_outside_2000_to_2099_in_utc_are_refused_without_overflowing(text: str) -> None:
    assert refusal(Moment, text) == "time.out_of_range"


def test_instants_come_out_in_utc() -> None:
    moment = TypeAdapter(Moment).validate_python("2000-01-01T07:00:00+07:00")
    assert moment == datetime(2000, 1, 1, tzinfo=UTC) and moment.utcoffset() == timedelta(0)
    late = TypeAdapter(Moment).validate_python(datetime(2099, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=1))))
    assert late == datetime(2099, 12, 31, 22, 59, tzinfo=UTC)
    assert refusal(Moment, "2026-03-16T09:00:00") == "timezone_aware"
    assert refusal(Moment, 1773653400) == "time.not_text"  # never a Unix timestamp
    assert refusal(Moment, "2026-03-16") == "timezone_aware"  # a day is midnight of no offset


def test_local_times_and_days_have_the_same_window() -> None:
    assert TypeAdapter(LocalTime).validate_python("2026-03-16T09:30:00") == datetime(2026, 3, 16, 9, 30)
    assert TypeAdapter(LocalTime).validate_python("2026-03-16T09:30:00+07:00").tzinfo is not None
    assert refusal(LocalTime, "0001-01-01T00:00:00") == "time.out_of_range"
    assert refusal(LocalTime, "9999-12-31T23:59:59-12:00") == "time.out_of_range"
    assert refusal(LocalTime, date(2026, 3, 16)) == "time.not_text"
    assert TypeAdapter(Day).validate_python("2026-03-16") == date(2026, 3, 16)
    assert refusal(Day, "1999-12-31") == "time.out_of_range"
    assert refusal(Day, 20260316) == "time.not_text"
    assert TypeAdapter(BirthDate).validate_python("1948-05-17") == date(1948, 5, 17)  # people born before 2000
    assert refusal(BirthDate, "0001-01-01") == "time.out_of_range"


@pytest.mark.parametrize(
    ("value", "code", "where"),
    [({"a": "x\x00"}, "text.nul", "payload.a"), ({"k\x00": 1}, "text.nul", "payload['k\ufffd']"),
     ({"\ud800": 1}, "text.surrogate", "payload['\ufffd']"), ({"a\nb": 1}, "text.control_character", "payload"),
     ({"a": [1, {"b": "\udfff"}]}, "text.surrogate", "payload.a[1].b"),
     ({"n": 2**64}, "json.number_out_of_range", "payload.n"), ({"f": math.nan}, "json.number_not_finite", "payload.f"),
     ({"f": -math.inf}, "json.number_not_finite", "payload.f"), ({"d": datetime(2026, 1, 1)}, "json.type", "payload.d"),
     ({1: 2}, "json.key_type", "payload")],
)  # fmt: skip
def test_json_that_cannot_be_stored_as_sent_is_found_and_placed(value: Any, code: str, where: str) -> None:
    with pytest.raises(PydanticCustomError) as caught:
        check_json(value)
    assert caught.value.type == code and where in caught.value.message()


def test_json_nested_too_deep_is_refused_and_ordinary_json_passes() -> None:
    deep: Any = "x"
    for _ in range(40):
        deep = [deep]
    with pytest.raises(PydanticCustomError) as caught:
        check_json({"d": deep})
    assert caught.value.type == "json.too_deep"
    check_json({"a": [1, 2.5, None, True, "Nguyễn\n\t", {"b": -(2**63)}], "ok": "x"})


def test_storable_replaces_only_what_cannot_be_stored() -> None:
    assert storable("payload['k\x00']: a\ud800 b\nc") == "payload['k\ufffd']: a\ufffd b\nc"
    assert storable("x" * 600) == "x" * 500
