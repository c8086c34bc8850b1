"""``counterapp register --date D``: the day's lines of the Sổ theo dõi hồ sơ."""

from __future__ import annotations

import argparse
from typing import Any

from counterapp.cli.client import add_client_options, reading, table, when
from counterapp.cli.common import print_json
from counterapp.cli.dossier_cmd import STATUS_VI
from counterapp.cli.lease_cmd import iso_date


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("register", help="the day's dossier register (Sổ theo dõi hồ sơ)")
    p.add_argument("--date", required=True, type=iso_date, metavar="YYYY-MM-DD")
    add_client_options(p)
    p.set_defaults(run=run, parser=p)


def run(args: argparse.Namespace) -> int:
    from counterapp.services.dossiers import daily_register

    with reading(args) as (session, _):
        lines = daily_register(session, args.date)
    if args.json:
        print_json(
            {
                "date": args.date.isoformat(),
                "lines": [
                    {"line": r.line, "code": r.code, "procedure_name": r.procedure_name, "sets": r.sets,
                     "owner_name": r.owner_name, "address": r.address, "phone": r.phone,
                     "received_at": when(r.received_at), "due_at": when(r.due_at),
                     "returned_at": when(r.returned_at), "returned_to": r.returned_to, "status": r.status.value,
                     "note": r.note}
                    for r in lines
                ],
            }
        )  # fmt: skip
        return 0
    if not lines:
        print(f"Sổ theo dõi hồ sơ ngày {args.date:%d/%m/%Y}: không có hồ sơ.")
        return 0
    print(f"Sổ theo dõi hồ sơ ngày {args.date:%d/%m/%Y}")
    table(
        [["STT", "Mã hồ sơ", "Nhận lúc", "Hẹn trả", "Trạng thái", "Số bộ", "Người nộp / thủ tục"]]
        + [
            [str(r.line), r.code, f"{r.received_at:%H:%M}", f"{r.due_at:%d/%m %H:%M}" if r.due_at else "—",
             STATUS_VI.get(r.status.value, r.status.value), str(r.sets),
             f"{r.owner_name or '—'} — {r.procedure_name}"]
            for r in lines
        ]
    )  # fmt: skip
    return 0
