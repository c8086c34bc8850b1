"""``counterapp support-bundle FILE.zip``: a zip for IT with versions, settings without secrets, the last
days of logs, the sync and outbox state (no payloads), the printers and the print queue's states, and facts
about the data directory (``counterapp.sync.support_bundle`` says what is in it and what never is)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from counterapp.cli.client import add_client_options, data_dir, open_data_dir
from counterapp.cli.common import print_json


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "support-bundle",
        help="write a zip for IT support: versions, settings, logs, sync and printer state (gói hỗ trợ)",
        description="Write FILE (a zip) with what IT needs to look into a problem: no credential, no key, "
        "no password and no citizen's data are ever put in it.",
    )
    p.add_argument("file", type=Path, metavar="FILE.zip")
    p.add_argument("--days", type=int, default=7, metavar="N", help="log files of the last N days (default 7)")
    add_client_options(p)
    p.set_defaults(run=run_support_bundle, parser=p)


def run_support_bundle(args: argparse.Namespace) -> int:
    from counterapp.services.logfiles import setup_file_logging
    from counterapp.sync.support_bundle import build_support_bundle

    if args.days < 1:
        args.parser.error("--days must be at least 1")
    store = open_data_dir(args)
    path = data_dir(args)
    setup_file_logging(path, stderr=False)
    try:
        members = build_support_bundle(args.file, store, path, log_days=args.days)
    finally:
        store.close()
    if args.json:
        print_json({"file": str(args.file), "members": members})
    else:
        print(f"Đã tạo gói hỗ trợ {args.file} ({len(members)} tệp). Gửi tệp này cho bộ phận CNTT.")
    return 0
