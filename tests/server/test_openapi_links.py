"""The OpenAPI document's links (``counterapp.server.openapi_links``): every one resolves to an operation
that exists and takes the parameters it fills, so a renamed route or parameter is caught here rather than
by the links silently going missing from ``/openapi.json`` (and from schemathesis's stateful run)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from counterapp.server.app import create_app
from counterapp.server.db import make_engine
from counterapp.server.openapi_links import LINKS, check_links
from counterapp.server.schema import migrate


def document(tmp_path: Path) -> dict[str, Any]:
    engine = make_engine(f"sqlite:///{tmp_path / 'server.sqlite3'}")
    migrate(engine)
    try:
        with TestClient(create_app(engine=engine)) as client:
            response = client.get("/openapi.json")
            assert response.status_code == 200
            body: dict[str, Any] = response.json()
            return body
    finally:
        engine.dispose()


def test_every_link_resolves_and_is_served(tmp_path: Path) -> None:
    served = document(tmp_path)
    assert check_links(served) == []
    answers = {
        (operation["operationId"], status): answer
        for item in served["paths"].values()
        for operation in item.values()
        for status, answer in operation["responses"].items()
    }
    for (source, status), named in LINKS.items():
        assert answers[(source, status)]["links"] == named, source


def test_a_link_to_a_renamed_operation_or_parameter_is_reported(tmp_path: Path) -> None:
    served = document(tmp_path)
    broken = {
        ("queue-issue", "201"): {"Call": {"operationId": "queue-call", "parameters": {"number": "$response.body#/x"}}},
        ("queue-call_next", "200"): {"Start": {"operationId": "queue-start", "parameters": {"ticket": "x"}}},
        ("queue-nothing", "200"): {},
    }
    assert check_links(served, broken) == [
        "queue-issue Call: no operation queue-call",
        "queue-call_next Start: queue-start takes no ticket",
        "queue-nothing has no 200 answer",
    ]
