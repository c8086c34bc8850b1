"""``counterapp-server import FILE``: a counter's outbox brought on a USB stick (``counterapp outbox
export``), verified by its signature and fed through the same idempotent push as the network would: ops
the server already has give their stored results, the rest are applied in order. Works for a revoked
device too (IT takes the PC away and then imports what it held)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from counterapp.domain.duedate import VIETNAM_TZ
from counterapp.protocol.export_file import InvalidExport, verified_body
from counterapp.protocol.messages import MAX_PUSH_OPS, Op, PushRequest
from counterapp.server.models.auth import Device
from counterapp.server.services import push as push_service


@dataclass(frozen=True)
class ImportReport:
    device_id: str
    counts: dict[str, int]
    last_client_seq: int


def _key_of(sessions: sessionmaker[Session]) -> Any:
    def key(device_id: str) -> str | None:
        with sessions() as session:
            device = session.get(Device, device_id)
            return device.secret_hash if device is not None else None

    return key


def _aware(text: str) -> str:
    """Export times are the counter's naive local time: attach Vietnam's offset."""
    moment = datetime.fromisoformat(text)
    return (moment if moment.tzinfo else moment.replace(tzinfo=VIETNAM_TZ)).isoformat()


def import_file(sessions: sessionmaker[Session], path: Path, *, now: datetime | None = None) -> ImportReport:
    """Apply the export at ``path``; ``InvalidExport`` if it is not a genuine, unaltered export."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidExport(f"cannot read {path.name}: {type(exc).__name__}") from None
    body = verified_body(document, _key_of(sessions))
    device_id: str = body["device_id"]
    ops = [
        Op.model_validate(op | {"wall_time": _aware(op["wall_time"]), "corrected_time": _aware(op["corrected_time"])})
        for op in body["ops"]
    ]
    counts: dict[str, int] = {}
    last = 0
    for start in range(0, len(ops), MAX_PUSH_OPS):
        batch = ops[start : start + MAX_PUSH_OPS]
        with sessions.begin() as session:
            device = session.get_one(Device, device_id)
            result = push_service.push(
                session, device, PushRequest(client_id=device_id, ops=batch), now or datetime.now(UTC)
            )
        for item in result.results:
            counts[item.status] = counts.get(item.status, 0) + 1
        last = result.last_client_seq
    return ImportReport(device_id, counts, last)
