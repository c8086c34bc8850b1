"""``counterapp-server``: run the central server, migrate its database, administer it.

    counterapp-server migrate [--config FILE] [--database-url URL]
    counterapp-server serve [--config FILE] [--database-url URL] [--host 127.0.0.1] [--port 8765] [--workers N]
                            [--tls-cert FILE --tls-key FILE | --behind-proxy]
    counterapp-server import FILE [--force-revoked --reason TEXT] [--config FILE] [--database-url URL]
    counterapp-server admin …

Settings come from the command line, then the configuration file (``--config``, ``$COUNTERAPP_SERVER_CONFIG``;
``counterapp.server.config_file``), then ``$COUNTERAPP_SERVER_DATABASE_URL``, else a SQLite file in the user
data directory. A bad argument prints one line and exits 2; a bad configuration value or a database that
cannot be used prints one line and exits 1.
"""

from __future__ import annotations

import argparse
import copy
import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from sqlalchemy import Engine
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

import counterapp
from counterapp.domain.errors import DomainError
from counterapp.server import admin
from counterapp.server.config import DATABASE_URL_ENV, SYNC_CONCURRENCY_ENV, ServerSettings
from counterapp.server.config_file import CONFIG_ENV, settings_from
from counterapp.server.db import make_engine
from counterapp.server.schema import (
    DatabaseNotMigrated,
    check_migrated,
    current_revision,
    describe,
    head_revision,
    known,
    migrate,
)

PROG = "counterapp-server"


class ArgumentParser(argparse.ArgumentParser):
    """argparse, but a bad argument gives exactly one line on stderr and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{PROG}: error: {message}\n")


def _fail(message: str) -> int:
    sys.stderr.write(f"{PROG}: error: {message}\n")
    return 1


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def _port(text: str) -> int:
    value = _positive(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"not a TCP port: {text!r}")
    return value


def _settings(args: argparse.Namespace) -> ServerSettings:
    return settings_from(args)


def _unreachable(engine: Engine, exc: SQLAlchemyError) -> int:
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return _fail(f"cannot use the database at {describe(engine)}: {reason[0] if reason else type(exc).__name__}")


def cmd_migrate(args: argparse.Namespace) -> int:
    engine = make_engine(_settings(args).database_url)
    try:
        before = current_revision(engine)
        if before is not None and not known(before):
            # an older release over a newer database (a downgraded package, a restored newer backup): Alembic
            # would end in a traceback; the unit's ExecStartPre shows this line in the journal instead
            return _fail(
                f"the database at {describe(engine)} is at revision {before}, newer than this release knows "
                f"(it needs {head_revision()}): install the release that wrote it, or a newer one; nothing changed"
            )
        migrate(engine)
        after = current_revision(engine)
    except SQLAlchemyError as exc:
        return _unreachable(engine, exc)
    finally:
        engine.dispose()
    if before == after:
        sys.stdout.write(f"the database at {describe(engine)} is already at revision {after}\n")
    else:
        sys.stdout.write(f"migrated the database at {describe(engine)} from {before or 'empty'} to {after}\n")
    return 0


def settle_memory() -> None:
    """Move everything the start-up built (about 160,000 objects: modules, models, routes) out of the
    garbage collector's sight: otherwise a full collection walks them all now and then, and one such pause
    (130 ms seen) lands on a request and sets the p95 of a whole benchmark."""
    gc.collect()
    gc.freeze()


LOOPBACK = ("127.0.0.1", "::1", "localhost")
LOG_FILE = "server.log"
LOG_FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"


def log_config(settings: ServerSettings) -> dict[str, Any]:
    """uvicorn's logging, plus ``server.log`` in ``settings.log_dir`` when there is one. A
    ``WatchedFileHandler``: each worker process appends whole lines, and logrotate (not a rotating handler,
    which several processes would fight over) renames the file; the handler then opens a new one."""
    from uvicorn.config import LOGGING_CONFIG

    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    if settings.log_dir is None:
        return config
    config["formatters"]["file"] = {"format": LOG_FORMAT}
    config["handlers"]["file"] = {
        "class": "logging.handlers.WatchedFileHandler",
        "filename": str(settings.log_dir / LOG_FILE),
        "formatter": "file",
        "encoding": "utf-8",
    }
    # the journal (stderr) keeps getting what it got before: the server's warnings and uvicorn's lines
    config["handlers"]["stderr_warnings"] = {
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stderr",
        "formatter": "file",
        "level": "WARNING",
    }
    config["loggers"]["uvicorn"]["handlers"] = [*config["loggers"]["uvicorn"]["handlers"], "file"]
    config["loggers"]["counterapp"] = {"handlers": ["stderr_warnings", "file"], "level": "INFO", "propagate": False}
    return config


def _serving_problem(settings: ServerSettings) -> str | None:
    """What would make uvicorn fail with a traceback after start-up, said first in one line."""
    for key, path in (("tls_cert", settings.tls_cert), ("tls_key", settings.tls_key)):
        if path is not None:
            try:
                path.open("rb").close()
            except OSError as exc:
                return f"{key}: cannot read {path}: {exc.strerror or exc}"
    if settings.log_dir is not None:
        try:
            settings.log_dir.mkdir(parents=True, exist_ok=True)
            (settings.log_dir / LOG_FILE).open("a").close()
        except OSError as exc:
            return f"log_dir: cannot write to {settings.log_dir}: {exc.strerror or exc}"
    return None


def uvicorn_options(settings: ServerSettings) -> dict[str, Any]:
    """What every ``uvicorn.run`` of ``serve`` gets: no access log (URLs can carry personal data: a search by
    name or ID number), TLS when configured, forwarded headers only from the configured proxy."""
    options: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "access_log": False,
        "timeout_keep_alive": settings.keep_alive_s,
        "log_config": log_config(settings),
        # uvicorn believes X-Forwarded-* from 127.0.0.1 by default; only behind a proxy is that wanted
        "proxy_headers": settings.behind_proxy,
        "forwarded_allow_ips": settings.trusted_proxies if settings.behind_proxy else "",
        # With several workers uvicorn's parent pings each one and replaces it when no answer comes within
        # this many seconds (default 5). A worker answers only once it has imported the app, which took
        # longer than 5 s on a busy 2-core machine: the parent then killed and restarted its workers in a
        # loop for a minute. 30 s still replaces a worker that has really hung.
        "timeout_worker_healthcheck": 30,
    }
    if settings.tls_cert is not None and settings.tls_key is not None:
        options["ssl_certfile"] = str(settings.tls_cert)
        options["ssl_keyfile"] = str(settings.tls_key)
    return options


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn  # only here: the other commands start faster without it

    from counterapp.server.app import create_app

    settings = _settings(args)
    problem = _serving_problem(settings)
    if problem is not None:
        return _fail(problem)
    if settings.host not in LOOPBACK and settings.tls_cert is None and not settings.behind_proxy:
        # allowed (a trial on a closed LAN), but the device credentials and staff passwords cross the
        # network readable by anyone on it: say so once, where IT looks (the journal)
        sys.stderr.write(
            f"{PROG}: warning: plain HTTP on {settings.host}: set tls_cert/tls_key, or put nginx in front "
            "(behind_proxy = yes, host = 127.0.0.1)\n"
        )
    engine = make_engine(settings.database_url)
    try:
        check_migrated(engine)
    except DatabaseNotMigrated as exc:
        engine.dispose()
        return _fail(str(exc))
    except SQLAlchemyError as exc:
        engine.dispose()
        return _unreachable(engine, exc)
    if settings.workers == 1:
        app = create_app(settings, engine=engine)
        settle_memory()
        uvicorn.run(app, **uvicorn_options(settings))
    else:  # each worker process builds its own app (and engine) from the environment
        engine.dispose()
        os.environ[DATABASE_URL_ENV] = settings.database_url
        os.environ[SYNC_CONCURRENCY_ENV] = str(settings.sync_concurrency)
        uvicorn.run(
            "counterapp.server.app:app_from_env", factory=True, workers=settings.workers, **uvicorn_options(settings)
        )
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from counterapp.protocol.export_file import InvalidExport
    from counterapp.server.db import session_factory
    from counterapp.server.importing import import_file

    if args.force_revoked != (args.reason is not None):
        sys.stderr.write(f"{PROG}: error: --force-revoked and --reason TEXT go together\n")
        return 2
    engine = make_engine(_settings(args).database_url)
    try:
        check_migrated(engine)
        report = import_file(session_factory(engine), args.file, force_revoked=args.force_revoked, reason=args.reason)
    except (DatabaseNotMigrated, InvalidExport) as exc:
        return _fail(str(exc))
    except DomainError as exc:  # e.g. sync.client_regressed: the file is older than what the server has
        return _fail(f"{exc.code}: {exc}")
    except SQLAlchemyError as exc:
        return _unreachable(engine, exc)
    finally:
        engine.dispose()
    counts = ", ".join(f"{status} {n}" for status, n in sorted(report.counts.items())) or "nothing new"
    sys.stdout.write(f"imported the outbox of device {report.device_id}: {counts} (op {report.last_client_seq})\n")
    if report.forced_reason is not None:
        sys.stdout.write(f"the device is revoked; imported as forced, reason logged: {report.forced_reason}\n")
    return 0


def config_option(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--config", type=Path, metavar="FILE",
                     help=f"the server's settings (INI, [server]; default: ${CONFIG_ENV}, else none — "
                     "/etc/counterapp/server.conf for the installed server)")  # fmt: skip


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(prog=PROG, description="The counterapp central server.")
    parser.add_argument("--version", action="version", version=f"{PROG} {counterapp.__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def database_option(sub: argparse.ArgumentParser) -> None:
        config_option(sub)
        sub.add_argument("--database-url", metavar="URL", help=f"sqlite:///FILE or postgresql+psycopg://… "
                         f"(default: the config file's, else ${DATABASE_URL_ENV}, else server.sqlite3 in the user "
                         "data directory)")  # fmt: skip

    import_cmd = commands.add_parser("import", help="apply a counter's outbox file ('counterapp outbox export')")
    database_option(import_cmd)
    import_cmd.add_argument("file", type=Path, metavar="FILE")
    import_cmd.add_argument(
        "--force-revoked", action="store_true", help="import the export of a revoked device (needs --reason)"
    )
    import_cmd.add_argument("--reason", metavar="TEXT", help="why a revoked device's export is imported (logged)")
    import_cmd.set_defaults(handler=cmd_import)

    migrate_cmd = commands.add_parser("migrate", help="create or upgrade the database schema")
    database_option(migrate_cmd)
    migrate_cmd.set_defaults(handler=cmd_migrate)

    serve = commands.add_parser("serve", help="run the HTTP API")
    database_option(serve)
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=_port, help="TCP port (default 8765)")
    serve.add_argument("--workers", type=_positive, help="worker processes (default 1)")
    serve.add_argument(
        "--sync-concurrency", type=_positive, metavar="N",
        help="sync requests in progress per worker before the next gets 429 + Retry-After (default 8)",
    )  # fmt: skip
    serve.add_argument(
        "--keep-alive", type=_positive, metavar="SECONDS", dest="keep_alive_s",
        help="how long an idle client connection is kept open (default 75; counters let theirs go at 60)",
    )  # fmt: skip
    serve.add_argument("--tls-cert", type=Path, metavar="FILE", help="serve HTTPS with this certificate (PEM)")
    serve.add_argument("--tls-key", type=Path, metavar="FILE", help="the certificate's private key (PEM)")
    serve.add_argument(
        "--behind-proxy", action="store_true", default=None,
        help="a reverse proxy terminates TLS: believe its X-Forwarded-* headers (from trusted_proxies only)",
    )  # fmt: skip
    serve.set_defaults(handler=cmd_serve)

    admin.add_parser(commands)  # every sub-command sets ``handler(args: argparse.Namespace) -> int``
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status: int = args.handler(args)
    except (ValueError, ArgumentError) as exc:  # a setting out of range, a malformed or unknown database URL
        return _fail(str(exc))
    return status
