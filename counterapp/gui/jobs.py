"""Work off the GUI thread (STYLE.md pattern 3): a ``Job`` runs a plain function on a pool thread and reports
back by signals emitted on the GUI thread.

Two pools: ``DB`` has one thread, so the counter's SQLite writes never race each other (as Anki's
collection executor); ``IO`` takes network calls and printing, which must not queue behind the database.

    job = Job(lambda: services.call_next(...))
    job.signals.succeeded.connect(self.on_called)   # a slot of a GUI-thread object
    job.signals.failed.connect(self.on_failed)
    start(DB, job)

A QObject must be destroyed on its own thread. The pool thread therefore never emits a signal, nor holds
the last reference to one: it posts the outcome to the job's ``JobSignals`` (``postEvent`` is thread-safe),
the GUI thread emits ``succeeded``/``failed`` and ``finished``, then deletes the object (``deleteLater``); it
is a child of a GUI-thread holder meanwhile, so no reference dropped on the pool thread can free it. When
the pool thread emitted, one job in seven freed its signals object there, and a CI run crashed in the GUI
thread's event loop. The pool runs ``Job.run`` as a plain callable: a ``QRunnable`` subclass stayed
referenced by the pool's wrapper about one time in thirty, with its function and result.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)

__all__ = ["DB", "IO", "Job", "JobSignals", "running", "start", "wait_idle"]

_DONE = QEvent.Type(QEvent.registerEventType())


class JobSignals(QObject):
    """A job's outcome, emitted on the GUI thread: ``succeeded(result)`` or ``failed(exception)``, then
    ``finished``."""

    succeeded = Signal(object)
    failed = Signal(object)  # the exception
    finished = Signal()

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._outcome: tuple[Any, BaseException | None] = (None, None)

    def post(self, result: Any, error: BaseException | None) -> None:
        """From the pool thread: hand the outcome to the GUI thread (the only call made from there)."""
        self._outcome = (result, error)
        QCoreApplication.postEvent(self, QEvent(_DONE))

    def customEvent(self, event: QEvent) -> None:
        if event.type() != _DONE:
            super().customEvent(event)
            return
        (result, error), self._outcome = self._outcome, (None, None)
        if error is None:
            self.succeeded.emit(result)
        else:
            self.failed.emit(error)
        self.finished.emit()


class Job:
    """``fn()`` on a pool thread. ``fn`` must not touch widgets, nor a Session another thread uses; it and
    its result hold plain data only (they may be freed on the pool thread)."""

    def __init__(self, fn: Callable[[], Any], *, name: str = "job") -> None:
        self.signals = _holder().adopt()  # made on the GUI thread, owned there
        self.name = name
        self._fn = fn

    def run(self) -> None:
        # Qt's pool threads are not Python's: a tracer set with threading.settrace (coverage, a debugger)
        # never reaches them unless passed on here
        tracer = threading.gettrace()
        if tracer is not None:
            sys.settrace(tracer)
        result: Any = None
        error: BaseException | None = RuntimeError(f"job {self.name} was interrupted")
        try:
            result, error = self._fn(), None
        except Exception as exc:  # reported to the caller, who shows it; a bug is also logged here
            if not getattr(exc, "code", None):
                log.exception("background job %s failed", self.name)
            error = exc
        finally:
            self.signals.post(result, error)


def _pool(threads: int) -> QThreadPool:
    pool = QThreadPool()
    pool.setMaxThreadCount(threads)
    pool.setExpiryTimeout(-1)  # keep the threads: a new one per click would cost a few ms
    return pool


DB = _pool(1)
IO = _pool(4)


class _Holder(QObject):
    """Parent of every job's signals (so no Python reference dropped on a pool thread can delete one) and
    the count of jobs started and not yet reported."""

    def __init__(self) -> None:
        super().__init__()
        self.running: set[JobSignals] = set()

    def adopt(self) -> JobSignals:
        return JobSignals(self)

    def hold(self, signals: JobSignals) -> None:
        self.running.add(signals)
        signals.finished.connect(self.on_job_finished)

    @Slot()
    def on_job_finished(self) -> None:
        signals = self.sender()
        if isinstance(signals, JobSignals):
            self.running.discard(signals)
            signals.deleteLater()  # on this (the GUI) thread, after the signal's other slots


_holder_instance: _Holder | None = None


def _holder() -> _Holder:
    global _holder_instance
    if _holder_instance is None:  # made on first use, on the GUI thread, after the application exists
        _holder_instance = _Holder()
    return _holder_instance


def start(pool: QThreadPool, job: Job) -> Job:
    """Start ``job`` on ``pool`` (from the GUI thread); its signals live until it has reported."""
    _holder().hold(job.signals)
    pool.start(job.run)
    return job


def running() -> int:
    """Jobs started and not yet reported (for tests and the shutdown)."""
    return 0 if _holder_instance is None else len(_holder_instance.running)


def wait_idle(timeout_ms: int = 10_000) -> bool:
    """Wait for both pools to run dry (at shutdown, and in tests)."""
    return DB.waitForDone(timeout_ms) and IO.waitForDone(timeout_ms)
