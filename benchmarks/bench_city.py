"""A city on one server (issue 16), measured: a real ``counterapp-server serve --workers 2`` process on
PostgreSQL over loopback, 900 counters of 156 centres (30 branches, 126 commune units) in a few client
processes, each process many counters over asyncio with keep-alive connections:

1. **morning**: every counter pushes a received dossier every ``--interval`` seconds, counters that stay
   online issue and call, ``--subscribers`` displays listen on the event stream;
2. **city-wide outage**: each counter holds ``--ops`` ops of offline work (4 hours: its dealt hand called,
   started and finished, walk-ins issued and served, dossiers received), and every counter reconnects
   within ``--window`` seconds, draining its outbox as its sync engine does (200-op batches in order,
   ``Retry-After`` honoured);
3. reported: drain time (first reconnect → every outbox empty) and ops/s, the online calls' p95 during the
   drain (and a bare round trip's, the floor of the same moment), the server processes' RSS, and
   starvation (per-counter drain time spread, the longest wait between a counter's pushes). Every op is
   checked to have landed exactly once.

Run: ``.venv/bin/python benchmarks/bench_city.py [--counters 900] [--ops 1000] [--subscribers 60]
[--duration 60] [--workers 2]``; CI size: ``--counters 60 --ops 200 --subscribers 6 --duration 10
--window 5``. The database named by ``--database-url`` (default ``counterapp_city``) is dropped and
created again. Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import random
import sys
import threading
import time
from collections import Counter as Tally
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import httpx2
import uuid6
from sqlalchemy import create_engine, func, make_url, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_domain import machine  # noqa: E402
from counterapp.protocol.client import DEFAULT_TIMEOUT_S  # noqa: E402
from counterapp.server.db import make_engine, session_factory  # noqa: E402
from counterapp.server.models.auth import Device  # noqa: E402
from counterapp.server.models.sync import OpLogEntry  # noqa: E402
from counterapp.server.schema import migrate  # noqa: E402
from tests.server.citydrain import DrainStats, Timed, board, drain, online_counter, percentile  # noqa: E402
from tests.server.citykit import CounterSpec, batches, outbox, setup_city  # noqa: E402
from tests.server.processes import server_process  # noqa: E402
from tests.server.synckit import dossier  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/counterapp_city"
DRAIN_TARGET_S, CALL_P95_TARGET_MS, STARVED_GAP_S = 300.0, 50.0, 30.0
OFFLINE = timedelta(hours=4)
MORNING_BEFORE = OFFLINE + timedelta(minutes=5)  # morning ops are stamped this long before they are sent


def load() -> str:
    with open("/proc/loadavg", encoding="utf-8") as handle:
        return " ".join(handle.read().split()[:3])


def recreate(url: str) -> None:
    parsed = make_url(url)
    assert parsed.database and parsed.database.startswith("counterapp_city"), "only counterapp_city* databases"
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


# --- client processes ------------------------------------------------------------------------------------


def _client(base: str, connections: int, timeout: float = DEFAULT_TIMEOUT_S) -> httpx2.AsyncClient:
    """Keep-alive connections with the counter's own request timeout."""
    limits = httpx2.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx2.AsyncClient(base_url=base, limits=limits, timeout=httpx2.Timeout(timeout))


def counters_process(
    base: str,
    specs: list[CounterSpec],
    args: argparse.Namespace,
    morning_end: float,
    ready: Any,
    go: Any,
    t0: Any,
    out: Any,
) -> None:
    """Morning pushes, then (outboxes built) wait for ``go`` and drain; puts the ``DrainStats`` in ``out``."""
    rng = random.Random(specs[0].device_id)

    async def morning(http: httpx2.AsyncClient, spec: CounterSpec, seq: dict[str, int]) -> int:
        pushed = 0
        await asyncio.sleep(rng.uniform(0, args.interval))
        while time.time() < morning_end:
            at = datetime.now(UTC) - MORNING_BEFORE
            form = dossier(spec.slot * 700 + pushed + 1, at, agency=spec.agency) | {"counter": spec.number}
            when = at.isoformat()
            op = {
                "op_id": str(uuid6.uuid7()),
                "client_seq": seq[spec.device_id],
                "kind": "dossier.create",
                "v": 1,
                "payload": form,
                "user_id": spec.user,
                "wall_time": when,
                "corrected_time": when,
                "epoch": 1,
            }
            response = await http.post(
                "/v1/sync/push", json={"client_id": spec.device_id, "ops": [op]}, headers=spec.headers
            )
            if response.status_code == 200:
                seq[spec.device_id] += 1
                pushed += 1
            await asyncio.sleep(args.interval * rng.uniform(0.8, 1.2))
        return pushed

    async def main() -> list[DrainStats]:
        async with _client(base, len(specs)) as http:
            seq = {spec.device_id: 1 for spec in specs}
            made = await asyncio.gather(*(morning(http, spec, seq) for spec in specs))
            end = datetime.now(UTC) - timedelta(minutes=1)
            bodies = [
                batches(
                    spec,
                    outbox(
                        spec,
                        args.ops,
                        end - OFFLINE,
                        end,
                        first_seq=seq[spec.device_id],
                        first_dossier=done,
                        rng=random.Random(spec.device_id),
                    ),
                )
                for spec, done in zip(specs, made, strict=True)
            ]
            ready.put(sum(made))
            await asyncio.get_running_loop().run_in_executor(None, go.wait)
            window = [rng.uniform(0, args.window) for _ in specs]
            return await asyncio.gather(
                *(
                    drain(http, spec, body, at=t0.value + w, rng=rng)
                    for spec, body, w in zip(specs, bodies, window, strict=True)
                )
            )

    out.put(asyncio.run(main()))


def online_process(
    base: str, specs: list[CounterSpec], boards: list[CounterSpec], every: float, stop: Any, out: Any
) -> None:
    """Counters that stay online, and the displays on the event stream, until ``stop``."""
    rng = random.Random(1)

    async def main() -> tuple[Timed, dict[str, int]]:
        timed, heard = Timed(), {}
        async with _client(base, len(specs) + 4) as http, _client(base, len(boards) + 1) as streams:
            listeners = [asyncio.create_task(board(streams, spec, heard, stop.is_set)) for spec in boards]
            await asyncio.gather(
                *(online_counter(http, spec, timed, every=every, until=stop.is_set, rng=rng) for spec in specs)
            )
            for task in listeners:
                task.cancel()
            await asyncio.gather(*listeners, return_exceptions=True)
        return timed, heard

    out.put(asyncio.run(main()))


# --- the server's memory and the database's activity ------------------------------------------------------


def server_pids() -> list[int]:
    """The server process and its workers: descendants of this process whose command line is the server's."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="utf-8") as handle:
                    ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found: list[int] = []
    for pid in children.get(os.getpid(), []):
        try:
            with open(f"/proc/{pid}/cmdline", encoding="utf-8") as handle:
                if "serve" not in handle.read():
                    continue
        except OSError:
            continue
        stack = [pid]
        while stack:
            current = stack.pop()
            found.append(current)
            stack.extend(children.get(current, []))
    return found


def rss_mib(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status", encoding="utf-8") as handle:
                total += next(int(line.split()[1]) for line in handle if line.startswith("VmRSS:"))
        except (OSError, StopIteration):
            continue
    return total / 1024


class Sampler(threading.Thread):
    """Every ``every`` s: the server's RSS, and (``url``) what the server's connections are doing."""

    def __init__(self, url: str | None, database: str, every: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.url, self.database, self.every = url, database, every
        self.rss: list[tuple[float, float]] = []
        self.activity: Tally[str] = Tally()
        self.stopped = threading.Event()

    def run(self) -> None:
        engine = create_engine(self.url) if self.url else None
        query = text(
            "SELECT state, coalesce(wait_event_type || ':' || wait_event, 'cpu'), left(query, 50) "
            "FROM pg_stat_activity WHERE datname = :db AND pid <> pg_backend_pid()"
        )
        while not self.stopped.wait(self.every):
            self.rss.append((time.time(), rss_mib(server_pids())))
            if engine is not None:
                with engine.connect() as connection:
                    for state, wait, sql in connection.execute(query, {"db": self.database}):
                        if state == "active" or (state or "").startswith("idle in"):
                            self.activity[f"{state} | {wait} | {' '.join(sql.split())}"] += 1
        if engine is not None:
            engine.dispose()


# --- the run -------------------------------------------------------------------------------------------------


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--counters", type=int, default=900, help="counters that go offline and drain")
    parser.add_argument("--ops", type=int, default=1000, help="offline ops per counter")
    parser.add_argument("--subscribers", type=int, default=60, help="displays on the event stream")
    parser.add_argument("--online", type=int, default=20, help="counters that stay online, calling and issuing")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of morning load before the outage")
    parser.add_argument("--interval", type=float, default=15.0, help="a counter's pushes in the morning, s apart")
    parser.add_argument("--every", type=float, default=1.0, help="an online counter issues and calls every N s")
    parser.add_argument("--window", type=float, default=60.0, help="everyone reconnects within N seconds")
    parser.add_argument("--processes", type=int, default=3, help="client processes for the counters")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sync-concurrency", type=int, default=None, help="passed to the server")
    parser.add_argument("--sample-pg", action="store_true", help="sample pg_stat_activity during the drain")
    return parser.parse_args()


def main() -> int:
    args = parse()
    url, database = args.database_url, make_url(args.database_url).database or ""
    print(f"Machine: {machine()}; load average at start: {load()}")
    recreate(url)
    engine = make_engine(url)
    migrate(engine)
    begun = time.perf_counter()
    signed_in = datetime.now(UTC) - timedelta(hours=6)
    city = setup_city(
        session_factory(engine), args.counters, online=args.online, displays=args.subscribers, signed_in_at=signed_in
    )
    print(
        f"set-up: {city.centres} centres, {len(city.counters)} counters draining, {len(city.online)} online, "
        f"{len(city.displays)} displays, in {time.perf_counter() - begun:.1f} s"
    )
    ctx = mp.get_context("fork")
    extra = ["--workers", str(args.workers)]
    if args.sync_concurrency:
        extra += ["--sync-concurrency", str(args.sync_concurrency)]
    with TemporaryDirectory() as tmp, server_process(url, Path(tmp) / "server.log", *extra) as base:
        sampler = Sampler(url if args.sample_pg else None, database)
        sampler.start()
        ready, out, online_out = ctx.Queue(), ctx.Queue(), ctx.Queue()
        go, stop, t0 = ctx.Event(), ctx.Event(), ctx.Value("d", 0.0)
        morning_end = time.time() + args.duration
        shards = [city.counters[i :: args.processes] for i in range(args.processes)]
        shards = [shard for shard in shards if shard]
        online = ctx.Process(
            target=online_process, args=(base, city.online, city.displays, args.every, stop, online_out)
        )
        online.start()
        workers = [
            ctx.Process(target=counters_process, args=(base, shard, args, morning_end, ready, go, t0, out))
            for shard in shards
        ]
        for worker in workers:
            worker.start()
        morning_ops = sum(ready.get(timeout=args.duration + 900) for _ in workers)
        rss_morning = rss_mib(server_pids())
        print(
            f"morning: {morning_ops} dossiers pushed online in {args.duration:.0f} s; outboxes built "
            f"{time.time() - morning_end:.1f} s after; server RSS {rss_morning:.0f} MiB; "
            f"load {load()}"
        )
        if args.sample_pg:
            sampler.activity.clear()
        t0.value = time.time() + 1.0
        go.set()
        stats: list[DrainStats] = []
        for _ in workers:
            stats.extend(out.get(timeout=3600))
        drain_load = load()
        time.sleep(2.0)
        stop.set()
        timed, heard = online_out.get(timeout=120)
        for process in [*workers, online]:
            process.join(timeout=30)
        sampler.stopped.set()
        sampler.join(timeout=5)
        log_tail = (Path(tmp) / "server.log").read_text()[-3000:]
    return report(args, engine, city, stats, timed, heard, sampler, drain_load, log_tail, morning_ops)


def report(
    args: argparse.Namespace,
    engine: Any,
    city: Any,
    stats: list[DrainStats],
    timed: Timed,
    heard: dict[str, int],
    sampler: Sampler,
    drain_load: str,
    log_tail: str,
    morning_ops: int,
) -> int:
    first = min(s.started for s in stats)
    last = max(s.done or time.time() for s in stats)
    took = last - first
    expected = len(stats) * args.ops  # close to: the mix rounds
    statuses: Tally[str] = Tally()
    for s in stats:
        statuses.update(s.statuses)
    pushed = sum(statuses.values())
    errors = [e for s in stats for e in s.errors]
    spans = [s.done - s.started for s in stats if s.done]
    in_drain = [(what, ms, status) for sent, what, ms, status in timed.samples if first <= sent <= last]
    calls = [ms for what, ms, _ in in_drain if what == "call"]
    issues = [ms for what, ms, _ in in_drain if what == "issue"]
    floor = [ms for what, ms, _ in in_drain if what == "floor"]
    bad = Tally(f"{what} {status}" for what, _ms, status in in_drain if status >= 400 and what != "call")
    empty = sum(1 for what, _ms, status in in_drain if what == "call" and status >= 400)
    rss_drain = max((mib for at, mib in sampler.rss if first <= at <= last), default=float("nan"))
    with engine.connect() as connection:
        logged = connection.scalar(select(func.count()).select_from(OpLogEntry))
        distinct = connection.scalar(select(func.count(func.distinct(OpLogEntry.op_id))))
        watermarks = connection.scalar(select(func.sum(Device.last_client_seq)))
    gaps = sorted(s.max_gap for s in stats)
    print(
        f"drain: {pushed} ops of {len(stats)} counters (about {expected} planned) in {took:.1f} s = "
        f"{pushed / took:.0f} ops/s ({pushed / took / args.workers:.0f} per worker); load {drain_load}"
    )
    print(
        f"  results: {dict(statuses)}; pushes refused (429/503, retried): {sum(s.refused for s in stats)}; "
        f"timed out (sent again): {sum(s.timeouts for s in stats)}; "
        f"errors: {len(errors)} {errors[:3]}"
    )
    print(f"  exactly once: op_log rows {logged}, distinct op ids {distinct}, watermarks sum {watermarks}")
    print(
        f"  per counter: drain p50 {percentile(spans, 50):.1f} s, p95 {percentile(spans, 95):.1f}, "
        f"max {max(spans, default=0):.1f}; longest wait between a counter's pushes: p50 {percentile(gaps, 50):.1f} s, "
        f"max {gaps[-1]:.1f} s"
    )
    print(
        f"  online during the drain: call-next p50 {percentile(calls, 50):.1f} ms p95 {percentile(calls, 95):.1f} "
        f"(n={len(calls)}, {empty} empty queue); issue p50 {percentile(issues, 50):.1f} p95 "
        f"{percentile(issues, 95):.1f}; floor (/healthz) p50 {percentile(floor, 50):.1f} p95 "
        f"{percentile(floor, 95):.1f}; errors {dict(bad)}"
    )
    print(
        f"  server RSS (all processes): max {rss_drain:.0f} MiB during the drain; events heard by "
        f"{len(city.displays)} displays: {heard}"
    )
    if sampler.activity:
        print("  pg_stat_activity (samples of non-idle server connections):")
        for line, count in sampler.activity.most_common(12):
            print(f"    {count:6d}  {line}")
    if "Traceback" in log_tail:
        print(f"server log (tail):\n{log_tail}")
    p95 = percentile(calls, 95)
    met = {
        f"drain < {DRAIN_TARGET_S:.0f} s": took < DRAIN_TARGET_S,
        f"online call-next p95 < {CALL_P95_TARGET_MS:.0f} ms": p95 < CALL_P95_TARGET_MS,
        f"no counter starved (no wait > {STARVED_GAP_S:.0f} s between its pushes)": gaps[-1] <= STARVED_GAP_S,
        "every op landed exactly once": not errors and logged == distinct == pushed + morning_ops == watermarks,
    }
    for name, ok in met.items():
        print(f"  {'met' if ok else 'MISSED'}: {name}")
    return 0 if all(met.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
