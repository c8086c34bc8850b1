"""The procedure catalogue as this cache holds it (a synced copy; the bundled demo on a standalone counter)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Row, bindparam, delete, select
from sqlalchemy.orm import Session

from counterapp.domain.duedate import Duration
from counterapp.domain.office_hours import parse_hhmm
from counterapp.domain.procedure import (
    Catalogue,
    Component,
    Procedure,
    ProcedureNotFound,
    ReturnOption,
    rank_procedures,
)
from counterapp.store.base import core_read
from counterapp.store.reference_models import ProcedureRow


def replace_catalogue(session: Session, catalogue: Catalogue) -> int:
    """Replace every procedure with the given catalogue's; returns how many were stored."""
    session.execute(delete(ProcedureRow))
    for p in catalogue.procedures:
        session.add(
            ProcedureRow(
                code=p.code, name=p.name, sector_code=p.sector_code, sector=p.sector, agency=p.agency,
                level=p.level, duration_value=str(p.duration.value), duration_unit=p.duration.unit.value,
                cutoff=p.cutoff.strftime("%H:%M") if p.cutoff else None, duration_text=p.duration_text,
                components=[
                    {"code": c.code, "name": c.name, "required": c.required, "originals": c.originals,
                     "certified_copies": c.certified_copies, "photocopies": c.photocopies}
                    for c in p.components
                ],
                fee_text=p.fee_text, return_options=[o.value for o in p.return_options],
                legal_basis=p.legal_basis, valid_from=p.valid_from, valid_to=p.valid_to,
                catalogue_version=catalogue.version,
            )
        )  # fmt: skip
    session.flush()
    return len(catalogue.procedures)


def _to_domain(row: ProcedureRow | Row[Any]) -> Procedure:
    return Procedure(
        code=row.code,
        name=row.name,
        sector_code=row.sector_code,
        sector=row.sector,
        agency=row.agency,
        level=row.level,
        duration=Duration.of(row.duration_value, row.duration_unit),
        cutoff=parse_hhmm(row.cutoff, "cutoff") if row.cutoff else None,
        duration_text=row.duration_text,
        components=tuple(Component(**c) for c in row.components),
        fee_text=row.fee_text,
        return_options=tuple(ReturnOption(o) for o in row.return_options),
        legal_basis=row.legal_basis,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
    )


_PROCEDURE = select(*ProcedureRow.__table__.c).where(ProcedureRow.code == bindparam("procedure"))  # built once


def get_procedure(session: Session, code: str) -> Procedure:
    row = core_read(session, _PROCEDURE, {"procedure": code.strip()}).first()
    if row is None:
        raise ProcedureNotFound(f"no procedure {code.strip()!r} in this counter's catalogue", code_value=code)
    return _to_domain(row)


def find_procedures(session: Session, query: str, *, on: date | None = None, limit: int = 50) -> list[Procedure]:
    """Code, name or sector containing every word, diacritics and case ignored, best match first
    (:func:`rank_procedures`: the exact code or name before longer names that contain it); among equal
    matches, and for an empty query, by code."""
    rows = session.scalars(select(ProcedureRow).order_by(ProcedureRow.code))
    valid = (p for p in map(_to_domain, rows) if on is None or p.is_valid_on(on))
    return rank_procedures(valid, query)[:limit]
