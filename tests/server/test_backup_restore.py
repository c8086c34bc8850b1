"""The backup/restore procedure of packaging/README.md, end to end on PostgreSQL: a real server process, a
counter that has synced work to it, ``packaging/server/backup.sh`` (pg_dump), ``restore.sh`` into a fresh
database, a server on the restored database at the same address, and the counter syncing on against it
with nothing lost: what it had pushed after the backup (which the restored database lacks) it sends again
when the server asks for it (``sync.gap``), its work after the restore is accepted, and a second counter
finds every dossier: taken before the backup, between backup and restore, after the restore."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from counterapp.datafiles.catalogue import demo_catalogue
from counterapp.server.db import make_engine, session_factory
from counterapp.server.models.queue import Ticket
from counterapp.server.models.sync import Dossier, OpLogEntry
from counterapp.services import catalogue, intake, queue, search
from counterapp.store.database import Store, open_store
from counterapp.sync import engine as sync_engine
from counterapp.sync.enrollment import client_for, enroll_store
from tests.counter import intake_form
from tests.ports import free_port
from tests.server.authkit import CENTRE_A, PASSWORD, make_device
from tests.server.conftest import CLUSTER_URL
from tests.server.processes import SERVER, server_process
from tests.server.synckit import CLERK, setup_centre

PACKAGING = Path(__file__).resolve().parents[2] / "packaging" / "server"
pytestmark = pytest.mark.slow  # two server starts, pg_dump and pg_restore: 20-60 s on the shared 2-core machine


@pytest.fixture
def fresh_database(request: pytest.FixtureRequest) -> Iterator[Callable[[], str]]:
    """``make()``: a new, empty database on the test cluster (dropped after the test), as its URL."""
    request.getfixturevalue("postgres_admin")  # skips (or fails in CI) when PostgreSQL does not answer
    cluster = create_engine(CLUSTER_URL, isolation_level="AUTOCOMMIT")
    names: list[str] = []

    def make() -> str:
        name = f"bk_{uuid.uuid4().hex[:12]}"
        with cluster.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name}"))
        names.append(name)
        return CLUSTER_URL.set(database=name).render_as_string(hide_password=False)

    yield make
    with cluster.connect() as connection:
        for name in names:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    cluster.dispose()


@contextmanager
def server_on(url: str, port: int, log_path: Path) -> Iterator[str]:
    """``counterapp-server serve`` on ``url`` at a fixed port (the counter's credential names the address)."""
    with server_process(url, log_path, port=port, wait_s=60, append=True) as base:
        yield base


def enrolled(url: str, base: str, path: Path, number: str) -> tuple[Store, sync_engine.SyncEngine]:
    engine = make_engine(url)
    try:
        _device_id, code = make_device(session_factory(engine), CENTRE_A, number)
    finally:
        engine.dispose()
    store = open_store(path)
    credential = enroll_store(store, path, base, code, now=sync_engine.local_now())
    with store.write() as s:
        catalogue.replace_catalogue(s, demo_catalogue())
    engine_ = sync_engine.SyncEngine(store, client_for(credential), centre_id=credential.centre_id)
    engine_.client.login(CLERK, PASSWORD)
    return store, engine_


def work(store: Store, walk_ins: int) -> str:
    """Walk-in tickets and one dossier, as a clerk makes them; the dossier's code."""
    now = sync_engine.local_now()
    with store.write() as s:
        for _ in range(walk_ins):
            queue.issue_walkin(s, service_code="HTCT", now=now, user_id=CLERK)
        return intake.receive_dossier(s, intake_form(), now=now, user_id=CLERK).dossier.code


def counts(url: str) -> tuple[int, int, int]:
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            return tuple(  # type: ignore[return-value]
                session.scalar(select(func.count()).select_from(model)) or 0 for model in (Ticket, Dossier, OpLogEntry)
            )
    finally:
        engine.dispose()


def run(*argv: str | Path, **env: str) -> str:
    done = subprocess.run(
        [str(arg) for arg in argv], capture_output=True, text=True, timeout=120, env={**os.environ, **env}, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_backup_restored_into_a_fresh_database_serves_the_counters_on(
    fresh_database: Callable[[], str], tmp_path: Path
):
    original = fresh_database()
    run(*SERVER, "migrate", "--database-url", original)
    engine = make_engine(original)
    setup_centre(session_factory(engine))  # centre A, counters 1 and 2, the clerk
    engine.dispose()
    port = free_port()
    log = tmp_path / "server.log"

    with server_on(original, port, log) as base:
        store, counter = enrolled(original, base, tmp_path / "counter-1", "1")
        counter.run_once()
        before_code = work(store, walk_ins=3)
        report = counter.run_once()
        assert report.rejected == 0 and sync_engine.status(store).pending_ops == 0
        saved = counts(original)
        assert saved[0] >= 3 and saved[1] == 1

        archive = Path(run(PACKAGING / "backup.sh", "-d", original, "-k", "3", tmp_path / "backups").strip())
        assert archive.is_file() and archive.name.startswith("counterapp-") and archive.suffix == ".dump"
        assert Path(f"{archive}.sha256").is_file()

        between_code = work(store, walk_ins=1)  # synced after the backup: the restored server will lack it
        assert counter.run_once().rejected == 0 and sync_engine.status(store).pending_ops == 0

    restored = fresh_database()
    out = run(PACKAGING / "restore.sh", archive, restored, COUNTERAPP_SERVER=SERVER[0])
    assert "already at revision" in out and f"restored {archive}" in out
    assert counts(restored) == saved
    # restore.sh refuses a database that is not empty: a restore never mixes with live data
    refused = subprocess.run(
        [PACKAGING / "restore.sh", archive, restored], capture_output=True, text=True, timeout=60, check=False
    )
    assert refused.returncode == 1 and "restore into a new, empty database" in refused.stderr

    with server_on(restored, port, log) as base:  # same address: the counter knows no different
        after_code = work(store, walk_ins=2)
        report = counter.run_once()  # the server asks for the ops after the backup again; they go first
        assert report.rejected == 0 and report.conflicts == 0
        assert sync_engine.status(store).pending_ops == 0
        assert sync_engine.status(store).open_conflicts == 0
        other_store, other = enrolled(restored, base, tmp_path / "counter-2", "2")
        other.run_once()
        with other_store.read() as s:
            found = {item.code for item in search.search_dossiers(s, "nguyen").items}
        assert {before_code, between_code, after_code} <= found
        counter.client.close(), other.client.close()
    store.close(), other_store.close()
    tickets, dossiers, ops = counts(restored)
    assert (tickets, dossiers) == (saved[0] + 1 + 2, 3) and ops > saved[2]
