"""The field types every input goes through before it reaches a database: the sync messages and op
payloads (``counterapp.protocol``) and the server's request models use these, never a bare ``str``/``int``/
``datetime``, so each rule below lives in one place (issue 15, point 1).

Why each rule: PostgreSQL refuses a NUL in text (and a ``\\u0000`` in JSONB), no database driver can encode
a lone surrogate as UTF-8, a Python ``int`` past a 32-bit ``Integer`` column is "integer out of range",
and a datetime near year 1 or 9999 overflows when it is moved to UTC. Each of those used to reach the
database and come back as a 500 (and, in a pushed op, stopped that counter's sync for good). Here they
are refused as 422 naming the field (``counterapp.server.errors``), or, inside a pushed op, the op is
quarantined with that reason (``counterapp.server.services.quarantine``).

* **Text** — :data:`Line` (a name, code, username: no control character at all) and :data:`Text` (free
  text: tabs and line breaks allowed). Both refuse NUL and lone surrogates and come out in NFC, the only
  form stored and compared (``counterapp.domain.text``). A length given with them (``Annotated[Line,
  Field(max_length=40)]``) is checked on the NFC text, so it still fits its column (codes ``too_short``,
  ``too_long``).
  :data:`Secret` (a password) refuses only NUL and surrogates and is never normalised: its hash was made
  from the exact characters typed. These three run a Python check per field and name the rule precisely:
  the server's request models use them. The hot path — an op's fields and its payload's, thousands per
  push — uses :func:`line` / :func:`text` instead, the same character rules as patterns pydantic-core
  checks natively (``string_pattern_mismatch``; a lone surrogate ``string_unicode``), without
  normalising: a payload is stored as the counter wrote it, and its services wrote it in NFC.
* **Integers** — :data:`Int32` / :data:`Int64`: strict (``"5"``, ``5.0`` and ``true`` are not numbers) and
  bounded to their column (``Integer`` / ``BigInteger``); narrow them further with ``Field(ge=…, le=…)``.
* **Times** — :data:`Moment` (an instant with its offset: an op's wall and corrected time) is bounded to
  :data:`EARLIEST`–:data:`LATEST` *before* it is converted, then converted to UTC;
  :data:`LocalTime` (a payload's time, naive = the centre's local time) and :data:`Day` are bounded the
  same way; :data:`BirthDate` reaches back to 1900. Only ISO 8601 text is read as a time (a number is
  never taken for a Unix timestamp).
* **JSON** — :func:`check_json`: whether decoded JSON of any shape (an op's payload as sent) can be
  stored as it is (``op_log.payload``). A payload its kind's typed model read is storable by construction
  (every field of ``counterapp.protocol.payloads`` is one of the types above; unknown keys are refused);
  this walk is for the payloads no model vouched for.

Error types are stable codes (``text.nul``, ``text.surrogate``, ``text.control_character``,
``time.out_of_range``, ``json.number_out_of_range``…, plus pydantic's own ``int_type``,
``less_than_equal``…); messages never repeat the refused value (it may be personal data).
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime
from typing import Annotated, Any, Final

from pydantic import (
    AfterValidator,
    Field,
    PlainSerializer,
    PlainValidator,
    Strict,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

__all__ = [
    "BIRTHS_FROM",
    "EARLIEST",
    "INT32_MAX",
    "INT32_MIN",
    "INT64_MAX",
    "INT64_MIN",
    "LATEST",
    "LINE_PATTERN",
    "MAX_JSON_DEPTH",
    "PATTERN_MESSAGES",
    "TEXT_PATTERN",
    "BirthDate",
    "Day",
    "Int32",
    "Int64",
    "Line",
    "LocalTime",
    "Moment",
    "Secret",
    "Text",
    "check_json",
    "line",
    "line_problem",
    "storable",
    "text",
    "text_problem",
]

INT32_MIN: Final = -(2**31)
INT32_MAX: Final = 2**31 - 1
INT64_MIN: Final = -(2**63)
INT64_MAX: Final = 2**63 - 1
# Every time the counter or a person may send: the service did not exist before 2000, and 2100 is far
# enough for any appointment. Checked on the year first (``_in_window``), so the conversion to UTC that
# follows can never overflow.
EARLIEST: Final = datetime(2000, 1, 1, tzinfo=UTC)
LATEST: Final = datetime(2100, 1, 1, tzinfo=UTC)
BIRTHS_FROM: Final = date(1900, 1, 1)  # a person's date of birth is the one day before EARLIEST
MAX_JSON_DEPTH: Final = 32
_NAIVE_EARLIEST, _NAIVE_LATEST = EARLIEST.replace(tzinfo=None), LATEST.replace(tzinfo=None)
_BREAKS = frozenset("\t\n\r")


# --- text -----------------------------------------------------------------------------------------


def text_problem(value: str, *, breaks: bool = True) -> str | None:
    """Why ``value`` cannot be stored as text (a stable code), or ``None``. ``breaks``: tabs and line
    breaks are allowed (free text); other control characters never are."""
    if "\x00" in value:
        return "text.nul"
    if value.isascii():  # the common case, without a look at each character
        if value.isprintable():
            return None
        bad = (ch for ch in value if not ch.isprintable() and not (breaks and ch in _BREAKS))
        return "text.control_character" if next(bad, None) is not None else None
    for ch in value:
        category = unicodedata.category(ch)
        if category == "Cs":
            return "text.surrogate"
        if category == "Cc" and not (breaks and ch in _BREAKS):
            return "text.control_character"
    return None


def line_problem(value: str) -> str | None:
    """:func:`text_problem` for one line: no tab or line break either."""
    return text_problem(value, breaks=False)


_MESSAGES = {
    "text.nul": "a NUL character is not allowed",
    "text.surrogate": "a lone surrogate is not text",
    "text.control_character": "a control character is not allowed here",
}


def _refuse(code: str) -> PydanticCustomError:
    return PydanticCustomError(code, _MESSAGES[code])


def _nfc(value: str, problem: str | None) -> str:
    if problem is not None:
        raise _refuse(problem)
    return value if value.isascii() else unicodedata.normalize("NFC", value)


def _line(value: str) -> str:
    return _nfc(value, line_problem(value))


def _text(value: str) -> str:
    return _nfc(value, text_problem(value))


def _secret(value: str) -> str:
    problem = text_problem(value)
    if problem in ("text.nul", "text.surrogate"):
        raise _refuse(problem)
    return value


Line = Annotated[str, Strict(), AfterValidator(_line)]
Text = Annotated[str, Strict(), AfterValidator(_text)]
Secret = Annotated[str, Strict(), AfterValidator(_secret)]

# The same rules as patterns pydantic-core checks natively, for the hot path: an op's fields and its
# payload's (a 200-op push checks thousands of strings; a Python call per field cost a tenth of the push).
# A lone surrogate never gets that far: pydantic-core refuses it as any constrained text (string_unicode).
LINE_PATTERN: Final = r"^[^\x00-\x1f\x7f-\x9f]*$"  # no C0 or C1 control character, nor DEL
TEXT_PATTERN: Final = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"  # tabs and line breaks allowed
PATTERN_MESSAGES: Final = {
    LINE_PATTERN: "a NUL or another control character is not allowed",
    TEXT_PATTERN: "a NUL or another control character (but a tab or line break) is not allowed",
}


def line(max_length: int, *, min_length: int = 0) -> StringConstraints:
    """``Annotated[str, line(40)]``: one line of at most ``max_length`` characters, checked natively as
    :data:`Line` is (without its NFC normalisation)."""
    return StringConstraints(strict=True, min_length=min_length, max_length=max_length, pattern=LINE_PATTERN)


def text(max_length: int, *, min_length: int = 0) -> StringConstraints:
    """``Annotated[str, text(1000)]``: free text, checked natively as :data:`Text` is (not normalised)."""
    return StringConstraints(strict=True, min_length=min_length, max_length=max_length, pattern=TEXT_PATTERN)


def storable(value: str, limit: int = 500) -> str:
    """``value`` made safe to store and show, for text the server writes itself from what it was sent
    (a quarantine reason naming a field): any character :func:`text_problem` refuses becomes U+FFFD."""
    if text_problem(value) is not None:
        value = "".join("\ufffd" if text_problem(ch) else ch for ch in value)
    return value[:limit]


# --- integers ---------------------------------------------------------------------------------------

Int32 = Annotated[int, Strict(), Field(ge=INT32_MIN, le=INT32_MAX)]
Int64 = Annotated[int, Strict(), Field(ge=INT64_MIN, le=INT64_MAX)]


# --- times ------------------------------------------------------------------------------------------


def _not_text() -> PydanticCustomError:  # no Unix timestamps or other numbers taken as times
    return PydanticCustomError("time.not_text", "expected an ISO 8601 date or time as text")


def _out_of_range() -> PydanticCustomError:
    return PydanticCustomError(
        "time.out_of_range", "a time from {earliest} to {latest} is expected", {"earliest": "2000", "latest": "2099"}
    )


def _in_window(value: datetime) -> datetime:
    """``value`` itself (naive or aware) if it lies in the window. Its year is checked first: within a
    year of the window no offset (at most a day) can take it past year 1 or 9999, so neither the exact
    comparison (aware times compare in UTC) nor a later conversion to UTC can overflow."""
    if not EARLIEST.year - 1 <= value.year <= LATEST.year:
        raise _out_of_range()
    if not (_NAIVE_EARLIEST <= value < _NAIVE_LATEST if value.tzinfo is None else EARLIEST <= value < LATEST):
        raise _out_of_range()
    return value


def _datetime(value: Any) -> datetime:
    """An ISO 8601 time (``datetime.fromisoformat``: one C call, where pydantic's parser and the checks
    around it were three Python calls per time), or a ``datetime`` given in Python."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise _not_text()
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("datetime_parsing", "expected an ISO 8601 time") from None


def _local_time(value: Any) -> datetime:
    return _in_window(_datetime(value))


def _moment(value: Any) -> datetime:
    moment = _datetime(value)
    if moment.tzinfo is None:
        raise PydanticCustomError("timezone_aware", "Input should have timezone info")
    return _in_window(moment).astimezone(UTC)


def _date(value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise _not_text()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("date_parsing", "expected an ISO 8601 date") from None


def _day(value: Any) -> date:
    day = _date(value)
    if not EARLIEST.date() <= day < LATEST.date():
        raise _out_of_range()
    return day


def _birth_date(value: Any) -> date:
    day = _date(value)
    if not BIRTHS_FROM <= day < LATEST.date():
        raise PydanticCustomError("time.out_of_range", "a date of birth from 1900 to 2099 is expected")
    return day


def _iso(value: date) -> str:
    """A time or date as JSON text, exactly as pydantic writes a plain ``datetime``/``date`` (UTC as ``Z``).
    Said explicitly: with a plain validator, pydantic checks the JSON text against the ``datetime`` schema
    and warns (an error under the tests' warning filter)."""
    iso = value.isoformat()
    return iso[:-6] + "Z" if iso.endswith("+00:00") else iso


_TIME_SCHEMA = {"type": "string", "format": "date-time"}
_DAY_SCHEMA = {"type": "string", "format": "date"}
# A payload's times and dates are written with the C methods themselves (no Python frame: a push dumps
# three per dossier); a payload's time is the centre's local time without an offset, where they agree.
_TIME_AS_TEXT = PlainSerializer(datetime.isoformat, return_type=str, when_used="json")
_DAY_AS_TEXT = PlainSerializer(date.isoformat, return_type=str, when_used="json")
Moment = Annotated[
    datetime,
    PlainValidator(_moment),
    PlainSerializer(_iso, return_type=str, when_used="json"),
    WithJsonSchema(_TIME_SCHEMA | {"examples": ["2026-03-16T09:00:00+07:00"]}),
]
# naive (the centre's local time) or with an offset
LocalTime = Annotated[datetime, PlainValidator(_local_time), _TIME_AS_TEXT, WithJsonSchema(_TIME_SCHEMA)]
Day = Annotated[date, PlainValidator(_day), _DAY_AS_TEXT, WithJsonSchema(_DAY_SCHEMA)]
BirthDate = Annotated[date, PlainValidator(_birth_date), _DAY_AS_TEXT, WithJsonSchema(_DAY_SCHEMA)]


# --- JSON -------------------------------------------------------------------------------------------


def _json_error(code: str, message: str, where: str) -> PydanticCustomError:
    return PydanticCustomError(code, message + " at {where}", {"where": where})


def _key(where: str, key: str) -> str:
    shown = storable(key, 40)
    return f"{where}.{shown}" if shown.isidentifier() else f"{where}[{shown!r}]"


def check_json(value: Any, where: str = "payload", depth: int = 0) -> None:
    """Raise ``PydanticCustomError`` (code ``text.*`` or ``json.*``; the place in the message, never the
    value) unless ``value`` is decoded JSON every database can store as it is: keys are one-line text,
    strings hold no NUL or lone surrogate, numbers are finite and within 64 bits, nesting is at most
    :data:`MAX_JSON_DEPTH` deep. A walk in Python (tens of µs for a dossier's payload): the server runs it
    only on payloads no typed model vouched for (``counterapp.server.services.quarantine``)."""
    if isinstance(value, str):
        problem = text_problem(value)
        if problem in ("text.nul", "text.surrogate"):
            raise _json_error(problem, _MESSAGES[problem], where)
    elif value is None or isinstance(value, bool):
        return
    elif isinstance(value, int):
        if not INT64_MIN <= value <= INT64_MAX:
            raise _json_error("json.number_out_of_range", "an integer beyond 64 bits", where)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise _json_error("json.number_not_finite", "NaN or an infinity is not a JSON number", where)
    elif depth >= MAX_JSON_DEPTH:
        raise _json_error("json.too_deep", f"more than {MAX_JSON_DEPTH} levels of nesting", where)
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise _json_error("json.key_type", "an object key that is not text", where)
            problem = line_problem(key)
            if problem is not None:
                raise _json_error(problem, _MESSAGES[problem] + " in a key", _key(where, key))
            check_json(item, _key(where, key), depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_json(item, f"{where}[{index}]", depth + 1)
    else:
        raise _json_error("json.type", "a value that is not JSON", where)
