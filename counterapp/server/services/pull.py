"""``pull``, ``snapshot`` and the heads ``wait`` compares with (SYNC.md §4): reading the change feed.

A device reads only its own spaces: ``centre:<its centre>``, ``city`` and ``device:<itself>``. Pull pages
are gap-free because every space's seq is taken under its clock's row lock (``counterapp.server.feed``): the
committed changes of a space are always a prefix of its seqs. A cursor below the space's ``floor`` (its
changes were pruned) or above its head (the server was restored to an earlier point) cannot continue:
the space is listed in ``reset_required`` and the device re-reads it from a snapshot.

Pull is *compacted*: a change superseded by a later committed change of the same entity is skipped (the
later one is past the cursor, so it is read in its turn); a counter back from a day offline reads each
ticket and dossier once, at its latest version. The head of a space is always a latest change, so cursors
still reach it.

A snapshot is paged by (entity, id) and bounded by ``as_of``: an entity changed after ``as_of`` is left
out of the later pages and arrives instead by the pull from ``as_of``, so paging across transactions
never loses or mixes a version.
"""

from __future__ import annotations

import base64
import json
import json.encoder
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Integer, Select, String, Text, bindparam, cast, select, true, tuple_
from sqlalchemy.orm import Session

from counterapp.domain.errors import DomainError
from counterapp.protocol.messages import (
    CITY,
    MAX_PULL_LIMIT,
    Change,
    PullRequest,
    PullResponse,
    decode_cursor,
    encode_cursor,
    parse_space,
)
from counterapp.server import feed
from counterapp.server.models.auth import Device
from counterapp.server.models.sync import ChangeRow, SpaceClock, SyncEntity
from counterapp.server.services.sync import ClientMismatch


class SpaceForbidden(DomainError):
    code = "sync.space_forbidden"


class InvalidPageToken(DomainError):
    code = "sync.page_invalid"


_ORDER = {"city": 0, "centre": 1, "device": 2}  # pull catalogues, then the centre, then the device's own


def spaces_of(device: Device) -> set[str]:
    return {str(CITY), feed.centre_space(device.centre_id), feed.device_space(device.id)}


def check_spaces(device: Device, spaces: list[str]) -> None:
    allowed = spaces_of(device)
    for space in spaces:
        if space not in allowed:
            raise SpaceForbidden(f"this device may not read {parse_space(space).kind} spaces other than its own")


def heads(session: Session, spaces: list[str]) -> dict[str, tuple[int, int]]:
    """``space -> (seq, floor)``; a space that never changed is at ``(0, 0)``."""
    rows = session.execute(
        select(SpaceClock.space, SpaceClock.seq, SpaceClock.floor).where(SpaceClock.space.in_(spaces))
    )
    found = {space: (seq, floor) for space, seq, floor in rows}
    return {space: found.get(space, (0, 0)) for space in spaces}


# One change as read for a page: (space, seq, entity, id, op, version, data as JSON text or None).
ChangeText = tuple[str, int, str, str, str, int, str | None]


@dataclass(frozen=True, slots=True)
class PullPage:
    """A pull's answer with each change's data left as the JSON text the database holds: decoding ~1.3 kB
    of dossier JSON per change and re-encoding it was most of a 500-change page's cost."""

    changes: list[ChangeText]
    cursors: dict[str, str]
    has_more: bool
    reset_required: list[str]


@cache
def _page_query(postgresql: bool) -> Select[Any]:
    """The latest changes of space ``:space`` after seq ``:after``, oldest first, at most ``:limit``: the
    compacted feed. Built once per dialect (building and keying a new statement per page cost ~2 ms).

    Driven by ``sync_entities`` (one row per entity, at its latest seq) through ``ix_sync_entities_space_seq``
    so a page costs ``limit`` index entries, not every change after the cursor (the former plan joined and
    sorted all of them). Every entity row has its change at the same seq (``feed.publish`` writes both in
    one transaction, and a pull reads only above ``floor``), so this is exactly the set of changes not
    superseded. On PostgreSQL the change row is fetched by a ``LATERAL … LIMIT 1`` on its primary key, which
    keeps the planner from hashing the whole ``changes`` table when it misjudges the 4-column join."""
    ents = SyncEntity.__table__.c
    chg = ChangeRow.__table__.c
    latest = (
        select(ents.space, ents.seq, ents.entity, ents.entity_id)
        .where(ents.space == bindparam("space", type_=String), ents.seq > bindparam("after", type_=Integer))
        .order_by(ents.seq)
        .limit(bindparam("limit", type_=Integer))
        .subquery("latest")
    )
    same = (
        (chg.space == latest.c.space)
        & (chg.seq == latest.c.seq)
        & (chg.entity == latest.c.entity)
        & (chg.entity_id == latest.c.entity_id)
    )
    # jsonb/JSON as text: the response embeds it as is instead of json.loads + re-serialising.
    columns = (chg.op, chg.version, cast(chg.data, Text).label("data"))
    if postgresql:
        change = select(*columns).where(same).limit(1).lateral("change")
        joined = latest.join(change, true())
        op, version, data = change.c.op, change.c.version, change.c.data
    else:  # SQLite has no LATERAL; its nested loop probes the primary key anyway
        joined = latest.join(ChangeRow.__table__, same)
        op, version, data = columns
    return (
        select(latest.c.space, latest.c.seq, latest.c.entity, latest.c.entity_id, op, version, data)
        .select_from(joined)
        .order_by(latest.c.seq)
    )


def read_page(session: Session, device: Device, request: PullRequest) -> PullPage:
    """The changes of each requested space after its cursor, at most ``request.limit`` in all."""
    if request.client_id != device.id:
        raise ClientMismatch("the pull's client_id is not the authenticated device")
    spaces = sorted(request.cursors, key=lambda s: (_ORDER[parse_space(s).kind], s))
    check_spaces(device, spaces)
    known = heads(session, spaces)
    remaining = request.limit
    changes: list[ChangeText] = []
    cursors: dict[str, str] = {}
    reset: list[str] = []
    has_more = False
    for space in spaces:
        cursor = request.cursors[space]
        after = decode_cursor(cursor)
        head, floor = known[space]
        cursors[space] = cursor
        if after < floor or after > head:
            reset.append(space)
            continue
        if after == head:
            continue
        if remaining == 0:
            has_more = True
            continue
        query = _page_query(session.get_bind().dialect.name == "postgresql")
        rows: Sequence[ChangeText] = session.execute(
            query, {"space": space, "after": after, "limit": remaining + 1}
        ).all()
        page = rows[:remaining]
        has_more = has_more or len(rows) > remaining
        remaining -= len(page)
        changes.extend(page)
        if page:
            cursors[space] = encode_cursor(page[-1][1])
    return PullPage(changes, cursors, has_more, reset)


def pull(session: Session, device: Device, request: PullRequest) -> PullResponse:
    """:func:`read_page` as the protocol's model (for callers in Python; the route sends :func:`pull_json`)."""
    page = read_page(session, device, request)
    changes = [
        Change(space=space, seq=seq, entity=entity, id=entity_id, op=op, version=version,  # type: ignore[arg-type]
               data=None if data is None else json.loads(data))
        for space, seq, entity, entity_id, op, version, data in page.changes
    ]  # fmt: skip
    return PullResponse(
        changes=changes, cursors=page.cursors, has_more=page.has_more, reset_required=page.reset_required
    )


_str = json.encoder.encode_basestring  # C-accelerated; UTF-8 kept as is, like pydantic's dump_json


def pull_json(session: Session, device: Device, request: PullRequest) -> bytes:
    """:func:`read_page` as the JSON body of a ``PullResponse``, keys in the model's order, built by joins
    with each change's data spliced in as the database's text. The values come from the feed, which only
    ``feed.publish`` writes, so they already satisfy ``Change``: validating and re-encoding 500 of them cost
    far more than the query. Pieces are joined as bytes: a str join of mostly Vietnamese (non-Latin-1) text
    builds a 2-byte-per-character string and encodes it again, three times slower."""
    page = read_page(session, device, request)
    parts = [b'{"changes":[']
    add = parts.append
    for space, seq, entity, entity_id, op, version, data in page.changes:
        add(
            f'{{"space":{_str(space)},"seq":{seq},"entity":{_str(entity)},"id":{_str(entity_id)},"op":{_str(op)},'
            f'"version":{version},"data":'.encode()
        )
        add(b"null" if data is None else data.encode())
        add(b"},")
    if page.changes:
        parts[-1] = b"}"
    cursors = ",".join(f"{_str(space)}:{_str(cursor)}" for space, cursor in page.cursors.items())
    reset = ",".join(_str(space) for space in page.reset_required)
    more = "true" if page.has_more else "false"
    parts.append(f'],"cursors":{{{cursors}}},"has_more":{more},"reset_required":[{reset}]}}'.encode())
    return b"".join(parts)


# --- snapshot ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SnapshotPage:
    space: str
    as_of: int
    rows: list[dict[str, Any]]
    next_page: str | None


def _token(entity: str, entity_id: str, as_of: int) -> str:
    raw = json.dumps([as_of, entity, entity_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _untoken(text: str) -> tuple[int, str, str]:
    try:
        as_of, entity, entity_id = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, TypeError) as exc:
        raise InvalidPageToken("not a page token given by this server") from exc
    if not (isinstance(as_of, int) and isinstance(entity, str) and isinstance(entity_id, str)):
        raise InvalidPageToken("not a page token given by this server")
    return as_of, entity, entity_id


def snapshot(
    session: Session, device: Device, space: str, page: str | None, limit: int = MAX_PULL_LIMIT
) -> SnapshotPage:
    """One page of the space's current entities as of the first page's head; ``next_page`` continues it.
    After the last page, the device pulls from ``as_of``."""
    check_spaces(device, [space])
    if page is None:
        as_of, after = heads(session, [space])[space][0], None
    else:
        as_of, entity, entity_id = _untoken(page)
        after = (entity, entity_id)
    query = select(SyncEntity).where(SyncEntity.space == space, SyncEntity.seq <= as_of, SyncEntity.deleted.is_(False))
    if after is not None:
        query = query.where(tuple_(SyncEntity.entity, SyncEntity.entity_id) > after)
    rows = session.scalars(query.order_by(SyncEntity.entity, SyncEntity.entity_id).limit(limit + 1)).all()
    shown = rows[:limit]
    next_page = _token(shown[-1].entity, shown[-1].entity_id, as_of) if len(rows) > limit else None
    data = [{"entity": r.entity, "id": r.entity_id, "version": r.version, "data": r.data} for r in shown]
    return SnapshotPage(space, as_of, data, next_page)
