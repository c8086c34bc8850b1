"""Writing ops to the outbox, always inside the caller's transaction.

The device sequence is taken by incrementing ``device_meta.last_client_seq`` in the same transaction
as the op and the state change, under SQLite's single write lock: a rolled-back change takes its
sequence number with it, so the sequence has no gaps and no op exists without its state.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from uuid6 import uuid7

from counterapp.protocol.ops import OpKind
from counterapp.store.errors import DeviceNotInitialised
from counterapp.store.sync_models import DeviceMetaRow, OutboxRow


def device_meta(session: Session) -> DeviceMetaRow:
    meta = session.get(DeviceMetaRow, 1)
    if meta is None:
        raise DeviceNotInitialised("this data directory is not initialised; run 'counterapp init'")
    return meta


def new_id() -> str:
    """A time-ordered UUIDv7 (RFC 9562) as text: ids made on different devices never collide."""
    return str(uuid7())


def enqueue(
    session: Session,
    kind: OpKind,
    payload: Mapping[str, Any],
    *,
    now: datetime,
    user_id: str | None,
    epoch: int = 0,
) -> OutboxRow:
    """Append an op. ``now`` is the corrected (legal) time; the device's own clock is derived from it."""
    meta = device_meta(session)
    meta.last_client_seq += 1
    row = OutboxRow(
        client_seq=meta.last_client_seq,
        op_id=new_id(),
        kind=kind.name,
        v=kind.version,
        payload=dict(payload),
        user_id=user_id,
        wall_time=now - timedelta(milliseconds=meta.clock_offset_ms),
        corrected_time=now,
        epoch=epoch,
        status="pending",
    )
    session.add(row)
    return row


_ADD_OP = insert(cast(Table, OutboxRow.__table__))  # built once: its compiled form is cached at the first op


def append(
    session: Session,
    kind: OpKind,
    payload: Mapping[str, Any],
    *,
    seq: int,
    now: datetime,
    clock_offset_ms: int,
    user_id: str | None,
    epoch: int = 0,
) -> str:
    """Append an op with one Core statement and return its id. The caller read ``last_client_seq`` in this
    (write) transaction and writes ``seq`` back to ``device_meta`` in it: :func:`enqueue`'s rule, for the
    hot paths that do not load the device row as an ORM object."""
    op_id = new_id()
    session.connection().execute(
        _ADD_OP,
        {
            "client_seq": seq,
            "op_id": op_id,
            "kind": kind.name,
            "v": kind.version,
            "payload": dict(payload),
            "user_id": user_id,
            "wall_time": now - timedelta(milliseconds=clock_offset_ms),
            "corrected_time": now,
            "epoch": epoch,
            "status": "pending",
        },
    )
    return op_id


_META = cast(Table, DeviceMetaRow.__table__)
_SET_SEQUENCE = update(_META).where(_META.c.id == 1).values(last_client_seq=bindparam("seq"))


def append_next(
    session: Session,
    meta: DeviceMetaRow,
    kind: OpKind,
    payload: Mapping[str, Any],
    *,
    now: datetime,
    user_id: str | None,
    epoch: int = 0,
) -> str:
    """:func:`enqueue` in two Core statements for a hot path that holds the device row (loaded in this
    transaction, no pending change): the next sequence number, the op, and the row kept true."""
    seq = meta.last_client_seq + 1
    op_id = append(session, kind, payload, seq=seq, now=now, clock_offset_ms=meta.clock_offset_ms,
                   user_id=user_id, epoch=epoch)  # fmt: skip
    session.connection().execute(_SET_SEQUENCE, {"seq": seq})
    set_committed_value(meta, "last_client_seq", seq)
    return op_id


def pending_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(OutboxRow).where(OutboxRow.status == "pending")) or 0
