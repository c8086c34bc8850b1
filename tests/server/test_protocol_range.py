"""The server's accepted sync protocol range (issue 17 point 6): by default every protocol it speaks;
``COUNTERAPP_SERVER_PROTOCOL_RANGE`` narrows it, and a hello outside it is 426 with the range in the body."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from counterapp.protocol.messages import PROTOCOL_MAX, PROTOCOL_MIN
from counterapp.server.services.sync import PROTOCOL_RANGE_ENV, protocol_range
from tests.server.authkit import CENTRE_A, make_centre, problem
from tests.server.test_sync_hello import body, counter_device


def test_the_range_defaults_to_what_the_server_speaks_and_is_read_from_the_environment():
    assert protocol_range({}) == (PROTOCOL_MIN, PROTOCOL_MAX)
    assert protocol_range({PROTOCOL_RANGE_ENV: " 2-3 "}) == (2, 3)
    assert protocol_range({PROTOCOL_RANGE_ENV: "4"}) == (4, 4)
    assert protocol_range({PROTOCOL_RANGE_ENV: "1-"}) == (1, 1)
    for wrong in ("x", "3-2", "0-1", "1-y"):
        with pytest.raises(ValueError, match=PROTOCOL_RANGE_ENV):
            protocol_range({PROTOCOL_RANGE_ENV: wrong})


def test_a_hello_outside_the_configured_range_is_refused_with_the_range(
    client: TestClient, server_sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
):
    make_centre(server_sessions, CENTRE_A)
    device = counter_device(client, server_sessions)
    monkeypatch.setenv(PROTOCOL_RANGE_ENV, f"{PROTOCOL_MAX + 1}-{PROTOCOL_MAX + 2}")
    refused = client.post("/v1/sync/hello", json=body(device), headers=device.headers)
    assert problem(refused) == (426, "sync.protocol_unsupported")
    assert (refused.json()["protocol_min"], refused.json()["protocol_max"]) == (PROTOCOL_MAX + 1, PROTOCOL_MAX + 2)
    accepted = client.post("/v1/sync/hello", json=body(device, protocol=PROTOCOL_MAX + 2), headers=device.headers)
    assert accepted.status_code == 200, accepted.text
    assert (accepted.json()["protocol_min"], accepted.json()["protocol_max"]) == (PROTOCOL_MAX + 1, PROTOCOL_MAX + 2)
