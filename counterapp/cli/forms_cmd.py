"""``counterapp supplement`` (Mẫu 02, phiếu yêu cầu bổ sung) and ``counterapp refuse`` (Mẫu 03, phiếu từ chối)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from counterapp.cli.client import add_client_options, read_form, user_id, when, writing
from counterapp.cli.common import print_json

SUPPLEMENT_HELP = (
    "Record a Mẫu 02 from a UTF-8 JSON object: dossier_code (a received dossier, which then waits for the "
    "supplement) or procedure_code (guidance before intake), applicant {name, …}, items [{name, originals, "
    "certified_copies, photocopies}] (everything missing, in one go), reason."
)
REFUSE_HELP = "Record a Mẫu 03 from a UTF-8 JSON object: procedure_code, applicant {name, …}, reason, legal_basis."


def add_parser(subparsers: Any) -> None:
    supplement = subparsers.add_parser(
        "supplement", help="request a supplement (Mẫu 02) from a form file", description=SUPPLEMENT_HELP
    )
    refuse = subparsers.add_parser("refuse", help="refuse a dossier (Mẫu 03) from a form file", description=REFUSE_HELP)
    for parser, run in ((supplement, run_supplement), (refuse, run_refuse)):
        parser.add_argument("--from", dest="form", required=True, type=Path, metavar="FILE.json", help="the form")
        add_client_options(parser)
        parser.set_defaults(run=run, parser=parser)


def run_supplement(args: argparse.Namespace) -> int:
    from counterapp.services import forms

    form = read_form(args.form)
    with writing(args) as (session, now):
        request = forms.request_supplement(session, form, now=now, user_id=user_id(args))
    if args.json:
        print_json(
            {
                "id": request.id,
                "reference": request.reference,
                "procedure_code": request.procedure_code,
                "procedure_name": request.procedure_name,
                "applicant": request.applicant,
                "items": list(request.items),
                "reason": request.reason,
                "created_at": when(request.created_at),
            }
        )
    else:
        print(f"{request.id}\t{request.reference or request.procedure_code}\t{len(request.items)} giấy tờ cần bổ sung")
    return 0


def run_refuse(args: argparse.Namespace) -> int:
    from counterapp.services import forms

    form = read_form(args.form)
    with writing(args) as (session, now):
        refusal = forms.refuse(session, form, now=now, user_id=user_id(args))
    if args.json:
        print_json(
            {
                "id": refusal.id,
                "procedure_code": refusal.procedure_code,
                "procedure_name": refusal.procedure_name,
                "applicant": refusal.applicant,
                "reason": refusal.reason,
                "legal_basis": refusal.legal_basis,
                "created_at": when(refusal.created_at),
            }
        )
    else:
        print(f"{refusal.id}\t{refusal.procedure_code}\t{when(refusal.created_at)}")
    return 0
