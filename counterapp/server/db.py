"""Engines and sessions for the server, on PostgreSQL (production) or SQLite (embedded, demo).

* SQLite: WAL, ``synchronous=FULL``, foreign keys and a busy timeout on every connection; transactions
  begin with ``BEGIN IMMEDIATE``, so concurrent requests queue for the write lock instead of failing
  half-way with "database is locked" when a read turns into a write.
* PostgreSQL (psycopg 3): a connection idle for ``PING_IDLE_S`` is pinged before use, so a restarted
  database costs no failed request; a busy server skips the ping (a round trip on every request, ~8 % of
  a lease's time). A connection that died within those seconds fails its request with 503 and
  ``Retry-After`` (``counterapp.server.errors``), and SQLAlchemy then drops the whole stale pool.
* Both: ``hide_parameters`` keeps statement parameters (personal data) out of error messages and logs.

Routes get a session through ``SessionDep``; the engine and session factory live on ``app.state``, so
each test can build an app over its own database. The route owns the transaction (``session.commit()``).
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Annotated, Any

import anyio
from fastapi import Depends, Request
from sqlalchemy import Engine, StaticPool, create_engine, event, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from counterapp.server import event_guard, events, feed
from counterapp.server.jsontext import json_text

SQLITE_BUSY_TIMEOUT_MS = 10_000
PING_IDLE_S = 5.0  # ping a pooled PostgreSQL connection before use only after this long unused
POSTGRES_CONNECT_TIMEOUT_S = 10
_GATE = "counterapp.writer_gate"  # session.info: releases the request's place at the WriterGate


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # the "begin" listener below issues BEGIN itself
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # A connection marked read-only (the live events' revocation check, ``event_guard``) reads in WAL
    # without the write lock: it must never queue behind, or hold up, a request's write.
    read_only = connection.get_execution_options().get(event_guard.READ_ONLY)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def _note_checkin(_dbapi_connection: Any, record: Any) -> None:
    record.info["checked_in"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """``pool_pre_ping`` for connections idle long enough to have missed a database restart."""
    if time.monotonic() - record.info.get("checked_in", 0.0) < PING_IDLE_S:
        return
    autocommit = dbapi_connection.autocommit  # a psycopg connection: ping outside any transaction
    try:
        dbapi_connection.autocommit = True
        dbapi_connection.execute("SELECT 1")
        dbapi_connection.autocommit = autocommit
    except Exception as exc:  # the driver's own error for a dead socket
        raise DisconnectionError("the pooled connection is gone") from exc  # the pool opens a new one


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
        engine = create_engine(parsed, connect_args=args, hide_parameters=True, json_serializer=json_text, **extra)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if parsed.get_backend_name() == "postgresql":
        args.setdefault("connect_timeout", POSTGRES_CONNECT_TIMEOUT_S)
        # Enough connections for a worker's threadpool: a request waiting on a row lock holds its connection,
        # and with the default 5 (+10) fifty counters calling at once timed out waiting for one.
        engine = create_engine(
            parsed,
            connect_args=args,
            hide_parameters=True,
            json_serializer=json_text,  # the change feed writes ~1.3 kB of form per dossier: json.dumps was slow
            pool_size=20,
            max_overflow=20,
            pool_use_lifo=True,  # the most recently used connection: warm, and never due for the idle ping
        )
        event.listen(engine, "checkout", _ping_if_idle)
        event.listen(engine, "checkin", _note_checkin)
        return engine
    raise ValueError(f"unsupported database {parsed.get_backend_name()!r}: use sqlite:/// or postgresql+psycopg://")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions whose commits also publish the change feed (``counterapp.server.feed``)."""
    factory = sessionmaker(engine, expire_on_commit=False)
    feed.install(factory)
    events.install(factory)
    return factory


class WriterGate:
    """On SQLite, one request at a time at the database, queued in the event loop.

    Every SQLite transaction here begins ``IMMEDIATE``, so a request holds the write lock from its first
    statement (the device check, on one pool thread) to its commit (on another). Left to SQLite's busy
    handler, fifty counters reconnecting at once filled every pool thread with requests polling for the
    lock, and the holder then waited for a free thread to commit: nothing moved until the busy timeout
    failed them all. Queued here, the waiting requests hold no thread, and they go in arrival order.
    PostgreSQL needs no gate (row locks)."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = asyncio.Lock()

    def lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # an app served by a new loop (tests) gets a fresh lock
            self._loop, self._lock = loop, asyncio.Lock()
        return self._lock


def writer_gate(engine: Engine) -> WriterGate | None:
    return WriterGate() if engine.dialect.name == "sqlite" else None


async def get_session(request: Request) -> AsyncIterator[Session]:
    """FastAPI dependency: a session from the app's factory, closed (rolled back if uncommitted) after.
    Async, as making a session does no I/O: a sync dependency costs two hops to the threadpool and back
    (about 0.3 ms of a worker's time per request). On SQLite it first waits at the app's ``WriterGate``."""
    factory: sessionmaker[Session] = request.app.state.sessions
    gate: WriterGate | None = getattr(request.app.state, "writer_gate", None)
    session = factory()
    if gate is not None:
        lock = gate.lock()
        await lock.acquire()
        session.info[_GATE] = lock.release
    try:
        yield session
    finally:
        await end_session(session)


async def end_session(session: Session) -> None:
    """Close ``session`` (rolled back if uncommitted) and let the next request at the database. A route
    that waits a long time (the long-poll) calls it before it waits; calling it again does nothing."""
    try:
        if session.in_transaction():  # it holds a connection: the rollback is a round trip
            # on a thread outside the shared pool, as FastAPI's own exits: the pool may be full
            await anyio.to_thread.run_sync(session.close, limiter=anyio.CapacityLimiter(1))
        else:
            session.close()
    finally:
        release = session.info.pop(_GATE, None)
        if release is not None:
            release()


SessionDep = Annotated[Session, Depends(get_session)]
