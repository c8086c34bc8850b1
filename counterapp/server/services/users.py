"""Staff accounts: clerks and leads of one centre, and admins (of one centre, or of the city when their
centre is ``None``). Passwords are stored only as argon2id hashes."""

from __future__ import annotations

import logging
import re
import unicodedata
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from counterapp.domain.errors import FieldError, ValidationFailed
from counterapp.server import security
from counterapp.server.models.auth import StaffSession, User
from counterapp.server.models.org import Centre
from counterapp.server.permissions import ROLES
from counterapp.server.services.common import new_id, require_aware
from counterapp.server.services.errors import AlreadyExists, NotFound

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


def user_by_id(session: Session, user_id: str) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("no such user", code="user.not_found")
    return user


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
    user = User(
        id=new_id(),
        centre_id=centre.id if centre is not None else None,
        username=name,
        full_name=full,
        role=role,
        password_hash=security.hash_password(password),
        active=True,
        created_at=require_aware(now),
    )
    session.add(user)
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


def deactivate(session: Session, user: User, *, now: datetime) -> None:
    """The user can no longer log in; their open sessions end now."""
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
