"""Finding a dossier at the counter: by code, CCCD/CMND, phone, or name without diacritics."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from counterapp.domain.codes import parse_dossier_code
from counterapp.domain.dossier import DossierStatus
from counterapp.domain.errors import ValidationFailed
from counterapp.domain.phone import PhoneNumber, check_phone
from counterapp.domain.text import clean
from counterapp.store import search_index
from counterapp.store.dossier_models import DossierRow

MAX_PAGE_SIZE = 200
_DIGITS = re.compile(r"[\d\s.\-+]+")


@dataclass(frozen=True, slots=True)
class DossierSummary:
    code: str
    procedure_name: str
    applicant_name: str | None
    received_at: datetime
    due_at: datetime | None
    status: DossierStatus


@dataclass(frozen=True, slots=True)
class SearchPage:
    items: tuple[DossierSummary, ...]
    page: int
    page_size: int
    has_more: bool


def _summary(row: DossierRow) -> DossierSummary:
    return DossierSummary(row.code, row.procedure_name, row.applicant_name, row.received_at, row.due_at,
                          DossierStatus(row.status))  # fmt: skip


def _exact(session: Session, query: str) -> list[DossierRow] | None:
    """Whole codes, ID numbers and phone numbers go straight to their indexes."""
    try:
        code = str(parse_dossier_code(query))
    except ValidationFailed:
        pass
    else:
        return list(session.scalars(select(DossierRow).where(DossierRow.code == code)))
    if not _DIGITS.fullmatch(query):
        return None
    digits = re.sub(r"\D", "", query)
    phone = check_phone(query)
    conditions = [DossierRow.applicant_id_number == digits]
    if isinstance(phone, PhoneNumber):
        conditions.append(DossierRow.applicant_phone == phone.national)
    if len(digits) not in (9, 12) and not isinstance(phone, PhoneNumber):
        return None  # a fragment of digits: let the full-text index find codes and numbers by prefix
    return list(session.scalars(select(DossierRow).where(or_(*conditions)).order_by(DossierRow.received_at.desc())))


def search_dossiers(session: Session, query: str, *, page: int = 1, page_size: int = 20) -> SearchPage:
    """Newest first, ``page_size`` at a time (pages count from 1)."""
    if page < 1:
        raise ValidationFailed.single("page", "page.invalid")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValidationFailed.single("page_size", "page_size.invalid", max=MAX_PAGE_SIZE)
    text = clean(query)
    offset = (page - 1) * page_size
    exact = _exact(session, text) if text else []
    if exact is not None:
        window = exact[offset : offset + page_size + 1]
    else:
        pks = search_index.search(session, text, limit=page_size + 1, offset=offset)
        by_pk = {r.pk: r for r in session.scalars(select(DossierRow).where(DossierRow.pk.in_(pks)))}
        window = [by_pk[pk] for pk in pks if pk in by_pk]
    return SearchPage(tuple(_summary(r) for r in window[:page_size]), page, page_size, len(window) > page_size)
