"""``counterapp outbox list|count|export``: ops waiting to reach the server. Payloads carry personal data,
so they are never printed; the listing shows only sequence, id, kind, status and times. ``export`` writes
the unsent ops to a file signed with the counter's own key for ``counterapp-server import`` (a counter that
cannot reach the server before its PC is taken away); the file holds personal data: keep it like the paper
register. A counter enrolled before device keys that has not synced since has no key and cannot export."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from counterapp.cli.client import add_client_options, data_dir, reading, table, when
from counterapp.cli.common import print_json

STATUSES = ("pending", "applied", "duplicate", "rejected", "conflict")


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("outbox", help="changes waiting to be sent to the server (no payloads shown)")
    sub = p.add_subparsers(dest="action", required=True, metavar="list|count|export")
    listing = sub.add_parser("list", help="ops in sequence order, without their payloads")
    listing.add_argument("--status", choices=STATUSES, help="only ops with this status")
    listing.add_argument("--limit", type=int, default=100, metavar="N", help="at most N ops, newest last (default 100)")
    add_client_options(listing)
    listing.set_defaults(run=run_list, parser=listing)
    count = sub.add_parser("count", help="how many ops are pending")
    add_client_options(count)
    count.set_defaults(run=run_count, parser=count)
    export = sub.add_parser("export", help="write the unsent ops to a signed file for 'counterapp-server import'")
    export.add_argument("file", type=Path, metavar="FILE")
    add_client_options(export)
    export.set_defaults(run=run_export, parser=export)


def run_list(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from counterapp.store.sync_models import OutboxRow

    if args.limit < 1:
        args.parser.error("--limit must be at least 1")
    query = select(OutboxRow).order_by(OutboxRow.client_seq.desc()).limit(args.limit)
    if args.status:
        query = query.where(OutboxRow.status == args.status)
    with reading(args) as (session, _):
        rows = list(reversed(session.scalars(query).all()))
        ops = [
            {"client_seq": r.client_seq, "op_id": r.op_id, "kind": r.kind, "v": r.v, "status": r.status,
             "user_id": r.user_id, "wall_time": when(r.wall_time), "corrected_time": when(r.corrected_time),
             "acked_at": when(r.acked_at)}
            for r in rows
        ]  # fmt: skip
        lines = [[str(r.client_seq), r.op_id, f"{r.kind}@{r.v}", r.status, when(r.wall_time) or ""] for r in rows]
    if args.json:
        print_json({"ops": ops})
    elif not ops:
        print("Hộp thư đi trống.")
    else:
        table(lines)
    return 0


def run_count(args: argparse.Namespace) -> int:
    from counterapp.store.outbox import pending_count

    with reading(args) as (session, _):
        count = pending_count(session)
    if args.json:
        print_json({"pending": count})
    else:
        print(count)
    return 0


def run_export(args: argparse.Namespace) -> int:
    from counterapp.cli.client import open_data_dir
    from counterapp.sync.outbox_export import export_pending

    store = open_data_dir(args)
    try:
        exported = export_pending(store, data_dir(args), args.file)
    finally:
        store.close()
    ops = exported.op_ids
    if args.json:
        print_json({"file": str(args.file), "ops": len(ops)})
    else:
        print(f"Đã xuất {len(ops)} thay đổi chưa gửi ra {args.file}.")
    return 0
