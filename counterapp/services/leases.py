"""Number leases: blocks of dossier-code sequences or walk-in ticket numbers, each bound to one date.

The server fills them (the sync issue); a standalone counter's admin can record one. Taking a number
increments the lease in the caller's transaction, so a number is used once or not at all. A missing,
wrongly-dated or used-up lease is a clear error — never a guessed or duplicate number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from counterapp.domain.errors import ValidationFailed
from counterapp.services.errors import LeaseExhausted, LeaseMissing, LeaseOverlap, LeaseWrongDate
from counterapp.store.base import sync_identity
from counterapp.store.outbox import new_id
from counterapp.store.sync_models import NumberLeaseRow


class LeaseKind(StrEnum):
    DOSSIER_CODE = "dossier_code"
    TICKET = "ticket"


LIMITS = {LeaseKind.DOSSIER_CODE: 9999, LeaseKind.TICKET: 9999}


@dataclass(frozen=True, slots=True)
class Lease:
    id: str
    kind: LeaseKind
    scope: str
    day: date
    range_start: int
    range_end: int
    next_value: int
    source: str

    @property
    def remaining(self) -> int:
        return max(0, self.range_end - self.next_value + 1)


def _to_domain(row: NumberLeaseRow) -> Lease:
    return Lease(row.id, LeaseKind(row.kind), row.scope, row.day, row.range_start, row.range_end,
                 row.next_value, row.source)  # fmt: skip


def grant_lease(
    session: Session,
    *,
    kind: LeaseKind,
    scope: str,
    day: date,
    start: int,
    end: int,
    now: datetime,
    source: str = "server",
    lease_id: str | None = None,
) -> Lease:
    """Record a lease; ranges of the same kind, scope and day may not overlap."""
    if not 1 <= start <= end <= LIMITS[kind]:
        raise ValidationFailed.single("range", "lease.range_invalid", limit=LIMITS[kind])
    overlapping = session.scalars(
        select(NumberLeaseRow).where(
            NumberLeaseRow.kind == kind.value,
            NumberLeaseRow.scope == scope,
            NumberLeaseRow.day == day,
            NumberLeaseRow.range_start <= end,
            NumberLeaseRow.range_end >= start,
        )
    ).first()
    if overlapping is not None:
        raise LeaseOverlap("the range overlaps a lease already held", lease=overlapping.id)
    row = NumberLeaseRow(id=lease_id or new_id(), kind=kind.value, scope=scope, day=day, range_start=start,
                         range_end=end, next_value=start, source=source, granted_at=now)  # fmt: skip
    session.add(row)
    session.flush()
    return _to_domain(row)


_LEASES = cast(Table, NumberLeaseRow.__table__)
# The first of the day's leases with a number left gives its next number, in one statement built once.
_TAKE = (
    update(_LEASES)
    .where(
        _LEASES.c.id
        == select(_LEASES.c.id)
        .where(
            _LEASES.c.kind == bindparam("lease_kind"),
            _LEASES.c.scope == bindparam("lease_scope"),
            _LEASES.c.day == bindparam("lease_day"),
            _LEASES.c.next_value <= _LEASES.c.range_end,
        )
        .order_by(_LEASES.c.range_start)
        .limit(1)
        .scalar_subquery()
    )
    .values(next_value=_LEASES.c.next_value + 1)
    .returning(_LEASES.c.id, _LEASES.c.next_value)
)


def take_number(session: Session, *, kind: LeaseKind, scope: str, day: date) -> tuple[str, int]:
    """The next number of ``day`` from this device's leases, and the lease it came from."""
    session.flush()  # a lease object changed by ORM code in this transaction is written first
    taken = (
        session.connection().execute(_TAKE, {"lease_kind": kind.value, "lease_scope": scope, "lease_day": day}).first()
    )
    if taken is not None:
        lease_id, next_value = taken
        sync_identity(session, NumberLeaseRow, lease_id, {"next_value": next_value})
        return lease_id, next_value - 1
    rows = session.scalars(
        select(NumberLeaseRow)
        .where(NumberLeaseRow.kind == kind.value, NumberLeaseRow.scope == scope)
        .order_by(NumberLeaseRow.day, NumberLeaseRow.range_start)
    ).all()
    today = [r for r in rows if r.day == day]
    if today:  # every one used up, or the statement above would have taken a number
        raise LeaseExhausted("every number leased for today is used", kind=kind.value, day=day.isoformat())
    other_days = sorted({r.day.isoformat() for r in rows if r.next_value <= r.range_end})
    if other_days:
        raise LeaseWrongDate(
            "the leases held are for another date",
            kind=kind.value,
            day=day.isoformat(),
            lease_days=other_days,
        )
    raise LeaseMissing("no lease for this date", kind=kind.value, day=day.isoformat())


def leases(session: Session, *, day: date | None = None) -> list[Lease]:
    query = select(NumberLeaseRow).order_by(NumberLeaseRow.day, NumberLeaseRow.kind, NumberLeaseRow.range_start)
    if day is not None:
        query = query.where(NumberLeaseRow.day == day)
    return [_to_domain(r) for r in session.scalars(query)]
