"""Online intake against a real ``counterapp-server`` process (tests/liveserver.py): the code is the
server's next number of the day while it answers, the offline lease's when it does not; a refused form
takes no number, and a number taken for a write that failed is voided on the server (at once, or through
the outbox when the server went away meanwhile)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from counterapp.domain.errors import ValidationFailed
from counterapp.protocol.client import ServerClient
from counterapp.server.models.numbers import CodeCounter, NumberVoid
from counterapp.server.models.sync import Conflict, OpLogEntry
from counterapp.services import intake, intake_desk, leases
from counterapp.services.clock import ClockSkewed
from counterapp.services.online_codes import OnlineCodes
from counterapp.services.workspace import SignedIn
from counterapp.store.dossier_models import DossierRow
from counterapp.store.outbox import device_meta
from counterapp.store.sync_models import OutboxRow
from counterapp.sync.engine import SyncEngine
from counterapp.sync.enrollment import client_for
from tests.counter import intake_form
from tests.faultproxy import FaultProxy
from tests.liveserver import CLERK, PASSWORD, Counter, LiveServer

AGENCY = "000.00.01.H26"


def sign_in(counter: Counter, client: ServerClient) -> OnlineCodes:
    """The clerk signs in online: the workspace records them, and their session token takes codes."""
    answer = client.login(CLERK, PASSWORD)
    user = answer["user"]
    counter.workspace.user = SignedIn(user["id"], user["username"], user["full_name"], user["role"])
    return OnlineCodes(client, answer["token"])


def today(counter: Counter) -> date:
    with counter.workspace.reading() as (_s, now):
        return now.date()


def server_counter(server: LiveServer, day: date) -> int | None:
    """The server's next online dossier number of ``day`` (``None``: none taken yet)."""
    with server.sessions() as s:
        return s.scalar(select(CodeCounter.next_value).where(CodeCounter.kind == "dossier", CodeCounter.day == day))


def server_voids(server: LiveServer) -> list[tuple[int, str]]:
    with server.sessions() as s:
        return [(v.number, v.reason) for v in s.scalars(select(NumberVoid).order_by(NumberVoid.number))]


def local_codes(counter: Counter) -> list[str]:
    with counter.workspace.reading() as (s, _now):
        return list(s.scalars(select(DossierRow.code).order_by(DossierRow.pk)))


def engine_for(counter: Counter) -> SyncEngine:
    return SyncEngine(counter.workspace.store, client_for(counter.credential), centre_id=counter.credential.centre_id)


@pytest.fixture
def online(counter: Counter, client_of: Callable[[Counter], ServerClient]) -> OnlineCodes:
    return sign_in(counter, client_of(counter))


def test_the_days_online_dossiers_are_numbered_0001_0002_by_the_server(
    live_server: LiveServer, counter: Counter, online: OnlineCodes
) -> None:
    day = today(counter)
    # WHEN the clerk saves the day's first two intakes while the server answers
    first = intake_desk.save_intake(counter.workspace, intake_form(), online)
    second = intake_desk.save_intake(counter.workspace, intake_form(), online)
    # THEN their codes are the server's 0001 and 0002, on register lines 1 and 2, from no lease
    assert first.result.dossier.code == f"{AGENCY}-{day:%y%m%d}-0001"
    assert second.result.dossier.code == f"{AGENCY}-{day:%y%m%d}-0002"
    assert (first.result.dossier.register_line, second.result.dossier.register_line) == (1, 2)
    assert (first.source, second.source) == ("server", "server")
    with counter.workspace.reading() as (s, _now):
        assert list(s.scalars(select(DossierRow.lease_id))) == [None, None]
        assert [p["register"]["line"] for p in s.scalars(select(OutboxRow.payload))] == [1, 2]
    assert server_counter(live_server, day) == 3
    # and once pushed, the server applies both as received, with nothing flagged
    engine = engine_for(counter)
    try:
        engine.run_once()
    finally:
        engine.client.close()
    with live_server.sessions() as s:
        assert list(s.scalars(select(OpLogEntry.status).where(OpLogEntry.kind == "dossier.create"))) == [
            "applied",
            "applied",
        ]
        assert s.scalars(select(Conflict)).all() == []


def test_a_refused_form_takes_no_number(live_server: LiveServer, counter: Counter, online: OnlineCodes) -> None:
    day = today(counter)
    # WHEN a form with a bad number of sets is saved
    with pytest.raises(ValidationFailed) as caught:
        intake_desk.save_intake(counter.workspace, intake_form(sets=0), online)
    assert caught.value.fields == ("sets",)
    # and one while this PC's clock is 10 minutes off
    with counter.workspace.writing() as (s, _now):
        device_meta(s).clock_offset_ms = 10 * 60 * 1000
    with pytest.raises(ClockSkewed):
        intake_desk.save_intake(counter.workspace, intake_form(), online)
    with counter.workspace.writing() as (s, _now):
        device_meta(s).clock_offset_ms = 0
    # THEN the server handed out no number, and the next good intake is still the day's 0001
    assert server_counter(live_server, day) is None
    saved = intake_desk.save_intake(counter.workspace, intake_form(), online)
    assert saved.result.dossier.code.endswith("-0001") and saved.source == "server"
    assert local_codes(counter) == [saved.result.dossier.code]


def test_with_the_server_stopped_the_lease_takes_over(
    live_server: LiveServer, counter: Counter, online: OnlineCodes
) -> None:
    # GIVEN a counter whose sync worker leased its offline block while online
    engine = engine_for(counter)
    try:
        engine.run_once()
    finally:
        engine.client.close()
    # WHEN the server stops and the clerk saves an intake
    live_server.stop()
    started = time.monotonic()
    saved = intake_desk.save_intake(counter.workspace, intake_form(), online)
    # THEN it is saved at once with the first number of the lease (the reserved range starts at 7000)
    assert time.monotonic() - started < 2
    assert saved.source == "lease" and saved.result.dossier.register_line >= 7000
    assert saved.result.dossier.code.endswith(f"-{saved.result.dossier.register_line:04d}")
    with counter.workspace.reading() as (s, _now):
        assert s.scalars(select(DossierRow.lease_id)).one() is not None


def test_a_server_that_stops_answering_costs_the_clerk_a_few_seconds_at_most(
    live_server: LiveServer, counter: Counter
) -> None:
    # GIVEN the counter reaches the server through a proxy, with its lease and the clerk signed in
    with FaultProxy("127.0.0.1", live_server.port) as proxy:
        client = ServerClient(proxy.url_for(), counter.credential.device_id, counter.credential.credential)
        try:
            online = sign_in(counter, client)
            engine = SyncEngine(counter.workspace.store, client, centre_id=counter.credential.centre_id)
            engine.run_once()
            # WHEN the network swallows every byte (no refusal, no answer)
            proxy.blackhole()
            started = time.monotonic()
            saved = intake_desk.save_intake(counter.workspace, intake_form(), online)
            elapsed = time.monotonic() - started
        finally:
            client.close()
    # THEN the lease took over after the short online-code timeout, not the sync loop's 10 s
    assert saved.source == "lease" and saved.result.dossier.register_line >= 7000
    assert elapsed < 6, elapsed


def test_a_write_that_fails_after_the_number_was_taken_voids_it_on_the_server(
    live_server: LiveServer, counter: Counter, online: OnlineCodes
) -> None:
    day = today(counter)
    # GIVEN a counter that worked standalone this morning and used number 0001 of a lease of its own
    with counter.workspace.writing() as (s, now):
        leases.grant_lease(s, kind=leases.LeaseKind.DOSSIER_CODE, scope=AGENCY, day=day, start=1, end=5, now=now,
                           source="standalone")  # fmt: skip
        intake.receive_dossier(s, intake_form(), now=now, user_id="clerk")
    assert local_codes(counter) == [f"{AGENCY}-{day:%y%m%d}-0001"]
    # WHEN an online intake gets 0001 from the server and its write fails on the code already held
    with pytest.raises(IntegrityError):
        intake_desk.save_intake(counter.workspace, intake_form(), online)
    # THEN nothing was written, and the server recorded 0001 as an unused number, never to be reissued
    assert local_codes(counter) == [f"{AGENCY}-{day:%y%m%d}-0001"]
    assert server_voids(live_server) == [(1, "intake failed after the code was issued")]
    with counter.workspace.reading() as (s, _now):
        assert s.scalars(select(OutboxRow.kind)).all() == ["dossier.create"]  # the morning's only


def test_a_void_the_server_could_not_take_goes_through_the_outbox(
    live_server: LiveServer, counter: Counter, online: OnlineCodes, monkeypatch: pytest.MonkeyPatch
) -> None:
    day = today(counter)
    real = intake.receive_dossier

    def server_gone_then_disk_full(*_args: Any, **kwargs: Any) -> Any:
        assert kwargs["code_number"] == 1  # the server's number was taken
        live_server.stop()
        raise OSError("disk I/O error")

    # WHEN the write fails after the number was taken, and the server is gone by then
    monkeypatch.setattr(intake, "receive_dossier", server_gone_then_disk_full)
    with pytest.raises(OSError, match="disk I/O error"):
        intake_desk.save_intake(counter.workspace, intake_form(), online)
    monkeypatch.setattr(intake, "receive_dossier", real)
    # THEN the void waits in the outbox as a code.void op
    with counter.workspace.reading() as (s, _now):
        op = s.scalars(select(OutboxRow)).one()
    assert (op.kind, op.status, op.user_id) == ("code.void", "pending", counter.workspace.user_id)
    assert op.payload["numbers"] == [1] and op.payload["day"] == day.isoformat()
    assert server_voids(live_server) == []
    # and once the server is back, the next sync records it there
    live_server.start()
    engine = engine_for(counter)
    try:
        engine.run_once()
    finally:
        engine.client.close()
    assert server_voids(live_server) == [(1, "intake failed after the code was issued")]
    with counter.workspace.reading() as (s, _now):
        assert s.scalars(select(OutboxRow.status)).one() == "applied"
