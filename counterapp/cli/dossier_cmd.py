"""``counterapp dossier show|search|return|amend|void``: dossiers in this counter's cache."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from counterapp.cli.client import add_client_options, read_form, reading, table, user_id, when, writing
from counterapp.cli.common import print_json
from counterapp.domain.dossier import DocumentReceived, Dossier

STATUS_VI = {
    "received": "mới tiếp nhận",
    "processing": "đang xử lý",
    "supplement_requested": "chờ bổ sung",
    "has_result": "có kết quả",
    "returned": "đã trả kết quả",
    "withdrawn": "đã rút",
}


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("dossier", help="dossiers in this counter's cache (hồ sơ)")
    sub = p.add_subparsers(dest="action", required=True, metavar="show|search|return|amend|void")
    show = sub.add_parser("show", help="one dossier with its documents and status history")
    show.add_argument("code", metavar="CODE")
    _finish(show, run_show)
    find = sub.add_parser("search", help="by code, CCCD/CMND, phone or name (diacritics optional); newest first")
    find.add_argument("text", metavar="TEXT")
    find.add_argument("--page", type=int, default=1, metavar="N", help="page number, from 1")
    find.add_argument("--page-size", type=int, default=20, metavar="M", help="results per page (default 20)")
    _finish(find, run_search)
    give = sub.add_parser("return", help="hand the result over (trả kết quả) and record who collected it")
    give.add_argument("code", metavar="CODE")
    give.add_argument("--to", dest="collected_by", required=True, metavar="NAME", help="who collected the result")
    give.add_argument("--note", metavar="TEXT")
    _finish(give, run_return)
    amend = sub.add_parser("amend", help="correct a dossier not yet sent to the server, from a whole intake form")
    amend.add_argument("code", metavar="CODE")
    amend.add_argument("--from", dest="form", required=True, type=Path, metavar="FILE.json", help="the intake form")
    _finish(amend, run_amend)
    void = sub.add_parser("void", help="withdraw a dossier received by mistake today at this counter (hủy tiếp nhận)")
    void.add_argument("code", metavar="CODE")
    void.add_argument("--reason", required=True, metavar="TEXT", help="why (kept in the history; up to 500 characters)")
    _finish(void, run_void)


def _finish(parser: argparse.ArgumentParser, run: Any) -> None:
    add_client_options(parser)
    parser.set_defaults(run=run, parser=parser)


def documents_to_json(documents: tuple[DocumentReceived, ...]) -> list[dict[str, Any]]:
    return [
        {"code": d.code, "name": d.name, "originals": d.originals, "certified_copies": d.certified_copies,
         "photocopies": d.photocopies}
        for d in documents
    ]  # fmt: skip


def dossier_to_json(d: Dossier) -> dict[str, Any]:
    return {
        "id": d.id, "code": d.code, "procedure_code": d.procedure_code, "procedure_name": d.procedure_name,
        "received_at": when(d.received_at), "due_at": when(d.due_at), "calendar_version": d.calendar_version,
        "status": d.status.value, "sets": d.sets, "return_mode": d.return_mode.value,
        "register": {"book": d.register_book, "line": d.register_line}, "counter": d.counter_number,
        "clerk_id": d.clerk_id,
        "applicant": {"name": d.applicant_name, "id_type": d.applicant_id_type, "id_number": d.applicant_id_number,
                      "phone": d.applicant_phone, "email": d.applicant_email, "address": d.applicant_address},
        "owner_name": d.owner_name, "postal_address": d.postal_address, "note": d.note,
        "documents": documents_to_json(d.documents),
        "history": [{"status": h.status.value, "at": when(h.at), "user_id": h.user_id, "note": h.note}
                    for h in d.history],
        "returned_at": when(d.returned_at), "returned_to": d.returned_to, "purged": d.purged,
        "sync_state": d.sync_state, "version": d.version,
    }  # fmt: skip


def print_dossier(d: Dossier) -> None:
    print(f"{d.code} — {d.procedure_name} ({d.procedure_code})")
    print(f"Trạng thái: {STATUS_VI.get(d.status.value, d.status.value)}    Đồng bộ: {d.sync_state}    Bản: {d.version}")
    print(f"Tiếp nhận: {when(d.received_at)}    Hẹn trả: {when(d.due_at) or '—'}    Số bộ: {d.sets}")
    if d.purged:
        print("Người nộp: (đã xóa dữ liệu cá nhân theo thời hạn lưu trữ)")
    else:
        ident = f"    {d.applicant_id_type}: {d.applicant_id_number}" if d.applicant_id_number else ""
        print(f"Người nộp: {d.applicant_name}{ident}")
        if d.applicant_phone or d.applicant_address:
            print(f"  {d.applicant_phone or ''}  {d.applicant_address or ''}".rstrip())
        if d.owner_name:
            print(f"Chủ hồ sơ: {d.owner_name}")
    if d.returned_at:
        print(f"Đã trả: {when(d.returned_at)} cho {d.returned_to or '—'}")
    if d.note:
        print(f"Ghi chú: {d.note}")
    print("Giấy tờ (bản chính / bản sao chứng thực / bản photo):")
    for i, doc in enumerate(d.documents, 1):
        print(f" {i:>2}. [{doc.originals}/{doc.certified_copies}/{doc.photocopies}] {doc.code}  {doc.name}")
    print("Lịch sử:")
    table(
        [
            [f"  {when(h.at)}", STATUS_VI.get(h.status.value, h.status.value), h.user_id or "", h.note or ""]
            for h in d.history
        ]
    )


def _show(args: argparse.Namespace, d: Dossier) -> int:
    if args.json:
        print_json(dossier_to_json(d))
    else:
        print_dossier(d)
    return 0


def run_show(args: argparse.Namespace) -> int:
    from counterapp.services import dossiers

    with reading(args) as (session, _):
        dossier = dossiers.show_dossier(session, args.code)
    return _show(args, dossier)


def run_search(args: argparse.Namespace) -> int:
    from counterapp.services import search

    with reading(args) as (session, _):
        page = search.search_dossiers(session, args.text, page=args.page, page_size=args.page_size)
    items = [
        {"code": s.code, "procedure_name": s.procedure_name, "applicant_name": s.applicant_name,
         "received_at": when(s.received_at), "due_at": when(s.due_at), "status": s.status.value}
        for s in page.items
    ]  # fmt: skip
    if args.json:
        print_json({"page": page.page, "page_size": page.page_size, "has_more": page.has_more, "items": items})
        return 0
    if not items:
        print("Không tìm thấy hồ sơ nào.")
        return 0
    table(
        [
            [
                s.code,
                f"{s.received_at:%d/%m/%Y}",
                STATUS_VI.get(s.status.value, s.status.value),
                s.applicant_name or "—",
            ]
            for s in page.items
        ]
    )
    if page.has_more:
        print(f"… còn nữa: --page {page.page + 1}")
    return 0


def run_return(args: argparse.Namespace) -> int:
    from counterapp.services import dossiers

    with writing(args) as (session, now):
        dossier = dossiers.return_result(
            session, args.code, collected_by=args.collected_by, now=now, user_id=user_id(args), note=args.note
        )
    if args.json:
        print_json(dossier_to_json(dossier))
    else:
        print(f"{dossier.code}\t{STATUS_VI['returned']}\t{when(dossier.returned_at)}")
    return 0


def run_amend(args: argparse.Namespace) -> int:
    from counterapp.services import intake

    form = read_form(args.form)
    with writing(args) as (session, now):
        dossier = intake.amend_dossier(session, args.code, form, now=now, user_id=user_id(args))
    return _show(args, dossier)


def run_void(args: argparse.Namespace) -> int:
    from counterapp.services import dossiers

    with writing(args) as (session, now):
        dossier = dossiers.void_dossier(session, args.code, args.reason, now=now, user_id=user_id(args))
    if args.json:
        print_json(dossier_to_json(dossier))
    else:
        print(f"{dossier.code}\t{STATUS_VI['withdrawn']}\t{when(dossier.history[-1].at)}")
    return 0
