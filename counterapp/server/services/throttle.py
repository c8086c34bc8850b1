"""Slowing down password and enrollment-code guessing (issue 15 §6), with state in the database.

Each source of failed attempts has a row in ``auth_throttle``, keyed by what it counts:

* ``account:<digest of the username>`` — wrong passwords for one account, from any device;
* ``device:<device id>`` — wrong passwords on one device, for any account (one device trying many names);
* ``enroll:<client address>`` — unknown, used or expired enrollment codes from one address.

The first ``free`` failures in a row cost nothing (typos). From then on, each failure blocks the source
for ``base_s · 2^(failures − free)`` seconds, capped at ``cap_s``: attempts during a block are answered
``429 auth.throttled`` with ``Retry-After`` *before* the password is checked, so they tell a guesser
nothing, cost no argon2 time and do not lengthen the block. A source quiet for ``reset_after`` starts
again from zero; a correct password resets its account (not its device: a clerk signing in as herself
must not wipe the count of the names she guessed on that PC).

Never a permanent lockout a stranger can cause: a block never exceeds ``cap_s`` after the last failure,
and the account block does not apply on a device where the account signed in within ``FAMILIAR_DAYS`` —
someone guessing at another counter cannot keep a clerk out of her own.

The state is in the database, not in memory, so every server process counts the same failures and a
restart forgives nothing. ``lock`` takes the rows ``FOR UPDATE`` (PostgreSQL; SQLite's write lock does
it there): fifty parallel guesses are counted one after another, not all let through as the first five.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from counterapp.server.models.auth import AuthThrottle, Device
from counterapp.server.models.sync import Conflict
from counterapp.server.services.common import as_utc, new_id, require_aware
from counterapp.server.services.errors import Throttled

log = logging.getLogger(__name__)

__all__ = [
    "ACCOUNT",
    "DEVICE",
    "ENROLL",
    "FAMILIAR_DAYS",
    "Rule",
    "Throttled",
    "account_key",
    "device_key",
    "enroll_key",
    "failed",
    "lock",
    "lockout_notice",
    "raise_if_blocked",
    "reset",
]


@dataclass(frozen=True, slots=True)
class Rule:
    free: int  # failures in a row that cost nothing
    base_s: float  # the first block; it doubles with each further failure
    cap_s: float  # the longest block
    notice_at: int  # failures in a row that raise a lockout notice (once per streak)
    reset_after: timedelta  # quiet time after which the count starts again


ACCOUNT = Rule(free=5, base_s=2, cap_s=300, notice_at=10, reset_after=timedelta(hours=1))
DEVICE = Rule(free=10, base_s=2, cap_s=300, notice_at=10, reset_after=timedelta(hours=1))
ENROLL = Rule(free=5, base_s=2, cap_s=300, notice_at=20, reset_after=timedelta(hours=1))
FAMILIAR_DAYS = 30


def account_key(username: str) -> str:
    """The account's key, for any username typed (a digest: the table never holds what was typed)."""
    name = username.strip().lower().encode("utf-8", "surrogatepass")
    return "account:" + hashlib.sha256(name).hexdigest()[:40]


def device_key(device_id: str) -> str:
    return f"device:{device_id}"


def enroll_key(address: str) -> str:
    return f"enroll:{address[:80]}"


def block_seconds(rule: Rule, failures: int) -> float:
    """How long a source is blocked after its ``failures``-th failure in a row (0: not blocked)."""
    if failures < rule.free:
        return 0.0
    return float(min(rule.cap_s, rule.base_s * 2 ** min(failures - rule.free, 32)))


def lock(session: Session, keys: Sequence[str]) -> dict[str, AuthThrottle]:
    """The rows of ``keys``, created if missing and locked for this transaction (in key order, so two
    requests never wait on each other crosswise)."""
    ordered = sorted(set(keys))
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    for key in ordered:
        session.execute(insert(AuthThrottle).values(key=key, failures=0).on_conflict_do_nothing(index_elements=["key"]))
    rows = session.scalars(
        select(AuthThrottle).where(AuthThrottle.key.in_(ordered)).order_by(AuthThrottle.key).with_for_update()
    )
    return {row.key: row for row in rows}


def remaining(row: AuthThrottle, now: datetime) -> int:
    """Whole seconds until ``row``'s source may try again (0: now)."""
    if row.blocked_until is None:
        return 0
    left = (as_utc(row.blocked_until) - require_aware(now)).total_seconds()
    return max(0, math.ceil(left))


def raise_if_blocked(rows: Sequence[AuthThrottle], now: datetime) -> None:
    """``Throttled`` with the longest wait if any of ``rows`` is blocked."""
    wait = max((remaining(row, now) for row in rows), default=0)
    if wait > 0:
        raise Throttled(wait)


def failed(row: AuthThrottle, rule: Rule, now: datetime) -> bool:
    """Count a failure of ``row``'s source and block it as ``rule`` says; ``True`` when this failure is the
    one that calls for a lockout notice."""
    at = require_aware(now)
    if row.last_failure_at is not None and at - as_utc(row.last_failure_at) > rule.reset_after:
        row.failures = 0
    row.failures += 1
    row.last_failure_at = at
    seconds = block_seconds(rule, row.failures)
    row.blocked_until = at + timedelta(seconds=seconds) if seconds else None
    return row.failures == rule.notice_at


def reset(session: Session, row: AuthThrottle) -> None:
    """Forget ``row``'s failures (a correct password for its account, a code that enrolled its address)."""
    session.delete(row)


NOTICE_KIND = "auth.sign_in"
NOTICE_CODE = "auth.lockout"


def lockout_notice(
    session: Session, device: Device, *, failures: int, user_id: str | None, per_device: bool, now: datetime
) -> None:
    """Tell the centre's lead and admins that sign-in is being guessed at: a warning in the server's log and
    a row in the centre's conflicts (``GET /v1/centre/conflicts``, the list they already review), naming
    the device and the account's id (never the username typed, nor a password)."""
    if per_device:
        entity, entity_id = "device", device.id
        reason = (
            f"{failures} failed sign-ins in a row on device {device.id}, for any account: sign-in on it is "
            f"slowed down (up to {DEVICE.cap_s:.0f} s between attempts). Check who is at that counter."
        )
    else:
        entity, entity_id = "user", user_id or "unknown"
        who = f"account {user_id}" if user_id else "a username that does not exist"
        reason = (
            f"{failures} failed sign-ins in a row for {who}, the latest on device {device.id}: sign-in for it "
            f"is slowed down (up to {ACCOUNT.cap_s:.0f} s between attempts) except on devices it used lately."
        )
    notice_id = new_id()
    session.add(
        Conflict(
            id=notice_id,
            centre_id=device.centre_id,
            device_id=device.id,
            op_id=notice_id,  # no op: the notice is its own record
            kind=NOTICE_KIND,
            entity=entity,
            entity_id=entity_id,
            code=NOTICE_CODE,
            reason=reason,
            data=None,
            created_at=require_aware(now),
        )
    )
    log.warning("sign-in lockout notice for centre %s: %s", device.centre_id, reason)
