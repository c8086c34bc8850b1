"""Fixtures for the server's tests, each test on SQLite and on PostgreSQL.

* ``server_db``: a database URL, empty. SQLite: a file in ``tmp_path``. PostgreSQL: a fresh schema in the
  database ``test`` (``CREATE SCHEMA t_<random>``), selected by the URL itself
  (``?options=-csearch_path=t_<random>``), so the URL also works for a ``counterapp-server`` subprocess;
  the schema is dropped after the test. Set ``COUNTERAPP_TEST_POSTGRES_URL`` to use another server.
* ``server_engine``: an engine on ``server_db``, migrated with the real Alembic migrations.
* ``server_sessions``: a session factory on ``server_engine``.
* ``client``: a ``TestClient`` over ``create_app(engine=server_engine)``.

PostgreSQL must really run in CI: when it does not answer, the tests fail loudly if ``CI=true`` and are
skipped (with the reason) otherwise.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from counterapp.server.app import create_app
from counterapp.server.db import make_engine, session_factory
from counterapp.server.schema import migrate

POSTGRES_URL = os.environ.get("COUNTERAPP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
DATABASES = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    """An engine on the test database's default schema, for creating and dropping the per-test schemas."""
    engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3}, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        engine.dispose()
        cause = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        reason = f"PostgreSQL does not answer at {engine.url.render_as_string(hide_password=True)}: {cause}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"\n\n*** CI needs PostgreSQL for the server tests. {reason} ***\n", pytrace=False)
        pytest.skip(reason)
    yield engine
    engine.dispose()


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
