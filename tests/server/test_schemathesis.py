"""Schemathesis against a real ``counterapp-server serve`` process: every operation of ``/openapi.json``
(but the endless ``GET /v1/events`` stream) is called with generated valid and invalid input, as an enrolled
counter device with a lead's staff session, and every answer must be no 5xx and exactly what the document
says (status code, content type, body schema). Then a stateful run follows the document's links
(``counterapp.server.openapi_links``): a ticket issued is called, started, finished or moved, a counter
listed is opened, paused or reassigned, a pull's cursors feed the next pull, a snapshot's page the next one.

Bounded for CI: a few examples per operation and a few linked scenarios, a fixed seed (``derandomize``), a
timeout per request and a wall-clock budget for the whole run, past which the test fails rather than
silently stopping early. ``make fuzz`` is the long run: ``COUNTERAPP_FUZZ_EXAMPLES=500`` per operation and
``COUNTERAPP_FUZZ_SCENARIOS`` linked scenarios, with a budget to match; it prints its figures.

Hypothesis drives ``APIOperation.as_strategy`` itself: ``schemathesis.pytest.from_fixture`` (4.32.5) fails on
pytest 9.2 (``'Function' object has no attribute '_nodeid'``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx2
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import APIOperation, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation.stateful.state_machine import StepInput, StepOutput
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from counterapp.server.admin import DEMO_AGENCY_CODE
from counterapp.server.db import make_engine, session_factory
from counterapp.server.openapi_links import LINKS
from tests.ports import free_port
from tests.server.authkit import PASSWORD, make_device, make_user
from tests.server.conftest import POSTGRES_URL

SERVER = [str(Path(sys.executable).parent / "counterapp-server")]
if not Path(SERVER[0]).exists():  # the package is not installed with its entry point: run the module
    SERVER = [sys.executable, "-c", "import sys; from counterapp.server.cli import main; sys.exit(main())"]

MAX_EXAMPLES = int(os.environ.get("COUNTERAPP_FUZZ_EXAMPLES", "25"))  # per operation
SCENARIOS = int(os.environ.get("COUNTERAPP_FUZZ_SCENARIOS", "12"))  # linked scenarios of the stateful run
STEPS = 8  # at most, per scenario
REQUEST_TIMEOUT_S = 10.0
# the whole run, server start included: a guard against a runaway, not a speed test. Alone on the 2-core
# machine the run takes about 30 s; with other test runs sharing it, 118 s was seen (and failed a 60 s budget)
BUDGET_S = float(os.environ.get("COUNTERAPP_FUZZ_BUDGET_S", "300"))
DATABASE = os.environ.get("COUNTERAPP_FUZZ_DATABASE", "sqlite")  # or postgresql (``make fuzz`` runs both)
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]
LEAD = "schemathesis.lead"
# Both tests share the module's live server (30-40 s to set up): one pytest-xdist worker runs them (make test
# runs --dist loadgroup), not one server for each worker.
pytestmark = pytest.mark.xdist_group("schemathesis")


@dataclass
class LiveServer:
    base_url: str
    device_headers: dict[str, str]
    staff_token: str
    started: float
    # a second device for the sessions a logout ends: the fuzzed sign-ins (wrong passwords, all of them) get
    # the fuzzing device throttled (429 auth.throttled), and this one stays able to sign in
    spare_headers: dict[str, str] = field(default_factory=dict)
    statuses: dict[str, set[int]] = field(default_factory=dict)  # operation label → the status codes it answered
    calls: dict[str, int] = field(default_factory=dict)  # operation label → requests sent

    @property
    def headers(self) -> dict[str, str]:
        return {**self.device_headers, "X-Staff-Session": self.staff_token}

    def login(self, device: dict[str, str] | None = None) -> str:
        """A new staff session of the lead on ``device`` (the fuzzing one by default): its token."""
        response = httpx2.post(
            f"{self.base_url}/v1/sessions",
            json={"username": LEAD, "password": PASSWORD},
            headers=device or self.device_headers,
            timeout=REQUEST_TIMEOUT_S,
        )
        assert response.status_code == 201, response.text
        token: str = response.json()["token"]
        return token

    def throwaway(self) -> dict[str, str]:
        """Headers of a new session on the spare device, for a request that ends the session it is sent."""
        return {**self.spare_headers, "X-Staff-Session": self.login(self.spare_headers)}

    def headers_for(self, operation: APIOperation) -> dict[str, str]:
        if operation.method.upper() == "DELETE" and operation.path == "/v1/sessions/current":
            return self.throwaway()
        return self.headers

    def answered(self, operation: APIOperation, status: int) -> None:
        self.statuses.setdefault(operation.label, set()).add(status)
        self.calls[operation.label] = self.calls.get(operation.label, 0) + 1


def run(*args: str) -> str:
    done = subprocess.run([*SERVER, *args], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def set_up(url: str) -> tuple[str, str]:
    """Migrate and seed the demo centre; a lead of it and two new counter devices: their enrollment codes."""
    run("migrate", "--database-url", url)
    run("admin", "seed-demo", "--database-url", url)
    engine = make_engine(url)
    try:
        sessions: sessionmaker[Session] = session_factory(engine)
        make_user(sessions, LEAD, "lead", DEMO_AGENCY_CODE)
        _device_id, code = make_device(sessions, DEMO_AGENCY_CODE, counter="1")
        _spare_id, spare = make_device(sessions, DEMO_AGENCY_CODE, counter="2")
    finally:
        engine.dispose()
    return code, spare


def enroll(base_url: str, code: str) -> dict[str, str]:
    enrolled = httpx2.post(f"{base_url}/v1/devices/enroll", json={"code": code}, timeout=REQUEST_TIMEOUT_S)
    assert enrolled.status_code == 200, enrolled.text
    device = enrolled.json()
    return {"Authorization": f"Device {device['device_id']}.{device['credential']}"}


def wait_until_up(process: subprocess.Popen[str], base_url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx2.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx2.TransportError:
            time.sleep(0.05)
    raise AssertionError(f"the server did not come up (exit status {process.poll()})")


@contextmanager
def fuzzed_database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A new SQLite file, or with ``COUNTERAPP_FUZZ_DATABASE=postgresql`` a schema of its own in the test
    PostgreSQL (dropped afterwards): NUL, surrogates and out-of-range numbers fail differently on each."""
    if DATABASE == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('schemathesis') / 'server.sqlite3'}"
        return
    assert DATABASE == "postgresql", f"COUNTERAPP_FUZZ_DATABASE: sqlite or postgresql, not {DATABASE!r}"
    admin: Engine = request.getfixturevalue("postgres_admin")  # this process's own database (conftest.py)
    schema = f"t_fuzz_{uuid.uuid4().hex[:12]}"
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{POSTGRES_URL}?options={quote(f'-csearch_path={schema}')}&application_name={schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :name"),
                {"name": schema},
            )
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))


@pytest.fixture(scope="module")
def live_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with fuzzed_database(request, tmp_path_factory) as url:
        yield from _live_server(url)


def _live_server(url: str) -> Iterator[LiveServer]:
    started = time.monotonic()
    code, spare = set_up(url)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [*SERVER, "serve", "--database-url", url, "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_until_up(process, base_url)
        server = LiveServer(base_url, enroll(base_url, code), "", started, enroll(base_url, spare))
        server.staff_token = server.login()
        for _ in range(5):  # waiting tickets, so the queue operations also get past "queue.empty"
            issued = httpx2.post(
                f"{base_url}/v1/tickets", json={"service": "HTCT"}, headers=server.headers, timeout=REQUEST_TIMEOUT_S
            )
            assert issued.status_code == 201, issued.text
        yield server
    finally:
        process.terminate()
        try:
            output, _ = process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
    assert "Traceback" not in output and "unhandled" not in output, output


def load(base_url: str) -> schemathesis.BaseSchema:
    """The live document but the endless event stream."""
    loaded = schemathesis.openapi.from_url(f"{base_url}/openapi.json", timeout=REQUEST_TIMEOUT_S)
    return loaded.exclude(method="GET", path="/v1/events")


def operations(base_url: str) -> list[APIOperation]:
    """Every operation of the live document but the endless event stream."""
    return [result.ok() for result in load(base_url).get_all_operations()]


def within_budget(server: LiveServer) -> None:
    elapsed = time.monotonic() - server.started
    assert elapsed < BUDGET_S, f"the schemathesis run exceeded its {BUDGET_S:.0f} s budget: lower the examples"


def fuzz(operation: APIOperation, server: LiveServer) -> None:
    """``MAX_EXAMPLES`` valid or invalid requests of ``operation``; raises on the first (shrunk) failure."""
    examples = operation.schema.get_strategies_from_examples(operation)  # the documented examples reach past 422
    cases = st.one_of(
        *examples, operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)
    )

    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,  # the same cases on every run: a CI failure reproduces locally
        database=None,
        deadline=None,  # the per-request timeout and the run's budget bound the time instead
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(case=cases)
    def check(case: schemathesis.Case) -> None:
        within_budget(server)
        # a logout ends the session it is sent: a throwaway one, so the others keep theirs
        headers = server.headers_for(operation)
        response = case.call_and_validate(headers=headers, checks=CHECKS, timeout=REQUEST_TIMEOUT_S)
        server.answered(operation, response.status_code)

    check()


def test_the_live_api_answers_every_generated_request_as_documented(
    live_server: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    found = operations(live_server.base_url)
    assert len(found) >= 10, [op.label for op in found]
    failures: list[str] = []
    for operation in found:
        try:
            fuzz(operation, live_server)
        except (Exception, FailureGroup) as exc:  # every operation is tried; all their failures are reported
            failures.append(f"{operation.label}:\n{exc}")
    sent = sum(live_server.calls.values())
    report(capsys, live_server, f"per operation: {len(found)} operations, {sent} requests, {len(failures)} failing")
    assert not failures, "\n\n".join(failures)
    # AND the credentials worked: every operation was answered past authentication at least once
    refused = {label: codes for label, codes in live_server.statuses.items() if codes <= {401, 403}}
    assert not refused, refused


def report(capsys: pytest.CaptureFixture[str], server: LiveServer, figures: str) -> None:
    """The run's figures on the terminal (``make fuzz`` records them in the README)."""
    took = time.monotonic() - server.started
    with capsys.disabled():
        sys.stdout.write(f"\nschemathesis {figures}; {took:.0f} s since the server started\n")


def test_linked_operations_answer_as_documented_along_the_links(
    live_server: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """The stateful run: each scenario starts at an operation and follows the document's links from its
    answers (``counterapp.server.openapi_links``), every answer checked as in the run per operation."""
    schema = load(live_server.base_url)
    followed: dict[str, int] = {}

    class Linked(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
            within_budget(live_server)
            return {"headers": live_server.headers_for(case.operation), "timeout": REQUEST_TIMEOUT_S}

        def step(self, input: StepInput) -> StepOutput:
            output = super().step(input)
            live_server.answered(input.case.operation, output.response.status_code)
            if input.transition is not None and input.is_applied:  # values taken from an earlier answer
                followed[input.transition.id] = followed.get(input.transition.id, 0) + 1
            return output

        def validate_response(self, response: Any, case: schemathesis.Case, **kwargs: Any) -> None:
            case.validate_response(response, checks=CHECKS, headers=kwargs.get("headers"))

    before = sum(live_server.calls.values())
    Linked.run(
        settings=settings(
            max_examples=SCENARIOS,
            stateful_step_count=STEPS,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
    )
    sent = sum(live_server.calls.values()) - before
    links = ", ".join(f"{link} ×{n}" for link, n in sorted(followed.items()))
    report(capsys, live_server, f"along the links: {SCENARIOS} scenarios, {sent} requests, 0 failing; followed {links}")
    # AND the document's own links were followed: requests made with values from an earlier answer
    ours = {name for links in LINKS.values() for name in links}
    assert any(f"] {name} -> " in link for link in followed for name in ours), followed
