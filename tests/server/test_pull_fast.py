"""``POST /v1/sync/pull`` answers with JSON it builds itself (``pull.pull_json``: the change rows' data spliced in
as the database's text, the page read from ``sync_entities``). These tests hold it to the former
implementation, kept here as the reference: ORM change rows joined to their entity's latest seq, each
made a ``Change`` and the page serialised by pydantic. Same changes, cursors, ``has_more`` and
``reset_required`` for every cursor and limit, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import insert, null, select
from sqlalchemy.orm import Session, sessionmaker

from counterapp.protocol.messages import (
    START_CURSOR,
    Change,
    PullRequest,
    PullResponse,
    decode_cursor,
    encode_cursor,
    parse_space,
)
from counterapp.server.models.auth import Device
from counterapp.server.models.sync import ChangeRow, SpaceClock, SyncEntity
from counterapp.server.services import pull
from tests.server.synckit import counter, dossier, local_now, setup_centre

_ORDER = {"city": 0, "centre": 1, "device": 2}


def reference(session: Session, cursors: dict[str, str], limit: int) -> dict[str, Any]:
    """The pull as first written (before the JSON was built by hand), as the body it answered."""
    spaces = sorted(cursors, key=lambda s: (_ORDER[parse_space(s).kind], s))
    known = pull.heads(session, spaces)
    remaining, has_more = limit, False
    changes: list[Change] = []
    out: dict[str, str] = {}
    reset: list[str] = []
    for space in spaces:
        after = decode_cursor(cursors[space])
        head, floor = known[space]
        out[space] = cursors[space]
        if after < floor or after > head:
            reset.append(space)
            continue
        if after == head:
            continue
        if remaining == 0:
            has_more = True
            continue
        rows = session.scalars(
            select(ChangeRow)
            .join(
                SyncEntity,
                (SyncEntity.space == ChangeRow.space)
                & (SyncEntity.entity == ChangeRow.entity)
                & (SyncEntity.entity_id == ChangeRow.entity_id),
            )
            .where(ChangeRow.space == space, ChangeRow.seq > after, SyncEntity.seq == ChangeRow.seq)
            .order_by(ChangeRow.seq)
            .limit(remaining + 1)
        ).all()
        page = rows[:remaining]
        has_more = has_more or len(rows) > remaining
        remaining -= len(page)
        changes.extend(
            Change(space=r.space, seq=r.seq, entity=r.entity, id=r.entity_id, op=r.op, version=r.version, data=r.data)  # type: ignore[arg-type]
            for r in page
        )
        if page:
            out[space] = encode_cursor(page[-1].seq)
    body: dict[str, Any] = json.loads(
        PullResponse(changes=changes, cursors=out, has_more=has_more, reset_required=reset).model_dump_json()
    )
    return body


def answered(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    PullResponse.model_validate_json(response.content)  # the body is a valid PullResponse
    body: dict[str, Any] = json.loads(response.content)
    assert list(body) == ["changes", "cursors", "has_more", "reset_required"]
    return body


TRICKY = {
    "text": 'Nguyễn Thị Ánh "Tuyết" \\ back\nslash\ttab \u0001 🙂',
    "numbers": [0, -1, 2.5, 12345678901234, 1e-7],
    "nested": {"b": None, "a": [True, False, {}], "": ""},
}


def _feed(sessions: sessionmaker[Session], space: str) -> None:
    """A hand-made feed obeying ``feed.publish``'s invariant (each entity's latest seq in ``sync_entities``):
    superseded versions, deletes with JSON null and with SQL NULL data, awkward JSON."""
    at = datetime.now(UTC)
    changes = [  # (seq, entity id, op, version, data)
        (1, "a", "upsert", 1, {"x": 1}),
        (2, "b", "upsert", 1, {"y": "ơ"}),
        (3, "c", "upsert", 1, TRICKY),
        (4, "a", "upsert", 2, {"x": 2, "tricky": TRICKY}),
        (5, "b", "delete", 2, None),
        (6, "d", "upsert", 1, {}),
        (7, "e", "upsert", 1, {"z": [1]}),
        (8, "e", "delete", 2, null()),
        (9, "f", "upsert", 1, {"last": True}),
    ]
    latest = {entity_id: (seq, op, version, data) for seq, entity_id, op, version, data in changes}
    with sessions.begin() as session:
        session.add(SpaceClock(space=space, seq=len(changes), floor=0))
        session.execute(
            insert(ChangeRow),
            [{"space": space, "seq": seq, "entity": "conflict", "entity_id": entity_id, "op": op,
              "version": version, "data": data, "at": at} for seq, entity_id, op, version, data in changes],
        )  # fmt: skip
        session.execute(
            insert(SyncEntity),
            [{"space": space, "entity": "conflict", "entity_id": entity_id, "version": version, "seq": seq,
              "deleted": op == "delete", "data": data} for entity_id, (seq, op, version, data) in latest.items()],
        )  # fmt: skip


def test_every_page_of_a_compacted_feed_is_the_reference_page(
    client: TestClient, server_sessions: sessionmaker[Session]
) -> None:
    setup_centre(server_sessions)
    c1 = counter(client, server_sessions)
    space = f"device:{c1.device.device_id}"
    _feed(server_sessions, space)
    for after in range(11):  # 10: past the head, a reset
        for limit in range(1, 8):
            cursors = {space: encode_cursor(after)}
            with server_sessions() as session:
                expected = reference(session, cursors, limit)
            assert answered(c1.pull(cursors, limit)) == expected, (after, limit)
    everything, _ = c1.pull_all(space)
    assert [(c["seq"], c["id"], c["op"]) for c in everything] == [
        (3, "c", "upsert"), (4, "a", "upsert"), (5, "b", "delete"), (6, "d", "upsert"), (8, "e", "delete"),
        (9, "f", "upsert"),
    ]  # fmt: skip
    assert everything[0]["data"] == TRICKY and everything[2]["data"] is None and everything[4]["data"] is None


def test_spaces_sharing_a_page_match_the_reference_and_the_service(
    client: TestClient, server_sessions: sessionmaker[Session]
) -> None:
    centre_id = setup_centre(server_sessions)
    c1 = counter(client, server_sessions)
    at = local_now()
    c1.pushed(*(c1.op("dossier.create", dossier(n, at)) for n in range(1, 6)))
    device_space = f"device:{c1.device.device_id}"
    _feed(server_sessions, device_space)
    start = {f"centre:{centre_id}": START_CURSOR, device_space: encode_cursor(2), "city": START_CURSOR}
    with server_sessions() as session:
        whole = reference(session, start, 500)["changes"]
    assert {c["space"] for c in whole} == {f"centre:{centre_id}", device_space}
    for limit in (1, 3, 8, 12, 500):
        cursors, seen = start, []
        while True:
            with server_sessions() as session:
                expected = reference(session, cursors, limit)
                device = session.get_one(Device, c1.device.device_id)
                request = PullRequest(client_id=device.id, cursors=cursors, limit=limit)
                model = json.loads(pull.pull(session, device, request).model_dump_json())
            body = answered(c1.pull(cursors, limit))
            assert body == expected == model
            seen.extend(body["changes"])
            cursors = body["cursors"]
            if not body["has_more"]:
                break
        assert seen == whole
