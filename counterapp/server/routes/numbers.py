"""The number authority over HTTP: dossier codes and ticket numbers, online one at a time or leased in
blocks for offline use (DESIGN.md §3 rule 6). The centre is always the device's.

POST /v1/codes/next   (device+staff)  {kind, scope?, day?}               → {number, code, kind, scope, day}
POST /v1/codes/lease  (device+staff)  {kind, scope?, day, count}         → {lease_id, day, start, end, …}
POST /v1/codes/voids  (device+staff)  {kind, scope?, day, numbers, reason} → {recorded, already}

``kind`` is ``dossier`` (scope: the centre's agency code, the default) or ``ticket`` (scope: a queue
service's prefix). Staff need ``dossier.intake`` for dossier codes and ``ticket.issue`` for tickets.
Used-up numbers answer 409 ``code.sequence_exhausted``.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from counterapp.domain.codes import build_dossier_code, build_ticket_number
from counterapp.domain.errors import DomainError
from counterapp.server.auth import CurrentDevice, CurrentStaff, OptionalStaff, http_error, role_allows, utcnow
from counterapp.server.db import SessionDep
from counterapp.server.errors import ApiError, problem
from counterapp.server.models.auth import Device
from counterapp.server.models.numbers import CodeLease
from counterapp.server.routes import ROUTERS
from counterapp.server.services import numbers as authority
from counterapp.server.services.sessions import Staff

log = logging.getLogger(__name__)
router = APIRouter(tags=["codes"])

Kind = Literal["dossier", "ticket"]
ACTIONS: dict[str, str] = {authority.DOSSIER: "dossier.intake", authority.TICKET: "ticket.issue"}


ERRORS: dict[int | str, dict[str, Any]] = {
    401: problem("No or wrong device credential or staff session"),
    403: problem("Device revoked, a display device, or role not allowed"),
    409: problem("The day's numbers are used up (code.sequence_exhausted)"),
}


class NextIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"kind": "dossier"}, {"kind": "ticket", "scope": "A"}]})
    kind: Kind
    scope: str | None = Field(default=None, max_length=20, description="agency code (dossier) or prefix (ticket)")
    day: date | None = Field(default=None, description="must be today (Vietnam time) if given")


class NextOut(BaseModel):
    kind: str
    scope: str
    day: date
    number: int
    code: str = Field(description="as printed: 000.00.01.H26-250314-0012 or A015")


class LeaseIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"kind": "dossier", "day": "2025-03-14", "count": 30}]})
    kind: Kind
    scope: str | None = Field(default=None, max_length=20)
    day: date
    count: int = Field(ge=1, le=authority.MAX_LEASE_SIZE)


class LeaseOut(BaseModel):
    lease_id: str
    kind: str
    scope: str
    day: date
    start: int
    end: int = Field(description="inclusive; the block is shorter than asked only at the end of the range")


class VoidsIn(BaseModel):
    kind: Kind
    scope: str | None = Field(default=None, max_length=20)
    day: date
    numbers: list[int] = Field(min_length=1, max_length=authority.MAX_VOIDS)
    reason: str = Field(min_length=1, max_length=authority.MAX_REASON)


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
        session.rollback()
        raise http_error(exc) from None
    session.commit()
    return NextOut(kind=body.kind, scope=scope, day=day, number=number, code=code)


def _allowed_lease(device: Device, staff: Staff | None, kind: str) -> None:
    """A counter's sync worker refills its leases with the device credential alone (no one may be logged
    in, and the numbers are useless without an op that is itself authorised at its time); a kiosk leases
    ticket numbers. With a staff session, the staff's role decides as for ``/codes/next``."""
    if staff is not None:
        _allowed(device, staff, kind)
    elif not (device.kind == "counter" or (device.kind == "kiosk" and kind == authority.TICKET)):
        raise ApiError(401, "auth.session_required", "Staff login required")


@router.post("/codes/lease", status_code=201, response_model=LeaseOut, responses=ERRORS)
def lease(body: LeaseIn, session: SessionDep, device: CurrentDevice, staff: OptionalStaff) -> LeaseOut:
    """A block of the day's reserved range for this device's offline use, never overlapping another.
    A counter or kiosk device may ask without a staff session (its sync worker keeps leases topped up)."""
    _allowed_lease(device, staff, body.kind)
    try:
        row = authority.lease_block(session, device, body.kind, body.scope, body.day, body.count, utcnow())
    except DomainError as exc:
        session.rollback()
        raise http_error(exc) from None
    session.commit()
    log.info("device %s leased %s %s %s %s–%s", device.id, row.kind, row.scope, row.day, row.range_start, row.range_end)
    return LeaseOut(
        lease_id=row.id, kind=row.kind, scope=row.scope, day=row.day, start=row.range_start, end=row.range_end
    )


@router.get("/codes/leases", response_model=list[LeaseOut], responses=ERRORS)
def my_leases(
    session: SessionDep, device: CurrentDevice, since: Annotated[date, Query(description="first day listed")]
) -> list[LeaseOut]:
    """This device's leases from ``since`` on: a counter whose lease answer was lost on the network adopts
    the block here instead of leaving it as an unrecorded gap (leasing again takes a new block)."""
    rows = session.scalars(
        select(CodeLease)
        .where(CodeLease.device_id == device.id, CodeLease.day >= since)
        .order_by(CodeLease.day, CodeLease.kind, CodeLease.scope, CodeLease.range_start)
    )
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
