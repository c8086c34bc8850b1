"""``counterapp purge``: remove personal data of synced records past the retention period (DOMAIN.md §6)."""

from __future__ import annotations

import argparse
from typing import Any

from counterapp.cli.client import add_client_options, when, writing
from counterapp.cli.common import print_json


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "purge",
        help="remove personal data of synced records past the retention period",
        description="Records not yet sent to the server are never purged.",
    )
    p.add_argument("--older-than-days", type=int, metavar="N", help="retention in days (default: the centre's setting)")
    add_client_options(p)
    p.set_defaults(run=run, parser=p)


def run(args: argparse.Namespace) -> int:
    from counterapp.services.retention import purge_personal_data

    with writing(args) as (session, now):
        report = purge_personal_data(session, now=now, older_than_days=args.older_than_days)
    if args.json:
        print_json({"cutoff": when(report.cutoff), "dossiers": report.dossiers, "forms": report.forms})
    else:
        print(f"Đã xóa dữ liệu cá nhân trước {when(report.cutoff)}: {report.dossiers} hồ sơ, {report.forms} phiếu")
    return 0
