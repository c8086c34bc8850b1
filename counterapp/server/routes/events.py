"""Live events as Server-Sent Events (DESIGN.md §3 rule 5): a poke for boards and counters; pull stays the truth.

GET /v1/events   (device[, staff])   text/event-stream of this device's centre's events

    retry: 3000

    id: 0198…
    event: assignment.changed
    data: {"id":"0198…","centre_id":"…","kind":"assignment.changed","at":"…","data":{"counter":"1",…}}

    : heartbeat            (a comment every ~15 s, so proxies and clients see the stream is alive)

The stream ends when the server drops a subscriber that fell behind; the client reconnects (after the
``retry`` hint) and pulls, since events may have been missed. ``Last-Event-ID`` is not replayed. It also
ends (after a comment ``: ended <code>``) within a second of the device's revocation or of the end of the
staff session it was opened with (``counterapp.server.event_guard``); reconnecting then answers 401/403.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from counterapp.server.auth import CurrentDevice, OptionalStaff
from counterapp.server.db import SessionDep, end_session
from counterapp.server.errors import ApiError, problem
from counterapp.server.event_guard import Holder
from counterapp.server.events import Event, EventHub, SubscriptionDropped
from counterapp.server.routes import ROUTERS

router = APIRouter(tags=["events"])

HEARTBEAT_S = 15.0
RETRY_MS = 3000
EVENT_STREAM = "text/event-stream"


def sse_frame(event: Event) -> str:
    return f"id: {event.id}\nevent: {event.kind}\ndata: {event.to_json()}\n\n"


async def event_stream(
    hub: EventHub, centre_id: str, heartbeat: float = HEARTBEAT_S, holder: Holder | None = None
) -> AsyncIterator[str]:
    with hub.subscribe(centre_id, holder) as subscription:
        yield f"retry: {RETRY_MS}\n: connected\n\n"
        while True:
            try:
                event = await subscription.get(timeout=heartbeat)
            except TimeoutError:
                yield ": heartbeat\n\n"
                continue
            except SubscriptionDropped:
                if subscription.ended_by is not None:  # a comment: clients ignore it; reconnecting answers why
                    yield f": ended {subscription.ended_by}\n\n"
                return
            yield sse_frame(event)


@router.get(
    "/events",
    response_class=StreamingResponse,
    responses={
        200: {"description": "Server-Sent Events", "content": {EVENT_STREAM: {}}},
        401: problem("No or wrong device credential"),
        403: problem("Device revoked"),
        503: problem("Live events are not running"),
    },
)
async def events(
    request: Request, session: SessionDep, device: CurrentDevice, staff: OptionalStaff
) -> StreamingResponse:
    """This device's centre's live events (``ticket.issued``, ``ticket.called``, ``ticket.recalled``,
    ``assignment.changed``), without personal data. The stream ends within a second of the device's
    revocation (or re-enrollment) and, if it was opened with a staff session, of that session's end (logout,
    expiry, the user's deactivation); no event committed after that reaches it."""
    centre_id = device.centre_id
    holder = Holder(device.id, device.secret_hash or "", staff.session.token_hash if staff is not None else None)
    # The request's session would otherwise stay open for the stream (on SQLite: its place at the gate).
    await end_session(session)
    hub: EventHub | None = getattr(request.app.state, "events", None)
    if hub is None:
        raise ApiError(503, "events.unavailable", "Live events unavailable")
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    stream = event_stream(hub, centre_id, holder=holder)
    return StreamingResponse(stream, media_type=EVENT_STREAM, headers=headers)


ROUTERS.append(router)
