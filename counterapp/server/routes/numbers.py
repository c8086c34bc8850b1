"""The number authority over HTTP: dossier codes and ticket numbers, online one at a time or leased in
blocks for offline use (DESIGN.md §3 rule 6). The centre is always the device's.

POST /v1/codes/next   (device+staff)  {kind, scope?, day?}               → {number, code, kind, scope, day}
POST /v1/codes/lease  (device+staff)  {kind, scope?, day, count}         → {lease_id, day, start, end, …}
POST /v1/codes/voids  (device+staff)  {kind, scope?, day, numbers, reason} → {recorded, already}

``kind`` is ``dossier`` (scope: the centre's agency code, the default) or ``ticket`` (scope: a queue
service's prefix). Staff need ``dossier.intake`` for dossier codes and ``ticket.issue`` for tickets.
Used-up numbers answer 409 ``code.sequence_exhausted`` and raise an alarm for the lead
(``GET /v1/centre/alarms``).

Leases (issue 15 point 2): a lease is for today or a later day up to the next working day (422
``lease.day_invalid``), and is cut to the device's fair share (``services.number_shares``): a block
shorter than asked, or 409 ``lease.cap_reached`` when the device already holds its share unspent. Without
a staff session a counter device leases only if a staff member signed in on it within the centre's
``lease_staff_days`` (403 ``lease.staff_required`` otherwise); a kiosk leases ticket numbers.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from counterapp.domain.codes import SequenceExhausted, build_dossier_code, build_ticket_number
from counterapp.domain.errors import DomainError
from counterapp.protocol.fields import Day, Int32, Line, Text
from counterapp.server.auth import CurrentDevice, CurrentStaff, OptionalStaff, http_error, role_allows, utcnow
from counterapp.server.db import SessionDep
from counterapp.server.errors import ApiError, problem
from counterapp.server.models.auth import Device
from counterapp.server.models.numbers import CodeLease
from counterapp.server.routes import ROUTERS
from counterapp.server.services import number_alarms, number_shares
from counterapp.server.services import numbers as authority
from counterapp.server.services.sessions import Staff

log = logging.getLogger(__name__)
router = APIRouter(tags=["codes"])

Kind = Literal["dossier", "ticket"]
ACTIONS: dict[str, str] = {authority.DOSSIER: "dossier.intake", authority.TICKET: "ticket.issue"}


ERRORS: dict[int | str, dict[str, Any]] = {
    401: problem("No or wrong device credential or staff session"),
    403: problem("Device revoked, display device, role not allowed, or no recent staff sign-in (lease.staff_required)"),
    409: problem("Numbers used up (code.sequence_exhausted), or the device holds its share (lease.cap_reached)"),
}
_NUMBER_STATUS: dict[str, tuple[int, str]] = {
    "code.sequence_exhausted": (409, "Numbers used up"),
    "lease.cap_reached": (409, "Share of numbers held"),
}


def number_error(exc: DomainError) -> ApiError | DomainError:
    """The answer for a refused number: 409 with the reason as detail (no personal data), else as usual."""
    mapped = _NUMBER_STATUS.get(exc.code)
    if mapped is None:
        return http_error(exc)
    status, title = mapped
    return ApiError(status, exc.code, title, str(exc))


def refused(session: Session, device: Device, exc: DomainError) -> ApiError | DomainError:
    """Roll the request back; a used-up range also raises the lead's alarm (in a transaction of its own:
    the refused one is gone). The answer to raise."""
    session.rollback()
    if isinstance(exc, SequenceExhausted) and number_alarms.record_exhausted(
        session, exc, centre_id=device.centre_id, device_id=device.id, now=utcnow()
    ):
        session.commit()
    return number_error(exc)


class NextIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"kind": "dossier"}, {"kind": "ticket", "scope": "A"}]})
    kind: Kind
    scope: Line | None = Field(default=None, max_length=20, description="agency code (dossier) or prefix (ticket)")
    day: Day | None = Field(default=None, description="must be today (Vietnam time) if given")


class NextOut(BaseModel):
    kind: str
    scope: str
    day: date
    number: int
    code: str = Field(description="as printed: 000.00.01.H26-250314-0012 or A015")


class LeaseIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"kind": "dossier", "day": "2025-03-14", "count": 30}]})
    kind: Kind
    scope: Line | None = Field(default=None, max_length=20)
    day: Day
    count: Int32 = Field(ge=1, le=authority.MAX_LEASE_SIZE)


class LeaseOut(BaseModel):
    lease_id: str
    kind: str
    scope: str
    day: date
    start: int
    end: int = Field(description="inclusive; shorter than asked at the end of the range or of the device's share")


class VoidsIn(BaseModel):
    kind: Kind
    scope: Line | None = Field(default=None, max_length=20)
    day: Day
    numbers: list[Annotated[Int32, Field(ge=1)]] = Field(min_length=1, max_length=authority.MAX_VOIDS)
    reason: Text = Field(min_length=1, max_length=authority.MAX_REASON)


class VoidsOut(BaseModel):
    recorded: list[int]
    already: list[int] = Field(description="reported before; not an error")


def _allowed(device: Device, staff: Staff, kind: str) -> None:
    if device.kind == "display":
        raise ApiError(403, "auth.forbidden", "Not allowed", "A display device does not take numbers.")
    if not role_allows(staff.user.role, ACTIONS[kind]):
        raise ApiError(403, "auth.forbidden", "Not allowed", "Your role does not allow this.")


@router.post("/codes/next", response_model=NextOut, responses=ERRORS)
def next_code(body: NextIn, session: SessionDep, device: CurrentDevice, staff: CurrentStaff) -> NextOut:
    """The next dossier code or ticket number of today's online range, taken under a row lock."""
    _allowed(device, staff, body.kind)
    now = utcnow()
    day = body.day or authority.local_day(now)
    try:
        centre = authority.centre_of(session, device)
        scope = authority.resolve_scope(session, centre, body.kind, body.scope)
        number = authority.next_number(session, centre, body.kind, scope, day, now)
        if body.kind == authority.DOSSIER:
            code = str(build_dossier_code(centre.agency_code, day, number))
        else:
            code = str(build_ticket_number(scope, number))
    except DomainError as exc:
        raise refused(session, device, exc) from None
    session.commit()
    return NextOut(kind=body.kind, scope=scope, day=day, number=number, code=code)


def _allowed_lease(session: Session, device: Device, staff: Staff | None, kind: str) -> None:
    """With a staff session, the staff's role decides as for ``/codes/next``. Without one, a counter's sync
    worker refills its leases with the device credential alone — but only while the counter is in use: a
    staff member signed in on it within the centre's ``lease_staff_days`` (the numbers are useless without
    an op that is itself authorised at its time). A kiosk leases ticket numbers (it has no staff); a display
    nothing."""
    if staff is not None:
        _allowed(device, staff, kind)
    elif device.kind == "kiosk" and kind == authority.TICKET:
        return
    elif device.kind != "counter":
        raise ApiError(401, "auth.session_required", "Staff login required")
    else:
        days = authority.centre_of(session, device).lease_staff_days
        if not number_shares.signed_in_recently(session, device, utcnow(), days):
            raise ApiError(
                403,
                "lease.staff_required",
                "Staff sign-in required",
                f"Nobody has signed in on this device in the last {days} days: a staff member signs in before "
                "it takes numbers for offline use.",
            )


@router.post("/codes/lease", status_code=201, response_model=LeaseOut, responses=ERRORS)
def lease(body: LeaseIn, session: SessionDep, device: CurrentDevice, staff: OptionalStaff) -> LeaseOut:
    """A block of the day's reserved range for this device's offline use, never overlapping another, for
    today or up to the next working day, cut to the device's fair share (shorter than asked, or 409
    ``lease.cap_reached``). A counter device may ask without a staff session if a staff member signed in on
    it recently (its sync worker keeps leases topped up); a kiosk may ask for ticket numbers."""
    _allowed_lease(session, device, staff, body.kind)
    try:
        row = authority.lease_block(session, device, body.kind, body.scope, body.day, body.count, utcnow())
    except DomainError as exc:
        raise refused(session, device, exc) from None
    session.commit()
    log.info("device %s leased %s %s %s %s–%s", device.id, row.kind, row.scope, row.day, row.range_start, row.range_end)
    return LeaseOut(
        lease_id=row.id, kind=row.kind, scope=row.scope, day=row.day, start=row.range_start, end=row.range_end
    )


@router.get("/codes/leases", response_model=list[LeaseOut], responses=ERRORS)
def my_leases(
    session: SessionDep, device: CurrentDevice, since: Annotated[Day, Query(description="first day listed")]
) -> list[LeaseOut]:
    """This device's leases from ``since`` on: a counter whose lease answer was lost on the network adopts
    the block here instead of leaving it as an unrecorded gap (leasing again takes a new block).

    Only the blocks granted since the device's current enrollment: a data directory enrolled again (a
    replaced PC, a reissued code) starts with no lease, and adopting the blocks its old directory held
    would hand it, from their first number, dossier codes and tickets the old PC already printed."""
    query = select(CodeLease).where(CodeLease.device_id == device.id, CodeLease.day >= since)
    if device.enrolled_at is not None:
        query = query.where(CodeLease.granted_at >= device.enrolled_at)
    rows = session.scalars(query.order_by(CodeLease.day, CodeLease.kind, CodeLease.scope, CodeLease.range_start))
    return [
        LeaseOut(lease_id=r.id, kind=r.kind, scope=r.scope, day=r.day, start=r.range_start, end=r.range_end)
        for r in rows
    ]


@router.post("/codes/voids", response_model=VoidsOut, responses=ERRORS)
def voids(body: VoidsIn, session: SessionDep, device: CurrentDevice, staff: CurrentStaff) -> VoidsOut:
    """Record numbers this device was handed but did not print: gaps that are never reissued."""
    _allowed(device, staff, body.kind)
    try:
        result = authority.record_void(
            session, device, body.kind, body.scope, body.day, body.numbers, body.reason, utcnow()
        )
    except DomainError as exc:
        session.rollback()
        raise http_error(exc) from None
    session.commit()
    return VoidsOut(recorded=list(result.recorded), already=list(result.already))


ROUTERS.append(router)
