"""``push`` (SYNC.md §4 "Idempotency"): a device's outbox batch applied exactly once, in order.

In one transaction, with the device row locked (two pushes of one device never interleave), for each op
in ``client_seq`` order:

1. at or below the device's watermark: the stored result is returned again (a retried batch, or one whose
   response was lost after the commit) — unless the op id differs, which means the counter's database was
   restored from an older copy: ``ClientRegressed`` (409), nothing is applied;
2. beyond ``watermark + 1``: a gap — ``Gap`` (409 ``expected_seq``) if it is the batch's first new op,
   otherwise the batch stops there and the counter re-sends from the gap;
3. otherwise the op is read on its own (``quarantine.check``: every field checked; the envelope checked
   only ``op_id`` and ``client_seq``) and decoded (upcast from older versions), authorised against its
   user's role at the op's time, and applied. An op that cannot be read or decoded is quarantined; a
   domain refusal (a lost claim, no such ticket) is ``rejected``; the watermark advances either way.

The batch is first applied in one go; if anything fails, it is rolled back and applied again op by op
(:func:`_isolated`): each op — look-ups, effects, its op-log and conflict rows — in a SAVEPOINT of its own,
so an op whose application fails for any reason but an unavailable database is quarantined alone and
the others are applied (``counterapp.server.services.quarantine``). Only a transient failure (lost
connection, deadlock; ``quarantine.transient``) aborts the whole batch with nothing advanced, and the
counter simply retries.

Each result carries ``server_seq``: the change-feed seq at which the op's effect is visible in its space
(the counter keeps its pending row until its cursor reaches it). The caller commits.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from counterapp.domain.errors import DomainError
from counterapp.protocol import ops
from counterapp.protocol.messages import CheckedOp, Op, OpResult, PushRequest
from counterapp.protocol.payloads import Payload, UndecodableOp, decode_payload
from counterapp.server import feed
from counterapp.server.jsontext import json_text
from counterapp.server.models.auth import Device, User
from counterapp.server.models.org import Centre, Counter
from counterapp.server.models.queue import Ticket
from counterapp.server.models.sync import Conflict, Dossier, OpLogEntry, SyncEntity
from counterapp.server.services import quarantine
from counterapp.server.services.apply import (
    ACTIONS,
    APPLIERS,
    Context,
    Outcome,
    Prefetched,
    prefetch,
    prefetch_issues,
)
from counterapp.server.services.authorise import Authoriser
from counterapp.server.services.bulk import NewDossiers, among, insert_rows
from counterapp.server.services.common import require_aware
from counterapp.server.services.op_trust import OpTrust
from counterapp.server.services.quarantine import QUARANTINED, Poisoned
from counterapp.server.services.sync import ClientMismatch

log = logging.getLogger(__name__)


class Gap(DomainError):
    code = "sync.gap"

    def __init__(self, expected_seq: int) -> None:
        super().__init__(f"the batch must start at client_seq {expected_seq}", expected_seq=expected_seq)
        self.expected_seq = expected_seq


class ClientRegressed(DomainError):
    code = "sync.client_regressed"

    def __init__(self, last_client_seq: int) -> None:
        super().__init__(
            "a client_seq the server already holds came with another op: this counter's database is older "
            "than what it already sent; enroll it again and re-send its pending ops",
            last_client_seq=last_client_seq,
        )
        self.last_client_seq = last_client_seq


@dataclass(frozen=True, slots=True)
class PushResult:
    last_client_seq: int
    results: list[OpResult]


def _result(client_seq: int, op_id: str, status: str, server_seq: int | None, reason: str | None) -> OpResult:
    """The answer for an op_log row (quarantined ops are answered ``rejected``)."""
    shown = "rejected" if status == QUARANTINED else status
    return OpResult(
        client_seq=client_seq,
        op_id=op_id,
        status=shown,  # type: ignore[arg-type]
        server_seq=server_seq,
        reason=reason if shown in ("rejected", "conflict") else None,
    )


def _stored(entry: OpLogEntry, status: str | None = None) -> OpResult:
    return _result(entry.client_seq, entry.op_id, status or entry.status, entry.server_seq, entry.reason)


class _Users:
    """The user id for what a counter sent (its username, or an id), looked up once per batch."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._ids: dict[str, str] = {}

    def id_of(self, user_ref: str | None) -> str:
        if not user_ref:
            return ""
        if user_ref not in self._ids:
            found = self.session.scalar(select(User.id).where(or_(User.username == user_ref, User.id == user_ref)))
            self._ids[user_ref] = found or ""
        return self._ids[user_ref]


@dataclass
class _Batch:
    """What every op of one push shares."""

    session: Session
    device: Device
    centre: Centre
    counter: Counter | None
    now: datetime
    users: _Users
    authoriser: Authoriser
    prefetched: Prefetched
    created: NewDossiers
    trust: OpTrust
    safe: bool  # one SAVEPOINT and flush per op (the fallback after an IntegrityError in fast mode)


@dataclass(frozen=True, slots=True)
class _Read:
    """An op whose fields passed their types and whose payload its kind's model read."""

    op: CheckedOp
    payload: Payload


def _read(op: Op) -> _Read | Poisoned:
    """``op`` read on its own: checked, then decoded (upcast from older versions); or why it is quarantined.
    Nothing of the batch touches the database before its ops are read: a payload no model vouched for
    never reaches a query (``prefetch`` reads only the read ones)."""
    checked = quarantine.check(op)
    if isinstance(checked, Poisoned):
        return checked
    try:
        return _Read(checked, decode_payload(checked.kind, checked.v, checked.payload))
    except UndecodableOp as exc:
        why = quarantine.unstorable(checked) or exc.reason  # a NUL or a surrogate said as such
        return Poisoned(quarantine.UNDECODABLE, quarantine.quarantine_reason(why), checked)
    except Exception as exc:  # a payload check that broke rather than refused (a bug): still only this op
        why = f"{checked.kind}@{checked.v}: the payload could not be read ({type(exc).__name__})"
        return Poisoned(quarantine.UNDECODABLE, quarantine.quarantine_reason(why), checked)


def _apply(batch: _Batch, sent: Op, item: _Read | Poisoned) -> Outcome:
    if isinstance(item, Poisoned):  # the conflict row is about the op itself
        return Outcome(QUARANTINED, item.code, item.reason, entity=("op", sent.op_id))
    session, device, centre, counter, now = batch.session, batch.device, batch.centre, batch.counter, batch.now
    op, payload = item.op, item.payload
    try:
        user = batch.authoriser.check(batch.users.id_of(op.user_id), ACTIONS[op.kind], op.corrected_time)
    except DomainError as exc:
        return Outcome("rejected", exc.code, f"not authorised: {exc}"[:500])
    doubt = batch.trust.check(user, op.corrected_time)
    if doubt is not None:  # kept and shown to the lead, never applied on the device's word alone
        return Outcome(QUARANTINED, doubt.code, doubt.reason[:500], entity=("op", op.op_id))
    ctx = Context(session, device, centre, counter, user, op.op_id, op.epoch, now, batch.prefetched, batch.created)
    if not batch.safe:
        # Fast mode: appliers refuse (DomainError, lost claims) before they write anything, so no SAVEPOINT
        # is needed; any other failure (from a flush, whichever op it belongs to) makes ``push`` roll the
        # whole batch back and apply it again in safe mode. New dossiers wait to be inserted together until
        # an op of another kind, which might read them.
        if op.kind != ops.DOSSIER_CREATE.name:
            batch.created.write(session)
        try:
            return APPLIERS[op.kind](ctx, payload)
        except DomainError as exc:
            return Outcome("rejected", exc.code, str(exc)[:500])
    savepoint = session.begin_nested()  # within the op's own (``_isolated``): a lost claim changes nothing
    try:
        outcome = APPLIERS[op.kind](ctx, payload)
        batch.created.write(session)
        session.flush()
    except DomainError as exc:  # permanent: this op can never apply as sent
        savepoint.rollback()
        return Outcome("rejected", exc.code, str(exc)[:500])
    except BaseException:
        savepoint.rollback()
        raise  # ``_isolated`` quarantines it (or, the database gone, the push fails)
    if outcome.status == "rejected":
        savepoint.rollback()
    else:
        savepoint.commit()
    return outcome


def _with_ticket(session: Session, entry: OpLogEntry, result: OpResult) -> OpResult:
    """A stored answer to a refused ticket op (or a refused dossier void), sent again, carries the server's
    ticket (dossier) as it is now, so a counter whose first answer was lost can still put its cache right."""
    payload = entry.payload if isinstance(entry.payload, dict) else {}
    if result.status not in ("rejected", "conflict"):
        return result
    if entry.kind == ops.DOSSIER_VOID.name and payload.get("dossier_id"):
        dossier = session.get(Dossier, str(payload["dossier_id"]))
        current = feed.dossier_data(session, dossier.id) if dossier and dossier.centre_id == entry.centre_id else None
    elif entry.kind.startswith("ticket.") and payload.get("ticket_id"):
        current = feed.ticket_data(session, str(payload["ticket_id"]))
    else:
        return result
    return result if current is None else result.model_copy(update={"canonical": current})


def _conflict(session: Session, device: Device, centre: Centre, op: Op, outcome: Outcome, now: datetime) -> None:
    """Keep what the server could not apply as the counter did it, for the counter and the lead (a
    quarantined op too: its entity is the op itself)."""
    if outcome.entity is None or outcome.code is None:
        return
    entity, entity_id = outcome.entity
    session.add(
        Conflict(
            id=op.op_id,  # one conflict per op
            centre_id=centre.id,
            device_id=device.id,
            op_id=op.op_id,
            kind=quarantine.kind_of(op),
            entity=entity,
            entity_id=entity_id,
            code=outcome.code,
            reason=outcome.reason or outcome.code,
            data=outcome.losing,
            created_at=now,
        )
    )
    if entity == "ticket":  # the counter that holds the ticket sees the conflict too (SYNC.md §2 (a))
        holder = session.scalar(select(Ticket.counter_id).where(Ticket.id == entity_id))
        if holder is not None and holder != device.counter_id:
            others = session.scalars(
                select(Device.id).where(
                    Device.counter_id == holder, Device.revoked_at.is_(None), Device.id != device.id
                )
            )
            for other in others:
                feed.touch(session, feed.device_space(other), "conflict", op.op_id)


def _server_seq(session: Session, refs: Sequence[feed.Key], published: dict[feed.Key, int]) -> int | None:
    """Where the op's effect is visible: the seq this push published for its entities, or, for an entity
    this push did not change (an op already applied), the seq of the entity's latest change."""
    seqs = [
        published.get(ref)
        or session.scalar(
            select(SyncEntity.seq).where(
                SyncEntity.space == ref[0], SyncEntity.entity == ref[1], SyncEntity.entity_id == ref[2]
            )
        )
        for ref in refs
    ]
    known = [seq for seq in seqs if seq is not None]
    return max(known) if known else None


def push(session: Session, device: Device, request: PushRequest, now: datetime) -> PushResult:
    """Apply ``request`` for ``device`` (see the module docstring); the caller commits. The batch is first
    applied in one go (every INSERT of the batch in one flush: a round trip per statement kind, not per op);
    if anything fails but the database itself, everything is rolled back and the batch applied op by op,
    each in its own SAVEPOINT, so the one op at fault is quarantined and the others applied."""
    try:
        return _push(session, device, request, now, safe=False)
    except DomainError:
        raise  # the protocol's own answers: a gap, a regressed client, another device's batch
    except Exception as exc:
        if quarantine.transient(exc):
            raise  # the database is unavailable: nothing applied, the counter retries (503)
        session.rollback()
        feed.forget(session)
        log.info("push of device %s: the batch failed (%s); applying it op by op", device.id, type(exc).__name__)
        return _push(session, device, request, now, safe=True)


def _row(batch: _Batch, op: Op, item: _Read | Poisoned, outcome: Outcome) -> dict[str, Any]:
    """The op's ``op_log`` row (``server_seq`` filled in after publishing). A read op's payload was vouched
    for by its model and is stored as sent; a quarantined op's columns are made storable first."""
    if isinstance(item, _Read) and ops.ALL[item.op.kind].version == item.op.v:
        checked = item.op
        columns: dict[str, Any] = {
            "kind": checked.kind,
            "v": checked.v,
            "payload_json": json_text(checked.payload),
            "user_id": checked.user_id,
            "wall_time": checked.wall_time,
            "corrected_time": checked.corrected_time,
            "hlc": checked.hlc,
            "epoch": checked.epoch,
        }
    else:  # quarantined, or read through an upcaster (the payload stored is the older one, not vouched for)
        columns = quarantine.columns(op, item.op if isinstance(item, _Read) else item.checked, batch.now)
    return {
        "op_id": op.op_id,
        "device_id": batch.device.id,
        "centre_id": batch.centre.id,
        "client_seq": op.client_seq,
        **columns,
        "status": outcome.status,
        "server_seq": None,
        "reason": outcome.reason,
        "received_at": batch.now,
    }


def _record(batch: _Batch, op: Op, row: dict[str, Any], outcome: Outcome) -> None:
    """Safe mode: the op's log and conflict rows, written now (within its SAVEPOINT)."""
    insert_rows(batch.session, OpLogEntry, "payload", [row])
    _conflict(batch.session, batch.device, batch.centre, op, outcome, batch.now)
    batch.session.flush()


def _isolated(batch: _Batch, op: Op, item: _Read | Poisoned) -> tuple[dict[str, Any], Outcome]:
    """Safe mode: everything the op does — its user's look-up, its effects, its log and conflict rows — in
    one SAVEPOINT. If any of it fails for another reason than the database being unavailable, the op is
    quarantined alone (its log row made storable from what was sent) and the batch goes on."""
    session = batch.session
    savepoint = session.begin_nested()
    try:
        outcome = _apply(batch, op, item)
        row = _row(batch, op, item, outcome)
        _record(batch, op, row, outcome)
    except Exception as exc:
        savepoint.rollback()
        if quarantine.transient(exc):
            raise
        log.warning(
            "push of device %s: op %s could not be applied; quarantined:\n%s",
            batch.device.id, op.client_seq, quarantine.frames(exc),
        )  # fmt: skip
        checked = item.op if isinstance(item, _Read) else item.checked
        why = quarantine.failure(exc, checked)
        outcome = Outcome(QUARANTINED, why.code, why.reason, entity=("op", op.op_id))
        return _quarantined(batch, op, why, outcome), outcome
    savepoint.commit()
    return row, outcome


def _quarantined(batch: _Batch, op: Op, why: Poisoned, outcome: Outcome) -> dict[str, Any]:
    """Write the quarantine row of an op whose application failed: with its checked columns (its payload
    kept as sent), or, should even those be refused, with every column salvaged from what was sent."""
    for checked in [why.checked, None] if why.checked is not None else [None]:
        row = _row(batch, op, Poisoned(why.code, why.reason, checked), outcome)
        try:
            with batch.session.begin_nested():
                _record(batch, op, row, outcome)
        except Exception as exc:
            if quarantine.transient(exc) or checked is None:
                raise
            continue
        return row
    raise AssertionError("unreachable: the last attempt returns or raises")  # pragma: no cover


def _push(session: Session, device: Device, request: PushRequest, now: datetime, *, safe: bool) -> PushResult:
    at = require_aware(now)
    if request.client_id != device.id:
        raise ClientMismatch("the push's client_id is not the authenticated device")
    session.refresh(device, with_for_update=True)
    centre = session.get_one(Centre, device.centre_id)
    counter = session.get(Counter, device.counter_id) if device.counter_id else None
    watermark = device.last_client_seq
    fresh = [op for op in request.ops if op.client_seq > watermark]
    read = {op.client_seq: _read(op) for op in fresh}
    readable = [item.op for item in read.values() if isinstance(item, _Read)]
    known = prefetch(session, readable)
    if not safe:
        prefetch_issues(session, readable, centre.id, known)
    batch = _Batch(session, device, centre, counter, at, _Users(session), Authoriser(session, device),
                   known, NewDossiers(), OpTrust.for_push(session, device, at), safe)  # fmt: skip
    # one query for the whole batch: which of its op ids the server already holds (under another seq)
    ids = [op.op_id for op in fresh]
    seen = set(session.scalars(select(OpLogEntry.op_id).where(among(session, OpLogEntry.op_id, ids)))) if ids else set()
    results: list[OpResult | None] = []
    applied: list[tuple[int, dict[str, Any], Outcome]] = []  # op_log rows, inserted in one statement at the end
    for op in request.ops:
        if op.client_seq <= watermark:
            entry = session.scalars(
                select(OpLogEntry).where(OpLogEntry.device_id == device.id, OpLogEntry.client_seq == op.client_seq)
            ).one_or_none()
            if entry is not None and entry.op_id != op.op_id:
                raise ClientRegressed(watermark)
            twin = entry or session.get(OpLogEntry, op.op_id)
            if twin is None:
                raise ClientRegressed(watermark)
            results.append(_with_ticket(session, twin, _stored(twin, None if entry is not None else "duplicate")))
            continue
        if op.client_seq != watermark + 1:
            if not results:
                raise Gap(watermark + 1)
            break
        watermark = op.client_seq
        twin = session.get(OpLogEntry, op.op_id) if op.op_id in seen else None
        if twin is not None:  # sent before under another seq (a counter enrolled again re-sends its ops)
            results.append(
                OpResult(client_seq=op.client_seq, op_id=op.op_id, status="duplicate", server_seq=twin.server_seq)
            )
            continue
        if safe:
            row, outcome = _isolated(batch, op, read[op.client_seq])
        else:
            outcome = _apply(batch, op, read[op.client_seq])
            row = _row(batch, op, read[op.client_seq], outcome)
            if outcome.status != "applied":
                _conflict(session, device, centre, op, outcome, at)
        applied.append((len(results), row, outcome))
        results.append(None)
    device.last_client_seq = watermark
    batch.created.write(session)
    published = feed.publish(session)
    for index, row, outcome in applied:
        row["server_seq"] = _server_seq(session, outcome.entities, published)
        result = _result(row["client_seq"], row["op_id"], row["status"], row["server_seq"], row["reason"])
        if outcome.canonical is not None:
            result = result.model_copy(update={"canonical": outcome.canonical})
        results[index] = result
    if not safe:
        insert_rows(session, OpLogEntry, "payload", [row for _index, row, _outcome in applied])
    else:  # the rows are written; only the seqs publishing gave them are new
        seqs = [
            {"op_id": row["op_id"], "server_seq": row["server_seq"]} for _i, row, _o in applied if row["server_seq"]
        ]
        if seqs:
            session.execute(update(OpLogEntry), seqs)
    session.flush()
    return PushResult(watermark, [r for r in results if r is not None])
