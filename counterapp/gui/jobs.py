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
import sys
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)

__all__ = ["DB", "IO", "Job", "JobSignals", "running", "start", "wait_idle"]


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
        # auto-delete (the default): the pool frees the C++ side after run; the reaper holds the signals

    def run(self) -> None:
        # Qt's pool threads are not Python's: a tracer set with threading.settrace (coverage, a debugger)
        # never reaches them unless passed on here
        tracer = threading.gettrace()
        if tracer is not None:
            sys.settrace(tracer)
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


class _Reaper(QObject):
    """Holds each started job until its ``finished`` reaches the GUI thread (its signals must outlive
    ``run``), then lets it go. A lambda closing over the job, connected to the job's own signal, would make
    a cycle through Qt that Python's collector cannot see: every job of the day would stay in memory."""

    def __init__(self) -> None:
        super().__init__()
        self.running: dict[JobSignals, Job] = {}

    def hold(self, job: Job) -> None:
        self.running[job.signals] = job
        job.signals.finished.connect(self.on_job_finished)

    @Slot()
    def on_job_finished(self) -> None:
        signals = self.sender()
        if isinstance(signals, JobSignals):
            self.running.pop(signals, None)


_reaper: _Reaper | None = None


def start(pool: QThreadPool, job: Job) -> Job:
    """Start ``job`` on ``pool`` (from the GUI thread) and keep it alive until it has reported."""
    global _reaper
    if _reaper is None:  # made on first use, on the GUI thread, after the application exists
        _reaper = _Reaper()
    _reaper.hold(job)
    pool.start(job)
    return job


def running() -> int:
    """Jobs started and not yet reported (for tests and the shutdown)."""
    return 0 if _reaper is None else len(_reaper.running)


def wait_idle(timeout_ms: int = 10_000) -> bool:
    """Wait for both pools to run dry (at shutdown, and in tests)."""
    return DB.waitForDone(timeout_ms) and IO.waitForDone(timeout_ms)
