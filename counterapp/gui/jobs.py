"""Work off the GUI thread (STYLE.md pattern 3): a ``Job`` runs a plain function on a pool thread and reports
back by signals, delivered queued to slots of GUI-thread objects.

Two pools: ``DB`` has one thread, so the counter's SQLite writes never race each other (as Anki's
collection executor); ``IO`` takes network calls and printing, which must not queue behind the database.

    job = Job(lambda: services.call_next(...))
    job.signals.succeeded.connect(self.on_called)   # a @Slot method of a QObject: runs on the GUI thread
    job.signals.failed.connect(self.on_failed)
    start(DB, job)

Connect bound ``@Slot`` methods only: a lambda connected to a signal emitted on a pool thread may run on
that thread (PYSIDE-3124) and touch widgets from it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)

__all__ = ["DB", "IO", "Job", "JobSignals", "start", "wait_idle"]


class JobSignals(QObject):
    succeeded = Signal(object)
    failed = Signal(object)  # the exception
    finished = Signal()  # after either


class Job(QRunnable):
    """``fn()`` on a pool thread. ``fn`` must not touch widgets, nor a Session another thread uses."""

    def __init__(self, fn: Callable[[], Any], *, name: str = "job") -> None:
        super().__init__()
        self.signals = JobSignals()  # created on the GUI thread: its signals are delivered queued there
        self.name = name
        self._fn = fn
        self.setAutoDelete(False)  # ``_running`` holds it until it has reported

    def run(self) -> None:
        try:
            result = self._fn()
        except Exception as exc:  # reported to the caller, who shows it; a bug is also logged here
            if not getattr(exc, "code", None):
                log.exception("background job %s failed", self.name)
            self.signals.failed.emit(exc)
        else:
            self.signals.succeeded.emit(result)
        finally:
            self.signals.finished.emit()


def _pool(threads: int) -> QThreadPool:
    pool = QThreadPool()
    pool.setMaxThreadCount(threads)
    pool.setExpiryTimeout(-1)  # keep the threads: a new one per click would cost a few ms
    return pool


DB = _pool(1)
IO = _pool(4)
_running: set[Job] = set()


def start(pool: QThreadPool, job: Job) -> Job:
    """Start ``job`` on ``pool`` and keep it alive until it has finished (its signals must outlive ``run``)."""
    _running.add(job)
    job.signals.finished.connect(lambda: _running.discard(job))  # bookkeeping only: touches no widget
    pool.start(job)
    return job


def wait_idle(timeout_ms: int = 10_000) -> bool:
    """Wait for both pools to run dry (at shutdown, and in tests)."""
    return DB.waitForDone(timeout_ms) and IO.waitForDone(timeout_ms)
