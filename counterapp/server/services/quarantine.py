"""Poisoned ops: a pushed op the server cannot apply as sent is quarantined on its own, never refused with
its batch (issue 15, point 2; SYNC.md §2(g) "anything undecodable goes to a quarantine table, not an error
loop").

Why per op: the counter re-sends a refused batch as it is, so one op that fails the whole request (a 422,
or a 500 from the database) stops everything queued behind it, for good. So ``push`` reads each op on its
own (:func:`check`, the envelope :class:`~counterapp.protocol.messages.Op` having checked only ``op_id`` and
``client_seq``), and whatever cannot be applied — a field that would not fit the database (a NUL, a lone
surrogate, an integer past its column, a time that overflows in UTC), a payload its kind's model refuses,
or, in the op-by-op fallback, any exception short of the database being unavailable (:func:`transient`) —
is recorded with status ``quarantined`` and a reason: the watermark moves past it, the counter is answered
``rejected`` with that reason (final: its outbox marks the op and never sends it again), and a conflict row
about the op (entity ``op``) puts it in the lead's ``GET /v1/centre/conflicts`` and in the counter's own
conflict list.

The op-log row of a quarantined op must be storable whatever was sent: each column gets the sent value if
it passes its field type, else a neutral one (the receipt time for a time, 0, null, ``unreadable`` for the
kind), and the op as sent is then kept whole in the payload as escaped text (``{"unreadable_op": "…"}``),
for IT to read; the reason says which field was refused and by which rule, never the value.
"""

from __future__ import annotations

import json
import traceback
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from pydantic import TypeAdapter, ValidationError
from pydantic_core import PydanticCustomError
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from counterapp.protocol.fields import INT32_MAX, Moment, check_json, line_problem, storable
from counterapp.protocol.messages import CheckedOp, Op
from counterapp.protocol.payloads import summary
from counterapp.server.jsontext import json_text

QUARANTINED: Final = "quarantined"
INVALID_OP = "sync.invalid_op"  # a field of the op (not its payload) cannot be stored as sent
UNDECODABLE = "sync.undecodable"  # the payload: unknown kind or version, or refused by its kind's model
CONSTRAINT = "sync.constraint"  # the database refused what the op wrote (a duplicate key, a value too long)
APPLY_FAILED = "sync.apply_failed"  # anything else that went wrong applying it (a bug: logged with its trace)
UNREADABLE_KIND = "unreadable"
MAX_KEPT_CHARS = 1024 * 1024  # of an unreadable op kept as text: the push body's own limit
_MOMENT: TypeAdapter[datetime] = TypeAdapter(Moment)


@dataclass(frozen=True, slots=True)
class Poisoned:
    """An op of the batch that will not be applied, and why (``reason`` is storable and names no value);
    ``checked``: the op, when its fields (but not its payload) passed their types."""

    code: str
    reason: str
    checked: CheckedOp | None = None


def check(op: Op) -> CheckedOp | Poisoned:
    """``op`` with every field checked, or why it is quarantined."""
    try:
        return op.checked()
    except ValidationError as exc:
        return Poisoned(INVALID_OP, quarantine_reason(summary(exc, root="op")))
    except Exception as exc:  # a check that broke rather than refused (a bug): still this op's, not the batch's
        return Poisoned(INVALID_OP, quarantine_reason(f"the op could not be read ({type(exc).__name__})"))


def quarantine_reason(why: str) -> str:
    return storable(f"quarantined: {why}", 500)


def failure(exc: Exception, checked: CheckedOp | None) -> Poisoned:
    """Why an op whose application raised ``exc`` is quarantined (the exception's type, not its message:
    a driver's message may quote the values)."""
    if isinstance(exc, IntegrityError | DataError):
        why = "the database refused what the op writes (a constraint)"
        return Poisoned(CONSTRAINT, quarantine_reason(why), checked)
    why = f"the server could not apply it ({type(exc).__name__})"
    return Poisoned(APPLY_FAILED, quarantine_reason(why), checked)


def frames(exc: BaseException) -> str:
    """Where ``exc`` was raised, for the log: its frames and type, never its message (which may quote
    a citizen's data), as ``counterapp.server.middleware`` logs a 500."""
    return "".join(traceback.format_tb(exc.__traceback__)) + f"{type(exc).__module__}.{type(exc).__qualname__}"


def transient(exc: BaseException) -> bool:
    """Whether ``exc`` means the database is unavailable (a lost or killed connection, a deadlock or a
    serialisation failure, every pooled connection busy): then nothing is quarantined, the whole push is
    rolled back and answered 503 for the counter to retry. Anything else is the op's fault."""
    if isinstance(exc, OperationalError | InterfaceError | PoolTimeout):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def kind_of(op: Op) -> str:
    kind = op.kind
    if isinstance(kind, str) and 0 < len(kind) <= 40 and line_problem(kind) is None:
        return kind
    return UNREADABLE_KIND


def _small_int(value: Any) -> int:
    return value if type(value) is int and 0 <= value <= INT32_MAX else 0


def _short_line(value: Any, limit: int) -> str | None:
    if isinstance(value, str) and len(value) <= limit and line_problem(value) is None:
        return value
    return None


def _moment(value: Any, default: datetime) -> tuple[datetime, bool]:
    try:
        return _MOMENT.validate_python(value), True
    except (ValidationError, PydanticCustomError, ValueError, TypeError, OverflowError):
        return default, False


def unstorable(checked: CheckedOp) -> str | None:
    """Why ``checked``'s payload cannot be stored as it was sent (``fields.check_json``), or ``None``."""
    try:
        check_json(checked.payload)
    except PydanticCustomError as exc:
        return f"{checked.kind}@{checked.v}: {exc.message()}"
    return None


def sent_text(op: Op) -> str:
    """The op as sent (but its op_id and client_seq, which have their columns) as ASCII JSON text: NULs and
    surrogates escaped, so the text stores anywhere."""
    fields = {name: getattr(op, name) for name in type(op).model_fields if name not in ("op_id", "client_seq")}
    try:
        text = json.dumps(fields, ensure_ascii=True, default=str)
    except (ValueError, TypeError, RecursionError):
        return "(the op could not be written out)"
    return text[:MAX_KEPT_CHARS]


def payload_json(op: Op, checked: CheckedOp | None) -> str:
    """The payload column's JSON text for ``op``: as sent when it can be stored, else the whole op as text."""
    if checked is not None and unstorable(checked) is None:
        return json_text(checked.payload)
    return json_text({"unreadable_op": sent_text(op)})


def columns(op: Op, checked: CheckedOp | None, received_at: datetime) -> dict[str, Any]:
    """The op-log columns of a quarantined op (all but ids, status and result): what was sent where it
    passes its field type, a neutral value otherwise; the payload keeps the op as sent if anything was lost."""
    if checked is not None:
        return {
            "kind": checked.kind,
            "v": checked.v,
            "payload_json": payload_json(op, checked),
            "user_id": checked.user_id,
            "wall_time": checked.wall_time,
            "corrected_time": checked.corrected_time,
            "hlc": checked.hlc,
            "epoch": checked.epoch,
        }
    wall_time, _ = _moment(op.wall_time, received_at)
    corrected_time, _ = _moment(op.corrected_time, received_at)
    return {
        "kind": kind_of(op),
        "v": _small_int(op.v),
        "payload_json": json_text({"unreadable_op": sent_text(op)}),
        "user_id": _short_line(op.user_id, 60),
        "wall_time": wall_time,
        "corrected_time": corrected_time,
        "hlc": _short_line(op.hlc, 64),
        "epoch": _small_int(op.epoch),
    }
