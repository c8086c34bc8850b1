"""``pull``, ``snapshot`` and ``wait`` on SQLite and PostgreSQL (SYNC.md §4), and the cursor race of
SYNC.md §3 R6 on PostgreSQL with real parallel writers: a reader paging by cursor never skips a change."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from counterapp.protocol.messages import START_CURSOR, PullRequest, decode_cursor, encode_cursor
from counterapp.server import feed
from counterapp.server.models.org import Centre
from counterapp.server.models.sync import ChangeRow, SpaceClock
from counterapp.server.services import lead, org, pull, queue
from tests.server.authkit import CENTRE_A, CENTRE_B, make_centre, now, problem
from tests.server.synckit import counter, dossier, local_now, setup_centre


def test_pull_pages_a_space_in_order_and_resumes_from_its_cursor(
    client: TestClient, server_sessions: sessionmaker[Session]
):
    centre_id = setup_centre(server_sessions)
    space = f"centre:{centre_id}"
    c1 = counter(client, server_sessions)
    at = local_now()
    c1.pushed(*(c1.op("dossier.create", dossier(n, at)) for n in range(1, 8)))
    everything, head = c1.pull_all(space)
    seqs = [c["seq"] for c in everything]
    assert seqs == list(range(1, len(seqs) + 1))  # the centre's setup (counters) then the dossiers
    paged, paged_head = c1.pull_all(space, limit=3)
    assert paged == everything and paged_head == head
    # nothing new: an empty page with the same cursor
    response = c1.pull({space: head}).json()
    assert (response["changes"], response["cursors"][space], response["has_more"]) == ([], head, False)
    c1.pushed(c1.op("dossier.create", dossier(8, at)))
    news, _ = c1.pull_all(space, head)
    assert [c["data"]["code"][-4:] for c in news] == ["0008"]


def test_a_page_is_shared_between_spaces_and_says_when_more_is_left(
    client: TestClient, server_sessions: sessionmaker[Session]
):
    centre_id = setup_centre(server_sessions)
    c1 = counter(client, server_sessions)
    c1.pushed(*(c1.op("dossier.create", dossier(n, local_now())) for n in range(1, 4)))
    cursors = {f"centre:{centre_id}": START_CURSOR, f"device:{c1.device.device_id}": START_CURSOR, "city": START_CURSOR}
    body = c1.pull(cursors, limit=2).json()
    assert len(body["changes"]) == 2 and body["has_more"] is True
    assert set(body["cursors"]) == set(cursors)


def test_a_cursor_that_cannot_continue_asks_for_a_reset(client: TestClient, server_sessions: sessionmaker[Session]):
    centre_id = setup_centre(server_sessions)
    space = f"centre:{centre_id}"
    c1 = counter(client, server_sessions)
    ahead = c1.pull({space: encode_cursor(10_000)}).json()  # the server was restored to an earlier point
    assert ahead["reset_required"] == [space] and ahead["changes"] == []
    with server_sessions.begin() as session:  # the oldest changes were pruned
        session.get_one(SpaceClock, space).floor = 2
    pruned = c1.pull({space: encode_cursor(1)}).json()
    assert pruned["reset_required"] == [space]


def test_a_device_reads_only_its_own_spaces(client: TestClient, server_sessions: sessionmaker[Session]):
    setup_centre(server_sessions)
    other = make_centre(server_sessions, CENTRE_B, ("1",))
    c1, c2 = counter(client, server_sessions, "1"), counter(client, server_sessions, "2")
    for space in (f"centre:{other}", f"device:{c2.device.device_id}"):
        assert problem(c1.pull({space: START_CURSOR})) == (403, "sync.space_forbidden")
        params = {"space": space}
        assert problem(client.get("/v1/sync/snapshot", params=params, headers=c1.device.headers))[0] == 403
    body = {"client_id": c1.device.device_id, "cursors": {"centre:x": "not a cursor"}}
    assert client.post("/v1/sync/pull", json=body, headers=c1.device.headers).status_code == 422


def test_a_snapshot_is_paged_as_of_one_seq_and_pull_continues_from_it(
    client: TestClient, server_sessions: sessionmaker[Session]
):
    centre_id = setup_centre(server_sessions)
    space = f"centre:{centre_id}"
    c1 = counter(client, server_sessions)
    at = local_now()
    forms = [dossier(n, at) for n in range(1, 6)]
    c1.pushed(*(c1.op("dossier.create", f) for f in forms))

    def page(token: str | None) -> dict[str, Any]:
        params = {"space": space, "limit": 2} | ({"page": token} if token else {})
        response = client.get("/v1/sync/snapshot", params=params, headers=c1.device.headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    first = page(None)
    as_of = first["as_of"]
    # a dossier is amended while the snapshot is being read: it leaves the later pages and comes by pull
    last = forms[-1]
    c1.pushed(c1.op("dossier.amend", last | {"note": "bổ sung", "base_version": 1}))
    rows, body = list(first["rows"]), first
    while body["next_page"]:
        body = page(body["next_page"])
        assert body["as_of"] == as_of
        rows.extend(body["rows"])
    seen = {r["id"]: r for r in rows}
    assert {f["dossier_id"] for f in forms[:-1]} <= set(seen)
    news, _ = c1.pull_all(space, as_of)
    amended = [c for c in news if c["id"] == last["dossier_id"]]
    assert amended and amended[-1]["data"]["form"]["note"] == "bổ sung"
    counters = [r for r in rows if r["entity"] == "counter"]
    assert sorted(r["data"]["number"] for r in counters) == ["1", "2"]
    bad = client.get("/v1/sync/snapshot", params={"space": space, "page": "bm90IGEgdG9rZW4"}, headers=c1.device.headers)
    assert problem(bad) == (422, "sync.page_invalid")


def test_wait_answers_at_once_when_behind_and_after_the_timeout_when_not(
    client: TestClient, server_sessions: sessionmaker[Session]
):
    centre_id = setup_centre(server_sessions)
    space = f"centre:{centre_id}"
    c1 = counter(client, server_sessions)
    _, head = c1.pull_all(space)
    behind = client.get("/v1/sync/wait", params={"cursors": f"{space}@{START_CURSOR}"}, headers=c1.device.headers)
    assert behind.json()["changed"] == [space]
    started = time.monotonic()
    idle = client.get("/v1/sync/wait", params={"cursors": f"{space}@{head}", "timeout": 0.3}, headers=c1.device.headers)
    assert idle.json()["changed"] == [] and time.monotonic() - started >= 0.3
    bad = client.get("/v1/sync/wait", params={"cursors": "nonsense"}, headers=c1.device.headers)
    assert bad.status_code == 422


def test_wait_is_poked_by_a_change_of_another_counter(client: TestClient, server_sessions: sessionmaker[Session]):
    centre_id = setup_centre(server_sessions)
    space = f"centre:{centre_id}"
    c1, c2 = counter(client, server_sessions, "1"), counter(client, server_sessions, "2")
    _, head = c1.pull_all(space)
    answer: dict[str, Any] = {}

    def waiting() -> None:
        params = {"cursors": f"{space}@{head}", "timeout": 20}
        started = time.monotonic()
        answer["body"] = client.get("/v1/sync/wait", params=params, headers=c1.device.headers).json()
        answer["took"] = time.monotonic() - started

    thread = threading.Thread(target=waiting)
    thread.start()
    time.sleep(0.5)
    c2.pushed(c2.op("dossier.create", dossier(1, local_now())))
    thread.join(timeout=20)
    assert answer["body"]["changed"] == [space], answer
    assert 0.4 < answer["took"] < 10


def test_every_server_change_of_a_ticket_or_counter_reaches_the_feed(server_sessions: sessionmaker[Session]):
    centre_id = make_centre(server_sessions, CENTRE_A, ("1", "2"))
    with server_sessions.begin() as session:
        centre = session.get_one(Centre, centre_id)
        service = queue.service_by_code(session, centre, "HTCT")
        ticket = queue.issue_ticket(session, centre, service, None, now())
        number = ticket.number
    with server_sessions.begin() as session:
        counter_1 = org.counter_by_number(session, centre_id, "1")
        counter_1.status = "open"  # a counter that is not open is dealt nothing
        queue.deal_hand(session, counter_1, 1, timedelta(minutes=5), now())
    with server_sessions.begin() as session:
        kd = queue.service_by_code(session, session.get_one(Centre, centre_id), "KD")
        lead.move_ticket(session, centre_id, number, kd, now())
        lead.set_counter_status(org.counter_by_number(session, centre_id, "2"), lead.PAUSED, "nghỉ trưa")
    with server_sessions() as session:
        rows = session.scalars(select(ChangeRow).where(ChangeRow.space == feed.centre_space(centre_id))).all()
    tickets = [r.data for r in rows if r.entity == "ticket"]
    assert [(t["service"], t["dealt_to"]) for t in tickets] == [("HTCT", None), ("HTCT", "1"), ("KD", None)]
    paused = [r.data for r in rows if r.entity == "counter" and r.data["status"] == "paused"]
    assert paused == [paused[0]] and paused[0]["pause_reason"] == "nghỉ trưa"


# --- SYNC.md §3 R6: the cursor race ---------------------------------------------------------------------------


@pytest.mark.parametrize("server_db", ["postgresql"], indirect=True)
def test_a_reader_racing_parallel_writers_never_skips_a_change(server_sessions: sessionmaker[Session]):
    """Writers in parallel connections commit changes of one space while a reader pages through it by
    cursor as fast as it can. Each writer holds its transaction open a little after taking its seq: were
    seqs handed out without the clock's row lock (a sequence, MAX+1), a later seq would often commit
    first and the reader would step over the earlier one for ever. The reader's seqs must be exactly
    start+1, start+2, … with nothing skipped, and end with every change."""
    centre_id = make_centre(server_sessions, CENTRE_A, ("1",))
    space = feed.centre_space(centre_id)
    with server_sessions() as session:
        start = int(session.scalar(select(SpaceClock.seq).where(SpaceClock.space == space)) or 0)
    writers, per_writer = 6, 25
    done = threading.Event()
    errors: list[BaseException] = []

    def write(index: int) -> None:
        try:
            for n in range(per_writer):
                with server_sessions.begin() as session:
                    counter = org.add_counter(
                        session, session.get_one(Centre, centre_id), number=str(100 + index * 100 + n)
                    )
                    session.flush()
                    feed.publish(session)  # takes the seq now …
                    time.sleep(0.002 * (n % 3))  # … and commits a little later
                    del counter
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    seen: list[int] = []

    def read() -> None:
        cursor = encode_cursor(start)
        with server_sessions() as session:
            device = _FakeDevice(centre_id)
            while True:
                finished = done.is_set()
                page = pull.pull(session, device, PullRequest(client_id=device.id, cursors={space: cursor}, limit=7))
                session.rollback()
                seen.extend(c.seq for c in page.changes)
                cursor = page.cursors[space]
                if finished and not page.has_more and not page.changes:
                    return

    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    reader = threading.Thread(target=read)
    reader.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    reader.join(timeout=60)
    assert not errors
    total = writers * per_writer
    assert seen == list(range(start + 1, start + total + 1))
    with server_sessions() as session:
        assert (
            session.scalar(select(func.count()).select_from(ChangeRow).where(ChangeRow.space == space)) == start + total
        )
    assert decode_cursor(encode_cursor(seen[-1])) == start + total


class _FakeDevice:
    """The reader's identity for the service call (the HTTP layer is tested above)."""

    def __init__(self, centre_id: str) -> None:
        self.id = "0195f3a2-0000-7000-8000-00000000abcd"
        self.centre_id = centre_id
