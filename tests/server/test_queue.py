"""The queue authority on SQLite and PostgreSQL: tickets are numbered per service per day, call-next follows
the strict priority rule among the counter's own services, the centre is the device's, the ticket state
machine is enforced, and — on PostgreSQL with real parallel connections — a ticket is called exactly once
however many counters race for it."""

from __future__ import annotations

import re
import threading
from collections import Counter as Tally
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from counterapp.domain.errors import DomainError, ValidationFailed
from counterapp.server import feed
from counterapp.server.models.org import Centre, Counter, QueueService
from counterapp.server.models.queue import Ticket, TicketEventRow
from counterapp.server.models.sync import ChangeRow
from counterapp.server.services import devices, org, queue
from tests.server.authkit import (
    CENTRE_A,
    CENTRE_B,
    enroll,
    login,
    make_centre,
    make_device,
    make_user,
    now,
    problem,
)

T1 = datetime(2025, 3, 14, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội


def counter_headers(
    client: TestClient, sessions: sessionmaker[Session], agency: str, counter: str, username: str
) -> dict[str, str]:
    """Headers of an enrolled device at ``counter`` of ``agency`` with a clerk logged in."""
    make_user(sessions, username, "clerk", agency)
    device = enroll(client, make_device(sessions, agency, counter)[1])
    return device.staff(login(client, device, username))


def assign(sessions: sessionmaker[Session], agency: str, counter: str, *service_codes: str) -> None:
    with sessions.begin() as session:
        centre = org.centre_by_code(session, agency)
        org.assign(
            session,
            org.counter_by_number(session, centre.id, counter),
            org.services_by_codes(session, centre.id, service_codes),
        )


def issue(client: TestClient, headers: dict[str, str], service: str = "HTCT", priority: str | None = None) -> str:
    response = client.post("/v1/tickets", json={"service": service, "priority": priority}, headers=headers)
    assert response.status_code == 201, response.text
    number: str = response.json()["number"]
    return number


@pytest.fixture
def desk1(client: TestClient, server_sessions: sessionmaker[Session]) -> dict[str, str]:
    make_centre(server_sessions, CENTRE_A)  # services HTCT (A) and KD (C); counters 1 and 2 serve HTCT
    return counter_headers(client, server_sessions, CENTRE_A, "1", "clerk.1")


# --- issue ---------------------------------------------------------------------------------------------


def test_tickets_are_numbered_per_service_per_day(
    client: TestClient, server_sessions: sessionmaker[Session], desk1: dict[str, str]
):
    assert [issue(client, desk1) for _ in range(3)] == ["A001", "A002", "A003"]
    assert issue(client, desk1, "KD") == "C001"
    ticket = client.post("/v1/tickets", json={"service": "htct", "priority": "elderly"}, headers=desk1).json()
    assert (ticket["number"], ticket["state"], ticket["priority"], ticket["service"]) == (
        "A004", "waiting", "elderly", "HTCT",
    )  # fmt: skip
    # a kiosk issues without a staff session; a display never does; other devices need staff
    with server_sessions.begin() as session:
        centre = org.centre_by_code(session, CENTRE_A)
        kiosk_code = devices.create_device(session, centre, kind="kiosk", counter=None, now=now())[1]
        display_code = devices.create_device(session, centre, kind="display", counter=None, now=now())[1]
    kiosk, display = enroll(client, kiosk_code), enroll(client, display_code)
    assert issue(client, kiosk.headers) == "A005"
    assert problem(client.post("/v1/tickets", json={"service": "HTCT"}, headers=display.headers)) == (
        403, "auth.forbidden",
    )  # fmt: skip
    counter_only = enroll(client, make_device(server_sessions, CENTRE_A, "2")[1])
    no_staff = client.post("/v1/tickets", json={"service": "HTCT"}, headers=counter_only.headers)
    assert problem(no_staff) == (401, "auth.session_required")
    # unknown services and priority classes are input errors; nothing is numbered for them
    for body, field in (({"service": "NOPE"}, "service"), ({"service": "HTCT", "priority": "vip"}, "priority")):
        refused = client.post("/v1/tickets", json=body, headers=desk1)
        assert problem(refused) == (422, "validation.failed")
        assert refused.json()["errors"][0]["field"] == field
    assert issue(client, desk1) == "A006"
    # another day starts again at 001 (the service works on the centre's local date)
    with server_sessions.begin() as session:
        centre = session.scalars(select(Centre).where(Centre.agency_code == CENTRE_A)).one()
        htct = session.scalars(select(QueueService).where(QueueService.code == "HTCT")).one()
        first = queue.issue_ticket(session, centre, htct, None, T1)
        second = queue.issue_ticket(session, centre, htct, None, T1 + timedelta(days=1))
        assert (first.number, second.number) == ("A001", "A001")
        with pytest.raises(ValidationFailed):
            queue.issue_ticket(session, centre, htct, "vip", T1)
        events = session.scalars(select(TicketEventRow).where(TicketEventRow.ticket_id == first.id)).all()
        assert [(e.kind, e.position) for e in events] == [("issued", 0)]


# --- calling -------------------------------------------------------------------------------------------


def test_call_next_follows_the_strict_priority_rule(client: TestClient, desk1: dict[str, str]):
    issued = [issue(client, desk1, priority=p) for p in (None, "elderly", None, "merit", None)]
    assert issued == ["A001", "A002", "A003", "A004", "A005"]
    order = ["A002", "A004", "A001", "A003", "A005"]  # priority first (by rank, then issue time), then FIFO
    waiting = client.get("/v1/queue/waiting", headers=desk1)
    assert waiting.status_code == 200, waiting.text
    assert [t["number"] for t in waiting.json()] == order
    called = []
    for _ in order:
        response = client.post("/v1/queue/call-next", headers=desk1)
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["state"], body["counter"], body["version"]) == ("called", "1", 1)
        called.append(body["number"])
    assert called == order
    assert problem(client.post("/v1/queue/call-next", headers=desk1)) == (409, "queue.empty")
    assert client.get("/v1/queue/waiting", headers=desk1).json() == []


def test_a_counter_calls_only_its_assigned_services(
    client: TestClient, server_sessions: sessionmaker[Session], desk1: dict[str, str]
):
    assign(server_sessions, CENTRE_A, "2", "KD")
    desk2 = counter_headers(client, server_sessions, CENTRE_A, "2", "clerk.2")
    issue(client, desk1, "HTCT")
    assert problem(client.post("/v1/queue/call-next", headers=desk2)) == (409, "queue.empty")
    assert client.get("/v1/queue/waiting", headers=desk2).json() == []
    issue(client, desk1, "KD")
    assert client.post("/v1/queue/call-next", headers=desk2).json()["number"] == "C001"
    assert client.post("/v1/queue/call-next", headers=desk1).json()["number"] == "A001"
    for headers in (desk1, desk2):
        assert problem(client.post("/v1/queue/call-next", headers=headers)) == (409, "queue.empty")
    # a device not at a counter cannot call; a clerk without a session neither
    no_counter = enroll(client, make_device(server_sessions, CENTRE_A, None)[1])
    make_user(server_sessions, "clerk.x", "clerk", CENTRE_A)
    no_counter_staff = no_counter.staff(login(client, no_counter, "clerk.x"))
    assert problem(client.post("/v1/queue/call-next", headers=no_counter_staff)) == (403, "device.no_counter")
    assert problem(client.post("/v1/queue/call-next", headers={"Authorization": desk1["Authorization"]})) == (
        401, "auth.session_required",
    )  # fmt: skip


def test_another_centres_device_cannot_call_this_centres_tickets(
    client: TestClient, server_sessions: sessionmaker[Session], desk1: dict[str, str]
):
    make_centre(server_sessions, CENTRE_B)
    b = counter_headers(client, server_sessions, CENTRE_B, "1", "clerk.b")
    assert issue(client, desk1) == "A001"
    for action in ("call", "recall", "start", "finish"):
        assert problem(client.post(f"/v1/queue/tickets/A001/{action}", headers=b)) == (404, "ticket.not_found")
    assert problem(client.post("/v1/queue/call-next", headers=b)) == (409, "queue.empty")
    assert client.get("/v1/queue/waiting", headers=b).json() == []
    # A's ticket is untouched, and B's own A001 is B's
    assert client.get("/v1/queue/waiting", headers=desk1).json()[0]["state"] == "waiting"
    assert issue(client, b) == "A001"
    assert client.post("/v1/queue/tickets/A001/call", headers=b).json()["counter"] == "1"
    assert client.get("/v1/queue/waiting", headers=desk1).json()[0]["number"] == "A001"


def test_the_ticket_state_machine_is_enforced(
    client: TestClient, server_sessions: sessionmaker[Session], desk1: dict[str, str]
):
    desk2 = counter_headers(client, server_sessions, CENTRE_A, "2", "clerk.2")
    issue(client, desk1)
    # a waiting ticket cannot be started, recalled or finished
    for action in ("start", "recall", "finish"):
        refused = client.post(f"/v1/queue/tickets/A001/{action}", headers=desk1)
        assert problem(refused) == (409, "ticket.illegal_transition"), action
    called = client.post("/v1/queue/tickets/a001/call", headers=desk1)
    assert called.status_code == 200 and called.json()["state"] == "called"
    # the same counter calling again is a retry, not an error; another counter loses, and is told who won
    assert client.post("/v1/queue/tickets/A001/call", headers=desk1).json()["version"] == 1
    lost = client.post("/v1/queue/tickets/A001/call", headers=desk2)
    assert problem(lost) == (409, "ticket.already_called")
    assert re.fullmatch(r"A001 was called by counter 1 at \d\d:\d\d:\d\d", lost.json()["detail"])
    for action in ("recall", "start", "finish"):
        assert problem(client.post(f"/v1/queue/tickets/A001/{action}", headers=desk2)) == (
            409, "ticket.not_at_counter",
        )  # fmt: skip
    assert problem(client.post("/v1/queue/tickets/A001/finish", headers=desk1)) == (409, "ticket.illegal_transition")
    assert client.post("/v1/queue/tickets/A001/recall", headers=desk1).json()["recalls"] == 1
    assert client.post("/v1/queue/tickets/A001/start", headers=desk1).json()["state"] == "serving"
    assert problem(client.post("/v1/queue/tickets/A001/recall", headers=desk1)) == (409, "ticket.illegal_transition")
    done = client.post("/v1/queue/tickets/A001/finish", headers=desk1).json()
    assert (done["state"], done["version"]) == ("done", 4)
    assert problem(client.post("/v1/queue/tickets/A001/call", headers=desk2)) == (409, "ticket.illegal_transition")
    assert problem(client.post("/v1/queue/tickets/A999/call", headers=desk1)) == (404, "ticket.not_found")
    assert problem(client.post("/v1/queue/tickets/nonsense/call", headers=desk1))[0] == 422
    with server_sessions() as session:
        events = session.scalars(select(TicketEventRow).order_by(TicketEventRow.position)).all()
    assert [(e.position, e.kind) for e in events] == [
        (0, "issued"), (1, "called"), (2, "recalled"), (3, "started"), (4, "finished"),
    ]  # fmt: skip
    assert all(e.user_id is not None and e.device_id is not None for e in events[1:])


def test_a_hand_is_dealt_and_kept_from_other_counters(server_sessions: sessionmaker[Session]):
    make_centre(server_sessions, CENTRE_A)
    with server_sessions.begin() as session:
        centre = session.scalars(select(Centre)).one()
        htct = session.scalars(select(QueueService).where(QueueService.code == "HTCT")).one()
        for _ in range(4):
            queue.issue_ticket(session, centre, htct, None, T1)
        one, two = (org.counter_by_number(session, centre.id, n) for n in ("1", "2"))
        one.status = two.status = "open"  # a counter that is not open is dealt nothing
        hand = queue.deal_hand(session, one, 2, timedelta(minutes=10), T1)
        assert [t.number for t in hand] == ["A001", "A002"]
        assert [t.number for t in queue.deal_hand(session, two, 3, timedelta(minutes=10), T1)] == ["A003", "A004"]
        # counter 2 cannot call counter 1's hand while its lease runs; counter 1 calls from it
        assert queue.call_next(session, two, None, None, T1).number == "A003"
        assert queue.call_next(session, one, None, None, T1).number == "A001"
        # after the lease, the hand goes back to the pool
        assert queue.call_next(session, two, None, None, T1 + timedelta(minutes=11)).number == "A002"


# --- the race, on PostgreSQL with real parallel connections --------------------------------------------


def race(count: int, work: list[object]) -> list[object]:
    """Run each callable of ``work`` in its own thread, released together; their results or errors."""
    barrier = threading.Barrier(count)

    def run(job: object) -> object:
        barrier.wait(timeout=30)
        try:
            return job()  # type: ignore[operator]
        except DomainError as exc:
            return exc

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, work))


def setup_counters(sessions: sessionmaker[Session], count: int) -> tuple[str, str, list[str]]:
    make_centre(sessions, CENTRE_A, counters=tuple(str(n) for n in range(1, count + 1)))
    with sessions() as session:
        centre = session.scalars(select(Centre)).one()
        htct = session.scalars(select(QueueService).where(QueueService.code == "HTCT")).one()
        counters = [c.id for c in session.scalars(select(Counter).order_by(Counter.number))]
        return centre.id, htct.id, counters


def issue_many(sessions: sessionmaker[Session], centre_id: str, service_id: str, count: int) -> list[str]:
    with sessions.begin() as session:
        centre, service = session.get_one(Centre, centre_id), session.get_one(QueueService, service_id)
        return [queue.issue_ticket(session, centre, service, None, T1).number for _ in range(count)]


def call_next_in_own_transaction(sessions: sessionmaker[Session], counter_id: str) -> str:
    with sessions.begin() as session:  # its own connection from the pool
        return queue.call_next(session, session.get_one(Counter, counter_id), None, None, T1).number


def call_in_own_transaction(sessions: sessionmaker[Session], counter_id: str, number: str) -> str:
    with sessions.begin() as session:
        return queue.call_ticket(session, session.get_one(Counter, counter_id), number, T1).number


@pytest.mark.parametrize("server_db", ["postgresql"], indirect=True)
def test_two_counters_racing_for_one_ticket_exactly_one_wins(server_sessions: sessionmaker[Session]):
    centre_id, service_id, (one, two) = setup_counters(server_sessions, 2)
    for round_ in range(60):
        # GIVEN exactly one waiting ticket
        (number,) = issue_many(server_sessions, centre_id, service_id, 1)
        if round_ % 2 == 0:  # WHEN both counters press call-next at once
            jobs = [lambda c=c: call_next_in_own_transaction(server_sessions, c) for c in (one, two)]
            loser_code = "queue.empty"
        else:  # WHEN both counters call that number at once
            jobs = [lambda c=c, n=number: call_in_own_transaction(server_sessions, c, n) for c in (one, two)]
            loser_code = "ticket.already_called"
        results = race(2, list(jobs))
        # THEN exactly one wins it and the other is refused with the reason
        wins = [r for r in results if r == number]
        losses = [r for r in results if isinstance(r, DomainError)]
        assert len(wins) == 1 and len(losses) == 1, (round_, results)
        assert losses[0].code == loser_code, (round_, results)
        if loser_code == "ticket.already_called":
            assert "called by counter" in str(losses[0])
    with server_sessions() as session:
        assert session.scalar(select(func.count()).select_from(Ticket).where(Ticket.state != "called")) == 0
        calls = session.scalar(select(func.count()).select_from(TicketEventRow).where(TicketEventRow.kind == "called"))
        assert calls == 60


@pytest.mark.parametrize("server_db", ["postgresql"], indirect=True)
def test_eight_counters_draining_200_tickets_call_each_exactly_once(server_sessions: sessionmaker[Session]):
    centre_id, service_id, counters = setup_counters(server_sessions, 8)
    issued = issue_many(server_sessions, centre_id, service_id, 200)

    def drain(counter_id: str) -> list[str]:
        got: list[str] = []
        while True:
            try:
                got.append(call_next_in_own_transaction(server_sessions, counter_id))
            except queue.QueueEmpty:
                return got

    results = race(8, [lambda c=c: drain(c) for c in counters])
    called = [n for part in results for n in part]  # type: ignore[attr-defined]
    duplicates = [n for n, k in Tally(called).items() if k > 1]
    assert not duplicates, duplicates
    assert sorted(called) == sorted(issued)
    assert sum(1 for part in results if part) > 1  # several counters really took part
    with server_sessions() as session:
        rows = session.scalars(select(Ticket)).all()
        assert {t.state for t in rows} == {"called"} and {t.version for t in rows} == {1}
        per_ticket = session.execute(
            select(TicketEventRow.ticket_id, func.count())
            .where(TicketEventRow.kind == "called")
            .group_by(TicketEventRow.ticket_id)
        ).all()
        assert len(per_ticket) == 200 and {n for _, n in per_ticket} == {1}
        # the change feed took every issue and call in commit order: one seq each, no gap, and each
        # ticket's versions in order (the one-statement claim on PostgreSQL leaves the feed to the commit)
        changes = session.execute(
            select(ChangeRow.seq, ChangeRow.entity_id, ChangeRow.version)
            .where(ChangeRow.space == feed.centre_space(centre_id))
            .order_by(ChangeRow.seq)
        ).all()
        assert [c.seq for c in changes] == list(range(1, len(changes) + 1))
        versions: dict[str, list[int]] = {}
        for change in changes:
            versions.setdefault(change.entity_id, []).append(change.version)
        assert {tuple(v) for ticket_id, v in versions.items() if ticket_id in {t.id for t in rows}} == {(1, 2)}


def test_call_next_follows_the_interleave_rule_when_the_centre_chooses_it(
    client: TestClient, desk1: dict[str, str], server_sessions: sessionmaker[Session]
):
    with server_sessions.begin() as session:
        org.set_priority_rule(org.centre_by_code(session, CENTRE_A), "interleave", 2)
    issued = [issue(client, desk1, priority=p) for p in (None, None, None, "elderly", None, "merit")]
    assert issued == ["A001", "A002", "A003", "A004", "A005", "A006"]
    called = [client.post("/v1/queue/call-next", headers=desk1).json()["number"] for _ in issued]
    assert called == ["A001", "A002", "A004", "A003", "A005", "A006"]  # one priority after every 2 regular
    with server_sessions.begin() as session, pytest.raises(ValidationFailed):
        org.set_priority_rule(org.centre_by_code(session, CENTRE_A), "random")


def test_a_counter_is_dealt_a_hand_over_http_and_others_cannot_call_it(
    client: TestClient, desk1: dict[str, str], server_sessions: sessionmaker[Session]
):
    for _ in range(4):
        issue(client, desk1)
    with server_sessions.begin() as session:  # a counter that is not open is dealt nothing
        org.counter_by_number(session, org.centre_by_code(session, CENTRE_A).id, "1").status = "open"
    dealt = client.post("/v1/queue/hand", json={"size": 2, "minutes": 10}, headers=desk1)
    assert dealt.status_code == 200, dealt.text
    assert [t["number"] for t in dealt.json()["tickets"]] == ["A001", "A002"]
    desk2 = counter_headers(client, server_sessions, CENTRE_A, "2", "clerk.2")
    assert client.post("/v1/queue/call-next", headers=desk2).json()["number"] == "A003"
    too_many = client.post("/v1/queue/hand", json={"size": 9}, headers=desk1)
    assert too_many.status_code == 422
