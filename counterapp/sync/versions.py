"""A counter and a server that do not speak the same sync protocol (issue 17 point 6).

The server answers a hello outside its range with 426 ``sync.protocol_unsupported`` and its
``protocol_min``/``protocol_max``. Which side is behind decides who must act: a counter older than the
range needs the counter software updated, a counter newer than it needs the server updated. The engine
records that as the sync's ``last_error`` (``describe``), and ``SyncStatus.version_mismatch``
(``mismatch_in``) hands the window and ``counterapp status`` one of two stable words; the counter keeps
working offline meanwhile and retries like any other refused round.
"""

from __future__ import annotations

from counterapp.protocol.client import Refused, SyncError
from counterapp.protocol.messages import PROTOCOL_MAX, PROTOCOL_MIN

__all__ = ["COUNTER_TOO_NEW", "COUNTER_TOO_OLD", "UNSUPPORTED", "describe", "mismatch_in", "mismatch_of"]

UNSUPPORTED = "sync.protocol_unsupported"
COUNTER_TOO_OLD = "counter_too_old"  # the server needs a newer counter app
COUNTER_TOO_NEW = "counter_too_new"  # the counter app is newer than the server: update the server


def mismatch_of(exc: SyncError) -> str | None:
    """``COUNTER_TOO_OLD``/``COUNTER_TOO_NEW`` for a refused hello, else ``None``."""
    if not isinstance(exc, Refused) or exc.code != UNSUPPORTED:
        return None
    low, high = exc.body.get("protocol_min"), exc.body.get("protocol_max")
    if isinstance(high, int) and high < PROTOCOL_MIN:
        return COUNTER_TOO_NEW
    if isinstance(low, int) and low > PROTOCOL_MAX:
        return COUNTER_TOO_OLD
    # The range overlaps ours, yet the server refused the protocol we sent (our newest): we are ahead.
    return COUNTER_TOO_NEW if isinstance(high, int) and high < PROTOCOL_MAX else COUNTER_TOO_OLD


def describe(exc: SyncError) -> str:
    """The ``last_error`` to record for a failed round (no secret, no personal data; ≤ 300 characters)."""
    kind = mismatch_of(exc)
    if kind is None:
        return str(exc)[:300]
    assert isinstance(exc, Refused)
    low, high = exc.body.get("protocol_min", "?"), exc.body.get("protocol_max", "?")
    ours = f"{PROTOCOL_MIN} to {PROTOCOL_MAX}"
    return f"{UNSUPPORTED} {kind}: the server speaks protocol {low} to {high}, this counter {ours}"


def mismatch_in(last_error: str | None) -> str | None:
    """The mismatch a recorded ``last_error`` names (``describe``'s format), else ``None``."""
    if not last_error or not last_error.startswith(UNSUPPORTED + " "):
        return None
    kind = last_error[len(UNSUPPORTED) + 1 :].split(":", 1)[0]
    return kind if kind in (COUNTER_TOO_OLD, COUNTER_TOO_NEW) else None
