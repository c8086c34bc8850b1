"""The sync messages of SYNC.md §4: JSON round trips, limits, cursors, spaces and op classes."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from counterapp.protocol import ops
from counterapp.protocol.messages import (
    CITY,
    MAX_PUSH_BYTES,
    MAX_PUSH_OPS,
    PROTOCOL_MAX,
    PROTOCOL_MIN,
    START_CURSOR,
    Change,
    CheckedOp,
    ClientRegressedProblem,
    GapProblem,
    HelloRequest,
    HelloResponse,
    InvalidCursor,
    InvalidSpace,
    Op,
    OpResult,
    PullRequest,
    PullResponse,
    PushRequest,
    PushResponse,
    Space,
    classify,
    decode_cursor,
    encode_cursor,
    parse_space,
)
from counterapp.protocol.upcast import UndecodableOp

CLIENT = "0195f3a2-0000-7000-8000-000000000001"
T = "2026-03-16T09:00:00+07:00"


def op_id(n: int) -> str:
    return f"0195f3a2-7c4e-7b21-9d3a-{n:012x}"


def op(n: int, **overrides: Any) -> dict[str, Any]:
    return {"op_id": op_id(n), "client_seq": n, "kind": "ticket.call", "v": 1, "payload": {"number": "A001"},
            "user_id": "clerk-1", "wall_time": T, "corrected_time": T, "hlc": "0001773653400000:0000", "epoch": 3,
            **overrides}  # fmt: skip


MESSAGES: list[tuple[type[BaseModel], dict[str, Any]]] = [
    (HelloRequest, {"client_id": CLIENT, "app_version": "0.1.0", "protocol": 1, "schema_version": "0003",
                    "applied_epoch": 3}),
    (HelloResponse, {"server_time": T, "server_epoch": 1, "protocol_min": PROTOCOL_MIN, "protocol_max": PROTOCOL_MAX,
                     "min_app_version": "0.1.0", "retention_days": 60, "new_endpoint": "https://sync.example.vn/v1"}),
    (PushRequest, {"client_id": CLIENT, "ops": [op(1), op(2, kind="dossier.create", payload={"x": [1, None]})]}),
    (PushResponse, {"last_client_seq": 2, "server_time": T, "results": [
        {"client_seq": 1, "op_id": op_id(1), "status": "applied", "server_seq": 41},
        {"client_seq": 2, "op_id": op_id(2), "status": "rejected", "reason": "called by counter 7 at 09:14:03",
         "canonical": {"counter": "7"}}]}),
    (PullRequest, {"client_id": CLIENT, "cursors": {"centre:12": START_CURSOR, "city": encode_cursor(9)},
                   "limit": 200}),
    (PullResponse, {"changes": [
        {"space": "centre:12", "seq": 42, "entity": "ticket", "id": op_id(3), "op": "upsert", "version": 2,
         "data": {"number": "A001", "state": "called"}},
        {"space": "centre:12", "seq": 43, "entity": "ticket", "id": op_id(4), "op": "delete", "version": 3}],
        "cursors": {"centre:12": encode_cursor(43)}, "has_more": True, "reset_required": ["device:7"]}),
    (GapProblem, {"expected_seq": 17}),
    (ClientRegressedProblem, {"last_client_seq": 40}),
]  # fmt: skip


@pytest.mark.parametrize(("model", "raw"), MESSAGES, ids=[m.__name__ for m, _ in MESSAGES])
def test_messages_round_trip_through_json(model: type[BaseModel], raw: dict[str, Any]) -> None:
    # GIVEN a message as the other side would send it (decoded JSON)
    message = model.model_validate(raw)
    # WHEN it is serialised and read back, THEN nothing changed
    assert model.model_validate_json(message.model_dump_json()) == message
    assert model.model_json_schema()["title"] == model.__name__  # FastAPI can document it


def test_times_stay_timezone_aware() -> None:
    hello = HelloResponse.model_validate(MESSAGES[1][1])
    assert hello.server_time == datetime(2026, 3, 16, 2, 0, tzinfo=UTC)
    with pytest.raises(ValidationError, match="timezone"):
        CheckedOp.model_validate(op(1, wall_time="2026-03-16T09:00:00"))
    # and an op's times come out in UTC, whatever offset they were sent with
    assert CheckedOp.model_validate(op(1)).wall_time == datetime(2026, 3, 16, 2, 0, tzinfo=UTC)


def test_problem_bodies_carry_their_codes() -> None:
    body = {"type": "about:blank", "title": "Conflict", "status": 409, "code": "sync.gap", "expected_seq": 17}
    assert GapProblem.model_validate(body).expected_seq == 17  # the problem+json extras are ignored
    with pytest.raises(ValidationError):
        GapProblem.model_validate(body | {"code": "sync.client_regressed"})
    assert ClientRegressedProblem(last_client_seq=4).model_dump()["code"] == "sync.client_regressed"


def batch_error(ops_: list[dict[str, Any]]) -> str:
    with pytest.raises(ValidationError) as caught:
        PushRequest.model_validate({"client_id": CLIENT, "ops": ops_})
    return str(caught.value)


def test_push_batches_have_limits() -> None:
    assert len(PushRequest.model_validate({"client_id": CLIENT, "ops": [op(n) for n in range(1, 201)]}).ops) == 200
    assert "at least 1 item" in batch_error([])
    assert f"at most {MAX_PUSH_OPS} items" in batch_error([op(n) for n in range(1, MAX_PUSH_OPS + 2)])
    big = {"scan": "x" * (MAX_PUSH_BYTES // 4)}
    assert len(PushRequest.model_validate({"client_id": CLIENT, "ops": [op(n, payload=big) for n in (1, 2, 3)]}).ops)
    assert "over the 1048576-byte limit" in batch_error([op(n, payload=big) for n in (1, 2, 3, 4)])


def test_push_batches_are_ordered_and_distinct() -> None:
    assert "ascending client_seq" in batch_error([op(2), op(1)])
    assert "ascending client_seq" in batch_error([op(1), op(1)])
    assert "op_id appears twice" in batch_error([op(1), op(2, op_id=op_id(1))])


@pytest.mark.parametrize(
    ("field", "value"),
    [("client_seq", 0), ("client_seq", "1"), ("client_seq", True), ("client_seq", 2**31), ("op_id", "not-a-uuid"),
     ("op_id", "0195f3a2-7c4e-7b21-9d3a-000000000001\x00"), ("unexpected", 1)],
)  # fmt: skip
def test_the_envelope_checks_what_places_an_op_in_its_sequence(field: str, value: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        Op.model_validate(op(1, **{field: value}))
    assert caught.value.errors()[0]["loc"][0] == field


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [("v", 0, "greater_than_equal"), ("v", 2**31, "less_than_equal"), ("v", "1", "int_type"),
     ("kind", "Ticket Call", "string_pattern_mismatch"), ("kind", "ticket.call\x00", "string_pattern_mismatch"),
     ("kind", 7, "string_type"),
     ("epoch", -1, "greater_than_equal"), ("epoch", 2**31, "less_than_equal"), ("epoch", 3.0, "int_type"),
     ("payload", [1], "dict_type"), ("user_id", "clerk\x00", "string_pattern_mismatch"),
     ("user_id", "x" * 61, "string_too_long"),
     ("hlc", "\ud800", "string_unicode"), ("wall_time", 1773653400, "time.not_text"),
     ("corrected_time", "9999-12-31T23:59:59-12:00", "time.out_of_range"),
     ("corrected_time", "0001-01-01T00:00:00+14:00", "time.out_of_range"),
     ("corrected_time", "1999-12-31T23:59:59+00:00", "time.out_of_range")],
)  # fmt: skip
def test_every_other_field_is_checked_per_op_not_by_the_envelope(field: str, value: Any, code: str) -> None:
    # GIVEN an op whose field would not fit the database: the envelope takes it (the batch is not refused)
    envelope = Op.model_validate(op(1, **{field: value}))
    # WHEN the server reads it on its own, THEN it names the field and the rule (for the quarantine reason)
    with pytest.raises(ValidationError) as caught:
        envelope.checked()
    assert [(e["loc"][0], e["type"]) for e in caught.value.errors()] == [(field, code)]


def test_an_unknown_kind_or_version_is_still_a_valid_op() -> None:
    # the server decides per op (quarantine), so the batch is never refused for it (SYNC.md §2(g))
    assert Op.model_validate(op(1, kind="dossier.create", v=7, payload={"new": "shape"})).checked().v == 7
    assert Op.model_validate(op(1, kind="future.kind")).checked().kind == "future.kind"
    with pytest.raises(UndecodableOp):
        classify(Op.model_validate(op(1, kind={"not": "text"})))


def test_rejections_and_conflicts_need_a_reason() -> None:
    with pytest.raises(ValidationError, match="needs a reason"):
        OpResult(client_seq=1, op_id=op_id(1), status="conflict")
    assert OpResult(client_seq=1, op_id=op_id(1), status="duplicate").reason is None


def test_pull_limits_and_upserts() -> None:
    with pytest.raises(ValidationError):
        PullRequest(client_id=CLIENT, cursors={}, limit=501)
    assert PullRequest(client_id=CLIENT, cursors={}).limit == 500
    with pytest.raises(ValidationError, match="invalid cursor"):
        PullRequest(client_id=CLIENT, cursors={"city": "garbage!"})
    with pytest.raises(ValidationError, match="invalid space"):
        PullRequest(client_id=CLIENT, cursors={"region:1": START_CURSOR})
    with pytest.raises(ValidationError, match="upsert carries"):
        Change(space="city", seq=1, entity="holiday", id="2026-04-30", op="upsert", version=1)


def test_hello_checks_its_window() -> None:
    raw = MESSAGES[1][1] | {"protocol_min": 3, "protocol_max": 2}
    with pytest.raises(ValidationError, match="protocol_min is above protocol_max"):
        HelloResponse.model_validate(raw)
    assert HelloResponse.model_validate(MESSAGES[1][1] | {"future_field": 1}).retention_days == 60
    with pytest.raises(ValidationError):
        HelloRequest.model_validate(MESSAGES[0][1] | {"future_field": 1})


@pytest.mark.parametrize("seq", [0, 1, 41, 2**31 - 1])
def test_cursors_round_trip(seq: int) -> None:
    text = encode_cursor(seq)
    assert decode_cursor(text) == seq
    assert text.isascii() and "/" not in text and "+" not in text


@pytest.mark.parametrize(
    "text",
    ["", "!!!", "eyJ2IjoxLCJzZXEiOjB9!", "a" * 300, base64.urlsafe_b64encode(b"\xff\xfe").decode(),
     base64.urlsafe_b64encode(b"[1, 2]").decode(), base64.urlsafe_b64encode(b'{"v":2,"seq":1}').decode(),
     base64.urlsafe_b64encode(b'{"v":1,"seq":-1}').decode(), base64.urlsafe_b64encode(b'{"v":1,"seq":"1"}').decode(),
     base64.urlsafe_b64encode(b'{"v":1,"seq":true}').decode(),
     base64.urlsafe_b64encode(b'{"v":1,"seq":1,"x":0}').decode(), "42",
     base64.urlsafe_b64encode(b'{"v":1,"seq":2147483648}').decode(),  # past the seq column: never this server's
     base64.urlsafe_b64encode(b'{"v":1,"seq":18446744073709551616}').decode()],
)  # fmt: skip
def test_garbage_cursors_are_refused(text: str) -> None:
    with pytest.raises(InvalidCursor, match="invalid cursor"):
        decode_cursor(text)


def test_negative_seqs_make_no_cursor() -> None:
    with pytest.raises(InvalidCursor):
        encode_cursor(-1)


def test_spaces_parse() -> None:
    assert parse_space("centre:12") == Space("centre", "12")
    assert parse_space("device:0195f3a2-0000-7000-8000-000000000001").id == "0195f3a2-0000-7000-8000-000000000001"
    assert parse_space("city") is CITY
    assert [str(parse_space(s)) for s in ("centre:12", "city", "device:7")] == ["centre:12", "city", "device:7"]


@pytest.mark.parametrize("text", ["", "centre", "centre:", "city:1", "device: 7", "region:1", "centre:a/b", "CITY"])
def test_bad_spaces_are_refused(text: str) -> None:
    with pytest.raises(InvalidSpace):
        parse_space(text)


def test_classify_by_kind() -> None:
    assert classify("dossier.create") == "fact"
    assert classify("ticket.call") == "claim"
    assert classify("dossier.amend") == "edit"
    assert classify(Op.model_validate(op(1, kind="receipt.printed"))) == "fact"
    classes = {kind: classify(kind) for kind in ops.ALL}
    assert {k for k, c in classes.items() if c == "claim"} == {
        "ticket.call", "ticket.transfer", "ticket.cancel", "ticket.reactivate", "dossier.void"}  # fmt: skip
    with pytest.raises(UndecodableOp, match="unknown op kind"):
        classify("ticket.teleport")
