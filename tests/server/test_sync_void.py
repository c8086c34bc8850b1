"""Online codes and the two corrections a counter pushes, on SQLite and PostgreSQL: a dossier coded by
``/v1/codes/next`` (no lease) is applied unflagged; ``dossier.void`` withdraws a dossier the same device
received today while it is still received, and is refused ``dossier.void_too_late`` (with the server's
dossier, and a conflict for the counter) once it has moved on; ``code.void`` records unused numbers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from counterapp.domain.dossier import DossierStatus
from counterapp.server.models.numbers import NumberVoid
from counterapp.server.models.sync import Conflict, Dossier, DossierRevision
from counterapp.server.services import apply
from counterapp.server.services.apply_void import Refusal
from counterapp.services import dossiers, intake, search
from counterapp.store.database import Store
from counterapp.store.sync_models import SyncConflictRow
from counterapp.sync import engine as sync_engine
from tests.counter import intake_form
from tests.server.authkit import CENTRE_A, PASSWORD, login
from tests.server.synckit import CLERK, Counter, counter, dossier, local_now, naive, setup_centre
from tests.server.test_sync_engine import enrolled


def next_code(c: Counter) -> dict[str, Any]:
    token = login(c.client, c.device, CLERK, PASSWORD)
    response = c.client.post("/v1/codes/next", json={"kind": "dossier"}, headers=c.device.staff(token))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def online_dossier(c: Counter) -> dict[str, Any]:
    """A dossier as the counter writes it with a code from ``/v1/codes/next``: no lease, register line = number."""
    code = next_code(c)
    form = dossier(code["number"], local_now())
    assert form["code"] == code["code"] and form["lease_id"] is None
    return form


def void_of(form: dict[str, Any], reason: str = "Nhận nhầm thủ tục", *, at: Any = None) -> dict[str, Any]:
    return {"dossier_id": form["dossier_id"], "code": form["code"], "voided_at": naive(at or local_now()),
            "reason": reason}  # fmt: skip


def stored(sessions: sessionmaker[Session], dossier_id: str) -> Dossier:
    with sessions() as session:
        row = session.get_one(Dossier, dossier_id)
        session.expunge(row)
        return row


def conflicts(sessions: sessionmaker[Session]) -> list[tuple[str, str, str]]:
    with sessions() as session:
        return [(c.kind, c.entity_id, c.code) for c in session.scalars(select(Conflict).order_by(Conflict.created_at))]


def test_a_dossier_coded_online_without_a_lease_is_applied_unflagged(
    client: TestClient, server_sessions: sessionmaker[Session]
) -> None:
    setup_centre(server_sessions)
    c1 = counter(client, server_sessions)
    first, second = online_dossier(c1), online_dossier(c1)
    assert (first["code"][-4:], second["code"][-4:]) == ("0001", "0002")
    results = c1.pushed(c1.op("dossier.create", first), c1.op("dossier.create", second))
    assert [(r["status"], r["reason"]) for r in results] == [("applied", None), ("applied", None)]
    assert conflicts(server_sessions) == []
    assert stored(server_sessions, first["dossier_id"]).code == f"{CENTRE_A}-{local_now():%y%m%d}-0001"


def test_a_void_withdraws_the_dossier_with_its_reason_and_reaches_every_counter(
    client: TestClient, server_sessions: sessionmaker[Session]
) -> None:
    centre_id = setup_centre(server_sessions)
    c1, c2 = counter(client, server_sessions, "1"), counter(client, server_sessions, "2")
    form = online_dossier(c1)
    c1.pushed(c1.op("dossier.create", form))
    # WHEN counter 1 voids the dossier it received
    [result] = c1.pushed(c1.op("dossier.void", void_of(form)))
    # THEN the server has it withdrawn, the reason and who in its form and in a new revision
    assert (result["status"], result["reason"]) == ("applied", None)
    row = stored(server_sessions, form["dossier_id"])
    assert (row.status, row.version) == ("withdrawn", 2)
    assert row.data["void"]["reason"] == "Nhận nhầm thủ tục" and row.data["void"]["user_id"]
    with server_sessions() as session:
        revision = session.get_one(DossierRevision, (form["dossier_id"], 2))
        assert revision.data["void"] == row.data["void"]
    # and the change feed carries it to the other counter, withdrawn
    changes, _cursor = c2.pull_all(f"centre:{centre_id}")
    latest = [c["data"] for c in changes if c["entity"] == "dossier" and c["id"] == form["dossier_id"]]
    assert latest[-1]["status"] == "withdrawn" and latest[-1]["form"]["void"]["reason"] == "Nhận nhầm thủ tục"
    # and voiding it again (a retried op from another outbox row) changes nothing and is not refused
    [again] = c1.pushed(c1.op("dossier.void", void_of(form, "lần hai")))
    assert again["status"] == "applied"
    assert stored(server_sessions, form["dossier_id"]).version == 2
    assert conflicts(server_sessions) == []


def test_create_and_void_in_one_batch(client: TestClient, server_sessions: sessionmaker[Session]) -> None:
    setup_centre(server_sessions)
    c1 = counter(client, server_sessions)
    form = online_dossier(c1)
    results = c1.pushed(c1.op("dossier.create", form), c1.op("dossier.void", void_of(form)))
    assert [r["status"] for r in results] == ["applied", "applied"]
    assert stored(server_sessions, form["dossier_id"]).status == "withdrawn"


def test_a_void_after_the_dossier_moved_on_is_refused_too_late_with_the_servers_dossier(
    client: TestClient, server_sessions: sessionmaker[Session]
) -> None:
    setup_centre(server_sessions)
    c1, c2 = counter(client, server_sessions, "1"), counter(client, server_sessions, "2")
    form = online_dossier(c1)
    c1.pushed(c1.op("dossier.create", form))
    returned = {"dossier_id": form["dossier_id"], "code": form["code"], "returned_at": naive(local_now()),
                "collected_by": "Trần Văn Nam", "note": None}  # fmt: skip
    c2.pushed(c2.op("dossier.return", returned))  # the result handed over at counter 2
    # WHEN counter 1's void arrives after that
    void_op = c1.op("dossier.void", void_of(form))
    [result] = c1.pushed(void_op)
    # THEN it is refused with a stable code, the server's dossier comes back and nothing changed
    assert (result["status"], result["reason"]) == (
        "rejected",
        f"dossier {form['code']} is returned on the server: not voided",
    )
    assert result["canonical"]["status"] == "returned" and result["canonical"]["id"] == form["dossier_id"]
    assert stored(server_sessions, form["dossier_id"]).status == "returned"
    assert conflicts(server_sessions) == [("dossier.void", form["dossier_id"], "dossier.void_too_late")]
    # and the counter finds the conflict in its own space
    changes, _cursor = c1.pull_all(f"device:{c1.device.device_id}")
    assert [(c["data"]["kind"], c["data"]["code"]) for c in changes if c["entity"] == "conflict"] == [
        ("dossier.void", "dossier.void_too_late")
    ]
    # and the stored answer, sent again to a counter whose first answer was lost, still carries the dossier
    [again] = c1.pushed(void_op)
    assert again["status"] == "rejected" and again["canonical"]["status"] == "returned"


def test_a_void_from_another_device_or_on_another_day_is_refused(
    client: TestClient, server_sessions: sessionmaker[Session]
) -> None:
    setup_centre(server_sessions)
    c1, c2 = counter(client, server_sessions, "1"), counter(client, server_sessions, "2")
    form = online_dossier(c1)
    c1.pushed(c1.op("dossier.create", form))
    [other] = c2.pushed(c2.op("dossier.void", void_of(form)))
    [late] = c1.pushed(c1.op("dossier.void", void_of(form, at=local_now() + timedelta(days=1))))
    unknown = dossier(9, local_now())
    [missing] = c1.pushed(c1.op("dossier.void", void_of(unknown)))
    assert [(r["status"]) for r in (other, late, missing)] == ["rejected"] * 3
    assert [c[2] for c in conflicts(server_sessions)] == [
        "dossier.void_other_counter",
        "dossier.void_not_today",
        "dossier.not_found",
    ]
    assert missing.get("canonical") is None
    assert stored(server_sessions, form["dossier_id"]).status == "received"


def test_unused_online_numbers_pushed_as_code_void_are_recorded(
    client: TestClient, server_sessions: sessionmaker[Session]
) -> None:
    setup_centre(server_sessions)
    c1 = counter(client, server_sessions)
    taken = next_code(c1)
    day = taken["day"]
    report = {"kind": "dossier", "scope": None, "day": day, "numbers": [taken["number"]],
              "reason": "intake failed after the code was issued", "voided_at": naive(local_now())}  # fmt: skip
    never = report | {"numbers": [50]}  # never handed out: refused, nothing recorded
    results = c1.pushed(c1.op("code.void", report), c1.op("code.void", never), c1.op("code.void", report))
    assert [r["status"] for r in results] == ["applied", "rejected", "applied"]
    with server_sessions() as session:
        rows = session.scalars(select(NumberVoid)).all()
        assert [(r.number, r.reason, r.device_id) for r in rows] == [
            (taken["number"], "intake failed after the code was issued", c1.device.device_id)
        ]
        assert session.scalar(select(func.count()).select_from(Conflict)) == 0  # a fact has no entity to flag


# --- through the counters' sync engines ------------------------------------------------------------------


@pytest.fixture
def two_counters(client: TestClient, server_sessions: sessionmaker[Session], tmp_path: Path) -> Iterator[list[Any]]:
    setup_centre(server_sessions)
    made = [enrolled(client, server_sessions, tmp_path / n, n) for n in ("1", "2")]
    for made_counter in made:
        made_counter.engine.run_once()
    yield made
    for made_counter in made:
        made_counter.store.close()


def receive(store: Store) -> str:
    with store.write() as s:
        return intake.receive_dossier(s, intake_form(), now=sync_engine.local_now(), user_id=CLERK).dossier.code


def test_a_void_reaches_the_other_counter_withdrawn_with_its_reason(two_counters: list[Any]) -> None:
    a, b = two_counters
    code = receive(a.store)
    a.engine.run_once()
    with a.store.write() as s:
        dossiers.void_dossier(s, code, "Nhận nhầm thủ tục", now=sync_engine.local_now(), user_id=CLERK)
    assert a.engine.run_once().rejected == 0
    b.engine.run_once()
    for made_counter in (a, b):
        with made_counter.store.read() as s:
            shown = dossiers.show_dossier(s, code)
            found = search.search_dossiers(s, code).items
        assert shown.status is DossierStatus.WITHDRAWN and shown.sync_state == "synced"
        assert shown.history[-1].status is DossierStatus.WITHDRAWN and shown.history[-1].note == "Nhận nhầm thủ tục"
        assert [d.status for d in found] == [DossierStatus.WITHDRAWN]


def test_a_counter_whose_void_came_too_late_shows_the_conflict_and_gets_the_servers_dossier_back(
    two_counters: list[Any],
) -> None:
    a, b = two_counters
    code = receive(a.store)
    a.engine.run_once()
    b.engine.run_once()
    # GIVEN counter 2 handed the result over (the citizen came back for it) and synced
    with b.store.write() as s:
        dossiers.return_result(s, code, collected_by="Trần Văn Nam", now=sync_engine.local_now(), user_id=CLERK)
    b.engine.run_once()
    # WHEN counter 1, not synced since, voids it and syncs
    with a.store.write() as s:
        assert dossiers.void_dossier(s, code, "Nhận nhầm", now=sync_engine.local_now(), user_id=CLERK).status.value == (
            "withdrawn"
        )
    report = a.engine.run_once()
    # THEN the void is refused, the conflict says why, and the dossier is the server's again: returned
    assert report.rejected == 1
    with a.store.read() as s:
        shown = dossiers.show_dossier(s, code)
        conflict = s.scalars(select(SyncConflictRow)).one()
        found = search.search_dossiers(s, code).items
    assert (conflict.kind, conflict.code, conflict.entity_id) == ("dossier.void", "dossier.void_too_late", shown.id)
    assert shown.status is DossierStatus.RETURNED and shown.returned_to == "Trần Văn Nam"
    assert [d.status for d in found] == [DossierStatus.RETURNED]
    assert sync_engine.status(a.store).open_conflicts == 1


def test_a_refused_void_is_put_right_from_the_answer_when_there_is_nothing_new_to_pull(
    two_counters: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, _b = two_counters
    code = receive(a.store)
    a.engine.run_once()  # the server's dossier and this cache agree: received, nothing left to pull
    with a.store.write() as s:
        dossiers.void_dossier(s, code, "Nhận nhầm", now=sync_engine.local_now(), user_id=CLERK)

    # WHEN the server refuses the void without its dossier changing (e.g. a counter enrolled again under a
    # new device id: the dossier is the old device's), so no pull would ever bring it back
    def refuse(*_args: Any) -> Refusal:
        return Refusal("dossier.void_other_counter", f"dossier {code} was received at another counter")

    monkeypatch.setattr(apply, "void_dossier", refuse)
    assert a.engine.run_once().rejected == 1
    # THEN the refused answer's dossier puts the cache right: received again, and synced
    with a.store.read() as s:
        shown = dossiers.show_dossier(s, code)
    assert (shown.status, shown.sync_state) == (DossierStatus.RECEIVED, "synced")
    assert [h.status for h in shown.history] == [
        DossierStatus.RECEIVED,
        DossierStatus.WITHDRAWN,
        DossierStatus.RECEIVED,
    ]
