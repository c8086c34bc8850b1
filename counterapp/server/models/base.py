"""Declarative base of the server's tables (its own metadata: the counter's cache is another schema).

Times are stored timezone-aware (UTC) on the server, unlike the counter's local wall-time cache: one
server may serve several centres and is compared with devices' clocks. Ids are UUID strings."""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",  # every column: two UNIQUEs may share the first
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
