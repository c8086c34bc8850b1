"""End to end, with a real ``counterapp-server`` process and the counter's real sync engine: an outbox that
holds poisoned ops (a NUL typed into a pause reason, a clock gone back to year 1, a lone surrogate in a
payload key, an op of a kind this server does not know) keeps syncing the ops around them (issue 15,
point 2). Before the fix the first such batch was a 500 on every try, and nothing behind it ever left the
counter; now each poisoned op is answered "rejected" with the server's reason, marked so in the outbox
(final: it is never sent again), and comes back to the counter as a conflict it can show."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select

from counterapp.protocol import ops
from counterapp.protocol.client import ServerClient
from counterapp.protocol.ops import OpKind
from counterapp.server.models.sync import OpLogEntry, RecordRow
from counterapp.store.outbox import enqueue
from counterapp.store.sync_models import OutboxRow, SyncConflictRow
from counterapp.sync.engine import SyncEngine, status
from tests.liveserver import CLERK, Counter, LiveServer
from tests.server.hostile import printed


def write(counter: Counter, kind: OpKind, payload: dict[str, Any], **row: Any) -> int:
    """An op straight into the outbox, as a buggy release or a clock gone mad would have left it."""
    with counter.workspace.writing() as (session, now):
        written = enqueue(session, kind, payload, now=now, user_id=CLERK)
        for key, value in row.items():
            setattr(written, key, value)
        return written.client_seq


def test_a_counter_whose_outbox_holds_poisoned_ops_keeps_syncing_the_rest(
    live_server: LiveServer, counter: Counter, client_of: Callable[[Counter], ServerClient]
) -> None:
    # GIVEN an outbox of 40 printed receipts with four poisoned ops among them
    engine = SyncEngine(counter.workspace.store, client_of(counter), centre_id=counter.credential.centre_id)
    poisoned = {}
    for n in range(40):
        write(counter, ops.RECEIPT_PRINTED, printed(f"A{n:03d}"))
        if n == 5:
            pause = {"counter": "1", "reason": "Nghỉ\x00trưa", "at": datetime.now().replace(microsecond=0).isoformat()}
            poisoned[write(counter, ops.COUNTER_PAUSE, pause)] = "a NUL character"
        if n == 12:
            seq = write(counter, ops.RECEIPT_PRINTED, printed("B001"), corrected_time=datetime(1, 1, 1))
            poisoned[seq] = "corrected_time: a time from 2000 to 2099"
        if n == 20:
            poisoned[write(counter, ops.RECEIPT_PRINTED, printed("B002") | {"k\ud800": 1})] = "lone surrogate"
        if n == 30:
            poisoned[write(counter, OpKind("ticket.teleport", 1, fact=True), {"to": "moon"})] = "unknown op kind"
    # WHEN the engine pushes (in batches of 16, so the poison sits in several batches) and pulls
    engine.batch = 16
    engine.hello()
    report = engine.push_all()
    engine.pull_all()
    # THEN everything was sent once: 40 applied, the 4 poisoned ones rejected with the server's reason
    assert (report.pushed, report.rejected) == (44, 4)
    with counter.workspace.reading() as (session, _now):
        rows = {row.client_seq: row for row in session.scalars(select(OutboxRow))}
        assert {seq for seq, row in rows.items() if row.status == "rejected"} == set(poisoned)
        assert {row.status for seq, row in rows.items() if seq not in poisoned} == {"applied"}
        for seq, why in poisoned.items():
            reason = rows[seq].result["reason"] if rows[seq].result else ""
            assert reason.startswith("quarantined: ") and why in reason, reason
        # AND the counter was told of each as a conflict it can show
        conflicts = session.scalars(select(SyncConflictRow)).all()
        assert {c.op_id for c in conflicts} == {rows[seq].op_id for seq in poisoned}
    assert status(counter.workspace.store).pending_ops == 0
    with live_server.sessions() as session:
        assert session.scalar(select(OpLogEntry.client_seq).order_by(OpLogEntry.client_seq.desc()).limit(1)) == 44
        assert len(session.scalars(select(RecordRow)).all()) == 40
    # AND what the clerk does next is pushed as usual: the poisoned ops are never sent again
    write(counter, ops.RECEIPT_PRINTED, printed("C001"))
    again = engine.push_all()
    assert (again.pushed, again.rejected) == (1, 0)
