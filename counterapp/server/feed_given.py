"""The change feed's one-statement publish on PostgreSQL (``feed.publish``'s fast path): a centre's space
whose every touched entity's data was given by the transaction that wrote it (a ticket issued, a claim's
``RETURNING`` row) needs nothing read between the clock's lock and the write."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from time import monotonic
from typing import Any

from sqlalchemy import Boolean, Integer, String, text
from sqlalchemy.orm import Session

from counterapp.server.events import CHANNEL, make_event, take_payloads
from counterapp.server.jsontext import json_text

__all__ = ["publish_given"]

Key = tuple[str, str, str]  # (space, entity, entity id), as in ``feed``
Data = dict[str, Any]
LockClock = Callable[[Session, str], int]  # ``feed``'s: the space's seq, its clock row locked until the commit


# space → when a one-statement write there last found the clock moved. Under contention nearly every
# writer waits for the clock and then finds it moved, and the failed attempt cost more than it saved
# (bench_race: 118–124 calls/s against 143–150 locking first); for a while after one, lock first.
# A hint only (per process, unguarded): either way the write is exact.
_CONTENDED: dict[str, float] = {}
_CONTENDED_FOR = 2.0  # seconds


def publish_given(
    session: Session, space: str, given: list[tuple[str, str, Data]], at: datetime, lock_clock: LockClock
) -> dict[Key, int]:
    """PostgreSQL, a centre's space whose every touched entity's data was given: the stored versions read,
    the unchanged skipped, the clock advanced, the changes and states written and the pending live events
    with the space's poke sent, in one statement (``_WRITE_GIVEN``) instead of three. Its reads use the
    statement's snapshot, taken before any wait for the clock's lock, so it applies only if the locked
    clock still holds the snapshot's seq (no change of the space committed in between: every write of
    ``sync_entities`` advances its space's clock). Otherwise (another writer committed while it waited for
    the lock) it keeps the lock and runs again, its new snapshot now current: two round trips, not three;
    and for a while the space's writers lock the clock first (``_CONTENDED``)."""
    payloads = take_payloads(session)
    poke = make_event(space.partition(":")[2], "space.advanced", {"space": space, "seq": 0}).to_json()
    rows = [{"entity": entity, "entity_id": entity_id, "data": data} for entity, entity_id, data in given]
    parameters = {"rows": json_text(rows), "the_space": space, "at": at, "channel": CHANNEL}
    parameters |= {"payloads": json_text(payloads), "poke": poke}
    if monotonic() - _CONTENDED.get(space, -_CONTENDED_FOR) < _CONTENDED_FOR:
        lock_clock(session, space)  # writers are queueing on this clock: lock first, then apply at once
    result = session.connection().execute(_WRITE_GIVEN, parameters).all()
    if not result[0].applied:
        if result[0].locked:
            _CONTENDED[space] = monotonic()
        else:  # the space's first change: create its clock
            lock_clock(session, space)
        result = session.connection().execute(_WRITE_GIVEN, parameters).all()
        if not result[0].applied:  # pragma: no cover - the clock is ours until the commit
            raise RuntimeError("the space's clock moved while locked")
    return {(space, r.entity, r.entity_id): r.seq for r in result if r.entity is not None}


# Data-modifying CTEs all run, against the statement's snapshot. ``locked`` locks the clock's row and reads
# its newest version (after any wait); ``advanced`` is empty unless that still holds the snapshot's seq, and
# then nothing else writes or notifies, but the lock is kept: the second run waits for no one. A given
# state equal to the stored one (``jsonb`` equality) is skipped, as ``publish`` skips it. The poke goes
# last, with the space's new seq.
_WRITE_GIVEN = text(
    """
    WITH given AS (
        SELECT g.n, g.e->>'entity' AS entity, g.e->>'entity_id' AS entity_id, g.e->'data' AS data
        FROM jsonb_array_elements(CAST(:rows AS jsonb)) WITH ORDINALITY AS g(e, n)
    ), fresh AS (
        SELECT given.entity, given.entity_id, given.data, COALESCE(s.version, 0) + 1 AS version,
               row_number() OVER (ORDER BY given.n) AS k
        FROM given LEFT JOIN sync_entities AS s
            ON s.space = :the_space AND s.entity = given.entity AND s.entity_id = given.entity_id
        WHERE s.entity_id IS NULL OR s.deleted OR s.data IS DISTINCT FROM given.data
    ), seen AS (
        SELECT seq FROM space_clock WHERE space = :the_space
    ), locked AS (
        SELECT seq FROM space_clock WHERE space = :the_space FOR UPDATE
    ), advanced AS (
        UPDATE space_clock SET seq = seq + (SELECT count(*) FROM fresh)
        WHERE space = :the_space AND (SELECT seq FROM locked) = (SELECT seq FROM seen)
        RETURNING seq
    ), numbered AS (
        SELECT fresh.*, (SELECT seq FROM seen) + fresh.k AS seq FROM fresh WHERE EXISTS (SELECT FROM advanced)
    ), changed AS (
        INSERT INTO changes (space, seq, entity, entity_id, op, version, data, at)
        SELECT :the_space, seq, entity, entity_id, 'upsert', version, data, :at FROM numbered
    ), stated AS (
        INSERT INTO sync_entities (space, entity, entity_id, version, seq, deleted, data)
        SELECT :the_space, entity, entity_id, version, seq, false, data FROM numbered
        ON CONFLICT (space, entity, entity_id) DO UPDATE
        SET version = excluded.version, seq = excluded.seq, deleted = excluded.deleted, data = excluded.data
    ), notified AS (
        SELECT pg_notify(:channel, p) FROM (
            SELECT p, n FROM jsonb_array_elements_text(CAST(:payloads AS jsonb)) WITH ORDINALITY AS t(p, n)
            UNION ALL
            SELECT jsonb_set(CAST(:poke AS jsonb), '{data,seq}', to_jsonb(seq))::text, 9223372036854775807
            FROM advanced WHERE EXISTS (SELECT FROM numbered)
        ) AS sent
        WHERE EXISTS (SELECT FROM advanced)
        ORDER BY n
    )
    SELECT EXISTS (SELECT FROM advanced) AS applied, EXISTS (SELECT FROM locked) AS locked,
           (SELECT count(*) FROM notified) AS sent, numbered.entity, numbered.entity_id, numbered.seq
    FROM (SELECT 1) AS one LEFT JOIN numbered ON true
    """
).columns(applied=Boolean(), locked=Boolean(), sent=Integer(), entity=String(), entity_id=String(), seq=Integer())
