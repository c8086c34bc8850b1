"""The number authority on SQLite and PostgreSQL: online numbers are sequential and restart each day,
leases never overlap, used-up ranges are an explicit 409, the centre is always the device's, unused
numbers are recorded as voids, and many connections at once never duplicate or skip a number."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from counterapp.domain.codes import SequenceExhausted
from counterapp.domain.errors import ValidationFailed
from counterapp.server.models.auth import Device
from counterapp.server.models.numbers import CodeCounter, CodeLease, NumberVoid
from counterapp.server.models.org import Centre
from counterapp.server.services import devices, numbers, org
from tests.server.authkit import (
    CENTRE_A,
    CENTRE_B,
    PASSWORD,
    enroll,
    enrolled_device,
    generous_shares,
    login,
    make_centre,
    make_device,
    make_user,
    now,
    problem,
)
from tests.server.processes import server_process

T1 = datetime(2025, 3, 14, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội
DAY1 = date(2025, 3, 14)


def today() -> date:
    return numbers.local_day(datetime.now(UTC))


def staff_device(client: TestClient, sessions: sessionmaker[Session], agency: str, username: str) -> dict[str, str]:
    """Headers of an enrolled counter device of ``agency`` with a clerk logged in."""
    make_user(sessions, username, "clerk", agency)
    device = enrolled_device(client, sessions, agency)
    return device.staff(login(client, device, username))


@pytest.fixture
def centre_a(client: TestClient, server_sessions: sessionmaker[Session]) -> dict[str, str]:
    make_centre(server_sessions, CENTRE_A)
    return staff_device(client, server_sessions, CENTRE_A, "clerk.a")


def centre_row(sessions: sessionmaker[Session], agency: str) -> Centre:
    with sessions() as session:
        return session.scalars(select(Centre).where(Centre.agency_code == agency)).one()


# --- online numbers ------------------------------------------------------------------------------------


def test_online_numbers_are_sequential_per_kind_and_scope(client: TestClient, centre_a: dict[str, str]):
    day = today()
    codes = [client.post("/v1/codes/next", json={"kind": "dossier"}, headers=centre_a).json() for _ in range(3)]
    assert [c["number"] for c in codes] == [1, 2, 3]
    assert [c["code"] for c in codes] == [f"{CENTRE_A}-{day:%y%m%d}-{n:04d}" for n in (1, 2, 3)]
    assert codes[0]["scope"] == CENTRE_A and codes[0]["day"] == day.isoformat()
    # tickets count per service prefix, apart from dossier codes
    a = [client.post("/v1/codes/next", json={"kind": "ticket", "scope": "a"}, headers=centre_a).json() for _ in "xy"]
    c = client.post("/v1/codes/next", json={"kind": "ticket", "scope": "C", "day": day.isoformat()}, headers=centre_a)
    assert [t["code"] for t in a] == ["A001", "A002"]
    assert c.status_code == 200 and c.json()["code"] == "C001"
    again = client.post("/v1/codes/next", json={"kind": "dossier", "scope": CENTRE_A}, headers=centre_a)
    assert again.json()["number"] == 4


def test_online_numbers_restart_each_day_and_only_today_is_served(
    client: TestClient, server_sessions: sessionmaker[Session], centre_a: dict[str, str]
):
    centre = centre_row(server_sessions, CENTRE_A)
    day2, t2 = DAY1 + timedelta(days=1), T1 + timedelta(days=1)
    with server_sessions.begin() as session:
        first = [numbers.next_number(session, centre, "dossier", None, DAY1, T1) for _ in range(3)]
        second = [numbers.next_number(session, centre, "dossier", None, day2, t2) for _ in range(2)]
        tickets = [numbers.next_number(session, centre, "ticket", "A", day2, t2) for _ in range(2)]
    assert (first, second, tickets) == ([1, 2, 3], [1, 2], [1, 2])
    # 16:59 UTC is still the same day in Hà Nội, 17:00 is the next one
    with server_sessions.begin() as session:
        late = datetime(2025, 3, 14, 16, 59, tzinfo=UTC)
        assert numbers.next_number(session, centre, "dossier", None, DAY1, late) == 4
        with pytest.raises(ValidationFailed) as caught:
            numbers.next_number(session, centre, "dossier", None, DAY1, late + timedelta(minutes=1))
    assert caught.value.errors[0].code == "code.day_not_today"
    # over the API another day than today is refused, and unknown kinds and scopes are input errors
    yesterday = (today() - timedelta(days=1)).isoformat()
    refused = client.post("/v1/codes/next", json={"kind": "dossier", "day": yesterday}, headers=centre_a)
    assert problem(refused) == (422, "validation.failed")
    assert refused.json()["errors"] == [{"field": "day", "code": "code.day_not_today"}]
    for body in ({"kind": "ticket"}, {"kind": "ticket", "scope": "Z"}, {"kind": "dossier", "scope": "junk"}):
        assert client.post("/v1/codes/next", json=body, headers=centre_a).status_code == 422, body
    assert problem(client.post("/v1/codes/next", json={"kind": "nope"}, headers=centre_a)) == (422, "request.invalid")


def test_numbers_need_a_device_and_a_staff_session(client: TestClient, server_sessions: sessionmaker[Session]):
    make_centre(server_sessions, CENTRE_A)
    device = enrolled_device(client, server_sessions, CENTRE_A)
    assert problem(client.post("/v1/codes/next", json={"kind": "dossier"})) == (401, "auth.device_required")
    no_staff = client.post("/v1/codes/next", json={"kind": "dossier"}, headers=device.headers)
    assert problem(no_staff) == (401, "auth.session_required")
    # a counter's sync worker refills its offline leases with the device credential alone, once a staff
    # member has signed in on it (tests/server/test_number_shares.py)
    body = {"kind": "dossier", "day": today().isoformat(), "count": 5}
    make_user(server_sessions, "clerk.a", "clerk", CENTRE_A)
    login(client, device, "clerk.a")
    refill = client.post("/v1/codes/lease", json=body, headers=device.headers)
    assert refill.status_code == 201, refill.text
    with server_sessions.begin() as session:
        centre = org.centre_by_code(session, CENTRE_A)
        _display, code, _ = devices.create_device(session, centre, kind="display", counter=None, now=now())
    shown = enroll(client, code)
    assert problem(client.post("/v1/codes/lease", json=body, headers=shown.headers)) == (401, "auth.session_required")


def test_exhaustion_is_an_explicit_409_never_a_wrapped_number(
    client: TestClient, server_sessions: sessionmaker[Session], centre_a: dict[str, str]
):
    # GIVEN the online ranges are one number from their ends (dossier 6999, ticket 899)
    assert client.post("/v1/codes/next", json={"kind": "dossier"}, headers=centre_a).status_code == 200
    assert client.post("/v1/codes/next", json={"kind": "ticket", "scope": "A"}, headers=centre_a).status_code == 200
    with server_sessions.begin() as session:
        session.execute(update(CodeCounter).where(CodeCounter.kind == "dossier").values(next_value=6999))
        session.execute(update(CodeCounter).where(CodeCounter.kind == "ticket").values(next_value=899))
    # WHEN the last ones are taken, THEN the next are 409 code.sequence_exhausted, again and again
    last = client.post("/v1/codes/next", json={"kind": "dossier"}, headers=centre_a).json()
    assert last["number"] == 6999 and last["code"].endswith("-6999")
    ticket = client.post("/v1/codes/next", json={"kind": "ticket", "scope": "A"}, headers=centre_a)
    assert ticket.json()["code"] == "A899"
    for _ in range(2):
        over = client.post("/v1/codes/next", json={"kind": "dossier"}, headers=centre_a)
        assert problem(over) == (409, "code.sequence_exhausted")
        assert problem(client.post("/v1/codes/next", json={"kind": "ticket", "scope": "A"}, headers=centre_a)) == (
            409,
            "code.sequence_exhausted",
        )
    # AND the reserved range is untouched: leases still start at 7000 / 900
    day = today().isoformat()
    lease = client.post("/v1/codes/lease", json={"kind": "dossier", "day": day, "count": 30}, headers=centre_a)
    assert (lease.json()["start"], lease.json()["end"]) == (7000, 7029)
    # AND a reserved range leased to the end gives a short last block, then 409 (one device may lease it
    # all: the centre's shares allow it)
    generous_shares(server_sessions, CENTRE_A)
    body = {"kind": "ticket", "scope": "A", "day": day, "count": 40}
    blocks = [client.post("/v1/codes/lease", json=body, headers=centre_a) for _ in range(4)]
    assert [(b.json()["start"], b.json()["end"]) for b in blocks[:3]] == [(900, 939), (940, 979), (980, 999)]
    assert problem(blocks[3]) == (409, "code.sequence_exhausted")


# --- leases --------------------------------------------------------------------------------------------


def test_leases_never_overlap_and_are_bound_to_their_day(
    client: TestClient, server_sessions: sessionmaker[Session], centre_a: dict[str, str]
):
    other = staff_device(client, server_sessions, CENTRE_A, "clerk.a2")
    day, tomorrow = today(), today() + timedelta(days=1)
    ranges = []
    for headers, count in [(centre_a, 30), (other, 30), (centre_a, 7), (other, 300)]:
        response = client.post("/v1/codes/lease", json={"kind": "dossier", "day": day.isoformat(), "count": count},
                               headers=headers)  # fmt: skip
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["day"] == day.isoformat() and body["scope"] == CENTRE_A
        ranges.append((body["start"], body["end"]))
    # the last is cut to the device's share: a new device may hold 50 unspent (the floor), it holds 30
    assert ranges == [(7000, 7029), (7030, 7059), (7060, 7066), (7067, 7086)]
    # a lease for tomorrow is a block of tomorrow's range; tickets lease from 900
    next_day = client.post("/v1/codes/lease", json={"kind": "dossier", "day": tomorrow.isoformat(), "count": 30},
                           headers=centre_a).json()  # fmt: skip
    assert (next_day["start"], next_day["day"]) == (7000, tomorrow.isoformat())
    ticket = client.post("/v1/codes/lease", json={"kind": "ticket", "scope": "C", "day": day.isoformat(), "count": 20},
                         headers=other).json()  # fmt: skip
    assert (ticket["start"], ticket["end"], ticket["scope"]) == (900, 904, "C")  # a walk-in floor of 5
    # past days, days after the next working day and silly counts are refused
    for body in (
        {"kind": "dossier", "day": (day - timedelta(days=1)).isoformat(), "count": 5},
        {"kind": "dossier", "day": (numbers.last_lease_day(day) + timedelta(days=1)).isoformat(), "count": 5},
        {"kind": "dossier", "day": (day + timedelta(days=30)).isoformat(), "count": 5},
        {"kind": "dossier", "day": day.isoformat(), "count": 0},
        {"kind": "dossier", "day": day.isoformat(), "count": 301},
    ):
        assert client.post("/v1/codes/lease", json=body, headers=centre_a).status_code == 422, body
    # online numbers stay in the dense range while leases exist
    assert client.post("/v1/codes/next", json={"kind": "dossier"}, headers=centre_a).json()["number"] == 1
    with server_sessions() as session:
        rows = session.scalars(select(CodeLease).where(CodeLease.day == day, CodeLease.kind == "dossier")).all()
        devices = {row.device_id for row in rows}
    assert len(rows) == 4 and len(devices) == 2
    assert_disjoint([(row.range_start, row.range_end) for row in rows])


def assert_disjoint(ranges: list[tuple[int, int]]) -> None:
    ordered = sorted(ranges)
    for (_, end), (start, _) in itertools.pairwise(ordered):
        assert end < start, ordered


def test_another_centres_device_cannot_take_this_centres_numbers(
    client: TestClient, server_sessions: sessionmaker[Session], centre_a: dict[str, str]
):
    make_centre(server_sessions, CENTRE_B)
    b = staff_device(client, server_sessions, CENTRE_B, "clerk.b")
    day = today().isoformat()
    # WHEN B's device names A's agency code, THEN it is refused and nothing is taken
    for path, body in (
        ("/v1/codes/lease", {"kind": "dossier", "scope": CENTRE_A, "day": day, "count": 30}),
        ("/v1/codes/next", {"kind": "dossier", "scope": CENTRE_A}),
    ):
        refused = client.post(path, json=body, headers=b)
        assert problem(refused) == (422, "validation.failed")
        assert refused.json()["errors"] == [{"field": "scope", "code": "code.scope_invalid"}]
    # AND what B takes is B's: its own agency code, its own ticket counters
    own = client.post("/v1/codes/lease", json={"kind": "dossier", "day": day, "count": 30}, headers=b).json()
    assert (own["scope"], own["start"]) == (CENTRE_B, 7000)
    assert client.post("/v1/codes/next", json={"kind": "ticket", "scope": "A"}, headers=b).json()["number"] == 1
    # AND A's numbers are untouched
    mine = client.post("/v1/codes/lease", json={"kind": "dossier", "day": day, "count": 30}, headers=centre_a).json()
    assert (mine["scope"], mine["start"]) == (CENTRE_A, 7000)
    assert client.post("/v1/codes/next", json={"kind": "ticket", "scope": "A"}, headers=centre_a).json()["number"] == 1
    centre_b = centre_row(server_sessions, CENTRE_B)
    with server_sessions() as session:
        leases = session.scalars(select(CodeLease).order_by(CodeLease.centre_id)).all()
        device_centres = {row.device_id: session.get_one(Device, row.device_id).centre_id for row in leases}
    expected = {(centre_b.id, CENTRE_B), (mine_centre(server_sessions), CENTRE_A)}
    assert {(row.centre_id, row.scope) for row in leases} == expected
    assert all(device_centres[row.device_id] == row.centre_id for row in leases)


def mine_centre(sessions: sessionmaker[Session]) -> str:
    return centre_row(sessions, CENTRE_A).id


# --- voids ---------------------------------------------------------------------------------------------


def test_unused_numbers_are_recorded_as_voids_once(
    client: TestClient, server_sessions: sessionmaker[Session], centre_a: dict[str, str]
):
    other = staff_device(client, server_sessions, CENTRE_A, "clerk.a2")
    day = today().isoformat()
    mine = client.post("/v1/codes/lease", json={"kind": "dossier", "day": day, "count": 10}, headers=centre_a).json()
    theirs = client.post("/v1/codes/lease", json={"kind": "dossier", "day": day, "count": 10}, headers=other).json()
    online = client.post("/v1/codes/next", json={"kind": "dossier"}, headers=centre_a).json()["number"]
    body = {"kind": "dossier", "day": day, "numbers": [mine["end"], mine["end"] - 1, online], "reason": "printer jam"}
    first = client.post("/v1/codes/voids", json=body, headers=centre_a)
    assert first.status_code == 200, first.text
    assert first.json() == {"recorded": sorted([online, mine["end"] - 1, mine["end"]]), "already": []}
    # a retried report is not an error
    again = client.post("/v1/codes/voids", json={**body, "numbers": [mine["end"]]}, headers=centre_a).json()
    assert again == {"recorded": [], "already": [mine["end"]]}
    # numbers never handed out, or another device's lease, are refused and nothing is recorded
    for numbers_ in ([theirs["start"]], [online + 1], [9999], [mine["start"], theirs["start"]]):
        refused = client.post("/v1/codes/voids", json={**body, "numbers": numbers_}, headers=centre_a)
        assert problem(refused) == (422, "validation.failed"), numbers_
        assert refused.json()["errors"] == [{"field": "numbers", "code": "void.not_issued"}]
    with server_sessions() as session:
        rows = session.scalars(select(NumberVoid).order_by(NumberVoid.number)).all()
    assert [r.number for r in rows] == sorted([online, mine["end"] - 1, mine["end"]])
    assert {r.reason for r in rows} == {"printer jam"} and all(r.scope == CENTRE_A for r in rows)
    # a voided number is a gap: it is never handed out again
    assert client.post("/v1/codes/next", json={"kind": "dossier"}, headers=centre_a).json()["number"] == online + 1


# --- concurrency ---------------------------------------------------------------------------------------


def run_in_threads(count: int, work: Callable[[int], list[int]]) -> list[int]:
    """``work(i)`` in ``count`` threads released together; every number they returned."""
    barrier = threading.Barrier(count)

    def start(i: int) -> list[int]:
        barrier.wait(timeout=30)
        return work(i)

    with ThreadPoolExecutor(count) as pool:
        results = list(pool.map(start, range(count)))
    return [n for part in results for n in part]


def test_many_connections_at_once_never_duplicate_or_skip(server_sessions: sessionmaker[Session]):
    # GIVEN a centre with 4 devices and a day nobody has taken a number of yet (its row does not exist),
    # whose shares let each device hold 70 numbers unspent
    make_centre(server_sessions, CENTRE_A)
    generous_shares(server_sessions, CENTRE_A)
    device_ids = [make_device(server_sessions, CENTRE_A)[0] for _ in range(4)]
    centre_id = mine_centre(server_sessions)
    threads, per_thread = 8, 25

    def take(_: int) -> list[int]:
        taken: list[int] = []
        for _ in range(per_thread):
            with server_sessions.begin() as session:  # one transaction, one connection of the pool, per number
                centre = session.get_one(Centre, centre_id)
                taken.append(numbers.next_number(session, centre, "dossier", None, DAY1, T1))
        return taken

    def lease(i: int) -> list[int]:
        blocks: list[int] = []
        for _ in range(5):
            with server_sessions.begin() as session:
                device = session.get_one(Device, device_ids[i % 4])
                row = numbers.lease_block(session, device, "dossier", None, DAY1, 7, T1)
                blocks.extend(range(row.range_start, row.range_end + 1))
        return blocks

    # WHEN 8 threads take numbers and 8 others lease blocks, all at once
    got = run_in_threads(2 * threads, lambda i: take(i) if i % 2 else lease(i))
    online = sorted(n for n in got if n < 7000)
    reserved = sorted(n for n in got if n >= 7000)
    # THEN the online numbers are exactly 1..200 and the leased ones exactly 7000..7279: no duplicate, no gap
    assert online == list(range(1, threads * per_thread + 1))
    assert reserved == list(range(7000, 7000 + threads * 5 * 7))
    with server_sessions() as session:
        counter = session.get_one(CodeCounter, (centre_id, "dossier", CENTRE_A, DAY1))
        assert (counter.next_value, counter.next_reserved) == (201, 7280)
        assert len(session.scalars(select(CodeLease)).all()) == threads * 5


def test_a_rolled_back_transaction_gives_its_number_back(server_sessions: sessionmaker[Session]):
    make_centre(server_sessions, CENTRE_A)
    centre = centre_row(server_sessions, CENTRE_A)
    with server_sessions() as session:
        assert numbers.next_number(session, centre, "dossier", None, DAY1, T1) == 1
        session.rollback()  # e.g. the intake failed: its number is not used up
    with server_sessions.begin() as session:
        assert numbers.next_number(session, centre, "dossier", None, DAY1, T1) == 1
    with server_sessions.begin() as session, pytest.raises(SequenceExhausted):
        session.execute(update(CodeCounter).values(next_value=7000))
        numbers.next_number(session, centre, "dossier", None, DAY1, T1)


# --- two real server processes -----------------------------------------------------------------------


@pytest.mark.parametrize("server_db", ["postgresql"], indirect=True)
def test_two_server_processes_issue_1000_codes_without_duplicate_or_gap(
    server_db: str, server_sessions: sessionmaker[Session], tmp_path: Path
):
    # GIVEN a centre with a clerk and 4 counter devices, and two server processes on one PostgreSQL schema
    make_centre(server_sessions, CENTRE_A, counters=("1", "2", "3", "4"))
    make_user(server_sessions, "clerk.a", "clerk", CENTRE_A)
    codes = [make_device(server_sessions, CENTRE_A, counter)[1] for counter in ("1", "2", "3", "4")]
    threads, per_thread = 20, 50
    with server_process(server_db, tmp_path / "one.log") as one, server_process(server_db, tmp_path / "two.log") as two:
        bases = [one, two]
        headers: list[dict[str, str]] = []
        for i, code in enumerate(codes):
            with httpx2.Client(base_url=bases[i % 2], timeout=30) as http:
                enrolled = http.post("/v1/devices/enroll", json={"code": code}).json()
                auth = {"Authorization": f"Device {enrolled['device_id']}.{enrolled['credential']}"}
                login_ = http.post("/v1/sessions", json={"username": "clerk.a", "password": PASSWORD}, headers=auth)
                assert login_.status_code == 201, login_.text
                headers.append({**auth, "X-Staff-Session": login_.json()["token"]})

        def issue(i: int) -> list[int]:
            taken: list[int] = []
            with httpx2.Client(base_url=bases[i % 2], headers=headers[i % 4], timeout=30) as http:
                for _ in range(per_thread):
                    response = http.post("/v1/codes/next", json={"kind": "dossier"})
                    assert response.status_code == 200, response.text
                    taken.append(response.json()["number"])
            return taken

        # WHEN 20 threads, half on each process, take 1,000 dossier codes at once
        got = run_in_threads(threads, issue)
    # THEN the numbers are exactly 1..1000: none twice, none skipped
    assert sorted(got) == list(range(1, threads * per_thread + 1))
    with server_sessions() as session:
        assert session.scalars(select(CodeCounter.next_value)).one() == threads * per_thread + 1
