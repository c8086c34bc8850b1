#!/usr/bin/env python3
"""Draft and cross-check the bundled Vietnamese working-day calendar.

Developer tool only: the application must NOT import this module, and the
PyPI ``holidays`` package is not a runtime dependency of counterapp.
Install it in a throwaway environment to run this script::

    python3 -m venv /tmp/calvenv && /tmp/calvenv/bin/pip install holidays
    /tmp/calvenv/bin/python scripts/calendar_from_holidays.py 2028
    /tmp/calvenv/bin/python scripts/calendar_from_holidays.py \
        --check resources/calendar/vn-holidays.json

Without ``--check`` it prints a draft calendar document (the JSON format of
``resources/calendar/vn-holidays.json``) for the given years, built from
``holidays.country_holidays("VN", years=...)``.  The draft is a starting
point only: every entry must be checked against the government notice for
that year, and the ``basis`` of each swap filled in by hand.

With ``--check FILE`` it compares the bundled file against the package and
prints every difference (dates the package has that the file lacks, and vice
versa), then exits 0.  Differences are expected and are not errors.

The bundled file wins over the package.  Known reasons the two disagree:

* The package has no notion of make-up WORKING days: it lists the weekday
  given off in a swap but not the Saturday that is worked instead, e.g.
  Sat 26/4/2025 (for Fri 2/5/2025) and Sat 22/8/2026 (for Mon 31/8/2026)
  are working days for civil servants.
* It may miss swaps decided late (e.g. Fri 2/1/2026 off, Sat 10/1/2026
  worked, Công văn 12729/VPCP-KGVX of 25/12/2025).
* For future years it estimates Tết and the day adjacent to National Day
  by rule, whereas the Prime Minister fixes them each year.
* It lists some Tết days that fall on a weekend which the government's
  notice did not count as Tết days (weekend only, no effect on due dates).
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

try:
    import holidays
except ImportError:  # pragma: no cover - dev tool
    sys.exit("This dev script needs the PyPI 'holidays' package (pip install holidays in a throwaway venv).")

COUNTRY = "VN"
WEEKDAY_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
KINDS = {"off", "workday"}
CATEGORIES = {"holiday", "compensatory", "swap", "makeup", "extra"}
BASIS_HOLIDAY = "Bộ luật Lao động 2019, Điều 112"
BASIS_COMPENSATORY = "Bộ luật Lao động 2019, Điều 111 khoản 3"
BASIS_TODO = "CẦN BỔ SUNG: số hiệu, ngày của thông báo/công văn về lịch nghỉ"
DRAFT_NOTE = "Bản nháp từ gói holidays {version}; đối chiếu thông báo chính thức."


def package_days(years: list[int]) -> dict[date, tuple[str, str]]:
    """Return {date: (name_vi, name_en)} for VN from the holidays package."""
    names_vi = holidays.country_holidays(COUNTRY, years=years, language="vi")
    names_en = holidays.country_holidays(COUNTRY, years=years, language="en_US")
    return {day: (str(names_vi.get(day, "")), str(names_en.get(day, ""))) for day in sorted(names_vi.keys())}


def guess_category(name_vi: str) -> str:
    """Map a package holiday name to a category of the calendar schema."""
    if "nghỉ bù" in name_vi:
        return "compensatory"
    if "thay cho" in name_vi:
        return "swap"
    return "holiday"


def draft_document(years: list[int]) -> dict[str, Any]:
    """Build a draft calendar document for ``years`` from the package."""
    version = getattr(holidays, "__version__", "?")
    entries: list[dict[str, Any]] = []
    for day, (name_vi, name_en) in package_days(years).items():
        category = guess_category(name_vi)
        basis = {
            "holiday": BASIS_HOLIDAY,
            "compensatory": BASIS_COMPENSATORY,
        }.get(category, BASIS_TODO)
        entry: dict[str, Any] = {
            "date": day.isoformat(),
            "kind": "off",
            "category": category,
            "name_vi": unicodedata.normalize("NFC", name_vi),
            "name_en": name_en,
            "basis": basis,
        }
        if category == "swap" or "dự kiến" in name_vi:
            entry["provisional"] = True
        entry["note"] = DRAFT_NOTE.format(version=version)
        if category == "swap":
            entry["note"] += " Thiếu ngày làm bù (thứ Bảy): bổ sung thủ công."
        entries.append(entry)
    return {
        "schema": 1,
        "version": date.today().strftime("%Y.%m.%d"),
        "country": COUNTRY,
        "years": years,
        "weekend": [5, 6],
        "note_vi": "BẢN NHÁP – chưa đối chiếu thông báo của Chính phủ.",
        "note_en": "DRAFT – not yet checked against the government notices.",
        "days": entries,
    }


def describe(day: date) -> str:
    """Format a date with its weekday, e.g. '2025-04-26 Sat'."""
    return f"{day.isoformat()} {WEEKDAY_EN[day.weekday()]}"


def structure_problems(doc: dict[str, Any]) -> list[str]:
    """Return basic consistency problems of a calendar document."""
    problems: list[str] = []
    weekend = set(doc.get("weekend", []))
    dates = [entry["date"] for entry in doc["days"]]
    if dates != sorted(dates):
        problems.append("days are not sorted by date")
    if len(dates) != len(set(dates)):
        problems.append("duplicate dates in days")
    per_year: dict[int, list[int]] = {}
    for entry in doc["days"]:
        day = date.fromisoformat(entry["date"])
        if entry["kind"] not in KINDS:
            problems.append(f"{entry['date']}: unknown kind {entry['kind']!r}")
        if entry["category"] not in CATEGORIES:
            problems.append(f"{entry['date']}: unknown category {entry['category']!r}")
        if entry["kind"] == "workday" and day.weekday() not in weekend:
            problems.append(f"{describe(day)}: 'workday' entry is not a weekend day")
        counts = per_year.setdefault(day.year, [0, 0])
        if entry["category"] == "swap":
            counts[0] += 1
        elif entry["category"] == "makeup":
            counts[1] += 1
        for key in ("name_vi", "name_en", "basis", "note"):
            text = entry.get(key)
            if text is not None and unicodedata.normalize("NFC", text) != text:
                problems.append(f"{entry['date']}: {key} is not NFC-normalised")
    for year, (swaps, makeups) in sorted(per_year.items()):
        if swaps != makeups:
            problems.append(f"{year}: {swaps} swapped day(s) off but {makeups} make-up day(s)")
    return problems


def check(path: Path) -> int:
    """Print every difference between the bundled file and the package."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    years = [int(year) for year in doc["years"]]
    weekend = set(doc.get("weekend", [5, 6]))
    entries = {date.fromisoformat(e["date"]): e for e in doc["days"]}
    file_off = {day for day, e in entries.items() if e["kind"] == "off"}
    file_work = {day for day, e in entries.items() if e["kind"] == "workday"}
    package = package_days(years)
    package_off = set(package)
    version = getattr(holidays, "__version__", "?")

    def impact(day: date) -> str:
        return "weekend, no effect" if day.weekday() in weekend else "WEEKDAY"

    print(f"Checking {path} (version {doc.get('version')}) against holidays {version}")
    print(f"Years: {', '.join(map(str, years))}")
    problems = structure_problems(doc)
    for problem in problems:
        print(f"  structure: {problem}")
    if not problems:
        print("  structure: OK (sorted, unique, workdays on weekends, swaps paired, NFC)")

    only_package = sorted(package_off - file_off)
    only_file = sorted(file_off - package_off)
    print(f"\nDays off in the package but not in the file: {len(only_package)}")
    for day in only_package:
        note = " [file has it as a WORKDAY]" if day in file_work else ""
        print(f"  {describe(day)} ({impact(day)}): {package[day][0]}{note}")
    print(f"\nDays off in the file but not in the package: {len(only_file)}")
    for day in only_file:
        print(f"  {describe(day)} ({impact(day)}): {entries[day]['name_vi']}")
    print(f"\nMake-up working days in the file (the package has none): {len(file_work)}")
    for day in sorted(file_work):
        print(f"  {describe(day)}: {entries[day]['name_vi']}")
    provisional = sorted(day for day, e in entries.items() if e.get("provisional"))
    print(f"\nProvisional entries in the file: {len(provisional)}")
    for day in provisional:
        print(f"  {describe(day)}: {entries[day]['name_vi']}")
    print("\nThe bundled file wins; review each difference against the official notices.")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(
        description=(
            "Print a draft VN working-day calendar from the 'holidays' package, "
            "or compare the bundled calendar file against it."
        )
    )
    parser.add_argument("years", nargs="*", type=int, help="years to draft, e.g. 2028")
    parser.add_argument(
        "--check",
        metavar="FILE",
        type=Path,
        help="compare this calendar JSON file with the package and print differences",
    )
    args = parser.parse_args(argv)
    if args.check is not None:
        return check(args.check)
    if not args.years:
        parser.error("give one or more years to draft, or --check FILE")
    document = draft_document(sorted(set(args.years)))
    print(json.dumps(document, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
