"""The server's configuration file (``counterapp-server serve --config FILE``, ``$COUNTERAPP_SERVER_CONFIG``):
every key, the command line on top, one line naming the key for a bad value. On SQLite: fast."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

import pytest
from fastapi import FastAPI

from counterapp.server import cli
from counterapp.server.config import DATABASE_URL_ENV, SYNC_CONCURRENCY_ENV
from counterapp.server.config_file import CONFIG_ENV, KEYS, config_path, read_config
from counterapp.server.schema import head_revision
from tests.server.test_cli import revision_of

EXAMPLE = Path(__file__).resolve().parents[2] / "packaging" / "server" / "server.conf"


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "server.conf"
    path.write_text(body, encoding="utf-8")
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'server.sqlite3'}"


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """What ``serve`` handed ``uvicorn.run`` (nothing listens)."""
    options: dict[str, object] = {}

    def fake_run(app: FastAPI | str, **given: object) -> None:
        options.update(given, app=app)
        if isinstance(app, FastAPI):
            app.state.engine.dispose()

    monkeypatch.setattr("uvicorn.run", fake_run)
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    monkeypatch.delenv(SYNC_CONCURRENCY_ENV, raising=False)
    return options


def test_every_key_of_the_file_reaches_the_server(tmp_path: Path, sqlite_url: str, served: dict[str, object]):
    cert, key = tmp_path / "server.crt", tmp_path / "server.key"
    cert.write_text("not checked here"), key.write_text("uvicorn reads them")
    config = write(
        tmp_path,
        f"""# the service's settings
[server]
database_url = {sqlite_url}
host = 0.0.0.0      ; every interface
port = 9443
workers = 1
sync_concurrency = 5
keep_alive = 30
tls_cert = {cert}
tls_key = {key}
log_dir = {tmp_path / "log"}
""",
    )
    assert cli.main(["migrate", "--config", str(config)]) == 0
    assert revision_of(sqlite_url) == head_revision()
    assert cli.main(["serve", "--config", str(config)]) == 0
    assert (served["host"], served["port"], served["timeout_keep_alive"]) == ("0.0.0.0", 9443, 30)
    assert served["ssl_certfile"] == str(cert) and served["ssl_keyfile"] == str(key)
    assert served["proxy_headers"] is False  # no proxy: nobody's X-Forwarded-For is believed
    app = served["app"]
    assert isinstance(app, FastAPI) and app.state.settings.sync_concurrency == 5
    assert (tmp_path / "log" / "server.log").exists()  # made (and checked writable) before uvicorn starts
    handlers = served["log_config"]["handlers"]  # type: ignore[index]
    assert handlers["file"]["filename"] == str(tmp_path / "log" / "server.log")


def test_the_command_line_overrides_the_file(tmp_path: Path, sqlite_url: str, served: dict[str, object]):
    config = write(tmp_path, f"[server]\ndatabase_url = sqlite:///{tmp_path}/other.db\nport = 9000\nworkers = 3\n")
    assert cli.main(["migrate", "--database-url", sqlite_url]) == 0
    assert cli.main(["serve", "--config", str(config), "--database-url", sqlite_url, "--port", "9001"]) == 0
    assert served["port"] == 9001 and served["workers"] == 3
    assert not (tmp_path / "other.db").exists()
    assert "log_config" in served and "file" not in served["log_config"]["handlers"]  # type: ignore[operator,index]


def test_behind_a_proxy_only_the_proxy_is_believed(tmp_path: Path, sqlite_url: str, served: dict[str, object]):
    config = write(
        tmp_path, f"[server]\ndatabase_url = {sqlite_url}\nbehind_proxy = yes\ntrusted_proxies = 10.0.0.5, 127.0.0.1\n"
    )
    assert cli.main(["migrate", "--config", str(config)]) == 0
    assert cli.main(["serve", "--config", str(config)]) == 0
    assert served["proxy_headers"] is True and served["forwarded_allow_ips"] == "10.0.0.5,127.0.0.1"
    served.clear()
    assert cli.main(["serve", "--database-url", sqlite_url, "--behind-proxy"]) == 0
    assert served["proxy_headers"] is True and served["forwarded_allow_ips"] == "127.0.0.1"


def test_the_environment_names_the_file(tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch):
    config = write(tmp_path, f"[server]\ndatabase_url = {sqlite_url}\n")
    monkeypatch.setenv(CONFIG_ENV, str(config))
    monkeypatch.setenv(DATABASE_URL_ENV, f"sqlite:///{tmp_path}/not-this.db")  # the file wins over it
    assert cli.main(["migrate"]) == 0
    assert revision_of(sqlite_url) == head_revision()
    assert not (tmp_path / "not-this.db").exists()
    assert config_path(None) == config and config_path(tmp_path / "x.conf") == tmp_path / "x.conf"


def test_a_checkout_reads_no_file_unless_told(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    assert config_path(None) is None  # never /etc/counterapp/server.conf outside the packaged server


def test_the_admin_commands_read_the_file_too(tmp_path: Path, sqlite_url: str, capsys: pytest.CaptureFixture[str]):
    config = write(tmp_path, f"[server]\ndatabase_url = {sqlite_url}\n")
    assert cli.main(["migrate", "--config", str(config)]) == 0
    assert (
        cli.main(["admin", "create-centre", "--config", str(config), "--agency-code", "000.00.01.H26", "--name", "Thử"])
        == 0
    )
    assert (
        cli.main(["admin", "add-counter", "--config", str(config), "--centre", "000.00.01.H26", "--number", "1"]) == 0
    )
    assert "000.00.01.H26" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[server]\nport = eighty\n", "[server] port: not a whole number: 'eighty'"),
        ("[server]\nport = 70000\n", "[server] port: must be between 1 and 65535: '70000'"),
        ("[server]\nworkers = 0\n", "[server] workers: must be between 1 and 64: '0'"),
        ("[server]\nkeep_alive = -1\n", "[server] keep_alive: must be at least 1: '-1'"),
        ("[server]\nbehind_proxy = perhaps\n", "[server] behind_proxy: not yes or no: 'perhaps'"),
        ("[server]\ntrusted_proxies = *\n", "[server] trusted_proxies: '*' would trust every client's"),
        ("[server]\ndatabase_url =\n", "[server] database_url: is empty"),
        ("[server]\nlisten = 0.0.0.0\n", "[server] listen: unknown key (known: database_url, host,"),
        ("[database]\nurl = x\n", "unknown section [database]"),
        ("port = 1\n", "not an INI file: File contains no section headers."),
        ("", "no [server] section"),
        ("[server]\ntls_cert = /x.crt\n", "tls_cert and tls_key go together: give both or neither"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_key(
    tmp_path: Path, body: str, message: str, capsys: pytest.CaptureFixture[str]
):
    config = write(tmp_path, body)
    assert cli.main(["migrate", "--config", str(config)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"counterapp-server: error: {config}: ")
    assert message in err


def test_a_missing_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    assert cli.main(["serve", "--config", str(tmp_path / "none.conf")]) == 1
    err = capsys.readouterr().err
    expected = f"cannot read the configuration {tmp_path / 'none.conf'}: No such file or directory"
    assert err == f"counterapp-server: error: {expected}\n"


@pytest.mark.parametrize(
    ("key", "expected"), [("tls_cert", "tls_cert: cannot read"), ("log_dir", "log_dir: cannot write to")]
)
def test_serve_checks_the_files_it_needs_first(
    tmp_path: Path, sqlite_url: str, served: dict[str, object], key: str, expected: str,
    capsys: pytest.CaptureFixture[str],
):  # fmt: skip
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    settings = {
        "tls_cert": f"tls_cert = {tmp_path / 'none.crt'}\ntls_key = {tmp_path / 'none.key'}\n",
        "log_dir": f"log_dir = {blocker / 'log'}\n",  # under a file: cannot be made
    }[key]
    config = write(tmp_path, f"[server]\ndatabase_url = {sqlite_url}\n{settings}")
    assert cli.main(["migrate", "--config", str(config)]) == 0
    assert cli.main(["serve", "--config", str(config)]) == 1
    assert capsys.readouterr().err.startswith(f"counterapp-server: error: {expected} ")
    assert not served


def test_the_packaged_example_is_valid_and_documents_every_key():
    values = read_config(EXAMPLE)
    assert values["database_url"].startswith("postgresql")
    text = EXAMPLE.read_text(encoding="utf-8")
    for key in KEYS:
        assert f"{key} =" in text, key  # set or shown commented out


def test_the_log_configuration_writes_the_server_and_uvicorn_lines(tmp_path: Path):
    from counterapp.server.config import ServerSettings

    config = cli.log_config(ServerSettings(database_url="sqlite://", log_dir=tmp_path))
    assert config["loggers"]["counterapp"]["handlers"] == ["stderr_warnings", "file"]
    assert "file" in config["loggers"]["uvicorn"]["handlers"]
    # the handler is real: build it as dictConfig would, on a logger of our own (the test's logging stays)
    handler = logging.handlers.WatchedFileHandler(config["handlers"]["file"]["filename"], encoding="utf-8")
    handler.setFormatter(logging.Formatter(cli.LOG_FORMAT))
    handler.emit(logging.LogRecord("counterapp.server", logging.WARNING, __file__, 1, "hello", None, None))
    handler.close()
    assert "WARNING counterapp.server: hello" in (tmp_path / "server.log").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("settings", "warned"),
    [
        ("host = 0.0.0.0\n", True),
        ("host = 0.0.0.0\nbehind_proxy = yes\n", False),
        ("host = 127.0.0.1\n", False),
    ],
)
@pytest.mark.usefixtures("served")
def test_plain_http_beyond_loopback_is_warned_about(
    tmp_path: Path, sqlite_url: str, settings: str, warned: bool, capsys: pytest.CaptureFixture[str]
):
    config = write(tmp_path, f"[server]\ndatabase_url = {sqlite_url}\n{settings}")
    assert cli.main(["migrate", "--config", str(config)]) == 0
    assert cli.main(["serve", "--config", str(config)]) == 0
    err = capsys.readouterr().err
    assert ("warning: plain HTTP on 0.0.0.0" in err) is warned and err.count("\n") == int(warned)
