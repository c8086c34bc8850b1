"""Appointment dates (ngày hẹn trả), DOMAIN.md §3.

Three modes, chosen per procedure by the unit of its duration:

* ``working_days`` (mode D, Civil Code 2015 Art. 147–148): the day of receipt is not counted; the
  appointment is the end of office hours on the N-th following working day. N = 0 means the same day.
* ``working_hours`` (mode H): N working hours counted from the moment of receipt, skipping lunch,
  nights and days off; 8 hours make a day, so half days are 4 hours.
* ``calendar_days``: N calendar days after the day of receipt, pushed to the next working day if the
  last day is a day off.

Receipt is first moved to the moment counting starts: on a day off or after closing → the next
working day's opening; before opening → opening; during lunch → the afternoon start. With a
per-procedure cut-off (e.g. 15:00), receipt at or after the cut-off counts as receipt on the next
working day. All times are the centre's local wall time (Vietnam has one zone and no DST).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from enum import StrEnum

from counterapp.domain.calendar import SpecialDay, WorkCalendar
from counterapp.domain.errors import ValidationFailed
from counterapp.domain.office_hours import DEFAULT_OFFICE_HOURS, OfficeHours

VIETNAM_TZ = timezone(timedelta(hours=7), "ICT")


class DurationUnit(StrEnum):
    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"
    CALENDAR_DAYS = "calendar_days"


class StartAdjustment(StrEnum):
    """Why counting did not start at the moment of receipt."""

    NON_WORKING_DAY = "non_working_day"
    AFTER_CUTOFF = "after_cutoff"
    AFTER_CLOSING = "after_closing"
    BEFORE_OPENING = "before_opening"
    LUNCH_BREAK = "lunch_break"


@dataclass(frozen=True, slots=True)
class Duration:
    value: Decimal
    unit: DurationUnit

    def __post_init__(self) -> None:
        if not self.value.is_finite() or self.value < 0:
            raise ValidationFailed.single("duration", "duration.negative")
        if self.unit is not DurationUnit.WORKING_HOURS and self.value != self.value.to_integral_value():
            raise ValidationFailed.single("duration", "duration.whole_days_required")

    @classmethod
    def of(cls, value: int | float | str | Decimal, unit: DurationUnit | str) -> Duration:
        try:
            amount = Decimal(str(value))
        except ArithmeticError:
            raise ValidationFailed.single("duration", "duration.invalid") from None
        try:
            kind = DurationUnit(unit)
        except ValueError:
            raise ValidationFailed.single("duration.unit", "duration.unit_unknown") from None
        return cls(amount, kind)

    @property
    def days(self) -> int:
        return int(self.value)


@dataclass(frozen=True, slots=True)
class SkippedDay:
    """A day off passed over while counting, with the entry that explains it (None: a plain weekend)."""

    day: date
    entry: SpecialDay | None

    @property
    def reason(self) -> str:
        return "weekend" if self.entry is None else self.entry.category.value

    def name(self, lang: str = "vi") -> str:
        if self.entry is not None:
            return self.entry.name(lang)
        return "Cuối tuần" if lang != "en" else "Weekend"


@dataclass(frozen=True, slots=True)
class DueDate:
    due_at: datetime
    received_at: datetime
    counting_from: datetime
    duration: Duration
    cutoff: time | None
    adjustment: StartAdjustment | None
    calendar_version: str
    skipped: tuple[SkippedDay, ...]
    makeup_days: tuple[SpecialDay, ...]


def _local(moment: datetime) -> datetime:
    """Aware datetimes are converted to Vietnam time; naive ones are taken as local wall time."""
    if moment.tzinfo is not None:
        return moment.astimezone(VIETNAM_TZ).replace(tzinfo=None)
    return moment


def _at(day: date, t: time) -> datetime:
    return datetime.combine(day, t)


def counting_start(
    received_at: datetime,
    calendar: WorkCalendar,
    hours: OfficeHours = DEFAULT_OFFICE_HOURS,
    cutoff: time | None = None,
) -> tuple[datetime, StartAdjustment | None]:
    """The moment counting starts, and why it differs from ``received_at`` (None if it does not)."""
    day, t = received_at.date(), received_at.time()
    if not calendar.is_working_day(day):
        return _at(calendar.next_working_day(day), hours.opening), StartAdjustment.NON_WORKING_DAY
    if cutoff is not None and t >= cutoff:
        return _at(calendar.next_working_day(day), hours.opening), StartAdjustment.AFTER_CUTOFF
    if t >= hours.closing:
        return _at(calendar.next_working_day(day), hours.opening), StartAdjustment.AFTER_CLOSING
    if t < hours.opening:
        return _at(day, hours.opening), StartAdjustment.BEFORE_OPENING
    if hours.window_at(received_at) is None:
        later = hours.next_window_start(received_at)
        assert later is not None  # t < closing and not in a window → a later window exists
        return _at(day, later), StartAdjustment.LUNCH_BREAK
    return received_at, None


def _add_working_time(start: datetime, amount: timedelta, calendar: WorkCalendar, hours: OfficeHours) -> datetime:
    """``start`` lies inside a window on a working day; walk forward through windows."""
    current = start
    remaining = amount
    while True:
        window = hours.window_at(current)
        if window is not None:
            available = _at(current.date(), window[1]) - current
            if remaining <= available:
                return current + remaining
            remaining -= available
            current = _at(current.date(), window[1])
        later = hours.next_window_start(current)
        if later is not None:
            current = _at(current.date(), later)
        else:
            current = _at(calendar.next_working_day(current.date()), hours.opening)


def compute_due(
    received_at: datetime,
    duration: Duration,
    calendar: WorkCalendar,
    hours: OfficeHours = DEFAULT_OFFICE_HOURS,
    cutoff: time | None = None,
) -> DueDate:
    """The appointment for a dossier received at ``received_at`` (pure: no clock, no I/O)."""
    received = _local(received_at)
    start, adjustment = counting_start(received, calendar, hours, cutoff)

    if duration.unit is DurationUnit.WORKING_DAYS:
        due = _at(calendar.add_working_days(start.date(), duration.days), hours.closing)
    elif duration.unit is DurationUnit.WORKING_HOURS:
        due = _add_working_time(start, timedelta(hours=float(duration.value)), calendar, hours)
    else:
        nominal = start.date() + timedelta(days=duration.days)
        due = _at(calendar.working_day_on_or_after(nominal), hours.closing)

    span = list(calendar.days_between(received.date(), due.date()))
    skipped = tuple(SkippedDay(d, calendar.why_off(d)) for d in span if not calendar.is_working_day(d))
    if duration.unit is DurationUnit.CALENDAR_DAYS:
        # Calendar days count days off; only those the due date was pushed past, or that moved the
        # start, were skipped.
        skipped = tuple(s for s in skipped if s.day < start.date() or s.day >= nominal)
    makeup = tuple(e for d in span if (e := calendar.special.get(d)) is not None and calendar.is_working_day(d))
    return DueDate(
        due_at=due,
        received_at=received,
        counting_from=start,
        duration=duration,
        cutoff=cutoff,
        adjustment=adjustment,
        calendar_version=calendar.version,
        skipped=skipped,
        makeup_days=makeup,
    )
