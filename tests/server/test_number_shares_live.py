"""Fair shares of numbers end to end (issue 15 point 2): a real ``counterapp-server`` process (SQLite and
PostgreSQL) and the counter's real sync engine over HTTP. Before any clerk signed in on the counter its
worker gets no offline numbers and says why; once one has, it refills with its credential alone; a greedy
device asking ten times for 300 gets its share only, and the counter that works all day keeps being
refilled as it spends."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from counterapp.datafiles.catalogue import demo_catalogue
from counterapp.protocol.client import Refused, ServerClient
from counterapp.server.models.numbers import CodeLease
from counterapp.services import catalogue, intake
from counterapp.store.database import Store, open_store
from counterapp.sync import engine as sync_engine
from counterapp.sync.enrollment import client_for, enroll_store
from tests.counter import intake_form
from tests.server.authkit import CENTRE_A, PASSWORD, make_device, make_user
from tests.server.processes import server_process
from tests.server.synckit import CLERK, setup_centre


@pytest.fixture
def opened() -> Iterator[list[Store | ServerClient]]:
    """Stores and clients the test opens, closed after it."""
    made: list[Store | ServerClient] = []
    yield made
    for thing in reversed(made):
        thing.close()


def counter(
    base: str, sessions: sessionmaker[Session], path: Path, number: str, opened: list[Store | ServerClient]
) -> sync_engine.SyncEngine:
    """A data directory enrolled as counter ``number`` of centre A over HTTP, with its real sync engine."""
    store = open_store(path)
    opened.append(store)
    credential = enroll_store(
        store, path, base, make_device(sessions, CENTRE_A, number)[1], now=sync_engine.local_now()
    )
    with store.write() as s:
        catalogue.replace_catalogue(s, demo_catalogue())
    client = client_for(credential)
    opened.append(client)
    return sync_engine.SyncEngine(store, client, centre_id=credential.centre_id)


def test_a_counters_worker_gets_its_share_once_its_clerk_signed_in_and_a_greedy_device_cannot_starve_it(
    server_db: str,
    server_sessions: sessionmaker[Session],
    tmp_path: Path,
    opened: list[Store | ServerClient],
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setattr(sync_engine, "NEXT_DAY_FROM_HOUR", 24)  # today's numbers only, whatever the hour
    setup_centre(server_sessions)  # centre A: services HTCT (A) and KD (C), counters 1 and 2, the clerk CLERK
    make_user(server_sessions, "clerk.greedy", "clerk", CENTRE_A)
    with server_process(server_db, tmp_path / "server.log") as base:
        # GIVEN counter 1, enrolled, nobody signed in on it yet
        one = counter(base, server_sessions, tmp_path / "one", "1", opened)
        # WHEN its worker syncs THEN the round succeeds, no numbers come, and the status says why
        report = one.run_once()
        status = sync_engine.status(one.store)
        assert report.leased == 0 and status.online and status.leases_left == {}
        assert status.leases_refused == "lease.staff_required"
        # WHEN its clerk signs in (online, as the counter window does)
        one.client.login(CLERK, PASSWORD)
        # THEN the worker refills with the device credential alone: a new counter's share of each kind
        assert one.run_once().leased == 3
        status = sync_engine.status(one.store)
        assert status.leases_refused is None
        assert status.leases_left == {f"dossier_code:{CENTRE_A}": 50, "ticket:A": 5, "ticket:C": 5}
        # WHEN another counter's credential (its clerk signed in) asks ten times for 300 codes
        greedy = counter(base, server_sessions, tmp_path / "two", "2", opened).client
        greedy.login("clerk.greedy", PASSWORD)
        today = sync_engine.local_now().date().isoformat()
        first = greedy.lease("dossier", None, today, 300)
        refusals: list[str] = []
        for _ in range(9):
            with pytest.raises(Refused) as refused:
                greedy.lease("dossier", None, today, 300)
            refusals.append(refused.value.code)
        # THEN it holds its share only
        assert (first["start"], first["end"]) == (7050, 7099)
        assert refusals == ["lease.cap_reached"] * 9
        # WHEN counter 1 receives 45 dossiers offline from its lease, then syncs
        now = sync_engine.local_now()
        with one.store.write() as s:
            for _ in range(45):
                intake.receive_dossier(s, intake_form(), now=now, user_id=CLERK)
        assert sync_engine.status(one.store).leases_left[f"dossier_code:{CENTRE_A}"] == 5
        report = one.run_once()
        # THEN its numbers used reached the server, and it is refilled after the greedy device's block
        assert report.pushed >= 45 and report.leased == 1
        assert sync_engine.status(one.store).leases_left[f"dossier_code:{CENTRE_A}"] == 55
    with server_sessions() as session:
        blocks = session.execute(
            select(CodeLease.range_start, CodeLease.range_end)
            .where(CodeLease.kind == "dossier")
            .order_by(CodeLease.range_start)
        ).all()
    assert [tuple(b) for b in blocks] == [(7000, 7049), (7050, 7099), (7100, 7149)]
