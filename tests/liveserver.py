"""A real ``counterapp-server`` process on a fixed loopback port (so it can be stopped and started again
at the same address, as a server that went away and came back) and a counter data directory enrolled
with it: for the counter window's tests and the staff sign-in's. A plugin of the root conftest."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx2
import pytest

from counterapp.datafiles.catalogue import demo_catalogue
from counterapp.protocol.client import ServerClient
from counterapp.services import catalogue
from counterapp.services.workspace import Workspace, open_workspace
from counterapp.sync.engine import local_now
from counterapp.sync.enrollment import Credential, client_for, enroll_store
from tests.ports import free_port
from tests.server.authkit import CENTRE_A, PASSWORD, make_device
from tests.server.processes import SERVER, stop
from tests.server.synckit import CLERK, setup_centre

__all__ = ["CLERK", "PASSWORD", "Counter", "LiveServer", "drain_jobs", "enrolled_counter"]


class LiveServer:
    """``counterapp-server serve`` on SQLite, always on the same port."""

    def __init__(self, directory: Path) -> None:
        from counterapp.server.db import make_engine, session_factory
        from counterapp.server.schema import migrate

        self.database_url = f"sqlite:///{directory / 'server.sqlite3'}"
        self.log_path = directory / "server.log"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.engine = make_engine(self.database_url)
        migrate(self.engine)
        self.sessions = session_factory(self.engine)
        setup_centre(self.sessions)  # centre A, counters 1 and 2, the clerk ``CLERK`` with ``PASSWORD``
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> str:
        log_file = self.log_path.open("a")
        self._process = subprocess.Popen(
            [*SERVER, "serve", "--database-url", self.database_url, "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        log_file.close()  # the child has its own handle
        deadline = time.monotonic() + 30
        while True:
            assert self._process.poll() is None, self.log_path.read_text()
            assert time.monotonic() < deadline, "the server did not answer within 30 s"
            try:
                if httpx2.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self.url
            except httpx2.TransportError:
                pass
            time.sleep(0.05)

    def stop(self) -> None:
        if self._process is None:
            return
        stop(self._process)
        self._process = None

    def close(self) -> None:
        self.stop()
        self.engine.dispose()


@dataclass
class Counter:
    workspace: Workspace
    credential: Credential
    path: Path


def enrolled_counter(server: LiveServer, path: Path, number: str = "1") -> Counter:
    """A new data directory enrolled as counter ``number`` of centre A, with the demo catalogue (as
    ``counterapp enroll`` does), on which the clerk has signed in once (a counter in use): its sync worker
    may lease offline numbers with its credential alone (the server refuses a counter nobody signed in on
    recently). The window's own sign-in is still the test's to do."""
    workspace = open_workspace(path)
    _device_id, code = make_device(server.sessions, CENTRE_A, number)
    credential = enroll_store(workspace.store, path, server.url, code, now=local_now())
    with workspace.store.write() as session:
        catalogue.replace_catalogue(session, demo_catalogue())
    client = client_for(credential)
    try:
        client.login(CLERK, PASSWORD)
    finally:
        client.close()
    return Counter(workspace, credential, path)


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path)
    server.start()
    yield server
    server.close()


@pytest.fixture
def counter(live_server: LiveServer, tmp_path: Path) -> Iterator[Counter]:
    made = enrolled_counter(live_server, tmp_path / "counter")
    yield made
    drain_jobs()
    made.workspace.close()


@pytest.fixture
def client_of() -> Iterator[Callable[[Counter], ServerClient]]:
    """``client_of(counter)``: a ServerClient with the counter's credential, closed after the test."""
    made: list[ServerClient] = []

    def make(counter: Counter) -> ServerClient:
        client = client_for(counter.credential)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


def drain_jobs() -> None:
    """Background jobs must not outlive the test's store (they would write to a closed database)."""
    if "counterapp.gui.jobs" in sys.modules:
        from counterapp.gui.jobs import wait_idle

        wait_idle(15_000)
