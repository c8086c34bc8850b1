"""Engines and sessions for the server, on PostgreSQL (production) or SQLite (embedded, demo).

* SQLite: WAL, ``synchronous=FULL``, foreign keys and a busy timeout on every connection; transactions
  begin with ``BEGIN IMMEDIATE``, so concurrent requests queue for the write lock instead of failing
  half-way with "database is locked" when a read turns into a write.
* PostgreSQL (psycopg 3): ``pool_pre_ping`` so a restarted database costs no failed request.
* Both: ``hide_parameters`` keeps statement parameters (personal data) out of error messages and logs.

Routes get a session through ``SessionDep``; the engine and session factory live on ``app.state``, so
each test can build an app over its own database. The route owns the transaction (``session.commit()``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import Engine, StaticPool, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

from counterapp.server import feed

SQLITE_BUSY_TIMEOUT_MS = 10_000
POSTGRES_CONNECT_TIMEOUT_S = 10


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # the "begin" listener below issues BEGIN itself
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, *, connect_args: Mapping[str, Any] | None = None) -> Engine:
    """An engine for ``url`` (``sqlite:///…`` or ``postgresql+psycopg://…``) with the settings above.
    ``connect_args`` are passed to the driver (tests use ``{"options": "-csearch_path=…"}``)."""
    parsed = make_url(url)
    args: dict[str, Any] = dict(connect_args or {})
    if parsed.get_backend_name() == "sqlite":
        args.setdefault("check_same_thread", False)
        database = parsed.database or ""
        in_memory = database in ("", ":memory:")
        if not in_memory and not database.startswith("file:"):  # a plain path: create its directory
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        extra: dict[str, Any] = {"poolclass": StaticPool} if in_memory else {}
        engine = create_engine(parsed, connect_args=args, hide_parameters=True, **extra)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if parsed.get_backend_name() == "postgresql":
        args.setdefault("connect_timeout", POSTGRES_CONNECT_TIMEOUT_S)
        # Enough connections for a worker's threadpool: a request waiting on a row lock holds its connection,
        # and with the default 5 (+10) fifty counters calling at once timed out waiting for one.
        return create_engine(
            parsed, connect_args=args, pool_pre_ping=True, hide_parameters=True, pool_size=20, max_overflow=20
        )
    raise ValueError(f"unsupported database {parsed.get_backend_name()!r}: use sqlite:/// or postgresql+psycopg://")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions whose commits also publish the change feed (``counterapp.server.feed``)."""
    factory = sessionmaker(engine, expire_on_commit=False)
    feed.install(factory)
    return factory


def get_session(request: Request) -> Iterator[Session]:
    """FastAPI dependency: a session from the app's factory, closed (rolled back if uncommitted) after."""
    factory: sessionmaker[Session] = request.app.state.sessions
    with factory() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
