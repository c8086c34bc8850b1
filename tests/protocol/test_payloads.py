"""The contract between the counter and the server: every op the real services write decodes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from counterapp.domain.duedate import VIETNAM_TZ
from counterapp.domain.ticket import EventKind
from counterapp.protocol import ops
from counterapp.protocol.messages import MAX_PUSH_OPS, Op, PushRequest
from counterapp.protocol.payloads import (
    PAYLOADS,
    DossierAmendV1,
    DossierCreateV1,
    ReceiptPrintedV1,
    TicketCallV1,
    UndecodableOp,
    decode_payload,
)
from counterapp.services import dossiers, forms, intake, online_codes, printing, queue
from counterapp.services.counter_status import pause_counter, resume_counter
from counterapp.store.database import Store
from counterapp.store.sync_models import OutboxRow
from tests.counter import NOW, counter_store, intake_form

E = EventKind
CLIENT_ID = "0195f3a2-0000-7000-8000-000000000001"


def at(minutes: int) -> datetime:
    return NOW + timedelta(minutes=minutes)


def write_every_kind(store: Store, tmp_path: Path) -> None:
    """One working morning at counter 5 that touches every op kind, through the real services."""

    def step(kind: EventKind, number: str | None, minutes: int, **kw: Any) -> None:
        with store.write() as s:
            queue.act(s, kind, number, now=at(minutes), user_id="clerk-1", **kw)

    with store.write() as s:
        for minutes, priority in ((0, None), (1, "elderly"), (2, None)):  # A001, A002 (priority), A003
            queue.issue_walkin(s, service_code="HTCT", now=at(minutes), user_id="clerk-1", priority=priority)
    with store.write() as s:
        assert queue.call_next(s, now=at(10), user_id="clerk-1").number == "A002"  # strict priority rule
    step(E.RECALLED, None, 11)
    step(E.STARTED, None, 12)
    step(E.FINISHED, None, 20, outcome="dossier_received")
    step(E.CALLED, "A001", 21)
    step(E.HELD, None, 22, reason="đi photo giấy tờ")
    step(E.UNHELD, "A001", 23)
    step(E.TRANSFERRED, "A001", 24, to_service="ddxd", reason="sai lĩnh vực")
    step(E.CANCELLED, "A001", 25, reason="công dân về")
    step(E.REACTIVATED, "A001", 26)
    step(E.CALLED, "A003", 27)
    step(E.NO_SHOW, None, 28)

    with store.write() as s:
        first = intake.receive_dossier(s, intake_form(ticket="A002"), now=at(30), user_id="clerk-1").dossier
    owner = {"name": "Công ty TNHH Hoa Sen", "address": "Cầu Giấy, Hà Nội"}
    with store.write() as s:
        form = intake_form(owner=owner, note="nộp thay")
        second = intake.receive_dossier(s, form, now=at(40), user_id="clerk-2").dossier
    amended = intake_form()
    amended["applicant"] = amended["applicant"] | {"name": "Nguyễn Thị Tuyết", "phone": "0987 654 321"}
    with store.write() as s:
        intake.amend_dossier(s, first.code, amended, now=at(45), user_id="clerk-1")
    with store.write() as s:
        dossiers.return_result(
            s, second.code, collected_by="Trần Văn Nam", now=at(50), user_id="clerk-2", note="ủy quyền"
        )
    with store.write() as s:  # a dossier coded online (no lease), received by mistake and voided
        third = intake.receive_dossier(s, intake_form(), now=at(46), user_id="clerk-1", code_number=1).dossier
        dossiers.void_dossier(s, third.code, "nhận nhầm thủ tục", now=at(47), user_id="clerk-1")
        online_codes.enqueue_void(s, day=NOW.date(), numbers=[2], reason="intake failed after the code was issued",
                                  now=at(48), user_id="clerk-1")  # fmt: skip
    with store.write() as s:
        forms.request_supplement(s, {"dossier_code": first.code, "reason": "Thiếu bản sao",
                                     "items": [{"name": "Trích lục khai tử", "certified_copies": 1}]},
                                 now=at(55), user_id="clerk-2")  # fmt: skip
        forms.request_supplement(s, {"procedure_code": "1.004873", "applicant": {"name": "Lê Văn Ánh"},
                                     "reason": "Thiếu tờ khai", "items": [{"name": "Tờ khai", "originals": 1}]},
                                 now=at(56), user_id="clerk-2")  # fmt: skip
        forms.refuse(s, {"procedure_code": "1.004873", "applicant": {"name": "Lê Văn Ánh", "phone": "0912 345 678"},
                         "reason": "Không thuộc thẩm quyền giải quyết"}, now=at(57), user_id="clerk-2")  # fmt: skip
        printing.save_printer(s, {"name": "a4", "kind": "pdf-folder", "folder": str(tmp_path / "pdf"), "paper": "a4"})
        job = printing.enqueue(s, document=printing.Document.RECEIPT, reference=first.code, printer_name="a4",
                               now=at(60))  # fmt: skip
    assert printing.run_job(store, job.id, now=at(60), user_id="clerk-2").status == "printed"
    with store.write() as s:
        again = printing.reprint(s, job.id, now=at(61))
    assert printing.run_job(store, again.id, now=at(61), user_id="clerk-2").status == "printed"
    with store.write() as s:  # the clerk steps away from the counter, then comes back
        pause_counter(s, "Họp giao ban", now=at(62), user_id="clerk-1")
    with store.write() as s:
        resume_counter(s, now=at(70), user_id="clerk-1")


@pytest.fixture(scope="module")
def outbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[OutboxRow]]:
    tmp_path = tmp_path_factory.mktemp("counter")
    store = counter_store(tmp_path / "data")
    try:
        write_every_kind(store, tmp_path)
        with store.read() as s:
            rows = list(s.scalars(select(OutboxRow).order_by(OutboxRow.client_seq)))
            s.expunge_all()
        yield rows
    finally:
        store.close()


def test_every_op_the_services_write_decodes_to_the_same_payload(outbox: list[OutboxRow]) -> None:
    for row in outbox:
        # WHEN the server reads the op
        decoded = decode_payload(row.kind, row.v, row.payload)
        # THEN it is the kind's model, and nothing was dropped, renamed or coerced on the way
        assert type(decoded) is PAYLOADS[row.kind], row.kind
        assert decoded.model_dump(mode="json") == row.payload, row.kind


def leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every (path, value) of the scalars in decoded JSON."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, (*path, index))
    else:
        yield path, value


def replaced(payload: Any, path: tuple[Any, ...], value: Any) -> Any:
    copy = json.loads(json.dumps(payload))
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return copy


def test_every_field_of_every_kind_refuses_what_a_database_cannot_store(outbox: list[OutboxRow]) -> None:
    """A payload its model accepts is stored as it was sent (``op_log.payload``), so every field of every
    kind must be one of the checked types: poison each string (a NUL, a lone surrogate) and each integer
    (2**31) of a real op in turn, and its model must refuse it."""
    checked = 0
    for row in outbox:
        for path, value in leaves(row.payload):
            poisons = {str: ["x\x00", "\ud800"], int: [2**31]}.get(type(value), [])
            for poison in poisons:
                with pytest.raises(UndecodableOp):
                    decode_payload(row.kind, row.v, replaced(row.payload, path, poison))
                checked += 1
        with pytest.raises(UndecodableOp):  # and a key no model has (extra="forbid")
            decode_payload(row.kind, row.v, row.payload | {"note\x00": None})
    assert checked > 300  # every string and integer of 21 kinds


def test_the_real_ops_cover_every_kind(outbox: list[OutboxRow]) -> None:
    assert {row.kind for row in outbox} == set(ops.ALL)
    assert {row.v for row in outbox} == {1}


def test_nullable_fields_were_exercised_both_ways(outbox: list[OutboxRow]) -> None:
    decoded = [decode_payload(row.kind, row.v, row.payload) for row in outbox]
    creates = [d for d in decoded if type(d) is DossierCreateV1]
    assert {d.ticket_id is None for d in creates} == {True, False}
    assert {d.owner is None for d in creates} == {True, False}
    assert {d.lease_id is None for d in creates} == {True, False}
    assert {d.reprint_of is None for d in decoded if isinstance(d, ReceiptPrintedV1)} == {True, False}
    amend = next(d for d in decoded if isinstance(d, DossierAmendV1))
    assert amend.base_version == 1 and amend.applicant.name == "Nguyễn Thị Tuyết"


def test_the_outbox_fits_the_push_envelope(outbox: list[OutboxRow]) -> None:
    # GIVEN the outbox rows as the sync client sends them (stored times are the centre's local time)
    wire = [
        Op(op_id=r.op_id, client_seq=r.client_seq, kind=r.kind, v=r.v, payload=r.payload, user_id=r.user_id,
           wall_time=r.wall_time.replace(tzinfo=VIETNAM_TZ), corrected_time=r.corrected_time.replace(tzinfo=VIETNAM_TZ),
           epoch=r.epoch)
        for r in outbox
    ]  # fmt: skip
    # THEN they make a valid batch, and survive JSON both ways
    assert len(wire) <= MAX_PUSH_OPS
    batch = PushRequest(client_id=CLIENT_ID, ops=wire)
    again = PushRequest.model_validate_json(batch.model_dump_json())
    assert again.model_dump(mode="json") == batch.model_dump(mode="json")
    # AND each op reads on the server as a checked op (no field of the envelope would be quarantined)
    assert [op.checked().op_id for op in again.ops] == [op.op_id for op in wire]


CALL = {
    "ticket_id": "0195f3a2-7c4e-7b21-9d3a-4f1c2b8e6a10", "number": "A001", "issued_on": "2026-03-16",
    "event": "called", "at": "2026-03-16T09:30:00", "counter": "5", "service": None, "outcome": None, "reason": None,
}  # fmt: skip


def test_a_hand_written_payload_decodes() -> None:
    decoded = decode_payload("ticket.call", 1, CALL)
    assert isinstance(decoded, TicketCallV1) and decoded.at == datetime(2026, 3, 16, 9, 30)


@pytest.mark.parametrize(
    ("kind", "v", "payload", "reason"),
    [
        ("ticket.teleport", 1, CALL, "unknown op kind 'ticket.teleport'"),
        ("ticket.call", 2, CALL, "ticket.call@2 is newer than this server reads (up to @1)"),
        ("ticket.call", 0, CALL, "no upcaster from ticket.call@0"),
        ("ticket.call", -1, CALL, "invalid version -1"),
        ("ticket.call", True, CALL, "invalid version True"),
        ("ticket.call", 1, ["not", "an", "object"], "the payload is not a JSON object"),
        ("ticket.call", 1, {k: v for k, v in CALL.items() if k != "number"}, "number: Field required"),
        ("ticket.call", 1, CALL | {"number": 42}, "number: Input should be a valid string"),
        ("ticket.call", 1, CALL | {"at": 1773653400}, "at: expected an ISO 8601"),
        ("ticket.call", 1, CALL | {"at": "half past nine"}, "at: expected an ISO 8601 time"),
        ("ticket.call", 1, CALL | {"ticket_id": "T-1"}, "ticket_id: Value error, expected a UUID"),
        ("ticket.call", 1, CALL | {"event": "finished"}, "event: Input should be 'called'"),
        ("ticket.call", 1, CALL | {"counter_no": "5"}, "counter_no: Extra inputs are not permitted"),
        ("ticket.start", 1, CALL, "event: Input should be 'started'"),
    ],
)
def test_undecodable_ops_say_why(kind: str, v: Any, payload: Any, reason: str) -> None:
    with pytest.raises(UndecodableOp) as caught:
        decode_payload(kind, v, payload)
    assert reason in caught.value.reason
    assert caught.value.kind == kind


def test_a_reason_never_repeats_the_refused_value() -> None:
    with pytest.raises(UndecodableOp) as caught:
        decode_payload("dossier.return", 1, {"dossier_id": "Nguyễn Thị Tuyến 001190012345"})
    assert "001190012345" not in caught.value.reason and "dossier_id" in caught.value.reason


def test_every_kind_has_a_model_at_its_current_version() -> None:
    assert set(PAYLOADS) == set(ops.ALL)
    assert {kind: model.KIND for kind, model in PAYLOADS.items()} == ops.ALL
