"""Declarative base and the column conventions shared by every table of the local cache.

Times are naive local wall time of the centre (Vietnam has one zone and no DST), stored as ISO text so
they sort; ids are UUID strings made by the client; JSON columns hold structured, versioned payloads.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import CursorResult, Executable, MetaData
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.orm.attributes import set_committed_value

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def sync_identity(session: Session, cls: type[Base], key: object, values: Mapping[str, Any]) -> None:
    """After a hot path wrote a row with a Core statement: give the ORM object of that row the session
    holds, if any, the values written, as committed values (no flush of them, no reload), so ORM code
    later in the same transaction sees the change."""
    held = session.identity_map.get((cls, (key,), None))
    if held is not None:
        for name, value in values.items():
            set_committed_value(held, name, value)


def core_read(session: Session, statement: Executable, params: Mapping[str, Any] | None = None) -> CursorResult[Any]:
    """A Core statement (built once by the caller) on the session's connection, after the session's pending
    ORM changes are written, as autoflush does for an ORM read: plain rows, no ORM loading."""
    session.flush()
    return session.connection().execute(statement, params)
