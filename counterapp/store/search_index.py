"""Full-text index of dossiers for the counter's search box (SQLite FTS5).

Text is folded in Python with ``search_key`` before it is indexed and before it is searched, so
"nguyen thi tuyen" finds "Nguyễn Thị Tuyến" and "dang" finds "Đặng" (FTS5's own diacritic removal does
not fold đ). The FTS rowid encodes the receipt time, so "newest first" is the index's own order and a
page of results is read without sorting the matches.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from counterapp.domain.text import search_key

TABLE = "dossier_search"
# Prefix indexes for 1 and 2 characters: a query ends with a prefix ("tran h" while the clerk types), and
# without them FTS5 merges the posting lists of every word starting with "h" (~35 ms over 200,000 dossiers,
# against ~0.3 ms with them; benchmarks/README.md).
CREATE = f"CREATE VIRTUAL TABLE {TABLE} USING fts5(code, name, id_number, phone, dossier_pk UNINDEXED, prefix='1 2')"
_EPOCH = datetime(2000, 1, 1)
_PK_BITS = 24
_WORD = re.compile(r"\w+")


def sort_key(received_at: datetime, pk: int) -> int:
    """Seconds since 2000 in the high bits, the dossier's own key in the low bits: unique and time-ordered."""
    seconds = int((received_at - _EPOCH).total_seconds())
    return (seconds << _PK_BITS) | (pk % (1 << _PK_BITS))


def document(*, code: str, names: list[str | None], id_number: str | None, phone: str | None) -> dict[str, str]:
    return {
        "code": code,
        "name": " ".join(search_key(n) for n in names if n),
        "id_number": id_number or "",
        "phone": phone or "",
    }


_DELETE = text(f"DELETE FROM {TABLE} WHERE rowid = :key")  # built once: cached compiled forms
_INSERT = text(
    f"INSERT INTO {TABLE}(rowid, code, name, id_number, phone, dossier_pk) "
    "VALUES (:key, :code, :name, :id_number, :phone, :pk)"
)


def write_entry(session: Session | Connection, key: int, pk: int, doc: dict[str, str], *, new: bool = False) -> None:
    """Write a dossier's entry; ``new``: the dossier was just made, so there is no old entry to delete."""
    if not new:
        session.execute(_DELETE, {"key": key})
    session.execute(_INSERT, {"key": key, "pk": pk, **doc})


def index_dossier(session: Session, row: Any, *, new: bool = False) -> None:
    """(Re)index one dossier row; after a purge only its code stays searchable. ``new``: a dossier just
    made (no entry yet)."""
    owner = (row.owner or {}).get("name") if row.owner else None
    doc = document(
        code=row.code,
        names=[row.applicant_name, owner],
        id_number=row.applicant_id_number,
        phone=row.applicant_phone,
    )
    write_entry(session, sort_key(row.received_at, row.pk), row.pk, doc, new=new)


def match_expression(query: str) -> str | None:
    """Every word must match; the last one as a prefix, so results follow the clerk's typing."""
    words = _WORD.findall(search_key(query))
    if not words:
        return None
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def search(session: Session, query: str, *, limit: int, offset: int) -> list[int]:
    """Dossier pks matching ``query``, newest first."""
    expression = match_expression(query)
    if expression is None:
        return []
    rows = session.execute(
        text(f"SELECT dossier_pk FROM {TABLE} WHERE {TABLE} MATCH :q ORDER BY rowid DESC LIMIT :limit OFFSET :offset"),
        {"q": expression, "limit": limit, "offset": offset},
    )
    return [int(r[0]) for r in rows]
