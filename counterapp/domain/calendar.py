"""The working-day calendar: weekends, public holidays, compensatory days, swapped days and make-up days.

The calendar is data (a bundled, versioned file plus optional overrides, see ``counterapp.datafiles``);
this module only interprets it. A day outside the years the data covers raises
:class:`CalendarNotCovered` rather than guessing, because a due date printed on a receipt must never
come from a stale calendar (DOMAIN.md §3.3).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from counterapp.domain.errors import DomainError
from counterapp.domain.text import clean

_ONE_DAY = timedelta(days=1)


class DayKind(StrEnum):
    OFF = "off"  # not worked although it may be a weekday
    WORKDAY = "workday"  # worked although it is a weekend day (make-up Saturday)


class DayCategory(StrEnum):
    HOLIDAY = "holiday"  # statutory public holiday (Labour Code 2019 Art. 112)
    COMPENSATORY = "compensatory"  # nghỉ bù: a holiday fell on a weekend
    SWAP = "swap"  # weekday off, repaid by a make-up day
    MAKEUP = "makeup"  # weekend day worked to repay a swap
    EXTRA = "extra"  # any other official day off
    LOCAL = "local"  # a centre's own closure or opening, added by an override


class CalendarNotCovered(DomainError):
    code = "calendar.not_covered"


class CalendarDataError(DomainError):
    code = "calendar.data_invalid"


@dataclass(frozen=True, slots=True)
class SpecialDay:
    """A date whose status differs from the plain weekday/weekend rule, or a named holiday."""

    day: date
    kind: DayKind
    category: DayCategory
    name_vi: str
    name_en: str
    basis: str
    provisional: bool = False

    def name(self, lang: str = "vi") -> str:
        return self.name_en if lang == "en" else self.name_vi


@dataclass(frozen=True, slots=True)
class WorkCalendar:
    version: str
    years: frozenset[int]
    weekend: frozenset[int] = frozenset({5, 6})
    special: Mapping[date, SpecialDay] = field(default_factory=dict)

    def covers(self, day: date) -> bool:
        return day.year in self.years

    def _check(self, day: date) -> None:
        if day.year not in self.years:
            raise CalendarNotCovered(
                f"the working-day calendar {self.version} has no data for {day.year}",
                year=day.year,
                version=self.version,
            )

    def is_working_day(self, day: date) -> bool:
        self._check(day)
        entry = self.special.get(day)
        if entry is not None:
            return entry.kind is DayKind.WORKDAY
        return day.weekday() not in self.weekend

    def why_off(self, day: date) -> SpecialDay | None:
        """The special entry that makes ``day`` a day off, or ``None`` (then it is a plain weekend day)."""
        entry = self.special.get(day)
        return entry if entry is not None and entry.kind is DayKind.OFF else None

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        day += _ONE_DAY
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def working_day_on_or_after(self, day: date) -> date:
        return day if self.is_working_day(day) else self.next_working_day(day)

    def add_working_days(self, day: date, count: int) -> date:
        """The ``count``-th working day after ``day``; ``day`` itself is not counted."""
        for _ in range(count):
            day = self.next_working_day(day)
        return day

    def days_between(self, first: date, last: date) -> Iterator[date]:
        """Every date from ``first`` to ``last`` inclusive."""
        day = first
        while day <= last:
            yield day
            day += _ONE_DAY

    def year_entries(self, year: int) -> list[SpecialDay]:
        self._check(date(year, 1, 1))
        return sorted((e for d, e in self.special.items() if d.year == year), key=lambda e: e.day)

    def with_override(self, override: CalendarOverride) -> WorkCalendar:
        special = dict(self.special)
        for day in override.remove:
            special.pop(day, None)
        for entry in override.add:
            special[entry.day] = entry
        return replace(
            self,
            version=f"{self.version}+{override.version}",
            years=self.years | override.years,
            special=MappingProxyType(special),
        )


@dataclass(frozen=True, slots=True)
class CalendarOverride:
    """Local or server-synced changes: days added (or replaced), days removed, years newly covered."""

    version: str
    add: tuple[SpecialDay, ...] = ()
    remove: tuple[date, ...] = ()
    years: frozenset[int] = frozenset()


# --- parsing the data file (a JSON-like mapping; reading the file is the caller's job) --------------


def _require(data: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in data:
        raise CalendarDataError(f"{where}: missing '{key}'", key=key, where=where)
    return data[key]


def _parse_date(value: Any, where: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise CalendarDataError(f"{where}: bad date {value!r}", where=where) from None


def special_day_from_mapping(raw: Mapping[str, Any], where: str) -> SpecialDay:
    day = _parse_date(_require(raw, "date", where), where)
    where = f"{where} ({day.isoformat()})"
    try:
        kind = DayKind(_require(raw, "kind", where))
        category = DayCategory(_require(raw, "category", where))
    except ValueError as exc:
        raise CalendarDataError(f"{where}: {exc}", where=where) from None
    entry = SpecialDay(
        day=day,
        kind=kind,
        category=category,
        name_vi=clean(str(_require(raw, "name_vi", where))),
        name_en=clean(str(raw.get("name_en") or raw["name_vi"])),
        basis=clean(str(_require(raw, "basis", where))),
        provisional=bool(raw.get("provisional", False)),
    )
    if kind is DayKind.WORKDAY and category not in (DayCategory.MAKEUP, DayCategory.LOCAL):
        raise CalendarDataError(f"{where}: a working day must be a make-up or local day", where=where)
    return entry


def _parse_years(raw: Any, where: str) -> frozenset[int]:
    if not isinstance(raw, list) or not all(isinstance(y, int) for y in raw):
        raise CalendarDataError(f"{where}: 'years' must be a list of integers", where=where)
    return frozenset(raw)


def calendar_from_mapping(data: Mapping[str, Any]) -> WorkCalendar:
    """Build a calendar from the bundled file's structure (schema 1), checking it thoroughly."""
    if data.get("schema") != 1:
        raise CalendarDataError("unsupported calendar schema", schema=data.get("schema"))
    years = _parse_years(_require(data, "years", "calendar"), "calendar")
    weekend = frozenset(int(d) for d in data.get("weekend", (5, 6)))
    special: dict[date, SpecialDay] = {}
    for index, raw in enumerate(_require(data, "days", "calendar")):
        entry = special_day_from_mapping(raw, f"days[{index}]")
        if entry.day in special:
            raise CalendarDataError(f"days[{index}]: {entry.day} listed twice", where=f"days[{index}]")
        if entry.day.year not in years:
            raise CalendarDataError(f"days[{index}]: {entry.day} outside the covered years")
        if entry.kind is DayKind.WORKDAY and entry.day.weekday() not in weekend:
            raise CalendarDataError(f"days[{index}]: make-up day {entry.day} is not a weekend day")
        special[entry.day] = entry
    return WorkCalendar(
        version=str(_require(data, "version", "calendar")),
        years=years,
        weekend=weekend,
        special=MappingProxyType(special),
    )


def override_from_mapping(data: Mapping[str, Any]) -> CalendarOverride:
    """An override: ``{"schema": 1, "version": …, "years": [...], "add": [...], "remove": [dates]}``."""
    if data.get("schema") != 1:
        raise CalendarDataError("unsupported calendar override schema", schema=data.get("schema"))
    add = tuple(special_day_from_mapping(raw, f"add[{i}]") for i, raw in enumerate(data.get("add", ())))
    remove = tuple(_parse_date(raw, f"remove[{i}]") for i, raw in enumerate(data.get("remove", ())))
    return CalendarOverride(
        version=str(_require(data, "version", "override")),
        add=add,
        remove=remove,
        years=_parse_years(data.get("years", []), "override"),
    )
