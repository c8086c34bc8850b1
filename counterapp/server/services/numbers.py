"""The number authority: dossier codes and ticket numbers are handed out here, once each (DESIGN.md §3
rule 6, SYNC.md §2 (b)).

Each (centre, kind, scope, day) has one ``code_counters`` row. Every use case below takes that row under
a row lock (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite every transaction already holds the write
lock from ``BEGIN IMMEDIATE``), so any number of API workers hand out each number once, and a number
taken in a transaction that rolls back is taken back with it: the online range stays dense.

* ``next_number``: the next number of the day's dense online range (dossier codes 0001–6999, tickets
  001–899); past it, ``SequenceExhausted`` — never a wrapped or repeated number.
* ``lease_block``: a block of the reserved range (dossier codes 7000–9999, tickets 900–999) bound to one
  day and held by one device, for offline use. Blocks are taken in order from ``next_reserved``, so two
  leases never overlap.
* ``record_void``: numbers a device reports unused become recorded gaps; they are never reissued.

The caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Table, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from counterapp.domain.codes import SequenceExhausted, validate_agency_code, validate_service_prefix
from counterapp.domain.duedate import VIETNAM_TZ
from counterapp.domain.errors import ValidationFailed
from counterapp.server.models.auth import Device
from counterapp.server.models.numbers import CodeCounter, CodeLease, NumberVoid
from counterapp.server.models.org import Centre, QueueService
from counterapp.server.services.common import new_id, require_aware
from counterapp.server.services.errors import NotFound

DOSSIER = "dossier"
TICKET = "ticket"
KINDS = (DOSSIER, TICKET)
MAX_LEASE_SIZE = 300
LEASE_DAYS_AHEAD = 7  # a lease may be taken for today or up to this many days ahead (e.g. over a weekend)
MAX_VOIDS = 1000
MAX_REASON = 200


@dataclass(frozen=True, slots=True)
class NumberRanges:
    online_first: int
    online_last: int
    reserved_first: int
    reserved_last: int


RANGES: Mapping[str, NumberRanges] = {
    DOSSIER: NumberRanges(1, 6999, 7000, 9999),
    TICKET: NumberRanges(1, 899, 900, 999),
}


def local_day(now: datetime) -> date:
    """The centre's calendar date at ``now`` (Vietnam time, UTC+7, no daylight saving)."""
    return require_aware(now).astimezone(VIETNAM_TZ).date()


def validate_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValidationFailed.single("kind", "code.kind_invalid")
    return kind


def resolve_scope(session: Session, centre: Centre, kind: str, scope: str | None) -> str:
    """The canonical scope of ``kind`` in ``centre``: for dossier codes the centre's own agency code (the
    default), for tickets the prefix of one of the centre's queue services (required)."""
    validate_kind(kind)
    if kind == DOSSIER:
        if scope is None or not scope.strip():
            return centre.agency_code
        if validate_agency_code(scope, "scope") != centre.agency_code:
            raise ValidationFailed.single("scope", "code.scope_invalid")
        return centre.agency_code
    if scope is None or not scope.strip():
        raise ValidationFailed.single("scope", "code.scope_required")
    prefix = validate_service_prefix(scope, "scope")
    known = session.scalars(
        select(QueueService.id).where(QueueService.centre_id == centre.id, QueueService.prefix == prefix)
    ).first()
    if known is None:
        raise ValidationFailed.single("scope", "code.scope_invalid")
    return prefix


def centre_of(session: Session, device: Device) -> Centre:
    centre = session.get(Centre, device.centre_id)
    if centre is None:  # pragma: no cover - foreign key
        raise NotFound("no such centre", code="centre.not_found")
    return centre


def _insert_ignoring_conflict(session: Session, table: Table, values: dict[str, Any]) -> bool:
    """``INSERT … ON CONFLICT DO NOTHING``: whether a row was inserted. Race-safe on both databases: on
    PostgreSQL a concurrent insert of the same key makes this one wait, then do nothing."""
    key = next(iter(table.primary_key.columns))
    statement = _dialect_insert(session)(table).values(**values).on_conflict_do_nothing().returning(key)
    return session.connection().execute(statement).first() is not None  # RETURNING: a row only when inserted


def _dialect_insert(session: Session) -> Any:
    return _insert_for(session.get_bind().dialect.name)


def _insert_for(dialect: str) -> Any:
    if dialect == "postgresql":
        return postgresql.insert
    if dialect == "sqlite":
        return sqlite.insert
    raise ValueError(f"unsupported database {dialect!r}")  # pragma: no cover - make_engine refuses others


def _advance(
    session: Session, centre_id: str, kind: str, scope: str, day: date, column: str, by: int
) -> tuple[int, int]:
    """Move the day's counter row's ``column`` (``next_value`` or ``next_reserved``) on by ``by`` and answer
    its new ``next_value`` and ``next_reserved``. One ``INSERT … ON CONFLICT DO UPDATE … RETURNING``: it
    creates the row on the day's first number, locks it until the caller's transaction ends (a concurrent
    caller waits, then sees this one's values), and changes it, where a read ``FOR UPDATE`` and an
    ``UPDATE`` took three round trips."""
    ranges = RANGES[kind]
    fresh = {"next_value": ranges.online_first, "next_reserved": ranges.reserved_first}
    fresh[column] += by  # the same step from the range's start
    parameters = {"centre_id": centre_id, "kind": kind, "scope": scope, "day": day, "by": by, **fresh}
    statement = _advance_statement(session.get_bind().dialect.name, column)
    row = session.connection().execute(statement, parameters).one()  # Core: the ORM's execute costs ~0.4 ms more
    return int(row.next_value), int(row.next_reserved)


@lru_cache(maxsize=8)
def _advance_statement(dialect: str, column: str) -> Any:
    """``_advance``'s statement, built once per database and column (building it cost as much as running it)."""
    table = CodeCounter.__table__
    assert isinstance(table, Table)
    insert = _insert_for(dialect)(table)
    names = ("centre_id", "kind", "scope", "day", "next_value", "next_reserved")
    return (
        insert.values({name: bindparam(name) for name in names})
        .on_conflict_do_update(
            index_elements=[c.name for c in table.primary_key.columns],
            set_={column: table.c[column] + bindparam("by")},
        )
        .returning(table.c.next_value, table.c.next_reserved)
    )


def next_number(session: Session, centre: Centre, kind: str, scope: str | None, day: date, now: datetime) -> int:
    """The next number of ``day``'s dense online range for ``kind``/``scope`` in ``centre``. ``day`` must
    be the centre's date at ``now``: online numbers are for what is printed now."""
    scope = resolve_scope(session, centre, kind, scope)
    if day != local_day(now):
        raise ValidationFailed.single("day", "code.day_not_today")
    return take_next(session, centre.id, kind, scope, day)


def take_next(session: Session, centre_id: str, kind: str, scope: str, day: date) -> int:
    """``next_number`` for a scope and day the caller has checked (a ticket of a service it has loaded):
    no read to check them again."""
    ranges = RANGES[kind]
    following, _reserved = _advance(session, centre_id, kind, scope, day, "next_value", 1)
    number = following - 1
    if number > ranges.online_last:  # the caller's rollback undoes the step
        raise SequenceExhausted(
            "the day's online numbers are used up", kind=kind, day=day.isoformat(), limit=ranges.online_last
        )
    return number


def lease_block(
    session: Session, device: Device, kind: str, scope: str | None, day: date, size: int, now: datetime
) -> CodeLease:
    """A block of up to ``size`` numbers of ``day``'s reserved range for ``device``, following the last
    block leased for that day; shorter only when the reserved range has fewer left, and
    ``SequenceExhausted`` when it has none."""
    centre = centre_of(session, device)
    scope = resolve_scope(session, centre, kind, scope)
    if not 1 <= size <= MAX_LEASE_SIZE:
        raise ValidationFailed.single("count", "lease.count_invalid", limit=MAX_LEASE_SIZE)
    today = local_day(now)
    if not today <= day <= today + timedelta(days=LEASE_DAYS_AHEAD):
        raise ValidationFailed.single("day", "lease.day_invalid", days_ahead=LEASE_DAYS_AHEAD)
    ranges = RANGES[kind]
    # one step takes the block and locks the row: the block is ours until the commit. On the day's last
    # block the counter may pass the range's end; the block is cut there.
    _value, following = _advance(session, centre.id, kind, scope, day, "next_reserved", size)
    start = following - size
    if start > ranges.reserved_last:  # the caller's rollback undoes the step
        raise SequenceExhausted(
            "the day's reserved numbers are all leased", kind=kind, day=day.isoformat(), limit=ranges.reserved_last
        )
    end = min(following - 1, ranges.reserved_last)
    lease = CodeLease(
        id=new_id(),
        centre_id=centre.id,
        device_id=device.id,
        kind=kind,
        scope=scope,
        day=day,
        range_start=start,
        range_end=end,
        granted_at=require_aware(now),
    )
    session.add(lease)
    session.flush()
    return lease


def leases_of(session: Session, device: Device, kind: str, scope: str, day: date) -> list[CodeLease]:
    return list(
        session.scalars(
            select(CodeLease)
            .where(
                CodeLease.device_id == device.id,
                CodeLease.kind == kind,
                CodeLease.scope == scope,
                CodeLease.day == day,
            )
            .order_by(CodeLease.range_start)
        )
    )


@dataclass(frozen=True, slots=True)
class VoidResult:
    recorded: tuple[int, ...]  # newly recorded
    already: tuple[int, ...]  # recorded before (a retried report)


def record_void(
    session: Session,
    device: Device,
    kind: str,
    scope: str | None,
    day: date,
    numbers: Iterable[int],
    reason: str,
    now: datetime,
) -> VoidResult:
    """Record ``numbers`` as unused gaps of ``day``. Each must have been handed out: taken from the online
    range, or inside one of this device's leases for that day; otherwise nothing is recorded. Reporting a
    number again is not an error (a device may retry)."""
    centre = centre_of(session, device)
    scope = resolve_scope(session, centre, kind, scope)
    wanted = sorted(set(numbers))
    if not wanted or len(wanted) > MAX_VOIDS:
        raise ValidationFailed.single("numbers", "void.numbers_invalid", limit=MAX_VOIDS)
    text = " ".join(reason.split())
    if not text or len(text) > MAX_REASON:
        raise ValidationFailed.single("reason", "void.reason_invalid", limit=MAX_REASON)
    ranges = RANGES[kind]
    counter = session.get(CodeCounter, (centre.id, kind, scope, day))
    issued_online = 0 if counter is None else counter.next_value - 1
    leased = [(lease.range_start, lease.range_end) for lease in leases_of(session, device, kind, scope, day)]

    def handed_out(n: int) -> bool:
        if ranges.online_first <= n <= min(issued_online, ranges.online_last):
            return True
        return any(start <= n <= end for start, end in leased)

    refused = [n for n in wanted if not handed_out(n)]
    if refused:
        raise ValidationFailed.single("numbers", "void.not_issued", numbers=refused[:20])
    table = NumberVoid.__table__
    assert isinstance(table, Table)
    at = require_aware(now)
    recorded: list[int] = []
    already: list[int] = []
    for n in wanted:
        row = {
            "centre_id": centre.id,
            "kind": kind,
            "scope": scope,
            "day": day,
            "number": n,
            "device_id": device.id,
            "reason": text,
            "recorded_at": at,
        }
        (recorded if _insert_ignoring_conflict(session, table, row) else already).append(n)
    return VoidResult(tuple(recorded), tuple(already))
