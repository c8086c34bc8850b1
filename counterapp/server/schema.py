"""The server's schema version: Alembic migrations in ``counterapp/server/migrations`` and the check the
server makes before it serves anything (``check_migrated``). Migrations run only when asked
(``counterapp-server migrate``), never implicitly on a production database."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine

from counterapp import migrating
from counterapp.migrating import current_revision as current_revision  # re-exported for callers
from counterapp.migrating import upgrade

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class DatabaseNotMigrated(RuntimeError):
    """The database's schema is not the one this server was built for."""

    def __init__(self, where: str, current: str | None, needed: str) -> None:
        self.where, self.current, self.needed = where, current, needed
        if current is None:
            state = "has no schema yet"
        elif _known(current):
            state = f"is at revision {current}"
        else:
            state = f"is at revision {current}, which this server does not know (written by a newer release?)"
        super().__init__(
            f"the database at {where} {state}, this server needs {needed}: run 'counterapp-server migrate'"
        )


def alembic_config() -> Config:
    return migrating.alembic_config(MIGRATIONS)


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


@cache
def head_revision() -> str:
    head = _scripts().get_current_head()
    assert head is not None
    return head


def known(revision: str) -> bool:
    """Whether this release's scripts have ``revision`` (not: the database was written by a newer one)."""
    return _known(revision)


def _known(revision: str) -> bool:
    try:
        return _scripts().get_revision(revision) is not None
    except CommandError:
        return False


def describe(engine: Engine) -> str:
    """The engine's URL without its password, for messages."""
    return engine.url.render_as_string(hide_password=True)


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database to ``revision`` (all of it in one transaction on PostgreSQL)."""
    upgrade(engine, alembic_config(), revision)


def check_migrated(engine: Engine) -> str:
    """The database's revision, if it is the head; ``DatabaseNotMigrated`` otherwise. Connection errors
    (``sqlalchemy.exc.OperationalError``…) pass through."""
    current, needed = current_revision(engine), head_revision()
    if current != needed:
        raise DatabaseNotMigrated(describe(engine), current, needed)
    return current
