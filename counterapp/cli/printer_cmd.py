"""``counterapp printer add|list|remove``: the printers this counter may use."""

from __future__ import annotations

import argparse
from typing import Any

from counterapp.cli.client import add_client_options, reading, table, writing
from counterapp.cli.common import print_json

KINDS = ("network", "usb", "serial", "file", "win32raw", "cups", "pdf-folder", "pdf-system")


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("printer", help="configure the printers of this counter")
    sub = p.add_subparsers(dest="action", required=True, metavar="add|list|remove")
    add = sub.add_parser(
        "add",
        help="add or replace a printer",
        description="Thermal (ESC/POS raster): network, usb, serial, file, win32raw, cups. "
        "PDF forms: pdf-folder, pdf-system.",
    )
    add.add_argument("name")
    add.add_argument("--kind", required=True, choices=KINDS)
    add.add_argument("--profile", default="80mm", help="thermal paper and model: 80mm, 58mm, 80mm-noqr")
    add.add_argument("--paper", choices=("a4", "a5"), default="a4", help="PDF paper size")
    add.add_argument("--host", default="")
    add.add_argument("--port", type=int, default=9100)
    add.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for the printer")
    add.add_argument("--device", default="", help="file or serial device, e.g. /dev/usb/lp0, COM3")
    add.add_argument("--baudrate", type=int, default=115200)
    add.add_argument("--usb-vendor", default="0", help="USB vendor id, e.g. 0x04b8")
    add.add_argument("--usb-product", default="0", help="USB product id, e.g. 0x0e15")
    add.add_argument("--queue", default="", help="the system printer name (win32raw, cups, pdf-system)")
    add.add_argument("--folder", default="", help="where pdf-folder writes the PDFs")
    add_client_options(add)
    add.set_defaults(run=run_add, parser=add)
    listing = sub.add_parser("list", help="the configured printers")
    add_client_options(listing)
    listing.set_defaults(run=run_list, parser=listing)
    remove = sub.add_parser("remove", help="forget a printer")
    remove.add_argument("name")
    add_client_options(remove)
    remove.set_defaults(run=run_remove, parser=remove)


def run_add(args: argparse.Namespace) -> int:
    from counterapp.services.printing import save_printer

    keys = ("name", "kind", "profile", "paper", "host", "port", "timeout", "device", "baudrate", "usb_vendor",
            "usb_product", "queue", "folder")  # fmt: skip
    raw = {key: getattr(args, key) for key in keys}
    with writing(args) as (session, _now):
        config = save_printer(session, raw)
    if args.json:
        print_json(config.to_mapping())
    else:
        print(f"Đã lưu máy in {config.name} ({config.kind})")
    return 0


def run_list(args: argparse.Namespace) -> int:
    from counterapp.services.printing import printers

    with reading(args) as (session, _now):
        configured = printers(session)
    if args.json:
        print_json([c.to_mapping() for c in configured.values()])
        return 0
    rows = [["TÊN", "LOẠI", "KHỔ", "ĐỊA CHỈ"]]
    for c in configured.values():
        where = (f"{c.host}:{c.port}" if c.host else "") or c.device or c.queue or c.folder
        rows.append([c.name, str(c.kind), c.paper if c.kind.is_pdf else c.profile, where])
    table(rows)
    return 0


def run_remove(args: argparse.Namespace) -> int:
    from counterapp.services.printing import remove_printer

    with writing(args) as (session, _now):
        remove_printer(session, args.name)
    print(f"Đã xóa máy in {args.name}")
    return 0
