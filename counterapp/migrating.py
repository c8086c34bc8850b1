"""Alembic plumbing shared by the counter's local cache and the server (each has its own scripts)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

if TYPE_CHECKING:  # Alembic is imported only when a migration runs: it costs a quarter of a second to load
    from alembic.config import Config


def alembic_config(script_location: Path) -> Config:
    """An in-memory Alembic configuration; ``env.py`` takes the connection from its attributes."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(script_location))
    return config


def upgrade(engine: Engine, config: Config, revision: str = "head") -> None:
    """Upgrade to ``revision`` inside one transaction on the given engine."""
    from alembic import command

    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    """The schema's revision as Alembic recorded it (``None``: never migrated), read without Alembic."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
