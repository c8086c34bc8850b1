"""Fair shares of numbers (issue 15 point 2), on SQLite and PostgreSQL: one device can no longer lease a
centre's whole reserve of offline numbers. A lease is cut to the device's share (sized from its use) and
never takes the floors other devices still need; leases are for today up to the next working day only; a
counter leases with its credential alone only while a staff member signed in on it recently; a counter's
hand holds no more than its share of a service's waiting tickets; a range running low or out raises an
alarm the lead reads. Each test fails on the code before (which granted every request in full, a week
ahead, to any counter credential, and said nothing when a range ran out)."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from counterapp.datafiles.calendar import bundled_calendar
from counterapp.domain.errors import ValidationFailed
from counterapp.server import cli as server_cli
from counterapp.server.models.auth import Device, StaffSession, User
from counterapp.server.models.numbers import CodeCounter, CodeLease
from counterapp.server.models.org import Centre
from counterapp.server.models.sync import Dossier
from counterapp.server.services import devices, lead, number_shares, numbers, org
from tests.server.authkit import (
    CENTRE_A,
    Enrolled,
    enroll,
    generous_shares,
    login,
    make_centre,
    make_device,
    make_user,
    now,
    problem,
)

FRIDAY = datetime(2025, 3, 14, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội, a Friday


def today() -> date:
    return numbers.local_day(datetime.now(UTC))


@pytest.fixture
def centre(server_sessions: sessionmaker[Session]) -> str:
    """Centre A: services HTCT (prefix A) and KD (C); counters 1, 2 and 3 serve HTCT; a clerk for each
    (``clerk.1``…``clerk.3``)."""
    centre_id = make_centre(server_sessions, CENTRE_A, ("1", "2", "3"))
    for n in "123":
        make_user(server_sessions, f"clerk.{n}", "clerk", CENTRE_A)
    return centre_id


def counter_device(client: TestClient, sessions: sessionmaker[Session], number: str) -> Enrolled:
    """Counter ``number``'s device; its clerk ``clerk.<number>`` has signed in on it (so its credential alone
    leases, as the counter's sync worker does)."""
    device = enroll(client, make_device(sessions, CENTRE_A, number)[1])
    login(client, device, f"clerk.{number}")
    return device


def kiosk(client: TestClient, sessions: sessionmaker[Session]) -> Enrolled:
    with sessions.begin() as session:
        centre = org.centre_by_code(session, CENTRE_A)
        _device, code, _expires = devices.create_device(session, centre, kind="kiosk", counter=None, now=now())
    return enroll(client, code)


def lease(
    client: TestClient, headers: dict[str, str], count: int, *, kind: str = "dossier", scope: str | None = None,
    day: date | None = None,
) -> httpx2.Response:  # fmt: skip
    body = {"kind": kind, "scope": scope, "day": (day or today()).isoformat(), "count": count}
    return client.post("/v1/codes/lease", json=body, headers=headers)


def block(response: httpx2.Response) -> tuple[int, int]:
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body["start"], body["end"]


def next_reserved(sessions: sessionmaker[Session], kind: str, scope: str, day: date) -> int:
    with sessions() as session:
        return session.scalars(
            select(CodeCounter.next_reserved).where(
                CodeCounter.kind == kind, CodeCounter.scope == scope, CodeCounter.day == day
            )
        ).one()


def received(sessions: sessionmaker[Session], device_id: str, day: date, numbers_: range) -> None:
    """Dossiers the device received on ``day`` with these code numbers, as its pushes would have left them."""
    at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=3)
    with sessions.begin() as session:
        centre_id = session.get_one(Device, device_id).centre_id
        for n in numbers_:
            session.add(Dossier(id=f"{device_id[:8]}-{day:%y%m%d}-{n:04d}", centre_id=centre_id, device_id=device_id,
                                code=f"{CENTRE_A}-{day:%y%m%d}-{n:04d}", procedure_code="1.004873", status="received",
                                version=1, received_at=at, due_at=None, returned_at=None, data={}))  # fmt: skip


# --- shares --------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("centre")
def test_ten_leases_of_300_no_longer_drain_the_range(client: TestClient, server_sessions: sessionmaker[Session]):
    # GIVEN two new counters whose clerks signed in on them
    greedy, other = (counter_device(client, server_sessions, n) for n in "12")
    # WHEN one device credential asks ten times for 300 dossier codes, and ten times for 300 walk-in numbers
    codes = [lease(client, greedy.headers, 300) for _ in range(10)]
    walkins = [lease(client, greedy.headers, 300, kind="ticket", scope="A") for _ in range(10)]
    # THEN it gets a new device's share (the floors: 50 codes, 5 walk-in numbers), then 409 lease.cap_reached
    assert block(codes[0]) == (7000, 7049) and block(walkins[0]) == (900, 904)
    for refused in codes[1:] + walkins[1:]:
        assert problem(refused) == (409, "lease.cap_reached")
        assert "share" in refused.json()["detail"]
    # AND the range lost nothing else: the other counter's numbers follow at once
    assert block(lease(client, other.headers, 50)) == (7050, 7099)
    assert block(lease(client, other.headers, 5, kind="ticket", scope="A")) == (905, 909)
    assert next_reserved(server_sessions, "dossier", CENTRE_A, today()) == 7100
    assert next_reserved(server_sessions, "ticket", "A", today()) == 910


@pytest.mark.usefixtures("centre")
def test_a_share_follows_the_devices_use_and_counts_what_it_spent(
    client: TestClient, server_sessions: sessionmaker[Session]
):
    # GIVEN a counter that received 40 dossiers on its busiest day of the last week (3 days ago)
    device = counter_device(client, server_sessions, "1")
    received(server_sessions, device.device_id, today() - timedelta(days=3), range(1, 41))
    received(server_sessions, device.device_id, today() - timedelta(days=2), range(1, 11))
    received(server_sessions, device.device_id, today() - timedelta(days=9), range(1, 301))  # too long ago
    # WHEN it asks for 300 codes THEN it may hold twice its busiest day unspent: 80
    assert block(lease(client, device.headers, 300)) == (7000, 7079)
    assert problem(lease(client, device.headers, 1)) == (409, "lease.cap_reached")
    # WHEN 30 of them reach the server on dossiers and 5 are reported void (a jammed printer)
    received(server_sessions, device.device_id, today(), range(7000, 7030))
    token = login(client, device, "clerk.1")
    body = {"kind": "dossier", "day": today().isoformat(), "numbers": list(range(7030, 7035)), "reason": "kẹt giấy"}
    assert client.post("/v1/codes/voids", json=body, headers=device.staff(token)).status_code == 200
    # THEN it holds 45 unspent, and today's 30 dossiers do not change its busiest day: 35 more
    assert block(lease(client, device.headers, 300)) == (7080, 7114)
    # AND a lead's lower ceiling bounds the share however busy the device is
    with server_sessions.begin() as session:
        numbers.set_share_policy(org.centre_by_code(session, CENTRE_A), ceiling_dossier=60)
    assert problem(lease(client, device.headers, 1)) == (409, "lease.cap_reached")  # it holds 80 > 60


@pytest.mark.usefixtures("centre")
def test_a_kiosk_keeps_its_walk_in_leases_within_a_share_of_what_it_issues(
    client: TestClient, server_sessions: sessionmaker[Session]
):
    # GIVEN a kiosk (no staff ever signs in on it) that issued 8 tickets of HTCT today
    machine = kiosk(client, server_sessions)
    for _ in range(8):
        assert client.post("/v1/tickets", json={"service": "HTCT"}, headers=machine.headers).status_code == 201
    # WHEN it leases walk-in numbers for offline use THEN it gets twice its use (16), not the 30 it asks
    assert block(lease(client, machine.headers, 30, kind="ticket", scope="A")) == (900, 915)
    assert problem(lease(client, machine.headers, 1, kind="ticket", scope="A")) == (409, "lease.cap_reached")
    # AND a service it issued nothing of is a new device's floor
    assert block(lease(client, machine.headers, 30, kind="ticket", scope="C")) == (900, 904)
    # AND dossier codes still need a staff session at a kiosk
    assert problem(lease(client, machine.headers, 10)) == (401, "auth.session_required")


@pytest.mark.usefixtures("centre")
def test_a_grant_never_takes_the_floors_other_devices_still_need(
    client: TestClient, server_sessions: sessionmaker[Session]
):
    # GIVEN walk-in shares of 20 a device (floor), up to the whole range (ceiling 100), at 10 × use,
    with server_sessions.begin() as session:
        numbers.set_share_policy(org.centre_by_code(session, CENTRE_A), multiple=10, floor_ticket=20,
                                 ceiling_ticket=100)  # fmt: skip
    # three counters that leased one walk-in number of A today, and a kiosk that issued 30 tickets of A
    desks = [counter_device(client, server_sessions, n) for n in "123"]
    assert [block(lease(client, d.headers, 1, kind="ticket", scope="A")) for d in desks] == [
        (900, 900), (901, 901), (902, 902),
    ]  # fmt: skip
    machine = kiosk(client, server_sessions)
    for _ in range(30):
        assert client.post("/v1/tickets", json={"service": "HTCT"}, headers=machine.headers).status_code == 201
    # WHEN the kiosk, whose share is the whole range, asks for all that is left (97)
    # THEN it gets what the three counters do not still need to reach their floor: 97 − 3 × 19 = 40
    assert block(lease(client, machine.headers, 100, kind="ticket", scope="A")) == (903, 942)
    # AND each counter still reaches its floor, to the range's last number
    assert [block(lease(client, d.headers, 50, kind="ticket", scope="A")) for d in desks] == [
        (943, 961), (962, 980), (981, 999),
    ]  # fmt: skip
    assert problem(lease(client, desks[0].headers, 1, kind="ticket", scope="A")) == (409, "code.sequence_exhausted")


def test_one_device_asking_many_times_at_once_gets_its_share_once(server_sessions: sessionmaker[Session]):
    """The share is decided under the day's counter row lock: parallel requests of one device cannot each
    see nothing held and each take a full share (PostgreSQL: real parallel connections)."""
    make_centre(server_sessions, CENTRE_A)
    device_id = make_device(server_sessions, CENTRE_A)[0]
    threads = 8
    barrier = threading.Barrier(threads)

    def take(_: int) -> int:
        barrier.wait(timeout=30)
        try:
            with server_sessions.begin() as session:
                row = numbers.lease_block(session, session.get_one(Device, device_id), "dossier", None,
                                          FRIDAY.date(), 30, FRIDAY)  # fmt: skip
                return row.range_end - row.range_start + 1
        except numbers.LeaseCapReached:
            return 0

    with ThreadPoolExecutor(threads) as pool:
        granted = list(pool.map(take, range(threads)))
    assert sum(granted) == 50 and sorted(granted)[-2:] == [20, 30]  # the floor: 30, then the 20 left of it


# --- days ----------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("centre")
def test_leases_are_for_today_up_to_the_next_working_day_only(
    client: TestClient, server_sessions: sessionmaker[Session]
):
    device = counter_device(client, server_sessions, "1")
    first, last = today(), bundled_calendar().next_working_day(today())
    # GIVEN today and the next working day (and any day off between): leased
    day = first
    while day <= last:
        assert lease(client, device.headers, 5, day=day).status_code == 201, day
        day += timedelta(days=1)
    # THEN the day after the next working day, a week ahead, yesterday: 422 lease.day_invalid
    for refused in (last + timedelta(days=1), first + timedelta(days=7), first - timedelta(days=1)):
        response = lease(client, device.headers, 5, day=refused)
        assert problem(response) == (422, "validation.failed"), refused
        assert response.json()["errors"] == [{"field": "day", "code": "lease.day_invalid"}]
    # AND on a Friday: Saturday, Sunday and Monday, not Tuesday
    with server_sessions.begin() as session:
        machine = session.scalars(select(Device)).first()
        assert machine is not None
        for offset in (1, 2, 3):
            numbers.lease_block(session, machine, "dossier", None, FRIDAY.date() + timedelta(days=offset), 5, FRIDAY)
        with pytest.raises(ValidationFailed) as refused_tuesday:
            numbers.lease_block(session, machine, "dossier", None, FRIDAY.date() + timedelta(days=4), 5, FRIDAY)
    assert refused_tuesday.value.errors[0].params == {"last": "2025-03-17"}


# --- who may lease -------------------------------------------------------------------------------------


@pytest.mark.usefixtures("centre")
def test_a_counter_nobody_signed_in_on_recently_gets_no_numbers(
    client: TestClient, server_sessions: sessionmaker[Session]
):
    # GIVEN a counter device nobody ever signed in on
    device = enroll(client, make_device(server_sessions, CENTRE_A, "1")[1])
    # WHEN its credential alone asks for numbers THEN 403 lease.staff_required, saying why, nothing taken
    refused = lease(client, device.headers, 10)
    assert problem(refused) == (403, "lease.staff_required")
    assert "7 days" in refused.json()["detail"]
    with server_sessions() as session:
        assert session.scalars(select(CodeLease)).all() == []
    # WHEN its only sign-in is 8 days old THEN still refused
    login(client, device, "clerk.1")
    age_sign_ins(server_sessions, days=8)
    assert problem(lease(client, device.headers, 10)) == (403, "lease.staff_required")
    # AND a sign-in of an account deactivated since does not count
    login(client, device, "clerk.1")
    with server_sessions.begin() as session:
        session.execute(update(User).where(User.username == "clerk.1").values(active=False))
    assert problem(lease(client, device.headers, 10)) == (403, "lease.staff_required")


@pytest.mark.usefixtures("centre")
def test_a_counter_whose_clerk_signed_in_recently_refills_with_its_credential_alone(
    client: TestClient, server_sessions: sessionmaker[Session]
):
    # GIVEN a counter whose clerk signed in, then signed out
    device = enroll(client, make_device(server_sessions, CENTRE_A, "1")[1])
    token = login(client, device, "clerk.1")
    assert client.delete("/v1/sessions/current", headers=device.staff(token)).status_code == 204
    # THEN its sync worker refills with the device credential alone
    assert block(lease(client, device.headers, 10)) == (7000, 7009)
    # AND a sign-in 8 days old is recent enough for a centre that allows 10 days offline
    age_sign_ins(server_sessions, days=8)
    assert problem(lease(client, device.headers, 10)) == (403, "lease.staff_required")
    with server_sessions.begin() as session:
        numbers.set_share_policy(org.centre_by_code(session, CENTRE_A), staff_days=10)
    assert block(lease(client, device.headers, 10)) == (7010, 7019)
    # AND with a staff session the staff's role decides, however long ago anyone else signed in
    assert block(lease(client, device.staff(login(client, device, "clerk.1")), 10)) == (7020, 7029)


def age_sign_ins(sessions: sessionmaker[Session], *, days: int) -> None:
    with sessions.begin() as session:
        session.execute(update(StaffSession).values(created_at=now() - timedelta(days=days)))


def test_share_policy_bounds_are_checked(server_sessions: sessionmaker[Session]):
    make_centre(server_sessions, CENTRE_A)
    with server_sessions.begin() as session:
        centre = org.centre_by_code(session, CENTRE_A)
        for bad in ({"floor_ticket": 0}, {"floor_ticket": 31}, {"ceiling_ticket": 101}, {"ceiling_dossier": 3001},
                    {"multiple": 0}, {"multiple": 11}, {"staff_days": 0}, {"staff_days": 31}):  # fmt: skip
            with pytest.raises(ValidationFailed):
                numbers.set_share_policy(centre, **bad)
        assert (centre.lease_floor_ticket, centre.lease_ceiling_ticket, centre.lease_multiple) == (5, 30, 2)
        numbers.set_share_policy(centre, floor_ticket=10, ceiling_ticket=100, multiple=3, staff_days=3)
    with server_sessions() as session:
        stored = session.scalars(select(Centre)).one()
        assert number_shares.policy_of(stored, "ticket") == number_shares.SharePolicy(3, 10, 100, 3)
        assert number_shares.policy_of(stored, "dossier") == number_shares.SharePolicy(3, 50, 300, 3)


def test_a_centres_shares_are_set_from_the_command_line(
    server_db: str, server_sessions: sessionmaker[Session], capsys: pytest.CaptureFixture[str]
):
    make_centre(server_sessions, CENTRE_A)
    args = ["--centre", CENTRE_A, "--ticket-floor", "8", "--ticket-ceiling", "40", "--staff-days", "3"]
    assert server_cli.main(["admin", "set-number-shares", *args, "--database-url", server_db]) == 0
    assert "walk-in numbers 8–40 per service" in capsys.readouterr().out
    too_big = ["--centre", CENTRE_A, "--dossier-ceiling", "3001", "--database-url", server_db]
    assert server_cli.main(["admin", "set-number-shares", *too_big]) == 1
    assert "shares.bounds_invalid" in capsys.readouterr().err
    with server_sessions() as session:
        stored = session.scalars(select(Centre)).one()
        assert number_shares.policy_of(stored, "ticket") == number_shares.SharePolicy(2, 8, 40, 3)
        assert number_shares.policy_of(stored, "dossier") == number_shares.SharePolicy(2, 50, 300, 3)


# --- hands ---------------------------------------------------------------------------------------------


def hand(client: TestClient, device: Enrolled, size: int = 5) -> list[str]:
    response = client.post("/v1/queue/hand", json={"size": size, "minutes": 10}, headers=device.headers)
    assert response.status_code == 200, response.text
    return [t["number"] for t in response.json()["tickets"]]


def open_counter(sessions: sessionmaker[Session], number: str) -> None:
    with sessions.begin() as session:
        lead.set_counter_status(org.counter_by_number(session, org.centre_by_code(session, CENTRE_A).id, number),
                                lead.OPEN)  # fmt: skip


def test_a_counter_holds_no_more_than_its_share_of_a_services_waiting_tickets(
    client: TestClient, server_sessions: sessionmaker[Session], centre: str
):
    one, two = (counter_device(client, server_sessions, n) for n in "12")
    kiosk_device = kiosk(client, server_sessions)
    for _ in range(4):
        assert client.post("/v1/tickets", json={"service": "HTCT"}, headers=kiosk_device.headers).status_code == 201
    # GIVEN counters 1 and 2 open, both serving HTCT, and 4 tickets waiting
    open_counter(server_sessions, "1")
    open_counter(server_sessions, "2")
    # WHEN counter 1's sync worker asks for a hand of 5, again and again
    # THEN it holds its share, ⌈4 ÷ 2⌉ = 2, and counter 2 is dealt the other two
    assert [hand(client, one) for _ in range(3)] == [["A001", "A002"]] * 3
    assert hand(client, two) == ["A003", "A004"]
    # WHEN counter 2 closes its hand stays until the lease runs out; a new ticket: counter 1's share is 3
    assert client.post("/v1/tickets", json={"service": "HTCT"}, headers=kiosk_device.headers).status_code == 201
    with server_sessions.begin() as session:
        org.counter_by_number(session, centre, "2").status = "closed"
    assert hand(client, one) == ["A001", "A002", "A005"]
    # WHEN counters 2 and 3 open (5 waiting, 3 open counters: a share of 2 each)
    three = counter_device(client, server_sessions, "3")
    open_counter(server_sessions, "2")
    open_counter(server_sessions, "3")
    # THEN counter 1's next hand is 2, and A005 goes back to the pool at once, for counter 3
    assert hand(client, one) == ["A001", "A002"]
    assert hand(client, three) == ["A005"]


# --- alarms --------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("centre")
def test_a_range_running_low_or_out_raises_an_alarm_for_the_lead(
    client: TestClient, server_sessions: sessionmaker[Session], caplog: pytest.LogCaptureFixture
):
    generous_shares(server_sessions, CENTRE_A)  # one counter may lease the whole walk-in range
    desk = counter_device(client, server_sessions, "1")
    make_user(server_sessions, "lead.a", "lead", CENTRE_A)
    lead_desk = enroll(client, make_device(server_sessions, CENTRE_A, "2")[1])
    lead_headers = lead_desk.staff(login(client, lead_desk, "lead.a"))
    clerk_headers = desk.staff(login(client, desk, "clerk.1"))
    assert client.get("/v1/centre/alarms", headers=lead_headers).json() == []
    # WHEN a counter leases walk-in numbers of A up to 979 (80 % of 900–999), then to the end, then once more
    caplog.set_level(logging.WARNING, logger="counterapp.server.services.number_alarms")
    assert block(lease(client, desk.headers, 79, kind="ticket", scope="A")) == (900, 978)
    assert alarms(client, lead_headers) == []
    assert block(lease(client, desk.headers, 2, kind="ticket", scope="A")) == (979, 980)
    assert block(lease(client, desk.headers, 30, kind="ticket", scope="A")) == (981, 999)
    for _ in range(2):
        assert problem(lease(client, desk.headers, 1, kind="ticket", scope="A")) == (409, "code.sequence_exhausted")
    # AND the day's online dossier codes run out at a counter, and the online walk-in numbers at a kiosk
    assert client.post("/v1/codes/next", json={"kind": "dossier"}, headers=clerk_headers).status_code == 200
    with server_sessions.begin() as session:
        session.execute(update(CodeCounter).where(CodeCounter.kind == "dossier").values(next_value=7000))
    assert problem(client.post("/v1/codes/next", json={"kind": "dossier"}, headers=clerk_headers))[1] == (
        "code.sequence_exhausted"
    )
    machine = kiosk(client, server_sessions)
    assert client.post("/v1/tickets", json={"service": "KD"}, headers=machine.headers).status_code == 201
    with server_sessions.begin() as session:
        session.execute(update(CodeCounter).where(CodeCounter.scope == "C").values(next_value=900))
    assert problem(client.post("/v1/tickets", json={"service": "KD"}, headers=machine.headers)) == (
        409, "code.sequence_exhausted",
    )  # fmt: skip
    # THEN the lead sees each once, newest first, with who ran into it
    seen = client.get("/v1/centre/alarms", headers=lead_headers).json()
    assert [(a["kind"], a["scope"], a["range"], a["level"]) for a in seen] == [
        ("ticket", "C", "online", "exhausted"),
        ("dossier", CENTRE_A, "online", "exhausted"),
        ("ticket", "A", "reserved", "exhausted"),
        ("ticket", "A", "reserved", "low"),
    ]
    assert [(a["used"], a["size"], a["counter"]) for a in seen] == [(899, 899, None), (6999, 6999, "1"),
                                                                    (100, 100, "1"), (81, 100, "1")]  # fmt: skip
    assert {a["day"] for a in seen} == {today().isoformat()}
    # AND it was logged; a clerk may not read the alarms
    assert caplog.text.count("numbers exhausted") == 3 and caplog.text.count("numbers low") == 1
    assert problem(client.get("/v1/centre/alarms", headers=clerk_headers)) == (403, "auth.forbidden")
    assert alarms(client, lead_headers, since=today() + timedelta(days=1)) == []


def alarms(client: TestClient, headers: dict[str, str], since: date | None = None) -> list[dict[str, Any]]:
    params = {"since": since.isoformat()} if since else {}
    response = client.get("/v1/centre/alarms", params=params, headers=headers)
    assert response.status_code == 200, response.text
    body: list[dict[str, Any]] = response.json()
    return body
