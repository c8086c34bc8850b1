"""Printing benchmarks: an A4 Mẫu 01 PDF (target p95 < 150 ms), the 80 mm thermal receipt's ESC/POS
bytes (target p95 < 60 ms) and the thermal ticket slip (target p95 < 30 ms). Each call renders from the
data model to finished bytes, as the print queue does; fonts are registered once, as in the app.
Run with ``make bench`` or ``.venv/bin/python benchmarks/bench_printing.py [-n CALLS]``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from bench_domain import machine, measure, report

from counterapp.printing import pdf_forms, thermal
from counterapp.printing.profiles import PROFILES
from counterapp.printing.samples import HARD_NAMES, TWELVE_DOCUMENTS, sample_receipt, sample_ticket


def cases(n: int, fn: Callable[[int], object]) -> list[Callable[[], object]]:
    return [lambda i=i: fn(i) for i in range(n)]


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("-n", type=int, default=200, help="calls per benchmark")
    args = parser.parse_args()
    receipts = [sample_receipt(name, documents=TWELVE_DOCUMENTS[: 4 + i % 9]) for i, name in enumerate(HARD_NAMES * 3)]
    ticket = sample_ticket()
    targets = {
        "A4 Mẫu 01 PDF (2 copies)": 150.0,
        "80 mm thermal receipt bytes (2 copies)": 60.0,
        "80 mm thermal ticket slip bytes": 30.0,
    }
    results = {
        "A4 Mẫu 01 PDF (2 copies)": measure(
            cases(args.n, lambda i: pdf_forms.receipt_pdf(receipts[i % len(receipts)], pdf_forms.Paper.A4)), warmup=5
        ),
        "80 mm thermal receipt bytes (2 copies)": measure(
            cases(args.n, lambda i: thermal.receipt_escpos(receipts[i % len(receipts)], PROFILES["80mm"])), warmup=5
        ),
        "80 mm thermal ticket slip bytes": measure(
            cases(args.n, lambda i: thermal.ticket_escpos(ticket, PROFILES["80mm"])), warmup=5
        ),
    }
    print(f"Machine: {machine()}")
    return report(results, targets, digits=1)


if __name__ == "__main__":
    sys.exit(main())
