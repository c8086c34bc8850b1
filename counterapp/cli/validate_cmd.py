"""``counterapp validate KIND VALUE``: prints ``ok`` or the error code; exit status 0 or 1."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime
from typing import Any

from counterapp.domain.codes import parse_dossier_code, parse_ticket_number
from counterapp.domain.duedate import VIETNAM_TZ
from counterapp.domain.errors import FieldError, ValidationFailed
from counterapp.domain.identity import check_cccd, check_cmnd
from counterapp.domain.phone import check_phone


def _raising(parse: Callable[[str], object]) -> Callable[[str], object]:
    def check(value: str) -> object:
        try:
            return parse(value)
        except ValidationFailed as exc:
            return exc.errors[0]

    return check


CHECKS: dict[str, Callable[[str], object]] = {
    # the centre's calendar day, not this machine's (a PC set to UTC is a day behind from 17:00)
    "cccd": lambda v: check_cccd(v, today=datetime.now(VIETNAM_TZ).date()),
    "cmnd": check_cmnd,
    "phone": check_phone,
    "dossier-code": _raising(parse_dossier_code),
    "ticket": _raising(parse_ticket_number),
}


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("validate", help="check a CCCD, CMND, phone number, dossier code or ticket")
    p.add_argument("kind", choices=list(CHECKS))
    p.add_argument("value")
    p.set_defaults(run=run, parser=p)


def run(args: argparse.Namespace) -> int:
    result = CHECKS[args.kind](args.value)
    if isinstance(result, FieldError):
        print(result.code)
        return 1
    print("ok")
    return 0
