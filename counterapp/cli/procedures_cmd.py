"""``counterapp procedures list|show``: the bundled procedure catalogue."""

from __future__ import annotations

import argparse
from typing import Any

from counterapp.cli.common import print_json
from counterapp.datafiles.catalogue import demo_catalogue
from counterapp.domain.procedure import Procedure

UNIT_VI = {"working_days": "ngày làm việc", "working_hours": "giờ làm việc", "calendar_days": "ngày"}


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("procedures", help="the procedure catalogue (demo data)")
    sub = p.add_subparsers(dest="action", required=True, metavar="list|show")
    listing = sub.add_parser("list", help="list procedures, optionally filtered")
    listing.add_argument("--search", default="", help="words to find, diacritics optional")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=run_list, parser=listing)
    show = sub.add_parser("show", help="show one procedure")
    show.add_argument("code")
    show.add_argument("--json", action="store_true")
    show.set_defaults(run=run_show, parser=show)


def duration_label(p: Procedure, *, short: bool = False) -> str:
    value = p.duration.value
    if p.duration.unit.value == "working_days" and value == 0:
        text = "trong ngày"
    else:
        text = f"{value.normalize():f} {UNIT_VI[p.duration.unit.value]}"
    if p.cutoff is None:
        return text
    return text + (f" (≤{p.cutoff:%H:%M})" if short else f" (sau {p.cutoff:%H:%M} tính từ ngày làm việc tiếp theo)")


def procedure_to_json(p: Procedure) -> dict[str, Any]:
    return {
        "code": p.code,
        "name": p.name,
        "sector_code": p.sector_code,
        "sector": p.sector,
        "agency": p.agency,
        "level": p.level,
        "duration": {"value": str(p.duration.value), "unit": p.duration.unit.value},
        "cutoff": p.cutoff.strftime("%H:%M") if p.cutoff else None,
        "duration_text": p.duration_text,
        "components": [
            {
                "code": c.code,
                "name": c.name,
                "required": c.required,
                "originals": c.originals,
                "certified_copies": c.certified_copies,
                "photocopies": c.photocopies,
            }
            for c in p.components
        ],
        "fee_text": p.fee_text,
        "return_options": [o.value for o in p.return_options],
        "legal_basis": p.legal_basis,
        "valid_from": p.valid_from.isoformat() if p.valid_from else None,
        "valid_to": p.valid_to.isoformat() if p.valid_to else None,
    }


def run_list(args: argparse.Namespace) -> int:
    catalogue = demo_catalogue()
    found = catalogue.search(args.search, limit=10_000)
    if args.json:
        print_json(
            {
                "version": catalogue.version,
                "demo": catalogue.demo,
                "procedures": [procedure_to_json(p) for p in found],
            }
        )
        return 0
    for p in found:
        print(f"{p.code:<10} {p.sector_code:<10} {duration_label(p, short=True):<20} {p.name}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    p = demo_catalogue().get(args.code)
    if args.json:
        print_json(procedure_to_json(p))
        return 0
    print(f"{p.code} — {p.name}")
    print(f"Lĩnh vực: {p.sector}    Cơ quan: {p.agency}")
    print(f"Thời hạn giải quyết: {duration_label(p)}")
    if p.duration_text:
        print(f"  {p.duration_text}")
    print("Thành phần hồ sơ (bản chính / bản sao chứng thực / bản photo):")
    for i, c in enumerate(p.components, 1):
        mark = "*" if c.required else " "
        print(f" {i:>2}.{mark} {c.name}  [{c.originals}/{c.certified_copies}/{c.photocopies}]")
    if p.fee_text:
        print(f"Phí, lệ phí: {p.fee_text}")
    options = {"counter": "tại quầy", "postal": "qua dịch vụ bưu chính công ích"}
    print("Nhận kết quả: " + ", ".join(options[o.value] for o in p.return_options))
    if p.legal_basis:
        print(f"Căn cứ pháp lý: {p.legal_basis}")
    return 0
