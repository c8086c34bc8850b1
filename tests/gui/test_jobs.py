"""Background jobs: the outcome reaches the GUI thread, and nothing Qt owns is freed on a pool thread.

A QObject freed on a thread other than its own can crash the GUI thread's event loop (a CI run did, when a
job's signals object died with the job on the pool thread). These tests count where each job's signals
object is destroyed and that no job outlives its report."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import gc
import threading
from collections import Counter

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, Slot

from counterapp.gui import jobs

JOBS = 400


class Tally(QObject):
    """Receives results; records which thread each signals object was destroyed on."""

    def __init__(self) -> None:
        super().__init__()
        self.results: list[object] = []
        self.errors: list[BaseException] = []
        self.threads: list[bool] = []  # True: on the GUI thread
        self.destroyed_on: Counter[str] = Counter()
        self.gui = threading.get_ident()

    @Slot(object)
    def on_result(self, result: object) -> None:
        self.results.append(result)
        self.threads.append(threading.get_ident() == self.gui)

    @Slot(object)
    def on_error(self, exc: BaseException) -> None:
        self.errors.append(exc)

    @Slot()
    def on_destroyed(self) -> None:
        self.destroyed_on["gui" if threading.get_ident() == self.gui else "pool"] += 1


def run_jobs(qtbot, tally: Tally, fns: list) -> None:
    for fn in fns:
        job = jobs.Job(fn, name="probe")
        job.signals.succeeded.connect(tally.on_result)
        job.signals.failed.connect(tally.on_error)
        # direct: runs on whichever thread destroys the object, which is what is measured
        job.signals.destroyed.connect(tally.on_destroyed, Qt.ConnectionType.DirectConnection)
        jobs.start(jobs.IO, job)
        QCoreApplication.processEvents()
    qtbot.waitUntil(lambda: jobs.running() == 0, timeout=10_000)
    assert jobs.wait_idle()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


def test_results_and_errors_arrive_on_the_gui_thread_and_signals_die_there(qtbot):
    tally = Tally()

    def fail() -> None:
        raise ValueError("bad input")

    fns = [(lambda i=i: i) for i in range(JOBS)] + [fail] * 10
    run_jobs(qtbot, tally, fns)
    assert sorted(tally.results) == list(range(JOBS))  # type: ignore[type-var]
    assert all(tally.threads)
    assert [str(e) for e in tally.errors] == ["bad input"] * 10
    # with signals emitted from the pool thread, about one in seven died there
    assert tally.destroyed_on == Counter(gui=JOBS + 10)


def test_no_job_outlives_its_report(qtbot):
    class Work:
        alive = 0

        def __init__(self) -> None:
            Work.alive += 1

        def __call__(self) -> int:
            return 1

        def __del__(self) -> None:
            Work.alive -= 1

    tally = Tally()
    run_jobs(qtbot, tally, [Work() for _ in range(JOBS)])
    gc.collect()
    # a QRunnable subclass handed to the pool stayed referenced by it about one time in thirty
    assert Work.alive == 0
    assert not [o for o in gc.get_objects() if isinstance(o, jobs.Job)]
    assert len(tally.results) == JOBS
