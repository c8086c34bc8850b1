"""Small helpers shared by the server's use cases."""

from __future__ import annotations

from datetime import UTC, datetime

import uuid6
from sqlalchemy.orm import Session


def new_id() -> str:
    return str(uuid6.uuid7())


def as_utc(value: datetime) -> datetime:
    """A stored time as aware UTC: SQLite hands back naive datetimes even for ``DateTime(timezone=True)``."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def require_aware(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(UTC)


_KEPT = "counterapp.kept"


def keep(session: Session, *objects: object) -> None:
    """Hold ``objects`` for as long as ``session`` lives. The identity map holds loaded objects weakly, so
    one a use case loaded and let go of (a ticket's service, the device's counter) would be read again by
    the next ``session.get``; kept, it is found in the map without a round trip."""
    session.info.setdefault(_KEPT, []).extend(objects)
