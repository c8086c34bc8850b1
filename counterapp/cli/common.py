"""Shared pieces of the command line: argument errors, option types, JSON output."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, time
from pathlib import Path
from typing import Any, NoReturn

from counterapp.datafiles.calendar import load_calendar
from counterapp.domain.calendar import WorkCalendar
from counterapp.domain.errors import ValidationFailed
from counterapp.domain.office_hours import OfficeHours, parse_hhmm

WEEKDAYS_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class ArgumentParser(argparse.ArgumentParser):
    """argparse, but a bad argument gives exactly one line on stderr and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"counterapp: error: {message}\n")


def local_datetime(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date-time: {text!r} (e.g. 2025-03-14T15:30)") from None
    return moment


def hhmm(text: str) -> time:
    try:
        return parse_hhmm(text, "time")
    except ValidationFailed:
        raise argparse.ArgumentTypeError(f"not a time of day: {text!r} (e.g. 15:00)") from None


def office_hours(text: str) -> OfficeHours:
    try:
        return OfficeHours.parse(text)
    except ValidationFailed:
        raise argparse.ArgumentTypeError(f"not office hours: {text!r} (e.g. 08:00-12:00,13:00-17:00)") from None


def add_calendar_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--calendar-override",
        metavar="FILE",
        type=Path,
        action="append",
        default=[],
        help="a calendar override file (days added or removed); may be given more than once",
    )


def calendar_from_args(args: argparse.Namespace) -> WorkCalendar:
    return load_calendar(args.calendar_override)


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def iso_minutes(moment: datetime) -> str:
    return moment.isoformat(timespec="minutes" if moment.second == 0 else "seconds")
