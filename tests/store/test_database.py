"""Opening a data directory: the pragmas really in force, all-or-nothing write transactions, and two
processes writing the same directory at once without "database is locked"."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from counterapp.services import intake
from counterapp.store.database import BUSY_TIMEOUT_MS, DB_FILENAME, Store, current_revision, head_revision, open_store
from counterapp.store.dossier_models import DossierComponentRow, DossierRow, DossierStatusRow
from counterapp.store.outbox import device_meta
from counterapp.store.search_index import TABLE
from counterapp.store.sync_models import NumberLeaseRow, OutboxRow
from tests.store.crash_worker import DAY, intake_form, prepare
from tests.store.invariants import check_invariants

WORKER = Path(__file__).with_name("crash_worker.py")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    prepare(tmp_path)
    opened = open_store(tmp_path)
    yield opened
    opened.close()


def _pragmas(session: Session) -> dict[str, object]:
    return {
        name: session.execute(text(f"PRAGMA {name}")).scalar_one()
        for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
    }


def test_a_data_directory_is_a_migrated_encrypted_sqlite_file(tmp_path: Path) -> None:
    store = open_store(tmp_path / "new")
    try:
        assert store.path == tmp_path / "new" / DB_FILENAME
        assert store.path.is_file()
        assert store.path.read_bytes()[:16] != b"SQLite format 3\x00"  # SQLCipher: 16 bytes of salt instead
        assert current_revision(store.write_engine) == head_revision()
    finally:
        store.close()


def test_the_pragmas_are_in_force_on_both_engines(store: Store) -> None:
    expected = {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1, "busy_timeout": BUSY_TIMEOUT_MS}
    with store.write() as s:
        assert _pragmas(s) == expected
    with store.read() as s:
        assert _pragmas(s) == expected
    # And on every new connection of each engine, not only the first one of the pool.
    for engine in (store.write_engine, store.read_engine):
        with engine.connect() as first, engine.connect() as second:
            for conn in (first, second):
                assert conn.exec_driver_sql("PRAGMA synchronous").scalar_one() == 2
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
                conn.rollback()  # end the (immediate) transaction so the other connection can begin
            assert first.connection.dbapi_connection is not second.connection.dbapi_connection


def test_foreign_keys_are_enforced(store: Store) -> None:
    with pytest.raises(Exception, match="FOREIGN KEY constraint failed"), store.write() as s:
        s.add(DossierStatusRow(dossier_id="no-such-dossier", status="received", at=datetime(2025, 8, 29, 9)))
        s.flush()


def test_an_exception_in_a_write_block_leaves_nothing(store: Store) -> None:
    now = datetime.combine(DAY, time(9))
    with store.read() as s:
        lease_before = s.scalars(select(NumberLeaseRow.next_value).where(NumberLeaseRow.kind == "dossier_code")).one()

    class Boom(Exception):
        pass

    with pytest.raises(Boom), store.write() as s:
        result = intake.receive_dossier(s, intake_form(s, 1), now=now, user_id="clerk5")
        assert s.scalar(select(func.count()).select_from(DossierRow)) == 1  # written, not yet committed
        assert device_meta(s).last_client_seq == 1
        raise Boom

    with store.read() as s:
        for table in (DossierRow, DossierComponentRow, DossierStatusRow, OutboxRow):
            assert s.scalar(select(func.count()).select_from(table)) == 0, table.__tablename__
        assert s.execute(text(f"SELECT count(*) FROM {TABLE}")).scalar_one() == 0
        assert device_meta(s).last_client_seq == 0
        lease_after = s.scalars(select(NumberLeaseRow.next_value).where(NumberLeaseRow.kind == "dossier_code")).one()
        assert lease_after == lease_before

    # The number the rolled-back intake had taken is the one the next intake gets.
    with store.write() as s:
        again = intake.receive_dossier(s, intake_form(s, 1), now=now, user_id="clerk5")
    assert again.dossier.code == result.dossier.code


def test_two_processes_write_the_same_directory_at_once(tmp_path: Path) -> None:
    prepare(tmp_path)
    n = 40
    procs = [
        subprocess.Popen(
            [sys.executable, str(WORKER), "burst", str(tmp_path), str(n), str(tag)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag in (1, 2)
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "ready", proc.stderr.read() if proc.stderr else ""
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        outputs = [proc.communicate(timeout=120) for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    for proc, (_, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
        assert "database is locked" not in err
    spans = [json.loads(out) for out, _ in outputs]
    # They really ran at the same time: each started before the other finished.
    assert spans[0]["start"] < spans[1]["end"] and spans[1]["start"] < spans[0]["end"]

    store = open_store(tmp_path)
    try:
        with store.read() as s:
            totals = check_invariants(s)
    finally:
        store.close()
    assert (totals.dossiers, totals.tickets, totals.ops) == (2 * n, 2 * n, 4 * n)
