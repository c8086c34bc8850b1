"""The queue authority over HTTP (DESIGN.md §3 rules 3, 7). The centre is the device's; counter actions act
for the device's counter.

POST /v1/tickets                              (kiosk, or device+staff ticket.issue) {service, priority?} → 201
POST /v1/queue/call-next                      (counter device+staff queue.call) → the called ticket
POST /v1/queue/tickets/{number}/call          (counter device+staff queue.call) → the called ticket
POST /v1/queue/tickets/{number}/recall|start|finish  (counter device+staff queue.call)
GET  /v1/queue/waiting                        (counter device+staff queue.call) → waiting tickets in call order

Calls are claims: the loser of a race gets 409 ``queue.empty`` (call-next found nothing left to win) or
409 ``ticket.already_called`` ("A015 was called by counter 3 at 09:14:03"). A move the ticket state
machine forbids is 409 ``ticket.illegal_transition``; another counter's ticket 409 ``ticket.not_at_counter``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from counterapp.domain.codes import SequenceExhausted
from counterapp.domain.errors import DomainError
from counterapp.protocol.fields import Int32, Line
from counterapp.server.auth import (
    AuthorizationHeader,
    CurrentDevice,
    OptionalStaff,
    Staff,
    StaffHeader,
    authenticate,
    check_action,
    http_error,
    require_action,
    resolve_staff,
    staff_allowed,
    utcnow,
)
from counterapp.server.db import SessionDep
from counterapp.server.errors import ApiError, problem
from counterapp.server.models.auth import Device
from counterapp.server.models.org import Counter, QueueService
from counterapp.server.models.queue import Ticket
from counterapp.server.permissions import role_allows
from counterapp.server.routes import ROUTERS
from counterapp.server.services import number_alarms, queue
from counterapp.server.services import numbers as authority
from counterapp.server.services.common import as_utc
from counterapp.server.ticket_gate import ticket_writes

log = logging.getLogger(__name__)
router = APIRouter(tags=["queue"])


ERRORS: dict[int | str, dict[str, Any]] = {
    401: problem("No or wrong device credential or staff session"),
    403: problem("Device revoked, not a counter device, or role not allowed"),
    404: problem("No such ticket today in this centre"),
    409: problem("queue.empty, ticket.already_called, ticket.not_at_counter or ticket.illegal_transition"),
}

_QUEUE_STATUS: dict[str, tuple[int, str]] = {
    "queue.empty": (409, "No ticket waiting"),
    "queue.busy": (409, "Queue busy, try again"),
    "ticket.already_called": (409, "Ticket already called"),
    "ticket.not_at_counter": (409, "Ticket at another counter"),
    "ticket.illegal_transition": (409, "Not possible in the ticket's state"),
    "ticket.recall_limit": (409, "Recall limit reached"),
    "ticket.not_found": (404, "No such ticket"),
}

CallStaff = Annotated[Staff, Depends(require_action("queue.call"))]
NumberPath = Annotated[Line, Path(min_length=2, max_length=8, examples=["A015"])]


def queue_error(exc: DomainError) -> ApiError | DomainError:
    mapped = _QUEUE_STATUS.get(exc.code)
    if mapped is None:
        return http_error(exc)
    status, title = mapped
    return ApiError(status, exc.code, title, str(exc))  # the services' messages hold no personal data


class IssueIn(BaseModel):
    service: Line = Field(min_length=1, max_length=20, examples=["HTCT"])
    priority: Line | None = Field(default=None, max_length=20, examples=["elderly"])


class TicketOut(BaseModel):
    id: str
    number: str = Field(examples=["A015"])
    day: date
    service: str
    priority: str | None
    state: str
    counter: str | None = Field(description="the number of the counter that called it")
    issued_at: datetime
    called_at: datetime | None
    recalls: int
    version: int


def ticket_out(session: Session, ticket: Ticket) -> TicketOut:
    service = session.get_one(QueueService, ticket.service_id)
    counter = session.get(Counter, ticket.counter_id) if ticket.counter_id else None
    return TicketOut(
        id=ticket.id,
        number=ticket.number,
        day=ticket.day,
        service=service.code,
        priority=ticket.priority,
        state=ticket.state,
        counter=counter.number if counter else None,
        issued_at=as_utc(ticket.issued_at),
        called_at=as_utc(ticket.called_at) if ticket.called_at else None,
        recalls=ticket.recalls,
        version=ticket.version,
    )


def counter_of(session: Session, device: Device) -> Counter:
    counter = session.get(Counter, device.counter_id) if device.counter_id else None
    if counter is None or counter.centre_id != device.centre_id:
        raise ApiError(403, "device.no_counter", "Not a counter device", "This device is not set up at a counter.")
    return counter


def _run(
    session: Session, work: Callable[[], Ticket], status_code: int = 200, *, device: Device | None = None
) -> Response:
    """``work`` in the request's transaction: committed and answered, or rolled back and mapped (a used-up
    range of numbers also raises the lead's alarm, in a transaction of its own). The answer is the
    ``TicketOut`` as JSON text already: FastAPI would validate the model again against ``response_model``
    and encode it twice over (a few tenths of a millisecond of every call)."""
    try:
        ticket = work()
        out = ticket_out(session, ticket)
    except DomainError as exc:
        session.rollback()
        if (
            isinstance(exc, SequenceExhausted)
            and device is not None
            and number_alarms.record_exhausted(session, exc, centre_id=device.centre_id, device_id=device.id,
                                               now=utcnow())
        ):  # fmt: skip
            session.commit()
        raise queue_error(exc) from None
    session.commit()
    return Response(out.model_dump_json(), status_code=status_code, media_type="application/json")


@router.post("/tickets", status_code=201, response_model=TicketOut, responses=ERRORS)
async def issue(
    request: Request,
    body: IssueIn,
    session: SessionDep,
    authorization: AuthorizationHeader = None,
    x_staff_session: StaffHeader = None,
) -> Response:
    """A new ticket of one of the centre's services. A kiosk issues without a staff session; any other
    device needs a staff member allowed ``ticket.issue``. A display device never issues."""
    # every kiosk press: one hop to the pool thread for all of it, as call-next
    async with ticket_writes(request):
        return await run_in_threadpool(_issue, body, session, authorization, x_staff_session)


def _issue(body: IssueIn, session: Session, authorization: str | None, staff_token: str | None) -> Response:
    device = authenticate(session, authorization, staff_token)
    staff = resolve_staff(session, device, staff_token)  # a wrong session is 401, even at a kiosk
    if device.kind == "display":
        raise ApiError(403, "auth.forbidden", "Not allowed", "A display device does not issue tickets.")
    if device.kind != "kiosk":
        if staff is None:
            raise ApiError(401, "auth.session_required", "Staff login required")
        check_action(staff, "ticket.issue")

    def work() -> Ticket:
        centre = authority.centre_of(session, device)
        service = queue.service_by_code(session, centre, body.service)
        user = staff.user if staff else None
        return queue.issue_ticket(session, centre, service, body.priority, utcnow(), device=device, user=user)

    return _run(session, work, status_code=201, device=device)  # a Response as is: the route's 201 is not applied


@router.post("/queue/call-next", response_model=TicketOut, responses=ERRORS)
async def call_next(
    request: Request,
    session: SessionDep,
    authorization: AuthorizationHeader = None,
    x_staff_session: StaffHeader = None,
) -> Response:
    """Claim the next waiting ticket of this counter's services (strict priority, then issue order)."""
    # The busiest route: device, staff and the call on one pool thread, where the usual dependencies
    # (``CurrentDevice``, ``CallStaff``) and a sync route cost two hops.
    async with ticket_writes(request):
        return await run_in_threadpool(_call_next, session, authorization, x_staff_session)


def _call_next(session: Session, authorization: str | None, staff_token: str | None) -> Response:
    device = authenticate(session, authorization, staff_token)
    staff = staff_allowed(session, device, staff_token, "queue.call")
    counter = counter_of(session, device)
    return _run(session, lambda: queue.call_next(session, counter, device, staff.user, utcnow()))


@router.post("/queue/tickets/{number}/call", response_model=TicketOut, responses=ERRORS)
def call_ticket(number: NumberPath, session: SessionDep, device: CurrentDevice, staff: CallStaff) -> Response:
    """Claim ticket ``number`` (waiting or held) for this counter."""
    counter = counter_of(session, device)
    return _run(session, lambda: queue.call_ticket(session, counter, number, utcnow(), device=device, user=staff.user))


@router.post("/queue/tickets/{number}/recall", response_model=TicketOut, responses=ERRORS)
def recall(number: NumberPath, session: SessionDep, device: CurrentDevice, staff: CallStaff) -> Response:
    """Call this counter's ticket again (the board repeats it)."""
    counter = counter_of(session, device)
    return _run(session, lambda: queue.recall(session, counter, number, utcnow(), device=device, user=staff.user))


@router.post("/queue/tickets/{number}/start", response_model=TicketOut, responses=ERRORS)
def start(number: NumberPath, session: SessionDep, device: CurrentDevice, staff: CallStaff) -> Response:
    """The citizen arrived at this counter: service starts."""
    counter = counter_of(session, device)
    return _run(session, lambda: queue.start(session, counter, number, utcnow(), device=device, user=staff.user))


@router.post("/queue/tickets/{number}/finish", response_model=TicketOut, responses=ERRORS)
def finish(number: NumberPath, session: SessionDep, device: CurrentDevice, staff: CallStaff) -> Response:
    """Service at this counter is done."""
    counter = counter_of(session, device)
    return _run(session, lambda: queue.finish(session, counter, number, utcnow(), device=device, user=staff.user))


@router.get("/queue/waiting", response_model=list[TicketOut], responses=ERRORS)
def waiting(session: SessionDep, device: CurrentDevice, _staff: CallStaff) -> list[TicketOut]:
    """Today's waiting tickets of this counter's services, in the order they will be called."""
    counter = counter_of(session, device)
    tickets = queue.waiting_in_call_order(session, counter, utcnow())
    services = session.scalars(select(QueueService).where(QueueService.centre_id == counter.centre_id))
    codes = {service.id: service.code for service in services}
    return [
        TicketOut(
            id=t.id,
            number=t.number,
            day=t.day,
            service=codes[t.service_id],
            priority=t.priority,
            state=t.state,
            counter=None,
            issued_at=as_utc(t.issued_at),
            called_at=None,
            recalls=t.recalls,
            version=t.version,
        )
        for t in tickets
    ]


class HandIn(BaseModel):
    size: Int32 = Field(default=3, ge=1, le=queue.MAX_HAND, description="tickets to hold for this counter")
    minutes: Int32 = Field(default=15, ge=1, le=int(queue.MAX_LEASE.total_seconds() // 60), description="lease time")


class HandOut(BaseModel):
    dealt_until: datetime
    tickets: list[TicketOut]


@router.post("/queue/hand", response_model=HandOut, responses=ERRORS)
def deal_hand(body: HandIn, session: SessionDep, device: CurrentDevice, staff: OptionalStaff) -> HandOut:
    """Deal this counter a hand: the next ``size`` waiting tickets of its services, held for it for
    ``minutes`` so it can call them if the network drops (SYNC.md §2 (a)); no other counter calls them
    meanwhile. Each deal replaces the counter's hand (asking again renews the lease) and holds, of each
    service, at most the counter's share of its waiting tickets (⌈waiting ÷ open counters serving it⌉).
    The counter's sync worker asks with the device credential alone (only for an open counter)."""
    if staff is not None and not role_allows(staff.user.role, "queue.call"):
        raise ApiError(403, "auth.forbidden", "Not allowed", "Your role does not allow this.")
    counter = counter_of(session, device)
    at = utcnow()
    try:
        tickets = queue.deal_hand(session, counter, body.size, timedelta(minutes=body.minutes), at)
        out = HandOut(
            dealt_until=at + timedelta(minutes=body.minutes), tickets=[ticket_out(session, t) for t in tickets]
        )
    except DomainError as exc:
        session.rollback()
        raise queue_error(exc) from None
    session.commit()
    return out


ROUTERS.append(router)
