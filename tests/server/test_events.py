"""Live events (DESIGN.md §3 rule 5): published only after commit, without personal data, only to the
centre's own subscribers, over SSE from real server processes, and across workers on PostgreSQL
(LISTEN/NOTIFY). Every wait is bounded; everything stays on loopback."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from counterapp.server.events import (
    Event,
    EventHub,
    SubscriptionDropped,
    make_event,
    publish_after_commit,
)
from tests.ports import free_port
from tests.server.authkit import (
    CENTRE_A,
    CENTRE_B,
    PASSWORD,
    Enrolled,
    make_centre,
    make_device,
    make_user,
    problem,
)

SERVER = [str(Path(sys.executable).parent / "counterapp-server")]
if not Path(SERVER[0]).exists():
    SERVER = [sys.executable, "-c", "import sys; from counterapp.server.cli import main; sys.exit(main())"]

ISSUED = {"ticket_id": "t-1", "number": "A001", "service": "HTCT", "issued_at": "2025-08-29T08:00:00+00:00"}


# --- publish_after_commit --------------------------------------------------------------------------------


def test_an_event_is_published_after_commit_and_never_after_rollback(
    server_engine: Engine, server_sessions: sessionmaker[Session]
):
    async def scenario() -> None:
        hub = EventHub(server_engine)
        await hub.start()
        try:
            assert hub.listening
            with hub.subscribe("centre-a") as subscription:
                # GIVEN an event recorded in a transaction that is rolled back: nothing is published
                def rolled_back() -> None:
                    with server_sessions() as session:
                        session.execute(text("SELECT 1"))
                        publish_after_commit(session, "centre-a", "ticket.issued", {**ISSUED, "number": "A000"})
                        session.rollback()
                        session.execute(text("SELECT 1"))
                        session.commit()  # a later commit of the same session does not resurrect it

                await asyncio.to_thread(rolled_back)
                with pytest.raises(TimeoutError):
                    await subscription.get(timeout=0.5)

                # WHEN one is recorded and committed: nothing before the commit, the event after it
                session = server_sessions()
                try:
                    await asyncio.to_thread(session.execute, text("SELECT 1"))
                    publish_after_commit(session, "centre-a", "ticket.issued", ISSUED)
                    await asyncio.sleep(0.3)
                    assert subscription.queue.empty()
                    await asyncio.to_thread(session.commit)
                finally:
                    await asyncio.to_thread(session.close)
                event = await subscription.get(timeout=5)
                assert (event.centre_id, event.kind, event.data) == ("centre-a", "ticket.issued", ISSUED)
                # THEN exactly once
                with pytest.raises(TimeoutError):
                    await subscription.get(timeout=0.5)
        finally:
            await hub.stop()

    asyncio.run(scenario())


@pytest.mark.parametrize("key", ["full_name", "applicant", "id_number", "phone", "cccd", "address", "note"])
def test_events_refuse_data_that_could_be_personal(key: str):
    with pytest.raises(ValueError, match="personal data"):
        make_event("c", "ticket.issued", {**ISSUED, key: "Nguyễn Thị Lan"})


def test_events_refuse_unknown_kinds_and_nested_data(server_sessions: sessionmaker[Session]):
    with pytest.raises(ValueError, match="unknown event kind"):
        make_event("c", "ticket.deleted", {})
    with pytest.raises(ValueError, match="only strings"):
        make_event("c", "ticket.called", {"counter": {"name": "x"}})
    with server_sessions() as session, pytest.raises(ValueError):
        publish_after_commit(session, "c", "ticket.called", {"counter": "5", "citizen": "Lan"})


def test_an_event_carries_id_centre_kind_time_and_only_allowed_data():
    event = make_event("c", "ticket.called", {"ticket_id": "t", "number": "A012", "service": "HTCT", "counter": "5"})
    body = json.loads(event.to_json())
    assert set(body) == {"id", "centre_id", "kind", "at", "data"}
    assert body["kind"] == "ticket.called" and body["data"]["counter"] == "5"
    assert Event.from_json(event.to_json()) == event


# --- the in-process hub ----------------------------------------------------------------------------------


def test_a_subscriber_gets_its_centres_events_only(server_engine: Engine):
    async def scenario() -> None:
        hub = EventHub(server_engine)
        await hub.start()
        try:
            with hub.subscribe("centre-a") as a, hub.subscribe("centre-b") as b:
                hub.publish_local(make_event("centre-a", "ticket.issued", ISSUED))
                assert (await a.get(timeout=1)).centre_id == "centre-a"
                with pytest.raises(TimeoutError):
                    await b.get(timeout=0.3)
            assert hub.subscriber_count() == 0
        finally:
            await hub.stop()

    asyncio.run(scenario())


def test_a_slow_subscriber_is_dropped_and_the_others_keep_getting_events(server_engine: Engine):
    async def scenario() -> None:
        hub = EventHub(server_engine, queue_size=2)
        await hub.start()
        try:
            with hub.subscribe("c") as slow, hub.subscribe("c") as fast:
                for i in range(3):
                    hub.publish_local(make_event("c", "ticket.issued", {"number": f"A00{i}"}))
                    assert (await fast.get(timeout=1)).data["number"] == f"A00{i}"
                # the slow one got what fitted, then is told to reconnect (and pull)
                assert [(await slow.get(timeout=1)).data["number"] for _ in range(2)] == ["A000", "A001"]
                with pytest.raises(SubscriptionDropped):
                    await slow.get(timeout=1)
                assert hub.subscriber_count("c") == 1
        finally:
            await hub.stop()

    asyncio.run(scenario())


# --- over HTTP, real server processes --------------------------------------------------------------------


def start_server(url: str) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    process = subprocess.Popen(
        [*SERVER, "serve", "--database-url", url, "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx2.get(f"{base}/healthz", timeout=1).status_code == 200:
                return process, base
        except httpx2.TransportError:
            time.sleep(0.05)
    process.kill()
    output, _ = process.communicate(timeout=15)
    raise AssertionError(f"the server did not start: {output}")


def stop_server(process: subprocess.Popen[str]) -> str:
    process.terminate()
    try:
        output, _ = process.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate(timeout=15)
    return output


@pytest.fixture
def servers(server_db: str, server_engine: Engine) -> Iterator[list[str]]:
    """Base URLs of real server processes on ``server_db``: two on PostgreSQL, one on SQLite."""
    count = 2 if server_engine.dialect.name == "postgresql" else 1
    started: list[subprocess.Popen[str]] = []
    bases: list[str] = []
    try:
        for _ in range(count):
            process, base = start_server(server_db)
            started.append(process)
            bases.append(base)
        yield bases
    finally:
        outputs = [stop_server(process) for process in started]
    for output in outputs:  # the LISTEN task and the hub stopped cleanly
        assert "Application shutdown complete" in output and "Traceback" not in output, output


def enroll_lead(base: str, sessions: sessionmaker[Session], agency_code: str) -> tuple[Enrolled, str]:
    """A lead logged in on a new device of the centre: (device, staff token)."""
    username = f"lead.{uuid.uuid4().hex[:8]}"
    make_user(sessions, username, "lead", agency_code)
    _device_id, code = make_device(sessions, agency_code)
    enrolled = httpx2.post(f"{base}/v1/devices/enroll", json={"code": code}, timeout=5)
    assert enrolled.status_code == 200, enrolled.text
    device = Enrolled(enrolled.json()["device_id"], enrolled.json()["credential"])
    login = httpx2.post(
        f"{base}/v1/sessions",
        json={"username": username, "password": PASSWORD},
        headers=device.headers,
        timeout=5,
    )
    assert login.status_code == 201, login.text
    return device, login.json()["token"]


def sse_events(lines: Iterator[str]) -> Iterator[dict[str, str]]:
    """The frames of an SSE stream as {field: value} (comments under ":")."""
    frame: dict[str, str] = {}
    for line in lines:
        if line == "":
            if frame:
                yield frame
            frame = {}
            continue
        name, _, value = line.partition(":")
        frame[name] = frame.get(name, "") + value.removeprefix(" ")


def reassign_and_receive(publisher: str, subscriber: str, sessions: sessionmaker[Session]) -> float:
    """A lead on ``publisher`` reassigns counter 2; a board of another centre and one of this centre are
    subscribed on ``subscriber``. Returns the delay until this centre's board got the event."""
    make_centre(sessions, CENTRE_A)
    make_centre(sessions, CENTRE_B)
    lead, token = enroll_lead(publisher, sessions, CENTRE_A)
    board, _ = enroll_lead(subscriber, sessions, CENTRE_A)
    other, _ = enroll_lead(subscriber, sessions, CENTRE_B)
    timeout = httpx2.Timeout(5.0, read=3.0)  # every read bounded; heartbeats come only every 15 s
    with (
        httpx2.Client(timeout=timeout) as client,
        client.stream("GET", f"{subscriber}/v1/events", headers=board.headers) as stream,
        client.stream("GET", f"{subscriber}/v1/events", headers=other.headers) as other_stream,
    ):
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        frames = sse_events(stream.iter_lines())
        other_frames = sse_events(other_stream.iter_lines())
        assert next(frames)["retry"] == "3000"  # subscribed from here on
        assert next(other_frames)["retry"] == "3000"
        started = time.monotonic()
        put = httpx2.put(
            f"{publisher}/v1/centre/counters/2/services",
            json={"services": ["KD"]},
            headers=lead.staff(token),
            timeout=5,
        )
        assert put.status_code == 200, put.text
        frame = next(frames)
        delay = time.monotonic() - started
        assert frame["event"] == "assignment.changed"
        body = json.loads(frame["data"])
        assert body["id"] == frame["id"] and body["kind"] == "assignment.changed"
        assert body["data"]["counter"] == "2" and body["data"]["services"] == ["KD"]
        assert body["data"]["epoch"] == put.json()["epoch"]
        assert set(body["data"]) <= {"counter", "counter_id", "epoch", "services"}
        # the other centre's board hears nothing (its read times out: no event within 3 s)
        with pytest.raises(httpx2.ReadTimeout):
            next(other_frames)
    return delay


def test_a_reassignment_reaches_the_centres_sse_stream_within_a_second(
    servers: list[str], server_sessions: sessionmaker[Session], capsys: pytest.CaptureFixture[str]
):
    delay = reassign_and_receive(servers[0], servers[0], server_sessions)
    with capsys.disabled():
        sys.stdout.write(f"\n  assignment.changed delivered in {delay * 1000:.0f} ms (same process)\n")
    assert delay < 1.0


def test_on_postgresql_an_event_published_on_one_worker_reaches_a_subscriber_of_another(
    request: pytest.FixtureRequest,
    server_engine: Engine,
    server_sessions: sessionmaker[Session],
    capsys: pytest.CaptureFixture[str],
):
    if server_engine.dialect.name != "postgresql":
        pytest.skip("several server processes need PostgreSQL (SQLite serves one process)")
    servers: list[str] = request.getfixturevalue("servers")
    assert len(servers) == 2
    delay = reassign_and_receive(servers[0], servers[1], server_sessions)
    with capsys.disabled():
        sys.stdout.write(
            f"\n  assignment.changed delivered in {delay * 1000:.0f} ms (process 1 → LISTEN/NOTIFY → process 2)\n"
        )
    assert delay < 1.0


def test_the_stream_needs_a_device_credential(client: TestClient):
    response = client.get("/v1/events")
    assert problem(response) == (401, "auth.device_required")
    response = client.get("/v1/events", headers={"Authorization": "Device nope.nope"})
    assert problem(response) == (401, "auth.device_invalid")


def test_an_open_stream_does_not_keep_a_server_process_from_stopping(
    server_db: str, server_sessions: sessionmaker[Session]
):
    # GIVEN a board subscribed to a real server process
    make_centre(server_sessions, CENTRE_A)
    process, base = start_server(server_db)
    output = ""
    try:
        board, _ = enroll_lead(base, server_sessions, CENTRE_A)
        with (
            httpx2.Client(timeout=httpx2.Timeout(5.0, read=10.0)) as client,
            client.stream("GET", f"{base}/v1/events", headers=board.headers) as stream,
        ):
            lines = stream.iter_lines()
            assert next(lines).startswith("retry:")
            # WHEN the server is told to stop (SIGTERM)
            started = time.monotonic()
            process.terminate()
            # THEN the stream ends and the process shuts down cleanly, at once
            assert list(lines) == [": connected", ""]
            output, _ = process.communicate(timeout=10)
            assert time.monotonic() - started < 5
    finally:
        if process.poll() is None or not output:
            output += stop_server(process)
    assert "Application shutdown complete" in output and "Traceback" not in output, output


def test_on_postgresql_a_call_made_through_one_server_reaches_a_board_on_another(
    request: pytest.FixtureRequest, server_engine: Engine, server_sessions: sessionmaker[Session]
):
    """The scaling step of the README's deployment notes: a second server process (or machine) on the same
    PostgreSQL; a counter calls through one, the centre's board is subscribed on the other."""
    if server_engine.dialect.name != "postgresql":
        pytest.skip("several server processes need PostgreSQL (SQLite serves one process)")
    servers: list[str] = request.getfixturevalue("servers")
    caller, listener = servers
    # GIVEN a clerk signed in on counter 1 through the first server, and a board on the second
    make_centre(server_sessions, CENTRE_A)
    make_user(server_sessions, "clerk.two", "clerk", CENTRE_A)
    _device_id, code = make_device(server_sessions, CENTRE_A, "1")
    enrolled = httpx2.post(f"{caller}/v1/devices/enroll", json={"code": code}, timeout=5)
    assert enrolled.status_code == 200, enrolled.text
    counter = Enrolled(enrolled.json()["device_id"], enrolled.json()["credential"])
    login = httpx2.post(f"{caller}/v1/sessions", json={"username": "clerk.two", "password": PASSWORD},
                        headers=counter.headers, timeout=5)  # fmt: skip
    assert login.status_code == 201, login.text
    staff = counter.staff(login.json()["token"])
    board, _ = enroll_lead(listener, server_sessions, CENTRE_A)
    with (
        httpx2.Client(timeout=httpx2.Timeout(5.0, read=3.0)) as client,
        client.stream("GET", f"{listener}/v1/events", headers=board.headers) as stream,
    ):
        frames = sse_events(stream.iter_lines())
        assert next(frames)["retry"] == "3000"
        # WHEN the counter issues a ticket and calls the next one through the first server
        issued = httpx2.post(f"{caller}/v1/tickets", json={"service": "HTCT"}, headers=staff, timeout=5)
        assert issued.status_code == 201, issued.text
        started = time.monotonic()
        called = httpx2.post(f"{caller}/v1/queue/call-next", headers=staff, timeout=5)
        assert called.status_code == 200, called.text
        # THEN the board on the second server hears the call (after the issue), within a second
        kinds = []
        while "ticket.called" not in kinds:
            frame = next(frames)
            if "event" in frame:
                kinds.append(frame["event"])
        delay = time.monotonic() - started
    body = json.loads(frame["data"])
    assert [kind for kind in kinds if kind.startswith("ticket.")] == ["ticket.issued", "ticket.called"]
    assert body["data"]["number"] == issued.json()["number"] and body["data"]["counter"] == "1"
    assert delay < 1.0
