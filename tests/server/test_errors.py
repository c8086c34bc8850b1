"""Every error is RFC 9457 problem+json with a stable code, on SQLite and PostgreSQL, and neither the
body nor the log carries a traceback or the citizen's data that caused it."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import OperationalError

from counterapp.domain.errors import DomainError, ValidationFailed
from counterapp.server.app import create_app
from counterapp.server.config import ServerSettings
from counterapp.server.db import SessionDep
from counterapp.server.errors import ApiError
from counterapp.server.models.org import Centre
from counterapp.server.routes import sync as sync_routes
from tests.server.authkit import CENTRE_A, enrolled_device, make_centre

PROBLEM = "application/problem+json"
LIMIT = 4096
PERSONAL = "Nguyễn Thị Hồng 001090012345"

router = APIRouter(prefix="/test", tags=["test"])


class Applicant(BaseModel):
    name: str = Field(min_length=2)
    age: int = Field(ge=0)


@router.post("/echo")
def echo(applicant: Applicant) -> Applicant:
    return applicant


@router.get("/centres")
def count_centres(session: SessionDep) -> int:
    return session.scalar(select(func.count()).select_from(Centre)) or 0


@router.get("/boom")
def boom() -> None:
    raise RuntimeError(f"applicant {PERSONAL} broke something")


@router.get("/invalid")
def invalid() -> None:
    raise ValidationFailed.single("applicant.id_number", "cccd.length")


@router.get("/refused")
def refused() -> None:
    raise DomainError("no numbers left in today's lease", code="lease.exhausted")


@router.get("/conflict")
def conflict() -> None:
    raise ApiError(409, "ticket.already_called", "Ticket already called", "Counter 3 called it first.", "ticket_id")


@pytest.fixture
def app_client(server_engine: Engine) -> Iterator[TestClient]:
    url = server_engine.url.render_as_string(hide_password=False)
    app = create_app(ServerSettings(database_url=url, max_body_bytes=LIMIT), engine=server_engine)
    app.include_router(router, prefix="/v1")
    with TestClient(app) as client:
        yield client


def problem(response_status: int, response: httpx2.Response) -> dict[str, Any]:
    assert response.status_code == response_status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["type"] == "about:blank"
    assert body["status"] == response_status
    assert body["title"]
    return body


def test_a_route_gets_a_working_session_from_the_app(app_client: TestClient):
    assert app_client.get("/v1/test/centres").json() == 0


def test_an_unknown_path_is_404_problem_json(app_client: TestClient):
    body = problem(404, app_client.get("/v1/no-such-thing"))
    assert body["code"] == "http.not_found"


def test_a_wrong_method_is_405_problem_json_with_allow(app_client: TestClient):
    response = app_client.delete("/healthz")
    body = problem(405, response)
    assert body["code"] == "http.method_not_allowed"
    assert "GET" in response.headers["allow"]


def test_a_malformed_body_is_422_naming_the_fields_without_echoing_them(app_client: TestClient):
    response = app_client.post("/v1/test/echo", json={"name": "N", "age": f"{PERSONAL}"})
    body = problem(422, response)
    assert body["code"] == "request.invalid"
    assert body["errors"] == [{"field": "name", "code": "string_too_short"}, {"field": "age", "code": "int_parsing"}]
    assert "Nguyễn" not in response.text


def test_a_body_that_is_not_json_is_422(app_client: TestClient):
    response = app_client.post("/v1/test/echo", content=b"{not json", headers={"content-type": "application/json"})
    body = problem(422, response)
    assert body["errors"][0]["code"] == "json_invalid"


def test_a_domain_validation_error_is_422_with_its_fields_and_codes(app_client: TestClient):
    body = problem(422, app_client.get("/v1/test/invalid"))
    assert body["code"] == "validation.failed"
    assert body["errors"] == [{"field": "applicant.id_number", "code": "cccd.length"}]


def test_another_domain_error_is_422_with_its_code(app_client: TestClient):
    body = problem(422, app_client.get("/v1/test/refused"))
    assert body["code"] == "lease.exhausted"
    assert body["detail"] == "no numbers left in today's lease"


def test_an_api_error_keeps_its_status_code_title_and_field(app_client: TestClient):
    body = problem(409, app_client.get("/v1/test/conflict"))
    assert body == {
        "type": "about:blank",
        "title": "Ticket already called",
        "status": 409,
        "code": "ticket.already_called",
        "detail": "Counter 3 called it first.",
        "errors": [{"field": "ticket_id", "code": "ticket.already_called"}],
    }


def test_a_body_over_the_limit_is_413_whether_announced_or_streamed(app_client: TestClient):
    small = {"name": "An", "age": 30}
    assert app_client.post("/v1/test/echo", json=small).status_code == 200
    big = b'{"name": "' + b"x" * LIMIT + b'", "age": 1}'
    # announced by Content-Length
    body = problem(413, app_client.post("/v1/test/echo", content=big, headers={"content-type": "application/json"}))
    assert body["code"] == "request.too_large"

    # streamed in chunks, with no Content-Length
    def chunks() -> Iterator[bytes]:
        for start in range(0, len(big), 1000):
            yield big[start : start + 1000]

    response = app_client.post("/v1/test/echo", content=chunks(), headers={"content-type": "application/json"})
    assert "content-length" not in response.request.headers
    assert problem(413, response)["code"] == "request.too_large"


def server_time_ms(response: httpx2.Response) -> float:
    name, _, duration = response.headers["server-timing"].partition(";dur=")
    assert name == "app"
    return float(duration)


def test_every_answer_says_how_long_the_server_worked_on_it(app_client: TestClient):
    # an answer, a refusal and a crash alike: a monitor reads the server's own share of the wait
    ok, missing, bug = app_client.get("/healthz"), app_client.get("/v1/nowhere"), app_client.get("/v1/test/boom")
    assert (ok.status_code, missing.status_code, bug.status_code) == (200, 404, 500)
    for response in (ok, missing, bug):
        assert 0 < server_time_ms(response) < 10_000


def test_a_bug_is_500_without_internals_and_logged_without_personal_data(
    app_client: TestClient, caplog: pytest.LogCaptureFixture
):
    with caplog.at_level(logging.ERROR, logger="counterapp.server"):
        response = app_client.get("/v1/test/boom?name=Nguyen")
    body = problem(500, response)
    assert body["code"] == "server.error"
    for leak in ("Traceback", "RuntimeError", "Nguyễn", "001090012345", "boom"):
        assert leak not in response.text
    # the log names the error, the method and the route, with the frames, but not the message or the query
    assert "unhandled RuntimeError in GET /test/boom (boom)" in caplog.text
    assert 'raise RuntimeError(f"applicant {PERSONAL} broke something")' in caplog.text  # the source line
    assert "001090012345" not in caplog.text and "Nguyen" not in caplog.text


def test_a_lost_database_connection_is_503_with_retry_after_not_500(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
):
    """A restarted database or a killed backend (tests/server/test_sync_faults.py does it for real on
    PostgreSQL) must read as "try again", never as a bug."""

    def lost(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("SELECT 1", {}, ConnectionError("server closed the connection unexpectedly"))

    monkeypatch.setattr(sync_routes.sync, "hello", lost)
    make_centre(client.app.state.sessions, CENTRE_A)  # type: ignore[attr-defined]
    device = enrolled_device(client, client.app.state.sessions, CENTRE_A)  # type: ignore[attr-defined]
    body = {"client_id": device.device_id, "app_version": "0.2.0", "protocol": 1, "schema_version": "0004",
            "applied_epoch": 0}  # fmt: skip
    response = client.post("/v1/sync/hello", json=body, headers=device.headers)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2"
    assert response.json()["code"] == "server.database_unavailable"
