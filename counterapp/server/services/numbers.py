"""The number authority: dossier codes and ticket numbers are handed out here, once each (DESIGN.md §3
rule 6, SYNC.md §2 (b)).

Each (centre, kind, scope, day) has one ``code_counters`` row. Every use case below takes that row under
a row lock (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite every transaction already holds the write
lock from ``BEGIN IMMEDIATE``), so any number of API workers hand out each number once, and a number
taken in a transaction that rolls back is taken back with it: the online range stays dense.

* ``next_number``: the next number of the day's dense online range (dossier codes 0001–6999, tickets
  001–899); past it, ``SequenceExhausted`` — never a wrapped or repeated number.
* ``lease_block``: a block of the reserved range (dossier codes 7000–9999, tickets 900–999) bound to one
  day — today or up to the next working day (``last_lease_day``) — and held by one device, for offline use.
  Blocks are taken in order from ``next_reserved``, so two leases never overlap; each is cut to the
  device's fair share (``counterapp.server.services.number_shares``), so no device can take the others'.
* ``record_void``: numbers a device reports unused become recorded gaps; they are never reissued.

A range crossing 80 % handed out, or found empty, raises an alarm for the lead
(``counterapp.server.services.number_alarms``).

The caller owns the transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Table, bindparam, case, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from counterapp.datafiles.calendar import bundled_calendar
from counterapp.domain.calendar import CalendarNotCovered
from counterapp.domain.codes import SequenceExhausted, validate_agency_code, validate_service_prefix
from counterapp.domain.duedate import VIETNAM_TZ
from counterapp.domain.errors import DomainError, ValidationFailed
from counterapp.server.models.auth import Device
from counterapp.server.models.numbers import CodeCounter, CodeLease, NumberVoid
from counterapp.server.models.org import Centre, QueueService
from counterapp.server.services import number_alarms as alarms
from counterapp.server.services import number_shares as shares
from counterapp.server.services.common import new_id, require_aware
from counterapp.server.services.errors import NotFound

log = logging.getLogger(__name__)

DOSSIER = "dossier"
TICKET = "ticket"
KINDS = (DOSSIER, TICKET)
MAX_LEASE_SIZE = 300
MAX_VOIDS = 1000
MAX_REASON = 200


class LeaseCapReached(DomainError):
    """The device already holds its share of the day's numbers unspent (``number_shares``): it uses
    them first, or the lead raises the centre's policy. ``params``: ``cap``, ``held``."""

    code = "lease.cap_reached"


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


def last_lease_day(today: date) -> date:
    """The last day a lease may be taken for: the next working day after ``today`` by the bundled
    calendar (over a weekend or a holiday, the days between too: a counter whose local calendar makes one
    of them a working day may lease it). A year the calendar does not cover: tomorrow, and a warning."""
    try:
        return bundled_calendar().next_working_day(today)
    except CalendarNotCovered:
        log.warning("the bundled calendar does not cover %s: leases only up to the next calendar day", today)
        return today + timedelta(days=1)


def range_size(kind: str) -> int:
    ranges = RANGES[kind]
    return ranges.reserved_last - ranges.reserved_first + 1


def set_share_policy(
    centre: Centre,
    *,
    multiple: int | None = None,
    floor_dossier: int | None = None,
    ceiling_dossier: int | None = None,
    floor_ticket: int | None = None,
    ceiling_ticket: int | None = None,
    staff_days: int | None = None,
) -> Centre:
    """Change the centre's fair-share policy (``number_shares``); what is not given stays. Every bound is
    checked before anything changes: ``1 ≤ floor ≤ ceiling ≤`` the reserved range of its kind."""
    multiple = centre.lease_multiple if multiple is None else multiple
    staff_days = centre.lease_staff_days if staff_days is None else staff_days
    dossier = shares.SharePolicy(
        multiple,
        centre.lease_floor_dossier if floor_dossier is None else floor_dossier,
        centre.lease_ceiling_dossier if ceiling_dossier is None else ceiling_dossier,
        staff_days,
    )
    ticket = shares.SharePolicy(
        multiple,
        centre.lease_floor_ticket if floor_ticket is None else floor_ticket,
        centre.lease_ceiling_ticket if ceiling_ticket is None else ceiling_ticket,
        staff_days,
    )
    shares.validate_policy(dossier, range_size(DOSSIER), DOSSIER)
    shares.validate_policy(ticket, range_size(TICKET), TICKET)
    centre.lease_multiple, centre.lease_staff_days = multiple, staff_days
    centre.lease_floor_dossier, centre.lease_ceiling_dossier = dossier.floor, dossier.ceiling
    centre.lease_floor_ticket, centre.lease_ceiling_ticket = ticket.floor, ticket.ceiling
    return centre


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
    if number > ranges.online_last:  # the caller's rollback undoes the step; it records the alarm
        raise SequenceExhausted(
            "the day's online numbers are used up",
            kind=kind,
            scope=scope,
            day=day.isoformat(),
            limit=ranges.online_last,
            range=alarms.ONLINE,
            used=ranges.online_last,
            size=ranges.online_last,
        )
    if number == alarms.low_mark(ranges.online_first, ranges.online_last):
        alarms.raise_alarm(session, centre_id=centre_id, kind=kind, scope=scope, day=day, range_=alarms.ONLINE,
                           level=alarms.LOW, used=number, size=ranges.online_last, device_id=None,
                           now=datetime.now(VIETNAM_TZ))  # fmt: skip
    return number


def pass_over(session: Session, centre_id: str, kind: str, scope: str, day: date, value: int) -> None:
    """Make sure ``day``'s online numbering of ``kind``/``scope`` never hands out ``value``, which a ticket
    already holds (a walk-in printed offline with an online number: an old lease, a counter restored from
    elsewhere). The ticket is a fact and stays; without this the online issue of ``value`` would fail on
    the unique number, and so every issue of that service after it. Numbers skipped are simply unused."""
    ranges = RANGES[kind]
    if not ranges.online_first <= value <= ranges.online_last:
        return
    parameters = {"centre_id": centre_id, "kind": kind, "scope": scope, "day": day, "next_value": value + 1,
                  "next_reserved": ranges.reserved_first}  # fmt: skip
    session.connection().execute(_pass_over_statement(session.get_bind().dialect.name), parameters)


@lru_cache(maxsize=4)
def _pass_over_statement(dialect: str) -> Any:
    table = CodeCounter.__table__
    assert isinstance(table, Table)
    names = ("centre_id", "kind", "scope", "day", "next_value", "next_reserved")
    beyond: Any = bindparam("next_value")
    return (
        _insert_for(dialect)(table)
        .values({name: bindparam(name) for name in names})
        .on_conflict_do_update(
            index_elements=[c.name for c in table.primary_key.columns],
            set_={"next_value": case((table.c.next_value > beyond, table.c.next_value), else_=beyond)},
        )
    )


def lease_block(
    session: Session, device: Device, kind: str, scope: str | None, day: date, size: int, now: datetime
) -> CodeLease:
    """A block of up to ``size`` numbers of ``day``'s reserved range for ``device``, following the last
    block leased for that day. ``day`` is today or a later day up to the next working day. The block is
    cut to what the range has left and to the device's fair share (``number_shares.decide``):
    ``LeaseCapReached`` when the device already holds its cap unspent, ``SequenceExhausted`` when nothing
    is left for it (the range is used up, or the rest is kept for other devices' floors)."""
    centre = centre_of(session, device)
    scope = resolve_scope(session, centre, kind, scope)
    if not 1 <= size <= MAX_LEASE_SIZE:
        raise ValidationFailed.single("count", "lease.count_invalid", limit=MAX_LEASE_SIZE)
    at = require_aware(now)
    today = local_day(at)
    last_day = last_lease_day(today)
    if not today <= day <= last_day:
        raise ValidationFailed.single("day", "lease.day_invalid", last=last_day.isoformat())
    ranges = RANGES[kind]
    # one step takes the block and locks the row: the block is ours until the commit, and the share below
    # is decided while no other lease of this day can change what it reads
    _value, following = _advance(session, centre.id, kind, scope, day, "next_reserved", size)
    start = following - size
    left = max(0, ranges.reserved_last - start + 1)
    share = shares.Share(grant=0, cap=0, held=0, kept_for_others=0)
    if left:
        share = shares.decide(
            session, centre, device, kind, scope, day, wanted=min(size, left), left=left,
            range_size=range_size(kind), reserved=(ranges.reserved_first, ranges.reserved_last), today=today,
        )  # fmt: skip
    if share.grant < 1:  # the caller's rollback undoes the step
        if left and share.held >= share.cap:
            raise LeaseCapReached(
                f"this device holds {share.held} unspent numbers, its share is {share.cap}",
                cap=share.cap,
                held=share.held,
            )
        raise SequenceExhausted(
            "the day's reserved numbers are all leased" if not left else "the rest is kept for other devices",
            kind=kind,
            scope=scope,
            day=day.isoformat(),
            limit=ranges.reserved_last,
            range=alarms.RESERVED,
            used=range_size(kind) - left,
            size=range_size(kind),
        )
    end = start + share.grant - 1
    if share.grant < size:  # give back the rest of the step: we hold the row's lock
        _set_next_reserved(session, centre.id, kind, scope, day, end + 1)
    mark = alarms.low_mark(ranges.reserved_first, ranges.reserved_last)
    if start <= mark <= end:
        alarms.raise_alarm(session, centre_id=centre.id, kind=kind, scope=scope, day=day, range_=alarms.RESERVED,
                           level=alarms.LOW, used=end - ranges.reserved_first + 1, size=range_size(kind),
                           device_id=device.id, now=at)  # fmt: skip
    lease = CodeLease(
        id=new_id(),
        centre_id=centre.id,
        device_id=device.id,
        kind=kind,
        scope=scope,
        day=day,
        range_start=start,
        range_end=end,
        granted_at=at,
    )
    session.add(lease)
    session.flush()
    if share.grant < size:
        log.info("device %s asked %s %s numbers for %s, granted %s (share %s, held %s, kept for others %s)",
                 device.id, size, kind, day, share.grant, share.cap, share.held, share.kept_for_others)  # fmt: skip
    return lease


def _set_next_reserved(session: Session, centre_id: str, kind: str, scope: str, day: date, value: int) -> None:
    session.execute(
        update(CodeCounter)
        .where(CodeCounter.centre_id == centre_id, CodeCounter.kind == kind, CodeCounter.scope == scope,
               CodeCounter.day == day)
        .values(next_reserved=value)
        .execution_options(synchronize_session=False)
    )  # fmt: skip


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
