"""The hostile-input corpus of issue 15 (points 1, 9a and 9b), each case a test, on SQLite and PostgreSQL:
bad bytes and out-of-range numbers are refused as 422 naming the field (never a 500), numbers sent as
text are not numbers, a pushed op carrying them is quarantined on its own, and a request without a
device credential is told 401 before anything about its input.

Every case answered ``500 server.error`` before (a NUL reached PostgreSQL, an integer overflowed its
column, a time overflowed when moved to UTC), or was accepted (``"count": "5"``), or was told 422 before
401 (``POST /v1/tickets`` with ``{}`` and no credential).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.routing import APIRoute

from counterapp.protocol.messages import START_CURSOR
from counterapp.server.app import API_PREFIX, load_routers
from counterapp.server.auth_first import needs_device
from tests.server.conftest import DATABASES
from tests.server.hostile import World, printed, world
from tests.server.synckit import local_now

TODAY = local_now().date().isoformat()


@pytest.fixture(scope="module", params=DATABASES)
def here(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with world(request, tmp_path_factory) as made:
        yield made


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    body: Any
    field: str  # the field the 422 names
    code: str  # and the rule it broke
    who: str = "staff"  # the lead on a counter device | "device" alone | "nobody"


def hello(**change: Any) -> dict[str, Any]:
    return {"client_id": "{device}", "app_version": "0.1.0", "protocol": 1, "schema_version": "0001",
            "applied_epoch": 0} | change  # fmt: skip


def cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"v": 1, "seq": seq}).encode()).decode()


CASES: dict[str, Case] = {
    # point 1: a NUL (or a lone surrogate) in a login name, a pause reason, a service code, an enrollment
    # name or app version
    "login name with a NUL": Case("POST", "/v1/sessions", {"username": "clerk.lan\u0000", "password": "x" * 12},
                                  "username", "text.nul", "device"),
    "login name with a lone surrogate": Case("POST", "/v1/sessions", {"username": "clerk\ud800", "password": "x"},
                                             "username", "string_unicode", "device"),
    "password with a NUL": Case("POST", "/v1/sessions", {"username": "clerk.lan", "password": "mật\u0000khẩu"},
                                "password", "text.nul", "device"),
    "pause reason with a NUL": Case("POST", "/v1/centre/counters/1/pause", {"reason": "Nghỉ\u0000trưa"},
                                    "reason", "text.nul"),
    "service code with a NUL (ticket)": Case("POST", "/v1/tickets", {"service": "HT\u0000CT"}, "service", "text.nul"),
    "priority with a NUL": Case("POST", "/v1/tickets", {"service": "HTCT", "priority": "\u0000"},
                                "priority", "text.nul"),
    "service code with a NUL (move)": Case("POST", "/v1/centre/tickets/A001/move", {"service": "K\u0000D"},
                                           "service", "text.nul"),
    "service code with a NUL (assign)": Case("PUT", "/v1/centre/counters/1/services", {"services": ["HTCT\u0000"]},
                                             "services.0", "text.nul"),
    "enrollment name with a NUL": Case("POST", "/v1/devices/enroll", {"code": "K7QX-M2PD", "name": "Quầy\u0000 1"},
                                       "name", "text.nul", "nobody"),
    "enrollment app version with a NUL": Case("POST", "/v1/devices/enroll", {"code": "K7QX", "app_version": "1\u0000"},
                                              "app_version", "text.nul", "nobody"),
    "enrollment code with a NUL": Case("POST", "/v1/devices/enroll", {"code": "K7QX\u0000"}, "code", "text.nul",
                                       "nobody"),
    "hello app version with a NUL": Case("POST", "/v1/sync/hello", hello(app_version="0.1.0\u0000"),
                                         "app_version", "text.nul", "device"),
    "hello schema version with a control character": Case("POST", "/v1/sync/hello", hello(schema_version="00\u0007"),
                                                          "schema_version", "text.control_character", "device"),
    # integers past their 32-bit columns
    "hello applied_epoch of 2**31": Case("POST", "/v1/sync/hello", hello(applied_epoch=2**31),
                                         "applied_epoch", "less_than_equal", "device"),
    "hello applied_epoch of 2**63": Case("POST", "/v1/sync/hello", hello(applied_epoch=2**63),
                                         "applied_epoch", "less_than_equal", "device"),
    "hello protocol of 2**63": Case("POST", "/v1/sync/hello", hello(protocol=2**63), "protocol", "less_than_equal",
                                    "device"),
    "a pull cursor past the seq column": Case("POST", "/v1/sync/pull",
                                              {"client_id": "{device}", "cursors": {"city": cursor(2**64)}},
                                              "cursors.city", "value_error", "device"),
    "a void of number 2**31": Case("POST", "/v1/codes/voids", {"kind": "dossier", "day": TODAY,
                                   "numbers": [2**31], "reason": "in hỏng"}, "numbers.0", "less_than_equal"),
    # a NUL in a path
    "counter number with a NUL": Case("POST", "/v1/centre/counters/1%00/open", None, "path.number", "text.nul"),
    "ticket number with a NUL": Case("POST", "/v1/queue/tickets/A0%0001/call", None, "path.number", "text.nul"),
    # days out of any sane window
    "a lease for year 1": Case("POST", "/v1/codes/lease", {"kind": "dossier", "day": "0001-01-01", "count": 5},
                               "day", "time.out_of_range"),
    "leases since year 9999": Case("GET", "/v1/codes/leases?since=9999-12-31", None, "query.since",
                                   "time.out_of_range"),
    # point 9b: numbers sent as text are not numbers
    "a lease count as text": Case("POST", "/v1/codes/lease", {"kind": "dossier", "day": TODAY, "count": "5"},
                                  "count", "int_type"),
    "a lease count as a float": Case("POST", "/v1/codes/lease", {"kind": "dossier", "day": TODAY, "count": 5.0},
                                     "count", "int_type"),
    "a hand size as text": Case("POST", "/v1/queue/hand", {"size": "3"}, "size", "int_type"),
    "a void number as text": Case("POST", "/v1/codes/voids", {"kind": "dossier", "day": TODAY, "numbers": ["7"],
                                  "reason": "in hỏng"}, "numbers.0", "int_type"),
    "hello protocol as text": Case("POST", "/v1/sync/hello", hello(protocol="1"), "protocol", "int_type", "device"),
    "pull limit as text": Case("POST", "/v1/sync/pull", {"client_id": "{device}", "cursors": {"city": START_CURSOR},
                               "limit": "5"}, "limit", "int_type", "device"),
}  # fmt: skip


def headers(here: World, who: str) -> dict[str, str]:
    return {"staff": here.staff, "device": here.device.headers, "nobody": {}}[who]


def filled(body: Any, here: World) -> Any:
    text = json.dumps(body).replace("{device}", here.device.device_id)
    return None if body is None else json.loads(text)


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_refused_naming_the_field(here: World, name: str) -> None:
    case = CASES[name]
    response = here.send(case.method, case.path, filled(case.body, here), headers=headers(here, case.who))
    assert response.status_code == 422, response.text
    body = response.json()
    assert (body["code"], response.headers["content-type"]) == ("request.invalid", "application/problem+json")
    assert {"field": case.field, "code": case.code} in body["errors"], body


# --- a pushed op: the same bytes are quarantined with the op, never the batch refused -----------------------

OP_POISONS: dict[str, tuple[str, Any, str]] = {
    "a NUL in a string of a pushed op": ("payload", {"reason": "Nghỉ\u0000trưa"}, "a NUL character"),
    "a NUL in a key of a pushed op": ("payload", {"rea\u0000son": "Nghỉ trưa"},
                                      "a NUL character is not allowed in a key"),
    "a lone surrogate in a key of a pushed op": ("payload", {"\ud800": 1}, "a lone surrogate is not text in a key"),
    "an op v of 2**31": ("v", 2**31, "v: Input should be less than or equal to 2147483647"),
    "an op epoch of 2**31": ("epoch", 2**31, "epoch: Input should be less than or equal to 2147483647"),
    "a corrected_time of 9999-12-31T23:59:59-12:00": ("corrected_time", "9999-12-31T23:59:59-12:00",
                                                      "corrected_time: a time from 2000 to 2099"),
    "a corrected_time of 0001-01-01T00:00:00+14:00": ("corrected_time", "0001-01-01T00:00:00+14:00",
                                                      "corrected_time: a time from 2000 to 2099"),
    "a user id with a NUL": ("user_id", "clerk.lan\u0000", "user_id: a NUL or another control character"),
    "an op v as text": ("v", "1", "v: Input should be a valid integer"),
}  # fmt: skip


@pytest.mark.parametrize("name", list(OP_POISONS))
def test_a_pushed_op_with_bad_bytes_is_quarantined_alone(here: World, name: str) -> None:
    key, value, why = OP_POISONS[name]
    c = here.counter()
    pause = {"counter": "1", "reason": "Nghỉ trưa", "at": local_now().replace(tzinfo=None).isoformat()}
    bad = c.op("counter.pause", pause)
    if key == "payload":
        bad["payload"] = pause | value
    else:
        bad[key] = value
    response = here.push(c, [bad, c.op("receipt.printed", printed("A001"))])
    assert response.status_code == 200, response.text
    first, second = response.json()["results"]
    assert (first["status"], second["status"]) == ("rejected", "applied")
    assert first["reason"].startswith("quarantined: ") and why in first["reason"], first["reason"]


# --- point 9a: who is asking, before what was asked ---------------------------------------------------------


def authenticated_routes() -> list[tuple[str, str]]:
    """(method, path) of every route that needs a device credential, its path parameters given a NUL."""
    found = []
    for router in load_routers():
        for route in router.routes:
            if isinstance(route, APIRoute) and needs_device(route):
                path = API_PREFIX + re.sub(r"\{[^}]+\}", "1%00", route.path)
                found += [(method, path) for method in sorted(route.methods or ())]
    return found


def test_every_authenticated_route_says_401_before_anything_about_its_input(here: World) -> None:
    """With no credential, or a wrong one, and input that cannot be read (not JSON, a NUL in the path), every
    route that needs a device answers 401 and nothing about the input: FastAPI decodes a body before any
    dependency runs, so before the fix each of these with a body was told 422 first."""
    routes = authenticated_routes()
    assert ("POST", "/v1/tickets") in routes and ("POST", "/v1/sync/push") in routes and len(routes) > 25
    wrong = {"Authorization": "Device 0195f3a2-7c4e-7b21-9d3a-4f1c2b8e6a10.wrong"}
    for method, path in routes:
        for sent in ({}, wrong):
            body = b"{not json" if method in ("POST", "PUT") else None
            response = here.client.request(
                method, path, content=body, headers={**sent, "content-type": "application/json"}
            )
            assert response.status_code == 401, (method, path, response.text)
            assert response.json()["code"] in ("auth.device_required", "auth.device_invalid"), (method, path)
            assert "errors" not in response.json()  # nothing about the input


def test_tickets_with_no_credential_and_an_empty_body_is_401(here: World) -> None:
    """The case of issue 15 (9a): ``POST /v1/tickets`` authenticates in its own thread hop, after FastAPI
    validated ``{}`` against its body model: it was 422 ``missing service`` before 401."""
    for body in ({}, {"service": 5}):
        response = here.send("POST", "/v1/tickets", body, headers={})
        assert (response.status_code, response.json()["code"]) == (401, "auth.device_required"), response.text


def test_a_body_that_is_not_json_is_told_401_first_too(here: World) -> None:
    response = here.client.post("/v1/tickets", content=b"{not json", headers={"content-type": "application/json"})
    assert (response.status_code, response.json()["code"]) == (401, "auth.device_required")
    # and with the credential, it is the input that is refused
    response = here.client.post(
        "/v1/tickets", content=b"{not json", headers={**here.staff, "content-type": "application/json"}
    )
    assert (response.status_code, response.json()["code"]) == (422, "request.invalid")


def test_a_route_without_a_device_still_says_what_is_wrong(here: World) -> None:
    response = here.send("POST", "/v1/devices/enroll", {}, headers={})
    assert response.status_code == 422 and {"field": "code", "code": "missing"} in response.json()["errors"]
