"""Server settings: defaults, the environment, PostgreSQL URLs always on psycopg 3."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from counterapp.protocol.client import KEEPALIVE_S
from counterapp.server.config import (
    DATABASE_URL_ENV,
    SYNC_CONCURRENCY_ENV,
    ServerSettings,
    default_sqlite_path,
    normalize_database_url,
)


def test_the_defaults_are_an_embedded_server_on_loopback(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    settings = ServerSettings()
    assert settings.database_url == f"sqlite:///{default_sqlite_path()}"
    assert default_sqlite_path().name == "server.sqlite3" and "counterapp-server" in default_sqlite_path().parts
    assert (settings.host, settings.port, settings.workers) == ("127.0.0.1", 8765, 1)
    assert settings.max_body_bytes == 2 * 1024 * 1024
    assert settings.keep_alive_s == 75 > KEEPALIVE_S  # the counter lets an idle connection go first
    assert settings.enrollment_code_ttl == timedelta(hours=24) and settings.session_ttl == timedelta(hours=12)


def test_the_environment_overrides_the_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv(DATABASE_URL_ENV, " postgresql://counter@db.example/counterapp ")
    assert ServerSettings().database_url == "postgresql+psycopg://counter@db.example/counterapp"
    assert ServerSettings(database_url=f"sqlite:///{tmp_path}/s.db").database_url == f"sqlite:///{tmp_path}/s.db"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_postgresql_urls_use_psycopg_3(url: str, expected: str):
    assert normalize_database_url(url) == expected


@pytest.mark.parametrize(
    ("field", "value"),
    [("port", 0), ("port", 70000), ("workers", 0), ("max_body_bytes", 0), ("keep_alive_s", 0)],
)
def test_impossible_settings_are_refused(field: str, value: int):
    with pytest.raises(ValueError, match=field):
        ServerSettings(database_url="sqlite://", **{field: value})


def test_settings_are_frozen():
    settings = ServerSettings(database_url="sqlite://")
    with pytest.raises(AttributeError):
        settings.port = 1  # type: ignore[misc]


def test_the_environment_sets_the_sync_concurrency(monkeypatch: pytest.MonkeyPatch):
    # serve --workers N hands --sync-concurrency to the worker processes this way
    monkeypatch.setenv(SYNC_CONCURRENCY_ENV, " 3 ")
    assert ServerSettings().sync_concurrency == 3
    monkeypatch.setenv(SYNC_CONCURRENCY_ENV, "many")
    with pytest.raises(ValueError, match=SYNC_CONCURRENCY_ENV):
        ServerSettings()
