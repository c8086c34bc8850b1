"""Plain ASGI middlewares around every request:

* ``CatchAllMiddleware``: any exception no handler took becomes 500 ``server.error`` problem+json. The log
  line names the exception types, the method and the route template with the traceback's frames, but
  never an exception message, the URL's values or the body: those may hold citizens' personal data.
* ``SyncThrottleMiddleware``: at most N sync requests in progress per process, the rest told 429 to retry.
* ``ServerTimingMiddleware``: every answer says how long the server worked on it (``Server-Timing: app;
  dur=<ms>``, from the request reaching the app to the answer's headers), so a slow answer seen by a
  counter or a monitor can be told apart from a slow network or a busy client machine.
* ``BodyLimitMiddleware``: a body over the limit gets 413 ``request.too_large`` problem+json, whether it
  announces its size (``Content-Length``) or streams (chunked): the body is read up to the limit before
  the app sees it, and never further.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from time import perf_counter_ns

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from counterapp.redaction import redacted_traceback
from counterapp.server.errors import internal_error_response, problem_response

log = logging.getLogger("counterapp.server")


def at_response_start(send: Send, hook: Callable[[Message], Message]) -> Send:
    """``send``, with ``hook`` seeing (and possibly changing) the answer's ``http.response.start``."""

    async def watched(message: Message) -> None:
        await send(hook(message) if message["type"] == "http.response.start" else message)

    return watched


class CatchAllMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        def note_start(message: Message) -> Message:
            nonlocal started
            started = True
            return message

        try:
            await self.app(scope, receive, at_response_start(send, note_start))
        except Exception as exc:
            # The route's template (within its router), never the URL: its values may be personal data.
            route = scope.get("route")
            where = f"{getattr(route, 'path', '?')} ({getattr(route, 'name', '?')})" if route else "(no route)"
            log.error(
                "unhandled %s in %s %s\n%s", type(exc).__qualname__, scope["method"], where, redacted_traceback(exc)
            )
            if started:  # too late for an error body: let the server drop the connection
                raise
            await internal_error_response()(scope, receive, send)


class ServerTimingMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = perf_counter_ns()

        def add_timing(message: Message) -> Message:
            took_ms = (perf_counter_ns() - began) / 1e6
            headers = [*message.get("headers", ()), (b"server-timing", f"app;dur={took_ms:.2f}".encode("ascii"))]
            return {**message, "headers": headers}

        await self.app(scope, receive, at_response_start(send, add_timing))


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._declared_length(scope) > self.max_body_bytes:
            await self._too_large(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: pass that on
                await self.app(scope, _replay([message], receive), send)
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                await self._too_large(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, _replay([body], receive), send)

    @staticmethod
    def _declared_length(scope: Scope) -> int:
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    return int(value)
                except ValueError:
                    return 0  # the server rejects a malformed length itself; streamed bytes are still counted
        return 0

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        detail = f"The request body is larger than {self.max_body_bytes} bytes."
        response = problem_response(413, "request.too_large", "Request body too large", detail)
        response.headers["Connection"] = "close"
        await response(scope, receive, send)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replayed() -> Message:
        return pending.pop(0) if pending else await receive()

    return replayed


THROTTLED_PATHS = frozenset({"/v1/sync/push", "/v1/sync/pull", "/v1/sync/snapshot"})


class SyncThrottleMiddleware:
    """At most ``limit`` push/pull/snapshot requests in progress per server process; one more is answered
    at once with 429 ``sync.busy`` and a jittered ``Retry-After`` (SYNC.md §3 R5: fifty counters coming
    back after an outage drain one after the other instead of piling on the database). The counter's
    sync worker waits that long and tries again; nothing is lost, the outbox keeps every op."""

    def __init__(self, app: ASGIApp, *, limit: int, retry_after_s: tuple[int, int] = (1, 3)) -> None:
        self.app, self.limit, self.retry_after_s = app, limit, retry_after_s
        self.in_flight = 0
        self._rng = random.Random()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in THROTTLED_PATHS:
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.limit:
            wait = self._rng.randint(*self.retry_after_s)
            response = problem_response(
                429, "sync.busy", "Busy", "Many counters are syncing; try again shortly.",
                headers={"Retry-After": str(wait)},
            )  # fmt: skip
            await response(scope, receive, send)
            return
        self.in_flight += 1  # one event loop per process: no lock needed
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
