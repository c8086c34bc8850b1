"""The sync protocol's server side (SYNC.md §4). ``hello``: a device says who it is, which protocol and app
version it runs and which assignment epoch it has applied; the server records that and answers with its
clock and limits. The caller owns the transaction."""

from __future__ import annotations

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
    is outside [``PROTOCOL_MIN``, ``PROTOCOL_MAX``]; nothing is recorded then."""
    at = require_aware(now)
    if request.client_id != device.id:
        raise ClientMismatch("the hello's client_id is not the authenticated device")
    if not PROTOCOL_MIN <= request.protocol <= PROTOCOL_MAX:
        raise ProtocolUnsupported(
            f"protocol {request.protocol} is not supported: {PROTOCOL_MIN} to {PROTOCOL_MAX}",
            protocol_min=PROTOCOL_MIN,
            protocol_max=PROTOCOL_MAX,
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
