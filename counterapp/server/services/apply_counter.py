"""Applying a clerk's ``counter.pause`` / ``counter.resume`` to the device's counter (wired into the push by
``apply.counter_status``).

Both are *facts*: the clerk did stop calling, or did come back, so the op is always recorded and never
rejected for the counter's state. What the server's counter becomes follows the lead's authority:

* ``counter.pause`` on an open or paused counter pauses it with the clerk's reason (a second pause replaces
  the reason); ``counter.resume`` on a paused counter opens it, on an open one changes nothing;
* on a counter the lead has *closed* neither changes anything: the op is kept and flagged
  (``counter.closed``) for the lead and the counter to see, never refused into an error loop.

A change goes through ``lead.change_counter_status``, exactly as the lead's own pause does: the paused
counter's hand goes back to the pool, ``assignment.changed`` is published, the counter row reaches the
change feed, and the epoch is left alone (a status is not an assignment). The op's own epoch is not
checked either: it fences claims on tickets, and these ops claim nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from counterapp.server.models.org import Counter
from counterapp.server.services import lead

__all__ = ["Flag", "set_status"]


@dataclass(frozen=True, slots=True)
class Flag:
    """Why the op was kept without its effect: a stable code and a reason naming no person."""

    code: str
    reason: str


def set_status(session: Session, counter: Counter, pause_reason: str | None, now: datetime) -> Flag | None:
    """Pause ``counter`` with ``pause_reason``, or resume it when the reason is ``None``; ``now`` is the
    server's time (the hand released is the one unexpired now). The counter row is locked first, so a
    lead changing it at the same moment is applied wholly before or after this. Returns a ``Flag`` when the
    counter is closed, else ``None``."""
    session.flush()  # ``refresh`` expires the object before it flushes: nothing of the batch may be lost
    session.refresh(counter, with_for_update=True)
    what = "pause" if pause_reason is not None else "resume"
    if counter.status == lead.CLOSED:
        return Flag("counter.closed", f"counter {counter.number} is closed by the lead: the clerk's {what} is kept")
    if pause_reason is not None:
        lead.change_counter_status(session, counter, lead.PAUSED, pause_reason, now=now)
    elif counter.status == lead.PAUSED:
        lead.change_counter_status(session, counter, lead.OPEN, now=now)
    return None
