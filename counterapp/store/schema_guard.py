"""Which build wrote a data directory, so an older build refuses it in one line instead of failing
half-way in Alembic ("Can't locate revision") or, worse, writing rows a newer schema does not expect.

The revision in ``alembic_version`` says *which schema*; an older build cannot know which *release* brought
it, so whoever migrates the directory leaves its version in SQLite's ``PRAGMA user_version`` (an integer
in the file's header that Alembic does not use): 0.1.0 → 1000, 2.13.4 → 2013004. An older build then says
"install version ≥ X" with X the build that last migrated the directory. Revisions are numbered
(``0001``, ``0002``, …), so "newer" is a number comparison.
"""

from __future__ import annotations

import re

from sqlalchemy import Engine, text

from counterapp import __version__
from counterapp.store.errors import DataDirectoryTooNew

__all__ = ["check_not_newer", "decode_version", "encode_version", "note_writer", "written_by"]


def encode_version(version: str) -> int:
    """``major.minor.patch`` as one integer (suffixes such as ``.dev1`` are ignored)."""
    parts = [int(p) for p in re.findall(r"\d+", version)[:3]]
    major, minor, patch = [*parts, 0, 0, 0][:3]
    return major * 1_000_000 + min(minor, 999) * 1_000 + min(patch, 999)


def decode_version(number: int) -> str | None:
    if number <= 0:
        return None
    return f"{number // 1_000_000}.{number // 1_000 % 1_000}.{number % 1_000}"


def written_by(engine: Engine) -> str | None:
    """The version of the build that last migrated this directory (``None``: before this was recorded)."""
    with engine.connect() as connection:
        return decode_version(int(connection.exec_driver_sql("PRAGMA user_version").scalar() or 0))


def is_newer(revision: str, head: str) -> bool:
    return revision.isdigit() and head.isdigit() and int(revision) > int(head)


def check_not_newer(engine: Engine, revision: str | None, head: str) -> None:
    """Refuse (``DataDirectoryTooNew``) a directory whose schema ``revision`` is past this build's ``head``."""
    if revision is not None and is_newer(revision, head):
        raise DataDirectoryTooNew(revision, written_by(engine))


def note_writer(engine: Engine, version: str = __version__) -> None:
    """Record this build as the one that migrated the directory (called right after a migration)."""
    with engine.begin() as connection:
        connection.execute(text(f"PRAGMA user_version = {encode_version(version)}"))
