"""The enrollment answer's push watermark (``last_client_seq``) on the counter's side, with a stand-in
server: a fresh data directory numbers its ops after it, an answer from an older server (no field) changes
nothing, and a directory that already holds ops says where they start and is never enrolled into a
sequence the device already used. The live end-to-end case is tests/server/test_enroll_reissue_live.py."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from counterapp.protocol import ops
from counterapp.protocol.client import enroll
from counterapp.services import device
from counterapp.store import outbox
from counterapp.store.database import Store, open_store
from counterapp.sync.enrollment import SequenceTaken, credential_path, enroll_store
from tests.server.authkit import CENTRE_A, now

URL = "http://hcc.test"


def answering(seen: list[dict[str, Any]], **extra: Any) -> httpx2.Client:
    """A server whose enrollment answer is that of a counter 1 of centre A, plus ``extra``."""

    def handle(request: httpx2.Request) -> httpx2.Response:
        seen.append(json.loads(request.content))
        body = {"device_id": "d-1", "credential": "secret", "kind": "counter",
                "centre": {"id": "c-1", "agency_code": CENTRE_A, "name": "A"},
                "counter": {"id": "k-1", "number": "1", "name": ""}, **extra}  # fmt: skip
        return httpx2.Response(200, json=body)

    return httpx2.Client(transport=httpx2.MockTransport(handle))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    made = open_store(tmp_path)
    yield made
    made.close()


def add_op(store: Store) -> int:
    at = now()
    payload = {"job_id": outbox.new_id(), "document": "ticket", "reference": "A001", "printer": "receipt",
               "reprint_of": None, "printed_at": at.isoformat()}  # fmt: skip
    with store.write() as s:
        return outbox.enqueue(s, ops.RECEIPT_PRINTED, payload, now=at, user_id=None).client_seq


def test_a_fresh_directory_numbers_its_first_op_after_the_answers_watermark(store: Store, tmp_path: Path):
    seen: list[dict[str, Any]] = []
    enroll_store(store, tmp_path, URL, "K7QX-M2PD-9HTC", now=now(), http=answering(seen, last_client_seq=41))
    assert "first_client_seq" not in seen[0]  # it holds no op
    assert add_op(store) == 42


@pytest.mark.parametrize("extra", [{}, {"last_client_seq": None}, {"last_client_seq": "7"}, {"last_client_seq": True}])
def test_an_answer_without_a_watermark_older_server_starts_at_one_as_before(
    store: Store, tmp_path: Path, extra: dict[str, Any]
):
    assert enroll(URL, "K7QX-M2PD-9HTC", http=answering([], **extra)).last_client_seq == 0
    enroll_store(store, tmp_path, URL, "K7QX-M2PD-9HTC", now=now(), http=answering([], **extra))
    assert add_op(store) == 1


def test_a_standalone_directory_with_ops_says_where_they_start_and_keeps_its_numbers(store: Store, tmp_path: Path):
    with store.write() as s:
        device.init_device(s, agency_code=CENTRE_A, counter_number="1", now=now())
    assert add_op(store) == 1
    seen: list[dict[str, Any]] = []
    enroll_store(store, tmp_path, URL, "K7QX-M2PD-9HTC", now=now(), http=answering(seen))
    assert seen[0]["first_client_seq"] == 1
    assert add_op(store) == 2  # its ops keep their numbers (a new device: watermark 0)


def test_a_directory_with_ops_below_the_watermark_is_not_enrolled_even_if_the_server_did_not_check(
    store: Store, tmp_path: Path
):
    with store.write() as s:
        device.init_device(s, agency_code=CENTRE_A, counter_number="1", now=now())
    add_op(store)
    with pytest.raises(SequenceTaken) as taken:
        enroll_store(store, tmp_path, URL, "K7QX-M2PD-9HTC", now=now(), http=answering([], last_client_seq=5))
    assert "create-device" in str(taken.value.params["hint"])
    assert not credential_path(tmp_path).exists()
    with store.read() as s:
        assert outbox.device_meta(s).device_id != "d-1" and outbox.device_meta(s).last_client_seq == 1
