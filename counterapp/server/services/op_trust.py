"""Whether an op's author and time are believable for the device that pushed it (issue 15, points 3 and 4).

A device credential alone used to let a device push ops in anyone's name at any time. Now an op is applied
only when:

* **its user was at the device**: the user signed in on *this* device (``staff_sessions``) at or before the
  op's time, and the op lies within the offline window after that sign-in (a counter lets a clerk sign in
  again without the server for ``OFFLINE_SIGN_IN_DAYS`` after an online sign-in, with the verifier it was
  given then). City-wide accounts (no centre) do not author a centre's ops from a counter or a kiosk;
* **its time is bounded**: not later than the server's receipt plus ``CLOCK_TOLERANCE_S``, not before the
  device's enrollment, not earlier than the device's previous op (``client_seq`` order) by more than the
  tolerance;
* **a late op of a since-deactivated user could have been made offline**: an op stamped before the
  deactivation but pushed after it is believed only if the device pushed nothing between the op's time and
  the deactivation (a counter pushes its outbox in order on every contact: one in contact meanwhile would
  have sent it).

An op failing these is not applied but kept (op_log) and shown to the lead as a conflict with the reason
(``op.*`` codes); it never blocks the ops behind it. Nothing here trusts the counter's word beyond the
op's own fields: what the server saw (sign-ins, enrollment, earlier pushes) decides.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from counterapp.server.models.auth import Device, StaffSession, User
from counterapp.server.models.sync import OpLogEntry
from counterapp.server.services.authorise import CLOCK_TOLERANCE_S
from counterapp.server.services.common import as_utc, require_aware
from counterapp.server.services.quarantine import QUARANTINED

__all__ = ["OFFLINE_SIGN_IN_DAYS", "OpTrust", "TrustProblem"]

# The counter's own default (counterapp.services.staff.OFFLINE_DAYS, a centre may lower it): the server
# cannot import the counter's code, and a longer window here only believes more, never less.
OFFLINE_SIGN_IN_DAYS = 7
TOLERANCE = timedelta(seconds=CLOCK_TOLERANCE_S)
DEVICE_KINDS_WITH_STAFF = ("counter", "kiosk")


@dataclass(frozen=True, slots=True)
class TrustProblem:
    code: str  # op.user_not_at_device, op.sign_in_too_old, op.city_account, op.time_future, …
    reason: str


@dataclass
class OpTrust:
    """The checks for the ops of one push (sign-ins and the previous op's time read once per batch)."""

    session: Session
    device: Device
    now: datetime
    previous_time: datetime | None = None  # the device's latest applied op's time, then each op's in turn
    _sign_ins: dict[str, list[datetime]] = field(default_factory=dict)

    @classmethod
    def for_push(cls, session: Session, device: Device, now: datetime) -> OpTrust:
        last = session.scalar(  # a quarantined op's time was not believed: it does not bound the next ones
            select(OpLogEntry.corrected_time)
            .where(OpLogEntry.device_id == device.id, OpLogEntry.status != QUARANTINED)
            .order_by(OpLogEntry.client_seq.desc())
            .limit(1)
        )
        return cls(session, device, require_aware(now), as_utc(last) if last is not None else None)

    def check(self, user: User | None, at: datetime) -> TrustProblem | None:
        """The first problem with an op by ``user`` stamped ``at`` (``None``: believable). Only a believable
        time moves the previous-op time on: one op stamped far ahead must not condemn the ops after it."""
        when = require_aware(at)
        problem = self._time(when)
        if problem is not None:
            return problem
        if self.previous_time is None or when > self.previous_time:
            self.previous_time = when
        return self._presence(user, when) if user is not None else None

    # --- the op's time ---------------------------------------------------------------------------------

    def _time(self, when: datetime) -> TrustProblem | None:
        if when > self.now + TOLERANCE:
            return TrustProblem("op.time_future", f"stamped {when.isoformat()}, after the server received it")
        enrolled = self.device.enrolled_at
        if enrolled is not None and when < as_utc(enrolled) - TOLERANCE:
            return TrustProblem("op.time_before_enrollment", f"stamped {when.isoformat()}, before the device was "
                                f"enrolled")  # fmt: skip
        if self.previous_time is not None and when < self.previous_time - TOLERANCE:
            return TrustProblem("op.time_goes_back", f"stamped {when.isoformat()}, before the device's previous op "
                                f"({self.previous_time.isoformat()})")  # fmt: skip
        return None

    # --- the op's author -------------------------------------------------------------------------------

    def _presence(self, user: User, when: datetime) -> TrustProblem | None:
        if self.device.kind not in DEVICE_KINDS_WITH_STAFF:
            return None
        if user.centre_id is None:
            return TrustProblem("op.city_account", "a city-wide account does not author a centre's ops at a counter")
        signed = self._sign_ins_of(user.id)
        latest = bisect_right(signed, when + TOLERANCE)
        if latest == 0:
            return TrustProblem("op.user_not_at_device", "the user never signed in on this device before the op")
        if when > signed[latest - 1] + timedelta(days=OFFLINE_SIGN_IN_DAYS) + TOLERANCE:
            return TrustProblem("op.sign_in_too_old", f"the user's last sign-in on this device before the op was "
                                f"{signed[latest - 1].date().isoformat()}, beyond the offline window")  # fmt: skip
        deactivated = as_utc(user.deactivated_at) if user.deactivated_at is not None else None
        if deactivated is not None and when < deactivated <= self.now and self._pushed_between(when, deactivated):
            return TrustProblem(
                "op.user_inactive_late",
                "stamped before the account was closed, but the device was in touch with the server after "
                "that time without sending it",
            )
        return None

    def _sign_ins_of(self, user_id: str) -> list[datetime]:
        if user_id not in self._sign_ins:
            rows = self.session.scalars(
                select(StaffSession.created_at)
                .where(StaffSession.user_id == user_id, StaffSession.device_id == self.device.id)
                .order_by(StaffSession.created_at)
            )
            self._sign_ins[user_id] = [as_utc(at) for at in rows]
        return self._sign_ins[user_id]

    def _pushed_between(self, start: datetime, end: datetime) -> bool:
        """Whether this device pushed anything after ``start`` (plus the tolerance) and before ``end``."""
        count = self.session.scalar(
            select(func.count())
            .select_from(OpLogEntry)
            .where(
                OpLogEntry.device_id == self.device.id,
                OpLogEntry.received_at > start + TOLERANCE,
                OpLogEntry.received_at < as_utc(end),
            )
        )
        return bool(count)
