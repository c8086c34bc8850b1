"""The sync protocol's server side (SYNC.md §4). ``hello``: a device says who it is, which protocol and app
version it runs and which assignment epoch it has applied; the server records that and answers with its
clock and limits. The caller owns the transaction."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, select, update
from sqlalchemy.orm import Session

from counterapp.domain.errors import DomainError
from counterapp.protocol.messages import PROTOCOL_MAX, PROTOCOL_MIN, HelloRequest
from counterapp.server.models.auth import Device
from counterapp.server.models.org import Counter
from counterapp.server.services.common import require_aware
from counterapp.server.services.devices import MAX_APP_VERSION

# The server's epoch (SYNC.md §2(f)): bumped by hand if the server is ever restored to an earlier point, so
# counters re-push everything they keep. Constant until such a restore procedure exists.
SERVER_EPOCH = 1
MIN_APP_VERSION = "0.1.0"
RETENTION_DAYS = 60  # the change feed is kept at least this long (SYNC.md §2(e))
# The sync protocols this server accepts, as "MIN-MAX" (default: all it speaks, PROTOCOL_MIN-PROTOCOL_MAX).
# IT narrows it to stop counters of an old release once every PC runs the new one; tests set it to see a
# counter refused as too old or too new against a real server process.
PROTOCOL_RANGE_ENV = "COUNTERAPP_SERVER_PROTOCOL_RANGE"


def protocol_range(environ: Mapping[str, str] | None = None) -> tuple[int, int]:
    """The accepted protocol range: ``PROTOCOL_RANGE_ENV`` if set, else ``(PROTOCOL_MIN, PROTOCOL_MAX)``."""
    text = (os.environ if environ is None else environ).get(PROTOCOL_RANGE_ENV, "").strip()
    if not text:
        return PROTOCOL_MIN, PROTOCOL_MAX
    low, _, high = text.partition("-")
    try:
        lowest, highest = int(low), int(high or low)
    except ValueError:
        raise ValueError(f"{PROTOCOL_RANGE_ENV} must be MIN-MAX (e.g. 1-2), not {text!r}") from None
    if not 1 <= lowest <= highest:
        raise ValueError(f"{PROTOCOL_RANGE_ENV} must be MIN-MAX with 1 <= MIN <= MAX, not {text!r}")
    return lowest, highest


class ClientMismatch(DomainError):
    code = "sync.client_mismatch"


class ProtocolUnsupported(DomainError):
    code = "sync.protocol_unsupported"


@dataclass(frozen=True, slots=True)
class Hello:
    """What the server answers a hello with, besides its constants."""

    server_time: datetime
    counter_epoch: int | None  # the latest assignment of the device's counter; None without a counter


def hello(session: Session, device: Device, request: HelloRequest, now: datetime) -> Hello:
    """Record the device's hello: ``app_version``, ``applied_epoch`` (never lowered) and ``last_seen_at``.
    ``ClientMismatch`` when ``client_id`` is not the device's id, ``ProtocolUnsupported`` when its protocol
    is outside the accepted range (``protocol_range``); nothing is recorded then."""
    at = require_aware(now)
    if request.client_id != device.id:
        raise ClientMismatch("the hello's client_id is not the authenticated device")
    lowest, highest = protocol_range()
    if not lowest <= request.protocol <= highest:
        raise ProtocolUnsupported(
            f"protocol {request.protocol} is not supported: {lowest} to {highest}",
            protocol_min=lowest,
            protocol_max=highest,
        )
    epoch = request.applied_epoch
    # one statement, so two concurrent hellos of the same device never lower the epoch
    session.execute(
        update(Device)
        .where(Device.id == device.id)
        .values(
            app_version=request.app_version[:MAX_APP_VERSION],
            applied_epoch=case((Device.applied_epoch < epoch, epoch), else_=Device.applied_epoch),
            last_seen_at=at,
        )
        .execution_options(synchronize_session=False)
    )
    session.refresh(device)
    counter_epoch = None
    if device.counter_id is not None:
        counter_epoch = session.scalar(select(Counter.epoch).where(Counter.id == device.counter_id))
    return Hello(server_time=at, counter_epoch=counter_epoch)
