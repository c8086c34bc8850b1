"""Purging personal data from the counter's cache (DOMAIN.md §6): once a dossier has reached the
server and is older than the retention period, its applicant's details leave this PC. The code, the
dates, the status and the documents list stay, so the counter can still find and hand back results."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from counterapp.domain.errors import ValidationFailed
from counterapp.services.device import setting
from counterapp.store.dossier_models import DossierRow, RefusalRow, SupplementRequestRow
from counterapp.store.search_index import index_dossier

PERSONAL_FIELDS = (
    "applicant_name", "applicant_id_type", "applicant_id_number", "applicant_dob", "applicant_sex",
    "applicant_phone", "applicant_email", "applicant_address", "owner", "postal_address", "returned_to",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class PurgeReport:
    cutoff: datetime
    dossiers: int
    forms: int


def purge_personal_data(session: Session, *, now: datetime, older_than_days: int | None = None) -> PurgeReport:
    """Clear personal fields of synced records received before ``now - older_than_days`` (default: the
    centre's ``retention_days`` setting). Records still waiting to be pushed are never purged."""
    days = int(setting(session, "retention_days")) if older_than_days is None else older_than_days
    if days < 0:
        raise ValidationFailed.single("older_than_days", "retention.days_invalid")
    cutoff = now - timedelta(days=days)
    dossiers = session.scalars(
        select(DossierRow).where(
            DossierRow.sync_state == "synced", DossierRow.received_at < cutoff, DossierRow.purged_at.is_(None)
        )
    ).all()
    for row in dossiers:
        for name in PERSONAL_FIELDS:
            setattr(row, name, None)
        row.purged_at = now
        index_dossier(session, row)
    forms = 0
    supplements = select(SupplementRequestRow).where(
        SupplementRequestRow.sync_state == "synced",
        SupplementRequestRow.created_at < cutoff,
        SupplementRequestRow.purged_at.is_(None),
    )
    refusals = select(RefusalRow).where(
        RefusalRow.sync_state == "synced", RefusalRow.created_at < cutoff, RefusalRow.purged_at.is_(None)
    )
    for form in [*session.scalars(supplements), *session.scalars(refusals)]:
        form.applicant, form.purged_at = None, now
        forms += 1
    session.flush()
    return PurgeReport(cutoff, len(dossiers), forms)
