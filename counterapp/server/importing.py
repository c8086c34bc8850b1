"""``counterapp-server import FILE``: a counter's outbox brought on a USB stick (``counterapp outbox
export``), verified by its signature and fed through the same idempotent push as the network would: ops
the server already has give their stored results, the rest are applied in order.

Checked before anything is applied, each failure one ``InvalidExport`` line naming what is wrong:

* the signature, with the public key the device registered (``counterapp.protocol.device_key``): a device
  with no registered key (enrolled before keys existed and never synced since) cannot be verified;
* the device is not revoked: a revoked device's export is refused unless an admin forces it with a reason,
  which is logged (IT takes a stolen-then-recovered PC's outbox: a deliberate, recorded decision);
* every op is a well-formed op, as the push will read it (``Op.checked``, the shared field types of
  ``counterapp.protocol.fields``): the fields it needs, integers within the 32-bit columns, times that
  convert to UTC; no NUL or lone surrogate in any text or key, payload included (the database would refuse
  them, and the error would blame the database); batches the push accepts. The push itself would only
  quarantine such an op: an import is all or nothing, so a broken file is refused before anything.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from counterapp.domain.duedate import VIETNAM_TZ
from counterapp.protocol.export_file import InvalidExport, device_of, verified_body
from counterapp.protocol.messages import MAX_PUSH_OPS, Op, PushRequest
from counterapp.server.models.auth import Device
from counterapp.server.services import push as push_service

log = logging.getLogger(__name__)

MAX_REASON = 200
_DEVICE_ID = re.compile(r"[0-9A-Za-z-]{1,36}")


class RevokedDeviceExport(InvalidExport):
    """The export is genuine but its device is revoked, and no admin forced the import."""


@dataclass(frozen=True)
class ImportReport:
    device_id: str
    counts: dict[str, int]
    last_client_seq: int
    forced_reason: str | None = field(default=None)  # set when a revoked device's export was forced


def _public_key(sessions: sessionmaker[Session], device_id: str) -> str:
    if not _DEVICE_ID.fullmatch(device_id):
        raise InvalidExport("the export names no valid device id")
    with sessions() as session:
        device = session.get(Device, device_id)
        if device is None:
            raise InvalidExport(f"device {device_id} is not known to this server")
        if device.public_key is None:
            raise InvalidExport(
                f"the server holds no public key for device {device_id} (enrolled before device keys, it has not "
                "synced since): its export cannot be verified; let it sync once, or re-enroll it"
            )
        return device.public_key


def _text_problem(value: Any, where: str) -> str | None:
    """Where ``value`` (at the dotted path ``where``) holds a NUL or a lone surrogate, in a string or a key."""
    if isinstance(value, str):
        if "\x00" in value:
            return f"{where} holds a NUL character"
        if any("\ud800" <= ch <= "\udfff" for ch in value):
            return f"{where} holds a lone surrogate (not text)"
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            problem = _text_problem(key, f"a key of {where or 'the op'}")
            problem = problem or _text_problem(item, f"{where}.{key}" if where else str(key))
            if problem is not None:
                return problem
    elif isinstance(value, list):
        for index, item in enumerate(value):
            problem = _text_problem(item, f"{where}[{index}]")
            if problem is not None:
                return problem
    return None


def _aware(value: Any, name: str) -> str:
    """Export times are the counter's naive local time: attach Vietnam's offset."""
    if not isinstance(value, str):
        raise ValueError(f"{name} is {'missing' if value is None else 'not a time'}")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{name} is not a time") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=VIETNAM_TZ)).isoformat()


def _first_error(exc: ValidationError) -> str:
    """Pydantic's first complaint as ``field: message``, without the input (it may be personal data)."""
    error = exc.errors(include_url=False, include_input=False)[0]
    where = ".".join(str(part) for part in error.get("loc", ())) or "the op"
    return f"{where}: {error.get('msg', 'invalid')}"


def _op(raw: Any, index: int, total: int) -> Op:
    label = f"op {index} of {total}"
    if not isinstance(raw, dict):
        raise InvalidExport(f"{label} is not an object")
    if isinstance(raw.get("client_seq"), int):
        label += f" (client_seq {raw['client_seq']})"
    problem = _text_problem(raw, "")
    if problem is not None:
        raise InvalidExport(f"{label}: {problem}")
    try:
        timed = raw | {name: _aware(raw.get(name), name) for name in ("wall_time", "corrected_time")}
        op = Op.model_validate(timed)
        op.checked()  # every field as the push will read it: 32-bit integers, times within bounds…
    except ValidationError as exc:
        raise InvalidExport(f"{label}: {_first_error(exc)}") from None
    except ValueError as exc:
        raise InvalidExport(f"{label}: {exc}") from None
    return op


def _batches(device_id: str, ops: list[Op]) -> list[PushRequest]:
    batches = []
    for start in range(0, len(ops), MAX_PUSH_OPS):
        chunk = ops[start : start + MAX_PUSH_OPS]
        try:
            batches.append(PushRequest(client_id=device_id, ops=chunk))
        except ValidationError as exc:
            raise InvalidExport(f"ops from client_seq {chunk[0].client_seq}: {_first_error(exc)}") from None
    return batches


def read_export(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidExport(f"cannot read {path.name}: {type(exc).__name__}") from None


def import_file(
    sessions: sessionmaker[Session],
    path: Path,
    *,
    now: datetime | None = None,
    force_revoked: bool = False,
    reason: str | None = None,
) -> ImportReport:
    """Apply the export at ``path``; ``InvalidExport`` (nothing applied) if it is not a genuine, unaltered,
    well-formed export, or ``RevokedDeviceExport`` if its device is revoked and ``force_revoked`` is not
    given with a ``reason``."""
    document = read_export(path)
    device_id = device_of(document)
    body = verified_body(document, lambda claimed: _public_key(sessions, claimed))
    with sessions() as session:
        revoked_at = session.get_one(Device, device_id).revoked_at
    forced = None
    if revoked_at is not None:
        if not force_revoked:
            raise RevokedDeviceExport(
                f"device {device_id} is revoked: its export is refused (an admin may import it with "
                "--force-revoked --reason TEXT, which is logged)"
            )
        forced = " ".join((reason or "").split())[:MAX_REASON]
        if not forced or _text_problem(forced, "the reason") is not None:
            raise InvalidExport("--force-revoked needs a --reason in plain text")
    ops = [_op(raw, index, len(body["ops"])) for index, raw in enumerate(body["ops"], start=1)]
    batches = _batches(device_id, ops)
    if forced is not None:
        log.warning("importing the export of revoked device %s (%d ops), forced by an admin: %s",
                    device_id, len(ops), forced)  # fmt: skip
    counts: dict[str, int] = {}
    last = 0
    for batch in batches:
        with sessions.begin() as session:
            device = session.get_one(Device, device_id)
            result = push_service.push(session, device, batch, now or datetime.now(UTC))
        for item in result.results:
            counts[item.status] = counts.get(item.status, 0) + 1
        last = result.last_client_seq
    return ImportReport(device_id, counts, last, forced)
