"""The first start of a counter PC (Qt-free): check the server address, enroll a fresh data directory with a
one-time code, and find out what it became — the centre, the counter, and whether the server speaks this
app's protocol. The wizard (``counterapp.gui.enroll_wizard``) runs these on its IO pool.

Every failure is a :class:`FirstRunFailed` whose ``code`` the wizard turns into one plain sentence for IT:

    connect.address   the address is not http(s)://host[:port]
    connect.dns       the server's name is not known (DNS)
    connect.refused   the PC answered, nothing listens on that port (server stopped, wrong port)
    connect.no_route  no route to the server (cable, Wi-Fi, VPN, wrong network)
    connect.timeout   no answer in time (firewall dropping packets, a server hung)
    connect.tls       the TLS certificate is not trusted or does not match (or https to a plain http port)
    connect.failed    any other transport failure
    connect.not_counterapp  something answers, but it is not a counterapp server (wrong port or path)
    connect.unhealthy the server answers but its database does not (or is not migrated)
    enrollment.code_invalid / enrollment.code_used / enrollment.code_expired   the code (server's codes)
    auth.throttled    too many wrong codes from this PC: wait ``seconds``
    auth.device_revoked  the code's device was revoked on the server
    sync.not_a_counter   the code is for a display or kiosk, not a counter
    sync.already_enrolled / sync.agency_mismatch   the data directory is not fresh

After a successful enrollment two things are *warnings* (the counter is enrolled, and works offline):
``protocol.server_too_old`` / ``protocol.server_too_new`` (outside each other's protocol range, or this
app below the server's ``min_app_version``) and ``install.counter_mismatch`` (the installer config named
another counter than the code gave). The code is spent by then: the hello that tells the protocol range
needs the device credential, so the range is only known once enrolled.
"""

from __future__ import annotations

import errno
import logging
import socket
import ssl
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx2
from sqlalchemy import func, select

import counterapp
from counterapp.domain.errors import DomainError
from counterapp.migrating import current_revision
from counterapp.protocol import client as protocol_client
from counterapp.protocol.client import Refused, RetryLater, SyncError, Unreachable
from counterapp.protocol.messages import PROTOCOL_MIN
from counterapp.services.configured_counter import remember_counter
from counterapp.store.database import Store, open_store
from counterapp.store.reference_models import ProcedureRow
from counterapp.sync.engine import local_now
from counterapp.sync.enrollment import AgencyMismatch, AlreadyEnrolled, NotACounter, client_for, enroll_store

log = logging.getLogger(__name__)

__all__ = ["Enrolled", "FirstRunFailed", "enroll_counter", "normalise_server", "probe_server", "transport_problem"]

PROBE_TIMEOUT_S = 8.0
SERVER_TOO_OLD = "protocol.server_too_old"
SERVER_TOO_NEW = "protocol.server_too_new"
COUNTER_MISMATCH = "install.counter_mismatch"
NOT_CHECKED = "protocol.not_checked"  # the hello after enrolling got no answer: checked at the first sync
APP_VERSION = counterapp.__version__  # compared with the server's min_app_version (tests lower it)


class FirstRunFailed(DomainError):
    """Enrollment did not happen; ``code`` says why (see the module docstring), params are not personal."""

    code = "connect.failed"


@dataclass(frozen=True, slots=True)
class Enrolled:
    """What the data directory became."""

    server_url: str
    device_id: str
    agency_code: str
    centre_name: str
    counter_number: str
    counter_name: str
    warnings: tuple[str, ...] = ()  # codes: protocol.*, install.counter_mismatch
    protocol: tuple[int, int] | None = None  # the server's protocol range, when the hello answered


def normalise_server(text: str) -> str:
    """``https://hcc.example/`` → ``https://hcc.example``; ``connect.address`` for anything not http(s)."""
    value = unicodedata.normalize("NFC", text).strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in value):
        raise FirstRunFailed("not an http(s) address", code="connect.address")
    try:
        _ = parts.port  # a port that is not a number raises here
    except ValueError:
        raise FirstRunFailed("not an http(s) address", code="connect.address") from None
    return value.rstrip("/")


def transport_problem(exc: BaseException) -> str:
    """The ``connect.*`` code for a transport failure, from the exception and its chain (httpx wraps the
    socket's error twice; ``Unreachable`` hides it behind ``from None`` but keeps it as ``__context__``)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    timed_out = False
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLError | ssl.CertificateError):
            return "connect.tls"
        if isinstance(current, socket.gaierror):
            return "connect.dns"
        if isinstance(current, ConnectionRefusedError):
            return "connect.refused"
        if isinstance(current, OSError) and current.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
            return "connect.no_route"
        if isinstance(current, httpx2.TimeoutException | TimeoutError | socket.timeout):
            timed_out = True
        current = current.__cause__ or current.__context__
    if timed_out:
        return "connect.timeout"
    text = str(exc).lower()  # some stacks only say it in words
    if "certificate" in text or "ssl" in text or "tls" in text:
        return "connect.tls"
    return "connect.failed"


def probe_server(server_url: str, *, http: httpx2.Client | None = None, timeout: float = PROBE_TIMEOUT_S) -> None:
    """Is a healthy counterapp server at this address? ``GET /healthz`` (no credential, spends no code)."""
    url = normalise_server(server_url)
    client = http or httpx2.Client(timeout=timeout)
    try:
        try:
            response = client.get(f"{url}/healthz", timeout=timeout)
        except httpx2.HTTPError as exc:
            code = transport_problem(exc)
            log.info("first start: the server does not answer (%s, %s)", code, type(exc).__name__)
            raise FirstRunFailed(f"no answer from the server ({code})", code=code) from None
    finally:
        if http is None:
            client.close()
    body = _json(response)
    if response.status_code == 503 and str(body.get("code", "")).startswith("health."):
        raise FirstRunFailed("the server's database does not answer", code="connect.unhealthy")
    if response.status_code != 200 or body.get("status") != "ok" or "revision" not in body:
        raise FirstRunFailed(f"not a counterapp server (HTTP {response.status_code})", code="connect.not_counterapp")


def _json(response: httpx2.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _enroll_failure(exc: Exception) -> FirstRunFailed:
    if isinstance(exc, RetryLater):
        if exc.code == "auth.throttled":
            seconds = max(1, int(exc.seconds + 0.99))
            return FirstRunFailed("too many wrong codes", code="auth.throttled", seconds=seconds)
        return FirstRunFailed("the server is busy", code="connect.timeout")
    if isinstance(exc, Unreachable):
        return FirstRunFailed(str(exc), code=transport_problem(exc))
    if isinstance(exc, Refused):
        if exc.code.startswith("enrollment.code_") or exc.code == "auth.device_revoked":
            return FirstRunFailed(exc.code, code=exc.code)
        if exc.status == 404:
            return FirstRunFailed("not a counterapp server", code="connect.not_counterapp")
        return FirstRunFailed(f"the server refused the enrollment ({exc.code})", code="connect.failed", detail=exc.code)
    if isinstance(exc, NotACounter | AlreadyEnrolled | AgencyMismatch):
        return FirstRunFailed(str(exc), code=exc.code)
    raise exc


def _version(text: str) -> tuple[int, ...]:
    numbers = []
    for part in text.split("+")[0].split("-")[0].split("."):
        if not part.isdigit():
            break
        numbers.append(int(part))
    return tuple(numbers)


def protocol_warning(sent: int, server_min: int, server_max: int, min_app_version: str = "") -> str | None:
    """``sent``: the protocol this app speaks (it sends its highest); None when the two can talk."""
    if sent > server_max and server_max < PROTOCOL_MIN:  # we cannot step down to what it speaks
        return SERVER_TOO_OLD
    if sent < server_min:
        return SERVER_TOO_NEW
    if min_app_version and _version(APP_VERSION) < _version(min_app_version):
        return SERVER_TOO_NEW
    return None


def _refused_hello(exc: Refused, sent: int) -> str:
    if exc.code == "sync.protocol_unsupported":
        server_min = int(exc.body.get("protocol_min", sent))
        server_max = int(exc.body.get("protocol_max", sent))
        return SERVER_TOO_NEW if sent < server_min else SERVER_TOO_OLD if sent > server_max else NOT_CHECKED
    return NOT_CHECKED


def enroll_counter(
    data_dir: Path,
    server_url: str,
    code: str,
    *,
    expected_counter: str = "",
    http: httpx2.Client | None = None,
    probe_timeout: float = PROBE_TIMEOUT_S,
    now: datetime | None = None,
) -> Enrolled:
    """Probe the server, enroll ``data_dir`` (created if needed) with ``code``, give it the bundled
    catalogue (as ``counterapp enroll``), record it as this PC's counter, then say hello to learn the
    protocol range. Blocking: run it off the GUI thread. Raises :class:`FirstRunFailed`."""
    from counterapp.datafiles.catalogue import demo_catalogue
    from counterapp.services.catalogue import replace_catalogue

    url = normalise_server(server_url)
    code = unicodedata.normalize("NFC", code).strip()
    if not code:
        raise FirstRunFailed("no code", code="enrollment.code_invalid")
    probe_server(url, http=http, timeout=probe_timeout)
    store = open_store(data_dir)
    try:
        try:
            credential = enroll_store(store, data_dir, url, code, now=now or local_now(), http=http)
        except (SyncError, NotACounter, AlreadyEnrolled, AgencyMismatch) as exc:
            raise _enroll_failure(exc) from None
        with store.write() as session:  # the city space does not carry the catalogue yet: the bundled one
            if not session.scalar(select(func.count()).select_from(ProcedureRow)):
                replace_catalogue(session, demo_catalogue())
        remember_counter(data_dir)  # the next start (and the CLI) finds this counter without being told
        log.info("first start: enrolled as device %s of %s", credential.device_id, credential.agency_code)
        client = client_for(credential, http=http)
        try:
            return _describe(store, client, credential.server_url, expected_counter)
        finally:
            client.close()
    finally:
        store.close()


def _describe(store: Store, client: protocol_client.ServerClient, server_url: str, expected_counter: str) -> Enrolled:
    """The centre and counter from ``GET /v1/me``, and the protocol range from a hello (its answer is not
    stored: the sync engine's first round says hello again and measures the clock)."""
    from counterapp.services.device import get_device

    with store.read() as session:
        device = get_device(session)
    centre_name, counter_name, counter_number = "", "", device.counter_number
    warnings: list[str] = []
    protocol: tuple[int, int] | None = None
    sent: int = vars(protocol_client)["PROTOCOL_MAX"]  # read at call time: what ``ServerClient.hello`` sends
    try:
        me = client.me()["device"]
        centre_name = str(me["centre"].get("name") or "")
        if me.get("counter"):
            counter_name = str(me["counter"].get("name") or "")
            counter_number = str(me["counter"].get("number") or counter_number)
        answer, _raw = client.hello(current_revision(store.write_engine) or "0", 0)
        protocol = (answer.protocol_min, answer.protocol_max)
        problem = protocol_warning(sent, answer.protocol_min, answer.protocol_max, answer.min_app_version)
        if problem:
            warnings.append(problem)
    except Refused as exc:
        warnings.append(_refused_hello(exc, sent))
    except SyncError as exc:
        log.info("first start: enrolled, but the hello got no answer (%s)", type(exc).__name__)
        warnings.append(NOT_CHECKED)
    if expected_counter and _counter_key(expected_counter) != _counter_key(counter_number):
        warnings.append(COUNTER_MISMATCH)
    return Enrolled(server_url, device.device_id, device.agency_code, centre_name, counter_number, counter_name,
                    tuple(warnings), protocol)  # fmt: skip


def _counter_key(number: str) -> str:
    """``05`` is counter 5 (the installer writes ``/COUNTER=05`` as 5; IT may type either in the file)."""
    text = number.strip().casefold()
    return str(int(text)) if text.isdigit() else text
