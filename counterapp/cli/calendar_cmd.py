"""``counterapp calendar --year Y``: the weekdays off and the make-up working days of a year."""

from __future__ import annotations

import argparse
from typing import Any

from counterapp.cli.common import (
    WEEKDAYS_EN,
    WEEKDAYS_VI,
    add_calendar_option,
    calendar_from_args,
    print_json,
)
from counterapp.domain.calendar import DayKind, SpecialDay, WorkCalendar


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("calendar", help="list the days off and make-up working days of a year")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--lang", choices=("vi", "en"), default="vi")
    add_calendar_option(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=run, parser=p)


def changed_days(calendar: WorkCalendar, year: int) -> list[SpecialDay]:
    """Entries that change whether a day is worked: weekdays off and weekend days worked."""
    return [e for e in calendar.year_entries(year) if (e.kind is DayKind.OFF) != (e.day.weekday() in calendar.weekend)]


def run(args: argparse.Namespace) -> int:
    calendar = calendar_from_args(args)
    entries = changed_days(calendar, args.year)
    if args.json:
        print_json(
            {
                "year": args.year,
                "calendar_version": calendar.version,
                "days": [
                    {
                        "date": e.day.isoformat(),
                        "working": e.kind is DayKind.WORKDAY,
                        "category": e.category.value,
                        "name_vi": e.name_vi,
                        "name_en": e.name_en,
                        "basis": e.basis,
                        "provisional": e.provisional,
                    }
                    for e in entries
                ],
            }
        )
        return 0
    vi = args.lang == "vi"
    weekdays = WEEKDAYS_VI if vi else WEEKDAYS_EN
    print(("Lịch làm việc năm" if vi else "Working calendar") + f" {args.year} ({calendar.version})")
    for e in entries:
        working = e.kind is DayKind.WORKDAY
        status = ("làm bù" if working else "nghỉ") if vi else ("working" if working else "off")
        flag = (" [tạm tính]" if vi else " [provisional]") if e.provisional else ""
        day = f"{e.day.isoformat()}  {weekdays[e.day.weekday()]:<8}"
        print(f"{day}  {status:<7}  {e.name(args.lang)}{flag}  — {e.basis}")
    return 0
