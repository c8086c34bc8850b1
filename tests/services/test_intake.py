from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from counterapp.domain.dossier import DossierStatus
from counterapp.domain.errors import ValidationFailed
from counterapp.domain.procedure import ProcedureNotFound, ReturnOption
from counterapp.services import intake, leases
from counterapp.services.errors import AlreadySynced, LeaseExhausted, LeaseMissing, LeaseWrongDate
from counterapp.store.dossier_models import DossierRow
from counterapp.store.outbox import pending_count
from counterapp.store.sync_models import NumberLeaseRow, OutboxRow

from .conftest import AGENCY, NOW, intake_form


def receive(store, form=None, now=NOW):
    with store.write() as s:
        return intake.receive_dossier(s, form or intake_form(), now=now, user_id="clerk-1")


def counts(store):
    with store.read() as s:
        return (
            s.scalar(select(func.count()).select_from(DossierRow)),
            pending_count(s),
            s.scalar(select(NumberLeaseRow.next_value).where(NumberLeaseRow.kind == "dossier_code")),
        )


def test_intake_issues_a_code_from_todays_lease_and_computes_the_appointment(store):
    # WHEN a complete dossier for a 3-working-day procedure is received on Mon 16/3/2026 09:00
    result = receive(store)
    # THEN it gets the first code of the lease and is due Thu 19/3 at 17:00
    assert result.dossier.code == f"{AGENCY}-260316-9001"
    assert result.dossier.due_at == datetime(2026, 3, 19, 17)
    assert result.due.calendar_version == result.dossier.calendar_version
    assert result.dossier.status is DossierStatus.RECEIVED
    assert result.dossier.applicant_name == "Nguyễn Thị Tuyến"
    assert [d.code for d in result.dossier.documents] == ["TK"]
    assert [h.status for h in result.dossier.history] == [DossierStatus.RECEIVED]
    assert (result.dossier.register_book, result.dossier.register_line) == ("2026-03-16", 9001)
    # and the next intake takes the next number
    assert receive(store).dossier.code.endswith("-9002")


def test_intake_writes_one_create_op_carrying_the_whole_dossier(store):
    result = receive(store)
    with store.read() as s:
        ops = s.scalars(select(OutboxRow)).all()
    assert [(o.client_seq, o.kind, o.v, o.status) for o in ops] == [(1, "dossier.create", 1, "pending")]
    payload = ops[0].payload
    assert payload["dossier_id"] == result.dossier.id and payload["code"] == result.dossier.code
    assert payload["applicant"]["id_number"] == "001190012345"
    assert payload["due_at"] == "2026-03-19T17:00:00"
    assert payload["documents"] == [{"code": "TK", "name": result.dossier.documents[0].name, "originals": 1,
                                     "certified_copies": 0, "photocopies": 0}]  # fmt: skip
    assert ops[0].user_id == "clerk-1" and ops[0].corrected_time == NOW
    assert len(ops[0].op_id) == 36 and ops[0].op_id[14] == "7"  # a UUIDv7


def test_invalid_form_names_every_field_and_writes_nothing(store):
    before = counts(store)
    form = intake_form(
        applicant={"name": "", "id_number": "0011900123", "address": "Hà Nội", "phone": "0912"},
        documents=[{"code": "XYZ", "originals": 1}],
        sets=0,
        return_mode="drone",
    )
    with pytest.raises(ValidationFailed) as caught:
        receive(store, form)
    assert set(caught.value.fields) == {
        "applicant.name", "applicant.id_number", "applicant.phone", "documents[0].code", "documents.TK",
        "sets", "return_mode",
    }  # fmt: skip
    # nothing stored, no op, and the lease number was not used
    assert counts(store) == before
    assert receive(store).dossier.code.endswith("-9001")


def test_unknown_procedure_and_procedure_not_yet_in_force(store):
    with pytest.raises(ProcedureNotFound):
        receive(store, intake_form() | {"procedure_code": "9.999999"})
    with pytest.raises(ValidationFailed) as caught:
        receive(store, intake_form() | {"procedure_code": ""})
    assert caught.value.fields == ("procedure_code",)
    with pytest.raises(ValidationFailed) as caught:  # the demo catalogue starts on 1/7/2025
        with store.write() as s:
            leases.grant_lease(s, kind=leases.LeaseKind.DOSSIER_CODE, scope=AGENCY, day=date(2025, 6, 2),
                               start=1, end=5, now=NOW)  # fmt: skip
        receive(store, now=datetime(2025, 6, 2, 9))
    assert caught.value.errors[0].code == "procedure.not_in_force"


def test_lease_missing_for_another_date_or_used_up(store):
    tomorrow = NOW + timedelta(days=1)
    with pytest.raises(LeaseWrongDate) as caught:
        receive(store, now=tomorrow)
    assert caught.value.params["lease_days"] == ["2026-03-16"]
    with store.write() as s:
        s.execute(NumberLeaseRow.__table__.delete())
    with pytest.raises(LeaseMissing):
        receive(store)
    with store.write() as s:
        leases.grant_lease(s, kind=leases.LeaseKind.DOSSIER_CODE, scope=AGENCY, day=NOW.date(), start=5, end=6, now=NOW)
    receive(store)
    receive(store)
    before = counts(store)
    with pytest.raises(LeaseExhausted):
        receive(store)
    assert counts(store) == before


def test_cutoff_procedure_received_after_15h_is_due_the_next_working_day(store):
    form = intake_form("2.000635")
    assert receive(store, form, now=datetime(2026, 3, 16, 14, 59)).dossier.due_at == datetime(2026, 3, 16, 17)
    late = receive(store, form, now=datetime(2026, 3, 16, 15, 0))
    assert late.dossier.due_at == datetime(2026, 3, 17, 17)
    assert late.due.adjustment is not None and late.due.adjustment.value == "after_cutoff"


def test_postal_return_defaults_to_the_applicants_address(store):
    result = receive(store, intake_form(return_mode="postal"))
    assert result.dossier.return_mode is ReturnOption.POSTAL
    assert result.dossier.postal_address == result.dossier.applicant_address


def test_owner_different_from_the_applicant(store):
    result = receive(store, intake_form(owner={"name": "Trần Văn Bình", "address": "Hải Phòng"}))
    assert result.dossier.owner_name == "Trần Văn Bình"


def test_amend_before_sync_revalidates_and_queues_an_amend_op(store):
    code = receive(store).dossier.code
    amended_form = intake_form()
    amended_form["applicant"] = amended_form["applicant"] | {"phone": "0987 654 321", "name": "Nguyễn Thị Tuyết"}
    with store.write() as s:
        dossier = intake.amend_dossier(s, code, amended_form, now=NOW + timedelta(minutes=5), user_id="clerk-1")
    assert (dossier.applicant_phone, dossier.applicant_name, dossier.version) == ("0987654321", "Nguyễn Thị Tuyết", 2)
    assert dossier.code == code and dossier.due_at == datetime(2026, 3, 19, 17)
    with store.read() as s:
        amend = s.scalars(select(OutboxRow).where(OutboxRow.kind == "dossier.amend")).one()
    assert amend.payload["base_version"] == 1 and amend.client_seq == 2
    # an invalid amendment changes nothing
    with pytest.raises(ValidationFailed), store.write() as s:
        intake.amend_dossier(s, code, intake_form(applicant={"name": "X1"}), now=NOW, user_id="c")
    # the procedure cannot change by amendment
    with pytest.raises(ValidationFailed) as caught, store.write() as s:
        intake.amend_dossier(s, code, intake_form("2.000635"), now=NOW, user_id="c")
    assert caught.value.errors[0].code == "dossier.procedure_fixed"


def test_amend_after_the_dossier_reached_the_server_is_refused(store):
    code = receive(store).dossier.code
    with store.write() as s:
        s.execute(OutboxRow.__table__.update().values(status="applied"))
        s.execute(DossierRow.__table__.update().values(sync_state="synced"))
    with pytest.raises(AlreadySynced), store.write() as s:
        intake.amend_dossier(s, code, intake_form(), now=NOW, user_id="c")


def test_a_dossier_can_be_linked_to_the_ticket_the_citizen_came_with(store):
    from counterapp.services import queue

    with store.write() as s:
        ticket = queue.issue_walkin(s, service_code="HTCT", now=NOW, user_id="c")
        ticket_id = s.scalars(select(OutboxRow.payload)).one()["ticket_id"]
    assert ticket.number == "A001"
    result = receive(store, intake_form(ticket_id=ticket_id))
    with store.read() as s:
        assert s.scalars(select(DossierRow.ticket_id).where(DossierRow.code == result.dossier.code)).one() == ticket_id
    with pytest.raises(ValidationFailed) as caught:
        receive(store, intake_form(ticket_id="no-such-ticket"))
    assert caught.value.fields == ("ticket_id",)


def test_the_ticket_can_be_named_by_the_number_on_it(store):
    from counterapp.services import queue

    with store.write() as s:
        queue.issue_walkin(s, service_code="HTCT", now=NOW, user_id="c")
    result = receive(store, intake_form(ticket="a001"))
    with store.read() as s:
        linked = s.scalars(select(DossierRow.ticket_id).where(DossierRow.code == result.dossier.code)).one()
        assert queue.find_ticket(s, "A001", now=NOW).id == linked
    with pytest.raises(ValidationFailed) as caught:
        receive(store, intake_form(ticket="A999"))
    assert caught.value.fields == ("ticket",)


def test_the_dossier_returned_is_the_dossier_stored(store):
    # GIVEN a dossier received (written with Core statements, not read back)
    result = receive(store, intake_form(owner={"name": "Trần Văn Bình"}, note="  ghi chú  "))
    # THEN reading it back from the data directory gives the same dossier, field for field
    from counterapp.services.dossiers import show_dossier

    with store.read() as s:
        assert show_dossier(s, result.dossier.code) == result.dossier


def test_intakes_and_orm_ops_in_one_transaction_keep_the_sequence(store):
    # GIVEN one transaction that holds the device row as an ORM object
    from counterapp.services import queue
    from counterapp.store.outbox import device_meta

    with store.write() as s:
        meta = device_meta(s)
        intake.receive_dossier(s, intake_form(), now=NOW, user_id="clerk-1")
        intake.receive_dossier(s, intake_form(), now=NOW + timedelta(minutes=1), user_id="clerk-1")
        # WHEN ORM code takes the next op (the device row as the session holds it)
        queue.issue_walkin(s, service_code="HTCT", now=NOW + timedelta(minutes=2), user_id="clerk-1")
        assert meta.last_client_seq == 3
    # THEN the ops are numbered 1, 2, 3: no gap, no number taken twice
    with store.read() as s:
        assert s.scalars(select(OutboxRow.client_seq).order_by(OutboxRow.client_seq)).all() == [1, 2, 3]
        assert s.scalars(select(OutboxRow.kind).order_by(OutboxRow.client_seq)).all()[-1] == "ticket.issue"
