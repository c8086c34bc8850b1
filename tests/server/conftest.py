"""Fixtures for the server's tests, each test on SQLite and on PostgreSQL.

* ``server_db``: a database URL, empty. SQLite: a file in ``tmp_path``. PostgreSQL: a fresh schema
  (``CREATE SCHEMA t_<random>``) in this pytest process's own database, selected by the URL itself
  (``?options=-csearch_path=t_<random>``), so the URL also works for a ``counterapp-server`` subprocess;
  the schema is dropped after the test.
* ``postgres_admin``: an engine on that own database, ``ct_<xdist worker>_<pid>`` (``POSTGRES_URL``),
  created at the first use from the database ``test`` and dropped at the end of the session. Why a
  database per process, not only a schema per test: ``LISTEN``/``NOTIFY`` channels are database-wide, so
  with tests running side by side (``pytest -n``, or two test runs on one machine) one test's server would
  hear another's live events. Databases a killed run left behind are dropped by the next one (their pid
  is gone). Set ``COUNTERAPP_TEST_POSTGRES_URL`` to use another server (its database plays ``test``'s part).
* ``server_engine``: an engine on ``server_db``, migrated with the real Alembic migrations.
* ``server_sessions``: a session factory on ``server_engine``.
* ``client``: a ``TestClient`` over ``create_app(engine=server_engine)``.

PostgreSQL must really run in CI: when it does not answer, the tests fail loudly if ``CI=true`` and are
skipped (with the reason) otherwise.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, create_engine, make_url, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from counterapp.server.app import create_app
from counterapp.server.db import make_engine, session_factory
from counterapp.server.schema import migrate

CLUSTER_URL = make_url(
    os.environ.get("COUNTERAPP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
)
OWN_DATABASE = f"ct_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"
POSTGRES_URL = CLUSTER_URL.set(database=OWN_DATABASE).render_as_string(hide_password=False)
DATABASES = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    """An engine on this process's own database (created here, dropped at the end), for creating and
    dropping the per-test schemas."""
    cluster = create_engine(CLUSTER_URL, connect_args={"connect_timeout": 3}, isolation_level="AUTOCOMMIT")
    try:
        with cluster.connect() as connection:
            _drop_orphans(connection)
            connection.execute(text(f"CREATE DATABASE {OWN_DATABASE}"))
    except SQLAlchemyError as exc:
        cluster.dispose()
        cause = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        reason = f"PostgreSQL does not answer at {CLUSTER_URL.render_as_string(hide_password=True)}: {cause}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"\n\n*** CI needs PostgreSQL for the server tests. {reason} ***\n", pytrace=False)
        pytest.skip(reason)
    engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3}, isolation_level="AUTOCOMMIT")
    try:
        yield engine
    finally:
        engine.dispose()
        with cluster.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {OWN_DATABASE} WITH (FORCE)"))
        cluster.dispose()


def _drop_orphans(connection: Connection) -> None:
    """Drop the own databases of test processes that no longer run (a run killed before its teardown).
    Only on a local server: a pid says nothing about another machine's processes."""
    if CLUSTER_URL.host not in (None, "127.0.0.1", "localhost", "::1"):
        return
    names = connection.scalars(text("SELECT datname FROM pg_database WHERE datname LIKE 'ct\\_%'")).all()
    for name in names:
        found = re.fullmatch(r"ct_\w+?_(\d+)", name)
        if found and not _alive(int(found.group(1))):
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


def _alive(pid: int) -> bool:
    if os.name == "nt":  # os.kill(pid, 0) would end the process there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. another user's process: it exists
        return True
    return True


@pytest.fixture(params=DATABASES)
def server_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'server.sqlite3'}"
        return
    admin: Engine = request.getfixturevalue("postgres_admin")
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with admin.connect() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    # application_name lets the teardown end any connection a test left behind.
    yield f"{POSTGRES_URL}?options={quote(f'-csearch_path={schema}')}&application_name={schema}"
    with admin.connect() as connection:
        connection.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :name"),
            {"name": schema},
        )
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))


@pytest.fixture
def server_engine(server_db: str) -> Iterator[Engine]:
    engine = make_engine(server_db)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def server_sessions(server_engine: Engine) -> sessionmaker[Session]:
    return session_factory(server_engine)


@pytest.fixture
def client(server_engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(engine=server_engine)) as test_client:
        yield test_client
