"""A pooled PostgreSQL connection whose backend died is replaced before use once it has been idle for
``PING_IDLE_S``; a busy pool skips the ping, and then the one request that meets the dead connection fails
(503 at the route) while the pool is dropped and the next request gets a new connection."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from counterapp.server import db


def _kill_backend(engine: Engine) -> int:
    """Check out a connection, return it to the pool, then terminate its server process from outside."""
    with engine.connect() as connection:
        pid = int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())
    killer = db.make_engine(engine.url.render_as_string(hide_password=False))
    with killer.connect() as other:
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        other.commit()
    killer.dispose()
    return pid


def test_an_idle_dead_connection_is_replaced_before_use(server_engine: Engine, monkeypatch: pytest.MonkeyPatch):
    if server_engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no server connection to lose")
    dead = _kill_backend(server_engine)
    monkeypatch.setattr(db, "PING_IDLE_S", 0.0)  # as if the connection had been idle for a while
    # WHEN the next request checks a connection out THEN it works, on another backend
    with server_engine.connect() as connection:
        assert connection.execute(text("SELECT pg_backend_pid()")).scalar_one() != dead


def test_a_busy_pool_skips_the_ping_and_recovers_after_one_failure(server_engine: Engine):
    if server_engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no server connection to lose")
    dead = _kill_backend(server_engine)  # just checked in: younger than PING_IDLE_S, so not pinged
    with pytest.raises(OperationalError), server_engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    with server_engine.connect() as connection:  # the stale pool was dropped: a new connection
        assert connection.execute(text("SELECT pg_backend_pid()")).scalar_one() != dead
