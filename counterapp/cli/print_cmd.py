"""``counterapp print``: forms and tickets to a file (PDF, ESC/POS bytes) or through the print queue."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from counterapp.cli.client import add_client_options, corrected_now, open_data_dir, reading, table, user_id, when
from counterapp.cli.common import print_json

FORMS = {"01": "receipt_01", "02": "supplement_02", "03": "refusal_03"}


def _outputs(p: argparse.ArgumentParser) -> None:
    out = p.add_mutually_exclusive_group(required=True)
    out.add_argument("--pdf", type=Path, metavar="OUT.pdf", help="write the PDF form to a file")
    out.add_argument("--escpos", type=Path, metavar="OUT.bin", help="write the thermal printer's bytes to a file")
    out.add_argument("--printer", metavar="NAME", help="print through the queue to a configured printer")
    p.add_argument("--paper", choices=("a4", "a5"), default="a4", help="with --pdf")
    p.add_argument("--width", choices=("80", "58"), default="80", help="with --escpos: paper width in mm")


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("print", help="print receipts, forms and tickets; the print queue")
    sub = p.add_subparsers(dest="action", required=True, metavar="receipt|ticket|test|queue|retry|reprint")
    receipt = sub.add_parser("receipt", help="Mẫu 01 (or 02/03) of a dossier")
    receipt.add_argument("reference", metavar="CODE", help="dossier code (Mẫu 03: the refusal id)")
    receipt.add_argument("--form", choices=sorted(FORMS), default="01")
    _outputs(receipt)
    add_client_options(receipt)
    receipt.set_defaults(run=run_document, parser=receipt)
    ticket = sub.add_parser("ticket", help="a queue ticket slip of today")
    ticket.add_argument("reference", metavar="NUMBER")
    _outputs(ticket)
    add_client_options(ticket)
    ticket.set_defaults(run=run_document, parser=ticket, form=None)
    test = sub.add_parser("test", help="a test page (sample receipt) to a configured printer")
    test.add_argument("--printer", required=True, metavar="NAME")
    add_client_options(test)
    test.set_defaults(run=run_test, parser=test)
    queue = sub.add_parser("queue", help="the print jobs, newest first")
    queue.add_argument("--status", choices=("pending", "printed"))
    queue.add_argument("--limit", type=int, default=50)
    add_client_options(queue)
    queue.set_defaults(run=run_queue, parser=queue)
    retry = sub.add_parser("retry", help="send pending jobs again (all, or one)")
    retry.add_argument("job", nargs="?")
    add_client_options(retry)
    retry.set_defaults(run=run_retry, parser=retry)
    again = sub.add_parser("reprint", help="print a job again, marked as a reprint")
    again.add_argument("job")
    again.add_argument("--printer", metavar="NAME", help="another printer than the original job's")
    add_client_options(again)
    again.set_defaults(run=run_reprint, parser=again)


def _document(args: argparse.Namespace) -> Any:
    from counterapp.services.printing import Document

    return Document(FORMS[args.form]) if args.form else Document.TICKET


def run_document(args: argparse.Namespace) -> int:
    from counterapp.printing.printers import PrinterConfig, PrinterKind
    from counterapp.services import printing

    document = _document(args)
    if args.printer:
        return _through_queue(args, document)
    if args.pdf:
        config = PrinterConfig(name="file", kind=PrinterKind.PDF_FOLDER, paper=args.paper, folder=".")
        target = args.pdf
    else:
        config = PrinterConfig(name="file", kind=PrinterKind.FILE, profile=f"{args.width}mm", device=".")
        target = args.escpos
    with reading(args) as (session, now):
        rendered = printing.render_reference(session, document, args.reference, config, now)
    target.write_bytes(rendered.payload)
    if args.json:
        print_json({"file": str(target), "bytes": len(rendered.payload)})
    else:
        print(target)
    return 0


def _print_result(args: argparse.Namespace, job: Any) -> int:
    if args.json:
        print_json(_job_json(job))
    elif job.status == "printed":
        print(f"Đã in ({job.id})")
    else:
        print(f"Chưa in được, lệnh in vẫn chờ ({job.id}): {job.last_error}")
    return 0 if job.status == "printed" else 1


def _through_queue(args: argparse.Namespace, document: Any) -> int:
    from counterapp.services import printing
    from counterapp.services.device import get_device

    store = open_data_dir(args)
    try:
        with store.write() as session:
            now = corrected_now(get_device(session))
            job = printing.enqueue(session, document=document, reference=args.reference,
                                   printer_name=args.printer, now=now)  # fmt: skip
        return _print_result(args, printing.run_job(store, job.id, now=now, user_id=user_id(args)))
    finally:
        store.close()


def run_test(args: argparse.Namespace) -> int:
    from counterapp.printing.printers import PrinterError
    from counterapp.printing.samples import sample_receipt
    from counterapp.services import printing

    with reading(args) as (session, _now):
        config = printing.printer(session, args.printer)
    rendered = printing.render(sample_receipt(), printing.Document.RECEIPT, config)
    try:
        printing.deliver(config, rendered)
    except PrinterError as exc:
        print(f"Máy in {config.name} không in được: {exc}")
        return 1
    print(f"Đã gửi trang in thử tới {config.name}")
    return 0


def _job_json(job: Any) -> dict[str, Any]:
    return {
        "id": job.id,
        "document": job.document.value,
        "reference": job.reference,
        "printer": job.printer,
        "status": job.status,
        "attempts": job.attempts,
        "last_error": job.last_error,
        "error_code": job.error_code,
        "reprint_of": job.reprint_of,
        "created_at": when(job.created_at),
        "printed_at": when(job.printed_at),
    }


def run_queue(args: argparse.Namespace) -> int:
    from counterapp.services.printing import jobs

    with reading(args) as (session, _now):
        found = jobs(session, status=args.status, limit=args.limit)
    if args.json:
        print_json([_job_json(j) for j in found])
        return 0
    rows = [["LỆNH IN", "TÀI LIỆU", "SỐ", "MÁY IN", "TRẠNG THÁI", "LỖI"]]
    for j in found:
        state = j.status + (" (in lại)" if j.reprint_of else "")
        rows.append([j.id, j.document.value, j.reference, j.printer, state, j.last_error or ""])
    table(rows)
    return 0


def run_retry(args: argparse.Namespace) -> int:
    from counterapp.services import printing
    from counterapp.services.device import get_device

    store = open_data_dir(args)
    try:
        with store.read() as session:
            now = corrected_now(get_device(session))
        if args.job:
            done = [printing.run_job(store, args.job, now=now, user_id=user_id(args))]
        else:
            done = printing.run_pending(store, now=now, user_id=user_id(args))
    finally:
        store.close()
    if args.json:
        print_json([_job_json(j) for j in done])
    else:
        for job in done:
            print(f"{job.id}  {job.status}  {job.last_error or ''}".rstrip())
    return 0 if all(j.status == "printed" for j in done) else 1


def run_reprint(args: argparse.Namespace) -> int:
    from counterapp.services import printing
    from counterapp.services.device import get_device

    store = open_data_dir(args)
    try:
        with store.write() as session:
            now = corrected_now(get_device(session))
            job = printing.reprint(session, args.job, now=now, printer_name=args.printer)
        return _print_result(args, printing.run_job(store, job.id, now=now, user_id=user_id(args)))
    finally:
        store.close()
