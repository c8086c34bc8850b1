"""``counterapp-server``: migrate, then serve, on SQLite and PostgreSQL, in-process and as a real process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx2
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from counterapp.server import cli
from counterapp.server.config import DATABASE_URL_ENV, SYNC_CONCURRENCY_ENV
from counterapp.server.db import make_engine
from counterapp.server.schema import current_revision, head_revision
from tests.ports import free_port

SERVER = [str(Path(sys.executable).parent / "counterapp-server")]
if not Path(SERVER[0]).exists():  # the package is not installed with its entry point: run the module
    SERVER = [sys.executable, "-c", "import sys; from counterapp.server.cli import main; sys.exit(main())"]


def revision_of(url: str) -> str | None:
    engine = make_engine(url)
    try:
        return current_revision(engine)
    finally:
        engine.dispose()


def test_migrate_creates_the_schema_once(server_db: str, capsys: pytest.CaptureFixture[str]):
    assert cli.main(["migrate", "--database-url", server_db]) == 0
    assert f"from empty to {head_revision()}" in capsys.readouterr().out
    assert revision_of(server_db) == head_revision()
    assert cli.main(["migrate", "--database-url", server_db]) == 0
    assert f"already at revision {head_revision()}" in capsys.readouterr().out


def test_migrate_reads_the_url_from_the_environment(server_db: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(DATABASE_URL_ENV, server_db)
    assert cli.main(["migrate"]) == 0
    assert revision_of(server_db) == head_revision()


def test_serve_refuses_an_unmigrated_database_in_one_line(server_db: str, capsys: pytest.CaptureFixture[str]):
    assert cli.main(["serve", "--database-url", server_db]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("counterapp-server: error: the database at ")
    assert err.rstrip().endswith("run 'counterapp-server migrate'")


def test_serve_after_migrate_runs_the_app(server_db: str, monkeypatch: pytest.MonkeyPatch):
    served: dict[str, object] = {}

    def fake_run(app: FastAPI, **options: object) -> None:  # uvicorn.run, without the network
        served.update(options, app=app)

    monkeypatch.setattr("uvicorn.run", fake_run)
    assert cli.main(["migrate", "--database-url", server_db]) == 0
    assert cli.main(["serve", "--database-url", server_db, "--port", "9123"]) == 0
    assert served["host"] == "127.0.0.1" and served["port"] == 9123 and served["access_log"] is False
    assert served["timeout_keep_alive"] == 75
    app = served["app"]
    assert isinstance(app, FastAPI)
    with TestClient(app) as client:
        assert client.get("/healthz").json()["revision"] == head_revision()
    app.state.engine.dispose()


def test_serve_with_several_workers_hands_uvicorn_the_factory(server_db: str, monkeypatch: pytest.MonkeyPatch):
    served: dict[str, object] = {}
    monkeypatch.setattr("uvicorn.run", lambda app, **options: served.update(options, app=app))
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    assert cli.main(["migrate", "--database-url", server_db]) == 0
    monkeypatch.delenv(SYNC_CONCURRENCY_ENV, raising=False)
    argv = ["serve", "--database-url", server_db, "--workers", "3", "--sync-concurrency", "3", "--keep-alive", "20"]
    assert cli.main(argv) == 0
    assert served["app"] == "counterapp.server.app:app_from_env"
    assert served["factory"] is True and served["workers"] == 3 and served["timeout_keep_alive"] == 20
    assert os.environ[DATABASE_URL_ENV] == server_db  # what each worker's app_from_env reads
    from counterapp.server.app import app_from_env

    app = app_from_env()
    assert app.state.settings.sync_concurrency == 3  # each worker throttles as asked, not at the default
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
    app.state.engine.dispose()


@pytest.mark.parametrize(
    "argv",
    [
        ["serve", "--port", "eighty"],
        ["serve", "--port", "70000"],
        ["serve", "--workers", "0"],
        ["serve", "--keep-alive", "0"],
        ["serve", "--no-such-option"],
        ["launch"],
        [],
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit) as caught:
        cli.main(argv)
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("counterapp-server: error: ")


def test_an_unknown_kind_of_database_is_one_line_and_exit_1(capsys: pytest.CaptureFixture[str]):
    assert cli.main(["migrate", "--database-url", "mysql://db/counter"]) == 1
    assert capsys.readouterr().err == (
        "counterapp-server: error: unsupported database 'mysql': use sqlite:/// or postgresql+psycopg://\n"
    )


@pytest.mark.parametrize("command", ["serve", "migrate"])
def test_an_unreachable_database_is_one_line_and_exit_1(command: str, capsys: pytest.CaptureFixture[str]):
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/test"
    assert cli.main([command, "--database-url", url]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"counterapp-server: error: cannot use the database at {url}: ")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*SERVER, *args], capture_output=True, text=True, timeout=60, check=False)


def test_a_real_server_process_serves_after_migrate_and_stops_cleanly(server_db: str):
    # GIVEN an unmigrated database: serve refuses in one line, exit status 1
    refused = run("serve", "--database-url", server_db, "--port", str(free_port()))
    assert refused.returncode == 1
    assert refused.stderr.count("\n") == 1 and "run 'counterapp-server migrate'" in refused.stderr
    # WHEN it is migrated and the server started on a free loopback port
    assert run("migrate", "--database-url", server_db).returncode == 0
    port = free_port()
    process = subprocess.Popen(
        [*SERVER, "serve", "--database-url", server_db, "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        # THEN /healthz answers 200 within a bounded time
        deadline = time.monotonic() + 30
        health = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                health = httpx2.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx2.TransportError:
                time.sleep(0.05)
        assert health is not None, f"the server did not answer: {process.poll()=}"
        assert health.status_code == 200
        assert health.json()["revision"] == head_revision()
    finally:
        # AND it stops cleanly on SIGTERM (uvicorn shuts down, then re-raises the signal: exit by SIGTERM)
        process.terminate()
        output, _ = process.communicate(timeout=15)
    assert process.returncode in (0, -signal.SIGTERM), output
    assert "Application shutdown complete" in output
