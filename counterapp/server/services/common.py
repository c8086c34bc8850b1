"""Small helpers shared by the server's use cases."""

from __future__ import annotations

from datetime import UTC, datetime

import uuid6


def new_id() -> str:
    return str(uuid6.uuid7())


def as_utc(value: datetime) -> datetime:
    """A stored time as aware UTC: SQLite hands back naive datetimes even for ``DateTime(timezone=True)``."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def require_aware(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(UTC)
