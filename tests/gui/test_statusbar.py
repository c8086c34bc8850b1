"""Going offline and back with the real sync engine and a real server process: the banner shows, writes
keep working and wait in the outbox, and they drain once the server is back at the same address."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from counterapp.gui.mainwindow import MainWindow
from counterapp.gui.sync_worker import SyncMonitor
from counterapp.services import queue
from counterapp.services.workspace import SignedIn
from counterapp.sync.engine import SyncEngine, SyncStatus, local_now
from counterapp.sync.enrollment import client_for
from tests.liveserver import CLERK, Counter, LiveServer


@pytest.fixture
def monitor(counter: Counter) -> Iterator[SyncMonitor]:
    engine = SyncEngine(counter.workspace.store, client_for(counter.credential), centre_id=counter.credential.centre_id)
    made = SyncMonitor(counter.workspace, engine, poll_ms=200)
    yield made
    made.stop()


def current(monitor: SyncMonitor) -> SyncStatus:
    assert monitor.status is not None
    return monitor.status


def test_offline_banner_pending_count_and_drain(
    qtbot: QtBot, live_server: LiveServer, counter: Counter, monitor: SyncMonitor
):
    counter.workspace.user = SignedIn("u-1", CLERK, "Nguyễn Thị Lan", "clerk")
    window = MainWindow(counter.workspace, sync=monitor)
    qtbot.addWidget(window)
    window.show()
    bar = window.status_bar
    monitor.start()
    # GIVEN a first sync done: online, nothing pending, leases from the server
    qtbot.waitUntil(lambda: monitor.status is not None and monitor.status.last_sync_at is not None, timeout=30_000)
    qtbot.waitUntil(lambda: current(monitor).online and current(monitor).pending_ops == 0, timeout=30_000)
    assert bar.offline_banner.isHidden() and bar.connection_label.text() == "Online"
    assert bar.last_sync_label.text().startswith("Synced ") and "Last sync:" in bar.last_sync_label.toolTip()
    # WHEN the server goes away
    live_server.stop()
    # THEN the banner says so, without blocking the window
    qtbot.waitUntil(lambda: not bar.offline_banner.isHidden(), timeout=30_000)
    assert bar.connection_label.text() == "Offline, retrying" and "Ctrl+R" in bar.connection_label.toolTip()
    assert bar.offline_banner.text() == ("Lost connection to the server — keep working as usual, data will sync later")
    # AND a write still works and waits in the outbox
    with counter.workspace.writing() as (session, _now):
        queue.issue_walkin(session, service_code="HTCT", now=local_now(), user_id="u-1")
    qtbot.waitUntil(lambda: current(monitor).pending_ops >= 1, timeout=5_000)
    assert bar.pending_label.text().startswith("1 change(s) to send")
    assert not bar.offline_banner.isHidden()
    # WHEN the server is back at the same address THEN the outbox drains and the banner goes
    live_server.start()
    qtbot.waitUntil(lambda: current(monitor).pending_ops == 0 and current(monitor).online, timeout=90_000)
    qtbot.waitUntil(lambda: bar.offline_banner.isHidden(), timeout=5_000)
    assert bar.pending_label.text() == "Nothing to send"


def test_printer_state_and_clock_skew(qtbot: QtBot) -> None:
    from counterapp.gui.statusbar import StatusBar

    bar = StatusBar()
    qtbot.addWidget(bar)
    bar.show()
    bar.set_printer_state("Printer: out of paper")
    assert bar.printer_label.text() == "Printer: out of paper" and not bar.printer_label.isHidden()
    skewed = SyncStatus(
        online=True, pending_ops=0, oldest_pending_at=None, last_sync_at=None, last_error=None,
        clock_offset_ms=-420_000, codes_blocked=True, blocked=None, leases_left={"dossier_code:X": 7, "ticket:A": 3},
    )  # fmt: skip
    bar.on_status_changed(skewed)
    assert not bar.skew_banner.isHidden() and "-420 s" in bar.skew_banner.text()
    assert bar.leases_label.text() == "Left: 7 codes · 3 tickets"
    assert "dossier_code:X: 7" in bar.leases_label.toolTip()
