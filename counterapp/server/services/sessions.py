"""Staff sessions: a clerk logs in on an enrolled device of their centre and gets a random token (stored
as a digest) that works on that device only, until it expires, is revoked or the user is deactivated."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from counterapp.server import security
from counterapp.server.models.auth import Device, StaffSession, User
from counterapp.server.services.common import as_utc, require_aware
from counterapp.server.services.errors import (
    InvalidCredentials,
    SessionExpired,
    SessionInvalid,
    UserInactive,
    WrongCentre,
)
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


def login(
    session: Session, username: str, password: str, device: Device, *, now: datetime, ttl: timedelta = SESSION_TTL
) -> tuple[str, datetime]:
    """A new session of the user on ``device``: the plain token (returned once) and its expiry."""
    at = require_aware(now)
    user = user_by_username(session, username)
    if user is None:
        security.burn_verify(password)  # as slow as a wrong password, so usernames cannot be probed
        raise InvalidCredentials("wrong username or password")
    if not security.verify_password(user.password_hash, password):
        raise InvalidCredentials("wrong username or password")
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
