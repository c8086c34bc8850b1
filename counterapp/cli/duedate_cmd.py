"""``counterapp due-date``: the appointment for a receipt time and a duration."""

from __future__ import annotations

import argparse
from decimal import Decimal, InvalidOperation
from typing import Any

from counterapp.cli.common import (
    add_calendar_option,
    calendar_from_args,
    hhmm,
    iso_minutes,
    local_datetime,
    office_hours,
    print_json,
)
from counterapp.datafiles.catalogue import demo_catalogue
from counterapp.domain.duedate import DueDate, Duration, DurationUnit, compute_due
from counterapp.domain.office_hours import DEFAULT_OFFICE_HOURS

UNITS = {
    "working-days": DurationUnit.WORKING_DAYS,
    "hours": DurationUnit.WORKING_HOURS,
    "calendar-days": DurationUnit.CALENDAR_DAYS,
}


def _amount(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value.is_finite() or value < 0:
        raise argparse.ArgumentTypeError(f"must be zero or more: {text!r}")
    return value


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "due-date",
        help="compute an appointment date (ngày hẹn trả)",
        description="Print the appointment as an ISO local date-time, e.g. 2025-03-21T17:00.",
    )
    p.add_argument("--received", required=True, type=local_datetime, help="receipt time, e.g. 2025-03-14T15:30")
    p.add_argument("--duration", type=_amount, help="how many units (hours may be fractional)")
    p.add_argument("--unit", choices=sorted(UNITS), default="working-days", help="default: working-days")
    p.add_argument("--cutoff", type=hhmm, help="receipt at or after this time counts from the next working day")
    p.add_argument("--procedure", metavar="CODE", help="take duration, unit and cut-off from the catalogue")
    p.add_argument(
        "--office-hours",
        type=office_hours,
        default=DEFAULT_OFFICE_HOURS,
        help="default: 08:00-12:00,13:00-17:00",
    )
    add_calendar_option(p)
    p.add_argument("--json", action="store_true", help="print the details as JSON")
    p.set_defaults(run=run, parser=p)


def run(args: argparse.Namespace) -> int:
    if args.procedure:
        procedure = demo_catalogue().get(args.procedure)
        duration, cutoff = procedure.duration, args.cutoff or procedure.cutoff
    elif args.duration is None:
        args.parser.error("due-date needs --duration (or --procedure)")
    else:
        duration, cutoff = Duration(args.duration, UNITS[args.unit]), args.cutoff
    due = compute_due(args.received, duration, calendar_from_args(args), args.office_hours, cutoff)
    if args.json:
        print_json(due_to_json(due, args.office_hours.format()))
    else:
        print(iso_minutes(due.due_at))
    return 0


def due_to_json(due: DueDate, hours: str) -> dict[str, Any]:
    return {
        "due_at": iso_minutes(due.due_at),
        "received_at": iso_minutes(due.received_at),
        "counting_from": iso_minutes(due.counting_from),
        "adjustment": due.adjustment.value if due.adjustment else None,
        "duration": {"value": str(due.duration.value), "unit": due.duration.unit.value},
        "cutoff": due.cutoff.strftime("%H:%M") if due.cutoff else None,
        "office_hours": hours,
        "calendar_version": due.calendar_version,
        "skipped": [
            {"date": s.day.isoformat(), "reason": s.reason, "name_vi": s.name("vi"), "name_en": s.name("en")}
            for s in due.skipped
        ],
        "makeup_days": [
            {"date": e.day.isoformat(), "name_vi": e.name_vi, "name_en": e.name_en, "basis": e.basis}
            for e in due.makeup_days
        ],
    }
