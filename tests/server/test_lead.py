"""The shift lead's endpoints on SQLite and PostgreSQL: only a lead or admin may open, close or pause a
counter, move a waiting ticket to another service, or see which counters have not yet received their
latest assignment; the centre is always the device's, so another centre's counters and tickets are 404."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from counterapp.server import events
from counterapp.server.models.auth import Device
from counterapp.server.models.org import Centre, Counter, QueueService
from counterapp.server.models.queue import Ticket, TicketEventRow
from counterapp.server.services import org, queue
from tests.server.authkit import CENTRE_A, CENTRE_B, enroll, login, make_centre, make_device, make_user, now, problem

Headers = dict[str, str]


def staff_at(
    client: TestClient, sessions: sessionmaker[Session], agency: str, counter: str, username: str, role: str
) -> Headers:
    """Headers of a new device enrolled at ``counter`` of ``agency`` with a new ``role`` logged in."""
    make_user(sessions, username, role, agency)
    device = enroll(client, make_device(sessions, agency, counter)[1])
    return device.staff(login(client, device, username))


def issue(sessions: sessionmaker[Session], agency: str, count: int = 1, service: str = "HTCT") -> list[str]:
    with sessions.begin() as session:
        centre = session.scalars(select(Centre).where(Centre.agency_code == agency)).one()
        svc = queue.service_by_code(session, centre, service)
        return [queue.issue_ticket(session, centre, svc, None, now()).number for _ in range(count)]


@pytest.fixture
def centre(client: TestClient, server_sessions: sessionmaker[Session]) -> tuple[Headers, Headers]:
    """Centre A (counters 1 and 2 serving HTCT, services HTCT/A and KD/C) with a lead at counter 1 and a
    clerk at counter 2; centre B has a counter 3 that A lacks. Returns (lead headers, clerk headers)."""
    make_centre(server_sessions, CENTRE_A)
    make_centre(server_sessions, CENTRE_B, counters=("1", "2", "3"))
    lead = staff_at(client, server_sessions, CENTRE_A, "1", "lead.a", "lead")
    clerk = staff_at(client, server_sessions, CENTRE_A, "2", "clerk.a", "clerk")
    return lead, clerk


def test_a_clerk_may_use_none_of_the_lead_endpoints(
    client: TestClient, server_sessions: sessionmaker[Session], centre: tuple[Headers, Headers]
):
    _lead, clerk = centre
    (number,) = issue(server_sessions, CENTRE_A)
    calls = [
        ("post", "/v1/centre/counters/1/open", None),
        ("post", "/v1/centre/counters/1/close", None),
        ("post", "/v1/centre/counters/1/pause", {"reason": "Nghỉ trưa"}),
        ("post", f"/v1/centre/tickets/{number}/move", {"service": "KD"}),
        ("get", "/v1/centre/pending-deliveries", None),
    ]
    for method, url, body in calls:
        response = client.request(method, url, json=body, headers=clerk)
        assert problem(response) == (403, "auth.forbidden"), url
        # and without a staff session at all, a device alone is not enough
        device_only = {"Authorization": clerk["Authorization"]}
        assert problem(client.request(method, url, json=body, headers=device_only)) == (401, "auth.session_required")
    with server_sessions() as session:
        assert session.scalars(select(Counter.status).where(Counter.number == "1")).all() == ["closed", "closed"]
        assert (
            session.scalars(select(Ticket.service_id)).one()
            == session.scalars(
                select(QueueService.id).join(Centre).where(Centre.agency_code == CENTRE_A, QueueService.code == "HTCT")
            ).one()
        )


def published_events(
    factory: sessionmaker[Session], centre_id: str, monkeypatch: pytest.MonkeyPatch
) -> Callable[[int], list[events.Event]]:
    """What the centre's boards are told from now on, as delivered: PostgreSQL's ``NOTIFY`` heard on a
    ``LISTEN`` connection of our own, SQLite's in-process dispatch. The change feed's pokes
    (``space.advanced``) are tested with the feed; these are what a board shows."""
    engine = factory.kw["bind"]
    if engine.dialect.name != "postgresql":
        seen: list[events.Event] = []
        monkeypatch.setattr(events, "dispatch", lambda _engine, batch: seen.extend(batch))
        return lambda _count: [e for e in seen if e.kind != "space.advanced"]
    listener = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    listener.exec_driver_sql(f"LISTEN {events.CHANNEL}")
    monkeypatch.setattr(events, "dispatch", lambda *_: pytest.fail("NOTIFY outside the committing transaction"))

    def collect(count: int) -> list[events.Event]:
        found: list[events.Event] = []
        driver = listener.connection.driver_connection
        for note in driver.notifies(timeout=5.0):  # other tests' centres may be talking too
            event = events.Event.from_json(note.payload)
            if event.centre_id == centre_id and event.kind != "space.advanced":
                found.append(event)
            if len(found) == count:
                break
        listener.close()
        return found

    return collect


def test_a_lead_opens_pauses_and_closes_a_counter_of_the_centre(
    client: TestClient,
    server_sessions: sessionmaker[Session],
    centre: tuple[Headers, Headers],
    monkeypatch: pytest.MonkeyPatch,
):
    lead, _clerk = centre
    centre_id = server_sessions().scalars(select(Centre.id).where(Centre.agency_code == CENTRE_A)).one()
    published = published_events(server_sessions, centre_id, monkeypatch)
    opened = client.post("/v1/centre/counters/2/open", headers=lead)
    assert opened.status_code == 200, opened.text
    assert opened.json() == {"number": "2", "status": "open", "pause_reason": None, "epoch": 1}
    # a pause needs a reason, of at most 200 characters
    for body, code in (
        (None, "request.invalid"),
        ({}, "request.invalid"),
        ({"reason": ""}, "request.invalid"),
        ({"reason": "x" * 201}, "request.invalid"),
        ({"reason": "   "}, "validation.failed"),
    ):
        refused = client.post("/v1/centre/counters/2/pause", json=body, headers=lead)
        assert problem(refused) == (422, code), body
        if body is not None:
            assert [e["field"] for e in refused.json()["errors"]] == ["reason"], body
    paused = client.post("/v1/centre/counters/2/pause", json={"reason": "  Nghỉ   trưa "}, headers=lead)
    assert paused.json() == {"number": "2", "status": "paused", "pause_reason": "Nghỉ trưa", "epoch": 1}
    assert client.post("/v1/centre/counters/2/pause", json={"reason": "x" * 200}, headers=lead).status_code == 200
    closed = client.post("/v1/centre/counters/2/close", headers=lead)
    assert closed.json() == {"number": "2", "status": "closed", "pause_reason": None, "epoch": 1}
    # each change told the centre's boards and counters (the status only: a reason is free text)
    announced = published(4)
    assert [(e.kind, e.data["counter"], e.data["status"]) for e in announced] == [
        ("assignment.changed", "2", status) for status in ("open", "paused", "paused", "closed")
    ]
    assert all("pause_reason" not in e.data and e.data["epoch"] == 1 for e in announced)
    assert client.post("/v1/centre/counters/1/open", headers=lead).json()["status"] == "open"
    # another centre's counter (3 exists in B only) and an unknown one look the same: 404
    for number in ("3", "99"):
        assert problem(client.post(f"/v1/centre/counters/{number}/open", headers=lead)) == (404, "counter.not_found")
        assert problem(client.post(f"/v1/centre/counters/{number}/pause", json={"reason": "x"}, headers=lead)) == (
            404, "counter.not_found",
        )  # fmt: skip
    with server_sessions() as session:
        rows = session.execute(
            select(Centre.agency_code, Counter.number, Counter.status)
            .join(Centre)
            .order_by(Centre.agency_code, Counter.number)
        ).all()
        assert [tuple(r) for r in rows] == [
            (CENTRE_A, "1", "open"),
            (CENTRE_A, "2", "closed"),
            (CENTRE_B, "1", "closed"),
            (CENTRE_B, "2", "closed"),
            (CENTRE_B, "3", "closed"),
        ]


def test_a_lead_moves_a_waiting_ticket_to_another_service(
    client: TestClient, server_sessions: sessionmaker[Session], centre: tuple[Headers, Headers]
):
    lead, clerk = centre
    first, second = issue(server_sessions, CENTRE_A, 2)  # A001, A002 of HTCT
    issue(server_sessions, CENTRE_B, 3)  # A003 exists in centre B only
    # WHEN the lead moves the waiting A001 to KD
    moved = client.post(f"/v1/centre/tickets/{first}/move", json={"service": "kd"}, headers=lead)
    assert moved.status_code == 200, moved.text
    body = moved.json()
    # THEN it keeps its number and state, serves KD, and its history records the transfer
    assert (body["number"], body["service"], body["state"], body["version"]) == (first, "KD", "waiting", 1)
    with server_sessions() as session:
        events = session.scalars(
            select(TicketEventRow).where(TicketEventRow.ticket_id == body["id"]).order_by(TicketEventRow.position)
        ).all()
        assert [(e.kind, e.position) for e in events] == [("issued", 0), ("transferred", 1)]
        assert events[1].user_id is not None and events[1].device_id is not None
    # AND the HTCT counters no longer call it: the clerk's counter gets A002, then nothing
    assert client.post("/v1/queue/call-next", headers=clerk).json()["number"] == second
    assert problem(client.post("/v1/queue/call-next", headers=clerk)) == (409, "queue.empty")
    # AND a ticket that is not waiting (A002 was called) is not moved
    refused = client.post(f"/v1/centre/tickets/{second}/move", json={"service": "KD"}, headers=lead)
    assert problem(refused) == (409, "ticket.not_waiting")
    # AND another centre's ticket and an unknown one are 404; a bad service is an input error
    assert problem(client.post("/v1/centre/tickets/A003/move", json={"service": "KD"}, headers=lead)) == (
        404, "ticket.not_found",
    )  # fmt: skip
    for service in ("NOPE", "KD"):  # unknown; the one it already has
        refused = client.post(f"/v1/centre/tickets/{first}/move", json={"service": service}, headers=lead)
        assert problem(refused) == (422, "validation.failed")
        assert refused.json()["errors"][0]["field"] == "service"
    assert problem(client.post(f"/v1/centre/tickets/{first}/move", json={}, headers=lead)) == (422, "request.invalid")
    with server_sessions() as session:
        ticket = session.scalars(select(Ticket).where(Ticket.number == second, Ticket.state == "called")).one()
        assert ticket.version == 1  # untouched by the refused move


def test_pending_deliveries_list_counters_whose_device_has_not_applied_the_latest_assignment(
    client: TestClient, server_sessions: sessionmaker[Session], centre: tuple[Headers, Headers]
):
    lead, _clerk = centre
    staff_at(client, server_sessions, CENTRE_B, "2", "lead.b", "lead")  # another centre's device: never listed

    def pending() -> list[tuple[str, int, int]]:
        response = client.get("/v1/centre/pending-deliveries", headers=lead)
        assert response.status_code == 200, response.text
        return [(item["counter"], item["epoch"], item["applied_epoch"]) for item in response.json()]

    def applied(counter: str, epoch: int) -> None:  # what the sync issue's ``hello`` will do
        with server_sessions.begin() as session:
            ids = select(Counter.id).join(Centre).where(Centre.agency_code == CENTRE_A, Counter.number == counter)
            session.execute(update(Device).where(Device.counter_id.in_(ids)).values(applied_epoch=epoch))

    # GIVEN new devices that have not reported anything yet: both counters' first assignment is pending
    assert pending() == [("1", 1, 0), ("2", 1, 0)]
    applied("1", 1)
    applied("2", 1)
    assert pending() == []
    # WHEN the lead reassigns counter 2
    reassigned = client.put("/v1/centre/counters/2/services", json={"services": ["HTCT", "KD"]}, headers=lead)
    assert reassigned.status_code == 200, reassigned.text
    # THEN it is pending delivery, with its device's last contact (the clerk's login), until the device applied it
    response = client.get("/v1/centre/pending-deliveries", headers=lead).json()
    assert [(item["counter"], item["epoch"], item["applied_epoch"]) for item in response] == [("2", 2, 1)]
    assert response[0]["last_contact"] is not None and response[0]["device_id"]
    applied("2", 2)
    assert pending() == []
    # AND a revoked device is not waited for
    with server_sessions.begin() as session:
        centre_a = org.centre_by_code(session, CENTRE_A)
        org.assign(session, org.counter_by_number(session, centre_a.id, "2"), [])
    assert pending() == [("2", 3, 2)]
    with server_sessions.begin() as session:
        session.execute(update(Device).where(Device.applied_epoch == 2).values(revoked_at=now()))
    assert pending() == []
