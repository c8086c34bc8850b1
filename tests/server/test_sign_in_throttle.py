"""Sign-in and enrollment throttle (issue 15 §6), on SQLite and PostgreSQL: a few wrong passwords cost
nothing, then 429 ``auth.throttled`` with ``Retry-After`` growing to a cap, the right password works once the
wait is over, a device guessing many names is slowed down, a stranger elsewhere cannot keep a clerk out of
her own counter, the centre's lead sees a lockout notice, and the count lives in the database (another
server process, or a restart, sees it). The server's clock is moved by the test, never waited for."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from counterapp.server.app import create_app
from counterapp.server.models.auth import AuthThrottle
from counterapp.server.models.sync import Conflict
from counterapp.server.services import throttle
from tests.server.authkit import (
    CENTRE_A,
    PASSWORD,
    Enrolled,
    enroll,
    enrolled_device,
    login,
    make_centre,
    make_device,
    make_user,
    problem,
)

WRONG = "not the password at all"


class Clock:
    """The server's ``utcnow`` for the auth routes, moved by the test."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    made = Clock()
    monkeypatch.setattr("counterapp.server.routes.auth.utcnow", made)
    yield made


def attempt(client: TestClient, device: Enrolled, username: str, password: str) -> tuple[int, str, str | None]:
    """(status, code or "ok", Retry-After) of one sign-in."""
    response = client.post("/v1/sessions", json={"username": username, "password": password}, headers=device.headers)
    if response.status_code == 201:
        return 201, "ok", None
    return response.status_code, response.json()["code"], response.headers.get("retry-after")


def test_five_wrong_passwords_then_429_with_retry_after_and_the_right_one_works_after_the_wait(
    client: TestClient, server_sessions: sessionmaker[Session], clock: Clock
):
    # GIVEN a clerk and an enrolled counter
    make_centre(server_sessions, CENTRE_A)
    make_user(server_sessions, "clerk.lan", "clerk", CENTRE_A)
    device = enrolled_device(client, server_sessions, CENTRE_A)
    # WHEN five wrong passwords are tried: each is an ordinary 401
    for _ in range(throttle.ACCOUNT.free):
        assert attempt(client, device, "clerk.lan", WRONG) == (401, "auth.invalid_credentials", None)
    # THEN the next attempt, even with the right password, waits: 429 with Retry-After
    response = client.post("/v1/sessions", json={"username": "clerk.lan", "password": PASSWORD}, headers=device.headers)
    assert problem(response) == (429, "auth.throttled")
    assert response.headers["retry-after"] == "2" and "try again in 2 s" in response.json()["detail"]
    # AND once the wait is over, the right password works (and the account's count starts again)
    clock.advance(2)
    assert attempt(client, device, "clerk.lan", PASSWORD)[0] == 201
    for _ in range(throttle.ACCOUNT.free - 1):
        assert attempt(client, device, "clerk.lan", WRONG)[:2] == (401, "auth.invalid_credentials")


def test_the_wait_doubles_with_each_failure_up_to_a_cap_and_waiting_attempts_do_not_lengthen_it(
    client: TestClient, server_sessions: sessionmaker[Session], clock: Clock
):
    make_centre(server_sessions, CENTRE_A)
    make_user(server_sessions, "clerk.lan", "clerk", CENTRE_A)
    device = enrolled_device(client, server_sessions, CENTRE_A)
    for _ in range(throttle.ACCOUNT.free - 1):
        assert attempt(client, device, "clerk.lan", WRONG)[0] == 401
    waits = []
    for _ in range(12):
        # a wrong password once the previous wait is over: 401, and the next wait is announced
        assert attempt(client, device, "clerk.lan", WRONG)[0] == 401
        status, code, retry_after = attempt(client, device, "clerk.lan", WRONG)
        assert (status, code) == (429, "auth.throttled")
        assert retry_after is not None
        waits.append(int(retry_after))
        clock.advance(waits[-1] - 1)  # still waiting: the same wait, not a longer one
        assert attempt(client, device, "clerk.lan", WRONG)[2] == "1"
        clock.advance(1)
    assert waits == [2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300, 300]
    # never a permanent lockout: after the capped wait, the right password works
    assert attempt(client, device, "clerk.lan", PASSWORD)[0] == 201


def test_one_device_trying_many_names_is_slowed_down_and_other_devices_are_not(
    client: TestClient, server_sessions: sessionmaker[Session], clock: Clock
):
    make_centre(server_sessions, CENTRE_A)
    make_user(server_sessions, "clerk.lan", "clerk", CENTRE_A)
    guessing = enrolled_device(client, server_sessions, CENTRE_A)
    other = enrolled_device(client, server_sessions, CENTRE_A)
    # GIVEN ten wrong sign-ins on one device, each for another name (no account reaches its own limit)
    for n in range(throttle.DEVICE.free):
        assert attempt(client, guessing, f"guess.{n}", WRONG)[0] == 401
    # THEN that device waits, whoever signs in on it; another device does not
    assert attempt(client, guessing, "clerk.lan", PASSWORD)[:2] == (429, "auth.throttled")
    assert attempt(client, other, "clerk.lan", PASSWORD)[0] == 201
    # AND a clerk signing in as herself on the guessing device does not wipe its count
    clock.advance(2)
    assert attempt(client, guessing, "clerk.lan", PASSWORD)[0] == 201
    assert attempt(client, guessing, "guess.x", WRONG)[0] == 401
    assert attempt(client, guessing, "guess.y", WRONG)[:2] == (429, "auth.throttled")


def test_a_stranger_cannot_keep_a_clerk_out_of_her_own_counter(
    client: TestClient, server_sessions: sessionmaker[Session]
):
    make_centre(server_sessions, CENTRE_A)
    make_user(server_sessions, "clerk.lan", "clerk", CENTRE_A)
    own = enrolled_device(client, server_sessions, CENTRE_A)
    login(client, own, "clerk.lan")  # the clerk's own counter, used lately
    stranger = enrolled_device(client, server_sessions, CENTRE_A)
    new_device = enrolled_device(client, server_sessions, CENTRE_A)
    # WHEN someone at another counter guesses her password until her account is blocked
    for _ in range(throttle.ACCOUNT.free):
        assert attempt(client, stranger, "clerk.lan", WRONG)[0] == 401
    # THEN the account waits there and on a device it never used, but not on her own counter
    assert attempt(client, stranger, "clerk.lan", PASSWORD)[:2] == (429, "auth.throttled")
    assert attempt(client, new_device, "clerk.lan", PASSWORD)[:2] == (429, "auth.throttled")
    assert attempt(client, own, "clerk.lan", PASSWORD)[0] == 201


def test_many_failures_leave_a_lockout_notice_for_the_centres_lead_and_in_the_log(
    client: TestClient, server_sessions: sessionmaker[Session], clock: Clock, caplog: pytest.LogCaptureFixture
):
    make_centre(server_sessions, CENTRE_A)
    clerk_id = make_user(server_sessions, "clerk.lan", "clerk", CENTRE_A)
    make_user(server_sessions, "lead.hoa", "lead", CENTRE_A)
    device = enrolled_device(client, server_sessions, CENTRE_A)
    lead_device = enrolled_device(client, server_sessions, CENTRE_A)
    lead_token = login(client, lead_device, "lead.hoa")
    # WHEN the clerk's password is guessed ten times in a row on one device (waiting out each block)
    with caplog.at_level(logging.WARNING, logger="counterapp.server.services.throttle"):
        for _ in range(throttle.ACCOUNT.notice_at):
            status, _code, retry_after = attempt(client, device, "clerk.lan", WRONG)
            if status == 429:
                clock.advance(int(retry_after or 0))
                status = attempt(client, device, "clerk.lan", WRONG)[0]
            assert status == 401
    # THEN the lead's conflicts list shows a lockout notice naming the account's id and the device
    listed = client.get("/v1/centre/conflicts", headers=lead_device.staff(lead_token))
    assert listed.status_code == 200, listed.text
    notices = [item for item in listed.json() if item["code"] == "auth.lockout"]
    assert [(n["kind"], n["entity"], n["entity_id"]) for n in notices] == [("auth.sign_in", "user", clerk_id)]
    assert device.device_id in notices[0]["reason"] and "clerk.lan" not in notices[0]["reason"]
    # AND the server's log says it too, once
    warnings = [r.getMessage() for r in caplog.records if "lockout" in r.getMessage()]
    assert len(warnings) == 1 and clerk_id in warnings[0] and "clerk.lan" not in warnings[0]
    # AND the table never holds the username typed
    with server_sessions() as session:
        keys = list(session.scalars(select(AuthThrottle.key)))
        assert all("clerk.lan" not in key for key in keys)
        assert session.scalar(select(Conflict.centre_id).where(Conflict.code == "auth.lockout")) is not None


def test_the_count_is_in_the_database_so_another_server_process_sees_it(
    server_engine: Engine, server_sessions: sessionmaker[Session], server_db: str
):
    make_centre(server_sessions, CENTRE_A)
    make_user(server_sessions, "clerk.lan", "clerk", CENTRE_A)
    with TestClient(create_app(engine=server_engine)) as first:
        device = enrolled_device(first, server_sessions, CENTRE_A)
        for _ in range(throttle.ACCOUNT.free):
            assert attempt(first, device, "clerk.lan", WRONG)[0] == 401
    # another worker (or the same server restarted) over its own engine
    from counterapp.server.db import make_engine

    engine = make_engine(server_db)
    try:
        with TestClient(create_app(engine=engine)) as second:
            assert attempt(second, device, "clerk.lan", PASSWORD)[:2] == (429, "auth.throttled")
    finally:
        engine.dispose()


def test_parallel_guesses_are_counted_one_after_another(client: TestClient, server_sessions: sessionmaker[Session]):
    make_centre(server_sessions, CENTRE_A)
    make_user(server_sessions, "clerk.lan", "clerk", CENTRE_A)
    device = enrolled_device(client, server_sessions, CENTRE_A)
    statuses: list[int] = []
    lock = threading.Lock()

    def guess() -> None:
        status = attempt(client, device, "clerk.lan", WRONG)[0]
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=guess) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # the first five are checked, the rest wait: a burst does not get more guesses than one by one
    assert sorted(statuses) == [401] * throttle.ACCOUNT.free + [429] * (12 - throttle.ACCOUNT.free)


def test_wrong_enrollment_codes_are_throttled_per_address(
    client: TestClient, server_sessions: sessionmaker[Session], clock: Clock
):
    make_centre(server_sessions, CENTRE_A)
    _device_id, code = make_device(server_sessions, CENTRE_A)
    for n in range(throttle.ENROLL.free):
        response = client.post("/v1/devices/enroll", json={"code": f"AAAA-BBBB-CC{n:02d}"})
        assert problem(response) == (401, "enrollment.code_invalid")
    # the right code waits too: nothing is learnt while blocked
    response = client.post("/v1/devices/enroll", json={"code": code})
    assert problem(response) == (429, "auth.throttled") and response.headers["retry-after"] == "2"
    clock.advance(2)
    assert enroll(client, code).device_id
