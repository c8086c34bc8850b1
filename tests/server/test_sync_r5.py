"""SYNC.md §3 R5, against a real server process: a counter offline for a working day (2,000 ops of
intakes, corrections, returns and calls) drains completely after reconnecting, and resumes after being
killed mid-drain; fifty counters reconnecting at once are throttled (429 + Retry-After) without errors."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from counterapp.domain.duedate import VIETNAM_TZ
from counterapp.protocol.client import RetryLater, SyncError
from counterapp.server.models.sync import OpLogEntry
from counterapp.server.services import org, users
from counterapp.services import intake
from counterapp.store.database import Store, open_store
from counterapp.store.sync_models import OutboxRow
from counterapp.sync import engine as sync_engine
from counterapp.sync.enrollment import client_for, enroll_store
from tests.counter import intake_form
from tests.server.authkit import CENTRE_A, PASSWORD, Enrolled, generous_shares, make_centre, make_device, now
from tests.server.processes import server_process
from tests.server.synckit import signed_in_earlier
from tests.server.workday import earlier_today, lease_for_the_day, working_day

WORKER = "early.bird"  # an account older than the day's work, so every op is authorised at its time


def centre(sessions: sessionmaker[Session], counters: int) -> None:
    make_centre(sessions, CENTRE_A, tuple(str(n) for n in range(1, counters + 1)))
    with sessions.begin() as session:
        users.create_user(session, username=WORKER, full_name="Lê Thị Hồng", role="clerk", password=PASSWORD,
                          centre=org.centre_by_code(session, CENTRE_A), now=now() - timedelta(days=1))  # fmt: skip


def counter_at(
    sessions: sessionmaker[Session], base: str, path: Path, number: str
) -> tuple[Store, sync_engine.SyncEngine]:
    store = open_store(path)
    code = make_device(sessions, CENTRE_A, number)[1]
    credential = enroll_store(store, path, base, code, now=sync_engine.local_now())
    from counterapp.datafiles.catalogue import demo_catalogue
    from counterapp.services import catalogue

    with store.write() as s:
        catalogue.replace_catalogue(s, demo_catalogue())
    engine = sync_engine.SyncEngine(store, client_for(credential), centre_id=credential.centre_id)
    engine.client.login(WORKER, PASSWORD)  # its clerk signed in: its worker may lease offline numbers
    return store, engine


def op_ids(store: Store) -> set[str]:
    with store.read() as s:
        return set(s.scalars(select(OutboxRow.op_id)))


def server_op_ids(sessions: sessionmaker[Session]) -> set[str]:
    with sessions() as session:
        return set(session.scalars(select(OpLogEntry.op_id)))


@pytest.mark.slow  # a day of offline work from three counter processes: about 30 s a database
def test_a_working_day_offline_drains_and_resumes_after_a_kill(
    server_db: str, server_sessions: sessionmaker[Session], tmp_path: Path
):
    centre(server_sessions, 1)
    generous_shares(server_sessions, CENTRE_A)  # the counter leases a whole day's numbers before it goes offline
    data = tmp_path / "counter"
    with server_process(server_db, tmp_path / "server.log") as base:
        store, engine = counter_at(server_sessions, base, data, "1")
        try:
            engine.run_once()
            morning, step = earlier_today(800)  # the clerk signed in on the counter when the day began
            signed_in_earlier(server_sessions, device_of(data), WORKER, morning.replace(tzinfo=VIETNAM_TZ))
            lease_for_the_day(engine, morning, dossier_codes=750, tickets=85)
            # the network is down all day: 2,000 ops pile up
            written = working_day(store, morning, WORKER, dossiers_n=800, walkins=90, amends=40, step=step)
            assert written == 2000
            assert sync_engine.status(store).pending_ops == 2000
        finally:
            engine.client.close()
            store.close()
        # back online: the drain is killed once it has started
        drain = subprocess.Popen(
            [sys.executable, "-m", "counterapp", "sync", "--data-dir", str(data)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while len(server_op_ids(server_sessions)) == 0 and time.monotonic() < deadline and drain.poll() is None:
            time.sleep(0.02)
        drain.send_signal(signal.SIGKILL)
        drain.wait(timeout=10)
        midway = len(server_op_ids(server_sessions))
        assert 0 < midway <= 2000
        store, engine = counter_at_existing(data)
        try:
            engine.run_once()  # the rest of the drain (benchmarks/bench_sync.py times it)
            status = sync_engine.status(store)
            assert status.pending_ops == 0 and status.online
            with store.read() as s:
                statuses = dict(s.execute(select(OutboxRow.status, func.count()).group_by(OutboxRow.status)).all())
            assert statuses == {"applied": sum(statuses.values())}
            assert op_ids(store) == server_op_ids(server_sessions)
        finally:
            engine.client.close()
            store.close()


def device_of(path: Path) -> Enrolled:
    from counterapp.sync.enrollment import load_credential

    credential = load_credential(path)
    return Enrolled(credential.device_id, credential.credential)


def counter_at_existing(path: Path) -> tuple[Store, sync_engine.SyncEngine]:
    from counterapp.sync.enrollment import load_credential

    credential = load_credential(path)
    store = open_store(path)
    return store, sync_engine.SyncEngine(store, client_for(credential), centre_id=credential.centre_id)


@pytest.mark.slow  # fifty counters against a real server: about 70 s a database
def test_fifty_counters_reconnecting_at_once_are_throttled_without_errors(
    server_db: str, server_sessions: sessionmaker[Session], tmp_path: Path
):
    counters = 50
    centre(server_sessions, counters)
    with server_process(server_db, tmp_path / "server.log", "--sync-concurrency", "3") as base:
        stations = [counter_at(server_sessions, base, tmp_path / f"c{n}", str(n)) for n in range(1, counters + 1)]
        try:
            at = sync_engine.local_now()
            for store, engine in stations:  # each synced while online, then worked offline
                engine.run_once()
                with store.write() as s:
                    for _ in range(4):
                        intake.receive_dossier(s, intake_form(), now=at, user_id=WORKER)
            throttled, failures = [0], []
            gate = threading.Barrier(counters)

            def reconnect(engine: sync_engine.SyncEngine) -> None:
                gate.wait()
                for _attempt in range(200):
                    try:
                        engine.run_once()
                        return
                    except RetryLater as exc:
                        throttled[0] += 1
                        time.sleep(min(exc.seconds, 1.0) * 0.5)
                    except SyncError as exc:  # anything else is an error
                        failures.append(repr(exc))
                        return
                failures.append("never got through")

            threads = [threading.Thread(target=reconnect, args=(engine,)) for _store, engine in stations]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=300)
            assert failures == []
            assert throttled[0] > 0  # the server did push back
            assert all(sync_engine.status(store).pending_ops == 0 for store, _ in stations)
            assert len(server_op_ids(server_sessions)) == counters * 4
        finally:
            for store, engine in stations:
                engine.client.close()
                store.close()
