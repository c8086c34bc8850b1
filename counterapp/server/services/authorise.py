"""Authorising an op by who made it and when, not by a session token (SYNC.md §4 Auth): a clerk's
offline work recorded under a session that has since expired is still accepted, because what counts is
that the user existed, was active, belonged to the device's centre and had a role allowing the action.

"At the op's time" means: the op does not predate the account (beyond a clock tolerance), the account was
not yet deactivated (``User.deactivated_at`` later than the op), and the role held then
(``user_roles``, ``users.role_at``) allows the action. The centre is the device's, never the op's."""

from __future__ import annotations

from bisect import bisect_right
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from counterapp.server.models.auth import Device, User, UserRole
from counterapp.server.permissions import role_allows
from counterapp.server.services.common import as_utc, require_aware
from counterapp.server.services.errors import Forbidden, UserInactive, WrongCentre
from counterapp.server.services.sessions import may_work_at
from counterapp.server.services.users import role_at, role_history

# Devices' clocks may be a little off: an op stamped slightly before the account existed is still its own.
CLOCK_TOLERANCE_S = 300


def authorise_op(
    session: Session,
    user_id: str,
    device: Device,
    action: str,
    at: datetime,
    *,
    history: list[UserRole] | None = None,
    user: User | None = None,
) -> User:
    """The user who may perform ``action`` on ``device`` at ``at``; raises ``auth.forbidden``,
    ``auth.user_inactive`` or ``auth.wrong_centre`` otherwise. No session token is involved. ``history``:
    the user's role periods if the caller already has them (a push authorises many ops of one user)."""
    when = require_aware(at)
    if user is None or user.id != user_id:
        user = session.get(User, user_id) if user_id else None
    if user is None or (as_utc(user.created_at) - when).total_seconds() > CLOCK_TOLERANCE_S:
        raise Forbidden("no such user at the op's time")
    if user.deactivated_at is not None and as_utc(user.deactivated_at) <= when:
        raise UserInactive("the account was deactivated before the op")
    if not user.active and user.deactivated_at is None:  # deactivated at an unknown time: refuse all
        raise UserInactive("the account is deactivated")
    if not may_work_at(user, device.centre_id):
        raise WrongCentre("the account belongs to another centre")
    if not role_allows(role_at(session, user, when, history=history), action):
        raise Forbidden("the role does not allow this action", action=action)
    return user


class Authoriser:
    """``authorise_op`` for the ops of one push: each user and role history is read once per batch, and a
    decision is reused for every op of the same user and action that falls between the same two of the
    user's boundaries (account created less the tolerance, deactivated, each role period's start): the
    answer of ``authorise_op`` only changes there."""

    def __init__(self, session: Session, device: Device) -> None:
        self.session, self.device = session, device
        self._histories: dict[str, list[UserRole]] = {}
        self._users: dict[str, User | None] = {}
        self._bounds: dict[str, list[datetime]] = {}
        self._allowed: dict[tuple[str, str, int], User] = {}

    def check(self, user_id: str, action: str, at: datetime) -> User:
        history, user = None, None
        if user_id:
            if user_id not in self._users:
                self._users[user_id] = self.session.get(User, user_id)
                self._histories[user_id] = role_history(self.session, user_id)
            history, user = self._histories[user_id], self._users[user_id]
        if user is None:
            return authorise_op(self.session, user_id, self.device, action, at, history=history, user=user)
        if user_id not in self._bounds:
            self._bounds[user_id] = _bounds(user, self._histories[user_id])
        # ``bisect_right``: a time equal to a boundary is on its later side, as in ``authorise_op`` (an op at
        # the tolerance's limit, the deactivation instant or a period's start belongs after it)
        key = (user_id, action, bisect_right(self._bounds[user_id], require_aware(at)))
        allowed = self._allowed.get(key)
        if allowed is None:
            allowed = self._allowed[key] = authorise_op(
                self.session, user_id, self.device, action, at, history=history, user=user
            )
        return allowed


def _bounds(user: User, history: list[UserRole]) -> list[datetime]:
    """The times at which ``authorise_op``'s answer for ``user`` may change, sorted."""
    bounds = [as_utc(user.created_at) - timedelta(seconds=CLOCK_TOLERANCE_S)]
    if user.deactivated_at is not None:
        bounds.append(as_utc(user.deactivated_at))
    bounds.extend(as_utc(period.valid_from) for period in history)
    return sorted(bounds)
