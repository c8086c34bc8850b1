"""The working-day calendar: the bundled file plus any override files, the overrides winning."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

from counterapp.datafiles.jsonfile import DataFileError, read_json_object
from counterapp.datafiles.paths import resource
from counterapp.domain.calendar import (
    CalendarDataError,
    CalendarOverride,
    WorkCalendar,
    calendar_from_mapping,
    override_from_mapping,
)

BUNDLED_CALENDAR = "calendar/vn-holidays.json"


def read_calendar(path: Path) -> WorkCalendar:
    try:
        return calendar_from_mapping(read_json_object(path))
    except CalendarDataError as exc:
        raise DataFileError(f"{path}: {exc}") from None


def read_override(path: Path) -> CalendarOverride:
    try:
        return override_from_mapping(read_json_object(path))
    except CalendarDataError as exc:
        raise DataFileError(f"{path}: {exc}") from None


@cache
def bundled_calendar() -> WorkCalendar:
    return read_calendar(resource(BUNDLED_CALENDAR))


def load_calendar(overrides: Sequence[Path] = ()) -> WorkCalendar:
    """The bundled calendar with each override file applied in order."""
    calendar = bundled_calendar()
    for path in overrides:
        calendar = calendar.with_override(read_override(path))
    return calendar
