"""Codes citizens see: dossier codes (mã hồ sơ) and queue ticket numbers.

Dossier code: ``<agency code>-YYMMDD-NNNN`` (Circular 01/2018 Art. 19, DOMAIN.md §2), e.g.
``000.00.01.H26-250314-0012``: the receiving unit's electronic agency code, the date of receipt and a
four-digit sequence within the day. The sequence never passes 9999; asking for more is an explicit
error, never a wrapped or five-digit code.

Ticket number: a service prefix of 1–3 capital letters and a per-day number, zero-padded to three
digits (``A015``); up to 9999 a day per service.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from counterapp.domain.errors import DomainError, ValidationFailed

MAX_DOSSIER_SEQUENCE = 9999
MAX_TICKET_NUMBER = 9999

# V1V2V3.Z1Z2.Y1Y2.MX1X2 — four dot-separated groups; the last names the province or ministry (H26, G01).
_AGENCY = re.compile(r"[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9]{2}")
_DOSSIER = re.compile(rf"({_AGENCY.pattern})-(\d{{2}})(\d{{2}})(\d{{2}})-(\d{{4}})")
_PREFIX = re.compile(r"[A-Z]{1,3}")
_TICKET = re.compile(r"([A-Z]{1,3})(\d{3,4})")


class SequenceExhausted(DomainError):
    """The day's numbers are used up (dossier codes past 9999, tickets past 9999)."""

    code = "code.sequence_exhausted"


@dataclass(frozen=True, slots=True, order=True)
class DossierCode:
    agency_code: str
    received_on: date
    sequence: int

    def __str__(self) -> str:
        return f"{self.agency_code}-{self.received_on:%y%m%d}-{self.sequence:04d}"


def validate_agency_code(agency_code: str, field: str = "agency_code") -> str:
    code = agency_code.strip().upper()
    if not _AGENCY.fullmatch(code):
        raise ValidationFailed.single(field, "agency_code.invalid")
    return code


def build_dossier_code(agency_code: str, received_on: date, sequence: int) -> DossierCode:
    """The code for the ``sequence``-th dossier of ``received_on``; 1 ≤ sequence ≤ 9999."""
    agency = validate_agency_code(agency_code)
    if sequence > MAX_DOSSIER_SEQUENCE:
        raise SequenceExhausted(
            "more than 9999 dossiers in one day for one agency code",
            kind="dossier",
            day=received_on.isoformat(),
            limit=MAX_DOSSIER_SEQUENCE,
        )
    if sequence < 1:
        raise ValidationFailed.single("sequence", "dossier_code.sequence_invalid")
    return DossierCode(agency, received_on, sequence)


def parse_dossier_code(text: str, field: str = "dossier_code") -> DossierCode:
    """Parse and validate ``000.00.01.H26-250314-0012``; spaces around and lower case are tolerated."""
    match = _DOSSIER.fullmatch(text.strip().upper())
    if match is None:
        raise ValidationFailed.single(field, "dossier_code.format")
    agency, yy, mm, dd, seq = match.groups()
    try:
        received_on = date(2000 + int(yy), int(mm), int(dd))
    except ValueError:
        raise ValidationFailed.single(field, "dossier_code.date") from None
    if int(seq) == 0:
        raise ValidationFailed.single(field, "dossier_code.sequence_invalid")
    return DossierCode(agency, received_on, int(seq))


def is_valid_dossier_code(text: str) -> bool:
    try:
        parse_dossier_code(text)
    except ValidationFailed:
        return False
    return True


@dataclass(frozen=True, slots=True, order=True)
class TicketNumber:
    prefix: str
    number: int

    def __str__(self) -> str:
        return f"{self.prefix}{self.number:03d}"


def validate_service_prefix(prefix: str, field: str = "service.prefix") -> str:
    value = prefix.strip().upper()
    if not _PREFIX.fullmatch(value):
        raise ValidationFailed.single(field, "ticket.prefix_invalid")
    return value


def build_ticket_number(prefix: str, number: int) -> TicketNumber:
    value = validate_service_prefix(prefix)
    if number > MAX_TICKET_NUMBER:
        raise SequenceExhausted(
            "more than 9999 tickets in one day for one service",
            kind="ticket",
            prefix=value,
            limit=MAX_TICKET_NUMBER,
        )
    if number < 1:
        raise ValidationFailed.single("ticket.number", "ticket.number_invalid")
    return TicketNumber(value, number)


def parse_ticket_number(text: str, field: str = "ticket") -> TicketNumber:
    match = _TICKET.fullmatch(text.strip().upper())
    if match is None or int(match.group(2)) == 0:
        raise ValidationFailed.single(field, "ticket.format")
    prefix, digits = match.groups()
    if len(digits) == 4 and digits.startswith("0"):
        raise ValidationFailed.single(field, "ticket.format")  # A0015 is not how any ticket prints
    return TicketNumber(prefix, int(digits))
