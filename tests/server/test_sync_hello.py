"""``POST /v1/sync/hello`` on SQLite and PostgreSQL: a device alone (no staff login) says hello, the server
answers with its clock and protocol range and records the device's app version, applied assignment epoch
(never lowered) and last contact; a wrong client_id is 403, an unsupported protocol 426 problem+json."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from counterapp.protocol.messages import PROTOCOL_MAX, PROTOCOL_MIN, HelloResponse
from counterapp.server.models.auth import Device
from counterapp.server.services.common import as_utc
from tests.server.authkit import CENTRE_A, Enrolled, enroll, login, make_centre, make_device, make_user, now, problem


def body(device: Enrolled, **changes: Any) -> dict[str, Any]:
    return {
        "client_id": device.device_id,
        "app_version": "0.2.0",
        "protocol": PROTOCOL_MAX,
        "schema_version": "0003",
        "applied_epoch": 0,
    } | changes


def stored(sessions: sessionmaker[Session], device: Enrolled) -> Device:
    with sessions() as session:
        row = session.get(Device, device.device_id)
        assert row is not None
        session.expunge(row)
        return row


def counter_device(client: TestClient, sessions: sessionmaker[Session], counter: str = "1") -> Enrolled:
    return enroll(client, make_device(sessions, CENTRE_A, counter)[1])


def test_hello_answers_the_server_clock_and_limits_and_records_the_device(
    client: TestClient, server_sessions: sessionmaker[Session]
):
    make_centre(server_sessions, CENTRE_A)
    device = counter_device(client, server_sessions)
    before = now()
    response = client.post("/v1/sync/hello", json=body(device, applied_epoch=1), headers=device.headers)
    assert response.status_code == 200, response.text
    answer = HelloResponse.model_validate(response.json())
    assert answer.server_time.tzinfo is not None
    assert abs(answer.server_time - now()) < timedelta(seconds=5)
    assert (answer.protocol_min, answer.protocol_max) == (PROTOCOL_MIN, PROTOCOL_MAX)
    assert (answer.server_epoch, answer.min_app_version, answer.retention_days) == (1, "0.1.0", 60)
    assert response.json()["counter_epoch"] == 1  # counter 1's first assignment
    row = stored(server_sessions, device)
    assert (row.app_version, row.applied_epoch) == ("0.2.0", 1)
    assert row.last_seen_at is not None
    assert before - timedelta(seconds=1) <= as_utc(row.last_seen_at) <= now()


def test_applied_epoch_never_goes_down(client: TestClient, server_sessions: sessionmaker[Session]):
    make_centre(server_sessions, CENTRE_A)
    device = counter_device(client, server_sessions)
    first = client.post("/v1/sync/hello", json=body(device, applied_epoch=3), headers=device.headers)
    assert first.status_code == 200, first.text
    seen = stored(server_sessions, device).last_seen_at
    again = client.post(
        "/v1/sync/hello", json=body(device, applied_epoch=2, app_version="0.3.0"), headers=device.headers
    )
    assert again.status_code == 200, again.text
    row = stored(server_sessions, device)
    assert (row.applied_epoch, row.app_version) == (3, "0.3.0")  # the version follows, the epoch does not drop
    assert seen is not None and row.last_seen_at is not None and row.last_seen_at >= seen


def test_hello_refuses_another_client_id_an_unknown_protocol_and_no_credential(
    client: TestClient, server_sessions: sessionmaker[Session]
):
    make_centre(server_sessions, CENTRE_A)
    device = counter_device(client, server_sessions)
    other = counter_device(client, server_sessions, "2")
    wrong = client.post("/v1/sync/hello", json=body(other), headers=device.headers)
    assert problem(wrong) == (403, "sync.client_mismatch")
    too_new = client.post("/v1/sync/hello", json=body(device, protocol=PROTOCOL_MAX + 1), headers=device.headers)
    assert problem(too_new) == (426, "sync.protocol_unsupported")
    assert (too_new.json()["protocol_min"], too_new.json()["protocol_max"]) == (PROTOCOL_MIN, PROTOCOL_MAX)
    assert problem(client.post("/v1/sync/hello", json=body(device))) == (401, "auth.device_required")
    row = stored(server_sessions, device)  # nothing recorded by the refused hellos
    assert (row.app_version, row.applied_epoch, row.last_seen_at) == ("0.9.0", 0, None)


def test_a_counter_leaves_pending_deliveries_once_its_device_says_hello_with_the_current_epoch(
    client: TestClient, server_sessions: sessionmaker[Session]
):
    make_centre(server_sessions, CENTRE_A)
    make_user(server_sessions, "lead.a", "lead", CENTRE_A)
    lead_device = counter_device(client, server_sessions, "1")
    lead = lead_device.staff(login(client, lead_device, "lead.a"))
    device = counter_device(client, server_sessions, "2")

    def pending() -> dict[str, tuple[int, datetime | None]]:
        response = client.get("/v1/centre/pending-deliveries", headers=lead)
        assert response.status_code == 200, response.text
        return {
            item["counter"]: (item["epoch"], item["last_contact"] and datetime.fromisoformat(item["last_contact"]))
            for item in response.json()
        }

    assert set(pending()) == {"1", "2"}
    # a hello with an older epoch keeps counter 2 pending, and its last contact is now the hello's
    stale = client.post("/v1/sync/hello", json=body(device, applied_epoch=0), headers=device.headers)
    assert stale.status_code == 200, stale.text
    epoch, contact = pending()["2"]
    hello_time = datetime.fromisoformat(stale.json()["server_time"])
    assert contact is not None and abs(contact - hello_time) < timedelta(seconds=1)
    answer = client.post("/v1/sync/hello", json=body(device, applied_epoch=epoch), headers=device.headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["counter_epoch"] == epoch
    assert set(pending()) == {"1"}
