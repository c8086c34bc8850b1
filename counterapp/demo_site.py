"""A demo site on this PC for ``counterapp demo`` / ``make run``: an embedded central server, an enrolled
counter data directory with the demo catalogue, demo staff with a known password, and a "kiosk" that keeps
issuing tickets, so a newcomer sees the counter window working with one command (issue 7 item 1).

    with prepare_demo(home) as site:          # Qt-free: the window is started by the caller
        run_counter_window(site.data_dir, site.server_url, prefill_username=site.username)

The home keeps everything between runs (``server.sqlite3``, ``counter/``, ``demo.json``, ``server.log``), so
the second start only starts the server and syncs; ``reset=True`` starts over. Every process and thread
started here ends with ``stop()`` (also at interpreter exit); on Linux the server also dies with the thread
that started it, so a killed demo leaves no server behind. Nothing here logs personal data: the demo
citizens are only ticket numbers.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx2

log = logging.getLogger(__name__)

DEMO_USERNAME = "demo.clerk"
# Demo only, and on purpose fixed: the README shows it and the login screen is prefilled with the username.
DEMO_PASSWORD = "matkhau-demo"
DEMO_COUNTER = "1"  # seed-demo's counter 1 serves HTCT (prefix A)
KIOSK_NAME = "Demo kiosk"
STATE_FILE = "demo.json"
LOCK_FILE = "demo.lock"
SERVER_DB = "server.sqlite3"
SERVER_LOG = "server.log"
COUNTER_DIR = "counter"
# What ``reset`` removes: only what this module creates, never a directory the user pointed at by mistake
# (and not the lock file: it is held while resetting).
OWNED = (SERVER_DB, f"{SERVER_DB}-wal", f"{SERVER_DB}-shm", f"{SERVER_DB}-journal", SERVER_LOG, STATE_FILE, COUNTER_DIR)
HEALTH_TIMEOUT_S = 30.0
INITIAL_TICKETS = 8
KIOSK_INTERVAL_S = (20.0, 40.0)
PRIORITIES = ("elderly", "disabled", "pregnant")


class DemoError(Exception):
    """The demo could not be prepared; the message says what to do (Vietnamese, then English)."""


def default_home() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("counterapp", appauthor=False)) / "demo"


def server_command() -> list[str]:
    """``counterapp-server`` of this interpreter's environment (the module when the entry point is missing,
    e.g. running from a source tree that is not installed)."""
    script = Path(sys.executable).parent / ("counterapp-server.exe" if os.name == "nt" else "counterapp-server")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from counterapp.server.cli import main; sys.exit(main())"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    # Linux: the server gets SIGTERM when the thread that started it ends, even if we are SIGKILLed.
    import ctypes

    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


# --- the kiosk -----------------------------------------------------------------------------------------


class Kiosk:
    """Issues tickets over HTTP as an enrolled kiosk device: ``burst`` at once, then one every 20–40 s in a
    daemon thread until ``stop()``. Errors are logged and skipped: the server may be stopping."""

    def __init__(self, server_url: str, device_id: str, credential: str, *, services: tuple[str, ...]) -> None:
        self._http = httpx2.Client(
            base_url=server_url, headers={"Authorization": f"Device {device_id}.{credential}"}, timeout=10
        )
        self._services = services
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._rng = random.Random()
        self.issued = 0

    def issue(self, service: str, priority: str | None = None) -> str:
        response = self._http.post("/v1/tickets", json={"service": service, "priority": priority})
        response.raise_for_status()
        self.issued += 1
        number: str = response.json()["number"]
        return number

    def burst(self, count: int) -> None:
        """``count`` tickets of the counter's first service, every third with a priority class."""
        for i in range(count):
            self.issue(self._services[0], PRIORITIES[i // 3 % len(PRIORITIES)] if i % 3 == 2 else None)

    def start(self, interval: tuple[float, float] = KIOSK_INTERVAL_S) -> None:
        self._thread = threading.Thread(target=self._loop, args=(interval,), name="demo-kiosk", daemon=True)
        self._thread.start()

    def _loop(self, interval: tuple[float, float]) -> None:
        while not self._stop.wait(self._rng.uniform(*interval)):
            priority = self._rng.choice(PRIORITIES) if self._rng.random() < 0.2 else None
            try:
                self.issue(self._rng.choice(self._services), priority)
            except httpx2.HTTPError as exc:  # the server is stopping or busy: the next one will do
                log.warning("demo kiosk: no ticket issued (%s)", type(exc).__name__)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=15)
            self._thread = None
        self._http.close()


class HomeLock:
    """One demo per home at a time: a second one would start a second server on the same database and
    move the counter to its port. An advisory lock on POSIX, released by the OS if we die; none on Windows."""

    def __init__(self, home: Path) -> None:
        self._file = (home / LOCK_FILE).open("a+b")
        if sys.platform != "win32":
            import fcntl

            try:
                fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                self._file.close()
                raise DemoError(
                    f"Một demo khác đang chạy với thư mục {home} / Another demo is running from {home}"
                ) from None

    def release(self) -> None:
        self._file.close()  # closing drops the lock


# --- the site ------------------------------------------------------------------------------------------


@dataclass
class DemoSite:
    """What the counter window needs; ``stop()`` (or leaving the ``with`` block) ends the server and kiosk."""

    home: Path
    data_dir: Path
    server_url: str
    username: str
    password: str
    device_id: str
    log_path: Path
    first_run: bool
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    kiosk: Kiosk | None = field(default=None, repr=False)
    lock: HomeLock | None = field(default=None, repr=False)

    def stop(self) -> None:
        """Idempotent: the kiosk first (it talks to the server), then the server, killed if it hangs."""
        if self.kiosk is not None:
            self.kiosk.stop()
            self.kiosk = None
        if self.process is not None:
            _stop_process(self.process)
            self.process = None
        if self.lock is not None:
            self.lock.release()
            self.lock = None
        atexit.unregister(self.stop)

    def __enter__(self) -> DemoSite:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:  # pragma: no cover - only if uvicorn hangs on shutdown
            process.kill()
            process.wait(timeout=5)


def _read_state(home: Path) -> dict[str, Any]:
    path = home / STATE_FILE
    if not path.is_file():
        return {}
    try:
        state: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state


def _write_state(home: Path, state: dict[str, Any]) -> None:
    # Holds the kiosk's credential: owner-only, like the counter's sync-credential.json.
    path = home / STATE_FILE
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(state, handle, indent=1)
    os.replace(temporary, path)


def reset_home(home: Path) -> None:
    for name in OWNED:
        path = home / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def _migrate_server_db(database_url: str) -> None:
    """``counterapp-server migrate``, in-process: an up-to-date database costs one query, not a process."""
    from counterapp.server.db import make_engine
    from counterapp.server.schema import current_revision, head_revision, migrate

    engine = make_engine(database_url)
    try:
        if current_revision(engine) != head_revision():
            migrate(engine)
    finally:
        engine.dispose()


def _seed_server_db(database_url: str, *, need_counter_code: bool, need_kiosk_code: bool) -> dict[str, str]:
    """Seed the demo centre in-process with the admin services, as ``counterapp-server admin seed-demo``
    does but with demo staff whose password is known. Returns the one-time enrollment codes asked for.
    Runs while the server process starts up (it only reads until it serves): that saves a second."""
    from argparse import Namespace

    from sqlalchemy import select

    from counterapp.server import admin
    from counterapp.server.config import ServerSettings
    from counterapp.server.db import make_engine, session_factory
    from counterapp.server.models.auth import Device
    from counterapp.server.models.org import Centre
    from counterapp.server.services import devices, lead, org, users

    engine = make_engine(database_url)
    codes: dict[str, str] = {}
    try:
        now = datetime.now(UTC)
        with session_factory(engine).begin() as session:
            centre = session.scalars(select(Centre).where(Centre.agency_code == admin.DEMO_AGENCY_CODE)).one_or_none()
            if centre is None:
                centre = org.create_centre(
                    session, agency_code=admin.DEMO_AGENCY_CODE, name=admin.DEMO_CENTRE_NAME, now=now
                )
            # Created before seed-demo, which then keeps them: its own demo users get a random password.
            for username, full_name, role in admin.DEMO_USERS:
                if users.user_by_username(session, username) is None:
                    users.create_user(session, username=username, full_name=full_name, role=role,
                                      password=DEMO_PASSWORD, centre=centre, now=now)  # fmt: skip
            settings = ServerSettings()
            # Its output (one-time code of its counter device included) is not needed: code_for reissues.
            admin.seed_demo(session, Namespace(), admin.Context(now, settings))
            # Open, as a shift lead would at the start of the day: an open counter is dealt a hand of
            # tickets, which it can still call while the server is away.
            lead.set_counter_status(org.counter_by_number(session, centre.id, DEMO_COUNTER), lead.OPEN)
            ttl = settings.enrollment_code_ttl

            def code_for(name: str, kind: str, counter: str | None) -> str:
                device = session.scalars(
                    select(Device).where(Device.centre_id == centre.id, Device.name == name)
                ).first()
                if device is None:
                    at = org.counter_by_number(session, centre.id, counter) if counter else None
                    device, code, _ = devices.create_device(
                        session, centre, kind=kind, counter=at, name=name, now=now, code_ttl=ttl
                    )
                else:  # made by seed-demo just now, or a half-done first run lost its credential
                    code, _ = devices.reissue_code(session, device, now=now, code_ttl=ttl)
                return code

            if need_counter_code:
                codes["counter"] = code_for(admin.DEMO_DEVICE_NAME, "counter", DEMO_COUNTER)
            if need_kiosk_code:
                codes["kiosk"] = code_for(KIOSK_NAME, "kiosk", None)
    finally:
        engine.dispose()
    return codes


def _port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _spawn_server(database_url: str, log_path: Path, port: int) -> subprocess.Popen[bytes]:
    command = [*server_command(), "serve", "--database-url", database_url, "--host", "127.0.0.1", "--port", str(port)]
    with log_path.open("ab") as log_file:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            # Its own process group: Ctrl+C reaches only us, and we stop the kiosk before the server.
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )


def _wait_healthy(process: subprocess.Popen[bytes], base: str, log_path: Path) -> None:
    deadline = time.monotonic() + HEALTH_TIMEOUT_S
    with httpx2.Client(timeout=1) as http:
        while True:
            if process.poll() is not None:
                raise DemoError(
                    f"Máy chủ demo đã dừng (mã {process.returncode}); xem nhật ký {log_path} / "
                    f"The demo server exited (status {process.returncode}); see the log {log_path}"
                )
            try:
                if http.get(f"{base}/healthz").status_code == 200:
                    return
            except httpx2.TransportError:
                pass
            if time.monotonic() > deadline:
                raise DemoError(
                    f"Máy chủ demo không trả lời sau {HEALTH_TIMEOUT_S:.0f} giây; xem nhật ký {log_path} / "
                    f"The demo server did not answer within {HEALTH_TIMEOUT_S:.0f} s; see the log {log_path}"
                )
            time.sleep(0.05)


def _enroll_counter(data_dir: Path, server_url: str, code: str) -> None:
    """What ``counterapp enroll`` does: the server's identity and counter number, the bundled catalogue."""
    from sqlalchemy import func, select

    from counterapp.datafiles.catalogue import demo_catalogue
    from counterapp.services.catalogue import replace_catalogue
    from counterapp.store.database import open_store
    from counterapp.store.reference_models import ProcedureRow
    from counterapp.sync.engine import local_now
    from counterapp.sync.enrollment import enroll_store

    store = open_store(data_dir)
    try:
        enroll_store(store, data_dir, server_url, code, now=local_now())
        with store.write() as session:
            if not session.scalar(select(func.count()).select_from(ProcedureRow)):
                replace_catalogue(session, demo_catalogue())
    finally:
        store.close()


def _sync_and_count(data_dir: Path) -> int:
    """One sync round of the counter; then its waiting tickets, as the clerk will see them. The demo clerk
    signs in on the counter first, as at the start of a day: the server leases offline numbers only to a
    counter someone signed in on recently, and the demo should work offline at once."""
    from counterapp.services import queue
    from counterapp.store.database import open_store
    from counterapp.sync.engine import SyncEngine, local_now
    from counterapp.sync.enrollment import client_for, load_credential

    credential = load_credential(data_dir)
    store = open_store(data_dir)
    client = client_for(credential)
    try:
        client.login(DEMO_USERNAME, DEMO_PASSWORD)
        SyncEngine(store, client, centre_id=credential.centre_id).run_once()
        with store.read() as session:
            return len(queue.waiting(session, now=local_now()))
    finally:
        client.close()
        store.close()


def _counter_services(data_dir: Path) -> tuple[str, ...]:
    from counterapp.services.queue import counter_context
    from counterapp.store.database import open_store

    store = open_store(data_dir)
    try:
        with store.read() as session:
            return tuple(counter_context(session).services or ("HTCT",))
    finally:
        store.close()


def prepare_demo(
    home: Path,
    *,
    reset: bool = False,
    tickets: int = INITIAL_TICKETS,
    kiosk_interval: tuple[float, float] = KIOSK_INTERVAL_S,
    progress: Callable[[str], None] = lambda _message: None,
) -> DemoSite:
    """Start (setting up the first time) the demo site in ``home``: the server on a free loopback port,
    the counter enrolled and synced with at least ``tickets`` waiting, the kiosk running. Call it from
    the main thread (or one that lives as long as the site: on Linux the server ends with that thread).
    ``progress`` gets one bilingual line per step."""
    from counterapp.protocol.client import SyncError, enroll
    from counterapp.services.configured_counter import remember_counter
    from counterapp.sync.enrollment import credential_path, load_credential, save_credential

    home = home.expanduser().resolve()
    home.mkdir(parents=True, exist_ok=True)
    lock = HomeLock(home)
    try:
        if reset:
            progress("Đang xoá dữ liệu demo cũ… / Removing the old demo data…")
            reset_home(home)
        data_dir, log_path = home / COUNTER_DIR, home / SERVER_LOG
        database_url = f"sqlite:///{home / SERVER_DB}"
        state = _read_state(home)
        first_run = not credential_path(data_dir).is_file()
        if not first_run and not (home / SERVER_DB).is_file():
            raise DemoError(
                f"Quầy demo đã đăng ký với một máy chủ không còn nữa; chạy lại với --reset / "
                f"The demo counter was enrolled with a server that is gone; run again with --reset ({home})"
            )
        progress("Đang chuẩn bị cơ sở dữ liệu máy chủ… / Preparing the server database…")
        _migrate_server_db(database_url)
        progress("Đang khởi động máy chủ… / Starting the server…")
        # The same port as last time when it is free, so bookmarks and the counter's credential stay right.
        port = state.get("port")
        if not isinstance(port, int) or not _port_is_free(port):
            port = free_port()
        process = _spawn_server(database_url, log_path, port)
    except BaseException:
        lock.release()
        raise
    server_url = f"http://127.0.0.1:{port}"
    site = DemoSite(home, data_dir, server_url, DEMO_USERNAME, DEMO_PASSWORD, "", log_path, first_run, process,
                    lock=lock)  # fmt: skip
    atexit.register(site.stop)  # a caller that forgets stop() still leaves no server behind
    try:
        codes = _seed_server_db(database_url, need_counter_code=first_run, need_kiosk_code="kiosk" not in state)
        if state.get("port") != port:
            state["port"] = port
            _write_state(home, state)
        _wait_healthy(process, server_url, log_path)
        if "counter" in codes:
            progress("Đang đăng ký quầy demo… / Enrolling the demo counter…")
            _enroll_counter(data_dir, server_url, codes["counter"])
        credential = load_credential(data_dir)
        if credential.server_url != server_url:  # another port than last time: the counter must follow
            credential = replace(credential, server_url=server_url)
            save_credential(data_dir, credential)
        site.device_id = credential.device_id
        # `counterapp status` & co. without --data-dir then speak about the demo counter (unless this PC
        # already has a real one configured: the demo does not take over from it)
        remember_counter(data_dir, replace=False)
        if "kiosk" in codes:
            kiosk_id = enroll(server_url, codes["kiosk"], name=KIOSK_NAME)
            state["kiosk"] = {"device_id": kiosk_id.device_id, "credential": kiosk_id.credential}
            _write_state(home, state)

        progress("Đang đồng bộ và lấy số thứ tự… / Syncing and issuing tickets…")
        waiting = _sync_and_count(data_dir)  # first: it brings the counter's services on a first run
        kiosk = Kiosk(server_url, state["kiosk"]["device_id"], state["kiosk"]["credential"],
                      services=_counter_services(data_dir))  # fmt: skip
        site.kiosk = kiosk
        if waiting < tickets:  # a second run the same day tops the queue up instead of doubling it
            kiosk.burst(tickets - waiting)
            _sync_and_count(data_dir)
        kiosk.start(kiosk_interval)
    except (SyncError, httpx2.HTTPError) as exc:
        site.stop()
        raise DemoError(
            f"Không kết nối được quầy demo với máy chủ: {exc}; xem {log_path} hoặc chạy lại với --reset / "
            f"The demo counter could not reach the server: {exc}; see {log_path} or run again with --reset"
        ) from exc
    except BaseException:
        site.stop()
        raise
    return site


__all__ = ["DEMO_PASSWORD", "DEMO_USERNAME", "DemoError", "DemoSite", "default_home", "prepare_demo"]
