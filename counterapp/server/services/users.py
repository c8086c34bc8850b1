"""Staff accounts: clerks and leads of one centre, and admins (of one centre, or of the city when their
centre is ``None``). Passwords are stored only as argon2id hashes.

``User.role`` and ``User.active`` are the current state; ``user_roles`` (one row per period a role was
held) and ``User.deactivated_at`` keep when it changed, so an op is authorised by the role held at the op's
time (``counterapp.server.services.authorise``). Change them only through ``create_user``,
``change_role`` and ``deactivate``, which keep both in step."""

from __future__ import annotations

import logging
import re
import unicodedata
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from counterapp.domain.errors import FieldError, ValidationFailed
from counterapp.server import security
from counterapp.server.models.auth import StaffSession, User, UserRole
from counterapp.server.models.org import Centre
from counterapp.server.permissions import ROLES
from counterapp.server.services.common import as_utc, new_id, require_aware
from counterapp.server.services.errors import AlreadyExists

log = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 10
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{2,59}")


def validate_username(username: str) -> str:
    value = username.strip().lower()
    if not _USERNAME.fullmatch(value):
        raise ValidationFailed.single("username", "user.username_invalid")
    return value


def password_problem(password: str) -> FieldError | None:
    if len(unicodedata.normalize("NFC", password)) < MIN_PASSWORD_LENGTH:
        return FieldError("password", "password.too_short", {"min_length": MIN_PASSWORD_LENGTH})
    return None


def user_by_username(session: Session, username: str) -> User | None:
    return session.scalars(select(User).where(User.username == username.strip().lower())).one_or_none()


def create_user(
    session: Session,
    *,
    username: str,
    full_name: str,
    role: str,
    password: str,
    centre: Centre | None,
    now: datetime,
) -> User:
    """A new active account. Clerks and leads belong to a centre; only an admin may have none (city-wide)."""
    errors: list[FieldError] = []
    try:
        name = validate_username(username)
    except ValidationFailed as exc:
        errors.extend(exc.errors)
        name = ""
    full = " ".join(unicodedata.normalize("NFC", full_name).split())
    if not full:
        errors.append(FieldError("full_name", "text.required"))
    if role not in ROLES:
        errors.append(FieldError("role", "user.role_invalid"))
    elif centre is None and role != "admin":
        errors.append(FieldError("centre", "user.centre_required"))
    problem = password_problem(password)
    if problem is not None:
        errors.append(problem)
    if errors:
        raise ValidationFailed(errors)
    if user_by_username(session, name) is not None:
        raise AlreadyExists("this username is taken", code="user.exists")
    at = require_aware(now)
    user = User(
        id=new_id(),
        centre_id=centre.id if centre is not None else None,
        username=name,
        full_name=full,
        role=role,
        password_hash=security.hash_password(password),
        active=True,
        created_at=at,
    )
    session.add(user)
    session.flush()
    session.add(UserRole(id=new_id(), user_id=user.id, role=role, valid_from=at, valid_to=None))
    session.flush()
    log.info("user %s created with role %s", user.id, role)
    return user


def revoke_sessions(session: Session, *, user_id: str, now: datetime) -> int:
    result = session.execute(
        update(StaffSession)
        .where(StaffSession.user_id == user_id, StaffSession.revoked_at.is_(None))
        .values(revoked_at=require_aware(now))
        .execution_options(synchronize_session="fetch")
    )
    return int(getattr(result, "rowcount", 0) or 0)


def role_history(session: Session, user_id: str) -> list[UserRole]:
    """The user's role periods, oldest first."""
    return list(
        session.scalars(select(UserRole).where(UserRole.user_id == user_id).order_by(UserRole.valid_from, UserRole.id))
    )


def role_at(session: Session, user: User, at: datetime, *, history: list[UserRole] | None = None) -> str:
    """The role ``user`` held at ``at``: that of the period containing it. Before the first period (an op
    stamped slightly before the account existed, within the caller's tolerance) the first role counts."""
    when = require_aware(at)
    if history is None:
        history = role_history(session, user.id)
    if not history:  # cannot happen after revision 0004; the current role is the best answer
        return user.role
    held = history[0].role
    for period in history:
        if as_utc(period.valid_from) > when:
            break
        held = period.role
    return held


def change_role(session: Session, user: User, role: str, *, now: datetime) -> None:
    """Give ``user`` the role ``role`` from ``now`` on (closing the current period of the history). Only an
    admin may be without a centre. Ops dated before ``now`` are still judged by the previous role."""
    at = require_aware(now)
    if role not in ROLES:
        raise ValidationFailed.single("role", "user.role_invalid")
    if user.centre_id is None and role != "admin":
        raise ValidationFailed.single("centre", "user.centre_required")
    if role == user.role:
        return
    history = role_history(session, user.id)
    current = [period for period in history if period.valid_to is None]
    if any(as_utc(period.valid_from) > at for period in current):
        raise ValueError("a role change cannot predate the current role's start")
    for period in current:
        period.valid_to = at
    session.add(UserRole(id=new_id(), user_id=user.id, role=role, valid_from=at, valid_to=None))
    previous, user.role = user.role, role
    session.flush()
    log.info("user %s changed role from %s to %s", user.id, previous, role)


def deactivate(session: Session, user: User, *, now: datetime) -> None:
    """The user can no longer log in; their open sessions end now. Ops they recorded before ``now`` (offline
    work pushed later) are still accepted."""
    at = require_aware(now)
    if user.active or user.deactivated_at is None:
        user.deactivated_at = at
    user.active = False
    revoke_sessions(session, user_id=user.id, now=now)
    session.flush()
    log.info("user %s deactivated", user.id)


def change_password(session: Session, user: User, new_password: str, *, now: datetime) -> None:
    """Set a new password (policy: at least 10 characters) and end every open session of the user."""
    problem = password_problem(new_password)
    if problem is not None:
        raise ValidationFailed([problem])
    user.password_hash = security.hash_password(new_password)
    revoke_sessions(session, user_id=user.id, now=now)
    session.flush()
    log.info("user %s changed password", user.id)
