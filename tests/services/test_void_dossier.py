"""Voiding a dossier received by mistake (``dossiers.void_dossier``): the same day, at the counter that
received it, while still received; the code stays on the register, marked withdrawn, and is not reused."""

from __future__ import annotations

import unicodedata
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from counterapp.domain.dossier import DossierStatus
from counterapp.domain.errors import ValidationFailed
from counterapp.protocol.payloads import DossierVoidV1, decode_payload
from counterapp.services import dossiers, intake, search
from counterapp.services.errors import InvalidState, NotFound
from counterapp.store.database import Store
from counterapp.store.sync_models import OutboxRow
from counterapp.sync import mirror

from .conftest import AGENCY, NOW, intake_form

REASON = "Nhận nhầm thủ tục: công dân cần cấp bản sao trích lục"


def receive(store: Store, minutes: int = 0) -> str:
    with store.write() as s:
        return intake.receive_dossier(
            s, intake_form(), now=NOW + timedelta(minutes=minutes), user_id="clerk-1"
        ).dossier.code


def void(store: Store, code: str, reason: str = REASON, minutes: int = 5) -> Any:
    with store.write() as s:
        return dossiers.void_dossier(s, code, reason, now=NOW + timedelta(minutes=minutes), user_id="clerk-1")


def ops(store: Store) -> list[OutboxRow]:
    with store.read() as s:
        rows = list(s.scalars(select(OutboxRow).order_by(OutboxRow.client_seq)))
        s.expunge_all()
    return rows


def test_a_voided_dossier_is_withdrawn_with_its_reason_and_queued_as_a_claim(store: Store) -> None:
    code = receive(store)
    # WHEN the clerk voids it five minutes later, the reason typed in decomposed Unicode with extra spaces
    typed = "  " + unicodedata.normalize("NFD", REASON) + "\n"
    dossier = void(store, code, typed)
    # THEN it is withdrawn, and its history says when, by whom and why (NFC, trimmed)
    assert dossier.status is DossierStatus.WITHDRAWN and dossier.code == code
    assert [(h.status, h.at, h.user_id, h.note) for h in dossier.history][-1] == (
        DossierStatus.WITHDRAWN, NOW + timedelta(minutes=5), "clerk-1", REASON)  # fmt: skip
    # and a dossier.void op carries it to the server, decodable as the contract says
    op = ops(store)[-1]
    assert (op.kind, op.v, op.status, op.user_id) == ("dossier.void", 1, "pending", "clerk-1")
    decoded = decode_payload(op.kind, op.v, op.payload)
    assert isinstance(decoded, DossierVoidV1)
    assert (decoded.dossier_id, decoded.code, decoded.reason) == (dossier.id, code, REASON)
    assert decoded.voided_at == NOW + timedelta(minutes=5)


def test_the_search_and_the_days_register_show_it_withdrawn_and_its_number_is_not_reused(store: Store) -> None:
    kept, voided = receive(store), receive(store, 1)
    void(store, voided)
    after = receive(store, 10)
    # THEN the search finds it by the applicant's name, withdrawn
    with store.read() as s:
        found = {d.code: d.status for d in search.search_dossiers(s, "nguyen thi tuyen").items}
        register = dossiers.daily_register(s, NOW.date())
    assert found == {kept: DossierStatus.RECEIVED, voided: DossierStatus.WITHDRAWN, after: DossierStatus.RECEIVED}
    # and the register keeps its line, marked withdrawn; the next intake took the next number
    assert [(line.line, line.code, line.status) for line in register] == [
        (9001, kept, DossierStatus.RECEIVED),
        (9002, voided, DossierStatus.WITHDRAWN),
        (9003, after, DossierStatus.RECEIVED),
    ]
    assert after == f"{AGENCY}-260316-9003"


@pytest.mark.parametrize(
    ("reason", "code"),
    [("", "reason.required"), ("   \t ", "reason.required"), ("x" * 501, "reason.too_long")],
)
def test_a_reason_is_required_and_at_most_500_characters(store: Store, reason: str, code: str) -> None:
    dossier_code = receive(store)
    with pytest.raises(ValidationFailed) as caught:
        void(store, dossier_code, reason)
    assert [(e.field, e.code) for e in caught.value.errors] == [("reason", code)]
    assert [op.kind for op in ops(store)] == ["dossier.create"]  # nothing written
    assert void(store, dossier_code, "x" * 500).status is DossierStatus.WITHDRAWN  # 500 is allowed


def test_only_a_dossier_received_today(store: Store) -> None:
    code = receive(store)
    with pytest.raises(InvalidState) as caught:
        void(store, code, minutes=24 * 60)  # the next morning
    assert (caught.value.code, caught.value.params["field"]) == ("dossier.void_not_today", "code")


def test_only_a_dossier_still_received(store: Store) -> None:
    returned, voided = receive(store), receive(store, 1)
    with store.write() as s:
        dossiers.return_result(s, returned, collected_by="Trần Văn Nam", now=NOW + timedelta(minutes=2), user_id="c")
    with pytest.raises(InvalidState) as caught:
        void(store, returned)
    assert caught.value.code == "dossier.void_not_received" and caught.value.params["status"] == "returned"
    void(store, voided)
    with pytest.raises(InvalidState) as again:
        void(store, voided)
    assert again.value.code == "dossier.already_withdrawn"
    assert [op.kind for op in ops(store)].count("dossier.void") == 1
    # and a voided dossier can be neither amended nor handed over
    with pytest.raises(InvalidState) as amend, store.write() as s:
        intake.amend_dossier(s, voided, intake_form(note="sửa"), now=NOW, user_id="c")
    assert amend.value.code == "dossier.withdrawn"
    with pytest.raises(InvalidState), store.write() as s:
        dossiers.return_result(s, voided, collected_by="Trần Văn Nam", now=NOW, user_id="c")


@pytest.mark.parametrize("counter", ["7", "5"])  # "5": this counter's number, on another device before
def test_only_at_the_counter_that_received_it(store: Store, counter: str) -> None:
    # GIVEN a dossier another device received today, pulled into this cache from the server
    mine = receive(store)
    form = dict(ops(store)[0].payload)
    other = f"{AGENCY}-260316-0042"
    form |= {"dossier_id": "0195f3a2-0000-7000-8000-0000000000aa", "code": other, "counter": counter}
    with store.write() as s:
        mirror.apply_dossier(s, {"id": form["dossier_id"], "code": other, "procedure_code": form["procedure_code"],
                                 "status": "received", "version": 1, "received_at": form["received_at"],
                                 "due_at": form["due_at"], "returned_at": None, "form": form})  # fmt: skip
    # WHEN this counter tries to void it THEN it is refused, naming the code
    with pytest.raises(InvalidState) as caught:
        void(store, other)
    assert (caught.value.code, caught.value.params["field"]) == ("dossier.void_other_counter", "code")
    assert void(store, mine).status is DossierStatus.WITHDRAWN


def test_an_unknown_or_malformed_code_names_the_code_field(store: Store) -> None:
    with pytest.raises(NotFound) as unknown:
        void(store, f"{AGENCY}-260316-0001")
    assert unknown.value.params["field"] == "code"
    with pytest.raises(ValidationFailed) as malformed:
        void(store, "HS-1")
    assert malformed.value.fields == ("code",)
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(OutboxRow)) == 0
