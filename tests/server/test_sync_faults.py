"""SYNC.md §3 R2 + R3: nothing is lost with real processes, a misbehaving network and ``kill -9``.

A real ``counterapp-server`` process, and three counter processes (``tests/server/sync_worker.py``), each
behind its own fault proxy (``tests/faultproxy.py``). For ``CHAOS_S`` seconds or more every counter does random
clerk work (walk-ins, calls, start/finish/no-show, dossier intake) and syncs, while this test (the nemesis):

* has each proxy alternate a random fault for 0.3–0.5 s (a round trip longer than the client's timeout,
  black hole, reset, a response cut in its headers or body — the server committed, the answer is lost —,
  a request cut, down) and a calm spell of 0.3–1.5 s (healthy, or a little latency);
* makes counters kill themselves at the named points of ``sync_worker.POINTS`` (``after_local_enqueue``,
  ``after_push_before_mark``, ``mid_pull_page``, ``mid_batch_drain``) and ``kill -9``s counters from outside
  at random moments; a dead counter is started again on its data directory;
* ``kill -9``s the server once and starts it again on the same port;
* issues kiosk tickets online (straight to the server) all along, so counters race for the same tickets;
* on PostgreSQL, terminates the server's database connections twice: once at a named point — a push wrote
  its effects and op log rows and is about to commit (caught by holding its space's clock row) — and once
  all of them.

Then it heals (proxies healthy, counters stopped, each outbox drained to zero, a final pull everywhere) and
checks the R2 invariants: the op ids in the counters' outboxes are exactly the server's op log (per device),
no dossier code is on the server twice, and every counter's mirror of the centre's tickets and dossiers has
the server's canonical hash. ``SYNC_FAULTS_SEED=<n>`` replays a run's random choices (the processes' timing
is not replayable). Each run leaves ``report.txt`` (what happened, in numbers and on a timeline) and every
process's log in its ``tmp_path``.

Runtime: 35–45 s per database on a busy 2-core machine (the server alone needs 5–15 s to restart), so the
file stays under 90 s and is not marked ``slow``.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO

import httpx2
import pytest
from sqlalchemy import Engine, func, make_url, select, text
from sqlalchemy.orm import Session, aliased, sessionmaker

from counterapp.datafiles.catalogue import demo_catalogue
from counterapp.protocol.canonical import canonical_hash
from counterapp.protocol.client import ServerClient, SyncError
from counterapp.server.models.numbers import CodeLease
from counterapp.server.models.org import Counter as ServerCounter
from counterapp.server.models.org import QueueService
from counterapp.server.models.queue import Ticket
from counterapp.server.models.sync import Dossier, OpLogEntry
from counterapp.services import catalogue
from counterapp.store.database import Store, open_store
from counterapp.store.dossier_models import DossierRow
from counterapp.store.queue_models import TicketRow
from counterapp.store.sync_models import NumberLeaseRow, OutboxRow
from counterapp.sync.engine import SyncEngine, local_now, status
from counterapp.sync.enrollment import enroll_store, load_credential, save_credential
from tests.faultproxy import FaultProxy
from tests.ports import free_port
from tests.server.authkit import CENTRE_A, PASSWORD, make_device
from tests.server.processes import SERVER, stop
from tests.server.sync_worker import KILLED, POINTS
from tests.server.synckit import CLERK, setup_centre

REPO = Path(__file__).resolve().parents[2]
COUNTERS = ("1", "2", "3")
KIOSK_COUNTER = "9"  # the kiosk's device needs a counter of the centre; nobody calls from it
# Chaos lasts at least CHAOS_S, and then until every named fault point fired and the counters did MIN_ROUNDS
# sync rounds (MIN_OK of them complete) — on a busy machine that takes longer — but never beyond MAX_CHAOS_S.
CHAOS_S = 15.0
MAX_CHAOS_S = 60.0
MIN_ROUNDS = 60
MIN_OK = 10
# Each proxy alternates a fault spell and a calm spell. Calm spells are long enough for a whole sync round
# (hello, push batches, pull pages, leases) to get through now and then on a busy machine.
FAULT_S = (0.3, 0.5)
CALM_S = (0.3, 1.5)
CLIENT_KILLS_AT = (3.0, 9.5)  # kill -9 of a counter from outside
SERVER_KILL_AT = 5.0
# PostgreSQL, once the server is back from its kill: kill the server's connection inside a push, just before
# its commit (waiting at most DB_KILL_IN_PUSH_S for a push to get there), then terminate all its connections.
DB_KILL_IN_PUSH_AT = 6.0
DB_KILL_IN_PUSH_S = 5.0
DB_KILL_ALL_AT = 8.0
SERVER_START_S = 30.0
DRAIN_ROUNDS = 10


# --- the server process, restartable on its port ---------------------------------------------------------


class ServerProcess:
    """``counterapp-server serve`` on a fixed port, so the proxies in front of it survive its restarts."""

    def __init__(self, database_url: str, logs: Path) -> None:
        self.database_url, self.logs = database_url, logs
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.starts = 0
        self.ready = False  # answered /healthz since its last start
        self.process: subprocess.Popen[bytes] | None = None
        self._log: TextIO | None = None

    def start(self) -> None:
        self.starts += 1
        log_path = self.logs / f"server-{self.starts}.log"
        self._log = log_path.open("w")
        command = [*SERVER, "serve", "--database-url", self.database_url, "--host", "127.0.0.1"]
        self.process = subprocess.Popen(
            [*command, "--port", str(self.port)], stdout=self._log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + SERVER_START_S
        while True:
            assert self.process.poll() is None, f"the server exited:\n{log_path.read_text()}"
            assert time.monotonic() < deadline, f"the server did not answer within {SERVER_START_S} s"
            try:
                if httpx2.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    self.ready = True
                    return
            except httpx2.TransportError:
                pass
            time.sleep(0.05)

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def kill(self) -> None:
        assert self.process is not None and self.process.poll() is None, "the server died on its own"
        self.ready = False
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self._close_log()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            stop(self.process)
        self._close_log()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


# --- the counter processes ------------------------------------------------------------------------------


@dataclass
class Run:
    log: Path
    point: str | None
    rc: int | None = None
    killed: bool = False  # by this test, from outside

    def events(self) -> list[str]:
        """The worker's log lines without their time stamps."""
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return [line.split(" ", 1)[1] for line in text.splitlines() if " " in line]

    def fired(self) -> str | None:
        for event in self.events():
            if event.startswith("fault "):
                return event.split()[1]
        return None


@dataclass
class Worker:
    """One counter: its data directory, its proxy, and its runs as a process (each run its own log)."""

    number: str
    data: Path
    proxy: FaultProxy
    logs: Path
    stop_file: Path
    seed: int
    runs: list[Run] = field(default_factory=list)
    process: subprocess.Popen[bytes] | None = None
    _log: TextIO | None = None

    def start(self, point: str | None, after: int) -> None:
        run = Run(self.logs / f"counter-{self.number}-run-{len(self.runs) + 1}.log", point)
        self.runs.append(run)
        env = {**os.environ, "SYNC_FAULT": point or "", "SYNC_FAULT_AFTER": str(after)}
        self._log = run.log.open("w")
        command = [sys.executable, "-m", "tests.server.sync_worker", str(self.data), "--seconds", "600"]
        command += [
            "--seed",
            str(self.seed * 1000 + len(self.runs)),
            "--stop-file",
            str(self.stop_file),
            "--user",
            CLERK,
        ]
        self.process = subprocess.Popen(command, cwd=REPO, env=env, stdout=self._log, stderr=subprocess.STDOUT)

    @property
    def run(self) -> Run:
        return self.runs[-1]

    def exited(self) -> int | None:
        """The return code once the current run ended (recorded on its ``Run``), else None."""
        if self.process is None:
            return None
        rc = self.process.poll()
        if rc is not None:
            self._ended(rc)
        return rc

    def _ended(self, rc: int) -> None:
        self.run.rc = KILLED if rc == -signal.SIGKILL else rc
        if self._log is not None:
            self._log.close()
            self._log = None
        self.process = None

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self.run.killed = True
        self._ended(KILLED)

    def wait(self, timeout: float) -> int:
        assert self.process is not None
        rc = self.process.wait(timeout=timeout)
        self._ended(rc)
        assert self.run.rc is not None
        return self.run.rc

    def rounds(self) -> Counter[str]:
        """Sync rounds so far, over all runs: ``ok`` and ``failed``."""
        return Counter(event.split()[1] for run in self.runs for event in run.events() if event.startswith("sync "))

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.run.log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
        if self.process is not None:
            self.process.wait(timeout=10)
        if self._log is not None:
            self._log.close()
            self._log = None


def enrol(sessions: sessionmaker[Session], base: str, data: Path, number: str) -> None:
    """A new data directory enrolled as counter ``number`` directly with the server, with the catalogue, and
    signed in on by its clerk and synced once (the centre's services and its leases): a counter that was set up
    before the trouble."""
    _device, code = make_device(sessions, CENTRE_A, number)
    store = open_store(data)
    try:
        credential = enroll_store(store, data, base, code, now=local_now())
        with store.write() as s:
            catalogue.replace_catalogue(s, demo_catalogue())
        client = ServerClient(base, credential.device_id, credential.credential, timeout=10)
        try:
            client.login(CLERK, PASSWORD)  # its clerk signed in: its worker may lease offline numbers
            SyncEngine(store, client, centre_id=credential.centre_id).run_once()
        finally:
            client.close()
    finally:
        store.close()


def point_at(data: Path, url: str) -> None:
    """From now on the counter talks to ``url`` (its proxy), as test_sync_cli's ``_reconfigure`` does."""
    save_credential(data, replace(load_credential(data), server_url=url))


# --- a kiosk issuing tickets online --------------------------------------------------------------------


class Kiosk(threading.Thread):
    """Issues a ticket on the server every few hundred milliseconds (straight to the server, no proxy),
    so the counters also call tickets they did not make, and race each other for them."""

    def __init__(self, sessions: sessionmaker[Session], base: str, rng: random.Random) -> None:
        super().__init__(name="kiosk", daemon=True)
        self.base, self.rng = base, random.Random(rng.random())
        _device, self.code = make_device(sessions, CENTRE_A, KIOSK_COUNTER)
        self.stopping = threading.Event()
        self.issued = 0
        self.failed = 0
        self.error: BaseException | None = None  # re-raised by the test after join()

    def _login(self, http: httpx2.Client) -> dict[str, str]:
        response = http.post("/v1/devices/enroll", json={"code": self.code, "app_version": "0.9.0"})
        assert response.status_code == 200, response.text
        device = {"Authorization": f"Device {response.json()['device_id']}.{response.json()['credential']}"}
        response = http.post("/v1/sessions", json={"username": CLERK, "password": PASSWORD}, headers=device)
        assert response.status_code == 201, response.text
        return {**device, "X-Staff-Session": response.json()["token"]}

    def run(self) -> None:
        try:
            self._issue()
        except BaseException as exc:
            self.error = exc

    def _issue(self) -> None:
        with httpx2.Client(base_url=self.base, timeout=5) as http:
            headers = self._login(http)
            while not self.stopping.wait(self.rng.uniform(0.2, 0.5)):
                try:
                    response = http.post("/v1/tickets", json={"service": "HTCT"}, headers=headers)
                except httpx2.TransportError:  # the server is being killed or restarted
                    self.failed += 1
                    continue
                if response.status_code == 201:
                    self.issued += 1
                else:
                    assert response.status_code >= 500, response.text
                    self.failed += 1


# --- PostgreSQL: the server's connections ---------------------------------------------------------------


def server_database_url(server_db: str) -> tuple[str, str | None, str | None]:
    """The URL the server process uses and, on PostgreSQL, its own ``application_name`` and the test's schema.
    The test's sessions keep the fixture's name (the schema's), so terminating the server's backends never
    hits the test's own."""
    url = make_url(server_db)
    if url.get_backend_name() != "postgresql":
        return server_db, None, None
    schema = str(url.query["application_name"])
    name = f"{schema}_srv"
    return url.update_query_dict({"application_name": name}).render_as_string(hide_password=False), name, schema


def terminate_backends(admin: Engine, name: str) -> int:
    """Terminate every backend of the server (``application_name`` ``name``): how many."""
    query = """
        SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = :name
    """
    with admin.connect() as connection:
        return len(connection.execute(text(query), {"name": name}).all())


# The named point "a push has applied its effects and is about to commit": a push takes its space's clock row
# last, just before the commit (counterapp.server.feed), so while this test holds that row locked, a push that
# gets there waits on it, with its device row (the watermark) already updated. Every server backend waiting on
# the clock is terminated once a push is among them (a kiosk ticket waits there too).
BLOCKED_ON_CLOCK = """
    SELECT a.pid, EXISTS (
        SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.granted AND l.mode = 'RowExclusiveLock'
          AND l.relation = to_regclass(:devices)
    ) AS push
    FROM pg_stat_activity a
    WHERE a.datname = current_database() AND a.application_name = :name AND a.wait_event_type = 'Lock'
      AND a.query LIKE 'UPDATE space_clock%'
"""


@dataclass
class PushKiller:
    """Kills the server's database connection at the named point above, in its own thread."""

    admin: Engine
    schema: str
    app_name: str
    space: str
    within: float
    hits: list[str]
    errors: list[BaseException]

    def __call__(self) -> None:
        try:
            self._catch()
        except BaseException as exc:  # re-raised by the nemesis
            self.errors.append(exc)

    def _catch(self) -> None:
        with self.admin.connect().execution_options(isolation_level="READ COMMITTED") as locker, locker.begin():
            clock = text(f"SELECT seq FROM {self.schema}.space_clock WHERE space = :space FOR UPDATE")
            assert locker.execute(clock, {"space": self.space}).one()
            deadline = time.monotonic() + self.within
            while time.monotonic() < deadline:
                with self.admin.connect() as connection:
                    blocked = connection.execute(
                        text(BLOCKED_ON_CLOCK), {"name": self.app_name, "devices": f"{self.schema}.devices"}
                    ).all()
                    if any(push for _pid, push in blocked):
                        for pid, _push in blocked:
                            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
                        pushes = sum(push for _pid, push in blocked)
                        self.hits.append(f"push_before_commit:{pushes}")
                        self.hits.append(f"other_before_commit:{len(blocked) - pushes}")
                        return
                time.sleep(0.02)
            self.hits.append("push_before_commit:0")


# --- the nemesis ----------------------------------------------------------------------------------------


def random_fault(proxy: FaultProxy, rng: random.Random, *, calm: bool) -> str:
    """A calm spell (healthy, or a little latency) or a harmful fault, applied to ``proxy``; its name."""
    if calm:
        if rng.random() < 0.6:
            proxy.pass_through()
        else:
            proxy.latency(rng.uniform(0.01, 0.15))
        return proxy.fault
    choice = rng.choices(
        ["slow", "blackhole", "reset", "cut_response", "cut_request", "down"], weights=[1, 1, 1, 2, 1, 1]
    )[0]
    if choice == "slow":  # a round trip longer than the client's timeout: the server may still commit
        proxy.latency(rng.uniform(1.0, 1.5))
    elif choice == "blackhole":
        proxy.blackhole()
    elif choice == "reset":
        proxy.reset()
    elif choice == "cut_response":  # within the headers or the body: the server committed, the answer is lost
        proxy.cut_response(rng.randint(0, 600))
    elif choice == "cut_request":
        proxy.cut_request(rng.randint(0, 400))
    else:
        proxy.down()
    return proxy.fault


@dataclass
class Nemesis:
    rng: random.Random
    server: ServerProcess
    workers: list[Worker]
    admin: Engine | None
    app_name: str | None
    schema: str | None
    space: str | None
    timeline: list[str] = field(default_factory=list)
    fired: set[str] = field(default_factory=set)
    db_hits: list[str] = field(default_factory=list)
    client_kills: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    rounds: Counter[str] = field(default_factory=Counter)
    errors: list[BaseException] = field(default_factory=list)  # from the helper threads
    _checked: float = 0.0

    def note(self, started: float, what: str) -> None:
        self.timeline.append(f"{time.monotonic() - started:7.2f} {what}")

    def run(self) -> None:
        rng, workers = self.rng, self.workers
        points: deque[str] = deque(rng.sample(POINTS, len(POINTS)))
        started = time.monotonic()
        for worker in workers:
            point = points.popleft() if points else None
            worker.start(point, rng.randint(1, 2))
            self.note(started, f"counter {worker.number} started (fault {point})")
        switch_at = [started + rng.uniform(*CALM_S) for _ in workers]
        calm = [True for _ in workers]
        events = [(at, "kill_client") for at in CLIENT_KILLS_AT] + [(SERVER_KILL_AT, "kill_server")]
        if self.admin is not None:
            events += [(DB_KILL_IN_PUSH_AT, "kill_db_in_push"), (DB_KILL_ALL_AT, "kill_db_all")]
        events.sort()
        db_thread: threading.Thread | None = None
        restart: threading.Thread | None = None
        while True:
            now = time.monotonic()
            elapsed = now - started
            if elapsed >= CHAOS_S and (self._enough(points) or elapsed >= MAX_CHAOS_S):
                break
            for index, worker in enumerate(workers):
                if now >= switch_at[index]:
                    calm[index] = not calm[index]
                    fault = random_fault(worker.proxy, rng, calm=calm[index])
                    self.faults[fault.split("(")[0]] += 1
                    switch_at[index] = now + rng.uniform(*(CALM_S if calm[index] else FAULT_S))
            for worker in workers:
                rc = worker.exited()
                if rc is None:
                    continue
                self._ended(worker, points, started)
                point = points.popleft() if points else None
                worker.start(point, rng.randint(1, 2))
                self.note(started, f"counter {worker.number} restarted (fault {point})")
            while events and elapsed >= events[0][0]:
                _at, event = events.pop(0)
                server_back = self.server.starts >= 2 and self.server.ready
                db_busy = db_thread is not None and db_thread.is_alive()
                db_first = event == "kill_db_all" and not any(hit.startswith("push_") for hit in self.db_hits)
                if event.startswith("kill_db") and (not server_back or db_busy or db_first):  # after the server's kill
                    events.append((elapsed + 0.5, event))
                    events.sort()
                    break
                if event == "kill_client":
                    idle = [w for w in workers if w.process is not None and not w.run.point] or [
                        w for w in workers if w.process is not None
                    ]
                    victim = rng.choice(idle)
                    victim.kill()
                    self.client_kills += 1
                    self.note(started, f"kill -9 counter {victim.number}")
                    self._ended(victim, points, started)
                    point = points.popleft() if points else None
                    victim.start(point, rng.randint(1, 2))
                    self.note(started, f"counter {victim.number} restarted (fault {point})")
                elif event == "kill_server":
                    self.server.kill()
                    self.note(started, "kill -9 server")
                    restart = threading.Thread(target=self._restart_server, args=(rng.uniform(0.2, 1.0), started))
                    restart.start()
                elif event == "kill_db_in_push":
                    assert self.admin is not None and self.app_name is not None and self.space is not None
                    killer = PushKiller(self.admin, self.schema or "", self.app_name, self.space,
                                        DB_KILL_IN_PUSH_S, self.db_hits, self.errors)  # fmt: skip
                    db_thread = threading.Thread(target=killer, name="push-killer")
                    db_thread.start()
                    self.note(started, "holding the space clock: the next push's connection dies before its commit")
                else:
                    assert self.admin is not None and self.app_name is not None
                    hit = terminate_backends(self.admin, self.app_name)
                    self.db_hits.append(f"all:{hit}")
                    self.note(started, f"terminated {hit} server backends")
            time.sleep(0.02)
        for thread in (db_thread, restart):
            if thread is not None:
                thread.join(timeout=SERVER_START_S + 10)
        if self.errors:
            raise self.errors[0]
        assert self.server.alive(), "the server did not come back"
        self.rounds = sum((w.rounds() for w in self.workers), Counter())
        self.note(started, f"chaos over; sync rounds {dict(self.rounds)}; db hits {self.db_hits}")

    def _enough(self, points: deque[str]) -> bool:
        armed = [w.run.point for w in self.workers if w.process is not None and w.run.point]
        if points or armed or not self.server.ready or self.server.starts < 2:
            return False
        now = time.monotonic()
        if now < self._checked + 1.0:  # reading the logs costs a little: once a second is plenty
            return False
        self._checked = now
        self.rounds = sum((w.rounds() for w in self.workers), Counter())
        db_done = self.admin is None or any(hit.startswith("all:") for hit in self.db_hits)
        return db_done and self.rounds.total() >= MIN_ROUNDS and self.rounds["ok"] >= MIN_OK

    def _restart_server(self, after: float, started: float) -> None:
        time.sleep(after)
        try:
            self.server.start()
        except BaseException as exc:  # re-raised by run()
            self.errors.append(exc)
            return
        self.note(started, "server restarted on the same port")

    def _ended(self, worker: Worker, points: deque[str], started: float) -> None:
        run = worker.run
        fired = run.fired()
        self.note(started, f"counter {worker.number} exited rc={run.rc} fired={fired} killed={run.killed}")
        assert run.rc == KILLED, f"counter {worker.number} died (rc {run.rc}):\n{worker.tail()}"
        assert fired == run.point or (fired is None and run.killed), f"unexpected exit:\n{worker.tail()}"
        if fired is not None:
            self.fired.add(fired)
        elif run.point is not None:  # killed from outside before its point: arm it again later
            points.append(run.point)


# --- healing and the invariants -------------------------------------------------------------------------


@contextlib.contextmanager
def counter_engines(workers: list[Worker]) -> Iterator[list[tuple[Worker, Store, SyncEngine]]]:
    opened: list[tuple[Worker, Store, SyncEngine]] = []
    clients: list[ServerClient] = []
    try:
        for worker in workers:
            credential = load_credential(worker.data)
            store = open_store(worker.data)
            client = ServerClient(credential.server_url, credential.device_id, credential.credential, timeout=10)
            clients.append(client)
            opened.append((worker, store, SyncEngine(store, client, centre_id=credential.centre_id)))
        yield opened
    finally:
        for client in clients:
            client.close()
        for _worker, store, _engine in opened:
            store.close()


def drain(opened: list[tuple[Worker, Store, SyncEngine]]) -> None:
    """Sync every counter until its outbox is empty (bounded: a stuck outbox fails), then once more each,
    so every counter pulls after the last push."""
    for worker, store, engine in opened:
        errors: list[str] = []
        for _ in range(DRAIN_ROUNDS):
            try:
                engine.run_once()
            except SyncError as exc:
                errors.append(str(exc))
                time.sleep(0.5)
                continue
            if status(store).pending_ops == 0:
                break
        current = status(store)
        assert current.pending_ops == 0 and current.blocked is None, (
            f"counter {worker.number} did not drain: {current} {errors}"
        )
    for _worker, _store, engine in opened:
        engine.run_once()


def check_op_ids(sessions: sessionmaker[Session], opened: list[tuple[Worker, Store, SyncEngine]]) -> int:
    with sessions() as session:
        server_ops = {
            device: set(ids)
            for device, ids in _group(session.execute(select(OpLogEntry.device_id, OpLogEntry.op_id)).all()).items()
        }
    every_client_op: set[str] = set()
    for worker, store, engine in opened:
        with store.read() as s:
            outbox: dict[str, str] = dict(s.execute(select(OutboxRow.op_id, OutboxRow.status)).all())
        every_client_op |= set(outbox)
        pending = [op for op, state in outbox.items() if state == "pending"]
        assert not pending, f"counter {worker.number}: ops still pending {pending[:5]}"
        on_server = server_ops.get(engine.client.device_id, set())
        lost, unknown = set(outbox) - on_server, on_server - set(outbox)
        assert not lost and not unknown, (
            f"counter {worker.number}: outbox ≠ server op log: {len(lost)} not on the server {sorted(lost)[:5]}, "
            f"{len(unknown)} on the server only {sorted(unknown)[:5]}"
        )
    every_server_op = set().union(*server_ops.values()) if server_ops else set()
    assert every_client_op == every_server_op
    return len(every_server_op)


def _group(pairs: Any) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return grouped


def server_mirror(sessions: sessionmaker[Session]) -> dict[str, list[dict[str, Any]]]:
    holder = aliased(ServerCounter)
    with sessions() as session:
        tickets = session.execute(
            select(Ticket.id, Ticket.number, Ticket.state, holder.number, QueueService.code)
            .join(QueueService, QueueService.id == Ticket.service_id)
            .outerjoin(holder, holder.id == Ticket.counter_id)
        ).all()
        dossiers = session.execute(select(Dossier.id, Dossier.code, Dossier.status)).all()
    return {
        "tickets": [{"id": i, "number": n, "state": s, "counter": c, "service": v} for i, n, s, c, v in tickets],
        "dossiers": [{"id": i, "code": c, "status": s} for i, c, s in dossiers],
    }


def client_mirror(store: Store) -> dict[str, list[dict[str, Any]]]:
    with store.read() as s:
        tickets = s.execute(
            select(TicketRow.id, TicketRow.number, TicketRow.state, TicketRow.counter_number, TicketRow.service_code)
        ).all()
        dossiers = s.execute(select(DossierRow.id, DossierRow.code, DossierRow.status)).all()
    return {
        "tickets": [{"id": i, "number": n, "state": s, "counter": c, "service": v} for i, n, s, c, v in tickets],
        "dossiers": [{"id": i, "code": c, "status": s} for i, c, s in dossiers],
    }


def mirror_diff(server: list[dict[str, Any]], client: list[dict[str, Any]]) -> str:
    theirs, ours = {r["id"]: r for r in server}, {r["id"]: r for r in client}
    lines = [f"  server only: {theirs[i]}" for i in sorted(theirs.keys() - ours.keys())]
    lines += [f"  counter only: {ours[i]}" for i in sorted(ours.keys() - theirs.keys())]
    lines += [
        f"  differs: server {theirs[i]} / counter {ours[i]}"
        for i in sorted(theirs.keys() & ours.keys())
        if theirs[i] != ours[i]
    ]
    return "\n".join(lines[:30]) + (f"\n  … {len(lines) - 30} more" if len(lines) > 30 else "")


def check_mirrors(sessions: sessionmaker[Session], opened: list[tuple[Worker, Store, SyncEngine]]) -> None:
    server = server_mirror(sessions)
    problems = []
    for worker, store, _engine in opened:
        client = client_mirror(store)
        for entity in ("tickets", "dossiers"):
            if canonical_hash(client[entity]) != canonical_hash(server[entity]):
                problems.append(f"counter {worker.number}'s {entity} ≠ the server's:\n" + mirror_diff(
                    server[entity], client[entity]
                ))  # fmt: skip
    assert not problems, "\n".join(problems)


def check_codes(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        twice = session.execute(
            select(Dossier.code, func.count()).group_by(Dossier.code).having(func.count() > 1)
        ).all()
    assert not twice, f"dossier codes on the server more than once: {twice}"


def lease_use(sessions: sessionmaker[Session], workers: list[Worker]) -> str:
    """How many leases the server granted, and how many of them a counter actually holds: a grant whose
    answer was lost is never used (each wasted block is a range of numbers nobody can issue that day)."""
    with sessions() as session:
        granted = Counter(kind for (kind,) in session.execute(select(CodeLease.kind)))
    held: Counter[str] = Counter()
    for worker in workers:
        store = open_store(worker.data)
        try:
            with store.read() as s:
                held.update(kind for (kind,) in s.execute(select(NumberLeaseRow.kind)))
        finally:
            store.close()
    return f"leases granted {dict(granted)}, held by the counters {dict(held)}"


# --- the test -------------------------------------------------------------------------------------------


@pytest.mark.slow  # 15-60 s of chaos (kill -9, faults) with four processes a database
def test_nothing_is_lost_under_network_faults_and_kill_9(
    server_db: str, server_sessions: sessionmaker[Session], tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    seed = int(os.environ.get("SYNC_FAULTS_SEED") or random.SystemRandom().randrange(2**32))
    rng = random.Random(seed)
    centre_id = setup_centre(server_sessions, (*COUNTERS, KIOSK_COUNTER))
    url, app_name, schema = server_database_url(server_db)
    admin: Engine | None = request.getfixturevalue("postgres_admin") if app_name else None
    stop_file = tmp_path / "stop"
    server = ServerProcess(url, tmp_path)
    workers: list[Worker] = []
    nemesis: Nemesis | None = None
    try:
        server.start()
        for number in COUNTERS:
            data = tmp_path / f"counter-{number}"
            worker = Worker(
                number, data, FaultProxy("127.0.0.1", server.port), tmp_path, stop_file, rng.randrange(2**20)
            )
            workers.append(worker)
            worker.proxy.start()
            enrol(server_sessions, server.base, data, number)
            point_at(data, worker.proxy.url_for())
        nemesis = Nemesis(rng, server, workers, admin, app_name, schema, f"centre:{centre_id}")
        kiosk = Kiosk(server_sessions, server.base, rng)
        kiosk.start()
        try:
            nemesis.run()
        finally:
            kiosk.stopping.set()
            kiosk.join(timeout=15)
        if kiosk.error is not None:
            raise kiosk.error
        # heal: a healthy network, the counters stop on their own, then drain and pull in-process
        for worker in workers:
            worker.proxy.pass_through()
        stop_file.touch()
        for worker in workers:
            rc = worker.wait(timeout=30)
            assert rc == 0 or (rc == KILLED and worker.run.fired()), f"counter {worker.number}:\n{worker.tail()}"
        assert server.alive(), "the server died on its own"
        with counter_engines(workers) as opened:
            drain(opened)
            ops = check_op_ids(server_sessions, opened)
            check_codes(server_sessions)
            check_mirrors(server_sessions, opened)
        # the run really did what it claims
        assert nemesis.fired == set(POINTS), f"named fault points that never fired: {set(POINTS) - nemesis.fired}"
        assert nemesis.rounds.total() >= MIN_ROUNDS and nemesis.rounds["ok"] >= MIN_OK, (
            f"too few sync rounds in {MAX_CHAOS_S} s (is the machine overloaded?): {nemesis.rounds}"
        )
        assert nemesis.client_kills == len(CLIENT_KILLS_AT) and server.starts == 2
        if admin is not None:
            hits = dict(hit.split(":") for hit in nemesis.db_hits)
            assert int(hits["push_before_commit"]) > 0 and int(hits["all"]) > 0, nemesis.db_hits
        damage = sum(w.proxy.stats.cut + w.proxy.stats.reset + w.proxy.stats.blackholed_bytes for w in workers)
        assert damage > 0
        with server_sessions() as session:
            kinds = Counter(
                dict(session.execute(select(OpLogEntry.kind, func.count()).group_by(OpLogEntry.kind)).all())
            )
        assert kinds["dossier.create"] > 0 and kinds["ticket.issue"] > 0 and kinds["ticket.call"] > 0, kinds
        report = (
            f"seed {seed}: {ops} ops {dict(kinds)}; kiosk tickets {kiosk.issued} (+{kiosk.failed} failed); "
            f"{lease_use(server_sessions, workers)}; faults {dict(nemesis.faults)}; "
            f"fired {sorted(nemesis.fired)}; db {nemesis.db_hits}; sync rounds {dict(nemesis.rounds)}; "
            f"runs {[len(w.runs) for w in workers]}; proxies {[w.proxy.stats for w in workers]}"
        )
        (tmp_path / "report.txt").write_text(report + "\n" + "\n".join(nemesis.timeline) + "\n", encoding="utf-8")
    except BaseException as exc:
        timeline = "\n".join(nemesis.timeline) if nemesis else ""
        exc.add_note(f"SYNC_FAULTS_SEED={seed}; logs in {tmp_path}\n{timeline}")
        raise
    finally:
        for worker in workers:
            worker.close()
            worker.proxy.close()
        server.stop()
