"""The unsent ops of a counter, written to a file signed with the counter's own key for
``counterapp-server import`` (``counterapp.protocol.export_file``): for a counter that cannot reach the server
before its PC is taken away, and for re-enrolling a PC whose work could not be pushed (``sync.reenroll``).
``counterapp outbox export`` and the window share this. The file holds personal data: keep it like the
paper register. Written atomically, readable by its owner only (0600 on POSIX)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from counterapp.protocol.export_file import signed
from counterapp.services.clock import legal_now
from counterapp.store.database import Store
from counterapp.store.outbox import device_meta
from counterapp.store.sync_models import OutboxRow
from counterapp.sync.enrollment import load_credential, signing_key_of

__all__ = ["Exported", "export_pending"]


@dataclass(frozen=True, slots=True)
class Exported:
    path: Path
    op_ids: frozenset[str]

    @property
    def count(self) -> int:
        return len(self.op_ids)


def export_pending(store: Store, data_dir: Path, path: Path) -> Exported:
    """Write every pending op of ``store`` to ``path``. ``NoSigningKey`` (before anything is written) for a
    counter enrolled before device keys that has not synced since."""
    credential = load_credential(data_dir)
    signing_key = signing_key_of(credential)  # before anything is written: no key, no file
    with store.read() as session:
        meta = device_meta(session)
        now = legal_now(meta.clock_offset_ms).replace(microsecond=0)
        rows = session.scalars(select(OutboxRow).where(OutboxRow.status == "pending").order_by(OutboxRow.client_seq))
        ops = [
            {"op_id": r.op_id, "client_seq": r.client_seq, "kind": r.kind, "v": r.v, "payload": r.payload,
             "user_id": r.user_id, "wall_time": r.wall_time.isoformat(), "corrected_time": r.corrected_time.isoformat(),
             "epoch": r.epoch}
            for r in rows
        ]  # fmt: skip
        body = {"device_id": credential.device_id, "agency_code": meta.agency_code, "counter": meta.counter_number,
                "exported_at": now.isoformat(), "ops": ops}  # fmt: skip
    document = signed(body, signing_key)
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(document, handle, ensure_ascii=False)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    return Exported(path, frozenset(str(op["op_id"]) for op in ops))
