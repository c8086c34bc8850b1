"""The server's settings: one frozen value, defaults for an embedded SQLite server, the database URL
overridable from the environment (``COUNTERAPP_SERVER_DATABASE_URL``) or the command line."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import platformdirs

DATABASE_URL_ENV = "COUNTERAPP_SERVER_DATABASE_URL"
# how ``serve --workers N`` hands ``--sync-concurrency`` to each worker process (they read the environment)
SYNC_CONCURRENCY_ENV = "COUNTERAPP_SERVER_SYNC_CONCURRENCY"
DEFAULT_SYNC_CONCURRENCY = 8
SQLITE_FILENAME = "server.sqlite3"
# An idle HTTP connection is kept this long (uvicorn's default is 5 s). Counters call every few seconds to
# minutes; with 5 s most calls paid for a new connection. The counter's client lets a connection go after
# 60 s (``protocol.client.KEEPALIVE_S``), before the server would, so it never sends on one being closed.
DEFAULT_KEEP_ALIVE_S = 75


def default_sqlite_path() -> Path:
    """``server.sqlite3`` in the per-user data directory (e.g. ``~/.local/share/counterapp-server``)."""
    return Path(platformdirs.user_data_dir("counterapp-server", appauthor=False)) / SQLITE_FILENAME


def normalize_database_url(url: str) -> str:
    """PostgreSQL is always driven by psycopg 3: ``postgres://`` and ``postgresql://`` become
    ``postgresql+psycopg://`` (SQLAlchemy would otherwise pick psycopg2, which is not installed)."""
    url = url.strip()
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def database_url_from_env(environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    url = env.get(DATABASE_URL_ENV, "").strip()
    return normalize_database_url(url) if url else f"sqlite:///{default_sqlite_path()}"


def sync_concurrency_from_env(environ: Mapping[str, str] | None = None) -> int:
    env = os.environ if environ is None else environ
    text = env.get(SYNC_CONCURRENCY_ENV, "").strip()
    if not text:
        return DEFAULT_SYNC_CONCURRENCY
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"{SYNC_CONCURRENCY_ENV} must be a whole number, not {text!r}") from None


@dataclass(frozen=True, slots=True)
class ServerSettings:
    database_url: str = field(default_factory=database_url_from_env)
    host: str = "127.0.0.1"
    port: int = 8765
    workers: int = 1
    max_body_bytes: int = 2 * 1024 * 1024
    keep_alive_s: int = DEFAULT_KEEP_ALIVE_S
    # push/pull/snapshot in progress per process; more get 429 + Retry-After
    sync_concurrency: int = field(default_factory=sync_concurrency_from_env)
    enrollment_code_ttl: timedelta = timedelta(hours=24)
    session_ttl: timedelta = timedelta(hours=12)
    # HTTPS served directly (both or neither), or ``behind_proxy``: a reverse proxy (nginx) terminates TLS
    # and its X-Forwarded-For/-Proto are believed, from ``trusted_proxies`` only. Otherwise the forwarded
    # headers are ignored, so a client cannot pose as another address (the sign-in throttle counts by it).
    tls_cert: Path | None = None
    tls_key: Path | None = None
    behind_proxy: bool = False
    trusted_proxies: str = "127.0.0.1"
    # where ``serve`` writes server.log (None: stderr only, e.g. to the journal)
    log_dir: Path | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "database_url", normalize_database_url(self.database_url))
        if not 0 < self.port < 65536:
            raise ValueError(f"port must be between 1 and 65535, not {self.port}")
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, not {self.workers}")
        if self.keep_alive_s < 1:
            raise ValueError(f"keep_alive_s must be at least 1, not {self.keep_alive_s}")
        if self.sync_concurrency < 1:
            raise ValueError("sync_concurrency must be at least 1")
        if self.max_body_bytes < 1:
            raise ValueError("max_body_bytes must be positive")
        if (self.tls_cert is None) != (self.tls_key is None):
            raise ValueError("tls_cert and tls_key go together: give both or neither")
