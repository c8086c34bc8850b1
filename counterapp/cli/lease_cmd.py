"""``counterapp lease grant|list``: number leases (dossier codes, walk-in tickets) held by this device."""

from __future__ import annotations

import argparse
from datetime import date
from typing import TYPE_CHECKING, Any

from counterapp.cli.client import add_client_options, reading, table, writing
from counterapp.cli.common import print_json
from counterapp.domain.codes import validate_service_prefix
from counterapp.domain.errors import ValidationFailed

if TYPE_CHECKING:
    from counterapp.services.leases import Lease

KINDS = {"dossier-code": "dossier_code", "ticket": "ticket"}  # LeaseKind values
GRANT_HELP = (
    "ADMIN COMMAND FOR A STANDALONE COUNTER ONLY. A connected counter receives its leases from the server; "
    "recording one by hand there could hand out numbers another device also holds. Records a block of dossier-code "
    "sequence numbers (scope: this device's agency code) or walk-in ticket numbers (scope: the service prefix) "
    "for one date."
)


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date: {text!r} (e.g. 2025-03-14)") from None


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("lease", help="number leases of this device (cấp dải số)")
    sub = p.add_subparsers(dest="action", required=True, metavar="grant|list")
    grant = sub.add_parser(
        "grant", help="ADMIN, standalone counter only: record a number lease", description=GRANT_HELP
    )
    grant.add_argument("--kind", required=True, choices=sorted(KINDS))
    grant.add_argument("--date", required=True, type=iso_date, metavar="YYYY-MM-DD", help="the only date it is valid")
    grant.add_argument("--from", dest="start", required=True, type=int, metavar="A", help="first number")
    grant.add_argument("--to", dest="end", required=True, type=int, metavar="B", help="last number (inclusive)")
    grant.add_argument("--prefix", metavar="P", help="the ticket prefix of a queue service (required for tickets)")
    add_client_options(grant)
    grant.set_defaults(run=run_grant, parser=grant)
    listing = sub.add_parser("list", help="leases held, with the numbers left")
    listing.add_argument("--date", type=iso_date, metavar="YYYY-MM-DD", help="only leases for this date")
    add_client_options(listing)
    listing.set_defaults(run=run_list, parser=listing)


def lease_to_json(lease: Lease) -> dict[str, Any]:
    return {
        "id": lease.id,
        "kind": lease.kind.value,
        "scope": lease.scope,
        "date": lease.day.isoformat(),
        "from": lease.range_start,
        "to": lease.range_end,
        "next": lease.next_value,
        "remaining": lease.remaining,
        "source": lease.source,
    }


def _lease_row(lease: Lease) -> list[str]:
    return [
        lease.day.isoformat(),
        lease.kind.value,
        lease.scope,
        f"{lease.range_start}–{lease.range_end}",
        f"tiếp theo {lease.next_value}" if lease.remaining else "hết số",
        f"còn {lease.remaining}",
        lease.source,
    ]


def run_grant(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from counterapp.services.device import get_device
    from counterapp.services.leases import LeaseKind, grant_lease
    from counterapp.store.reference_models import QueueServiceRow

    kind = LeaseKind(KINDS[args.kind])
    if kind is LeaseKind.TICKET and not args.prefix:
        args.parser.error("a ticket lease needs --prefix (the queue service's ticket prefix)")
    if kind is LeaseKind.DOSSIER_CODE and args.prefix:
        args.parser.error("--prefix is only for --kind ticket (dossier codes use the device's agency code)")
    with writing(args) as (session, now):
        if kind is LeaseKind.TICKET:
            scope = validate_service_prefix(args.prefix, "prefix")
            if session.scalars(select(QueueServiceRow).where(QueueServiceRow.prefix == scope)).first() is None:
                raise ValidationFailed.single("prefix", "prefix.unknown", prefix=scope)
        else:
            scope = get_device(session).agency_code
        lease = grant_lease(
            session, kind=kind, scope=scope, day=args.date, start=args.start, end=args.end, now=now, source="standalone"
        )
    if args.json:
        print_json(lease_to_json(lease))
    else:
        table([_lease_row(lease)])
    return 0


def run_list(args: argparse.Namespace) -> int:
    from counterapp.services.leases import leases

    with reading(args) as (session, _):
        found = leases(session, day=args.date)
    if args.json:
        print_json({"leases": [lease_to_json(lease) for lease in found]})
    elif not found:
        print("Không có dải số nào." + (f" ({args.date.isoformat()})" if args.date else ""))
    else:
        table([_lease_row(lease) for lease in found])
    return 0
