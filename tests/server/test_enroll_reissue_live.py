"""A replaced counter PC enrolled with a code reissued for the counter's device (``counterapp-server admin
reissue-code``), against a real ``counterapp-server`` process on SQLite and PostgreSQL and the counter's
real sync engine over HTTP.

The device has synced before, so the server holds its ops up to a watermark. The new PC's fresh data
directory numbers its ops after that watermark (the enrollment answer carries it): its pushes are taken,
nothing is lost, and the old PC's credential no longer works. Its offline numbers come from new blocks,
never from the blocks the old PC held (it printed some of them). A directory that already holds ops
numbered where the device already pushed is refused before the code is spent: the protection a
``sync.client_regressed`` answer gives a directory restored from an old backup is unchanged."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from counterapp.datafiles.catalogue import demo_catalogue
from counterapp.protocol import ops
from counterapp.protocol.client import Refused, ServerClient
from counterapp.server.models.auth import Device
from counterapp.server.models.numbers import CodeLease
from counterapp.server.models.sync import Dossier, OpLogEntry
from counterapp.server.services import devices
from counterapp.services import catalogue, device, intake
from counterapp.store import outbox
from counterapp.store.database import Store, open_store
from counterapp.store.sync_models import OutboxRow
from counterapp.sync import engine as sync_engine
from counterapp.sync.enrollment import SequenceTaken, client_for, enroll_store
from tests.counter import intake_form
from tests.server.authkit import CENTRE_A, PASSWORD, make_device, now
from tests.server.processes import server_process
from tests.server.synckit import CLERK, setup_centre


@pytest.fixture
def opened() -> Iterator[list[Store | ServerClient]]:
    made: list[Store | ServerClient] = []
    yield made
    for thing in reversed(made):
        thing.close()


def enrolled(base: str, path: Path, code: str, opened: list[Store | ServerClient]) -> sync_engine.SyncEngine:
    """A fresh data directory enrolled with ``code`` (as ``counterapp enroll`` does), a clerk signed in."""
    store = open_store(path)
    opened.append(store)
    credential = enroll_store(store, path, base, code, now=sync_engine.local_now())
    with store.write() as s:
        catalogue.replace_catalogue(s, demo_catalogue())
    client = client_for(credential)
    opened.append(client)
    client.login(CLERK, PASSWORD)
    return sync_engine.SyncEngine(store, client, centre_id=credential.centre_id)


def receive(counter: sync_engine.SyncEngine, count: int) -> list[str]:
    """``count`` dossiers received offline from the counter's lease: their codes."""
    at = sync_engine.local_now()
    with counter.store.write() as s:
        return [intake.receive_dossier(s, intake_form(), now=at, user_id=CLERK).dossier.code for _ in range(count)]


def printed(session: Session) -> None:
    """One op of this directory's (a receipt printed)."""
    at = now()
    payload = {"job_id": outbox.new_id(), "document": "ticket", "reference": "A001", "printer": "receipt",
               "reprint_of": None, "printed_at": at.isoformat()}  # fmt: skip
    outbox.enqueue(session, ops.RECEIPT_PRINTED, payload, now=at, user_id=None)


def reissue(sessions: sessionmaker[Session], device_id: str) -> str:
    """As IT does for a replaced PC: ``admin reissue-code DEVICE_ID``."""
    with sessions.begin() as session:
        code, _expires = devices.reissue_code(session, devices.device_by_id(session, device_id), now=now())
    return code


def test_a_replaced_pc_enrolled_with_a_reissued_code_continues_the_devices_sequence_and_numbers(
    server_db: str,
    server_sessions: sessionmaker[Session],
    tmp_path: Path,
    opened: list[Store | ServerClient],
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setattr(sync_engine, "NEXT_DAY_FROM_HOUR", 24)  # today's numbers only, whatever the hour
    setup_centre(server_sessions)
    device_id, code = make_device(server_sessions, CENTRE_A, "1")
    with server_process(server_db, tmp_path / "server.log") as base:
        # GIVEN counter 1's PC A: it leased offline numbers, received dossiers with them and synced
        old = enrolled(base, tmp_path / "a", code, opened)
        assert old.run_once().leased >= 1
        codes_a = receive(old, 3)
        old.run_once()
        assert sync_engine.status(old.store).pending_ops == 0
        with server_sessions() as s:
            watermark = s.get_one(Device, device_id).last_client_seq
        assert watermark >= 3
        # WHEN PC A is replaced: IT reissues the device's code and enrolls PC B's fresh data directory
        new = enrolled(base, tmp_path / "b", reissue(server_sessions, device_id), opened)
        with new.store.read() as s:
            assert outbox.device_meta(s).device_id == device_id
        # AND B works: offline dossiers from its own lease, then a sync
        new.run_once()
        codes_b = receive(new, 3)
        report = new.run_once()
        # THEN its pushes are taken: nothing pending, nothing blocked, the server holds B's ops after A's
        status = sync_engine.status(new.store)
        assert status.blocked is None and status.pending_ops == 0 and report.rejected == 0
        with new.store.read() as s:
            seqs_b = list(s.scalars(select(OutboxRow.client_seq).order_by(OutboxRow.client_seq)))
        with server_sessions() as s:
            rows = s.execute(select(OpLogEntry.client_seq, OpLogEntry.kind).where(OpLogEntry.device_id == device_id))
            logged: dict[int, str] = dict(rows.all())
            assert s.get_one(Device, device_id).last_client_seq == watermark + len(seqs_b)
            server_codes = list(s.scalars(select(Dossier.code).where(Dossier.device_id == device_id)))
        assert seqs_b[0] == watermark + 1  # B numbered its ops after the enrollment answer's watermark
        assert sorted(logged) == list(range(1, watermark + len(seqs_b) + 1))  # A's ops, then B's, no gap
        assert [logged[seq] for seq in seqs_b].count(ops.DOSSIER_CREATE.name) == 3
        # AND no dossier code of A's was handed out again on B: B's numbers come from new blocks
        assert not set(codes_a) & set(codes_b)
        assert sorted(server_codes) == sorted(codes_a + codes_b)
        with server_sessions() as s:
            blocks = s.execute(
                select(CodeLease.range_start, CodeLease.range_end).where(
                    CodeLease.device_id == device_id, CodeLease.kind == "dossier"
                )
            ).all()
        assert len(blocks) == 2  # A's block, and a new one for B
        # WHEN the old PC A comes back with work of its own THEN its replaced credential is refused: its
        # round fails at the hello, nothing of it reaches the server (IT exports it: `counterapp outbox export`)
        receive(old, 1)
        with pytest.raises(Refused) as refused:
            old.run_once()
        assert refused.value.status == 401 and refused.value.code == "auth.device_invalid"
        assert sync_engine.status(old.store).pending_ops == 1
        with server_sessions() as s:
            assert s.get_one(Device, device_id).last_client_seq == watermark + len(seqs_b)


def test_a_directory_with_ops_is_refused_a_reissued_code_of_a_synced_device_and_the_code_stays_unspent(
    server_db: str,
    server_sessions: sessionmaker[Session],
    tmp_path: Path,
    opened: list[Store | ServerClient],
):
    setup_centre(server_sessions)
    device_id, code = make_device(server_sessions, CENTRE_A, "1")
    with server_process(server_db, tmp_path / "server.log") as base:
        # GIVEN counter 1's PC A, synced
        old = enrolled(base, tmp_path / "a", code, opened)
        with old.store.write() as s:
            printed(s)
        old.run_once()
        assert sync_engine.status(old.store).pending_ops == 0
        reissued = reissue(server_sessions, device_id)
        # AND a data directory that worked standalone: it holds ops numbered from 1
        standalone = open_store(tmp_path / "standalone")
        opened.append(standalone)
        with standalone.write() as s:
            device.init_device(s, agency_code=CENTRE_A, counter_number="1", now=now())
            printed(s)
        # WHEN it is enrolled with the reissued code THEN it is refused with the fix named, not enrolled
        with pytest.raises(SequenceTaken) as taken:
            enroll_store(standalone, tmp_path / "standalone", base, reissued, now=sync_engine.local_now())
        assert "create-device" in (taken.value.params.get("hint") or "")
        assert not (tmp_path / "standalone" / "sync-credential.json").exists()
        # AND the code is not spent: the old PC still syncs, and a fresh directory can still use the code
        old.hello()
        new = enrolled(base, tmp_path / "b", reissued, opened)
        with new.store.read() as s:
            assert outbox.device_meta(s).last_client_seq == 1
