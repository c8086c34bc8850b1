"""Alarms for the shift lead when a day's range of numbers runs low or out (issue 15 point 2).

Used-up numbers used to be a silent 409 at one counter after another, and offline intake stopped without
anyone knowing why. Now the first time a range of a day crosses ``LOW_SHARE`` handed out, and the first
time a request finds nothing left for it, a ``number_alarms`` row is written (once per centre, kind,
scope, day, range and level) and a warning logged; the lead reads them at ``GET /v1/centre/alarms``.

* A crossing is seen by the request that takes the number or block at the mark, in its own transaction:
  if that transaction rolls back, its number is given back and the next taker raises the alarm instead.
* Exhaustion is an error whose transaction rolls back, so ``record_exhausted`` writes it afterwards, in a
  transaction of its own (the caller commits), from the details the ``SequenceExhausted`` carries.
"""

from __future__ import annotations

import logging
import math
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from counterapp.domain.codes import SequenceExhausted
from counterapp.server.models.numbers import NumberAlarm
from counterapp.server.services.common import require_aware

log = logging.getLogger(__name__)

ONLINE, RESERVED = "online", "reserved"
LOW, EXHAUSTED = "low", "exhausted"
LOW_SHARE = 0.8  # a range is "low" once this share of it is handed out
MAX_LISTED = 200


def low_mark(first: int, last: int) -> int:
    """The number of ``first..last`` whose handing out crosses ``LOW_SHARE`` of the range."""
    return first + math.ceil((last - first + 1) * LOW_SHARE) - 1


def raise_alarm(
    session: Session,
    *,
    centre_id: str,
    kind: str,
    scope: str,
    day: date,
    range_: str,
    level: str,
    used: int,
    size: int,
    device_id: str | None,
    now: datetime,
) -> bool:
    """Record the alarm unless it was raised before (``INSERT … ON CONFLICT DO NOTHING``, race-safe on both
    databases); log it the first time. Whether it was new."""
    table = NumberAlarm.__table__
    assert isinstance(table, Table)
    values: dict[str, Any] = {
        "centre_id": centre_id,
        "kind": kind,
        "scope": scope,
        "day": day,
        "range": range_,
        "level": level,
        "used": used,
        "size": size,
        "device_id": device_id,
        "raised_at": require_aware(now),
    }
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(table).values(**values).on_conflict_do_nothing().returning(table.c.centre_id)
    new = session.connection().execute(statement).first() is not None
    if new:
        log.warning(
            "numbers %s: centre %s, %s %s of %s, %s range: %s of %s handed out (device %s)",
            level, centre_id, kind, scope, day, range_, used, size, device_id,
        )  # fmt: skip
    return new


def record_exhausted(
    session: Session, exc: SequenceExhausted, *, centre_id: str, device_id: str | None, now: datetime
) -> bool:
    """After the refused request's rollback: the ``exhausted`` alarm its error describes (the caller
    commits). An error without a range's details (a code past 9999) records nothing."""
    params = exc.params
    if not {"kind", "scope", "day", "range", "used", "size"} <= params.keys():
        return False
    return raise_alarm(
        session,
        centre_id=centre_id,
        kind=str(params["kind"]),
        scope=str(params["scope"]),
        day=date.fromisoformat(str(params["day"])),
        range_=str(params["range"]),
        level=EXHAUSTED,
        used=int(params["used"]),
        size=int(params["size"]),
        device_id=device_id,
        now=now,
    )


def alarms_of(session: Session, centre_id: str, since: date) -> list[NumberAlarm]:
    """The centre's alarms of ``since`` and later days, newest first (at most ``MAX_LISTED``)."""
    return list(
        session.scalars(
            select(NumberAlarm)
            .where(NumberAlarm.centre_id == centre_id, NumberAlarm.day >= since)
            .order_by(NumberAlarm.raised_at.desc(), NumberAlarm.kind, NumberAlarm.scope)
            .limit(MAX_LISTED)
        )
    )
