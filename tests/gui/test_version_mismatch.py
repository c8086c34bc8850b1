"""A counter outside the server's protocol range, in the window (issue 17 point 6): the status bar and the
banner say who must be updated instead of "lost connection", and the counter keeps working offline."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from counterapp.gui.mainwindow import MainWindow
from counterapp.gui.statusbar import StatusBar
from counterapp.gui.sync_worker import SyncMonitor
from counterapp.protocol.messages import PROTOCOL_MAX
from counterapp.server.services.sync import PROTOCOL_RANGE_ENV
from counterapp.services import queue
from counterapp.services.workspace import SignedIn
from counterapp.sync.engine import SyncEngine, SyncStatus, local_now
from counterapp.sync.enrollment import client_for
from tests.liveserver import CLERK, Counter, LiveServer

TOO_OLD = (
    "The server needs a newer version of the counter software — keep working as usual, call IT to update this "
    "computer; data will sync after the update"
)


def offline(mismatch: str | None) -> SyncStatus:
    return SyncStatus(online=False, pending_ops=2, oldest_pending_at=None, last_sync_at=None, last_error="426 …",
                      clock_offset_ms=0, codes_blocked=False, blocked=None, version_mismatch=mismatch)  # fmt: skip


def test_the_status_bar_names_the_side_to_update(qtbot: QtBot):
    bar = StatusBar()
    qtbot.addWidget(bar)
    bar.on_status_changed(offline("counter_too_old"))
    assert bar.connection_label.text() == "Update needed" and bar.offline_banner.text() == TOO_OLD
    assert bar.connection_label.property("state") == "warning"
    bar.on_status_changed(offline("counter_too_new"))
    assert bar.offline_banner.text().startswith("The counter software is newer than the server")
    assert "update the server" in bar.connection_label.toolTip()
    bar.on_status_changed(offline(None))  # a plain network failure again
    assert bar.connection_label.text() == "Offline, retrying"
    assert bar.offline_banner.text().startswith("Lost connection to the server")


@pytest.mark.slow  # a real server process: ~10-20 s on a shared machine
def test_the_window_says_the_server_needs_a_newer_counter_and_keeps_working(
    qtbot: QtBot, live_server: LiveServer, counter: Counter, monkeypatch: pytest.MonkeyPatch
):
    engine = SyncEngine(counter.workspace.store, client_for(counter.credential), centre_id=counter.credential.centre_id)
    monitor = SyncMonitor(counter.workspace, engine, poll_ms=200)
    counter.workspace.user = SignedIn("u-1", CLERK, "Nguyễn Thị Lan", "clerk")
    window = MainWindow(counter.workspace, sync=monitor)
    qtbot.addWidget(window)
    window.show()
    bar = window.status_bar
    try:
        monitor.start()
        # GIVEN a counter that synced with its server
        qtbot.waitUntil(lambda: monitor.status is not None and monitor.status.last_sync_at is not None, timeout=30_000)
        qtbot.waitUntil(lambda: monitor.status is not None and bool(monitor.status.leases_left), timeout=30_000)
        # WHEN the server is upgraded to accept only protocols newer than this counter's (the process inherits it)
        live_server.stop()
        monkeypatch.setenv(PROTOCOL_RANGE_ENV, f"{PROTOCOL_MAX + 1}-{PROTOCOL_MAX + 1}")
        live_server.start()
        monitor.sync_now()
        # THEN the refused hello shows as "update needed", with who must act, not as a lost connection
        qtbot.waitUntil(lambda: bar.connection_label.text() == "Update needed", timeout=30_000)
        assert not bar.offline_banner.isHidden() and bar.offline_banner.text() == TOO_OLD
        # AND local work goes on and waits in the outbox
        with counter.workspace.writing() as (session, _now):
            queue.issue_walkin(session, service_code="HTCT", now=local_now(), user_id="u-1")
        qtbot.waitUntil(lambda: monitor.status is not None and monitor.status.pending_ops >= 1, timeout=5_000)
        assert bar.pending_label.text().startswith("1 change(s) to send")
    finally:
        monitor.stop()
