"""Staff sessions: a clerk logs in on an enrolled device of their centre and gets a random token (stored
as a digest) that works on that device only, until it expires, is revoked or the user is deactivated."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from counterapp.server import security
from counterapp.server.models.auth import AuthThrottle, Device, StaffSession, User
from counterapp.server.services import throttle
from counterapp.server.services.common import as_utc, require_aware
from counterapp.server.services.errors import (
    InvalidCredentials,
    SessionExpired,
    SessionInvalid,
    UserInactive,
    WrongCentre,
)
from counterapp.server.services.throttle import remaining
from counterapp.server.services.users import user_by_username

log = logging.getLogger(__name__)

SESSION_TTL = timedelta(hours=12)
_LOADED = "counterapp.staff_loaded"  # session.info: (token, StaffSession | None, User | None)


@dataclass(frozen=True, slots=True)
class Staff:
    """Who is working on a device, resolved from a session token."""

    user: User
    session: StaffSession


def may_work_at(user: User, centre_id: str) -> bool:
    """Staff work in their own centre; a city admin (no centre) anywhere."""
    return user.centre_id is None or user.centre_id == centre_id


def _familiar(session: Session, user: User, device: Device, at: datetime) -> bool:
    """Whether ``user`` signed in on ``device`` within ``throttle.FAMILIAR_DAYS``: there a block of the
    account caused elsewhere does not apply (``counterapp.server.services.throttle``)."""
    since = at - timedelta(days=throttle.FAMILIAR_DAYS)
    return (
        session.scalar(
            select(StaffSession.token_hash)
            .where(
                StaffSession.user_id == user.id, StaffSession.device_id == device.id, StaffSession.created_at >= since
            )
            .limit(1)
        )
        is not None
    )


def _guard(session: Session, username: str, user: User | None, device: Device, at: datetime) -> list[AuthThrottle]:
    """The account's and the device's throttle rows, locked; ``Throttled`` if either blocks this attempt."""
    account, on_device = throttle.account_key(username), throttle.device_key(device.id)
    rows = throttle.lock(session, [account, on_device])
    blocking = [rows[on_device]]
    if not (user is not None and remaining(rows[account], at) and _familiar(session, user, device, at)):
        blocking.append(rows[account])
    throttle.raise_if_blocked(blocking, at)
    return [rows[account], rows[on_device]]


def _wrong_password(
    session: Session, rows: list[AuthThrottle], user: User | None, device: Device, at: datetime
) -> None:
    """Count the failure on the account and the device; a lockout notice when one of them reaches many (one
    notice when both do at once: the account's names the device too)."""
    account, on_device = rows
    account_notice = throttle.failed(account, throttle.ACCOUNT, at)
    device_notice = throttle.failed(on_device, throttle.DEVICE, at)
    if account_notice:
        user_id = user.id if user is not None else None
        throttle.lockout_notice(session, device, failures=account.failures, user_id=user_id, per_device=False, now=at)
    elif device_notice:
        throttle.lockout_notice(session, device, failures=on_device.failures, user_id=None, per_device=True, now=at)
    session.flush()


def login(
    session: Session, username: str, password: str, device: Device, *, now: datetime, ttl: timedelta = SESSION_TTL
) -> tuple[str, datetime]:
    """A new session of the user on ``device``: the plain token (returned once) and its expiry.

    Throttled (``counterapp.server.services.throttle``): ``Throttled`` before the password is even checked
    while the account or the device is blocked. A wrong password raises ``InvalidCredentials`` *after*
    recording the failure in this transaction: the caller commits it (nothing else was written)."""
    at = require_aware(now)
    user = user_by_username(session, username)
    rows = _guard(session, username, user, device, at)
    if user is None:
        security.burn_verify(password)  # as slow as a wrong password, so usernames cannot be probed
        _wrong_password(session, rows, None, device, at)
        raise InvalidCredentials("wrong username or password")
    if not security.verify_password(user.password_hash, password):
        _wrong_password(session, rows, user, device, at)
        raise InvalidCredentials("wrong username or password")
    throttle.reset(session, rows[0])  # the account's streak ends; the device's does not (see throttle)
    if not user.active:
        raise UserInactive("the account is deactivated")
    if not may_work_at(user, device.centre_id):
        raise WrongCentre("the account belongs to another centre")
    if security.password_needs_rehash(user.password_hash):
        user.password_hash = security.hash_password(password)
    token = security.new_token()
    expires_at = at + ttl
    row = StaffSession(token_hash=security.digest(token), user_id=user.id, device_id=device.id, created_at=at)
    row.expires_at = expires_at
    session.add(row)
    session.flush()
    log.info("user %s logged in on device %s", user.id, device.id)
    return token, expires_at


def resolve(session: Session, token: str, device: Device, *, now: datetime) -> Staff:
    """The staff member behind ``token`` on ``device``; unknown, revoked or another device's tokens and
    deactivated users are ``auth.session_invalid``, expired ones ``auth.session_expired``."""
    row = session.get(StaffSession, security.digest(token)) if token else None
    user = session.get(User, row.user_id) if row is not None else None
    return _checked(row, user, device, require_aware(now))


def remember_loaded(session: Session, token: str, row: StaffSession | None, user: User | None) -> None:
    """Note that the device's read (``devices.authenticate_device``) looked ``token`` up on its device and
    found ``row`` (with its ``user``), or nothing: ``resolve_loaded`` then needs no round trip."""
    session.info[_LOADED] = (token, row, user)


def resolve_loaded(session: Session, token: str, device: Device, *, now: datetime) -> Staff | None:
    """``resolve`` from what the device's read loaded, without I/O (so the API's event loop may run it);
    ``None`` when that read did not look ``token`` up."""
    loaded = session.info.get(_LOADED)
    if loaded is None or loaded[0] != token:
        return None
    _token, row, user = loaded
    return _checked(row, user, device, require_aware(now))


def _checked(row: StaffSession | None, user: User | None, device: Device, at: datetime) -> Staff:
    if row is None or row.revoked_at is not None or not security.same(row.device_id, device.id):
        raise SessionInvalid("unknown or ended session")
    if as_utc(row.expires_at) <= at:
        raise SessionExpired("the session has expired")
    if user is None or not user.active or not may_work_at(user, device.centre_id):
        raise SessionInvalid("unknown or ended session")
    return Staff(user=user, session=row)


def logout(session: Session, token: str, device: Device, *, now: datetime) -> None:
    """End the session of ``token`` (of this device); ending an ended or unknown session does nothing."""
    row = session.get(StaffSession, security.digest(token)) if token else None
    if row is None or row.device_id != device.id or row.revoked_at is not None:
        return
    row.revoked_at = require_aware(now)
    session.flush()
    log.info("user %s logged out on device %s", row.user_id, device.id)
