"""The sync protocol (SYNC.md §4), device credential only: a counter syncs before anyone logs in (each
pushed op names its user, authorised at the op's time).

POST /v1/sync/hello     HelloRequest → HelloResponse (+ counter_epoch)
POST /v1/sync/push      PushRequest → PushResponse; 409 sync.gap {expected_seq} / sync.client_regressed
POST /v1/sync/pull      PullRequest → PullResponse
GET  /v1/sync/snapshot  ?space=&page= → one page of the space's entities as of one seq
GET  /v1/sync/wait      ?cursors=<space>@<cursor>…&timeout= → which spaces moved past their cursor

``client_id`` must be the device's own id (403 ``sync.client_mismatch``); a protocol outside the server's
range is 426 ``sync.protocol_unsupported`` with ``protocol_min``/``protocol_max`` in the problem body.
"""

from __future__ import annotations

import asyncio
import logging
import random
from contextlib import nullcontext
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import AwareDatetime, BaseModel, Field
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from counterapp.domain.errors import DomainError
from counterapp.protocol.messages import (
    MAX_PULL_LIMIT,
    HelloRequest,
    HelloResponse,
    InvalidCursor,
    InvalidSpace,
    PullRequest,
    PullResponse,
    PushRequest,
    PushResponse,
    SpaceName,
    decode_cursor,
    encode_cursor,
    parse_space,
)
from counterapp.server.auth import CurrentDevice, http_error, utcnow
from counterapp.server.db import SessionDep, end_session
from counterapp.server.errors import PROBLEM_JSON, ApiError, problem
from counterapp.server.event_guard import Holder, ended
from counterapp.server.events import EventHub, SubscriptionDropped
from counterapp.server.models.auth import Device
from counterapp.server.routes import ROUTERS
from counterapp.server.services import pull as pull_service
from counterapp.server.services import push as push_service
from counterapp.server.services import sync

log = logging.getLogger(__name__)
router = APIRouter(tags=["sync"])

HELLO_ERRORS: dict[int | str, dict[str, Any]] = {
    401: problem("No or wrong device credential"),
    403: problem("Device revoked (auth.device_revoked), or client_id is not this device (sync.client_mismatch)"),
    426: problem("Protocol not supported (sync.protocol_unsupported): protocol_min/protocol_max in the body"),
}


class HelloOut(HelloResponse):
    """``HelloResponse`` plus the device's counter assignment epoch: above the ``applied_epoch`` the counter
    sent, a reassignment is waiting to be pulled."""

    counter_epoch: Annotated[int | None, Field(ge=0, examples=[3])] = None
    device_key: Annotated[
        str | None,
        Field(description="the public key the server holds for this device; null: register one (PUT /v1/devices/key)"),
    ] = None


@router.post("/sync/hello", response_model=HelloOut, responses=HELLO_ERRORS)
def hello(body: HelloRequest, session: SessionDep, device: CurrentDevice) -> HelloOut | JSONResponse:
    """Say hello: record the device's app version, applied assignment epoch and last contact; answer with
    the server's clock (``server_time``, for the counter's offset), epoch, protocol range and limits."""
    try:
        result = sync.hello(session, device, body, utcnow())
    except sync.ProtocolUnsupported as exc:
        session.rollback()
        lowest, highest = exc.params["protocol_min"], exc.params["protocol_max"]
        detail = f"This server speaks sync protocol {lowest} to {highest}; update the app."
        content = {
            "type": "about:blank",
            "title": "Protocol not supported",
            "status": 426,
            "code": exc.code,
            "detail": detail,
            "protocol_min": lowest,
            "protocol_max": highest,
        }
        return JSONResponse(content, status_code=426, media_type=PROBLEM_JSON)
    except sync.ClientMismatch as exc:
        session.rollback()
        raise ApiError(403, exc.code, "Wrong client", "client_id is not the authenticated device's id.") from None
    except DomainError as exc:
        session.rollback()
        raise http_error(exc) from None
    lowest, highest = sync.protocol_range()
    out = HelloOut(
        server_time=result.server_time,
        server_epoch=sync.SERVER_EPOCH,
        protocol_min=lowest,
        protocol_max=highest,
        min_app_version=sync.MIN_APP_VERSION,
        retention_days=sync.RETENTION_DAYS,
        counter_epoch=result.counter_epoch,
        device_key=device.public_key,
    )
    log.info("device %s said hello (app %s, epoch %s)", device.id, device.app_version, device.applied_epoch)
    session.commit()
    return out


# --- push, pull, snapshot, wait --------------------------------------------------------------------------

RETRY_AFTER_S = 2
SYNC_ERRORS: dict[int | str, dict[str, Any]] = {
    401: problem("No or wrong device credential"),
    403: problem("Device revoked, client_id is not this device, or a space that is not this device's"),
    429: problem("Many counters are syncing (sync.busy): retry after Retry-After"),
    503: problem(
        "A transient database failure (sync.retry), or a push that waited too long for its turn (sync.busy): "
        "nothing was applied; retry after Retry-After"
    ),
}


def _problem(status: int, code: str, title: str, detail: str, **extra: Any) -> JSONResponse:
    content = {"type": "about:blank", "title": title, "status": status, "code": code, "detail": detail, **extra}
    return JSONResponse(content, status_code=status, media_type=PROBLEM_JSON)


def _sync_error(exc: DomainError) -> ApiError | DomainError:
    if isinstance(exc, sync.ClientMismatch):
        return ApiError(403, exc.code, "Wrong client", "client_id is not the authenticated device's id.")
    if isinstance(exc, pull_service.SpaceForbidden):
        return ApiError(403, exc.code, "Space forbidden", str(exc))
    if isinstance(exc, pull_service.InvalidPageToken):
        return ApiError(422, exc.code, "Invalid page token", str(exc), field="page")
    return http_error(exc)


def _retry_later() -> ApiError:
    return ApiError(
        503, "sync.retry", "Try again", "A transient database failure; nothing was applied.",
        headers={"Retry-After": str(RETRY_AFTER_S)},
    )  # fmt: skip


class PushGate:
    """At most ``slots`` pushes applied at once in one server process, the others waiting their turn in
    arrival order (``asyncio.Semaphore`` is first come, first served), for at most ``wait_s`` before a 503
    ``sync.busy`` with ``Retry-After``.

    Why: a city-wide reconnect brings every counter's outbox at once. Applied eight at a time per worker
    (the throttle's limit), each push's Python work competes for the GIL with the others and with the online
    calls' threads, and each holds a PostgreSQL connection: the drain goes no faster (the database and the
    cores are the limit) while an online call-next waits behind them (its p95 during a drain fell from
    9–18× its quiet p95 to 4–8× in ``test_sync_drain_live``). Two at a time keep the cores busy; the rest
    wait without a thread or a connection, served in order (only among the pushes the throttle lets in:
    beyond ``--sync-concurrency`` it still answers 429 at once)."""

    def __init__(self, slots: int, wait_s: float) -> None:
        self.slots, self.wait_s = slots, wait_s
        self._semaphore: asyncio.Semaphore | None = None  # made in the worker's own event loop

    @property
    def semaphore(self) -> asyncio.Semaphore:
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.slots)
        return self._semaphore


PUSH_SLOTS = 2  # pushes applied at once per worker (PostgreSQL; SQLite's writer gate already serialises)
# A push waits this long for its turn before it is told to come back later: well within the counter's
# 10 s request timeout (counterapp.protocol.client), which would otherwise give up on a push still queued
PUSH_WAIT_S = 5.0


def _push_gate(request: Request) -> PushGate | None:
    state = request.app.state
    if getattr(state, "push_gate", None) is None:
        engine = getattr(state, "engine", None)
        on_postgresql = engine is not None and engine.dialect.name == "postgresql"
        state.push_gate = PushGate(PUSH_SLOTS, PUSH_WAIT_S) if on_postgresql else False
    return state.push_gate or None


def _busy() -> ApiError:
    wait = random.randint(1, 3)  # jittered: the waiting counters do not all come back in the same second
    return ApiError(
        503, "sync.busy", "Busy", "Many counters are syncing; try again shortly.",
        headers={"Retry-After": str(wait)},
    )  # fmt: skip


@router.post(
    "/sync/push",
    response_model=PushResponse,
    responses={
        **SYNC_ERRORS,
        409: problem("sync.gap (expected_seq in the body) or sync.client_regressed (last_client_seq in the body)"),
    },
)
async def push(
    request: Request, body: PushRequest, session: SessionDep, device: CurrentDevice
) -> PushResponse | JSONResponse:
    """Apply a batch of the device's outbox, exactly once and in ``client_seq`` order; a result per op
    (``applied``, ``duplicate``, ``rejected`` or ``conflict``, with ``server_seq`` and a reason). Sending the
    same batch again returns the same results and changes nothing. When many counters push at once, a push
    waits its turn (503 ``sync.busy`` with ``Retry-After`` after ``PUSH_WAIT_S``)."""
    gate = _push_gate(request)
    if gate is None:
        return await run_in_threadpool(_push, body, session, device)
    semaphore = gate.semaphore
    if semaphore.locked():  # wait without holding a connection (the device check opened a transaction)
        await anyio.to_thread.run_sync(session.rollback, limiter=anyio.CapacityLimiter(1))
        try:
            await asyncio.wait_for(semaphore.acquire(), gate.wait_s)
        except TimeoutError:
            log.info("push of device %s waited %.0f s for its turn; told to retry", device.id, gate.wait_s)
            raise _busy() from None
    else:
        await semaphore.acquire()
    try:
        return await run_in_threadpool(_push, body, session, device)
    finally:
        semaphore.release()


def _push(body: PushRequest, session: Session, device: Device) -> PushResponse | JSONResponse:
    try:
        result = push_service.push(session, device, body, utcnow())
        session.commit()
    except push_service.Gap as exc:
        session.rollback()
        detail = f"Send ops from client_seq {exc.expected_seq}."
        return _problem(409, exc.code, "Gap in the device's ops", detail, expected_seq=exc.expected_seq)
    except push_service.ClientRegressed as exc:
        session.rollback()
        detail = "This device's database is older than what it already sent: enroll it again."
        return _problem(409, exc.code, "Client regressed", detail, last_client_seq=exc.last_client_seq)
    except DomainError as exc:
        session.rollback()
        raise _sync_error(exc) from None
    except OperationalError:
        session.rollback()
        log.warning("push of device %s failed transiently; the device retries", device.id)
        raise _retry_later() from None
    counts: dict[str, int] = {}
    for item in result.results:
        counts[item.status] = counts.get(item.status, 0) + 1
    log.info("device %s pushed to %s: %s", device.id, result.last_client_seq, counts)
    return PushResponse(last_client_seq=result.last_client_seq, results=result.results, server_time=utcnow())


@router.post("/sync/pull", response_model=PullResponse, responses=SYNC_ERRORS)
def pull(body: PullRequest, session: SessionDep, device: CurrentDevice) -> Response:
    """The changes of each requested space after its cursor, oldest first, at most ``limit`` in all;
    ``has_more`` when a space has more. Spaces whose cursor cannot continue are in ``reset_required``."""
    # The body is a PullResponse already serialised by the service (a Response skips FastAPI's validation
    # and re-encoding, most of a 500-change page's cost); response_model still documents it.
    try:
        content = pull_service.pull_json(session, device, body)
    except DomainError as exc:
        raise _sync_error(exc) from None
    finally:
        session.rollback()
    return Response(content, media_type="application/json")


class SnapshotRow(BaseModel):
    entity: str
    id: str
    version: int
    data: dict[str, Any] | None


class SnapshotOut(BaseModel):
    space: str
    as_of: Annotated[str, Field(description="the cursor to pull from after the last page")]
    rows: list[SnapshotRow]
    next_page: str | None = None


@router.get("/sync/snapshot", response_model=SnapshotOut, responses=SYNC_ERRORS)
def snapshot(
    session: SessionDep,
    device: CurrentDevice,
    space: Annotated[SpaceName, Query(description="centre:<id>, city or device:<id>")],
    page: Annotated[str | None, Query(max_length=400, pattern=r"^[A-Za-z0-9_=-]+$")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PULL_LIMIT)] = MAX_PULL_LIMIT,
) -> SnapshotOut:
    """The space's current entities, paged; every page is as of the first page's head (``as_of``)."""
    try:
        result = pull_service.snapshot(session, device, space, page, limit)
    except DomainError as exc:
        raise _sync_error(exc) from None
    finally:
        session.rollback()
    rows = [SnapshotRow.model_validate(row) for row in result.rows]
    return SnapshotOut(space=result.space, as_of=encode_cursor(result.as_of), rows=rows, next_page=result.next_page)


class WaitOut(BaseModel):
    changed: list[str]
    server_time: AwareDatetime


MAX_WAIT_S = 55.0
POLL_WITHOUT_HUB_S = 1.0


def _wanted(items: list[str]) -> dict[str, int]:
    wanted: dict[str, int] = {}
    for item in items:
        space, at, cursor = item.rpartition("@")
        if not at:
            raise RequestValidationError(
                [{"loc": ("query", "cursors"), "msg": "expected <space>@<cursor>", "type": "value_error"}]
            )
        try:
            wanted[str(parse_space(space))] = decode_cursor(cursor)
        except (InvalidSpace, InvalidCursor) as exc:
            raise RequestValidationError(
                [{"loc": ("query", "cursors"), "msg": str(exc), "type": "value_error"}]
            ) from None
    return wanted


def _moved(factory: sessionmaker[Session], wanted: dict[str, int]) -> list[str]:
    with factory() as session:
        now = pull_service.heads(session, list(wanted))
    return [space for space, after in wanted.items() if now[space][0] != after]


@router.get("/sync/wait", response_model=WaitOut, responses=SYNC_ERRORS)
async def wait(
    request: Request,
    session: SessionDep,
    device: CurrentDevice,
    cursors: Annotated[list[str], Query(min_length=1, max_length=3, description="<space>@<cursor>, repeated")],
    timeout: Annotated[float, Query(ge=0, le=MAX_WAIT_S)] = 25.0,
) -> WaitOut:
    """Long-poll: answers as soon as one of the spaces moves past its cursor (a poke: then pull), or with
    an empty list after ``timeout`` seconds; 403 ``auth.device_revoked`` within a second of the device's
    revocation (401 ``auth.device_invalid`` of its re-enrollment)."""
    wanted = _wanted(cursors)
    try:
        pull_service.check_spaces(device, list(wanted))
    except DomainError as exc:
        raise _sync_error(exc) from None
    centre_id = device.centre_id
    holder = Holder(device.id, device.secret_hash or "")
    await end_session(session)  # never hold a connection (on SQLite: the write lock) while waiting
    factory: sessionmaker[Session] = request.app.state.sessions
    hub: EventHub | None = getattr(request.app.state, "events", None)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    with hub.subscribe(centre_id, holder) if hub is not None else nullcontext() as subscription:
        changed = await run_in_threadpool(_moved, factory, wanted)
        while not changed and (left := deadline - loop.time()) > 0:
            if subscription is None:
                await asyncio.sleep(min(left, POLL_WITHOUT_HUB_S))
                _still_allowed(await run_in_threadpool(ended, request.app.state.engine, [holder], utcnow()))
            else:
                try:
                    poke = await subscription.get(timeout=left)
                except TimeoutError:
                    break
                except SubscriptionDropped:
                    _still_allowed({holder: subscription.ended_by} if subscription.ended_by else {})
                    break
                if poke.kind != "space.advanced" or poke.data.get("space") not in wanted:
                    continue
            changed = await run_in_threadpool(_moved, factory, wanted)
    return WaitOut(changed=sorted(changed), server_time=utcnow())


def _still_allowed(gone: dict[Holder, str]) -> None:
    """Answer the long-poll of a device revoked (or re-enrolled) meanwhile as its next request would be:
    within a second of the revocation (``counterapp.server.event_guard``), not at the timeout."""
    for reason in gone.values():
        raise http_error(DomainError(reason, code=reason))


ROUTERS.append(router)
