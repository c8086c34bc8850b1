"""Upgrading a data directory of the previous release in place, and the models agreeing with the
migrations (SYNC.md §3 R7: "migrate old client DB fixtures that contain pending ops")."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, select, text

from counterapp.datafiles.catalogue import demo_catalogue
from counterapp.domain.ticket import EventKind
from counterapp.services import catalogue, intake, queue, search
from counterapp.store.database import current_revision, head_revision, open_store
from counterapp.store.models import Base
from counterapp.store.outbox import device_meta, pending_count
from counterapp.store.sync_models import NumberLeaseRow, OutboxRow
from tests.store.invariants import check_invariants

PREVIOUS = "0001"
AGENCY = "000.00.01.H26"
DAY = date(2025, 8, 29)
PROCEDURE = "1.004873"
DEVICE_ID = "01990a3c-2f4e-7b10-8d6a-3f5e0c9a1b01"
DOSSIER_LEASE = "01990a3c-2f4e-7b10-8d6a-3f5e0c9a1c01"
TICKET_LEASE = "01990a3c-2f4e-7b10-8d6a-3f5e0c9a1c02"
TICKET_ID = "01990a3c-2f4e-7b10-8d6a-3f5e0c9a1d01"
# (dossier id, applicant, CCCD, phone, owner, time of receipt, status of its create op)
DOSSIERS = [
    ("01990a3c-2f4e-7b10-8d6a-3f5e0c9a1e01", "Nguyễn Văn An", "001085012345", "0912345678", None, "08:05", "applied"),
    ("01990a3c-2f4e-7b10-8d6a-3f5e0c9a1e02", "Trần Văn Bình", "079085123456", "0326789012", "Lê Thị Mai", "09:40",
     "applied"),
    ("01990a3c-2f4e-7b10-8d6a-3f5e0c9a1e03", "Đặng Thị Hồng", "036190004321", "0987654321", None, "10:15", "pending"),
]  # fmt: skip


def at(hhmm: str) -> str:
    """A time stored the way SQLAlchemy stores a DateTime in SQLite."""
    return f"{DAY.isoformat()} {hhmm}:00.000000"


def insert(conn: Connection, table: str, **values: Any) -> None:
    columns = ", ".join(values)
    params = ", ".join(f":{c}" for c in values)
    conn.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({params})"), values)


def build_previous_release(data_dir: Path) -> None:
    """A data directory as the previous release left it, written with that release's schema in raw SQL."""
    store = open_store(data_dir, migrate_to=PREVIOUS)
    try:
        assert current_revision(store.write_engine) == PREVIOUS
        procedure = demo_catalogue().get(PROCEDURE)
        assert procedure is not None
        with store.write() as s:
            catalogue.replace_catalogue(s, demo_catalogue())  # reference data: the same table in both versions
            conn = s.connection()
            insert(conn, "counters", number="5", name="Quầy 5", status="open", pause_reason=None, epoch=2)
            insert(conn, "queue_services", code="HTCT", prefix="A", name_vi="Hộ tịch, chứng thực",
                   name_en="Civil status, certification")  # fmt: skip
            insert(conn, "device_meta", id=1, device_id=DEVICE_ID, agency_code=AGENCY, counter_number="5",
                   last_client_seq=7, clock_offset_ms=1500, server_epoch=3, regular_streak=1,
                   created_at="2025-08-01 07:30:00.000000")  # fmt: skip
            insert(conn, "number_leases", id=DOSSIER_LEASE, kind="dossier_code", scope=AGENCY, day=DAY.isoformat(),
                   range_start=1, range_end=50, next_value=4, source="server", granted_at=at("07:00"))  # fmt: skip
            insert(conn, "number_leases", id=TICKET_LEASE, kind="ticket", scope="A", day=DAY.isoformat(),
                   range_start=1, range_end=200, next_value=2, source="server", granted_at=at("07:00"))  # fmt: skip

            seq = 0

            def op(kind: str, payload: dict[str, Any], when: str, status: str) -> str:
                nonlocal seq
                seq += 1
                op_id = f"01990a3c-2f4e-7b10-8d6a-3f5e0c9a1f{seq:02d}"
                insert(conn, "outbox", client_seq=seq, op_id=op_id, kind=kind, v=1, payload=json.dumps(payload),
                       user_id="clerk5", wall_time=at(when), corrected_time=at(when), epoch=2, status=status,
                       result=json.dumps({"server_seq": 100 + seq}) if status == "applied" else None,
                       acked_at=at(when) if status == "applied" else None)  # fmt: skip
                return op_id

            def dossier(n: int) -> None:
                dossier_id, name, cccd, phone, owner, when, status = DOSSIERS[n - 1]
                code = f"{AGENCY}-250829-{n:04d}"
                owner_json = {"name": owner, "id_type": None, "id_number": None} if owner else None
                insert(conn, "dossiers", id=dossier_id, code=code, procedure_code=PROCEDURE,
                       procedure_name=procedure.name, received_on=DAY.isoformat(), received_at=at(when),
                       due_at="2025-09-05 17:00:00.000000", duration_value="5", duration_unit="working_days",
                       calendar_version="vn-holidays/2025.2", sets=1, channel="direct", status="received",
                       return_mode="counter", register_book=DAY.isoformat(), register_line=n, counter_number="5",
                       clerk_id="clerk5", ticket_id=TICKET_ID if n == 1 else None, lease_id=DOSSIER_LEASE,
                       note="Nộp thay cho chủ hồ sơ" if owner else None, applicant_name=name, applicant_id_type="cccd",
                       applicant_id_number=cccd, applicant_dob=None, applicant_sex=None, applicant_phone=phone,
                       applicant_email=None, applicant_address="Số 8 ngõ Huế, Hai Bà Trưng, Hà Nội",
                       owner=json.dumps(owner_json) if owner_json else None, postal_address=None,
                       returned_at=None, returned_to=None, returned_by=None, purged_at=None, version=1,
                       sync_state="synced" if status == "applied" else "pending", created_at=at(when),
                       updated_at=at(when))  # fmt: skip
                for position, component in enumerate(procedure.components[:2]):
                    insert(conn, "dossier_components", dossier_id=dossier_id, position=position, code=component.code,
                           name=component.name, originals=1, certified_copies=0, photocopies=position)  # fmt: skip
                insert(conn, "dossier_status_history", dossier_id=dossier_id, status="received", at=at(when),
                       user_id="clerk5", note=None)  # fmt: skip
                op("dossier.create", {"dossier_id": dossier_id, "code": code, "lease_id": DOSSIER_LEASE,
                                      "procedure_code": PROCEDURE, "received_at": f"{DAY}T{when}:00",
                                      "applicant": {"name": name, "id_type": "cccd", "id_number": cccd,
                                                    "phone": phone},
                                      "owner": owner_json}, when, status)  # fmt: skip

            dossier(1)
            insert(conn, "tickets", id=TICKET_ID, number="A001", service_code="HTCT", priority=None,
                   issued_on=DAY.isoformat(), issued_at=at("07:58"), origin="walkin", state="done",
                   counter_number="5", recalls=0, dealt_to=None, dealt_until=None, sync_state="synced")  # fmt: skip
            steps = [("issued", "ticket.issue", "07:58"), ("called", "ticket.call", "08:01"),
                     ("started", "ticket.start", "08:02"), ("finished", "ticket.finish", "08:20")]  # fmt: skip
            for position, (event, kind, when) in enumerate(steps):
                payload = {"ticket_id": TICKET_ID, "number": "A001", "event": event, "at": f"{DAY}T{when}:00"}
                op_id = op(kind, payload, when, "applied")
                insert(conn, "ticket_events", id=f"01990a3c-2f4e-7b10-8d6a-3f5e0c9a2a{position:02d}",
                       ticket_id=TICKET_ID, position=position, kind=event, at=at(when),
                       counter_number=None if event == "issued" else "5", service_code="HTCT", priority=None,
                       outcome="dossier_received" if event == "finished" else None, reason=None, user_id="clerk5",
                       op_id=op_id)  # fmt: skip
            dossier(2)
            dossier(3)
            assert seq == 7
    finally:
        store.close()


def dump(conn: Connection, tables: list[str] | None = None) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every ordinary table (or of ``tables``), as stored."""
    if tables is None:
        tables = list(
            conn.execute(
                text(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE TABLE%' "
                    "AND name NOT LIKE 'sqlite_%' AND name != 'alembic_version' ORDER BY name"
                )
            ).scalars()
        )
    return {t: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {t} ORDER BY rowid"))] for t in tables}


def test_a_previous_release_directory_is_upgraded_in_place(tmp_path: Path) -> None:
    build_previous_release(tmp_path)
    old = open_store(tmp_path, migrate_to=PREVIOUS)
    with old.write_engine.connect() as conn:
        before = dump(conn)
    old.close()
    assert len(before["dossiers"]) == 3 and len(before["outbox"]) == 7 and len(before["ticket_events"]) == 4

    store = open_store(tmp_path)
    try:
        assert current_revision(store.write_engine) == head_revision() != PREVIOUS
        with store.write_engine.connect() as conn:
            after = dump(conn, list(before))
            # every old row intact, as stored (later migrations may only append columns)
            assert {
                t: [r[: len(before[t][0])] for r in rows] if before[t] else rows for t, rows in after.items()
            } == before
            assert conn.exec_driver_sql("SELECT count(*) FROM dossier_search").scalar_one() == 3

        with store.read() as s:
            check_invariants(s)
            assert pending_count(s) == 1
            pending = s.get(OutboxRow, 7)
            assert pending is not None and pending.status == "pending" and pending.kind == "dossier.create"
            assert pending.payload["applicant"]["name"] == "Đặng Thị Hồng"
            assert device_meta(s).last_client_seq == 7
            # The old dossiers were indexed by the migration: by folded name, owner, prefix, numbers.
            found = search.search_dossiers(s, "dang thi hong").items
            assert [(d.code, d.applicant_name) for d in found] == [(f"{AGENCY}-250829-0003", "Đặng Thị Hồng")]
            assert [d.code for d in search.search_dossiers(s, "le thi mai").items] == [f"{AGENCY}-250829-0002"]
            assert [d.code for d in search.search_dossiers(s, "van").items] == [
                f"{AGENCY}-250829-0002",
                f"{AGENCY}-250829-0001",
            ]  # newest first
            assert [d.code for d in search.search_dossiers(s, "036190004321").items] == [f"{AGENCY}-250829-0003"]
            assert [d.code for d in search.search_dossiers(s, "0326 789 012").items] == [f"{AGENCY}-250829-0002"]

        # Work goes on from where the previous release stopped: same leases, same sequence.
        now = datetime(2025, 8, 29, 11, 0)
        procedure = demo_catalogue().get(PROCEDURE)
        assert procedure is not None
        form = {
            "procedure_code": PROCEDURE,
            "applicant": {"name": "Phạm Thị Lan", "id_number": "001190054321", "address": "Hà Nội",
                          "phone": "0977123456"},
            "documents": [{"code": c.code, "originals": 1} for c in procedure.components],
        }  # fmt: skip
        with store.write() as s:
            received = intake.receive_dossier(s, form, now=now, user_id="clerk5")
            ticket = queue.issue_walkin(s, service_code="HTCT", now=now, user_id="clerk5")
            queue.call_next(s, now=now, user_id="clerk5")
            queue.act(s, EventKind.STARTED, None, now=now, user_id="clerk5")
        assert received.dossier.code == f"{AGENCY}-250829-0004"
        assert ticket.number == "A002"
        with store.read() as s:
            totals = check_invariants(s)
            assert (totals.dossiers, totals.tickets, totals.ops) == (4, 2, 11)
            lease = s.get(NumberLeaseRow, DOSSIER_LEASE)
            assert lease is not None and lease.next_value == 5
            pending_seqs = s.scalars(select(OutboxRow.client_seq).where(OutboxRow.status == "pending")).all()
            assert list(pending_seqs) == [7, 8, 9, 10, 11]
            assert [d.code for d in search.search_dossiers(s, "pham thi lan").items] == [f"{AGENCY}-250829-0004"]
    finally:
        store.close()


# Alembic's own table and the FTS5 table with its shadow tables, which the models do not describe.
NOT_MODELLED = {"alembic_version", "dossier_search"} | {
    f"dossier_search_{shadow}" for shadow in ("data", "idx", "content", "docsize", "config")
}


def _modelled(name: str | None, type_: str, *_: Any) -> bool:
    return not (type_ == "table" and name in NOT_MODELLED)


def _differences(conn: Connection) -> list[Any]:
    context = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": _modelled})
    return list(compare_metadata(context, Base.metadata))


def test_the_models_and_the_migrations_agree(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    try:
        with store.write_engine.connect() as conn:
            assert _differences(conn) == []
            # The comparison does see a difference when there is one.
            conn.exec_driver_sql("ALTER TABLE dossiers ADD COLUMN stray TEXT")
            conn.exec_driver_sql("CREATE TABLE dossier_search_notes (id INTEGER PRIMARY KEY)")
            found = _differences(conn)
            conn.rollback()
        assert sorted((d[0], d[2] if d[0] == "remove_column" else d[1].name) for d in found) == [
            ("remove_column", "dossiers"),
            ("remove_table", "dossier_search_notes"),
        ]
    finally:
        store.close()


def test_the_head_constant_names_the_newest_migration():
    # an up-to-date directory is recognised by HEAD_REVISION without loading Alembic
    from counterapp.store.database import HEAD_REVISION, head_revision

    assert head_revision() == HEAD_REVISION
