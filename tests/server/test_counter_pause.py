"""A clerk's ``counter.pause`` / ``counter.resume`` pushed to the server, on SQLite and PostgreSQL: the
counter is paused with the clerk's reason and its dealt hand goes back to the pool (another counter calls
those tickets), ``/v1/queue/hand`` deals a paused counter nothing, a resume opens it and hands are dealt
again; the lead and the boards hear of it as of the lead's own pause; a counter the lead closed stays
closed, the ops kept and flagged, never refused into a loop."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from counterapp.server.models.org import Centre, Counter
from counterapp.server.models.queue import Ticket
from counterapp.server.models.sync import Conflict, OpLogEntry
from counterapp.server.services import lead, org, queue
from tests.server.authkit import CENTRE_A, login, make_user, now
from tests.server.synckit import CLERK, counter, kiosk_ticket, local_now, naive, setup_centre
from tests.server.synckit import Counter as Device
from tests.server.test_lead import published_events


def pause(device: Device, reason: str = "Họp giao ban") -> dict[str, Any]:
    return device.op("counter.pause", {"counter": device.number, "reason": reason, "at": naive(local_now())})


def resume(device: Device) -> dict[str, Any]:
    return device.op("counter.resume", {"counter": device.number, "at": naive(local_now())})


def set_status(sessions: sessionmaker[Session], number: str, status: str) -> None:
    with sessions.begin() as session:
        centre = session.scalars(select(Centre)).one()
        lead.set_counter_status(org.counter_by_number(session, centre.id, number), status, "x")


def counter_row(sessions: sessionmaker[Session], number: str) -> tuple[str, str | None, int]:
    with sessions() as session:
        row = session.scalars(select(Counter).where(Counter.number == number)).one()
        return row.status, row.pause_reason, row.epoch


def dealt(sessions: sessionmaker[Session]) -> dict[str, str | None]:
    """Each ticket's number → the number of the counter whose hand holds it (unexpired), or None."""
    with sessions() as session:
        rows = session.execute(
            select(Ticket.number, Counter.number, Ticket.dealt_until)
            .outerjoin(Counter, Counter.id == Ticket.dealt_to)
            .order_by(Ticket.number)
        ).all()
    return {number: holder if until is not None else None for number, holder, until in rows}


def hand(client: TestClient, device: Device) -> list[str]:
    """What the counter's sync worker asks for (the device credential alone)."""
    response = client.post("/v1/queue/hand", json={"size": 3, "minutes": 10}, headers=device.device.headers)
    assert response.status_code == 200, response.text
    return [t["number"] for t in response.json()["tickets"]]


def call_next(client: TestClient, headers: dict[str, str]) -> str:
    response = client.post("/v1/queue/call-next", headers=headers)
    assert response.status_code == 200, response.text
    number: str = response.json()["number"]
    return number


def test_a_pause_releases_the_hand_stops_dealing_and_a_resume_deals_again(
    client: TestClient, server_sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    centre_id = setup_centre(server_sessions)
    c1, c2 = counter(client, server_sessions, "1"), counter(client, server_sessions, "2")
    desk2 = c2.device.staff(login(client, c2.device, CLERK))
    for number in ("1", "2"):
        set_status(server_sessions, number, lead.OPEN)
    numbers = [kiosk_ticket(client, c1.device)["number"] for _ in range(5)]
    assert numbers == ["A001", "A002", "A003", "A004", "A005"]
    # GIVEN counter 1 holds a hand of three; counter 2 can only call past it
    assert hand(client, c1) == ["A001", "A002", "A003"]
    assert call_next(client, desk2) == "A004"
    # WHEN counter 1's clerk resumes an open counter: applied, and nothing changes
    assert [r["status"] for r in c1.pushed(resume(c1))] == ["applied"]
    assert counter_row(server_sessions, "1") == ("open", None, 1)
    # WHEN the clerk pauses it
    published = published_events(server_sessions, centre_id, monkeypatch)
    (result,) = c1.pushed(pause(c1, "Họp giao ban"))
    # THEN the op is applied; the counter is paused with the reason, the epoch unchanged (nothing reassigned)
    assert result["status"] == "applied" and result["server_seq"]
    assert counter_row(server_sessions, "1") == ("paused", "Họp giao ban", 1)
    # AND the lead and the boards were told as of the lead's own pause (the status, not the reason)
    announced = published(1)
    assert [(e.kind, e.data["counter"], e.data["status"], e.data["epoch"]) for e in announced] == [
        ("assignment.changed", "1", "paused", 1)
    ]
    assert "pause_reason" not in announced[0].data
    # AND its hand is back in the pool: counter 2 calls A001 at once
    assert dealt(server_sessions) == {"A001": None, "A002": None, "A003": None, "A004": None, "A005": None}
    assert call_next(client, desk2) == "A001"
    # AND the change feed carries the paused counter and the released tickets, by the op's server_seq
    feed, _cursor = c1.pull_all(f"centre:{centre_id}")
    counters = [c for c in feed if c["entity"] == "counter" and c["data"]["number"] == "1"]
    assert counters[-1]["seq"] == result["server_seq"]
    assert (counters[-1]["data"]["status"], counters[-1]["data"]["pause_reason"]) == ("paused", "Họp giao ban")
    latest = {c["data"]["number"]: c["data"] for c in feed if c["entity"] == "ticket"}
    assert [latest[n]["dealt_to"] for n in ("A002", "A003")] == [None, None]
    # WHEN the paused counter's worker asks for a hand THEN it is dealt nothing (not an error)
    assert hand(client, c1) == []
    assert dealt(server_sessions)["A002"] is None
    # WHEN the clerk pauses again with another reason THEN the reason is replaced
    assert [r["status"] for r in c1.pushed(pause(c1, "Xử lý hồ sơ tồn"))] == ["applied"]
    assert counter_row(server_sessions, "1") == ("paused", "Xử lý hồ sơ tồn", 1)
    # WHEN the clerk resumes THEN the counter is open and is dealt a hand again
    assert [r["status"] for r in c1.pushed(resume(c1))] == ["applied"]
    assert counter_row(server_sessions, "1") == ("open", None, 1)
    assert hand(client, c1) == ["A002", "A003"]  # its share: 3 waiting for 2 open counters, rounded up
    with server_sessions() as session:
        kinds = session.execute(select(OpLogEntry.kind, OpLogEntry.status).order_by(OpLogEntry.client_seq)).all()
    assert [tuple(k) for k in kinds] == [
        ("counter.resume", "applied"), ("counter.pause", "applied"), ("counter.pause", "applied"),
        ("counter.resume", "applied"),
    ]  # fmt: skip


def test_a_counter_the_lead_closed_stays_closed_and_the_ops_are_kept_and_flagged(
    client: TestClient, server_sessions: sessionmaker[Session]
) -> None:
    setup_centre(server_sessions)
    c1 = counter(client, server_sessions, "1")
    set_status(server_sessions, "1", lead.CLOSED)
    # WHEN the clerk (offline when the lead closed the counter) pushes a pause and a resume
    batch = [pause(c1), resume(c1)]
    results = c1.pushed(*batch)
    # THEN both are kept, flagged for review, and the counter stays closed
    assert [r["status"] for r in results] == ["conflict", "conflict"]
    assert all("closed" in r["reason"] for r in results)
    assert counter_row(server_sessions, "1") == ("closed", None, 1)
    with server_sessions() as session:
        flagged = session.execute(select(Conflict.kind, Conflict.code, Conflict.entity)).all()
        logged = session.scalars(select(OpLogEntry.status)).all()
    assert sorted(tuple(f) for f in flagged) == [
        ("counter.pause", "counter.closed", "counter"),
        ("counter.resume", "counter.closed", "counter"),
    ]
    assert list(logged) == ["conflict", "conflict"]
    # AND sending the batch again (its answer was lost) answers the same, with no second effect
    assert c1.pushed(*batch) == results
    with server_sessions() as session:
        assert len(session.scalars(select(Conflict)).all()) == 2
    # AND the lead sees them among the centre's conflicts
    make_user(server_sessions, "lead.a", "lead", CENTRE_A)
    lead_headers = c1.device.staff(login(client, c1.device, "lead.a"))
    shown = client.get("/v1/centre/conflicts", headers=lead_headers).json()
    assert {(c["kind"], c["code"], c["counter"]) for c in shown} == {
        ("counter.pause", "counter.closed", "1"),
        ("counter.resume", "counter.closed", "1"),
    }


def test_the_leads_own_pause_releases_the_hand_too(server_sessions: sessionmaker[Session]) -> None:
    """One code path for both: the lead's pause (``change_counter_status``) gives the hand back as well."""
    setup_centre(server_sessions)
    with server_sessions.begin() as session:
        centre = session.scalars(select(Centre)).one()
        service = queue.service_by_code(session, centre, "HTCT")
        for _ in range(3):
            queue.issue_ticket(session, centre, service, None, now())
        one = org.counter_by_number(session, centre.id, "1")
        lead.set_counter_status(one, lead.OPEN)
        assert [t.number for t in queue.deal_hand(session, one, 2, timedelta(minutes=10), now())] == ["A001", "A002"]
    with server_sessions.begin() as session:
        one = org.counter_by_number(session, session.scalars(select(Centre.id)).one(), "1")
        lead.change_counter_status(session, one, lead.PAUSED, "Nghỉ trưa", now=now())
    assert dealt(server_sessions) == {"A001": None, "A002": None, "A003": None}
    with server_sessions.begin() as session:  # a lead closing it: nothing was held, nothing is dealt
        one = org.counter_by_number(session, session.scalars(select(Centre.id)).one(), "1")
        lead.change_counter_status(session, one, lead.CLOSED, now=now())
        assert queue.deal_hand(session, one, 2, timedelta(minutes=10), now()) == []
