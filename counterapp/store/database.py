"""Opening a data directory: the SQLite file with safe pragmas, migrated to the current schema.

* WAL, ``synchronous=FULL`` (a committed intake survives power loss), foreign keys, a busy timeout.
* Writers begin with ``BEGIN IMMEDIATE`` so two processes (the window, the CLI, the sync worker)
  queue for the write lock instead of failing half-way with "database is locked"; readers use a
  separate engine with ordinary deferred transactions and never block writers (WAL).
* The file is a SQLCipher 4 database (encrypted at rest, ``counterapp.store.cache_key``): its key is set
  first on every connection, then the pragmas above. ``encrypt=False`` opens a plain SQLite file (the
  benchmarks and the test that proves the no-personal-data check can fail); a plaintext cache opened
  with ``encrypt=True`` is encrypted once, first.
* Alembic migrations run when the directory is opened; a directory from an older release is
  upgraded in place, in one transaction per migration, before anything else touches it. One written by
  a newer release is refused (``DataDirectoryTooNew``, ``counterapp.store.schema_guard``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import URL, Engine, QueuePool, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from counterapp import migrating
from counterapp.migrating import current_revision as current_revision  # re-exported for callers
from counterapp.migrating import upgrade
from counterapp.store import cache_key
from counterapp.store.errors import DataDirectoryTooNew
from counterapp.store.schema_guard import check_not_newer, note_writer

if TYPE_CHECKING:
    from alembic.config import Config

DB_FILENAME = "counter.sqlite3"
BUSY_TIMEOUT_MS = 10_000
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _pragmas(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event issues BEGIN itself
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def _engine(path: Path, key: bytes | None, *, immediate: bool) -> Engine:
    # hide_parameters: a statement's values (names, CCCD numbers) never reach an error message or a log
    if key is None:
        url = URL.create("sqlite", database=str(path))
    else:  # SQLAlchemy's SQLCipher dialect sends "PRAGMA key" before anything else on each connection;
        # the URL's password is masked in its repr. QueuePool as for plain files (the dialect's default,
        # one connection per thread, would keep a connection for each short-lived worker thread)
        url = URL.create("sqlite+pysqlcipher", password=cache_key.raw_key(key), database=str(path))
    engine = create_engine(url, connect_args={"check_same_thread": False}, hide_parameters=True, poolclass=QueuePool)
    event.listen(engine, "connect", _pragmas)
    begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"
    event.listen(engine, "begin", lambda conn: conn.exec_driver_sql(begin))
    return engine


def alembic_config() -> Config:
    return migrating.alembic_config(MIGRATIONS)


# The newest migration: an up-to-date data directory opens without loading Alembic (a quarter of a
# second of the window's start); tests/store checks it against the scripts.
HEAD_REVISION = "0007"


@cache
def head_revision() -> str:
    """The newest revision of the scripts, as Alembic reads them."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def migrate(engine: Engine, revision: str = "head") -> None:
    upgrade(engine, alembic_config(), revision)


@dataclass
class Store:
    """An open data directory. ``write()`` and ``read()`` give sessions; the caller owns nothing else."""

    path: Path
    write_engine: Engine
    read_engine: Engine

    def __post_init__(self) -> None:
        self._write = sessionmaker(self.write_engine, expire_on_commit=False)
        self._read = sessionmaker(self.read_engine, expire_on_commit=False)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction: commits when the block ends, rolls everything back on an exception."""
        with self._write.begin() as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._read() as session, session.begin():
            yield session

    def close(self) -> None:
        self.write_engine.dispose()
        self.read_engine.dispose()


def open_store(data_dir: Path, *, migrate_to: str = "head", encrypt: bool = True) -> Store:
    """Open (creating if needed) the data directory and bring its schema up to date; a new cache is made
    encrypted, a plaintext one is encrypted first (``encrypt=False``: a plain SQLite file, left as it is)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / DB_FILENAME
    key = None
    if encrypt:
        cache_key.finish_interrupted(path)
        plaintext = cache_key.is_plaintext(path)
        key = cache_key.cache_key(data_dir, create=plaintext or not path.exists() or path.stat().st_size == 0)
        if plaintext:
            cache_key.encrypt_plaintext(path, key)
    write_engine = _engine(path, key, immediate=True)
    target = HEAD_REVISION if migrate_to == "head" else migrate_to
    current = current_revision(write_engine)
    if current != target:  # an up-to-date directory opens without Alembic's runner
        try:  # written by a newer build: refuse in one line, before Alembic or anything else touches it
            check_not_newer(write_engine, current, HEAD_REVISION)
        except DataDirectoryTooNew:
            write_engine.dispose()
            raise
        migrate(write_engine, migrate_to)
        note_writer(write_engine)  # an older build that finds this schema can then say which version it needs
    return Store(path, write_engine, _engine(path, key, immediate=False))
