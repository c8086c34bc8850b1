"""Whether a pushed fact's number is one its device could hold: a dossier code from the lease it names, a
walk-in ticket's number clear of the numbers the server hands out online."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from counterapp.domain.codes import parse_ticket_number
from counterapp.domain.errors import DomainError
from counterapp.protocol import payloads
from counterapp.server.models.numbers import CodeLease
from counterapp.server.services import numbers

__all__ = ["keep_online_numbering_clear", "lease_problem"]


def keep_online_numbering_clear(session: Session, centre_id: str, p: payloads.TicketIssueV1) -> None:
    """A walk-in's number comes from a lease of the reserved range; one from the online range (a counter
    given an old or foreign lease) is kept, and the online numbering of its prefix moves past it."""
    try:
        number = parse_ticket_number(p.number)
    except DomainError:
        return  # not a printed ticket number: the online numbering never makes it
    numbers.pass_over(session, centre_id, numbers.TICKET, number.prefix, p.issued_on, number.number)


def lease_problem(
    session: Session, agency_code: str, device_id: str, leases: dict[str, CodeLease], p: payloads.DossierCreateV1
) -> str | None:
    """Why the code is not one this device could have issued, if it is not: another agency's code, or a
    number outside the lease it names (a code from ``/v1/codes/next`` has no lease). ``leases``: those the
    batch's reads already found."""
    agency, day_text, number_text = p.code.rsplit("-", 2)
    if agency != agency_code:
        return "dossier.code_foreign"
    if p.lease_id is None:
        return None
    lease = leases.get(p.lease_id) or session.get(CodeLease, p.lease_id)
    day = datetime.strptime(day_text, "%y%m%d").date()
    if lease is None or lease.device_id != device_id or lease.day != day:
        return "dossier.code_outside_lease"
    return None if lease.range_start <= int(number_text) <= lease.range_end else "dossier.code_outside_lease"
