"""``counterapp register --date D``: the day's lines of the Sổ theo dõi hồ sơ; with ``--pdf FILE`` and/or
``--xlsx FILE`` the printable book (A4 landscape) and the workbook for the office are written instead."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from counterapp.cli.client import add_client_options, reading, table, when
from counterapp.cli.common import print_json
from counterapp.cli.dossier_cmd import STATUS_VI
from counterapp.cli.lease_cmd import iso_date


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("register", help="the day's dossier register (Sổ theo dõi hồ sơ)")
    p.add_argument("--date", required=True, type=iso_date, metavar="YYYY-MM-DD")
    p.add_argument("--pdf", type=Path, metavar="FILE", help="write the register as an A4 landscape PDF")
    p.add_argument("--xlsx", type=Path, metavar="FILE", help="write the register as an Excel workbook")
    add_client_options(p)
    p.set_defaults(run=run, parser=p)


def run_files(args: argparse.Namespace) -> int:
    """Render every file asked for, then write them: a refused date or a broken store writes nothing,
    and a file that cannot be written is one line on stderr and exit status 1."""
    from counterapp.services import register_export

    with reading(args) as (session, _):
        data = register_export.register_data(session, args.date)
    outputs: list[tuple[str, Path, bytes]] = []
    if args.pdf is not None:
        from counterapp.printing.register_pdf import register_pdf

        outputs.append(("pdf", args.pdf, register_pdf(data)))
    if args.xlsx is not None:
        outputs.append(("xlsx", args.xlsx, register_export.workbook_bytes(data)))
    for _, path, payload in outputs:
        try:
            path.write_bytes(payload)
        except OSError as exc:
            print(f"counterapp: error: {path}: cannot write ({exc.strerror or exc})", file=sys.stderr)
            return 1
    if args.json:
        print_json({"date": args.date.isoformat(), "lines": len(data.entries)}
                   | {kind: {"file": str(path), "bytes": len(payload)} for kind, path, payload in outputs})  # fmt: skip
    else:
        for _, path, _payload in outputs:
            print(path)
    return 0


def run(args: argparse.Namespace) -> int:
    from counterapp.services.dossiers import daily_register

    if args.pdf is not None or args.xlsx is not None:
        return run_files(args)
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
                     "note": r.note, "agency": r.agency, "transferred_at": when(r.transferred_at),
                     "result_received_at": when(r.result_received_at)}
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
