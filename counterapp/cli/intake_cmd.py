"""``counterapp intake --from FILE.json``: receive a dossier (tiếp nhận hồ sơ) from an intake form."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from counterapp.cli.client import add_client_options, read_form, user_id, when, writing
from counterapp.cli.common import print_json
from counterapp.cli.dossier_cmd import documents_to_json

FORM_HELP = (
    "The form is a UTF-8 JSON object: procedure_code, applicant {name, id_type, id_number, date_of_birth, sex, "
    "address, phone, email}, owner {…} (optional), documents [{code, originals, certified_copies, photocopies}], "
    "sets, return_mode (counter|postal), postal_address, note, ticket_id. Prints the dossier code and the "
    "appointment, tab-separated. A refused form writes nothing and uses no code number."
)


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("intake", help="receive a dossier from a form file", description=FORM_HELP)
    p.add_argument("--from", dest="form", required=True, type=Path, metavar="FILE.json", help="the intake form")
    add_client_options(p)
    p.set_defaults(run=run, parser=p)


def run(args: argparse.Namespace) -> int:
    from counterapp.services import intake

    form = read_form(args.form)
    with writing(args) as (session, now):
        result = intake.receive_dossier(session, form, now=now, user_id=user_id(args))
    dossier, due = result.dossier, result.due
    if not args.json:
        print(f"{dossier.code}\t{when(dossier.due_at)}")
        return 0
    data: dict[str, Any] = {
        "code": dossier.code,
        "id": dossier.id,
        "procedure_code": dossier.procedure_code,
        "received_at": when(dossier.received_at),
        "due_at": when(dossier.due_at),
        "calendar_version": dossier.calendar_version,
        "counting_from": when(due.counting_from),
        "skipped": [
            {"date": s.day.isoformat(), "reason": s.reason, "name_vi": s.name("vi"), "name_en": s.name("en")}
            for s in due.skipped
        ],
        "makeup_days": [e.day.isoformat() for e in due.makeup_days],
        "register": {"book": dossier.register_book, "line": dossier.register_line},
        "documents": documents_to_json(dossier.documents),
    }
    print_json(data)
    return 0
