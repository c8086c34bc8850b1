"""The push's bulk path (``counterapp.server.services.push``/``apply``), on SQLite and PostgreSQL: new
dossiers and op_log rows are written without ORM objects (``COPY`` on PostgreSQL), with their JSON
serialised once, and op authorisation reuses decisions between a user's boundaries. What is stored, what
the feed shows and what each op is answered must be what the op-by-op path gives."""

from __future__ import annotations

import math
import uuid
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from counterapp.domain.errors import DomainError
from counterapp.protocol.payloads import decode_payload
from counterapp.server import jsontext
from counterapp.server.models.auth import Device, User
from counterapp.server.models.sync import Dossier, DossierRevision, OpLogEntry
from counterapp.server.services import apply, org, push, users
from counterapp.server.services.authorise import CLOCK_TOLERANCE_S, Authoriser, authorise_op
from tests.server.authkit import CENTRE_A, PASSWORD, make_device, now
from tests.server.synckit import applicant, counter, dossier, local_now, naive, setup_centre, signed_in_earlier


def rows(sessions: sessionmaker[Session], model: type) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_pushed_dossier_is_stored_as_the_op_by_op_path_stored_it(
    client: TestClient, server_sessions: sessionmaker[Session]
):
    centre_id = setup_centre(server_sessions)
    c1 = counter(client, server_sessions)
    at = local_now()
    sent = dossier(1, at) | {"note": 'Ghi chú: "gấp"\t\\ xuống dòng\nhết', "due_at": None}
    op = c1.op("dossier.create", sent)
    assert c1.pushed(op)[0]["status"] == "applied"
    form = decode_payload("dossier.create", 1, sent).model_dump(mode="json", by_alias=True)
    with server_sessions() as session:
        row = session.get_one(Dossier, sent["dossier_id"])
        assert (row.centre_id, row.code, row.status, row.version, row.due_at) == (
            centre_id,
            sent["code"],
            "received",
            1,
            None,
        )
        assert row.data == form
        assert session.get_one(DossierRevision, (row.id, 1)).data == form
        assert session.get_one(OpLogEntry, op["op_id"]).payload == sent  # as sent, not as read
    feed, _cursor = c1.pull_all(f"centre:{centre_id}")
    assert [c["data"]["form"] for c in feed if c["entity"] == "dossier"] == [form]


def test_a_dossier_created_then_changed_in_the_same_batch(client: TestClient, server_sessions: sessionmaker[Session]):
    """New dossiers wait to be inserted together; an op of another kind in the batch still finds them."""
    centre_id = setup_centre(server_sessions)
    c1 = counter(client, server_sessions)
    at = local_now()
    form, other = dossier(1, at), dossier(2, at)
    returned = {"dossier_id": form["dossier_id"], "code": form["code"], "returned_at": naive(at),
                "collected_by": "Trần Văn Nam", "note": None}  # fmt: skip
    results = c1.pushed(
        c1.op("dossier.create", form),
        c1.op("dossier.create", form),  # the same dossier again (another op): kept once
        c1.op("dossier.amend", form | {"applicant": applicant(phone="0987654321"), "base_version": 1}),
        c1.op("dossier.create", other),
        c1.op("dossier.return", returned),
    )
    assert [r["status"] for r in results] == ["applied"] * 5
    assert rows(server_sessions, Dossier) == 2 and rows(server_sessions, DossierRevision) == 3
    with server_sessions() as session:
        row = session.get_one(Dossier, form["dossier_id"])
        assert (row.version, row.status, row.data["applicant"]["phone"]) == (3, "returned", "0987654321")
    feed, _cursor = c1.pull_all(f"centre:{centre_id}")
    latest = {c["id"]: c for c in feed if c["entity"] == "dossier"}
    assert latest[form["dossier_id"]]["data"]["status"] == "returned"
    assert latest[other["dossier_id"]]["data"]["version"] == 1
    assert results[1]["server_seq"] <= results[4]["server_seq"]


def test_a_refused_insert_rejects_only_its_op(
    client: TestClient, server_sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
):
    """A dossier stored meanwhile by another transaction (the batch's read missed it): its INSERT fails, the
    batch is applied again op by op and only that op is quarantined (answered rejected, with the reason)."""
    setup_centre(server_sessions)
    c1 = counter(client, server_sessions)
    at = local_now()
    stored = dossier(1, at)
    assert c1.pushed(c1.op("dossier.create", stored))[0]["status"] == "applied"
    monkeypatch.setattr(push, "prefetch", lambda _session, _batch: apply.Prefetched())  # the read misses it
    results = c1.pushed(
        c1.op("dossier.create", dossier(2, at)),
        c1.op("dossier.create", stored),
        c1.op("dossier.create", dossier(3, at)),
    )
    assert [r["status"] for r in results] == ["applied", "rejected", "applied"]
    assert results[1]["reason"] == "quarantined: the database refused what the op writes (a constraint)"
    assert rows(server_sessions, Dossier) == 3 and rows(server_sessions, OpLogEntry) == 4


def test_a_value_too_long_for_its_column_is_quarantined_before_the_database(
    client: TestClient, server_sessions: sessionmaker[Session]
):
    setup_centre(server_sessions)
    c1 = counter(client, server_sessions)
    at = local_now()
    long_code = dossier(2, at, agency="X" * 40)  # 52 characters for a VARCHAR(40)
    results = c1.pushed(c1.op("dossier.create", dossier(1, at)), c1.op("dossier.create", long_code))
    # the same on both databases (SQLite would have stored it: it does not enforce lengths)
    assert [(r["status"], r.get("reason")) for r in results] == [
        ("applied", None),
        ("rejected", "quarantined: dossier.create@1: code: String should have at most 40 characters"),
    ]


@pytest.mark.parametrize(
    "value",
    [
        {"a": [1, None, True, False, 'ả\u0000\t"\\'], "b": {"c": 1.5, "d": -0.0, "e": 10**30, "f": 1e300}},
        "\ud800",  # a lone surrogate: written by json.dumps, as before
        [math.inf, -math.inf],
    ],
)
def test_json_text_reads_back_as_json_dumps_writes(value: object):
    import json

    assert json.loads(jsontext.json_text(value)) == json.loads(json.dumps(value))


def test_the_authorisers_reused_decisions_match_authorise_op(server_sessions: sessionmaker[Session]):
    """Around every boundary of a user's history (created less the tolerance, each role change,
    deactivation), microsecond by microsecond, a batch's authoriser answers as ``authorise_op``."""
    setup_centre(server_sessions)
    device_id, _code = make_device(server_sessions, CENTRE_A)
    born = now() - timedelta(days=3)
    promoted, demoted, left = born + timedelta(days=1), born + timedelta(days=2), born + timedelta(days=2, hours=1)
    with server_sessions.begin() as session:
        user = users.create_user(session, username="mai.lan", full_name="Lê Thị Mai", role="clerk",
                                 password=PASSWORD, centre=org.centre_by_code(session, CENTRE_A), now=born)  # fmt: skip
        users.change_role(session, user, "lead", now=promoted)
        users.change_role(session, user, "clerk", now=demoted)
        users.deactivate(session, user, now=left)
        user_id = user.id
    us = timedelta(microseconds=1)
    bounds = [born - timedelta(seconds=CLOCK_TOLERANCE_S), promoted, demoted, left]
    times: list[datetime] = sorted(
        {b + k * us for b in bounds for k in (-1, 0, 1)} | {b + timedelta(minutes=1) for b in bounds}
    )

    def answer(check: object) -> str:
        try:
            allowed = check()  # type: ignore[operator]
        except DomainError as exc:
            return exc.code
        assert isinstance(allowed, User)
        return "allowed"

    with server_sessions() as session:
        device = session.get_one(Device, device_id)
        authoriser = Authoriser(session, device)
        seen = []
        for action in ("dossier.intake", "reports.view"):
            for at in times + times[::-1]:  # in any order: a cached decision must not leak across boundaries
                expected = answer(lambda: authorise_op(session, user_id, device, action, at))  # noqa: B023
                assert answer(lambda: authoriser.check(user_id, action, at)) == expected, (action, at)  # noqa: B023
                seen.append(expected)
        assert authoriser.check(user_id, "dossier.intake", promoted) is session.get(User, user_id)
        with pytest.raises(DomainError):
            authoriser.check(str(uuid.uuid4()), "dossier.intake", promoted)
    assert {"allowed", "auth.forbidden", "auth.user_inactive"} <= set(seen)


def test_a_push_spanning_a_deactivation_is_judged_op_by_op(client: TestClient, server_sessions: sessionmaker[Session]):
    setup_centre(server_sessions)
    c1 = counter(client, server_sessions)
    at = local_now()
    with server_sessions.begin() as session:  # an account of an hour, deactivated ten minutes ago
        leaver = users.create_user(session, username="left.today", full_name="Phạm Văn Đức", role="clerk",
                                   password=PASSWORD, centre=org.centre_by_code(session, CENTRE_A),
                                   now=now() - timedelta(hours=1))  # fmt: skip
        users.deactivate(session, leaver, now=now() - timedelta(minutes=10))
    signed_in_earlier(server_sessions, c1.device, "left.today", now() - timedelta(minutes=50))
    before, after = at - timedelta(minutes=20), at - timedelta(minutes=5)
    results = c1.pushed(
        *(
            c1.op("dossier.create", dossier(n, when), user_id="left.today", corrected_time=when.isoformat())
            for n, when in enumerate((before, after, before, after), start=1)
        )
    )
    assert [r["status"] for r in results] == ["applied", "rejected", "applied", "rejected"]
    assert results[1]["reason"].startswith("not authorised")
