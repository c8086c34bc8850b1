"""Revocation reaches open event streams and long-polls at once (issue 15 §5).

A live-event subscription (``GET /v1/events``, ``GET /v1/sync/wait``) outlives the request check that
opened it: without this, a revoked device kept its stream, and heard every later event, until it closed
it itself. Each subscription records who holds it (``Holder``: the device, the digest of the credential it
used, and the staff session if one was sent), and the process's ``EventHub`` asks the database whether the
holders may still listen (``ended``):

* before it hands out each batch of events, for the subscribers of the batch's centres — so no event
  committed after a revocation reaches a revoked device: the event reached the hub after its commit, the
  check reads after that, and so sees every revocation committed before it;
* every ``SWEEP_S`` seconds for all subscribers, so a quiet stream still ends within a second.

Why read the database rather than announce revocations: a revocation is made by ``counterapp-server
admin`` in a process of its own, on SQLite as on PostgreSQL, where no in-process hub can hear it; the
database is the one place every server process and the CLI share, as the staff-session check of every
request already assumes. The read is one indexed query per batch for all of a centre's subscribers, in a
worker thread, and on SQLite a read transaction that takes no write lock.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select

from counterapp.server.models.auth import Device, StaffSession, User
from counterapp.server.services.common import as_utc, require_aware

__all__ = ["READ_ONLY", "SWEEP_S", "Holder", "ended"]

SWEEP_S = 0.5  # a stream of a revoked holder ends within this plus one query
READ_ONLY = "counterapp_read_only"  # execution option: on SQLite, BEGIN (deferred), not BEGIN IMMEDIATE
DEVICE_REVOKED = "auth.device_revoked"
DEVICE_INVALID = "auth.device_invalid"
SESSION_ENDED = "auth.session_invalid"


@dataclass(frozen=True, slots=True)
class Holder:
    """Who opened a subscription: the device, the digest of the credential it presented (a re-enrollment
    replaces it, and the old credential's streams end too) and, if the request named one, the digest of
    the staff session's token (its logout, expiry or the user's deactivation ends the stream)."""

    device_id: str
    secret_hash: str
    staff_token_hash: str | None = None


def ended(engine: Engine, holders: Collection[Holder], now: datetime) -> dict[Holder, str]:
    """The holders that may no longer listen, each with the reason's code (``auth.device_revoked``,
    ``auth.device_invalid`` or ``auth.session_invalid``). Blocking: call it from a worker thread."""
    if not holders:
        return {}
    at = require_aware(now)
    device_ids = sorted({holder.device_id for holder in holders})
    tokens = sorted({holder.staff_token_hash for holder in holders if holder.staff_token_hash})
    with engine.connect().execution_options(**{READ_ONLY: True}) as connection:
        devices = {
            row.id: (row.secret_hash, row.revoked_at)
            for row in connection.execute(
                select(Device.id, Device.secret_hash, Device.revoked_at).where(Device.id.in_(device_ids))
            )
        }
        sessions = {}
        if tokens:
            query = (
                select(StaffSession.token_hash, StaffSession.revoked_at, StaffSession.expires_at, User.active)
                .join(User, User.id == StaffSession.user_id)
                .where(StaffSession.token_hash.in_(tokens))
            )
            sessions = {row.token_hash: row for row in connection.execute(query)}
        connection.rollback()
    gone: dict[Holder, str] = {}
    for holder in holders:
        device = devices.get(holder.device_id)
        if device is None or device[0] != holder.secret_hash:
            gone[holder] = DEVICE_INVALID
        elif device[1] is not None:
            gone[holder] = DEVICE_REVOKED
        elif holder.staff_token_hash is not None:
            staff = sessions.get(holder.staff_token_hash)
            if staff is None or staff.revoked_at is not None or not staff.active or as_utc(staff.expires_at) <= at:
                gone[holder] = SESSION_ENDED
    return gone
