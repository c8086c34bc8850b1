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
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from counterapp.domain.errors import DomainError
from counterapp.server import feed
from counterapp.server.models.auth import Device
from counterapp.server.models.sync import ChangeRow, SpaceClock, SyncEntity
from counterapp.server.services.sync import ClientMismatch
from counterapp.sync.protocol import (
    CITY,
    MAX_PULL_LIMIT,
    Change,
    PullRequest,
    PullResponse,
    decode_cursor,
    encode_cursor,
    parse_space,
)


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


def pull(session: Session, device: Device, request: PullRequest) -> PullResponse:
    if request.client_id != device.id:
        raise ClientMismatch("the pull's client_id is not the authenticated device")
    spaces = sorted(request.cursors, key=lambda s: (_ORDER[parse_space(s).kind], s))
    check_spaces(device, spaces)
    known = heads(session, spaces)
    remaining = request.limit
    changes: list[Change] = []
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
            cursors[space] = encode_cursor(page[-1].seq)
    return PullResponse(changes=changes, cursors=cursors, has_more=has_more, reset_required=reset)


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
