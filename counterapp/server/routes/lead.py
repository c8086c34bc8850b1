"""The shift lead's day (DESIGN.md §3 rule 8), lead or admin only; the centre is the device's.

POST /v1/centre/counters/{number}/open        (device+staff counters.open_close) → the counter's status
POST /v1/centre/counters/{number}/close       (device+staff counters.open_close)
POST /v1/centre/counters/{number}/pause       (device+staff counters.open_close) {reason}
POST /v1/centre/tickets/{number}/move         (device+staff tickets.move) {service} → the ticket
GET  /v1/centre/pending-deliveries            (device+staff counters.assign) → counters not yet updated
GET  /v1/centre/conflicts                     (device+staff counters.assign) → pushed ops kept but flagged
                                              or refused (a ticket two counters called, a late amendment…)
GET  /v1/centre/alarms?since=                 (device+staff reports.view) → days' ranges of numbers that ran
                                              low (80 % handed out) or out, newest first

A status change publishes ``assignment.changed`` with ``status`` (never the pause reason: free text), and
a pause gives the counter's dealt hand back to the pool — as a clerk's own pause pushed as ``counter.pause``
does (``services.lead.change_counter_status``). A move publishes nothing (no ticket event kind fits; boards
and counters catch up by pull). Another centre's counter or ticket is 404, a ticket that is not waiting 409
``ticket.not_waiting``.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from counterapp.domain.errors import DomainError
from counterapp.protocol.fields import Day, Line, Text
from counterapp.server.auth import CurrentDevice, Staff, http_error, require_action, same_centre, utcnow
from counterapp.server.db import SessionDep
from counterapp.server.errors import ApiError, problem
from counterapp.server.models.auth import Device
from counterapp.server.models.org import Counter
from counterapp.server.models.sync import Conflict
from counterapp.server.routes import ROUTERS
from counterapp.server.routes.queue import TicketOut, ticket_out
from counterapp.server.services import lead, number_alarms, org, queue
from counterapp.server.services import numbers as authority
from counterapp.server.services.common import as_utc

log = logging.getLogger(__name__)
router = APIRouter(tags=["lead"])


ERRORS: dict[int | str, dict[str, Any]] = {
    401: problem("No or wrong device credential or staff session"),
    403: problem("Device revoked, or role not allowed"),
    404: problem("No such counter or ticket (today) in this centre"),
    409: problem("ticket.not_waiting"),
}

_STATUS: dict[str, tuple[int, str]] = {
    "ticket.not_found": (404, "No such ticket"),
    "ticket.not_waiting": (409, "Ticket not waiting"),
}

OpenCloseStaff = Annotated[Staff, Depends(require_action("counters.open_close"))]
MoveStaff = Annotated[Staff, Depends(require_action("tickets.move"))]
AssignStaff = Annotated[Staff, Depends(require_action("counters.assign"))]
ReportStaff = Annotated[Staff, Depends(require_action("reports.view"))]
ALARM_DAYS = 7  # the alarms listed by default: of today and the 6 days before
CounterPath = Annotated[Line, Path(min_length=1, max_length=10, examples=["5"])]
TicketPath = Annotated[Line, Path(min_length=2, max_length=8, examples=["A015"])]


def lead_error(exc: DomainError) -> ApiError | DomainError:
    mapped = _STATUS.get(exc.code)
    if mapped is None:
        return http_error(exc)
    status, title = mapped
    return ApiError(status, exc.code, title, str(exc))  # the services' messages hold no personal data


class PauseIn(BaseModel):
    reason: Text = Field(min_length=1, max_length=lead.MAX_PAUSE_REASON, examples=["Lunch break"])


class MoveIn(BaseModel):
    service: Line = Field(min_length=1, max_length=20, examples=["KD"])


class CounterStatusOut(BaseModel):
    number: str = Field(examples=["5"])
    status: str = Field(examples=["paused"], description="open | paused | closed")
    pause_reason: str | None
    epoch: int


class PendingDeliveryOut(BaseModel):
    counter: str = Field(examples=["12"], description="the counter's number")
    epoch: int = Field(description="the counter's latest assignment")
    device_id: str
    device_name: str
    applied_epoch: int = Field(description="the latest assignment the device reported applied")
    last_contact: datetime | None = Field(description="the device's last known contact, if any")


def _set_status(
    session: Session, device: Device, staff: Staff, number: str, status: str, reason: str | None = None
) -> CounterStatusOut:
    try:
        counter: Counter = org.counter_by_number(session, device.centre_id, number)
        same_centre(device, counter.centre_id)
        lead.change_counter_status(session, counter, status, reason, now=utcnow())  # announces it too
    except DomainError as exc:
        session.rollback()
        raise lead_error(exc) from None
    out = CounterStatusOut(
        number=counter.number, status=counter.status, pause_reason=counter.pause_reason, epoch=counter.epoch
    )
    session.commit()
    log.info("user %s set counter %s %s", staff.user.id, counter.id, status)
    return out


@router.post("/centre/counters/{number}/open", response_model=CounterStatusOut, responses=ERRORS)
def open_counter(
    number: CounterPath, session: SessionDep, device: CurrentDevice, staff: OpenCloseStaff
) -> CounterStatusOut:
    """Open the counter (lead or admin)."""
    return _set_status(session, device, staff, number, lead.OPEN)


@router.post("/centre/counters/{number}/close", response_model=CounterStatusOut, responses=ERRORS)
def close_counter(
    number: CounterPath, session: SessionDep, device: CurrentDevice, staff: OpenCloseStaff
) -> CounterStatusOut:
    """Close the counter (lead or admin)."""
    return _set_status(session, device, staff, number, lead.CLOSED)


@router.post("/centre/counters/{number}/pause", response_model=CounterStatusOut, responses=ERRORS)
def pause_counter(
    number: CounterPath, body: PauseIn, session: SessionDep, device: CurrentDevice, staff: OpenCloseStaff
) -> CounterStatusOut:
    """Pause the counter with a reason shown to staff, ≤ 200 characters (lead or admin)."""
    return _set_status(session, device, staff, number, lead.PAUSED, body.reason)


@router.post("/centre/tickets/{number}/move", response_model=TicketOut, responses=ERRORS)
def move_ticket(
    number: TicketPath, body: MoveIn, session: SessionDep, device: CurrentDevice, staff: MoveStaff
) -> TicketOut:
    """Move today's waiting ticket to another service of this centre; it keeps its number and place."""
    try:
        centre = authority.centre_of(session, device)
        service = queue.service_by_code(session, centre, body.service)
        ticket = lead.move_ticket(session, device.centre_id, number, service, utcnow(), device=device, user=staff.user)
        out = ticket_out(session, ticket)
    except DomainError as exc:
        session.rollback()
        raise lead_error(exc) from None
    session.commit()
    log.info("user %s moved ticket %s", staff.user.id, out.id)
    return out


@router.get("/centre/pending-deliveries", response_model=list[PendingDeliveryOut], responses=ERRORS)
def pending_deliveries(session: SessionDep, device: CurrentDevice, _staff: AssignStaff) -> list[PendingDeliveryOut]:
    """Counters whose device has not yet applied their latest assignment (it reaches them on reconnect)."""
    return [
        PendingDeliveryOut(
            counter=item.counter.number,
            epoch=item.counter.epoch,
            device_id=item.device.id,
            device_name=item.device.name,
            applied_epoch=item.device.applied_epoch,
            last_contact=as_utc(item.last_contact) if item.last_contact else None,
        )
        for item in lead.pending_deliveries(session, device.centre_id)
    ]


class ConflictOut(BaseModel):
    id: str
    op_id: str
    kind: Annotated[str, Field(examples=["ticket.call"])]
    counter: Annotated[str | None, Field(description="the counter whose op it was")]
    entity: Annotated[str, Field(examples=["ticket"])]
    entity_id: str
    code: Annotated[str, Field(examples=["ticket.already_called"])]
    reason: str
    created_at: datetime


@router.get("/centre/conflicts", response_model=list[ConflictOut], responses=ERRORS)
def conflicts(session: SessionDep, device: CurrentDevice, _staff: AssignStaff) -> list[ConflictOut]:
    """The centre's unresolved sync conflicts, newest first (at most 200): what counters did offline that
    the server kept but flagged, or refused, with the reason (no personal data)."""
    rows = session.execute(
        select(Conflict, Counter.number)
        .join(Device, Device.id == Conflict.device_id)
        .outerjoin(Counter, Counter.id == Device.counter_id)
        .where(Conflict.centre_id == device.centre_id, Conflict.resolved_at.is_(None))
        .order_by(Conflict.created_at.desc(), Conflict.id)
        .limit(200)
    ).all()
    return [
        ConflictOut(
            id=c.id,
            op_id=c.op_id,
            kind=c.kind,
            counter=number,
            entity=c.entity,
            entity_id=c.entity_id,
            code=c.code,
            reason=c.reason,
            created_at=as_utc(c.created_at),
        )
        for c, number in rows
    ]


class AlarmOut(BaseModel):
    kind: Annotated[str, Field(examples=["dossier"], description="dossier | ticket")]
    scope: Annotated[str, Field(examples=["000.00.01.H26"], description="agency code, or a service's prefix")]
    day: date
    range: Annotated[str, Field(examples=["reserved"], description="online | reserved (leased for offline use)")]
    level: Annotated[str, Field(examples=["exhausted"], description="low (80 % handed out) | exhausted")]
    used: Annotated[int, Field(description="numbers of the range handed out when it was raised")]
    size: Annotated[int, Field(description="numbers in the range")]
    counter: Annotated[str | None, Field(description="the counter of the device whose request raised it")]
    device_id: str | None
    raised_at: datetime


@router.get("/centre/alarms", response_model=list[AlarmOut], responses=ERRORS)
def alarms(
    session: SessionDep,
    device: CurrentDevice,
    _staff: ReportStaff,
    since: Annotated[Day | None, Query(description="first day listed; default: 6 days ago")] = None,
) -> list[AlarmOut]:
    """Days' ranges of dossier codes or ticket numbers that ran low or out in this centre, newest first (at
    most 200), once each: the first time a range crossed 80 % handed out, and the first time a request
    found nothing left for it (the counters then get 409 ``code.sequence_exhausted``)."""
    first = since or authority.local_day(utcnow()) - timedelta(days=ALARM_DAYS - 1)
    rows = number_alarms.alarms_of(session, device.centre_id, first)
    raised_by = {r.device_id for r in rows if r.device_id}
    devices = {d.id: d for d in session.scalars(select(Device).where(Device.id.in_(raised_by)))}
    counters = {c.id: c.number for c in session.scalars(select(Counter).where(Counter.centre_id == device.centre_id))}
    return [
        AlarmOut(
            kind=r.kind,
            scope=r.scope,
            day=r.day,
            range=r.range,
            level=r.level,
            used=r.used,
            size=r.size,
            counter=counters.get(devices[r.device_id].counter_id or "") if r.device_id in devices else None,
            device_id=r.device_id,
            raised_at=as_utc(r.raised_at),
        )
        for r in rows
    ]


ROUTERS.append(router)
