from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from counterapp.domain.dossier import DossierStatus
from counterapp.domain.errors import ValidationFailed
from counterapp.services import dossiers, forms, intake
from counterapp.services.errors import InvalidState, NotFound
from counterapp.store.sync_models import OutboxRow

from .conftest import NOW, intake_form


def receive(store, minutes=0, **overrides):
    with store.write() as s:
        return intake.receive_dossier(s, intake_form(**overrides), now=NOW + timedelta(minutes=minutes),
                                      user_id="clerk-1").dossier  # fmt: skip


def last_op(store):
    with store.read() as s:
        return s.scalars(select(OutboxRow).order_by(OutboxRow.client_seq.desc())).first()


def test_return_of_results_records_who_collected(store):
    code = receive(store).code
    with store.write() as s:
        dossier = dossiers.return_result(s, code, collected_by=" Trần  Văn Nam ", now=datetime(2026, 3, 19, 16),
                                         user_id="clerk-2", note="nhận thay, có giấy ủy quyền")  # fmt: skip
    assert dossier.status is DossierStatus.RETURNED
    assert (dossier.returned_to, dossier.returned_at) == ("Trần Văn Nam", datetime(2026, 3, 19, 16))
    assert [h.status for h in dossier.history] == [DossierStatus.RECEIVED, DossierStatus.RETURNED]
    op = last_op(store)
    assert op.kind == "dossier.return" and op.payload["collected_by"] == "Trần Văn Nam"
    with pytest.raises(InvalidState), store.write() as s:
        dossiers.return_result(s, code, collected_by="Trần Văn Nam", now=NOW, user_id="c")
    with pytest.raises(ValidationFailed) as caught, store.write() as s:
        dossiers.return_result(s, receive(store, 1).code, collected_by="", now=NOW, user_id="c")
    assert caught.value.fields == ("collected_by",)


def test_show_and_unknown_codes(store):
    code = receive(store).code
    with store.read() as s:
        assert dossiers.show_dossier(s, code).applicant_id_number == "001190012345"
        with pytest.raises(NotFound):
            dossiers.show_dossier(s, code[:-4] + "0999")
        with pytest.raises(ValidationFailed):
            dossiers.show_dossier(s, "not a code")


def test_the_daily_register_lists_the_days_dossiers_in_order(store):
    first = receive(store, 0)
    second = receive(store, 5, owner={"name": "Công ty TNHH Hoa Sen", "address": "Cầu Giấy, Hà Nội"})
    with store.read() as s:
        lines = dossiers.daily_register(s, NOW.date())
        assert dossiers.daily_register(s, NOW.date() + timedelta(days=1)) == []
    assert [(line.line, line.code) for line in lines] == [(9001, first.code), (9002, second.code)]
    assert lines[1].owner_name == "Công ty TNHH Hoa Sen" and lines[1].address == "Cầu Giấy, Hà Nội"
    assert lines[0].owner_name == "Nguyễn Thị Tuyến" and lines[0].due_at == datetime(2026, 3, 19, 17)


def test_supplement_request_for_a_received_dossier(store):
    code = receive(store).code
    raw = {"dossier_code": code, "reason": "Thiếu bản sao giấy khai tử",
           "items": [{"name": "Trích lục khai tử", "certified_copies": 1}]}  # fmt: skip
    with store.write() as s:
        request = forms.request_supplement(s, raw, now=NOW, user_id="c")
    assert request.reference == f"{code}/HDHS"
    assert request.items == ({"name": "Trích lục khai tử", "originals": 0, "certified_copies": 1, "photocopies": 0},)
    with store.read() as s:
        assert dossiers.show_dossier(s, code).status is DossierStatus.SUPPLEMENT_REQUESTED
    assert last_op(store).kind == "supplement.create"


def test_supplement_guidance_before_acceptance_and_its_errors(store):
    raw = {"procedure_code": "1.004873", "applicant": {"name": "Lê Văn Ánh"}, "reason": "Thiếu tờ khai",
           "items": [{"name": "Tờ khai theo mẫu", "originals": 1}]}  # fmt: skip
    with store.write() as s:
        assert forms.request_supplement(s, raw, now=NOW, user_id="c").reference is None
    bad = {"procedure_code": "1.004873", "applicant": {"name": ""}, "reason": "", "items": [{"originals": -1}]}
    with pytest.raises(ValidationFailed) as caught, store.write() as s:
        forms.request_supplement(s, bad, now=NOW, user_id="c")
    assert set(caught.value.fields) == {"applicant.name", "items[0].name", "items[0].originals", "reason"}


def test_refusal_takes_the_procedures_legal_basis_by_default(store):
    raw = {"procedure_code": "1.004873", "applicant": {"name": "Lê Văn Ánh", "phone": "0912 345 678"},
           "reason": "Không thuộc thẩm quyền giải quyết"}  # fmt: skip
    with store.write() as s:
        refusal = forms.refuse(s, raw, now=NOW, user_id="c")
    assert refusal.legal_basis and refusal.applicant["phone"] == "0912345678"
    assert last_op(store).kind == "refusal.create"
    with pytest.raises(ValidationFailed) as caught, store.write() as s:
        forms.refuse(s, {"procedure_code": "1.004873", "applicant": {"name": "A"}}, now=NOW, user_id="c")
    assert caught.value.fields == ("reason",)
