"""The sync engine in its own thread, and the status the window shows (STYLE.md rule 7).

* ``SyncWorker`` (a QObject moved to a QThread, OpenLP's ``run_thread`` shape) runs the blocking
  ``SyncEngine.run_forever``. Its thread is busy inside that call, so ``sync_now``/``stop`` are plain
  thread-safe methods (they set the engine's events) rather than queued slots, which would never run.
* ``SyncMonitor`` lives on the GUI thread: it owns the worker's thread, polls ``status(store)`` on the DB
  pool every second and right after each local write (``Workspace.after_write`` also pokes the engine,
  so the push starts at once), and emits ``status_changed(SyncStatus)`` and ``online_changed(bool)``.
  A status read that fails is logged and skipped (Anki's rule: status checks may fail silently).
"""

from __future__ import annotations

import logging
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from counterapp.gui.jobs import DB, Job, start
from counterapp.services.workspace import Workspace

if TYPE_CHECKING:  # loaded by the first status read, on a pool thread: not on the start-up path
    from counterapp.sync.engine import SyncEngine, SyncStatus

log = logging.getLogger(__name__)

__all__ = ["POLL_MS", "SyncMonitor", "SyncWorker"]

POLL_MS = 1000


class SyncWorker(QObject):
    """Runs ``engine.run_forever`` on the thread it is moved to."""

    failed = Signal(str)  # the engine died of a bug; sync has stopped (the counter still works)
    finished = Signal()

    def __init__(self, engine: SyncEngine) -> None:
        super().__init__()
        self.engine = engine

    @Slot()
    def run(self) -> None:
        try:
            self.engine.run_forever()
        except Exception as exc:  # a bug in the engine: say so, the window keeps working offline
            log.exception("the sync engine stopped")
            self.failed.emit(type(exc).__name__)
        finally:
            self.finished.emit()
            # quit from here: a queued quit would wait for the GUI thread, which may be blocked in stop()
            self.thread().quit()

    def sync_now(self) -> None:
        self.engine.retry_now()

    def stop(self) -> None:
        self.engine.stop()


class SyncMonitor(QObject):
    """Starts/stops the worker thread and publishes the sync status. It owns ``engine`` (and closes its
    client on ``stop``). ``engine`` ``None``: a counter that is not enrolled still shows what is pending."""

    status_changed = Signal(object)  # SyncStatus
    online_changed = Signal(bool)
    failed = Signal(str)
    _wrote = Signal()  # emitted on the writing thread; queued to ``_soon.start`` on the GUI thread

    def __init__(
        self, workspace: Workspace, engine: SyncEngine | None, *, poll_ms: int = POLL_MS, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.engine = engine
        self.status: SyncStatus | None = None
        self._thread: QThread | None = None
        self._worker: SyncWorker | None = None
        self._reading = False
        self._again = False
        self._stopped = False
        self._timer = QTimer(self)
        self._timer.setInterval(poll_ms)
        self._timer.timeout.connect(self.refresh)
        # after a write, refresh on the GUI thread: the hook runs on the DB pool thread
        self._soon = QTimer(self)
        self._soon.setSingleShot(True)
        self._soon.setInterval(50)
        self._soon.timeout.connect(self.refresh)
        self._wrote.connect(self._soon.start)

    def start(self) -> None:
        self.workspace.after_write.append(self._after_write)
        if self.engine is not None:
            self._thread = QThread(self)
            self._thread.setObjectName("counterapp-sync")
            self._worker = SyncWorker(self.engine)
            self._worker.moveToThread(self._thread)
            self._thread.started.connect(self._worker.run)
            self._worker.failed.connect(self.failed)
            self._thread.start()
        self._timer.start()
        self.refresh()

    def _after_write(self) -> None:
        """``Workspace.after_write`` hook: on whichever thread wrote. Thread-safe calls only."""
        if self.engine is not None:
            self.engine.poke()
        self._wrote.emit()

    @Slot()
    def sync_now(self) -> None:
        if self._worker is not None:
            self._worker.sync_now()

    @Slot()
    def refresh(self) -> None:
        """Read the status on the DB pool; one read at a time (a slow disk must not pile them up)."""
        if self._stopped:
            return
        if self._reading:
            self._again = True
            return
        self._reading = True
        job = Job(partial(_read_status, self.workspace), name="sync-status")
        job.signals.succeeded.connect(self.on_status_read)
        job.signals.failed.connect(self.on_status_failed)
        start(DB, job)

    @Slot(object)
    def on_status_read(self, current: SyncStatus) -> None:
        self._reading = False
        if self._stopped:
            return
        was = self.status
        self.status = current
        self.status_changed.emit(current)
        if was is None or was.online != current.online:
            self.online_changed.emit(current.online)
        if self._again:
            self._again = False
            self.refresh()

    @Slot(object)
    def on_status_failed(self, exc: Exception) -> None:
        self._reading = False
        log.info("sync status not read: %s", type(exc).__name__)

    def stop(self, timeout_ms: int = 10_000) -> None:
        """Stop polling and the engine; wait for its thread (the engine returns within a second)."""
        if self._stopped:
            return
        self._stopped = True
        self._timer.stop()
        self._soon.stop()
        if self._after_write in self.workspace.after_write:
            self.workspace.after_write.remove(self._after_write)
        if self._worker is not None and self._thread is not None:
            self._worker.stop()
            if not self._thread.wait(timeout_ms):
                log.warning("the sync thread did not stop within %d ms", timeout_ms)
        if self.engine is not None:
            self.engine.client.close()


def _read_status(workspace: Workspace) -> SyncStatus:
    from counterapp.sync.engine import status

    return status(workspace.store)
