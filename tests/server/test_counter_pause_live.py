"""End to end, with a real ``counterapp-server`` process and the counter's real sync engine: the clerk pauses
counter 1 in the cache, the engine pushes it, and the shift lead's ``GET /v1/centre/counters`` shows the
counter paused (its hand given back to the pool); the clerk resumes, and it is open and dealt a hand again."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx2
import pytest
from sqlalchemy import select

from counterapp.protocol.client import ServerClient
from counterapp.server.models.org import Counter as ServerCounter
from counterapp.server.models.queue import Ticket
from counterapp.services import counter_status
from counterapp.store.queue_models import TicketRow
from counterapp.store.sync_models import OutboxRow
from counterapp.sync.engine import HAND_SIZE, SyncEngine
from tests.liveserver import CLERK, PASSWORD, Counter, LiveServer
from tests.server.authkit import make_user


class Lead:
    """The shift lead, signed in on counter 1's device, over plain HTTP."""

    def __init__(self, server: LiveServer, counter: Counter) -> None:
        make_user(server.sessions, "lead.a", "lead", "000.00.01.H26")
        credential = counter.credential
        self.device = {"Authorization": f"Device {credential.device_id}.{credential.credential}"}
        self.http = httpx2.Client(base_url=server.url, timeout=10)
        self.headers = {**self.device, "X-Staff-Session": self._login("lead.a")}
        self.clerk = {**self.device, "X-Staff-Session": self._login(CLERK)}

    def _login(self, username: str) -> str:
        response = self.http.post(
            "/v1/sessions", json={"username": username, "password": PASSWORD}, headers=self.device
        )
        assert response.status_code == 201, response.text
        token: str = response.json()["token"]
        return token

    def post(self, path: str, headers: dict[str, str] | None = None, **body: Any) -> Any:
        response = self.http.post(path, json=body or None, headers=headers or self.headers)
        assert response.status_code in (200, 201), response.text
        return response.json()

    def counters(self) -> dict[str, str]:
        response = self.http.get("/v1/centre/counters", headers=self.headers)
        assert response.status_code == 200, response.text
        return {c["number"]: c["status"] for c in response.json()}


@pytest.fixture
def lead(live_server: LiveServer, counter: Counter) -> Iterator[Lead]:
    made = Lead(live_server, counter)
    yield made
    made.http.close()


def dealt_on_server(server: LiveServer) -> list[str]:
    """The numbers of the tickets held in counter 1's hand, as the server's database has them."""
    with server.sessions() as session:
        rows = session.scalars(
            select(Ticket.number)
            .join(ServerCounter, ServerCounter.id == Ticket.dealt_to)
            .where(ServerCounter.number == "1")
            .order_by(Ticket.number)
        )
        return list(rows)


def test_a_pause_made_at_the_counter_reaches_the_lead_and_a_resume_follows(
    live_server: LiveServer, counter: Counter, lead: Lead, client_of: Callable[[Counter], ServerClient]
) -> None:
    workspace = counter.workspace
    engine = SyncEngine(workspace.store, client_of(counter), centre_id=counter.credential.centre_id)
    # GIVEN the lead opened counter 1, five citizens took tickets, and the counter synced (it holds a hand)
    lead.post("/v1/centre/counters/1/open")
    for _ in range(5):
        lead.post("/v1/tickets", headers=lead.clerk, service="HTCT")
    engine.run_once()
    assert dealt_on_server(live_server) == ["A001", "A002", "A003"][:HAND_SIZE]
    # WHEN the clerk pauses the counter (F12, "Họp giao ban")
    with workspace.writing() as (session, now):
        counter_status.pause_counter(session, "Họp giao ban", now=now, user_id=CLERK)
    # THEN before it is pushed the engine asks for no hand, and the lead does not know yet
    assert engine.refresh_hand() == 0
    assert lead.counters()["1"] == "open"
    # WHEN the engine syncs
    report = engine.run_once()
    # THEN the lead sees counter 1 paused, with the clerk's reason, and its hand is back in the pool
    assert report.pushed == 1 and report.rejected == report.conflicts == 0
    assert lead.counters() == {"1": "paused", "2": "closed"}
    with live_server.sessions() as session:
        row = session.scalars(select(ServerCounter).where(ServerCounter.number == "1")).one()
        assert (row.status, row.pause_reason) == ("paused", "Họp giao ban")
    assert dealt_on_server(live_server) == []
    # AND the counter's cache agrees: still paused, nothing pending, no ticket held for it any more
    with workspace.reading() as (session, _now):
        state = counter_status.counter_state(session)
        assert (state.status, state.pause_reason) == ("paused", "Họp giao ban") and state.since is not None
        assert session.scalars(select(OutboxRow.status).where(OutboxRow.kind == "counter.pause")).all() == ["applied"]
        assert session.scalars(select(TicketRow.number).where(TicketRow.dealt_to.is_not(None))).all() == []
    # WHEN the clerk resumes and the engine syncs
    with workspace.writing() as (session, now):
        counter_status.resume_counter(session, now=now, user_id=CLERK)
    engine.run_once()
    # THEN the lead sees it open, and it was dealt a hand again
    assert lead.counters()["1"] == "open"
    assert dealt_on_server(live_server) == ["A001", "A002", "A003"][:HAND_SIZE]
    with workspace.reading() as (session, _now):
        assert counter_status.counter_state(session).status == "open"
        held = session.scalars(select(TicketRow.number).where(TicketRow.dealt_to == "1").order_by(TicketRow.number))
        assert list(held) == ["A001", "A002", "A003"][:HAND_SIZE]
