"""A centre's office hours: the windows of a working day in which dossiers are received and time counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from counterapp.domain.errors import ValidationFailed

Window = tuple[time, time]


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def parse_hhmm(value: str, field: str) -> time:
    """``"08:00"`` → ``time(8, 0)``; a clear error naming ``field`` otherwise."""
    try:
        hours, minutes = value.strip().split(":")
        if len(minutes) != 2 or not (0 <= int(hours) <= 23 and 0 <= int(minutes) <= 59):
            raise ValueError
        return time(int(hours), int(minutes))
    except ValueError:
        raise ValidationFailed.single(field, "time.invalid", value=value) from None


@dataclass(frozen=True, slots=True)
class OfficeHours:
    """Ordered, non-overlapping windows; the default is 08:00–12:00 and 13:00–17:00 (DOMAIN.md §3.4)."""

    windows: tuple[Window, ...] = ((time(8), time(12)), (time(13), time(17)))

    def __post_init__(self) -> None:
        if not self.windows:
            raise ValidationFailed.single("office_hours", "office_hours.empty")
        previous_end = -1
        for start, end in self.windows:
            if _minutes(start) >= _minutes(end) or _minutes(start) < previous_end:
                raise ValidationFailed.single("office_hours", "office_hours.overlap_or_order")
            if start.second or end.second or start.microsecond or end.microsecond:
                raise ValidationFailed.single("office_hours", "office_hours.whole_minutes")
            previous_end = _minutes(end)

    @classmethod
    def parse(cls, text: str) -> OfficeHours:
        """``"08:00-12:00,13:00-17:00"`` → two windows."""
        windows = []
        for part in text.split(","):
            start, sep, end = part.partition("-")
            if not sep:
                raise ValidationFailed.single("office_hours", "office_hours.invalid", value=text)
            windows.append((parse_hhmm(start, "office_hours"), parse_hhmm(end, "office_hours")))
        return cls(tuple(windows))

    @property
    def opening(self) -> time:
        return self.windows[0][0]

    @property
    def closing(self) -> time:
        return self.windows[-1][1]

    @property
    def day_length(self) -> timedelta:
        return sum((_span(start, end) for start, end in self.windows), timedelta())

    def format(self) -> str:
        return ",".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in self.windows)

    def window_at(self, moment: datetime) -> Window | None:
        """The window containing ``moment`` (start inclusive, end exclusive), if any."""
        t = moment.time()
        for start, end in self.windows:
            if start <= t < end:
                return (start, end)
        return None

    def next_window_start(self, moment: datetime) -> time | None:
        """The start of the first window later the same day, if any."""
        t = moment.time()
        for start, _end in self.windows:
            if t < start:
                return start
        return None

    def contains(self, moment: datetime) -> bool:
        """True when ``moment`` lies in a window, both ends included (a due time may be 17:00 sharp)."""
        t = moment.time()
        return any(start <= t <= end for start, end in self.windows)


def _span(start: time, end: time) -> timedelta:
    return timedelta(minutes=_minutes(end) - _minutes(start))


DEFAULT_OFFICE_HOURS = OfficeHours()
