"""The legal time on a counter (DESIGN.md §3 rule 9, SYNC.md §2 (d)): the PC's clock corrected by the
offset the sync worker measured against the server, and the rule that a clock more than five minutes
off stops dossier codes (their date and the receipt's times are legal facts) until it is fixed."""

from __future__ import annotations

from datetime import datetime, timedelta

from counterapp.domain.duedate import VIETNAM_TZ
from counterapp.domain.errors import DomainError
from counterapp.store.sync_models import DeviceMetaRow

SKEW_LIMIT_MS = 5 * 60 * 1000


class ClockSkewed(DomainError):
    """This PC's clock is more than five minutes off the server's: fix it (or let the worker resync)."""

    code = "clock.skewed"


def corrected(wall: datetime, offset_ms: int) -> datetime:
    """The device's wall time plus the measured offset (server − device)."""
    return wall + timedelta(milliseconds=offset_ms)


def centre_wall_time() -> datetime:
    """The PC's clock read in the centre's time zone, naive, as the cache stores times. Not the PC's own
    zone: a counter PC set to UTC (or to a wrong zone) would otherwise date every op seven hours off,
    which the server reads as Vietnamese time (a call made "before" the clerk's account existed)."""
    return datetime.now(VIETNAM_TZ).replace(tzinfo=None)


def legal_now(offset_ms: int) -> datetime:
    """The legal time: the centre's wall time on this PC corrected by the offset measured against the server."""
    return corrected(centre_wall_time(), offset_ms)


def skewed(offset_ms: int) -> bool:
    return abs(offset_ms) > SKEW_LIMIT_MS


def require_good_clock(meta: DeviceMetaRow) -> None:
    """Refuse to issue a code while the clock is too far off (no personal data in the message)."""
    if skewed(meta.clock_offset_ms):
        minutes = round(meta.clock_offset_ms / 60000, 1)
        raise ClockSkewed(
            f"this computer's clock is {minutes:+} minutes off the server's",
            offset_minutes=minutes,
            hint="fix the date and time of this computer, then sync again",
        )
