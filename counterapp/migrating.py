"""Alembic plumbing shared by the counter's local cache and the server (each has its own scripts)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine


def alembic_config(script_location: Path) -> Config:
    """An in-memory Alembic configuration; ``env.py`` takes the connection from its attributes."""
    config = Config()
    config.set_main_option("script_location", str(script_location))
    return config


def upgrade(engine: Engine, config: Config, revision: str = "head") -> None:
    """Upgrade to ``revision`` inside one transaction on the given engine."""
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
