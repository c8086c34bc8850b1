"""Authorising an op by who made it and when, not by a session token (SYNC.md §4 Auth): a clerk's
offline work recorded under a session that has since expired is still accepted, because what counts is
that the user existed, was active, belonged to the device's centre and had a role allowing the action.

The user table keeps the current role and active flag only, so "at the op's time" is decided from the
current values, plus the rule that an op cannot predate the account."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from counterapp.server.models.auth import Device, User
from counterapp.server.permissions import role_allows
from counterapp.server.services.common import as_utc, require_aware
from counterapp.server.services.errors import Forbidden, UserInactive, WrongCentre
from counterapp.server.services.sessions import may_work_at

# Devices' clocks may be a little off: an op stamped slightly before the account existed is still its own.
CLOCK_TOLERANCE_S = 300


def authorise_op(session: Session, user_id: str, device: Device, action: str, at: datetime) -> User:
    """The user who may perform ``action`` on ``device`` at ``at``; raises ``auth.forbidden``,
    ``auth.user_inactive`` or ``auth.wrong_centre`` otherwise. No session token is involved."""
    when = require_aware(at)
    user = session.get(User, user_id) if user_id else None
    if user is None or (as_utc(user.created_at) - when).total_seconds() > CLOCK_TOLERANCE_S:
        raise Forbidden("no such user at the op's time")
    if not user.active:
        raise UserInactive("the account is deactivated")
    if not may_work_at(user, device.centre_id):
        raise WrongCentre("the account belongs to another centre")
    if not role_allows(user.role, action):
        raise Forbidden("the role does not allow this action", action=action)
    return user
