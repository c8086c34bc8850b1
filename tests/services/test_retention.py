from datetime import timedelta

from sqlalchemy import select, update

from counterapp.services import forms, intake, retention
from counterapp.services.dossiers import show_dossier
from counterapp.services.search import search_dossiers
from counterapp.store.dossier_models import DossierRow, RefusalRow

from .conftest import NOW, intake_form


def test_only_synced_old_records_lose_their_personal_data(store):
    with store.write() as s:
        synced = intake.receive_dossier(s, intake_form(), now=NOW, user_id="c").dossier
        pending = intake.receive_dossier(s, intake_form(), now=NOW, user_id="c").dossier
        forms.refuse(s, {"procedure_code": "1.004873", "applicant": {"name": "Lê Văn Ánh"}, "reason": "Sai"},
                     now=NOW, user_id="c")  # fmt: skip
        s.execute(update(DossierRow).where(DossierRow.id == synced.id).values(sync_state="synced"))
        s.execute(update(RefusalRow).values(sync_state="synced"))
    later = NOW + timedelta(days=31)
    with store.write() as s:
        report = retention.purge_personal_data(s, now=later)  # default: 30 days
    assert (report.dossiers, report.forms) == (1, 1)
    with store.read() as s:
        purged = show_dossier(s, synced.code)
        kept = show_dossier(s, pending.code)
        refusal = s.scalars(select(RefusalRow)).one()
        by_name = [i.code for i in search_dossiers(s, "nguyen thi tuyen").items]
        by_code = [i.code for i in search_dossiers(s, synced.code).items]
    assert purged.purged and purged.applicant_name is None and purged.applicant_id_number is None
    assert purged.applicant_phone is None and purged.applicant_address is None
    assert (purged.code, purged.due_at, purged.status) == (synced.code, synced.due_at, synced.status)
    assert purged.documents == synced.documents
    assert kept.applicant_name == "Nguyễn Thị Tuyến" and not kept.purged
    assert refusal.applicant is None and refusal.reason == "Sai"
    assert by_name == [pending.code]  # the purged name is gone from the index ...
    assert by_code == [synced.code]  # ... the code is still found


def test_nothing_younger_than_the_period_is_purged(store):
    with store.write() as s:
        intake.receive_dossier(s, intake_form(), now=NOW, user_id="c")
        s.execute(update(DossierRow).values(sync_state="synced"))
    with store.write() as s:
        assert retention.purge_personal_data(s, now=NOW + timedelta(days=5), older_than_days=7).dossiers == 0
        assert retention.purge_personal_data(s, now=NOW + timedelta(days=8), older_than_days=7).dossiers == 1
        assert retention.purge_personal_data(s, now=NOW + timedelta(days=9), older_than_days=7).dossiers == 0
