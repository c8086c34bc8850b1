"""Revocation ends everything at once (issue 15 §5), against real server processes (two on PostgreSQL, the
revocation and the later event each reaching them through the database and LISTEN/NOTIFY): an open event
stream of a revoked device ends within a second and hears no event committed after the revocation; so
does its ``/v1/sync/wait`` (answered 403 at once, not at its timeout); a stream opened with a staff session
ends when that user is deactivated, while the device's own stream goes on."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from sqlalchemy.orm import Session, sessionmaker

from counterapp.protocol.messages import START_CURSOR
from counterapp.server import cli
from counterapp.server.models.org import Centre
from counterapp.server.services import users
from counterapp.server.services.users import user_by_username
from tests.server.authkit import CENTRE_A, Enrolled, make_centre, now
from tests.server.test_events import enroll_lead, servers  # noqa: F401  (``servers`` is a fixture)

# slow: real server processes (10-30 s of set-up on PostgreSQL), and every test measures a deadline of a
# second that holds only on a machine the test has to itself; `make test-slow` runs them serially
pytestmark = pytest.mark.slow

STREAM_TIMEOUT = httpx2.Timeout(5.0, read=4.0)  # every read bounded: a stream that does not end fails the test


def revoke(url: str, device: Enrolled) -> None:
    """As IT would: ``counterapp-server admin revoke-device`` (a process of its own on the database)."""
    assert cli.main(["admin", "revoke-device", device.device_id, "--database-url", url]) == 0


def reassign(base: str, lead: Enrolled, token: str, services: list[str]) -> None:
    """A lead reassigns counter 2: an ``assignment.changed`` event for the whole centre."""
    put = httpx2.put(
        f"{base}/v1/centre/counters/2/services", json={"services": services}, headers=lead.staff(token), timeout=5
    )
    assert put.status_code == 200, put.text


def open_stream(client: httpx2.Client, base: str, headers: dict[str, str]) -> Any:
    return client.stream("GET", f"{base}/v1/events", headers=headers)


def subscribed(lines: Iterator[str]) -> None:
    assert next(lines).startswith("retry:")  # the hub holds the subscription from here on
    assert next(lines) == ": connected"
    assert next(lines) == ""


def heard_before(lines: Iterator[str], kinds: set[str]) -> None:
    """Read the stream until each of ``kinds`` was heard once."""
    waiting = set(kinds)
    while waiting:
        line = next(lines)
        if line.startswith("event: "):
            waiting.discard(line.removeprefix("event: "))


def rest_of(lines: Iterator[str]) -> list[str]:
    """Everything the stream still sends until it ends (``ReadTimeout`` if it does not end)."""
    return list(lines)


def events_in(lines: list[str]) -> list[str]:
    return [line.removeprefix("event: ") for line in lines if line.startswith("event:")]


def test_a_revoked_devices_stream_ends_within_a_second_and_hears_no_later_event(
    server_db: str,
    server_sessions: sessionmaker[Session],
    servers: list[str],  # noqa: F811
):
    # GIVEN a board's stream on the last server process, and a lead on the first
    make_centre(server_sessions, CENTRE_A)
    publisher, subscriber = servers[0], servers[-1]
    lead, token = enroll_lead(publisher, server_sessions, CENTRE_A)
    board, _ = enroll_lead(subscriber, server_sessions, CENTRE_A)
    with httpx2.Client(timeout=STREAM_TIMEOUT) as client, open_stream(client, subscriber, board.headers) as stream:
        lines = stream.iter_lines()
        subscribed(lines)
        reassign(publisher, lead, token, ["KD"])  # before the revocation: heard, both of its events
        heard_before(lines, {"assignment.changed", "space.advanced"})
        # WHEN the device is revoked, and an event is committed right after
        revoke(server_db, board)
        revoked_at = time.monotonic()
        reassign(publisher, lead, token, ["HTCT"])
        # THEN the stream ends within a second, with nothing of the later event
        rest = rest_of(lines)
        took = time.monotonic() - revoked_at
    assert took < 1.0, took
    assert events_in(rest) == [], rest
    assert ": ended auth.device_revoked" in rest
    # AND a new stream is refused
    again = httpx2.get(f"{subscriber}/v1/events", headers=board.headers, timeout=5)
    assert (again.status_code, again.json()["code"]) == (403, "auth.device_revoked")


def test_a_quiet_stream_of_a_revoked_device_ends_within_a_second(
    server_db: str,
    server_sessions: sessionmaker[Session],
    servers: list[str],  # noqa: F811
):
    make_centre(server_sessions, CENTRE_A)
    board, _ = enroll_lead(servers[-1], server_sessions, CENTRE_A)
    with httpx2.Client(timeout=STREAM_TIMEOUT) as client, open_stream(client, servers[-1], board.headers) as stream:
        lines = stream.iter_lines()
        subscribed(lines)
        # WHEN the device is revoked and nothing else happens
        revoke(server_db, board)
        revoked_at = time.monotonic()
        rest = rest_of(lines)
        took = time.monotonic() - revoked_at
    # THEN the stream ends by itself within a second
    assert took < 1.0, took
    assert ": ended auth.device_revoked" in rest


def test_a_revoked_devices_long_poll_is_answered_403_within_a_second(
    server_db: str,
    server_sessions: sessionmaker[Session],
    servers: list[str],  # noqa: F811
):
    # GIVEN a counter long-polling /v1/sync/wait at the head of its centre's space
    centre_id = make_centre(server_sessions, CENTRE_A)
    base = servers[-1]
    counter, _ = enroll_lead(base, server_sessions, CENTRE_A)
    space = f"centre:{centre_id}"
    cursor = START_CURSOR
    while True:
        pulled = httpx2.post(
            f"{base}/v1/sync/pull",
            json={"client_id": counter.device_id, "cursors": {space: cursor}, "limit": 500},
            headers=counter.headers,
            timeout=5,
        ).json()
        cursor = pulled["cursors"][space]
        if not pulled["has_more"]:
            break
    answer: dict[str, Any] = {}

    def waiting() -> None:
        params = {"cursors": f"{space}@{cursor}", "timeout": 20}
        response = httpx2.get(f"{base}/v1/sync/wait", params=params, headers=counter.headers, timeout=30)
        answer["at"] = time.monotonic()
        answer["response"] = response

    thread = threading.Thread(target=waiting)
    thread.start()
    time.sleep(0.5)  # the long-poll is waiting
    assert not answer
    # WHEN the device is revoked
    revoke(server_db, counter)
    revoked_at = time.monotonic()
    thread.join(timeout=25)
    # THEN the wait is answered at once, as the device's next request would be
    assert answer["at"] - revoked_at < 1.0, answer["at"] - revoked_at
    response = answer["response"]
    assert (response.status_code, response.json()["code"]) == (403, "auth.device_revoked"), response.text


def test_a_stream_opened_with_a_staff_session_ends_when_the_user_is_deactivated(
    server_sessions: sessionmaker[Session],
    servers: list[str],  # noqa: F811
):
    # GIVEN a lead's device with two streams: one opened with the lead's session, one with the device alone
    make_centre(server_sessions, CENTRE_A)
    publisher, subscriber = servers[0], servers[-1]
    other, other_token = enroll_lead(publisher, server_sessions, CENTRE_A)
    device, token = enroll_lead(subscriber, server_sessions, CENTRE_A)
    with (
        httpx2.Client(timeout=STREAM_TIMEOUT) as client,
        open_stream(client, subscriber, device.staff(token)) as staff_stream,
        open_stream(client, subscriber, device.headers) as device_stream,
    ):
        staff_lines, device_lines = staff_stream.iter_lines(), device_stream.iter_lines()
        subscribed(staff_lines)
        subscribed(device_lines)
        # WHEN that lead's account is deactivated (as `admin deactivate-user` does), then an event follows
        me = httpx2.get(f"{subscriber}/v1/me", headers=device.staff(token), timeout=5).json()
        username = me["staff"]["user"]["username"]
        with server_sessions.begin() as session:
            user = user_by_username(session, username)
            assert user is not None and session.get(Centre, user.centre_id) is not None
            users.deactivate(session, user, now=now())
        deactivated_at = time.monotonic()
        reassign(publisher, other, other_token, ["KD"])
        # THEN the staff-bound stream ends within a second without the event; the device's own hears it
        rest = rest_of(staff_lines)
        took = time.monotonic() - deactivated_at
        heard_before(device_lines, {"assignment.changed"})
    assert took < 1.0, took
    assert events_in(rest) == [] and ": ended auth.session_invalid" in rest, rest
