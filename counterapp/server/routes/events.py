"""Live events as Server-Sent Events (DESIGN.md §3 rule 5): a poke for boards and counters; pull stays the truth.

GET /v1/events   (device)   text/event-stream of this device's centre's events

    retry: 3000

    id: 0198…
    event: assignment.changed
    data: {"id":"0198…","centre_id":"…","kind":"assignment.changed","at":"…","data":{"counter":"1",…}}

    : heartbeat            (a comment every ~15 s, so proxies and clients see the stream is alive)

The stream ends when the server drops a subscriber that fell behind; the client reconnects (after the
``retry`` hint) and pulls, since events may have been missed. ``Last-Event-ID`` is not replayed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from counterapp.server.auth import CurrentDevice
from counterapp.server.db import SessionDep, end_session
from counterapp.server.errors import ApiError, problem
from counterapp.server.events import Event, EventHub, SubscriptionDropped
from counterapp.server.routes import ROUTERS

router = APIRouter(tags=["events"])

HEARTBEAT_S = 15.0
RETRY_MS = 3000
EVENT_STREAM = "text/event-stream"


def sse_frame(event: Event) -> str:
    return f"id: {event.id}\nevent: {event.kind}\ndata: {event.to_json()}\n\n"


async def event_stream(hub: EventHub, centre_id: str, heartbeat: float = HEARTBEAT_S) -> AsyncIterator[str]:
    with hub.subscribe(centre_id) as subscription:
        yield f"retry: {RETRY_MS}\n: connected\n\n"
        while True:
            try:
                event = await subscription.get(timeout=heartbeat)
            except TimeoutError:
                yield ": heartbeat\n\n"
                continue
            except SubscriptionDropped:
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
async def events(request: Request, session: SessionDep, device: CurrentDevice) -> StreamingResponse:
    """This device's centre's live events (``ticket.issued``, ``ticket.called``, ``ticket.recalled``,
    ``assignment.changed``), without personal data."""
    centre_id = device.centre_id
    # The request's session would otherwise stay open for the stream (on SQLite: its place at the gate).
    await end_session(session)
    hub: EventHub | None = getattr(request.app.state, "events", None)
    if hub is None:
        raise ApiError(503, "events.unavailable", "Live events unavailable")
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(event_stream(hub, centre_id), media_type=EVENT_STREAM, headers=headers)


ROUTERS.append(router)
