"""The counter's sync engine against the real server app (in-process, SQLite and PostgreSQL): enrol,
pull the centre, refill leases from the server, push what the clerk did, converge two counters, flag a
ticket two partitioned counters both called, and keep working while the server cannot be reached."""

from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from counterapp.datafiles.catalogue import demo_catalogue
from counterapp.domain.duedate import VIETNAM_TZ
from counterapp.protocol.client import ServerClient, Unreachable
from counterapp.protocol.messages import decode_cursor, encode_cursor
from counterapp.server.models.sync import Dossier, OpLogEntry
from counterapp.server.routes import numbers as numbers_route
from counterapp.server.services import lead, org
from counterapp.services import catalogue, intake, queue, search
from counterapp.services.clock import ClockSkewed, corrected
from counterapp.store import cache_key
from counterapp.store.database import DB_FILENAME, Store, open_store
from counterapp.store.dossier_models import DossierRow
from counterapp.store.queue_models import TicketRow
from counterapp.store.reference_models import AssignmentRow, QueueServiceRow
from counterapp.store.sync_models import DeviceMetaRow, NumberLeaseRow, OutboxRow, SyncConflictRow, SyncCursorRow
from counterapp.sync import engine as sync_engine
from counterapp.sync.enrollment import AlreadyEnrolled, client_for, enroll_store, load_credential
from tests.counter import intake_form
from tests.server.authkit import CENTRE_A, PASSWORD, Enrolled, generous_shares, make_device
from tests.server.synckit import CLERK, kiosk_ticket, setup_centre


@dataclass
class Counter:
    store: Store
    engine: sync_engine.SyncEngine
    device: Enrolled
    path: Path


def enrolled(client: TestClient, sessions: sessionmaker[Session], path: Path, number: str) -> Counter:
    store = open_store(path)
    _device_id, code = make_device(sessions, CENTRE_A, number)
    credential = enroll_store(store, path, "http://testserver", code, now=sync_engine.local_now(), http=client)
    with store.write() as s:
        catalogue.replace_catalogue(s, demo_catalogue())  # the city space will carry it; not yet
    engine = sync_engine.SyncEngine(store, client_for(credential, http=client), centre_id=credential.centre_id)
    engine.client.login(CLERK, PASSWORD)  # its clerk signed in: its worker may lease offline numbers
    return Counter(store, engine, Enrolled(credential.device_id, credential.credential), path)


@pytest.fixture
def counters(client: TestClient, server_sessions: sessionmaker[Session], tmp_path: Path):
    setup_centre(server_sessions)
    made = [enrolled(client, server_sessions, tmp_path / n, n) for n in ("1", "2")]
    yield made
    for counter in made:
        counter.store.close()


def test_enrolment_takes_the_servers_identity_and_a_second_one_is_refused(client: TestClient, counters: list[Counter]):
    a = counters[0]
    credential = load_credential(a.path)
    with a.store.read() as s:
        meta = s.scalars(select(DeviceMetaRow)).one()
        assert (meta.device_id, meta.agency_code, meta.counter_number) == (credential.device_id, CENTRE_A, "1")
    assert oct(credential_mode(a.path))[-3:] == "600"
    with pytest.raises(AlreadyEnrolled):
        enroll_store(a.store, a.path, "http://testserver", "ANY-CODE", now=sync_engine.local_now(), http=client)


def credential_mode(path: Path) -> int:
    return (path / "sync-credential.json").stat().st_mode


def test_a_first_sync_brings_the_centre_and_leases_from_the_server(counters: list[Counter]):
    a = counters[0]
    report = a.engine.run_once()
    assert report.leased >= 3  # dossier codes + one ticket lease per service
    with a.store.read() as s:
        assert set(s.scalars(select(QueueServiceRow.code))) == {"HTCT", "KD"}
        assert set(s.scalars(select(AssignmentRow.service_code).where(AssignmentRow.counter_number == "1"))) == {"HTCT"}
        sources = set(s.scalars(select(NumberLeaseRow.source)))
        assert sources == {"server"}
    status = sync_engine.status(a.store)
    assert status.online and status.pending_ops == 0 and status.last_sync_at is not None
    assert status.leases_left[f"dossier_code:{CENTRE_A}"] == 50
    assert not status.codes_blocked and abs(status.clock_offset_ms) < 5000


def test_two_counters_converge_and_a_ticket_called_by_both_is_flagged(
    client: TestClient, server_sessions: sessionmaker[Session], counters: list[Counter]
):
    a, b = counters
    for counter in counters:
        counter.engine.run_once()
    ticket = kiosk_ticket(client, a.device)
    for counter in counters:
        counter.engine.run_once()
    # partitioned: each counter calls the same waiting ticket from its cache
    now = sync_engine.local_now()
    for counter in counters:
        with counter.store.write() as s:
            assert queue.call_next(s, now=now, user_id=CLERK).number == ticket["number"]
    a.engine.run_once()
    report = b.engine.run_once()
    assert report.rejected == 1
    with b.store.read() as s:
        row = s.get(TicketRow, ticket["id"])
        assert row is not None and (row.counter_number, row.sync_state) == ("1", "conflict")
        conflict = s.scalars(select(SyncConflictRow)).one()
        assert conflict.code == "ticket.already_called" and "counter 1" in conflict.reason
    assert sync_engine.status(b.store).open_conflicts == 1
    a.engine.run_once()  # the winner is told too: two counters called one ticket
    with a.store.read() as s:
        assert s.scalars(select(SyncConflictRow.code)).all() == ["ticket.already_called"]
    # a dossier received at counter 1 is found at counter 2 by name without diacritics
    with a.store.write() as s:
        received = intake.receive_dossier(s, intake_form(), now=now, user_id=CLERK).dossier
    a.engine.run_once()
    b.engine.run_once()
    with b.store.read() as s:
        found = search.search_dossiers(s, "nguyen")
        assert received.code in [item.code for item in found.items]
        mirrored = s.scalars(select(DossierRow).where(DossierRow.code == received.code)).one()
        # the same legal times at both counters (the server keeps them in UTC, whatever its database)
        assert (mirrored.received_at, mirrored.due_at) == (received.received_at, received.due_at)
    with server_sessions() as session:
        assert session.scalar(select(func.count()).select_from(Dossier)) == 1


def test_work_continues_offline_and_drains_when_the_server_is_back(
    server_sessions: sessionmaker[Session], counters: list[Counter]
):
    a = counters[0]
    a.engine.run_once()
    offline = sync_engine.SyncEngine(
        a.store,
        ServerClient("http://127.0.0.1:9", a.device.device_id, a.device.credential, timeout=0.5),
        centre_id=a.engine.centre_id,
    )
    now = sync_engine.local_now()
    with a.store.write() as s:
        for _ in range(3):
            queue.issue_walkin(s, service_code="HTCT", now=now, user_id=CLERK)
        intake.receive_dossier(s, intake_form(), now=now, user_id=CLERK)
    with pytest.raises(Unreachable):
        offline.run_once()
    status = sync_engine.status(a.store)
    assert not status.online and status.pending_ops == 4 and status.last_error
    a.engine.run_once()
    after = sync_engine.status(a.store)
    assert after.online and after.pending_ops == 0
    with a.store.read() as s:
        assert set(s.scalars(select(OutboxRow.status))) == {"applied"}
    with server_sessions() as session:
        assert session.scalar(select(func.count()).select_from(OpLogEntry)) == 4


def test_a_clock_ten_minutes_off_is_warned_and_blocks_codes_a_small_skew_is_corrected(counters: list[Counter]):
    """SYNC.md §3 R4: the device's clock is measured against the server's at every hello."""
    a = counters[0]
    a.engine.run_once()
    slow = sync_engine.SyncEngine(
        a.store,
        a.engine.client,
        centre_id=a.engine.centre_id,
        clock=lambda: sync_engine.local_now() - timedelta(minutes=10),
    )
    slow.run_once()
    skewed = sync_engine.status(a.store)
    assert skewed.codes_blocked and 590_000 < skewed.clock_offset_ms < 610_000
    with a.store.write() as s, pytest.raises(ClockSkewed) as refused:
        intake.receive_dossier(s, intake_form(), now=sync_engine.local_now(), user_id=CLERK)
    assert refused.value.code == "clock.skewed" and refused.value.params["offset_minutes"] == pytest.approx(10, abs=0.2)
    # a minute off: codes allowed, and the legal time is the corrected one
    late = sync_engine.SyncEngine(
        a.store,
        a.engine.client,
        centre_id=a.engine.centre_id,
        clock=lambda: sync_engine.local_now() - timedelta(minutes=1),
    )
    late.run_once()
    fine = sync_engine.status(a.store)
    assert not fine.codes_blocked and 55_000 < fine.clock_offset_ms < 65_000
    wall = sync_engine.local_now() - timedelta(minutes=1)
    legal = corrected(wall, fine.clock_offset_ms)
    assert abs((legal - sync_engine.local_now()).total_seconds()) < 5
    with a.store.write() as s:
        result = intake.receive_dossier(s, intake_form(), now=legal, user_id=CLERK)
        assert result.dossier.received_at == legal


def test_an_open_counter_is_dealt_a_hand_it_can_call_offline(
    client: TestClient, server_sessions: sessionmaker[Session], counters: list[Counter]
):
    a = counters[0]
    with server_sessions.begin() as session:
        lead.set_counter_status(
            org.counter_by_number(session, org.centre_by_code(session, CENTRE_A).id, "1"), lead.OPEN
        )
    numbers = [kiosk_ticket(client, a.device)["number"] for _ in range(4)]
    a.engine.run_once()
    with a.store.read() as s:
        held = s.scalars(select(TicketRow.number).where(TicketRow.dealt_to == "1").order_by(TicketRow.number)).all()
    assert list(held) == numbers[: sync_engine.HAND_SIZE]
    # offline, the counter calls from its hand only
    with a.store.write() as s:
        assert queue.call_next(s, now=sync_engine.local_now(), user_id=CLERK, only_hand=True).number == numbers[0]
    assert a.engine.run_once().rejected == 0


def test_late_in_the_day_the_next_working_days_numbers_are_leased_too(
    counters: list[Counter], monkeypatch: pytest.MonkeyPatch
):
    """Not tomorrow's: the server leases nothing later than the next working day (issue 15 point 2), so on
    a Friday afternoon the counter leases Monday's numbers, not Saturday's."""
    a = counters[0]
    friday = datetime(2025, 3, 14, 16, 0)  # 16:00 in Hà Nội, a Friday; the server's clock says so too
    monkeypatch.setattr(numbers_route, "utcnow", lambda: friday.replace(tzinfo=VIETNAM_TZ).astimezone(UTC))
    engine = sync_engine.SyncEngine(a.store, a.engine.client, centre_id=a.engine.centre_id, clock=lambda: friday)
    engine.refill_leases()
    with a.store.read() as s:
        days = set(s.scalars(select(NumberLeaseRow.day)))
    assert days == {date(2025, 3, 14), date(2025, 3, 17)}
    assert sync_engine.status(a.store).leases_refused is None


def test_a_lease_whose_answer_was_lost_is_adopted_not_left_as_a_gap(
    server_sessions: sessionmaker[Session], counters: list[Counter]
):
    a = counters[0]
    generous_shares(server_sessions, CENTRE_A)  # a second block while the first is unspent: within its share
    a.engine.run_once()
    today = sync_engine.local_now().date().isoformat()
    lost = a.engine.client.lease("dossier", CENTRE_A, today, 20)  # the server granted it; the answer never came
    a.engine.run_once()
    with a.store.read() as s:
        held = {row.id: (row.range_start, row.range_end) for row in s.scalars(select(NumberLeaseRow))}
    assert held[lost["lease_id"]] == (lost["start"], lost["end"])
    assert sync_engine.status(a.store).leases_left[f"dossier_code:{CENTRE_A}"] == 50 + 20


def test_a_restored_data_directory_stops_pushing_and_keeps_its_outbox(counters: list[Counter], tmp_path: Path):
    """SYNC.md §2 (f): the counter's database was restored from an older copy; its ops collide with what
    the server already has. Pushing stops with a clear status; nothing in the outbox is discarded."""
    a = counters[0]
    a.engine.run_once()
    backup = tmp_path / "backup.sqlite3"
    key = cache_key.cache_key(a.path, create=False)  # the cache is encrypted: the copy with the same key
    with (
        closing(cache_key.connect(a.path / DB_FILENAME, key)) as source,
        closing(cache_key.connect(backup, key)) as copy,
    ):
        source.backup(copy)  # yesterday's copy of the counter's database
    now = sync_engine.local_now()
    with a.store.write() as s:
        intake.receive_dossier(s, intake_form(), now=now, user_id=CLERK)
    a.engine.run_once()
    a.store.close()
    for stale in a.path.glob(f"{DB_FILENAME}*"):  # the database and its WAL files
        stale.unlink()
    backup.rename(a.path / DB_FILENAME)
    restored = open_store(a.path)
    try:
        with restored.write() as s:  # the same client_seq again, with another op
            intake.receive_dossier(s, intake_form(), now=now, user_id=CLERK)
        engine = sync_engine.SyncEngine(restored, a.engine.client, centre_id=a.engine.centre_id)
        engine.run_once()
        status = sync_engine.status(restored)
        assert status.blocked == "sync.client_regressed" and status.pending_ops == 1
    finally:
        restored.close()


def test_a_cursor_that_cannot_continue_is_reset_from_a_snapshot(counters: list[Counter]):
    a = counters[0]
    a.engine.run_once()
    with a.store.write() as s:  # as after the server was restored to an earlier point
        for row in s.scalars(select(SyncCursorRow)):
            row.cursor = encode_cursor(10_000)
        s.execute(delete(AssignmentRow))
    a.engine.run_once()
    with a.store.read() as s:
        served = set(s.scalars(select(AssignmentRow.service_code).where(AssignmentRow.counter_number == "1")))
        cursors = [decode_cursor(row.cursor) for row in s.scalars(select(SyncCursorRow))]
    assert served == {"HTCT"} and all(c < 10_000 for c in cursors)
