"""The per-space change feed (SYNC.md §4 "Cursor"): every change of a synced entity becomes one row of
``changes`` with the next ``seq`` of its space, in the same transaction as the change itself.

Use cases do not call this module: mapper events below *touch* an entity whenever its row (or a ticket's
event row) is written, and the ``before_commit`` hook that ``install`` puts on the server's session factory
(``counterapp.server.db.session_factory``) *publishes* what was touched — it reads
each entity's current state, skips those whose data did not change (a rolled-back savepoint, a no-op),
takes ``n`` sequence numbers with one ``UPDATE space_clock SET seq = seq + n`` and writes the change rows
and the entities' latest state (on PostgreSQL in one statement, with the transaction's pending live
events). The space clock is locked last in every transaction, after all the domain rows it touched, so
two writers never wait for each other in opposite orders; its row lock, held to the commit, makes commit
order equal seq order, so a reader paging by ``seq > cursor`` never skips a row.
A change that was not a row write (a hand dealt with a bulk UPDATE) is touched explicitly with ``touch``.

After the commit, each advanced space is poked as a ``space.advanced`` live event, which ``/v1/sync/wait``
and the event stream hear. Entity data never holds secrets; it does hold the dossier form, which only
devices of the dossier's own centre can pull.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from types import SimpleNamespace
from typing import Any, NamedTuple

from sqlalchemy import Connection, Select, bindparam, insert, inspect, select, text, update
from sqlalchemy import event as sa_event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapper, Session, aliased, object_session, sessionmaker

from counterapp.domain.duedate import VIETNAM_TZ
from counterapp.server.events import (
    CHANNEL,
    notifying,
    publish_after_commit,
    send_pending,
    take_payloads,
)
from counterapp.server.feed_given import publish_given
from counterapp.server.jsontext import json_text
from counterapp.server.models.auth import Device
from counterapp.server.models.org import Assignment, Counter, QueueService
from counterapp.server.models.queue import Ticket, TicketEventRow
from counterapp.server.models.sync import ChangeRow, Conflict, Dossier, SpaceClock, SyncEntity
from counterapp.server.services.common import as_utc

_TOUCHED = "counterapp.feed.touched"
_KNOWN = "counterapp.feed.known"  # session.info: key → the data of a row this transaction wrote whole

Key = tuple[str, str, str]  # (space, entity, entity id)
Data = dict[str, Any]


def centre_space(centre_id: str) -> str:
    return f"centre:{centre_id}"


def device_space(device_id: str) -> str:
    return f"device:{device_id}"


def local_iso(value: datetime | None) -> str | None:
    """A stored time as the centre's local time with its offset (what a counter shows)."""
    return None if value is None else as_utc(value).astimezone(VIETNAM_TZ).isoformat()


# --- touching ------------------------------------------------------------------------------------------


def touch(
    session: Session, space: str, entity: str, entity_id: str, *, new: bool = False, data: Data | None = None
) -> None:
    """Publish ``entity``'s current state in ``space`` when ``session`` commits (once, however often touched).
    ``new``: the row was inserted by this transaction, so the feed has no version of it to read (ids are
    made once, never reused). ``data``: the row's whole state as this transaction just wrote it (a ticket
    just issued, or claimed with ``RETURNING``), so the commit need not read it back; given only on the
    entity's first touch, and any later touch of it (or a rollback) forgets it and the commit reads the row.
    The feed still reads the stored version of a row that is not ``new``, after locking the space's clock."""
    if entity not in BUILDERS:
        raise ValueError(f"unknown synced entity {entity!r}")
    touched: dict[Key, bool] = session.info.setdefault(_TOUCHED, {})
    key = (space, entity, entity_id)
    known: dict[Key, Data] = session.info.setdefault(_KNOWN, {})
    if data is not None and key not in touched:
        known[key] = data
    else:
        known.pop(key, None)
    touched[key] = touched.get(key, False) or new


def forget(session: Session) -> None:
    """Drop what was touched (after a rollback the caller redoes the work, touching again)."""
    session.info.pop(_TOUCHED, None)
    session.info.pop(_KNOWN, None)


def _touch_target(
    entity: str,
    space_of: Callable[[Any], str],
    id_of: Callable[[Any], str],
    private: frozenset[str] = frozenset(),
    *,
    updated: bool = False,
    inserted: bool = False,
) -> Any:
    """A mapper listener touching ``entity``. An update that changed only ``private`` attributes (not in
    what counters receive) touches nothing, nor does one that changed nothing at all: SQLAlchemy fires
    ``after_update`` for every dirty object, even one set back to the values it had (a call setting a
    streak of 0 to 0), and publishing it would cost three reads to find nothing new."""

    def listener(_mapper: Mapper[Any], _connection: Any, target: Any) -> None:
        if updated:
            changed = {attr.key for attr in inspect(target).attrs if attr.history.has_changes()}
            if changed <= private:
                return
        session = object_session(target)
        if session is not None:
            touch(session, space_of(target), entity, id_of(target), new=inserted)

    return listener


def _ticket_event_centre(target: TicketEventRow) -> str:
    session = object_session(target)
    assert session is not None
    ticket = session.identity_map.get(session.identity_key(Ticket, target.ticket_id))  # no SQL when loaded
    centre_id = ticket.centre_id if isinstance(ticket, Ticket) else None
    if centre_id is None:
        centre_id = session.scalar(select(Ticket.centre_id).where(Ticket.id == target.ticket_id))
    return centre_space(str(centre_id))


def _on_write(
    model: type[Any], entity: str, space_of: Callable[[Any], str], private: frozenset[str] = frozenset()
) -> list[tuple[type[Any], str, Any]]:
    """Touch ``entity`` when a ``model`` row is inserted or updated."""
    return [
        (model, "after_insert", _touch_target(entity, space_of, lambda o: o.id, inserted=True)),
        (model, "after_update", _touch_target(entity, space_of, lambda o: o.id, private, updated=True)),
    ]


def _in_centre(target: Any) -> str:
    return centre_space(target.centre_id)


_LISTENERS: list[tuple[type[Any], str, Any]] = [
    *_on_write(Ticket, "ticket", _in_centre),
    (TicketEventRow, "after_insert", _touch_target("ticket", _ticket_event_centre, lambda e: e.ticket_id)),
    # the interleave rule's streak changes with every call; counters are not sent it
    *_on_write(Counter, "counter", _in_centre, frozenset({"regular_streak"})),
    *_on_write(QueueService, "service", _in_centre),
    *_on_write(Dossier, "dossier", _in_centre),
    *_on_write(Conflict, "conflict", lambda c: device_space(c.device_id)),
]
for _model, _name, _listener in _LISTENERS:
    sa_event.listen(_model, _name, _listener)


# --- what a counter receives of each entity ----------------------------------------------------------


def _ticket_statement() -> Select[Any]:
    holder, dealer = aliased(Counter), aliased(Counter)
    return (
        select(
            *Ticket.__table__.columns,
            QueueService.code.label("service"),
            holder.number.label("holder"),
            dealer.number.label("dealer"),
        )
        .join(QueueService, QueueService.id == Ticket.service_id)
        .outerjoin(holder, holder.id == Ticket.counter_id)
        .outerjoin(dealer, dealer.id == Ticket.dealt_to)
    )


# Built once: building a statement costs about as much as running one (every call publishes a ticket).
# They are Core statements run on the session's connection (``_sql``): through ``Session.execute`` each
# paid about 0.4 ms of ORM bookkeeping (bulk-update evaluation, result mapping) for nothing it needs.
_TICKET = _ticket_statement().where(Ticket.id == bindparam("ticket_id"))
_LOCK_CLOCK = (
    update(SpaceClock)
    .where(SpaceClock.space == bindparam("the_space"))
    .values(seq=SpaceClock.seq)
    .returning(SpaceClock.seq)
)
_ADVANCE_CLOCK = update(SpaceClock).where(SpaceClock.space == bindparam("the_space")).values(seq=bindparam("the_seq"))
_INSERT_CHANGES = insert(ChangeRow)
_TICKETS_AND_STORED = (
    _ticket_statement()
    .where(Ticket.id.in_(bindparam("ids", expanding=True)))
    .add_columns(SyncEntity.entity_id, SyncEntity.version.label("stored_version"), SyncEntity.deleted, SyncEntity.data)
    .outerjoin(
        SyncEntity,
        (SyncEntity.space == bindparam("space"))
        & (SyncEntity.entity == "ticket")
        & (SyncEntity.entity_id == Ticket.id),
    )
)
_STORED = select(SyncEntity.entity_id, SyncEntity.version, SyncEntity.deleted, SyncEntity.data).where(
    SyncEntity.space == bindparam("space"),
    SyncEntity.entity == bindparam("entity"),
    SyncEntity.entity_id.in_(bindparam("ids", expanding=True)),
)


def ticket_data(session: Session, ticket_id: str) -> Data | None:
    ticket = _sql(session).execute(_TICKET, {"ticket_id": ticket_id}).one_or_none()
    return None if ticket is None else _ticket_dict(ticket)


def new_ticket_data(ticket: Ticket, service_code: str) -> Data:
    """What ``ticket_data`` reads back for a ticket just issued (waiting, at no counter, in no hand)."""
    return written_ticket_data(ticket, service_code, None, None)


def written_ticket_data(ticket: Ticket, service_code: str, holder: str | None, dealer: str | None) -> Data:
    """What ``ticket_data`` reads back for ``ticket`` as just written, given its service's code and the
    numbers of the counters holding it and dealt it (``None`` for none)."""
    row = {column.key: getattr(ticket, column.key) for column in Ticket.__table__.columns}
    return _ticket_dict(SimpleNamespace(**row, service=service_code, holder=holder, dealer=dealer))


def _ticket_dict(row: Any) -> Data:
    return {
        "id": row.id,
        "number": row.number,
        "day": row.day.isoformat(),
        "service": row.service,
        "priority": row.priority,
        "state": row.state,
        "counter": row.holder,
        "issued_at": local_iso(row.issued_at),
        "called_at": local_iso(row.called_at),
        "recalls": row.recalls,
        "dealt_to": row.dealer,
        "dealt_until": local_iso(row.dealt_until) if row.dealer else None,
        "version": row.version,
    }


def _tickets_and_stored(session: Session, space: str, ids: list[str]) -> tuple[dict[str, Data], dict[str, Any]]:
    """The tickets' data and the version the feed holds of each (if any), in one read: a round trip less
    on every call. Read after the space's clock is locked, as ``_STORED`` is."""
    rows = _sql(session).execute(_TICKETS_AND_STORED, {"ids": ids, "space": space}).all()
    data = {row.id: _ticket_dict(row) for row in rows}
    stored = {row.id: Stored(row.stored_version, row.deleted, row.data) for row in rows if row.entity_id is not None}
    return data, stored


class Stored(NamedTuple):
    """What the feed holds of an entity: as ``_STORED`` reads it."""

    version: int
    deleted: bool
    data: Data | None


def counter_data(session: Session, counter_id: str) -> Data | None:
    counter = session.get(Counter, counter_id, populate_existing=True)
    if counter is None:
        return None
    services = session.scalars(
        select(QueueService.code)
        .join(Assignment, Assignment.service_id == QueueService.id)
        .where(Assignment.counter_id == counter_id)
        .order_by(QueueService.code)
    ).all()
    return {
        "id": counter.id,
        "number": counter.number,
        "name": counter.name,
        "status": counter.status,
        "pause_reason": counter.pause_reason,
        "epoch": counter.epoch,
        "services": list(services),
    }


def service_data(session: Session, service_id: str) -> Data | None:
    service = session.get(QueueService, service_id, populate_existing=True)
    if service is None:
        return None
    return {"id": service.id, "code": service.code, "prefix": service.prefix, "name_vi": service.name_vi,
            "name_en": service.name_en}  # fmt: skip


def dossier_data(session: Session, dossier_id: str) -> Data | None:
    dossier = session.get(Dossier, dossier_id, populate_existing=True)
    return None if dossier is None else _dossier_dict(dossier)


def _dossier_dict(dossier: Dossier) -> Data:
    return {
        "id": dossier.id,
        "code": dossier.code,
        "procedure_code": dossier.procedure_code,
        "status": dossier.status,
        "version": dossier.version,
        "received_at": local_iso(dossier.received_at),
        "due_at": local_iso(dossier.due_at),
        "returned_at": local_iso(dossier.returned_at),
        "form": dossier.data,
    }


def conflict_data(session: Session, conflict_id: str) -> Data | None:
    conflict = session.get(Conflict, conflict_id, populate_existing=True)
    if conflict is None:
        return None
    return {
        "id": conflict.id,
        "op_id": conflict.op_id,
        "kind": conflict.kind,
        "entity": conflict.entity,
        "entity_id": conflict.entity_id,
        "code": conflict.code,
        "reason": conflict.reason,
        "created_at": local_iso(conflict.created_at),
        "resolved_at": local_iso(conflict.resolved_at),
    }


BUILDERS: dict[str, Callable[[Session, str], Data | None]] = {
    "ticket": ticket_data,
    "counter": counter_data,
    "service": service_data,
    "dossier": dossier_data,
    "conflict": conflict_data,
}


# --- publishing ----------------------------------------------------------------------------------------


def _sql(session: Session) -> Connection:
    """The session's connection in its current transaction, for Core statements."""
    return session.connection()


def _dialect_insert(session: Session) -> Any:
    return _insert_for(session.get_bind().dialect.name)


def _insert_for(dialect: str) -> Any:
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


@lru_cache(maxsize=2)
def _upsert_for(dialect: str) -> Any:
    upsert = _insert_for(dialect)(SyncEntity)
    return upsert.on_conflict_do_update(
        index_elements=["space", "entity", "entity_id"],
        set_={name: upsert.excluded[name] for name in ("version", "seq", "deleted", "data")},
    )


def _upsert_state(session: Session) -> Any:
    """``INSERT … ON CONFLICT DO UPDATE`` of an entity's latest state, built once per dialect."""
    return _upsert_for(session.get_bind().dialect.name)


def _lock_clock(session: Session, space: str) -> int:
    """The space's current seq, with its clock row locked until the commit (created on first use)."""
    sql = _sql(session)
    seq = sql.execute(_LOCK_CLOCK, {"the_space": space}).scalar_one_or_none()
    if seq is None:  # the space's first change (two first writers: one inserts, both then lock the row)
        first = _dialect_insert(session)(SpaceClock).values(space=space, seq=0, floor=0)
        sql.execute(first.on_conflict_do_nothing())
        seq = sql.execute(_LOCK_CLOCK, {"the_space": space}).scalar_one()
    return int(seq)


def install(factory: sessionmaker[Session]) -> None:
    """Publish at every commit of the factory's sessions. Registered on the factory, not lazily on a
    session when something is touched: SQLAlchemy's final flush runs *after* ``before_commit``, so a change
    first flushed by the commit itself would be touched too late to publish."""
    sa_event.listen(factory, "before_commit", _before_commit)
    sa_event.listen(factory, "after_soft_rollback", _forget_known)


def _forget_known(session: Session, _previous: Any) -> None:
    """After any rollback (a savepoint's too), data given to ``touch`` may describe rows that are gone: the
    commit reads whatever is still touched instead."""
    session.info.pop(_KNOWN, None)


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a SAVEPOINT is released, not committed: publish at the end
        return
    session.flush()  # fires the mapper events of whatever is still pending
    if session.info.get(_TOUCHED):
        publish(session)
    send_pending(session)  # last: the feed's own pokes go with the rest


def _dossier_rows(session: Session, ids: list[str]) -> dict[str, Data | None]:
    """One SELECT for all of a push's dossiers (the ORM objects of this session are already current)."""
    rows = {d.id: d for d in session.scalars(select(Dossier).where(Dossier.id.in_(ids)))}
    return {i: (_dossier_dict(rows[i]) if i in rows else None) for i in ids}


def _current(session: Session, entity: str, ids: list[str]) -> dict[str, Data | None]:
    if entity == "dossier":
        return _dossier_rows(session, ids)
    builder = BUILDERS[entity]
    return {entity_id: builder(session, entity_id) for entity_id in ids}


def _read(
    session: Session, space: str, keys: list[tuple[str, str]], touched: dict[Key, bool], known: dict[Key, Data]
) -> tuple[dict[tuple[str, str], Data | None], dict[tuple[str, str], Any]]:
    """The current data of ``space``'s touched entities (given to ``touch``, or read) and the feed's stored
    version of each that is not new, read after the space's clock is locked."""
    by_entity: dict[str, list[str]] = {}
    for entity, entity_id in keys:
        by_entity.setdefault(entity, []).append(entity_id)
    current: dict[tuple[str, str], Data | None] = {}
    stored: dict[tuple[str, str], Any] = {}
    for entity, all_ids in by_entity.items():
        given = [i for i in all_ids if (space, entity, i) in known]  # written whole here: no data to read
        current.update({(entity, i): known[(space, entity, i)] for i in given})
        ids = [i for i in all_ids if (space, entity, i) not in known]
        old = [i for i in ids if not touched[(space, entity, i)]]  # new rows have no stored version
        if entity == "ticket" and ids:  # the commonest: rows and stored versions in one read
            tickets, held = _tickets_and_stored(session, space, ids)
            current.update({(entity, i): tickets.get(i) for i in ids})
            stored.update({(entity, i): row for i, row in held.items()})
            old = [i for i in old if i not in tickets]  # a ticket gone: its stored version still counts
        elif ids:
            current.update({(entity, i): d for i, d in _current(session, entity, ids).items()})
        old += [i for i in given if not touched[(space, entity, i)]]
        if old:
            rows = _sql(session).execute(_STORED, {"space": space, "entity": entity, "ids": old})
            stored.update({(entity, r.entity_id): r for r in rows})
    return current, stored


def publish(session: Session) -> dict[Key, int]:
    """Write the touched entities' changes now (normally called by the ``before_commit`` hook); returns
    the seq given to each entity that changed. Idempotent: a second call publishes nothing new. Reads
    and writes in bulk (a push touches up to 200 entities): the stored versions, the current data, the
    change rows and the entities' latest state, each in one statement per space and kind."""
    session.flush()
    touched: dict[Key, bool] = session.info.pop(_TOUCHED, {})
    known: dict[Key, Data] = session.info.pop(_KNOWN, {})
    by_space: dict[str, list[tuple[str, str]]] = {}
    for space, entity, entity_id in touched:
        by_space.setdefault(space, []).append((entity, entity_id))
    published: dict[Key, int] = {}
    at = datetime.now(UTC)
    in_one = notifying(session)  # PostgreSQL, the outermost transaction: the write can send the pokes
    for space in sorted(by_space):  # a fixed order of clock locks across spaces
        keys = by_space[space]
        if in_one and space.startswith("centre:") and all((space, *key) in known for key in keys):
            given = [(entity, entity_id, known[(space, entity, entity_id)]) for entity, entity_id in keys]
            published.update(publish_given(session, space, given, at, _lock_clock))
            continue
        seq = _lock_clock(session, space)  # before reading versions: concurrent writers queue here
        current, stored = _read(session, space, keys, touched, known)
        start = seq
        changes: list[dict[str, Any]] = []
        states: list[dict[str, Any]] = []
        for entity, entity_id in keys:
            data, before = current[(entity, entity_id)], stored.get((entity, entity_id))
            if data is None and (before is None or before.deleted):
                continue
            if before is not None and not before.deleted and before.data == data:
                continue
            seq += 1
            version = 1 if before is None else before.version + 1
            op = "delete" if data is None else "upsert"
            changes.append({"space": space, "seq": seq, "entity": entity, "entity_id": entity_id, "op": op,
                            "version": version, "data": data, "at": at})  # fmt: skip
            states.append({"space": space, "entity": entity, "entity_id": entity_id, "version": version, "seq": seq,
                           "deleted": data is None, "data": data})  # fmt: skip
            published[(space, entity, entity_id)] = seq
        if seq == start:
            continue
        _poke(session, space, seq)  # first: on PostgreSQL ``_write`` sends the pokes too
        _write(session, space, seq, changes, states)
    return published


def _write(session: Session, space: str, seq: int, changes: list[Data], states: list[Data]) -> None:
    """The change rows, the entities' latest state and the space's new seq. On PostgreSQL one statement,
    which also sends the live events pending so far (``NOTIFY``, delivered at the commit): one round
    trip instead of four on every call of a ticket. Elsewhere three statements."""
    sql = _sql(session)
    if session.get_bind().dialect.name == "postgresql":
        rows = [
            {**state, "op": change["op"], "at": change["at"].isoformat()}
            for change, state in zip(changes, states, strict=True)
        ]
        payloads = take_payloads(session) if notifying(session) else []
        parameters = {"rows": json_text(rows), "the_space": space, "the_seq": seq}
        sql.execute(_WRITE_ALL, {**parameters, "channel": CHANNEL, "payloads": json_text(payloads)})
        return
    sql.execute(_INSERT_CHANGES, changes)
    sql.execute(_upsert_state(session), states)
    sql.execute(_ADVANCE_CLOCK, {"the_space": space, "the_seq": seq})


# PostgreSQL: ``_write``'s three statements and ``events.send_pending``'s as one (data-modifying CTEs
# always run). ``e->'data'`` keeps a JSON null as the JSON null the
# ORM writes for ``None`` (``jsonb_to_recordset`` would make it SQL NULL).
_WRITE_ALL = text(
    """
    WITH written AS (
        SELECT e->>'space' AS space, (e->>'seq')::integer AS seq, e->>'entity' AS entity,
               e->>'entity_id' AS entity_id, e->>'op' AS op, (e->>'version')::integer AS version,
               (e->>'deleted')::boolean AS deleted, e->'data' AS data, (e->>'at')::timestamptz AS at
        FROM jsonb_array_elements(CAST(:rows AS jsonb)) AS e
    ), changed AS (
        INSERT INTO changes (space, seq, entity, entity_id, op, version, data, at)
        SELECT space, seq, entity, entity_id, op, version, data, at FROM written
    ), stated AS (
        INSERT INTO sync_entities (space, entity, entity_id, version, seq, deleted, data)
        SELECT space, entity, entity_id, version, seq, deleted, data FROM written
        ON CONFLICT (space, entity, entity_id) DO UPDATE
        SET version = excluded.version, seq = excluded.seq, deleted = excluded.deleted, data = excluded.data
    ), clocked AS (
        UPDATE space_clock SET seq = :the_seq WHERE space = :the_space
    )
    SELECT pg_notify(:channel, p)
    FROM jsonb_array_elements_text(CAST(:payloads AS jsonb)) WITH ORDINALITY AS t(p, n) ORDER BY n
    """
)


def _poke(session: Session, space: str, seq: int) -> None:
    """Tell waiting devices after the commit; the centre owning the space routes the event."""
    kind, _, ident = space.partition(":")
    centre_id = ident
    if kind == "device":
        centre_id = str(_sql(session).scalar(select(Device.centre_id).where(Device.id == ident)))
    publish_after_commit(session, centre_id, "space.advanced", {"space": space, "seq": seq})
