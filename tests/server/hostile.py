"""A server shared by a whole module of hostile-input tests, on SQLite or PostgreSQL: migrating a database
per test would cost more than the tests (issue 15's corpus is dozens of requests). Each test that changes
state uses a device of its own (``World.counter``), so the tests stay independent of their order.

Bodies are sent as ASCII JSON text (``json.dumps``), the only way to carry a lone surrogate (``\\ud800``),
NaN or an integer of any size: ``httpx``'s ``json=`` would refuse them before the server sees them."""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from counterapp.server.app import create_app
from counterapp.server.db import make_engine, session_factory
from counterapp.server.schema import migrate
from tests.server import synckit
from tests.server.authkit import CENTRE_A, Enrolled, enroll, login, make_device, make_user
from tests.server.conftest import POSTGRES_URL
from tests.server.synckit import Counter, local_now, naive, setup_centre

LEAD = "lead.hostile"


@dataclass
class World:
    """Centre A (``synckit.setup_centre``: counters 1 and 2, the clerk ``synckit.CLERK``) with a lead, on
    one database for the module; ``staff``: a counter device's headers with the lead signed in."""

    client: TestClient
    sessions: sessionmaker[Session]
    dialect: str
    device: Enrolled
    staff: dict[str, str]
    numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))  # unique dossier numbers

    def counter(self, number: str = "1") -> Counter:
        """A new counter device of the centre (its own outbox sequence, from 1), its clerk signed in on it."""
        return synckit.counter(self.client, self.sessions, number)

    def send(
        self, method: str, path: str, body: Any = None, *, headers: dict[str, str] | None = None
    ) -> httpx2.Response:
        """``body`` as ASCII JSON (NaN, surrogates and big integers included), ``headers`` or the lead's."""
        sent = {**(self.staff if headers is None else headers)}
        content = None
        if body is not None:
            content, sent["content-type"] = json.dumps(body), "application/json"
        return self.client.request(method, path, content=content, headers=sent)

    def push(self, counter: Counter, ops: list[dict[str, Any]]) -> httpx2.Response:
        return self.send("POST", "/v1/sync/push", {"client_id": counter.device.device_id, "ops": ops},
                         headers=counter.device.headers)  # fmt: skip


def printed(reference: str) -> dict[str, Any]:
    """A ``receipt.printed`` payload: a fact every counter device may push, applied whatever the state."""
    return {"job_id": str(uuid.uuid4()), "document": "receipt_01", "reference": reference, "printer": "a4",
            "reprint_of": None, "printed_at": naive(local_now())}  # fmt: skip


@contextmanager
def database(dialect: str, directory: Any, admin: Engine | None) -> Iterator[Engine]:
    """A migrated database for a module: a SQLite file in ``directory``, or a PostgreSQL schema of its own."""
    if dialect == "sqlite":
        engine = make_engine(f"sqlite:///{directory / 'server.sqlite3'}")
        migrate(engine)
        yield engine
        engine.dispose()
        return
    assert admin is not None
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with admin.connect() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    engine = make_engine(f"{POSTGRES_URL}?options={quote(f'-csearch_path={schema}')}&application_name={schema}")
    try:
        migrate(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :name"),
                {"name": schema},
            )
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))


@contextmanager
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The module's ``World`` on ``request.param`` (``"sqlite"`` or ``"postgresql"``)."""
    dialect: str = request.param
    admin = request.getfixturevalue("postgres_admin") if dialect == "postgresql" else None
    with database(dialect, tmp_path_factory.mktemp("hostile"), admin) as engine:
        sessions = session_factory(engine)
        setup_centre(sessions)
        make_user(sessions, LEAD, "lead", CENTRE_A)
        with TestClient(create_app(engine=engine)) as client:
            device = enroll(client, make_device(sessions, CENTRE_A, "2")[1])
            yield World(client, sessions, dialect, device, device.staff(login(client, device, LEAD)))
