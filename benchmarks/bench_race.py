"""Counters racing for the same services: is call-next fair and fast under contention?

Run with ``.venv/bin/python benchmarks/bench_race.py [--databases postgresql,sqlite] [--counters 20]
[--services 5] [--seconds 8]`` (about a minute). For each database: a real ``counterapp-server serve
--workers 1`` on loopback (PostgreSQL: the database ``counterapp_bench_race`` at 127.0.0.1, dropped and
created again; SQLite: a file in a temporary directory), one centre whose ``--counters`` counters all serve
the same ``--services`` services (one in ten tickets with priority, 400 waiting per service, issued through
the server's own service functions before the run), a clerk logged in at each counter. Then every counter
calls next as soon as it has its answer (a closed loop: ``--counters`` calls always in flight), each on its
own keep-alive connection and thread, for ``--seconds`` after one second of warm-up.

Reported: calls per second, p50/p95/p99/worst of a call, each counter's share of the calls against the mean,
and the 409s (``queue.empty``/``queue.busy``: a call that found nothing to win). Targets (issue 16): each
counter's share within ±25 % of the mean, p99 < 150 ms, at least 150 calls/s, on both databases. Exit
status 1 when one is missed.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from time import perf_counter

from bench_domain import machine
from bench_server import (
    AGENCY,
    SERVICES,
    Client,
    Terminal,
    detail,
    drop_database,
    one_password_hash,
    recreate_database,
    running_server,
    signed_in_counter,
)

from counterapp.server.db import make_engine, session_factory
from counterapp.server.schema import migrate
from counterapp.server.services import org, queue

POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/counterapp_bench_race"
WAITING_PER_SERVICE = 400  # under the day's 899 online numbers of a service; more than a run calls
SHARE_TOLERANCE = 0.25
TARGET_P99_MS = 150.0
TARGET_PER_SECOND = 150.0


def populate(url: str, n_counters: int, n_services: int) -> list[Terminal]:
    """The centre, its counters (each serving every service), their clerks signed in, the waiting tickets."""
    engine = make_engine(url)
    try:
        migrate(engine)
        now = datetime.now(UTC)
        with one_password_hash(), session_factory(engine).begin() as session:
            centre = org.create_centre(session, agency_code=AGENCY, name="Trung tâm Phục vụ hành chính công", now=now)
            services = [org.add_service(session, centre, code=c, prefix=p, name_vi=n) for c, p, n in SERVICES]
            services = services[:n_services]
            terminals: list[Terminal] = []
            for i in range(n_counters):
                counter = org.add_counter(session, centre, number=i + 1)
                org.assign(session, counter, services)
                terminals.append(signed_in_counter(session, centre, counter, i + 1, now))
            for n in range(WAITING_PER_SERVICE):
                for service in services:
                    priority = "elderly" if (n * len(services) + services.index(service)) % 10 == 0 else None
                    queue.issue_ticket(session, centre, service, priority, now)
        return terminals
    finally:
        engine.dispose()


@dataclass
class Tally:
    """Each counter's timed calls (seconds each) and the calls that found nothing to win."""

    times: dict[str, list[float]] = field(default_factory=dict)
    empty: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def race(port: int, terminals: list[Terminal], seconds: float) -> tuple[Tally, float]:
    """Every counter calls in a closed loop; calls that end inside the timed window are counted."""
    tally = Tally(times={t.number or "?": [] for t in terminals})
    start = perf_counter() + 1.0  # one second of warm-up: connections opened, statements cached
    stop = start + seconds
    go = threading.Barrier(len(terminals))

    def counter(terminal: Terminal) -> None:
        client = Client(port, terminal)
        mine = tally.times[terminal.number or "?"]
        try:
            go.wait()
            while perf_counter() < stop:
                t0 = perf_counter()
                status, body, _ = client.post("/v1/queue/call-next")
                t1 = perf_counter()
                if status == 200:
                    if t0 >= start and t1 <= stop:
                        mine.append(t1 - t0)
                elif status == 409 and isinstance(body, dict) and body.get("code") in ("queue.empty", "queue.busy"):
                    with tally.lock:
                        tally.empty += 1
                else:
                    with tally.lock:
                        tally.errors.append(f"counter {terminal.number}: {detail(status, body)}")
                    return
        finally:
            client.close()

    threads = [threading.Thread(target=counter, args=(t,), daemon=True) for t in terminals]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally, seconds


def percentile(sorted_values: list[float], q: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def report(database: str, tally: Tally, seconds: float) -> bool:
    shares = {number: len(times) for number, times in tally.times.items()}
    every = sorted(t for times in tally.times.values() for t in times)
    if tally.errors or not every:
        print(f"{database}: FAILED: {tally.errors[:3] or 'no call succeeded'}")
        return False
    mean = statistics.fmean(shares.values())
    lowest, highest = min(shares.values()), max(shares.values())
    per_second = len(every) / seconds
    p50, p95, p99 = (1000 * percentile(every, q) for q in (0.50, 0.95, 0.99))
    fair = all(abs(n - mean) <= SHARE_TOLERANCE * mean for n in shares.values())
    fast = p99 < TARGET_P99_MS
    enough = per_second >= TARGET_PER_SECOND
    print(f"{database}: {len(every)} calls in {seconds:g} s = {per_second:.0f} calls/s (target ≥ {TARGET_PER_SECOND:g}"
          f": {'met' if enough else 'MISSED'})")  # fmt: skip
    print(f"  call: p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms (target < {TARGET_P99_MS:g}: "
          f"{'met' if fast else 'MISSED'}), worst {1000 * every[-1]:.1f} ms")  # fmt: skip
    print(f"  shares: mean {mean:.1f} calls a counter, lowest {lowest} ({lowest / mean - 1:+.0%}), "
          f"highest {highest} ({highest / mean - 1:+.0%}); within ±{SHARE_TOLERANCE:.0%}: "
          f"{'met' if fair else 'MISSED'}")  # fmt: skip
    print(f"  each counter: {' '.join(str(shares[n]) for n in sorted(shares, key=int))}")
    print(f"  {tally.empty} calls found nothing to win (409)")
    return fair and fast and enough


def run(database: str, args: argparse.Namespace, directory: Path) -> bool:
    url = args.database_url if database == "postgresql" else f"sqlite:///{directory / 'race.sqlite3'}"
    recreate_database(url)
    try:
        terminals = populate(url, args.counters, args.services)
        with running_server(url, directory / f"server-{database}.log") as server:
            tally, seconds = race(server.port, terminals, args.seconds)
        return report(database, tally, seconds)
    finally:
        if not args.keep:
            drop_database(url)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="postgresql,sqlite", help="comma-separated: postgresql, sqlite")
    parser.add_argument(
        "--database-url", default=POSTGRES_URL, help=f"PostgreSQL, dropped and created again (default: {POSTGRES_URL})"
    )
    parser.add_argument("--counters", type=int, default=20)
    parser.add_argument("--services", type=int, default=5, help=f"at most {len(SERVICES)}")
    parser.add_argument("--seconds", type=float, default=8.0, help="timed, after one second of warm-up")
    parser.add_argument("--keep", action="store_true", help="keep the database after the run")
    args = parser.parse_args()
    print(machine())
    print(f"{args.counters} counters, each serving the same {args.services} services, calling in a closed loop")
    ok = True
    with tempfile.TemporaryDirectory(prefix="counterapp-race-") as tmp:
        for database in args.databases.split(","):
            ok = run(database.strip(), args, Path(tmp)) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
