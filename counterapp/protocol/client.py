"""The counter's HTTP client for the central server (SYNC.md §4): one method per endpoint, the device
credential on every request, and the failures sorted the way the sync loop must treat them:

* ``Unreachable`` — no answer (refused, reset, timed out, cut mid-response) or a 5xx: retry later with
  backoff; whatever the server did may or may not have happened, which the protocol makes harmless;
* ``RetryLater`` — 429/503 with ``Retry-After``: the server asked us to wait that long;
* ``Gap`` / ``ClientRegressed`` — push refused with 409 (the engine resends / flags the counter);
* ``Refused`` — any other 4xx problem: a permanent answer with its stable ``code``.

Qt-free and synchronous: the engine runs it in its own worker thread. Tests pass a Starlette
``TestClient`` (an ``httpx2.Client``) to talk to an in-process server.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx2

from counterapp import __version__
from counterapp.protocol.messages import (
    PROTOCOL_MAX,
    HelloRequest,
    HelloResponse,
    PullRequest,
    PullResponse,
    PushRequest,
    PushResponse,
    push_body,
)

DEFAULT_TIMEOUT_S = 10.0
# An online dossier code is taken while the citizen waits at the counter: on a dying network the offline
# lease must take over after a moment, not after the sync loop's 10 s per phase.
NEXT_CODE_TIMEOUT_S = 2.5
STAFF_HEADER = "X-Staff-Session"  # the staff session a route needs besides the device credential
# An idle connection is reused for 60 s (httpx: 5 s), so a call-next a minute after the last request does
# not wait for a new connection; the server keeps its side for 75 s (``server.config.DEFAULT_KEEP_ALIVE_S``).
KEEPALIVE_S = 60.0
LIMITS = httpx2.Limits(keepalive_expiry=KEEPALIVE_S)


class SyncError(Exception):
    """Base of the sync client's failures; ``str()`` never holds a secret or personal data."""


class Unreachable(SyncError):
    pass


class RetryLater(SyncError):
    """The server asked to wait ``seconds`` (``Retry-After``). ``code`` tells why, from the problem body:
    ``sync.busy``/``sync.retry`` (try again, perhaps offline meanwhile) or ``auth.throttled`` (too many
    wrong passwords: not a reason to fall back to the offline verifier)."""

    def __init__(self, seconds: float, message: str, *, status: int = 503, code: str = "") -> None:
        super().__init__(message)
        self.seconds, self.status, self.code = seconds, status, code


class Refused(SyncError):
    def __init__(self, status: int, code: str, detail: str, body: dict[str, Any] | None = None) -> None:
        super().__init__(f"{status} {code}: {detail}")
        self.status, self.code, self.detail, self.body = status, code, detail, body or {}


class Gap(Refused):
    @property
    def expected_seq(self) -> int:
        return int(self.body["expected_seq"])


class ClientRegressed(Refused):
    pass


@dataclass(frozen=True, slots=True)
class Enrollment:
    device_id: str
    credential: str
    kind: str
    agency_code: str
    centre_id: str
    counter_number: str | None
    # The device's push watermark on the server: a fresh data directory numbers its ops after it (a device
    # enrolled again on a replaced PC continues its sequence). 0 from a server older than the field.
    last_client_seq: int = 0


def _retry_after(response: httpx2.Response) -> float:
    try:
        return max(0.0, float(response.headers.get("Retry-After", "1")))
    except ValueError:
        return 1.0


def _problem(response: httpx2.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = {}
    return body if isinstance(body, dict) else {}


def _raise_for(response: httpx2.Response) -> None:
    status = response.status_code
    if status < 400:
        return
    if status in (429, 503):
        code = str(_problem(response).get("code", ""))
        raise RetryLater(
            _retry_after(response), f"the server asked to retry later ({status})", status=status, code=code
        )
    if status >= 500:
        raise Unreachable(f"server error {status}")
    body = _problem(response)
    code, detail = str(body.get("code", "http.error")), str(body.get("detail") or body.get("title") or "")
    if code == "sync.gap":
        raise Gap(status, code, detail, body)
    if code == "sync.client_regressed":
        raise ClientRegressed(status, code, detail, body)
    raise Refused(status, code, detail, body)


class ServerClient:
    """The endpoints a counter device uses, with its credential. ``http`` may be shared (keep-alive)."""

    def __init__(
        self,
        base_url: str,
        device_id: str,
        credential: str,
        *,
        http: httpx2.Client | None = None,
        timeout: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.device_id = device_id
        self._auth = {"Authorization": f"Device {device_id}.{credential}"}
        self._http = http or httpx2.Client(timeout=timeout, limits=LIMITS)
        self._owns_http = http is None
        self.timeout = timeout

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def _request(
        self, method: str, path: str, *, timeout: float | None = None, staff_token: str | None = None, **kwargs: Any
    ) -> httpx2.Response:
        if timeout is not None:  # the long-poll and the online code set their own; the default covers the rest
            kwargs["timeout"] = timeout
        try:
            headers = {**self._auth, "Content-Type": "application/json"} if "content" in kwargs else self._auth
            if staff_token is not None:
                headers = {**headers, STAFF_HEADER: staff_token}
            response = self._http.request(method, f"{self.base_url}{path}", headers=headers, **kwargs)
        except httpx2.HTTPError as exc:  # refused, reset, timed out, cut mid-response, bad chunking
            raise Unreachable(f"no answer from the server ({type(exc).__name__})") from None
        _raise_for(response)
        return response

    def _json(self, response: httpx2.Response) -> Any:
        try:
            return response.json()
        except ValueError:  # a cut response that still parsed as HTTP
            raise Unreachable("the server's answer was cut") from None

    # --- endpoints ---

    def hello(self, schema_version: str, applied_epoch: int) -> tuple[HelloResponse, dict[str, Any]]:
        body = HelloRequest(
            client_id=self.device_id,
            app_version=__version__,
            protocol=PROTOCOL_MAX,
            schema_version=schema_version,
            applied_epoch=applied_epoch,
        )
        data = self._json(self._request("POST", "/v1/sync/hello", content=body.model_dump_json()))
        return HelloResponse.model_validate(data), data

    def push(self, request: PushRequest) -> PushResponse:
        response = self._request("POST", "/v1/sync/push", content=push_body(request))
        return PushResponse.model_validate(self._json(response))

    def pull(self, request: PullRequest) -> PullResponse:
        response = self._request("POST", "/v1/sync/pull", content=request.model_dump_json())
        return PullResponse.model_validate(self._json(response))

    def snapshot(self, space: str, page: str | None = None) -> dict[str, Any]:
        params = {"space": space} | ({"page": page} if page else {})
        data: dict[str, Any] = self._json(self._request("GET", "/v1/sync/snapshot", params=params))
        return data

    def wait(self, cursors: dict[str, str], timeout: float) -> list[str]:
        params = {"cursors": [f"{space}@{cursor}" for space, cursor in cursors.items()], "timeout": timeout}
        data = self._json(self._request("GET", "/v1/sync/wait", params=params, timeout=timeout + self.timeout))
        return [str(space) for space in data.get("changed", [])]

    def lease(self, kind: str, scope: str | None, day: str, count: int) -> dict[str, Any]:
        body = {"kind": kind, "scope": scope, "day": day, "count": count}
        data: dict[str, Any] = self._json(self._request("POST", "/v1/codes/lease", json=body))
        return data

    def leases(self, since: str) -> list[dict[str, Any]]:
        data: list[dict[str, Any]] = self._json(self._request("GET", "/v1/codes/leases", params={"since": since}))
        return data

    def next_code(
        self,
        kind: str,
        *,
        staff_token: str,
        scope: str | None = None,
        day: str | None = None,
        timeout: float = NEXT_CODE_TIMEOUT_S,
    ) -> dict[str, Any]:
        """The next number of today's dense online range: ``{"kind", "scope", "day", "number", "code"}``.
        ``kind`` is ``dossier`` or ``ticket``; ``day`` (ISO) must be the server's today. A short timeout:
        the caller falls back to its offline lease when this raises ``Unreachable``."""
        body = {"kind": kind, "scope": scope, "day": day}
        response = self._request("POST", "/v1/codes/next", json=body, staff_token=staff_token, timeout=timeout)
        data: dict[str, Any] = self._json(response)
        return data

    def void_codes(
        self, kind: str, day: str, numbers: list[int], reason: str, *, staff_token: str, scope: str | None = None
    ) -> dict[str, Any]:
        """Record numbers handed out but never printed as gaps: ``{"recorded": [...], "already": [...]}``
        (reporting a number again is not an error)."""
        body = {"kind": kind, "scope": scope, "day": day, "numbers": numbers, "reason": reason}
        data: dict[str, Any] = self._json(self._request("POST", "/v1/codes/voids", json=body, staff_token=staff_token))
        return data

    def login(self, username: str, password: str) -> dict[str, Any]:
        """A staff session on this device: ``{"token", "expires_at", "user": {id, username, full_name, role}}``.
        A wrong password is ``Refused`` with code ``auth.invalid_credentials``."""
        body = {"username": username, "password": password}
        data: dict[str, Any] = self._json(self._request("POST", "/v1/sessions", json=body))
        return data

    def me(self) -> dict[str, Any]:
        """This device as the server knows it: ``{"device": {id, kind, name, centre: {id, agency_code, name},
        counter: {id, number, name} | null}, "staff": null}`` (the first start shows the centre and counter)."""
        data: dict[str, Any] = self._json(self._request("GET", "/v1/me"))
        return data

    def register_key(self, public_key: str) -> None:
        """Register this device's Ed25519 public key (a device enrolled before device keys). ``Refused``
        with ``device.key_exists`` when the server holds another one."""
        self._request("PUT", "/v1/devices/key", json={"public_key": public_key})

    def deal_hand(self, size: int, minutes: int) -> dict[str, Any]:
        data: dict[str, Any] = self._json(
            self._request("POST", "/v1/queue/hand", json={"size": size, "minutes": minutes})
        )
        return data


def enroll(
    base_url: str,
    code: str,
    *,
    http: httpx2.Client | None = None,
    name: str | None = None,
    public_key: str | None = None,
    first_client_seq: int | None = None,
) -> Enrollment:
    """Trade a one-time enrollment code for this device's identity and credential; ``public_key`` is the
    device's Ed25519 key for its exports (``counterapp.protocol.device_key``). ``first_client_seq``: the
    lowest sequence number of the ops the enrolling directory already holds (None: it holds none); the
    server refuses (409 ``enrollment.sequence_taken``) when the device already pushed that far. An older
    server ignores the field (requests to it carry no unknown field otherwise)."""
    client = http or httpx2.Client(timeout=DEFAULT_TIMEOUT_S)
    body: dict[str, Any] = {"code": code.strip(), "app_version": __version__, "name": name}
    if public_key is not None:
        body["public_key"] = public_key
    if first_client_seq is not None:
        body["first_client_seq"] = first_client_seq
    try:
        try:
            response = client.post(f"{base_url.rstrip('/')}/v1/devices/enroll", json=body)
        except httpx2.HTTPError as exc:
            raise Unreachable(f"no answer from the server ({type(exc).__name__})") from None
        _raise_for(response)
        data = response.json()
    finally:
        if http is None:
            client.close()
    counter = data.get("counter") or {}
    return Enrollment(
        device_id=data["device_id"],
        credential=data["credential"],
        kind=data["kind"],
        agency_code=data["centre"]["agency_code"],
        centre_id=data["centre"]["id"],
        counter_number=counter.get("number"),
        last_client_seq=_watermark(data.get("last_client_seq")),
    )


def _watermark(value: Any) -> int:
    """The enrollment answer's ``last_client_seq``: absent (an older server) or not a count is 0, the
    behaviour before the field."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0
