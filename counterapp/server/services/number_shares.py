"""Fair shares of the numbers leased for offline use (issue 15 point 2).

A day's reserved range is small (dossier codes 7000–9999, walk-in tickets 900–999 per service) and shared
by every device of a centre. Before, one device credential could lease all of it, a week ahead, and every
other counter's offline intake stopped. Now a lease is cut to the device's **share**:

* **cap** — what the device may hold *unspent* for one kind, scope and day: ``multiple`` × the numbers
  it used on its busiest day of the last ``RECENT_DAYS`` days (today included; dossiers it received,
  tickets of that service it issued, online or offline), kept between the centre's floor and ceiling for
  that kind. A new device gets the floor.
* **fair floor** — the floor is cut to ``range size ÷ active devices`` when that is smaller, so the
  floors of all the devices that lease this kind and scope always fit in the range. *Active*: a device of
  the centre, not revoked, that leased this kind and scope in the last ``RECENT_DAYS`` days (or asks now).
* **kept for others** — a grant never takes the part of the range the other active devices still need
  to reach their fair floor that day: that is their share, whoever asks first.
* **held** — numbers leased to the device for that day that it has neither used (a dossier or ticket of
  that number reached the server) nor reported void. The counter pushes before it refills, so the server
  sees what it used.

The grant is ``min(asked, cap − held, left in the range − kept for others)``; the caller cuts the block
to it. The centre's policy lives on its row (``Centre.lease_*``, set with ``set_share_policy``).

Reads here run after the caller took the day's counter row lock, so two lease requests of one
(centre, kind, scope, day) decide one after the other and a device cannot pass its cap by asking twice at
once. Costly reads (the device's use, what it spent) are skipped when the answer cannot change the grant.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import case, func, literal_column, select
from sqlalchemy.orm import Session

from counterapp.domain.duedate import VIETNAM_TZ
from counterapp.domain.errors import ValidationFailed
from counterapp.server.models.auth import Device, StaffSession, User
from counterapp.server.models.numbers import CodeLease, NumberVoid
from counterapp.server.models.org import Centre, QueueService
from counterapp.server.models.queue import Ticket, TicketEventRow
from counterapp.server.models.sync import Dossier
from counterapp.server.services.common import as_utc, require_aware

DOSSIER = "dossier"
RECENT_DAYS = 7  # how far back a device's use is measured, and a device counts as active
MAX_MULTIPLE = 10
MAX_STAFF_DAYS = 30


@dataclass(frozen=True, slots=True)
class SharePolicy:
    """A centre's policy for one kind of number."""

    multiple: int
    floor: int
    ceiling: int
    staff_days: int


def policy_of(centre: Centre, kind: str) -> SharePolicy:
    if kind == DOSSIER:
        floor, ceiling = centre.lease_floor_dossier, centre.lease_ceiling_dossier
    else:
        floor, ceiling = centre.lease_floor_ticket, centre.lease_ceiling_ticket
    return SharePolicy(centre.lease_multiple, floor, ceiling, centre.lease_staff_days)


def validate_policy(policy: SharePolicy, range_size: int, kind: str) -> None:
    """``1 ≤ floor ≤ ceiling ≤ range size``, ``1 ≤ multiple ≤ 10``, ``1 ≤ staff days ≤ 30``."""
    if not 1 <= policy.multiple <= MAX_MULTIPLE:
        raise ValidationFailed.single("multiple", "shares.multiple_invalid", limit=MAX_MULTIPLE)
    if not 1 <= policy.staff_days <= MAX_STAFF_DAYS:
        raise ValidationFailed.single("staff_days", "shares.staff_days_invalid", limit=MAX_STAFF_DAYS)
    if not 1 <= policy.floor <= policy.ceiling <= range_size:
        raise ValidationFailed.single(f"{kind}_floor", "shares.bounds_invalid", limit=range_size)


@dataclass(frozen=True, slots=True)
class Share:
    """The decision on one lease request."""

    grant: int  # numbers to lease now (0: none)
    cap: int  # the most the device may hold unspent
    held: int  # what it holds unspent (all it leased that day, when what it spent was not worth counting)
    kept_for_others: int  # numbers of the range kept for other devices' fair floors


def decide(
    session: Session,
    centre: Centre,
    device: Device,
    kind: str,
    scope: str,
    day: date,
    *,
    wanted: int,
    left: int,
    range_size: int,
    reserved: tuple[int, int],
    today: date,
) -> Share:
    """The share of ``device`` for a request of ``wanted`` numbers (already no more than ``left``, the
    numbers of the range not yet leased). Call it holding the day's counter row lock."""
    policy = policy_of(centre, kind)
    leased = leased_by_active_devices(session, centre.id, kind, scope, day, since=today - timedelta(RECENT_DAYS))
    mine = leased.pop(device.id, 0)
    floor = max(1, min(policy.floor, range_size // (len(leased) + 1)))
    kept = sum(max(0, floor - n) for n in leased.values())
    cap = floor
    if mine + wanted > floor:  # the floor alone does not allow it: the device's use may
        use = measured_use(session, centre, device, kind, scope, today)
        cap = max(floor, min(policy.ceiling, policy.multiple * use))
    held = mine
    if mine and mine + wanted > cap:  # leased it all unspent, it would pass the cap: count what it spent
        held = mine - spent(session, centre, device, kind, scope, day, reserved)
    grant = max(0, min(wanted, cap - held, left - kept))
    return Share(grant=grant, cap=cap, held=held, kept_for_others=kept)


def leased_by_active_devices(
    session: Session, centre_id: str, kind: str, scope: str, day: date, *, since: date
) -> dict[str, int]:
    """Device id → numbers leased for ``day``, for every unrevoked device that leased this kind and scope
    on or after ``since`` (one read of the leases' index)."""
    on_day = func.sum(case((CodeLease.day == day, CodeLease.range_end - CodeLease.range_start + 1), else_=0))
    rows = session.execute(
        select(CodeLease.device_id, on_day)
        .join(Device, Device.id == CodeLease.device_id)
        .where(
            CodeLease.centre_id == centre_id,
            CodeLease.kind == kind,
            CodeLease.scope == scope,
            CodeLease.day >= since,
            Device.revoked_at.is_(None),
        )
        .group_by(CodeLease.device_id)
    )
    return {device_id: int(n or 0) for device_id, n in rows}


def local_midnight(day: date) -> datetime:
    """The start of ``day`` in the centre, in UTC (SQLite compares stored times as UTC text)."""
    return require_aware(datetime.combine(day, time(0), tzinfo=VIETNAM_TZ))


def measured_use(session: Session, centre: Centre, device: Device, kind: str, scope: str, today: date) -> int:
    """The numbers of this kind and scope the device used on its busiest day of the last ``RECENT_DAYS``
    days, today included: dossiers it received (whatever their code's origin), or tickets of the service
    it issued (a kiosk's presses, a counter's walk-ins)."""
    first = today - timedelta(days=RECENT_DAYS - 1)
    if kind == DOSSIER:
        day_of_code = func.substr(Dossier.code, len(centre.agency_code) + 2, 6)  # <agency>-YYMMDD-NNNN
        per_day = session.execute(
            select(day_of_code, func.count())
            .where(
                Dossier.device_id == device.id,
                Dossier.code >= f"{centre.agency_code}-{first:%y%m%d}-",
                Dossier.code < f"{centre.agency_code}-{today + timedelta(days=1):%y%m%d}-",
            )
            .group_by(day_of_code)
        )
    else:
        per_day = session.execute(
            select(Ticket.day, func.count())
            .select_from(TicketEventRow)
            .join(Ticket, Ticket.id == TicketEventRow.ticket_id)
            .join(QueueService, QueueService.id == Ticket.service_id)
            .where(
                TicketEventRow.device_id == device.id,
                TicketEventRow.kind == literal_column("'issued'"),  # a literal: the partial index's predicate
                TicketEventRow.at >= local_midnight(first),
                QueueService.centre_id == centre.id,
                QueueService.prefix == scope,
            )
            .group_by(Ticket.day)
        )
    return max((int(n) for _day, n in per_day), default=0)


def spent(
    session: Session, centre: Centre, device: Device, kind: str, scope: str, day: date, reserved: tuple[int, int]
) -> int:
    """How many of the numbers leased to the device for ``day`` are spent: used by a dossier or ticket the
    server has, or reported void — and every number of a block granted before the device's current
    enrollment: the data directory that held it is gone (a replaced PC enrolled with a reissued code), the
    new one never gets it (``GET /v1/codes/leases``), so it is not held; its unused numbers stay gaps."""
    ranges: list[tuple[int, int]] = []
    stranded = 0
    enrolled_at = as_utc(device.enrolled_at) if device.enrolled_at is not None else None
    for start, end, granted_at in session.execute(
        select(CodeLease.range_start, CodeLease.range_end, CodeLease.granted_at).where(
            CodeLease.device_id == device.id, CodeLease.kind == kind, CodeLease.scope == scope, CodeLease.day == day
        )
    ):
        if enrolled_at is not None and as_utc(granted_at) < enrolled_at:
            stranded += end - start + 1
        else:
            ranges.append((start, end))
    first, last = reserved
    numbers = set(
        session.scalars(
            select(NumberVoid.number).where(
                NumberVoid.centre_id == centre.id,
                NumberVoid.kind == kind,
                NumberVoid.scope == scope,
                NumberVoid.day == day,
                NumberVoid.device_id == device.id,
            )
        )
    )
    if kind == DOSSIER:
        prefix = f"{centre.agency_code}-{day:%y%m%d}-"
        codes = session.scalars(
            select(Dossier.code).where(
                Dossier.device_id == device.id,
                Dossier.code >= f"{prefix}{first:04d}",
                Dossier.code <= f"{prefix}{last:04d}",
            )
        )
        numbers.update(int(code[len(prefix) :]) for code in codes if _numbered(code, prefix))
    else:
        tickets = session.scalars(
            select(Ticket.number).where(
                Ticket.centre_id == centre.id,
                Ticket.day == day,
                Ticket.number >= f"{scope}{first:03d}",
                Ticket.number <= f"{scope}{last:03d}",
            )
        )
        numbers.update(_ticket_numbers(tickets, scope))
    return stranded + sum(1 for n in numbers if any(start <= n <= end for start, end in ranges))


def _numbered(code: str, prefix: str) -> bool:
    return code.startswith(prefix) and code[len(prefix) :].isdigit()


def _ticket_numbers(numbers: Iterable[str], prefix: str) -> Iterable[int]:
    """The numbers of ``prefix``'s tickets among ``numbers`` (``A915`` → 915; ``AB915`` is not ``A``'s)."""
    return (int(text[len(prefix) :]) for text in numbers if _numbered(text, prefix))


def signed_in_recently(session: Session, device: Device, now: datetime, days: int) -> bool:
    """Whether a staff member, still active, signed in on ``device`` within the last ``days`` days (a
    session's start, ended or not): the counter's clerk then works on it, online or offline (the offline
    sign-in is valid as long, ``staff_offline_days``)."""
    since = require_aware(now) - timedelta(days=days)
    found = session.scalars(
        select(StaffSession.created_at)
        .join(User, User.id == StaffSession.user_id)
        .where(StaffSession.device_id == device.id, StaffSession.created_at >= since, User.active.is_(True))
        .limit(1)
    ).first()
    return found is not None
