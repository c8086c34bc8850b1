"""Local store benchmarks on a real data directory of 200,000 dossiers: intake (target p95 < 6 ms and
at most 20 times the floor's p95), call-next with 500 tickets waiting (p95 < 3 ms and at most 10 times
the floor), search (p95 < 30 ms) and opening the directory (p95 < 1 s). Run with ``make bench`` or
``.venv/bin/python benchmarks/bench_store.py``.

Each runs on two data directories made alike: a plain SQLite cache and the SQLCipher-encrypted one the
counter uses (``--cache`` picks one). Opening, intake and call-next alternate between the two call by call
(plain, encrypted, encrypted, plain, …) so the machine's drift hits both alike; search runs on one, then
the other. A last table gives the encrypted cache's p95 against the plain one's (issue 17: intake and
call-next within 20 %).

The floor is what the disk allows: an fsync'd commit of two small rows in a second SQLite file in the
same directory, with the same pragmas (WAL, ``synchronous=FULL``), taken after every measured call so
the machine's drift hits both. Each benchmark is reported with its p95 divided by the p95 of the floor
taken alongside it.

The history is bulk-inserted (rows as the intake service writes them, search entries made with
``counterapp.store.search_index.document``/``sort_key`` like ``index_dossier``) in a temporary directory
that is deleted afterwards; the timed operations then go through the services, each in its own
``store.write()``/``store.read()`` transaction with ``synchronous=FULL``, so every timed write includes its
fsync. Exit status 1 if a target is missed, in either form (absolute or ratio).
"""

from __future__ import annotations

import argparse
import functools
import os
import random
import sqlite3
import sys
import tempfile
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from time import perf_counter, perf_counter_ns
from typing import Any

from bench_domain import machine, summarise
from sqlalchemy import insert, text

from counterapp.datafiles.calendar import bundled_calendar
from counterapp.datafiles.catalogue import demo_catalogue
from counterapp.domain.codes import build_dossier_code
from counterapp.domain.duedate import compute_due
from counterapp.domain.identity import PROVINCE_CODES
from counterapp.domain.phone import MOBILE_PREFIXES
from counterapp.domain.procedure import Procedure
from counterapp.domain.text import search_key
from counterapp.domain.ticket import EventKind
from counterapp.services import catalogue, device, intake, leases, queue, search
from counterapp.store.database import Store, open_store
from counterapp.store.dossier_models import DossierComponentRow, DossierRow, DossierStatusRow
from counterapp.store.outbox import device_meta, new_id
from counterapp.store.search_index import TABLE, document, sort_key

AGENCY = "000.00.01.H26"
TODAY = date(2026, 8, 28)  # a Friday; the history is the working days before it (from late 2024)
SERVICES = [
    {"code": "HTCT", "prefix": "A", "name_vi": "Hộ tịch, chứng thực", "name_en": "Civil status, certification"},
    {"code": "DDXD", "prefix": "B", "name_vi": "Đất đai, xây dựng", "name_en": "Land, construction"},
    {"code": "KD", "prefix": "C", "name_vi": "Đăng ký kinh doanh", "name_en": "Business registration"},
    {"code": "LDXH", "prefix": "D", "name_vi": "Lao động, xã hội", "name_en": "Labour, social affairs"},
]

# Family names with their approximate share of the population (the rest are rarer names).
FAMILY = {
    "Nguyễn": 38.4, "Trần": 12.1, "Lê": 9.5, "Phạm": 7.0, "Hoàng": 3.1, "Huỳnh": 2.0, "Phan": 4.5, "Vũ": 2.0,
    "Võ": 1.9, "Đặng": 2.1, "Bùi": 2.0, "Đỗ": 1.4, "Hồ": 1.3, "Ngô": 1.3, "Dương": 1.0, "Lý": 0.5,
}  # fmt: skip
MIDDLE_MALE = {"Văn": 40, "Đức": 8, "Minh": 8, "Quang": 6, "Hữu": 6, "Công": 5, "Thành": 5, "Xuân": 4, "Quốc": 4,
               "Ngọc": 3, "Anh": 3, "Duy": 3, "Tiến": 3, "Trọng": 2}  # fmt: skip
MIDDLE_FEMALE = {"Thị": 55, "Ngọc": 8, "Thu": 6, "Thanh": 6, "Kim": 4, "Minh": 4, "Hồng": 3, "Phương": 3,
                 "Thùy": 3, "Bảo": 2, "Diệu": 2, "Mai": 2}  # fmt: skip
GIVEN_MALE = ["Anh", "Bình", "Cường", "Dũng", "Đức", "Hải", "Hùng", "Huy", "Khánh", "Long", "Minh", "Nam", "Phong",
              "Quang", "Sơn", "Thắng", "Thành", "Tuấn", "Tùng", "Việt", "Hoàng", "Trung", "Hiếu", "Hưng", "Toàn",
              "Kiên", "Đạt", "Lâm", "Phúc", "Khoa", "Thịnh", "Vinh", "Tâm", "Quân", "Bảo"]  # fmt: skip
GIVEN_FEMALE = ["Anh", "Hà", "Hằng", "Hoa", "Hồng", "Hương", "Huyền", "Lan", "Linh", "Loan", "Mai", "Nga", "Ngọc",
                "Nhung", "Oanh", "Phương", "Quỳnh", "Thảo", "Thu", "Thủy", "Trang", "Tuyết", "Tuyến", "Vân", "Yến",
                "Hạnh", "Dung", "Giang", "Hiền", "Liên", "Châu", "My", "Nhi", "Tâm", "Vy"]  # fmt: skip
STREETS = ["Hàng Bông", "Lê Lợi", "Trần Hưng Đạo", "Nguyễn Trãi", "Hai Bà Trưng", "Lý Thường Kiệt", "Kim Mã",
           "Giải Phóng", "Láng Hạ", "Tôn Đức Thắng"]  # fmt: skip
PROVINCES = sorted(PROVINCE_CODES)
PREFIXES = sorted(MOBILE_PREFIXES)
BATCH = 40_000


class People:
    """Applicants with realistic Vietnamese names, CCCD numbers and mobile numbers."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.families, self.family_weights = list(FAMILY), list(FAMILY.values())

    def name(self) -> tuple[str, bool]:
        rng = self.rng
        female = rng.random() < 0.55
        middle = MIDDLE_FEMALE if female else MIDDLE_MALE
        parts = [rng.choices(self.families, self.family_weights)[0]]
        parts += rng.choices(list(middle), list(middle.values()), k=2 if rng.random() < 0.15 else 1)
        parts.append(rng.choice(GIVEN_FEMALE if female else GIVEN_MALE))
        return " ".join(dict.fromkeys(parts)), female  # no word twice ("Thị Thị")

    def cccd(self, female: bool) -> str:
        year = self.rng.randint(1945, 2006)
        century = (0 if year < 2000 else 2) + (1 if female else 0)
        return f"{self.rng.choice(PROVINCES)}{century}{year % 100:02d}{self.rng.randrange(10**6):06d}"

    def phone(self) -> str:
        return f"{self.rng.choice(PREFIXES)}{self.rng.randrange(10**7):07d}"

    def address(self) -> str:
        return f"Số {self.rng.randint(1, 200)} phố {self.rng.choice(STREETS)}, Hà Nội"


def history_days(n_dossiers: int) -> list[date]:
    """The working days (by the bundled calendar) before TODAY, enough for about 450 dossiers a day."""
    calendar = bundled_calendar()
    days: list[date] = []
    day = TODAY
    while len(days) * 450 < n_dossiers:
        day -= timedelta(days=1)
        if calendar.is_working_day(day):
            days.append(day)
    return sorted(days)


def generate(store: Store, n_dossiers: int, rng: random.Random) -> None:
    """Bulk-insert ``n_dossiers`` received over past working days, with documents, status and search entries."""
    people = People(rng)
    calendar = bundled_calendar()
    procedures: list[Procedure] = list(demo_catalogue().procedures)
    days = history_days(n_dossiers)
    per_day = [n_dossiers // len(days) + (1 if i < n_dossiers % len(days) else 0) for i in range(len(days))]
    dossiers: list[dict[str, Any]] = []
    components: list[dict[str, Any]] = []
    statuses: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    pk = 0

    def flush() -> None:
        if not dossiers:
            return
        with store.write() as s:
            s.execute(insert(DossierRow), dossiers)
            s.execute(insert(DossierComponentRow), components)
            s.execute(insert(DossierStatusRow), statuses)
            s.execute(
                text(
                    f"INSERT INTO {TABLE}(rowid, code, name, id_number, phone, dossier_pk) "
                    "VALUES (:key, :code, :name, :id_number, :phone, :pk)"
                ),
                entries,
            )
        for rows in (dossiers, components, statuses, entries):
            rows.clear()

    for day, count in zip(days, per_day, strict=True):
        minutes = sorted(rng.choice([*range(0, 210), *range(300, 510)]) for _ in range(count))
        for sequence, minute in enumerate(minutes, start=1):
            pk += 1
            received_at = datetime.combine(day, time(8)) + timedelta(minutes=minute, seconds=rng.randrange(60))
            procedure = rng.choice(procedures)
            due = compute_due(received_at, procedure.duration, calendar, cutoff=procedure.cutoff)
            name, female = people.name()
            owner = {"name": people.name()[0]} if rng.random() < 0.1 else None
            cccd, phone = people.cccd(female), people.phone()
            code = str(build_dossier_code(AGENCY, day, sequence))
            old = (TODAY - day).days > 30
            status = "returned" if old and rng.random() < 0.9 else rng.choice(["received", "processing", "has_result"])
            dossier_id = new_id()
            dossiers.append({
                "pk": pk, "id": dossier_id, "code": code, "procedure_code": procedure.code,
                "procedure_name": procedure.name, "received_on": day, "received_at": received_at,
                "due_at": due.due_at, "duration_value": str(procedure.duration.value),
                "duration_unit": procedure.duration.unit.value, "calendar_version": due.calendar_version,
                "sets": 1, "channel": "direct", "status": status, "return_mode": "counter",
                "register_book": day.isoformat(), "register_line": sequence, "counter_number": str(rng.randint(1, 12)),
                "clerk_id": f"clerk{rng.randint(1, 12)}", "ticket_id": None, "lease_id": None, "note": None,
                "applicant_name": name, "applicant_id_type": "cccd", "applicant_id_number": cccd,
                "applicant_dob": None, "applicant_sex": "female" if female else "male", "applicant_phone": phone,
                "applicant_email": None, "applicant_address": people.address(), "owner": owner,
                "postal_address": None, "returned_at": due.due_at if status == "returned" else None,
                "returned_to": name if status == "returned" else None,
                "returned_by": "clerk1" if status == "returned" else None, "purged_at": None, "version": 1,
                "sync_state": "synced" if old else "pending", "created_at": received_at, "updated_at": received_at,
            })  # fmt: skip
            for position, c in enumerate(procedure.components):
                components.append({"dossier_id": dossier_id, "position": position, "code": c.code, "name": c.name,
                                   "originals": c.originals, "certified_copies": c.certified_copies,
                                   "photocopies": c.photocopies})  # fmt: skip
            statuses.append({"dossier_id": dossier_id, "status": "received", "at": received_at, "user_id": "clerk1"})
            if status != "received":
                statuses.append({"dossier_id": dossier_id, "status": status, "at": due.due_at, "user_id": "clerk1"})
            doc = document(code=code, names=[name, owner["name"] if owner else None], id_number=cccd, phone=phone)
            entries.append({"key": sort_key(received_at, pk), "pk": pk, **doc})
            if len(dossiers) >= BATCH:
                flush()
    flush()


def setup_today(store: Store) -> None:
    now = datetime.combine(TODAY, time(7, 30))
    with store.write() as s:
        device.init_device(s, agency_code=AGENCY, counter_number="5", now=now, services=SERVICES)
        catalogue.replace_catalogue(s, demo_catalogue())
        leases.grant_lease(s, kind=leases.LeaseKind.DOSSIER_CODE, scope=AGENCY, day=TODAY, start=1, end=9999,
                           now=now, source="standalone")  # fmt: skip
        for service in SERVICES:
            leases.grant_lease(s, kind=leases.LeaseKind.TICKET, scope=service["prefix"], day=TODAY, start=1,
                               end=9999, now=now, source="standalone")  # fmt: skip


class Clock:
    """Today's time, one second further at each call."""

    def __init__(self) -> None:
        self.t = datetime.combine(TODAY, time(8))

    def __call__(self) -> datetime:
        self.t += timedelta(seconds=1)
        return self.t


class Floor:
    """The disk's floor: an fsync'd commit of two small rows in a second SQLite file of the data directory,
    with the store's pragmas, through the bare driver (no SQLAlchemy, no application code)."""

    def __init__(self, data_dir: Path) -> None:
        self.db = sqlite3.connect(data_dir / "floor.sqlite3", isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("CREATE TABLE IF NOT EXISTS floor (id INTEGER PRIMARY KEY, at INTEGER, note TEXT)")
        self.samples: list[int] = []

    def commit(self) -> None:
        t0 = perf_counter_ns()
        self.db.execute("BEGIN IMMEDIATE")
        self.db.execute("INSERT INTO floor (at, note) VALUES (?, 'a')", (t0,))
        self.db.execute("INSERT INTO floor (at, note) VALUES (?, 'b')", (t0,))
        self.db.execute("COMMIT")
        self.samples.append(perf_counter_ns() - t0)

    def take(self) -> list[int]:
        """The samples since the last call (one benchmark's floor)."""
        samples, self.samples = self.samples, []
        return samples

    def close(self) -> None:
        self.db.close()


def intake_cases(store: Store, n: int, rng: random.Random, clock: Clock) -> list[Callable[[], object]]:
    people = People(rng)
    procedures = [p for p in demo_catalogue().procedures if p.is_valid_on(TODAY)]

    def form() -> dict[str, Any]:
        name, female = people.name()
        procedure = rng.choice(procedures)
        return {
            "procedure_code": procedure.code,
            "applicant": {"name": name, "id_number": people.cccd(female), "phone": people.phone(),
                          "address": people.address()},
            "documents": [{"code": c.code, "originals": max(1, c.originals)} for c in procedure.components],
        }  # fmt: skip

    def receive(raw: dict[str, Any]) -> None:
        with store.write() as s:
            intake.receive_dossier(s, raw, now=clock(), user_id="clerk5")

    forms = [form() for _ in range(n)]
    return [functools.partial(receive, raw) for raw in forms]


class CallNext:
    """One cache's call-next with ``waiting`` tickets in the queue; after each timed call (``settle``, not
    timed) the clerk starts and finishes the ticket and a new one is issued, so the queue stays at ``waiting``."""

    def __init__(self, store: Store, waiting: int, rng: random.Random, clock: Clock) -> None:
        self.store, self.waiting, self.rng, self.clock = store, waiting, rng, clock
        with store.write() as s:
            for _ in range(waiting):
                self.issue(s)

    def issue(self, s: Any) -> None:
        service = self.rng.choice(SERVICES)["code"]
        priority = "elderly" if self.rng.random() < 0.1 else None
        queue.issue_walkin(s, service_code=service, now=self.clock(), user_id="kiosk", priority=priority)

    def call(self) -> None:
        with self.store.write() as s:
            queue.call_next(s, now=self.clock(), user_id="clerk5")

    def settle(self) -> None:
        with self.store.write() as s:
            queue.act(s, EventKind.STARTED, None, now=self.clock(), user_id="clerk5")
            queue.act(s, EventKind.FINISHED, None, now=self.clock(), user_id="clerk5", outcome="served")
            self.issue(s)

    def check(self) -> None:
        with self.store.read() as s:
            assert len(queue.waiting(s, now=self.clock())) == self.waiting


Measured = dict[str, tuple[dict[str, float], dict[str, float]]]  # cache → (figures, its floor's figures)


def interleaved(
    cases: dict[str, list[Callable[[], object]]],
    floor: Floor,
    warmup: int,
    after: dict[str, Callable[[], object]] | None = None,
) -> Measured:
    """The caches' cases call by call in turn (plain, encrypted, encrypted, plain, …), each timed and
    followed by one floor commit (and ``after``, untimed), so the machine's drift hits every cache alike."""
    floor.take()
    samples: dict[str, list[int]] = {cache: [] for cache in cases}
    floors: dict[str, list[int]] = {cache: [] for cache in cases}
    names = list(cases)
    for i in range(min(len(calls) for calls in cases.values())):
        for cache in names if i % 2 == 0 else names[::-1]:
            t0 = perf_counter_ns()
            cases[cache][i]()
            elapsed = perf_counter_ns() - t0
            floor.commit()
            floor_sample = floor.take()[-1]
            if i >= warmup:
                samples[cache].append(elapsed)
                floors[cache].append(floor_sample)
            if after is not None:
                after[cache]()
    return {cache: (summarise(samples[cache]), summarise(floors[cache])) for cache in cases}


SEARCH_MIX = {"full name": 30, "two-word partial name": 25, "as you type": 10, "CCCD": 15, "phone": 10, "code": 10}


def search_queries(store: Store, n: int, rng: random.Random) -> list[tuple[str, str]]:
    """(kind, query) pairs of a counter's mix: full names without diacritics; two-word partial names
    (family name and the start of the given name, or middle and given name); a name cut one letter into a
    word, as the list refreshes while the clerk types; CCCD, phone and dossier code of a dossier."""
    with store.read() as s:
        total = s.execute(text("SELECT max(pk) FROM dossiers")).scalar_one()
        pks = [rng.randint(1, total) for _ in range(n)]
        rows = {
            r.pk: r
            for r in s.execute(
                text("SELECT pk, code, applicant_name, applicant_id_number, applicant_phone FROM dossiers "
                     "WHERE pk IN (SELECT value FROM json_each(:pks))"),
                {"pks": f"[{','.join(map(str, pks))}]"},
            )
        }  # fmt: skip
    queries = []
    for pk in pks:
        row = rows[pk]
        words = search_key(row.applicant_name).split()
        kind = rng.choices(list(SEARCH_MIX), list(SEARCH_MIX.values()))[0]
        if kind == "full name":
            query = " ".join(words)
        elif kind == "two-word partial name":
            query = f"{words[0]} {words[-1][:3]}" if rng.random() < 0.5 else " ".join(words[-2:])
        elif kind == "as you type":
            cut = rng.randint(1, len(words) - 1)
            query = " ".join([*words[:cut], words[cut][:1]])
        elif kind == "CCCD":
            query = row.applicant_id_number
        elif kind == "phone":
            query = row.applicant_phone
        else:
            query = row.code
        queries.append((kind, query))
    return queries


def bench_search(store: Store, queries: list[tuple[str, str]], floor: Floor) -> dict[str, dict[str, float]]:
    """The whole mix, then each kind of query on its own."""

    def find(query: str) -> None:
        with store.read() as s:
            search.search_dossiers(s, query)

    for _, query in queries[:200]:  # warm-up
        find(query)
    samples: dict[str, list[int]] = {kind: [] for kind in SEARCH_MIX}
    for kind, query in queries:
        t0 = perf_counter_ns()
        find(query)
        samples[kind].append(perf_counter_ns() - t0)
        floor.commit()
    return {"all": summarise([t for kind in samples.values() for t in kind])} | {
        kind: summarise(times) for kind, times in samples.items() if times
    }


def open_case(data_dir: Path, encrypt: bool) -> Callable[[], object]:
    def open_and_read() -> None:
        store = open_store(data_dir, encrypt=encrypt)
        with store.read() as s:
            device_meta(s)
            search.search_dossiers(s, "nguyen van")
        store.close()

    return open_and_read


Targets = dict[str, tuple[float, float | None]]  # benchmark: (p95 ms, p95 / floor p95 or None)


def report_with_floor(
    results: dict[str, dict[str, float]], floors: dict[str, dict[str, float]], targets: Targets
) -> int:
    """The results with their floors as the Markdown table of benchmarks/README.md, then which targets held,
    in each form; 1 if any target is missed."""
    print("| benchmark | calls | p50 ms | p95 ms | p99 ms | floor p50 / p95 ms | p95 ÷ floor p95 "
          "| target p95 | met | target ratio | met |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    missed: dict[str, list[str]] = {"absolute": [], "ratio": []}
    for name, r in results.items():
        floor = floors[name]
        ratio = r["p95"] / floor["p95"]
        absolute, relative = targets[name]
        met = r["p95"] < absolute
        ratio_met = relative is None or ratio <= relative
        if not met:
            missed["absolute"].append(name)
        if not ratio_met:
            missed["ratio"].append(name)
        print(
            f"| {name} | {r['n']:,} | {r['p50']:.2f} | {r['p95']:.2f} | {r['p99']:.2f} "
            f"| {floor['p50']:.2f} / {floor['p95']:.2f} | {ratio:.1f}× | < {absolute:g} | {'yes' if met else 'NO'} "
            f"| {'—' if relative is None else f'≤ {relative:g}×'} | {'yes' if ratio_met else 'NO'} |"
        )
    for form, names in missed.items():
        print(f"{form} targets: " + ("all met" if not names else "MISSED by " + "; ".join(names)))
    return 1 if missed["absolute"] or missed["ratio"] else 0


def cipher_version() -> str:
    from sqlcipher3 import dbapi2

    connection = dbapi2.connect(":memory:")
    try:
        return (
            f"SQLCipher {connection.execute('PRAGMA cipher_version').fetchone()[0]} on SQLite {dbapi2.sqlite_version}"
        )
    finally:
        connection.close()


CACHES = {"plain": False, "encrypted": True}  # name → open_store(encrypt=…)
COMPARED_LIMIT = 1.20  # the encrypted cache's intake and call-next p95 within 20 % of the plain one's


def compare(results: dict[str, dict[str, dict[str, float]]], names: list[str]) -> int:
    """The encrypted cache against the plain one, benchmark by benchmark (p95 and p95 ÷ floor); 1 if intake
    or call-next is more than 20 % slower in both forms."""
    print("| benchmark | plain p95 ms | encrypted p95 ms | encrypted ÷ plain | within 20 % |")
    print("|---|---|---|---|---|")
    missed = []
    for name in names:
        plain, encrypted = results["plain"][name]["p95"], results["encrypted"][name]["p95"]
        ratio = encrypted / plain
        gated = name.startswith(("intake", "call-next"))
        if gated and ratio > COMPARED_LIMIT:
            missed.append(name)
        verdict = ("yes" if ratio <= COMPARED_LIMIT else "NO") if gated else "—"
        print(f"| {name} | {plain:.2f} | {encrypted:.2f} | {ratio:.2f} | {verdict} |")
    print("within 20 %: " + ("all met" if not missed else "MISSED by " + "; ".join(missed)))
    return 1 if missed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=200_000, help="dossiers in the data directory")
    parser.add_argument("--searches", type=int, default=3000)
    parser.add_argument("--intakes", type=int, default=300)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--waiting", type=int, default=500, help="tickets waiting during call-next")
    parser.add_argument("--opens", type=int, default=20)
    parser.add_argument("--dir", type=Path, default=None, help="where to make the temporary data directory")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--cache", choices=["both", *CACHES], default="both",
                        help="plain SQLite, the encrypted cache, or both in the same run (default)")  # fmt: skip
    args = parser.parse_args()
    # the key is read once when a directory opens, so where it is kept costs nothing per call; a file
    # keeps the benchmark's throw-away directories out of a developer's real keystore
    os.environ.setdefault("COUNTERAPP_KEYSTORE", "file")
    caches = dict(CACHES) if args.cache == "both" else {args.cache: CACHES[args.cache]}
    opening = f"open a {args.dossiers:,}-dossier directory"
    intaking = "intake (validate, due date, code, commit)"
    calling = f"call-next, {args.waiting} waiting"
    targets: Targets = {opening: (1000.0, None), intaking: (6.0, 20.0), calling: (3.0, 10.0)}
    print(f"Machine: {machine()}, SQLite {sqlite3.sqlite_version}; encrypted: {cipher_version()}")
    print("Load average at the start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    results: dict[str, dict[str, dict[str, float]]] = {cache: {} for cache in caches}
    floors: dict[str, dict[str, dict[str, float]]] = {cache: {} for cache in caches}
    with tempfile.TemporaryDirectory(prefix="bench-store-", dir=args.dir) as tmp:
        dirs = {cache: Path(tmp) / cache for cache in caches}
        for cache, encrypt in caches.items():  # the same data in each (same seed)
            store = open_store(dirs[cache], encrypt=encrypt)
            t0 = perf_counter()
            setup_today(store)
            generate(store, args.dossiers, random.Random(args.seed))
            store.close()
            size = sum(f.stat().st_size for f in dirs[cache].iterdir()) / 2**20
            took = perf_counter() - t0
            print(f"{cache}: generated {args.dossiers:,} dossiers in {took:.1f} s; directory {size:.0f} MiB")

        floor = Floor(Path(tmp))
        stores: dict[str, Store] = {}
        try:
            # intake, call-next and opening: the caches call by call in turn; search: one cache after the other
            opened = interleaved({c: [open_case(dirs[c], e)] * args.opens for c, e in caches.items()}, floor, 2)
            for cache, (result, floor_result) in opened.items():
                results[cache][opening], floors[cache][opening] = result, floor_result
            for cache, encrypt in caches.items():
                stores[cache] = open_store(dirs[cache], encrypt=encrypt)
            first = stores[next(iter(caches))]
            queries = search_queries(first, args.searches, random.Random(args.seed + 1))
            for cache, store in stores.items():
                by_kind = bench_search(store, queries, floor)
                search_floor = summarise(floor.take())
                for kind, r in by_kind.items():
                    name = f"search, {args.dossiers:,} dossiers" + ("" if kind == "all" else f": {kind}")
                    results[cache][name], floors[cache][name] = r, search_floor
                    targets[name] = (30.0, None)
            clocks = {cache: Clock() for cache in caches}
            intakes = {
                cache: intake_cases(store, args.intakes + 20, random.Random(args.seed + 2), clocks[cache])
                for cache, store in stores.items()
            }
            for cache, (result, floor_result) in interleaved(intakes, floor, warmup=20).items():
                results[cache][intaking], floors[cache][intaking] = result, floor_result
            callers = {
                cache: CallNext(store, args.waiting, random.Random(args.seed + 3), clocks[cache])
                for cache, store in stores.items()
            }
            calls = {cache: [caller.call] * (args.calls + 20) for cache, caller in callers.items()}
            settles: dict[str, Callable[[], object]] = {cache: caller.settle for cache, caller in callers.items()}
            for cache, (result, floor_result) in interleaved(calls, floor, 20, after=settles).items():
                results[cache][calling], floors[cache][calling] = result, floor_result
            for caller in callers.values():
                caller.check()
        finally:
            for store in stores.values():
                store.close()
            floor.close()
    print("Load average at the end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    status = 0
    for cache in caches:
        print(f"\n### {cache} cache\n")
        status |= report_with_floor(results[cache], floors[cache], targets)
    if len(caches) == 2:
        print("\n### encrypted against plain\n")
        status |= compare(results, [opening, f"search, {args.dossiers:,} dossiers", intaking, calling])
    return status


if __name__ == "__main__":
    sys.exit(main())
