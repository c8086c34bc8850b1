"""Central-server load benchmark: call-next with 50 counters calling at once (target p95 < 15 ms), a
dossier-number lease (p95 < 10 ms), a push of 200 ops (p95 < 250 ms) and a pull of 500 changes (p95 < 100 ms).

Run with ``make bench-server`` or ``.venv/bin/python benchmarks/bench_server.py [--database-url URL]``.

The server is a real ``counterapp-server serve --workers 1`` subprocess on loopback; the load comes from this
process (its own threads, one keep-alive HTTP/1.1 connection each), so client and server never share an
interpreter. Each run starts from an empty database: by default the PostgreSQL database ``counterapp_bench``
on 127.0.0.1, dropped and created again (the script refuses a database whose name lacks ``bench``); a
``sqlite:///FILE`` URL works too (the file is deleted first). The setup is not measured: it migrates the
database and makes one centre with 10 queue services, N counters each serving two of them, one clerk and
one enrolled counter device per counter (logged in), and a kiosk, through the server's own services.

Scenarios, each request timed on its own with ``perf_counter_ns`` after a warm-up:

* call-next, one counter alone, and ticket issue, the kiosk alone (sequential: one client, one keep-alive
  connection): the service time without any concurrency. Before each timed request the same connection makes
  a bare round trip (``FLOOR_PATH``: a 404 from the same server stack, no database) and, on PostgreSQL, this
  process a ``SELECT 1``: the run's own floors, interleaved so the machine's drift hits both. Their targets
  are stated both ways (``SEQUENTIAL_TARGETS``): an absolute p95 and a p95 at most so many times the floor's.
* call-next, all counters at once: each calls again as soon as it has its answer (a closed loop: N calls
  always in flight), ``--per-round`` calls each per round; between rounds, untimed, a kiosk tops the queue
  up to ``--waiting`` tickets (one in ten with priority).
* call-next, all counters at a steady ``--rate`` calls/s in all (Poisson arrivals), while the kiosk issues
  tickets at the same rate.
* ``POST /v1/codes/lease`` (dossier numbers, 5 at a time, for today or the next working day: the only days
  a lease may be for) and ``POST /v1/codes/next`` (dossier), ``--clients`` devices at once. Each lease run
  uses devices no earlier run used, each with a busy week behind it (``LEASE_HISTORY``), so every lease
  measures the device's use to size its fair share, as a real refill does.
* ``POST /v1/sync/push`` of 200 ``dossier.create`` ops and ``POST /v1/sync/pull`` of the centre's feed, 500
  changes a page, ``--clients`` devices at once. An endpoint that answers 404 is not built yet: skipped.

Targets are per request: they apply to one device's requests and to the paced call-next row (50 counters
connected, calling at random); the closed loop and the several-devices rows report throughput, since with one
worker simultaneous requests queue behind each other's CPU time.

Every row also reports its p95 ÷ the loopback floor's p95 (a row without floors of its own: the run's).

Exit status 1 if a target is missed or a scenario fails (a skipped one does not count).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from time import perf_counter, perf_counter_ns
from typing import Any
from unittest import mock

from bench_domain import machine, summarise
from sqlalchemy import Engine, create_engine, insert, make_url, select, text
from sqlalchemy.orm import Session

from counterapp.datafiles.calendar import bundled_calendar
from counterapp.datafiles.catalogue import demo_catalogue
from counterapp.domain.duedate import VIETNAM_TZ
from counterapp.protocol.client import KEEPALIVE_S
from counterapp.protocol.messages import MAX_PULL_LIMIT, MAX_PUSH_OPS, START_CURSOR
from counterapp.protocol.payloads import decode_payload
from counterapp.server import security
from counterapp.server.config import DEFAULT_KEEP_ALIVE_S, normalize_database_url
from counterapp.server.db import make_engine, session_factory
from counterapp.server.models.auth import Device
from counterapp.server.models.sync import Dossier
from counterapp.server.schema import migrate
from counterapp.server.services import devices, numbers, org, sessions, users

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/counterapp_bench"
AGENCY = "000.00.01.H26"
PASSWORD = "mật khẩu đủ dài 2025"
APP_VERSION = "0.9.0"
SERVICES = (  # code, ticket prefix, name
    ("HTCT", "A", "Hộ tịch, chứng thực"),
    ("DDXD", "B", "Đất đai, xây dựng"),
    ("KD", "C", "Đăng ký kinh doanh"),
    ("LDXH", "D", "Lao động, xã hội"),
    ("TKQ", "E", "Trả kết quả"),
    ("TP", "F", "Tư pháp"),
    ("GDDT", "G", "Giáo dục, đào tạo"),
    ("YT", "H", "Y tế"),
    ("TNMT", "K", "Tài nguyên, môi trường"),
    ("GTVT", "L", "Giao thông, vận tải"),
)
TICKETS_PER_PREFIX = 899  # the day's online ticket numbers of one service (server/services/numbers.py)
LEASE_SIZE = 5
LEASE_DAYS = 2  # today and the next working day: the days a lease may be for (numbers.last_lease_day)
RESERVED_PER_DAY = 3000  # dossier numbers 7000-9999 of one day can be leased
# The lease devices' history: dossiers received on each of the last 5 days (a busy counter). A device's fair
# share is 10 × its busiest day (the centre's policy here), so the lease runs never reach it, and each lease
# reads that history (``number_shares.measured_use``).
LEASE_HISTORY = (5, 200)
ONLINE_CODES = 6999  # dossier numbers 1-6999 of a day are handed out online, one at a time
FIRST_PUSHED_CODE = 2000  # the pushed dossiers' numbers; /v1/codes/next hands out those below
FEEDERS = 4  # kiosk connections topping the queue up between rounds
NOT_BUILT = "push/pull: endpoint not available yet — skipped"
DOSSIER = {"kind": "dossier"}

TARGETS = {"call-next": 15.0, "lease": 10.0, "push": 250.0, "pull": 100.0}  # p95, ms


# --- setup (not measured) ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Terminal:
    """An enrolled device, and the clerk logged in on it if any."""

    device_id: str
    credential: str
    token: str | None = None
    username: str | None = None
    number: str | None = None  # the counter's number

    @property
    def headers(self) -> dict[str, str]:
        headers = {"Authorization": f"Device {self.device_id}.{self.credential}"}
        if self.token is not None:
            headers["X-Staff-Session"] = self.token
        return headers


@dataclass(frozen=True, slots=True)
class Fixture:
    centre_id: str
    kiosk: Terminal
    counters: list[Terminal]
    watermarks: dict[str, int]  # device id → the last client_seq the server has of it


def _admin_engine(url: str) -> Engine:
    return create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def recreate_database(url: str) -> None:
    """An empty database at ``url``: a SQLite file deleted, a PostgreSQL database dropped and created."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            for suffix in ("", "-wal", "-shm"):
                Path(parsed.database + suffix).unlink(missing_ok=True)
        return
    name = parsed.database or ""
    if not re.fullmatch(r"[A-Za-z0-9_]+", name) or "bench" not in name:
        raise SystemExit(f"refusing to drop the database {name!r}: give one whose name contains 'bench'")
    admin = _admin_engine(url)
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()


def drop_database(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            for suffix in ("", "-wal", "-shm"):
                Path(parsed.database + suffix).unlink(missing_ok=True)
        return
    admin = _admin_engine(url)
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextmanager
def one_password_hash() -> Iterator[None]:
    """Hash and verify each password once during the setup: argon2id takes about 0.3 s a call here, twice
    for each clerk. Only this process is patched; the server runs in its own."""
    hash_password, verify_password = security.hash_password, security.verify_password
    hashes: dict[str, str] = {}
    verified: dict[tuple[str, str], bool] = {}

    def hash_once(password: str) -> str:
        if password not in hashes:
            hashes[password] = hash_password(password)
        return hashes[password]

    def verify_once(password_hash: str, password: str) -> bool:
        if (password_hash, password) not in verified:
            verified[(password_hash, password)] = verify_password(password_hash, password)
        return verified[(password_hash, password)]

    with (
        mock.patch.object(security, "hash_password", hash_once),
        mock.patch.object(security, "verify_password", verify_once),
    ):
        yield


def signed_in_counter(session: Session, centre: Any, counter: Any, n: int, now: datetime) -> Terminal:
    """Counter ``counter``'s clerk ``clerk.<n>`` and its enrolled device, the clerk signed in on it."""
    username = f"clerk.{n:03d}"
    users.create_user(session, username=username, full_name=f"Cán bộ quầy {n}", role="clerk", password=PASSWORD,
                      centre=centre, now=now)  # fmt: skip
    device, code, _ = devices.create_device(session, centre, kind="counter", counter=counter, now=now)
    device, credential = devices.enroll(session, code, app_version=APP_VERSION, now=now)
    token, _ = sessions.login(session, username, PASSWORD, device, now=now)
    return Terminal(device.id, credential, token, username, counter.number)


def populate(url: str, n_counters: int, lease_devices: int) -> tuple[Fixture, str]:
    """Migrate the empty database and set up the centre (``lease_devices`` counters with a history of use
    for the lease runs); also the database's name and version."""
    engine = make_engine(url)
    try:
        migrate(engine)
        now = datetime.now(UTC)
        with one_password_hash(), session_factory(engine).begin() as session:
            centre = org.create_centre(session, agency_code=AGENCY, name="Trung tâm Phục vụ hành chính công", now=now)
            services = [org.add_service(session, centre, code=c, prefix=p, name_vi=n) for c, p, n in SERVICES]
            counters: list[Terminal] = []
            for i in range(n_counters):
                counter = org.add_counter(session, centre, number=i + 1)
                org.assign(session, counter, [services[i % len(services)], services[(i + 1) % len(services)]])
                counters.append(signed_in_counter(session, centre, counter, i + 1, now))
            kiosk, code, _ = devices.create_device(session, centre, kind="kiosk", counter=None, now=now)
            kiosk, credential = devices.enroll(session, code, app_version=APP_VERSION, now=now)
            numbers.set_share_policy(centre, multiple=10, ceiling_dossier=RESERVED_PER_DAY)
            lease_history(session, centre.id, [c.device_id for c in counters[:lease_devices]], now)
            ids = [c.device_id for c in counters]
            rows = session.execute(select(Device.id, Device.last_client_seq).where(Device.id.in_(ids))).all()
            fixture = Fixture(centre.id, Terminal(kiosk.id, credential), counters, {i: int(s or 0) for i, s in rows})
        with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                version = "PostgreSQL " + str(connection.execute(text("SHOW server_version")).scalar()).split()[0]
            else:
                version = "SQLite " + str(connection.execute(text("SELECT sqlite_version()")).scalar())
        return fixture, version
    finally:
        engine.dispose()


def lease_history(session: Session, centre_id: str, device_ids: list[str], now: datetime) -> None:
    """``LEASE_HISTORY`` dossiers received by each device on the days before today (one bulk insert)."""
    days, per_day = LEASE_HISTORY
    today = now.astimezone(VIETNAM_TZ).date()
    rows = [
        {"id": str(uuid.uuid4()), "centre_id": centre_id, "device_id": device_id,
         "code": f"{AGENCY}-{day:%y%m%d}-{n:04d}", "procedure_code": "1.004873", "status": "received", "version": 1,
         "received_at": now - timedelta(days=back), "due_at": None, "returned_at": None, "data": {}}
        for device_id in device_ids
        for back, day in ((b, today - timedelta(days=b)) for b in range(1, days + 1))
        for n in range(1, per_day + 1)
    ]  # fmt: skip
    session.execute(insert(Dossier), rows)


@dataclass(frozen=True, slots=True)
class CpuSnapshot:
    """Machine-wide CPU ticks (busy, all) and those of this run's processes: this one, the server and every
    PostgreSQL process. Linux only; zeros elsewhere."""

    busy: int = 0
    total: int = 0
    ours: int = 0

    @classmethod
    def take(cls, server_pid: int | None = None) -> CpuSnapshot:
        def ticks(pid: int | str) -> tuple[str, int]:
            head, _, tail = Path(f"/proc/{pid}/stat").read_text().rpartition(")")
            fields = tail.split()
            return head.partition("(")[2], int(fields[11]) + int(fields[12])

        try:
            values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
            ours = ticks(os.getpid())[1] + (ticks(server_pid)[1] if server_pid else 0)
            for entry in Path("/proc").iterdir():
                if entry.name.isdigit():
                    try:
                        name, used = ticks(entry.name)
                    except (OSError, IndexError, ValueError):
                        continue
                    ours += used if name == "postgres" else 0
        except (OSError, IndexError, ValueError):
            return cls()
        return cls(sum(values) - values[3] - values[4], sum(values), ours)

    def others_since(self, earlier: CpuSnapshot) -> float:
        """The share of the machine's CPU time used by other processes since ``earlier``."""
        busy, ours = self.busy - earlier.busy, self.ours - earlier.ours
        return max(0.0, busy - ours) / max(1, self.total - earlier.total)


# --- the server ----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def server_command() -> list[str]:
    script = Path(sys.executable).with_name("counterapp-server")
    if script.exists():
        return [str(script)]
    found = shutil.which("counterapp-server")
    if found:
        return [found]
    return [sys.executable, "-c", "import sys; from counterapp.server.cli import main; sys.exit(main())"]


@dataclass(frozen=True, slots=True)
class Server:
    port: int
    pid: int

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process so far (Linux; 0 where /proc is missing)."""
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def running_server(url: str, log_path: Path, keep_alive_s: int = DEFAULT_KEEP_ALIVE_S) -> Iterator[Server]:
    """``counterapp-server serve --workers 1`` on a free port of 127.0.0.1 until the block ends; its output
    goes to ``log_path``."""
    port = free_port()
    command = [*server_command(), "serve", "--database-url", url, "--host", "127.0.0.1", "--port", str(port)]
    command += ["--keep-alive", str(keep_alive_s)]
    with log_path.open("wb") as log:
        process = subprocess.Popen([*command, "--workers", "1"], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit(f"the server exited with status {process.returncode}:\n{log_path.read_text()}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/healthz")
                ready = connection.getresponse().status == 200
                connection.close()
                if ready:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"the server did not answer /healthz within 60 s:\n{log_path.read_text()}")
            time.sleep(0.1)
        yield Server(port, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def server_problems(log_path: Path) -> list[str]:
    lines = log_path.read_text(encoding="utf-8", errors="replace").splitlines()
    pattern = r"\b(ERROR|CRITICAL|unhandled|Traceback)\b|database unavailable|not published"
    return [line for line in lines if re.search(pattern, line)]


# --- measuring -----------------------------------------------------------------------------------------


class Unexpected(Exception):
    """A request answered something the scenario cannot go on with."""


class Skipped(Exception):
    """The endpoint is not built yet."""


@dataclass
class Result:
    """One row of the table: per-request times in ns, the requests per second reached and the server's
    CPU time per request while they ran."""

    name: str
    target: str | None = None  # a key of TARGETS
    samples: list[int] = field(default_factory=list)
    server_samples: list[int] = field(default_factory=list)  # the server's own time (Server-Timing)
    floor: Floor | None = None  # the round trips measured interleaved with this row's requests
    per_second: float = 0.0
    cpu_ms: float = 0.0
    skipped: str | None = None
    failed: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, elapsed_ns: int, server_ns: int | None = None) -> None:
        with self.lock:
            self.samples.append(elapsed_ns)
            if server_ns is not None:
                self.server_samples.append(server_ns)


@dataclass
class Meter:
    """Wall and server CPU time of the timed stretches of a scenario, added up."""

    server: Server
    wall: float = 0.0
    cpu: float = 0.0

    @contextmanager
    def timing(self) -> Iterator[None]:
        wall, cpu = perf_counter(), self.server.cpu_seconds()
        try:
            yield
        finally:
            self.wall += perf_counter() - wall
            self.cpu += self.server.cpu_seconds() - cpu

    def close(self, result: Result, requests: int | None = None) -> Result:
        count = len(result.samples) if requests is None else requests
        result.per_second = count / self.wall if self.wall else 0.0
        result.cpu_ms = 1000 * self.cpu / count if count else 0.0
        return result


def server_time_ns(header: str | None) -> int | None:
    """``app;dur=1.23`` (milliseconds) as nanoseconds."""
    _, found, duration = (header or "").partition(";dur=")
    return round(float(duration) * 1e6) if found else None


class Client:
    """One keep-alive HTTP/1.1 connection as one device; each request timed on its own."""

    idle_s = KEEPALIVE_S  # as the counter's client: a connection idle this long is opened again

    def __init__(self, port: int, terminal: Terminal) -> None:
        self.terminal = terminal
        self.headers = {"Content-Type": "application/json", **terminal.headers}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.last_used = 0.0
        self.reconnects = 0
        self.server_ns: int | None = None  # the last answer's Server-Timing

    def post(self, path: str, body: Any = None) -> tuple[int, Any, int]:
        """(status, decoded JSON body, nanoseconds from sending to the answer's last byte). A connection idle
        for ``idle_s`` is opened again, as the counter's client does (``--keep-alive``)."""
        data = b"" if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        if perf_counter() - self.last_used > self.idle_s:
            self.connection.close()  # http.client connects again on the next request
        for attempt in range(2):
            try:
                t0 = perf_counter_ns()
                self.connection.request("POST", path, body=data, headers=self.headers)
                response = self.connection.getresponse()
                raw = response.read()
                elapsed = perf_counter_ns() - t0
                self.server_ns = server_time_ns(response.getheader("server-timing"))
                self.last_used = perf_counter()
                break
            except (http.client.RemoteDisconnected, ConnectionError):  # the server closed an idle connection
                self.connection.close()
                self.reconnects += 1
                if attempt:
                    raise
        return response.status, json.loads(raw) if raw else None, elapsed

    def close(self) -> None:
        self.connection.close()


def detail(status: int, body: Any) -> str:
    if isinstance(body, dict):
        return f"HTTP {status} {body.get('code', '')} {body.get('detail', body.get('title', ''))}".strip()
    return f"HTTP {status}"


def run_threads(workers: list[Callable[[], None]]) -> None:
    """Run each worker in its own thread; re-raise the first failure."""
    errors: list[BaseException] = []

    def guarded(work: Callable[[], None]) -> None:
        try:
            work()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(w,), daemon=True) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def _target(name: str, clients: list[Any]) -> str | None:
    """The latency targets are per request: they apply to one device's requests. Several devices at once
    measure throughput; with one worker their requests queue behind each other's CPU time."""
    return name if len(clients) == 1 else None


def at_once(n: int) -> str:
    return "one device" if n == 1 else f"{n} devices at once"


def spread(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


# --- floors: the same run's bare round trips (issue 16) ------------------------------------------------

# No route answers this path: a 404 from the same process, middlewares, router and error handler over the same
# keep-alive connection, without the database. What the server adds to a request is measured against it.
FLOOR_PATH = "/v1/floor-round-trip"
# Sequential call-next and issue (one client, one connection): p95 in ms and p95 ÷ the loopback floor's p95.
SEQUENTIAL_TARGETS = {"sqlite": (5.0, 15.0), "postgresql": (7.0, 20.0)}


@dataclass
class Floor:
    """Bare round trips timed between a scenario's requests, so the machine's drift hits both alike."""

    loopback: list[int] = field(default_factory=list)  # ns, GET FLOOR_PATH on the scenario's connection
    database: list[int] = field(default_factory=list)  # ns, SELECT 1 from this process (PostgreSQL)


class FloorProbe:
    """Times one loopback round trip and, on PostgreSQL, one ``SELECT 1`` (psycopg, autocommit, a connection
    of its own: what one round trip to the database costs from outside the server)."""

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        self.connection: Any = None
        if parsed.get_backend_name() == "postgresql":
            import psycopg  # only for PostgreSQL runs

            conninfo = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
            self.connection = psycopg.connect(conninfo, autocommit=True)

    def measure(self, client: Client, floor: Floor) -> None:
        connection = client.connection
        t0 = perf_counter_ns()
        connection.request("GET", FLOOR_PATH)
        response = connection.getresponse()
        response.read()
        floor.loopback.append(perf_counter_ns() - t0)
        client.last_used = perf_counter()
        if response.status != 404:
            raise Unexpected(f"{FLOOR_PATH}: HTTP {response.status}, expected 404")
        if self.connection is not None:
            t0 = perf_counter_ns()
            self.connection.execute("SELECT 1").fetchone()
            floor.database.append(perf_counter_ns() - t0)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


def bench_issue_alone(server: Server, client: Client, queue: Queue, probe: FloorProbe, issues: int) -> Result:
    """The kiosk issues ``issues`` tickets one at a time (after 20 untimed), nobody else on the server; a
    floor round trip before each."""
    result = Result("ticket issue (kiosk), one at a time", "sequential", floor=Floor())
    meter = Meter(server)
    for done in range(issues + 20):
        if done < 20:
            queue.issue(client)
            continue
        probe.measure(client, result.floor)  # type: ignore[arg-type]
        with meter.timing():
            elapsed = queue.issue(client)
        result.add(elapsed, client.server_ns)
    return meter.close(result)


def floor_only(client: Client, probe: FloorProbe, n: int = 200) -> Result:
    """The floors on their own, for a run without a sequential scenario."""
    result = Result("floor (loopback round trip, no route)", floor=Floor())
    for _ in range(n):
        probe.measure(client, result.floor)  # type: ignore[arg-type]
    result.samples = list(result.floor.loopback)  # type: ignore[union-attr]
    return result


def run_floor(rows: list[Result]) -> Floor:
    """Every floor measured in the run, pooled: the yardstick of the rows that measured none of their own."""
    pooled = Floor()
    for row in rows:
        if row.floor is not None:
            pooled.loopback += row.floor.loopback
            pooled.database += row.floor.database
    return pooled


def floor_columns(row: Result, pooled: Floor) -> tuple[str, str, float | None]:
    """(loopback floor p50 / p95, SELECT 1 p50 / p95, p95 ÷ the loopback floor's p95) for ``row``."""
    floor = row.floor if row.floor is not None and row.floor.loopback else pooled
    if not floor.loopback or not row.samples:
        return "—", "—", None
    loop = summarise(floor.loopback)
    database = summarise(floor.database) if floor.database else None
    own = "" if floor is row.floor else " (run)"
    loopback = f"{loop['p50']:.2f} / {loop['p95']:.2f}{own}"
    select_1 = f"{database['p50']:.2f} / {database['p95']:.2f}" if database else "—"
    return loopback, select_1, summarise(row.samples)["p95"] / loop["p95"]


# --- the queue -----------------------------------------------------------------------------------------


@dataclass
class Queue:
    """The kiosk side: issues tickets so that each service keeps about as many waiting as the others."""

    port: int
    kiosk: Terminal
    rng: random.Random
    waiting: dict[str, int] = field(default_factory=lambda: {code: 0 for code, _, _ in SERVICES})
    issued: dict[str, int] = field(default_factory=lambda: {code: 0 for code, _, _ in SERVICES})
    lock: threading.Lock = field(default_factory=threading.Lock)

    def capacity(self) -> int:
        return sum(TICKETS_PER_PREFIX - n for n in self.issued.values())

    def called(self, service: str) -> None:
        with self.lock:
            self.waiting[service] -= 1

    def _pick(self) -> tuple[str, str | None]:
        with self.lock:
            left = [code for code in self.waiting if self.issued[code] < TICKETS_PER_PREFIX]
            if not left:
                raise Unexpected("every service's ticket numbers for today are used up: ask for fewer calls")
            code = min(left, key=lambda c: (self.waiting[c], self.issued[c]))
            self.waiting[code] += 1
            self.issued[code] += 1
            return code, "elderly" if self.rng.random() < 0.1 else None

    def issue(self, client: Client) -> int:
        code, priority = self._pick()
        status, body, elapsed = client.post("/v1/tickets", {"service": code, "priority": priority})
        if status != 201:
            raise Unexpected(f"issuing a ticket: {detail(status, body)}")
        return elapsed

    def top_up(self, target: int) -> None:
        """Issue tickets (several kiosk connections, not timed) until ``target`` are waiting in all."""
        with self.lock:
            missing = max(0, target - sum(self.waiting.values()))

        def feeder(n: int) -> Callable[[], None]:
            def work() -> None:
                client = Client(self.port, self.kiosk)
                try:
                    for _ in range(n):
                        self.issue(client)
                finally:
                    client.close()

            return work

        run_threads([feeder(n) for n in spread(missing, FEEDERS) if n])


@dataclass
class Calls:
    result: Result
    empty: int = 0  # 409 queue.empty / queue.busy: nothing left to win for that counter
    lock: threading.Lock = field(default_factory=threading.Lock)

    def call(self, client: Client, queue: Queue, timed: bool = True) -> None:
        status, body, elapsed = client.post("/v1/queue/call-next")
        if status == 200:
            queue.called(body["service"])
            if timed:
                self.result.add(elapsed, client.server_ns)
        elif status == 409 and isinstance(body, dict) and body.get("code") in ("queue.empty", "queue.busy"):
            with self.lock:
                self.empty += 1
        else:
            raise Unexpected(f"call-next at counter {client.terminal.number}: {detail(status, body)}")


def bench_call_next_alone(
    server: Server, client: Client, queue: Queue, calls: int, waiting: int, probe: FloorProbe | None = None
) -> Calls:
    """One counter calls, one call at a time, with nobody else on the server; topped up every 20 calls.
    With ``probe``, a floor round trip before each timed call."""
    floor = Floor() if probe is not None else None
    calls_ = Calls(Result(f"call-next, one counter alone, {waiting} waiting", "sequential", floor=floor))
    meter = Meter(server)
    for done in range(calls + 20):
        if done % 20 == 0:
            queue.top_up(waiting)
        if done < 20:
            calls_.call(client, queue, timed=False)
            continue
        if probe is not None and floor is not None:
            probe.measure(client, floor)
        with meter.timing():
            calls_.call(client, queue)
    meter.close(calls_.result)
    return calls_


def bench_call_next_burst(
    server: Server, clients: list[Client], queue: Queue, calls: int, per_round: int, waiting: int
) -> Calls:
    """Every counter calls ``per_round`` times in a row, all counters at once; the queue is topped up to
    ``waiting`` between rounds (not timed). Two rounds of warm-up."""
    warmup = 2
    rounds = max(1, round(calls / (len(clients) * per_round)))
    name = f"call-next, {len(clients)} counters at once (closed loop), {waiting} waiting"
    calls_ = Calls(Result(name))  # throughput at saturation: 50 calls always in flight queue behind each other
    meter = Meter(server)
    start = threading.Barrier(len(clients) + 1)
    done = threading.Barrier(len(clients) + 1)
    timed = [False]
    errors: list[BaseException] = []

    def counter(client: Client) -> None:
        try:
            for _ in range(warmup + rounds):
                start.wait()
                try:
                    for _ in range(per_round):
                        calls_.call(client, queue, timed[0])
                except Exception as exc:
                    errors.append(exc)
                done.wait()
        except threading.BrokenBarrierError:
            return

    threads = [threading.Thread(target=counter, args=(c,), daemon=True) for c in clients]
    for thread in threads:
        thread.start()
    try:
        for r in range(warmup + rounds):
            queue.top_up(waiting)
            timed[0] = r >= warmup
            with meter.timing() if timed[0] else _untimed():
                start.wait()
                done.wait()
            if errors:
                raise errors[0]
    finally:
        start.abort()
        done.abort()
        for thread in threads:
            thread.join(timeout=5)
    meter.close(calls_.result)
    return calls_


@contextmanager
def _untimed() -> Iterator[None]:
    yield


def bench_call_next_paced(
    server: Server, clients: list[Client], queue: Queue, kiosk: Client, calls: int, rate: float, seed: int
) -> tuple[Calls, Result]:
    """``calls`` calls at ``rate`` calls/s in all (a Poisson process), each by a counter drawn at random,
    while the kiosk issues tickets at the same rate; then the kiosk's issue times. A counter whose previous
    call has not returned yet calls late."""
    calls_ = Calls(Result(f"call-next, {len(clients)} counters at {rate:g} calls/s in all", "call-next"))
    issues = Result(f"ticket issue (kiosk) at {rate:g}/s, meanwhile")
    rng = random.Random(f"{seed}-paced")
    begin = perf_counter() + 0.2
    moments: list[list[float]] = [[] for _ in clients]
    at = begin
    for _ in range(calls):
        at += rng.expovariate(rate)
        moments[rng.randrange(len(clients))].append(at)
    feeds, at = [], begin
    for _ in range(calls):
        at += rng.expovariate(rate)
        feeds.append(at)

    def on_time(times: list[float], action: Callable[[], None]) -> Callable[[], None]:
        def work() -> None:
            for moment in times:
                pause = moment - perf_counter()
                if pause > 0:
                    time.sleep(pause)
                action()

        return work

    def caller(client: Client) -> Callable[[], None]:
        return lambda: calls_.call(client, queue)

    workers = [on_time(feeds, lambda: issues.add(queue.issue(kiosk), kiosk.server_ns))]
    workers += [on_time(m, caller(c)) for c, m in zip(clients, moments, strict=True) if m]
    meter = Meter(server)
    with meter.timing():
        run_threads(workers)
    meter.wall -= 0.2
    meter.close(calls_.result, len(calls_.result.samples) + len(issues.samples))
    issues.cpu_ms = calls_.result.cpu_ms  # per request, calls and issues alike
    calls_.result.per_second = len(calls_.result.samples) / meter.wall
    issues.per_second = len(issues.samples) / meter.wall
    return calls_, issues


# --- numbers -------------------------------------------------------------------------------------------


def local_today() -> date:
    return datetime.now(VIETNAM_TZ).date()


def bench_codes(
    server: Server, result: Result, clients: list[Client], n: int, path: str, body: Callable[[int], dict[str, Any]]
) -> Result:
    """``n`` requests to ``path`` (after one untimed per client) spread over the clients, all at once."""
    expected = 201 if path.endswith("lease") else 200
    taken = iter(range(10**9))
    lock = threading.Lock()
    meter = Meter(server)

    def worker(client: Client, count: int, timed: bool) -> Callable[[], None]:
        def work() -> None:
            for _ in range(count):
                with lock:
                    request = body(next(taken))
                status, answer, elapsed = client.post(path, request)
                if status != expected:
                    raise Unexpected(f"{path}: {detail(status, answer)}")
                if timed:
                    result.add(elapsed, client.server_ns)

        return work

    run_threads([worker(c, 1, False) for c in clients])
    with meter.timing():
        run_threads([worker(c, k, True) for c, k in zip(clients, spread(n, len(clients)), strict=True) if k])
    return meter.close(result)


# --- sync ----------------------------------------------------------------------------------------------

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ")
MIDDLE = ("Văn", "Thị", "Ngọc", "Thu", "Minh", "Đức", "Thanh", "Hữu")
GIVEN = ("An", "Bình", "Cường", "Dũng", "Hà", "Hoa", "Hương", "Lan", "Long", "Mai", "Nam", "Tuấn", "Tuyến", "Yến")
PROVINCES = ("001", "031", "038", "079", "092")  # Hà Nội, Hải Phòng, Thanh Hóa, TP Hồ Chí Minh, Cần Thơ


def cccd(rng: random.Random, born: date, sex: str) -> str:
    """A 12-digit CCCD number that fits the date of birth and sex: province, century-and-sex digit, year."""
    century = (born.year // 100 - 19) * 2 + (0 if sex == "male" else 1)
    return f"{rng.choice(PROVINCES)}{century}{born:%y}{rng.randrange(10**6):06d}"


class OpFactory:
    """``dossier.create`` ops as the counters' intake writes them: dossiers received just now by the
    pushing clerk, with today's codes taken online (no lease), numbered from ``FIRST_PUSHED_CODE`` on so that
    they never meet the codes handed out by the ``/v1/codes/next`` scenario."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.procedures = [p for p in demo_catalogue().procedures if p.is_valid_on(local_today())]
        self.calendar_version = bundled_calendar().version
        self.serial = 0
        self.lock = threading.Lock()

    def op(self, seq: int, terminal: Terminal) -> dict[str, Any]:
        with self.lock:
            serial, self.serial = self.serial, self.serial + 1
        rng = random.Random(f"{self.seed}-op-{serial}")
        received = datetime.now(VIETNAM_TZ).replace(tzinfo=None)  # as the counter stores it: local time
        day, number = received.date(), FIRST_PUSHED_CODE + serial
        procedure = rng.choice(self.procedures)
        born = date(1950, 1, 1) + timedelta(days=rng.randrange(20_000))
        sex = rng.choice(("male", "female"))
        payload = {
            "dossier_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "code": f"{AGENCY}-{day:%y%m%d}-{number:04d}",
            "lease_id": None,
            "procedure_code": procedure.code,
            "received_at": received.isoformat(),
            "due_at": (received + timedelta(days=5)).replace(hour=17, minute=0, second=0).isoformat(),
            "duration": {"value": str(procedure.duration.value), "unit": procedure.duration.unit.value},
            "calendar_version": self.calendar_version,
            "sets": 1,
            "channel": "direct",
            "return_mode": "counter",
            "postal_address": None,
            "note": None,
            "register": {"book": day.isoformat(), "line": number},
            "counter": terminal.number,
            "ticket_id": None,
            "applicant": {
                "name": f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                "id_type": "cccd",
                "id_number": cccd(rng, born, sex),
                "date_of_birth": born.isoformat(),
                "sex": sex,
                "address": f"Số {rng.randrange(1, 200)} phố Hàng Bông, phường Hoàn Kiếm, Hà Nội",
                "phone": f"09{rng.randrange(10**8):08d}",
                "email": None,
            },
            "owner": None,
            "documents": [
                {
                    "code": c.code,
                    "name": c.name,
                    "originals": c.originals,
                    "certified_copies": c.certified_copies,
                    "photocopies": c.photocopies,
                }
                for c in procedure.components
                if c.required
            ],
        }
        decode_payload("dossier.create", 1, payload)  # what the server will read, checked here
        wall = received.replace(tzinfo=VIETNAM_TZ).isoformat()
        return {
            "op_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "client_seq": seq,
            "kind": "dossier.create",
            "v": 1,
            "payload": payload,
            "user_id": terminal.username,
            "wall_time": wall,
            "corrected_time": wall,
            "epoch": 0,
        }


@dataclass
class Outboxes:
    """What each device has pushed so far: its next ``client_seq``, from the server's watermark on."""

    factory: OpFactory
    seqs: dict[str, int]


def bench_push(server: Server, clients: list[Client], outboxes: Outboxes, batches: int) -> Result:
    """``batches`` pushes of ``MAX_PUSH_OPS`` new ops (after one untimed), each client pushing its own
    batches one after the other, the clients at once."""
    result = Result(f"push of {MAX_PUSH_OPS} dossier.create ops, {at_once(len(clients))}", _target("push", clients))
    factory, seqs = outboxes.factory, outboxes.seqs
    statuses: dict[str, int] = {}
    reasons: dict[str, int] = {}
    meter = Meter(server)

    def push(client: Client, timed: bool) -> None:
        device = client.terminal.device_id
        ops = [factory.op(seqs[device] + i, client.terminal) for i in range(MAX_PUSH_OPS)]
        status, body, elapsed = client.post("/v1/sync/push", {"client_id": device, "ops": ops})
        if status == 404:
            raise Skipped(NOT_BUILT)
        if status == 409 and isinstance(body, dict) and body.get("code") == "sync.gap":
            seqs[device] = int(body["expected_seq"])  # the server has another watermark: start from there
            return push(client, timed)
        if status != 200:
            raise Unexpected(f"push: {detail(status, body)}")
        seqs[device] = ops[-1]["client_seq"] + 1
        with result.lock:
            for item in body["results"]:
                statuses[item["status"]] = statuses.get(item["status"], 0) + 1
                if item["status"] in ("rejected", "conflict"):
                    reasons[item.get("reason") or "?"] = reasons.get(item.get("reason") or "?", 0) + 1
        if timed:
            result.add(elapsed, client.server_ns)

    def worker(client: Client, n: int) -> Callable[[], None]:
        def work() -> None:
            for _ in range(n):
                push(client, True)

        return work

    push(clients[0], False)
    with meter.timing():
        run_threads([worker(c, k) for c, k in zip(clients, spread(batches, len(clients)), strict=True) if k])
    print(f"  op results: {', '.join(f'{n:,} {s}' for s, n in sorted(statuses.items()))}")
    for reason, n in sorted(reasons.items(), key=lambda item: -item[1])[:3]:
        print(f"    {n:,} ops: {reason}")
    return meter.close(result)


def bench_pull(server: Server, clients: list[Client], fixture: Fixture, pages: int) -> Result:
    """Each client reads the centre's whole feed from the start, 500 changes a page, following the cursors,
    and again from the start, until ``pages`` pages are read in all; full pages are the timed samples."""
    result = Result(f"pull of {MAX_PULL_LIMIT} changes, {at_once(len(clients))}", _target("pull", clients))
    space = f"centre:{fixture.centre_id}"
    shorter: list[int] = []
    feeds: list[int] = []
    meter = Meter(server)

    def pull(client: Client, cursor: str) -> tuple[int, str, bool, int]:
        request = {"client_id": client.terminal.device_id, "cursors": {space: cursor}, "limit": MAX_PULL_LIMIT}
        status, body, elapsed = client.post("/v1/sync/pull", request)
        if status == 404:
            raise Skipped(NOT_BUILT)
        if status != 200:
            raise Unexpected(f"pull: {detail(status, body)}")
        return len(body["changes"]), body["cursors"].get(space, cursor), bool(body["has_more"]), elapsed

    def worker(client: Client, n: int) -> Callable[[], None]:
        def work() -> None:
            cursor, seen = START_CURSOR, 0
            for _ in range(n):
                count, cursor, more, elapsed = pull(client, cursor)
                seen += count
                if count == MAX_PULL_LIMIT:
                    result.add(elapsed, client.server_ns)
                else:
                    with result.lock:
                        shorter.append(elapsed)
                if not more:
                    with result.lock:
                        feeds.append(seen)
                    cursor, seen = START_CURSOR, 0

        return work

    pull(clients[0], START_CURSOR)
    with meter.timing():
        run_threads([worker(c, k) for c, k in zip(clients, spread(pages, len(clients)), strict=True) if k])
    meter.close(result, len(result.samples) + len(shorter))
    feed = f"{max(feeds):,} changes in the feed" if feeds else "the feed was never read to its end"
    print(f"  {len(result.samples)} full pages timed, {len(shorter)} shorter last pages not; {feed}")
    if not result.samples:  # fewer than 500 changes in the feed: report the pages there are
        result.samples = shorter
    return result


# --- report --------------------------------------------------------------------------------------------


def report(results: list[Result], dialect: str = "postgresql") -> int:
    """The Markdown table of benchmarks/README.md, with throughput, the server's CPU time per request and
    the floors of the same run (``floor_columns``); 1 if a p95 misses its target or a scenario failed."""
    print(
        "| benchmark | requests | p50 ms | p95 ms | p99 ms | target p95 | met | requests/s | server CPU ms/req "
        "| in the server p50 / p95 ms | loopback floor p50 / p95 ms | SELECT 1 p50 / p95 ms | p95 ÷ floor p95 |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    ok = True
    pooled = run_floor(results)
    for row in results:
        target, ratio_target = sequential_target(row, dialect)
        goal = f"< {target:g}" if target is not None else "—"
        goal += f", ≤ {ratio_target:g}× floor" if ratio_target is not None else ""
        if row.skipped or row.failed:
            ok &= not row.failed
            outcome = "skipped" if row.skipped else "FAILED"
            print(f"| {row.name} | — | — | — | — | {goal} | {outcome} | — | — | — | — | — | — |")
            continue
        r = summarise(row.samples)
        loopback, select_1, ratio = floor_columns(row, pooled)
        met = "—"
        if target is not None:
            passed = r["p95"] < target and (ratio_target is None or (ratio is not None and ratio <= ratio_target))
            ok &= passed
            met = "yes" if passed else "NO"
        inside = "—"
        if row.server_samples:
            server = summarise(row.server_samples)
            inside = f"{server['p50']:.1f} / {server['p95']:.1f}"
        print(
            f"| {row.name} | {r['n']:,} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | {goal} | {met} "
            f"| {row.per_second:,.0f} | {row.cpu_ms:.1f} | {inside} | {loopback} | {select_1} "
            f"| {'—' if ratio is None else f'{ratio:.1f}×'} |"
        )
    return 0 if ok else 1


def sequential_target(row: Result, dialect: str) -> tuple[float | None, float | None]:
    """(p95 ms, p95 ÷ floor p95) that ``row`` must meet: the database's pair for the sequential rows."""
    if row.target == "sequential":
        return SEQUENTIAL_TARGETS.get(dialect, (None, None))
    return (TARGETS[row.target] if row.target else None), None


# --- main ----------------------------------------------------------------------------------------------


def settle(server: Server, limit_s: float = 120.0) -> float:
    """Wait until the server answers ``/healthz`` within a second again (after a failed scenario it may still
    be working off requests that were waiting for a database connection); the seconds waited."""
    t0 = perf_counter()
    while perf_counter() - t0 < limit_s:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            started = perf_counter()
            connection.request("GET", "/healthz")
            healthy = connection.getresponse().status == 200 and perf_counter() - started < 1.0
            connection.close()
            if healthy:
                break
        except OSError:
            pass
        time.sleep(1)
    return perf_counter() - t0


def scenario(
    results: list[Result], server: Server, name: str, target: str | None, run: Callable[[], list[Result]]
) -> None:
    """Run one scenario; a failure or a missing endpoint becomes its row instead of ending the run."""
    t0 = perf_counter()
    try:
        rows = run()
    except Skipped as exc:
        print(exc)
        results.append(Result(name, target, skipped=str(exc)))
        return
    except Unexpected as exc:
        print(f"FAILED: {name}: {exc}")
        results.append(Result(name, target, failed=str(exc)))
        print(f"  (the server was healthy again {settle(server):.0f} s later)")
        return
    results.extend(rows)
    print(f"  {name}: {perf_counter() - t0:.0f} s")


def run_scenarios(args: argparse.Namespace, fixture: Fixture, server: Server) -> list[Result]:
    counters = [Client(server.port, t) for t in fixture.counters]
    kiosk = Client(server.port, fixture.kiosk)
    queue = Queue(server.port, fixture.kiosk, random.Random(args.seed))
    results: list[Result] = []
    probe = FloorProbe(normalize_database_url(args.database_url))
    try:
        needed = args.waiting + args.alone + 20 + args.calls + args.paced_calls + 2 * args.counters * args.per_round
        needed += args.issues + 20
        if needed > queue.capacity():
            raise SystemExit(f"{needed:,} tickets needed, {queue.capacity():,} numbers a day: ask for fewer calls")

        def alone() -> list[Result]:
            calls = bench_call_next_alone(server, counters[0], queue, args.alone, args.waiting, probe)
            return [calls.result]

        def burst() -> list[Result]:
            calls = bench_call_next_burst(server, counters, queue, args.calls, args.per_round, args.waiting)
            if calls.empty:
                print(f"  {calls.empty} calls found nothing to win (409 queue.empty or queue.busy)")
            return [calls.result]

        def paced() -> list[Result]:
            calls, issues = bench_call_next_paced(
                server, counters, queue, kiosk, args.paced_calls, args.rate, args.seed
            )
            if calls.empty:
                print(f"  {calls.empty} calls found nothing to win (409 queue.empty or queue.busy)")
            return [calls.result, issues]

        today = local_today()
        lease_days = [today, bundled_calendar().next_working_day(today)]
        leased_by = [0]  # counters that leased in an earlier run: each run uses new ones

        def lease_body(i: int) -> dict[str, Any]:
            return {"kind": "dossier", "day": lease_days[i % LEASE_DAYS].isoformat(), "count": LEASE_SIZE}

        def leases(n: int) -> Callable[[], list[Result]]:
            result = Result(f"dossier-number lease ({LEASE_SIZE}), {at_once(n)}", _target("lease", counters[:n]))

            def run() -> list[Result]:
                first, leased_by[0] = leased_by[0], leased_by[0] + n
                return [bench_codes(server, result, counters[first : first + n], args.leases, "/v1/codes/lease",
                                    lease_body)]  # fmt: skip

            return run

        def codes(n: int) -> Callable[[], list[Result]]:
            result = Result(f"next dossier code (online), {at_once(n)}")
            return lambda: [bench_codes(server, result, counters[:n], args.codes, "/v1/codes/next", lambda _: DOSSIER)]

        outboxes = Outboxes(OpFactory(args.seed), {c: s + 1 for c, s in fixture.watermarks.items()})
        wanted = set(args.only)
        if "alone" in wanted:
            scenario(results, server, "call-next, one counter alone", "sequential", alone)
        if "issue" in wanted:
            issue = lambda: [bench_issue_alone(server, kiosk, queue, probe, args.issues)]  # noqa: E731
            scenario(results, server, "ticket issue, one at a time", "sequential", issue)
        if "burst" in wanted:
            scenario(results, server, "call-next, counters at once", "call-next", burst)
        if "paced" in wanted:
            scenario(results, server, "call-next, paced", "call-next", paced)
        for n in args.clients if "lease" in wanted else []:
            scenario(results, server, f"dossier-number lease, {at_once(n)}", "lease", leases(n))
        for n in args.clients if "codes" in wanted else []:
            scenario(results, server, f"next dossier code, {at_once(n)}", None, codes(n))

        def push(n: int) -> Callable[[], list[Result]]:
            return lambda: [bench_push(server, counters[:n], outboxes, args.pushes)]

        def pull(n: int) -> Callable[[], list[Result]]:
            return lambda: [bench_pull(server, counters[:n], fixture, args.pulls)]

        pushes = [(f"push, {at_once(n)}", push(n)) for n in args.clients] if "push" in wanted else []
        pulls = [(f"pull, {at_once(n)}", pull(n)) for n in args.clients] if "pull" in wanted else []
        for name, run in pushes + pulls:
            if any(r.skipped for r in results):  # push answered 404: the sync endpoints are not built yet
                results.append(Result(name, name.split(",")[0], skipped=NOT_BUILT))
            else:
                scenario(results, server, name, name.split(",")[0], run)
        if all(row.floor is None for row in results):  # no sequential scenario: the floors on their own
            results.append(floor_only(kiosk, probe))
        reconnects = sum(c.reconnects for c in [*counters, kiosk])
        if reconnects:
            print(f"{reconnects} requests were sent again on a new connection (the server had closed an idle one)")
    finally:
        for client in [*counters, kiosk]:
            client.close()
        probe.close()
    return results


def counts(text: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not numbers separated by commas: {text!r}") from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"give numbers of at least 1, such as 1,4: {text!r}")
    return values


SCENARIOS = ("alone", "issue", "burst", "paced", "lease", "codes", "push", "pull")


def scenarios(text: str) -> list[str]:
    names = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"scenarios are {', '.join(SCENARIOS)}: {text!r}")
    return names


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n", 1)[0].replace("\n", " "))
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help="emptied first (default: %(default)s)")
    parser.add_argument("--counters", type=int, default=50, help="counters, each with its device and clerk")
    parser.add_argument("--calls", type=int, default=400, help="timed call-next calls, all counters at once")
    parser.add_argument("--per-round", type=int, default=2, help="calls in a row per counter between top-ups")
    parser.add_argument("--waiting", type=int, default=500, help="tickets waiting at the start of each round")
    parser.add_argument("--alone", type=int, default=300, help="timed call-next calls of one counter alone")
    parser.add_argument("--issues", type=int, default=300, help="timed ticket issues of the kiosk alone")
    parser.add_argument("--paced-calls", type=int, default=200, help="timed call-next calls at --rate")
    parser.add_argument("--rate", type=float, default=5.0, help="call-next calls per second in all, paced")
    parser.add_argument(
        "--clients", type=counts, default=[1, 4], metavar="N,N", help="devices at once for codes, push and pull"
    )
    parser.add_argument(
        "--leases", type=int, default=300, help=f"POST /v1/codes/lease requests ({LEASE_SIZE} numbers each)"
    )
    parser.add_argument("--codes", type=int, default=300, help="POST /v1/codes/next requests")
    parser.add_argument("--pushes", type=int, default=8, help="batches of 200 ops")
    parser.add_argument("--pulls", type=int, default=60, help="pages of up to 500 changes")
    parser.add_argument(
        "--only",
        type=scenarios,
        default=list(SCENARIOS),
        metavar="NAME,NAME",
        help=f"run only these scenarios, of {','.join(SCENARIOS)} (pull times only full pages: push first)",
    )
    parser.add_argument(
        "--keep-alive", type=float, default=KEEPALIVE_S, metavar="S",
        help="seconds a device keeps an idle connection (default %(default)g, as the counter's client; "
        "the server keeps its side 15 s longer)",
    )  # fmt: skip
    parser.add_argument("--keep", action="store_true", help="keep the database after the run")
    parser.add_argument("--seed", type=int, default=2025, help="for the tickets' services, arrivals and op payloads")
    args = parser.parse_args()
    Client.idle_s = args.keep_alive
    if max(args.clients) > args.counters:
        parser.error("--clients: at most --counters")
    runs = len(args.clients)
    if args.leases * runs + sum(args.clients) > LEASE_DAYS * RESERVED_PER_DAY // LEASE_SIZE:
        parser.error(f"--leases: at most {LEASE_DAYS * RESERVED_PER_DAY // LEASE_SIZE} leases of {LEASE_SIZE} in all")
    if sum(args.clients) > args.counters:
        parser.error("--clients: at most --counters in all (each lease run uses devices no earlier run used)")
    if (args.codes + max(args.clients)) * runs >= FIRST_PUSHED_CODE:
        parser.error(f"--codes: fewer than {FIRST_PUSHED_CODE} in all (a day's online codes are shared)")
    if (args.pushes + 1) * runs * MAX_PUSH_OPS > ONLINE_CODES - FIRST_PUSHED_CODE + 1:
        parser.error(f"--pushes: at most {(ONLINE_CODES - FIRST_PUSHED_CODE + 1) // MAX_PUSH_OPS} batches in all")
    url = normalize_database_url(args.database_url)

    t0 = perf_counter()
    before = CpuSnapshot.take()
    time.sleep(1)
    busy = CpuSnapshot.take().others_since(before)
    recreate_database(url)
    fixture, database = populate(url, args.counters, sum(args.clients))
    print(f"Machine: {machine()}, {database}")
    print(f"Set up {args.counters} counters, clerks and devices in {perf_counter() - t0:.1f} s")
    print(f"Devices keep an idle connection {args.keep_alive:g} s; the server {int(args.keep_alive) + 15} s")
    if busy > 0.2:
        print(f"WARNING: other processes used {busy:.0%} of the CPU before the run: expect slower figures")

    status = 0
    handle, name = tempfile.mkstemp(prefix="bench-server-", suffix=".log")
    os.close(handle)
    log_path = Path(name)
    try:
        with running_server(url, log_path, int(args.keep_alive) + 15) as server:
            before = CpuSnapshot.take(server.pid)
            results = run_scenarios(args, fixture, server)
            busy = CpuSnapshot.take(server.pid).others_since(before)
    finally:
        problems = server_problems(log_path)
        if problems:
            print(f"The server logged {len(problems)} errors (its log: {log_path}), e.g.:", *problems[:3], sep="\n  ")
            status = 1
        else:
            log_path.unlink()
        if not args.keep:
            drop_database(url)
    status |= report(results, make_url(url).get_backend_name())
    print(f"Other processes used {busy:.0%} of the machine's CPU time during the scenarios.")
    print(f"Total {perf_counter() - t0:.0f} s")
    return status


if __name__ == "__main__":
    sys.exit(main())
