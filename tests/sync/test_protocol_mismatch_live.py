"""A counter outside the server's protocol range (issue 17 point 6), against a real server process: the
sync round is refused, the status says which side must be updated, and the counter keeps working offline
(its writes wait in the outbox)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from counterapp.cli.main import main
from counterapp.protocol import client as protocol_client
from counterapp.protocol.client import Refused
from counterapp.protocol.messages import PROTOCOL_MAX
from counterapp.server.services.sync import PROTOCOL_RANGE_ENV
from counterapp.services import queue
from counterapp.sync import versions
from counterapp.sync.engine import SyncEngine, local_now, status
from counterapp.sync.enrollment import client_for
from tests.liveserver import Counter, LiveServer, drain_jobs, enrolled_counter

pytestmark = pytest.mark.slow  # real server processes, started (and restarted) with another range: ~10-20 s each


@pytest.fixture
def server_factory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    started: list[LiveServer] = []

    def start(protocols: str | None) -> LiveServer:
        if protocols is None:
            monkeypatch.delenv(PROTOCOL_RANGE_ENV, raising=False)
        else:  # the server process inherits it
            monkeypatch.setenv(PROTOCOL_RANGE_ENV, protocols)
        directory = tmp_path / f"server{len(started)}"
        directory.mkdir()
        server = LiveServer(directory)
        started.append(server)
        server.start()
        return server

    yield start
    for server in started:
        server.close()


def refused_round(made: Counter) -> Refused:
    client = client_for(made.credential)
    engine = SyncEngine(made.workspace.store, client, centre_id=made.credential.centre_id)
    try:
        with pytest.raises(Refused) as refused:
            engine.run_once()
    finally:
        client.close()
    return refused.value


def test_a_counter_older_than_the_server_says_so_and_keeps_working(
    server_factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    # GIVEN a counter in use: enrolled, synced once with the server it was installed with
    server = server_factory(None)
    made = enrolled_counter(server, tmp_path / "counter")
    try:
        client = client_for(made.credential)
        try:
            SyncEngine(made.workspace.store, client, centre_id=made.credential.centre_id).run_once()
        finally:
            client.close()
        # WHEN the server is upgraded to accept only protocols above this counter's
        server.stop()
        monkeypatch.setenv(PROTOCOL_RANGE_ENV, f"{PROTOCOL_MAX + 1}-{PROTOCOL_MAX + 2}")
        server.start()
        # THEN the hello is refused and the status names the counter as too old
        assert refused_round(made).code == "sync.protocol_unsupported"
        current = status(made.workspace.store)
        assert (current.online, current.version_mismatch) == (False, versions.COUNTER_TOO_OLD)
        assert current.last_error is not None and f"protocol {PROTOCOL_MAX + 1} to" in current.last_error
        # AND local work goes on, waiting in the outbox
        with made.workspace.writing() as (session, _now):
            queue.issue_walkin(session, service_code="HTCT", now=local_now(), user_id="u-1")
        assert status(made.workspace.store).pending_ops == 1
        # AND `counterapp status` says it in words
        assert main(["status", "--data-dir", str(made.path)]) == 0
        assert "Máy chủ cần phiên bản mới hơn của phần mềm quầy" in capsys.readouterr().out
    finally:
        drain_jobs()
        made.workspace.close()


def test_a_counter_newer_than_the_server_says_the_server_needs_updating(
    server_factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # GIVEN a server with its own range, and a counter build whose protocol is past it
    server = server_factory(None)
    made = enrolled_counter(server, tmp_path / "counter")
    monkeypatch.setattr(protocol_client, "PROTOCOL_MAX", PROTOCOL_MAX + 1)
    monkeypatch.setattr(versions, "PROTOCOL_MAX", PROTOCOL_MAX + 1)
    try:
        assert refused_round(made).status == 426
        assert status(made.workspace.store).version_mismatch == versions.COUNTER_TOO_NEW
        # WHEN the build matches again THEN the next round clears it
        monkeypatch.setattr(protocol_client, "PROTOCOL_MAX", PROTOCOL_MAX)
        client = client_for(made.credential)
        try:
            SyncEngine(made.workspace.store, client, centre_id=made.credential.centre_id).run_once()
        finally:
            client.close()
        current = status(made.workspace.store)
        assert current.online and current.version_mismatch is None
    finally:
        drain_jobs()
        made.workspace.close()
