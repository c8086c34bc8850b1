"""Event-loop stalls on the GUI thread (STYLE.md rule 5: nothing over ~50 ms there) while the clerk runs the
main flows in a real counter window: call-next (F2) with 300 tickets waiting, intake save (Ctrl+S) and
the receipt print job that follows.

A 5 ms ``QTimer`` ticks on the GUI thread; the gap between two ticks beyond the interval is how long the
event loop could not run. A sampler thread grabs the GUI thread's Python stack while a gap is open, so a
failure names the function that held the thread. Gaps are measured only while a flow runs (the window is
built, shown and warmed up first), and a flow whose worst gap is over the limit is run again: a stall
caused by work on the GUI thread recurs every time, a scheduling hiccup of a loaded 2-core CI machine
does not.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Qt, QTimer, Slot

from counterapp.gui import jobs
from counterapp.gui.collector import GuiThreadCollector
from counterapp.gui.intake_panel import IntakePanel
from counterapp.gui.mainwindow import MainWindow
from counterapp.gui.queue_models import Action
from counterapp.gui.queue_panel import QueuePanel
from counterapp.services import leases, queue
from counterapp.services.workspace import Workspace
from tests.counter import AGENCY

from .queuekit import CLERK, make_queue_counter

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")  # offscreen platform noise, as elsewhere

LIMIT_MS = 50.0  # STYLE.md rule 5
TICK_MS = 5
ATTEMPTS = 3  # a flow fails only if every attempt stalls
WAITING = 300
TIMEOUT = 15_000  # generous: a loaded CI machine may be slow without the GUI thread being blocked


@dataclass
class Flow:
    prepare: Callable[[], None]  # not measured: the state the flow starts from
    run: Callable[[], None]  # measured


@dataclass
class Stall:
    gap_ms: float
    where: list[str]  # innermost application/test frames seen while the gap was open ("file:function:line")


@dataclass
class Watch:
    gaps_ms: list[float] = field(default_factory=list)
    stalls: list[Stall] = field(default_factory=list)

    @property
    def worst_ms(self) -> float:
        return max(self.gaps_ms, default=0.0)

    def describe(self) -> str:
        lines = [f"worst gap {self.worst_ms:.1f} ms beyond the {TICK_MS} ms tick over {len(self.gaps_ms)} ticks"]
        for stall in sorted(self.stalls, key=lambda s: -s.gap_ms)[:5]:
            lines.append(f"  {stall.gap_ms:.1f} ms in: {' <- '.join(stall.where) or '(no Python frame of ours)'}")
        return "\n".join(lines)


def _our_frames(frame: object) -> list[str]:
    """The innermost frames from counterapp/ or tests/ (not pytest-qt's waiting loop), innermost first."""
    ours: list[str] = []
    for entry in reversed(traceback.extract_stack(frame)):  # type: ignore[arg-type]
        path = entry.filename.replace("\\", "/")
        if ("/counterapp/" in path or "/tests/" in path) and "/site-packages/" not in path:
            ours.append(f"{Path(path).name}:{entry.name}:{entry.lineno}")
        if len(ours) == 4:
            break
    return ours


class StallWatchdog(QObject):
    """Gaps between ticks of a 5 ms timer on the GUI thread, with the GUI thread's stack during long ones."""

    def __init__(self) -> None:
        super().__init__()
        self._gui_ident = threading.get_ident()
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        self._lock = threading.Lock()
        self._last = 0.0
        self._seen: list[str] = []  # frames sampled during the open gap
        self._watch: Watch | None = None
        self._stop_sampler = threading.Event()
        self._sampler = threading.Thread(target=self._sample, name="stall-sampler", daemon=True)
        self._sampler.start()

    @contextmanager
    def watch(self) -> Iterator[Watch]:
        watch = Watch()
        with self._lock:
            self._last, self._seen, self._watch = time.perf_counter(), [], watch
        self._timer.start()
        try:
            yield watch
        finally:
            self._timer.stop()
            self._close_gap(time.perf_counter())  # a stall right before the end has no tick after it
            with self._lock:
                self._watch = None

    def close(self) -> None:
        self._stop_sampler.set()
        self._sampler.join(1)

    @Slot()
    def _tick(self) -> None:
        self._close_gap(time.perf_counter())

    def _close_gap(self, now: float) -> None:
        with self._lock:
            watch = self._watch
            if watch is None:
                return
            gap_ms = max(0.0, (now - self._last) * 1000 - TICK_MS)
            watch.gaps_ms.append(gap_ms)
            if gap_ms > LIMIT_MS:
                watch.stalls.append(Stall(gap_ms, self._seen))
            self._last, self._seen = now, []

    def _sample(self) -> None:
        # On its own thread: while the GUI thread has not ticked for LIMIT_MS, note where it is.
        while not self._stop_sampler.wait(0.01):
            with self._lock:
                if self._watch is None or time.perf_counter() - self._last < LIMIT_MS / 1000:
                    continue
                frame = sys._current_frames().get(self._gui_ident)
                for where in _our_frames(frame) if frame is not None else []:
                    if where not in self._seen:
                        self._seen.append(where)


# --- the counter ---------------------------------------------------------------------------------------


def make_counter(path: Path) -> Workspace:
    """Counter 5 signed in as the queue kit's clerk, with 300 walk-ins waiting and dossier codes for today."""
    workspace = make_queue_counter(path)
    with workspace.writing() as (session, now):
        for day in (now.date(), now.date() + timedelta(days=1)):  # a run across midnight still has codes
            leases.grant_lease(session, kind=leases.LeaseKind.DOSSIER_CODE, scope=AGENCY, day=day, start=1,
                               end=999, now=now)  # fmt: skip
        for _ in range(WAITING):
            queue.issue_walkin(session, service_code="HTCT", now=now, user_id=CLERK.user_id)
    return workspace


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    opened = make_counter(tmp_path / "counter")
    yield opened
    jobs.wait_idle(15_000)  # no job may outlive the store
    opened.close()


@pytest.fixture
def watchdog() -> Iterator[StallWatchdog]:
    dog = StallWatchdog()
    yield dog
    dog.close()


@pytest.fixture
def window(qtbot, workspace: Workspace) -> Iterator[MainWindow]:
    win = MainWindow(workspace)
    qtbot.addWidget(win, before_close_func=lambda w: (queue_panel(w).stop(), jobs.wait_idle(15_000)))
    with qtbot.waitSignal(queue_panel(win).refreshed, timeout=TIMEOUT):
        win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=TIMEOUT)  # F2 is a window shortcut
    qtbot.waitUntil(lambda: intake_panel(win).picker.list.count() > 0, timeout=TIMEOUT)
    GuiThreadCollector().settle()  # as the app does once the window is up after sign-in
    yield win


def queue_panel(window: MainWindow) -> QueuePanel:
    panel = window.panels["queue"]
    assert isinstance(panel, QueuePanel)
    return panel


def intake_panel(window: MainWindow) -> IntakePanel:
    panel = window.panels["intake"]
    assert isinstance(panel, IntakePanel)
    return panel


def settle(qtbot, panel: QueuePanel | None = None) -> None:
    """Until both pools are idle and the queue panel shows its last refresh (the event loop runs meanwhile)."""
    qtbot.waitUntil(lambda: jobs.DB.activeThreadCount() == 0 and jobs.IO.activeThreadCount() == 0, timeout=TIMEOUT)
    if panel is not None:
        qtbot.waitUntil(lambda: not panel._busy and not panel._refreshing, timeout=TIMEOUT)
    qtbot.wait(30)  # a slot queued by the last job runs inside the watch too


# --- the flows -----------------------------------------------------------------------------------------


def call_next_flow(qtbot, window: MainWindow) -> Flow:
    panel = queue_panel(window)

    def prepare() -> None:
        window.tabs.setCurrentIndex(0)
        settle(qtbot, panel)
        if panel.buttons[Action.FINISH].isEnabled() or panel.buttons[Action.START].isEnabled():
            if panel.buttons[Action.START].isEnabled():  # not measured: settle the ticket at the counter
                with qtbot.waitSignal(panel.refreshed, timeout=TIMEOUT):
                    panel.buttons[Action.START].click()
                settle(qtbot, panel)
            with qtbot.waitSignal(panel.refreshed, timeout=TIMEOUT):
                panel.buttons[Action.FINISH].click()
            settle(qtbot, panel)
        assert panel.buttons[Action.CALL_NEXT].isEnabled()

    def run() -> None:
        before = panel.number_label.text()
        qtbot.keyClick(window, Qt.Key.Key_F2)  # the real path: the window-wide shortcut of the button
        qtbot.waitUntil(lambda: panel.number_label.text() not in (before, "—"), timeout=TIMEOUT)
        settle(qtbot, panel)

    return Flow(prepare, run)


def fill_intake(qtbot, panel: IntakePanel, id_number: str = "001190012345") -> None:
    """As tests/gui/test_intake_panel.py does: an ASCII query for the procedure, setText for Vietnamese."""
    panel.picker.query_edit.clear()
    qtbot.keyClicks(panel.picker.query_edit, "1.004873")  # the full code chooses it
    assert panel.picker.current is not None and panel.picker.current.code == "1.004873"
    a = panel.applicant
    a.name_edit.setText("Nguyễn Thị Tuyến")
    a.id_edit.setText(id_number)
    a.dob_edit.setText("17/05/1990")
    a.phone_edit.setText("0912345678")
    a.email_edit.setText("tuyen@example.vn")
    a.address_edit.setText("Số 12 ngõ 34 phố Hàng Bông, Hoàn Kiếm, Hà Nội")


def intake_flow(qtbot, window: MainWindow) -> Flow:
    panel = intake_panel(window)

    def prepare() -> None:
        window.tabs.setCurrentIndex(1)
        settle(qtbot)
        panel.new_form()
        fill_intake(qtbot, panel)
        panel.applicant.name_edit.setFocus()  # Ctrl+S (the window's key) pressed in a field, as a clerk does
        qtbot.waitUntil(panel.applicant.name_edit.hasFocus, timeout=TIMEOUT)

    def run() -> None:
        # save, the code shown, then the receipt print job on the IO pool until it reports
        with qtbot.waitSignal(panel.prints_finished, timeout=TIMEOUT) as printed:
            qtbot.keyClick(panel.applicant.name_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        assert panel.code_label.text().startswith(AGENCY)
        assert [j.status for j in printed.args[0]] == ["printed"]
        settle(qtbot)

    return Flow(prepare, run)


FLOWS = {"call-next (F2), 300 waiting": call_next_flow, "intake save (Ctrl+S) + receipt print": intake_flow}


def measure(qtbot, watchdog: StallWatchdog, flow: Flow) -> Watch:
    """Run ``flow`` up to ATTEMPTS times; the attempt with the smallest worst gap (all of them, if it stalls)."""
    watches: list[Watch] = []
    for _ in range(ATTEMPTS):
        flow.prepare()
        with watchdog.watch() as watch:
            qtbot.wait(20)  # a few ticks first, so the flow starts on a running loop
            flow.run()
        watches.append(watch)
        if watch.worst_ms <= LIMIT_MS:
            break
    return min(watches, key=lambda w: w.worst_ms)


def warm_up(qtbot, window: MainWindow) -> None:
    """Each flow once, unmeasured: first paints, lazy imports, the first receipt's glyph cache."""
    for make in FLOWS.values():
        flow = make(qtbot, window)
        flow.prepare()
        flow.run()


# --- tests ---------------------------------------------------------------------------------------------


def test_the_watchdog_sees_a_deliberate_stall(qtbot, watchdog):
    """The test can fail: 100 ms of sleep on the GUI thread is a stall, and the sampler says where."""

    def block_the_gui_thread() -> None:
        time.sleep(0.1)

    with watchdog.watch() as watch:
        qtbot.wait(30)
        QTimer.singleShot(10, block_the_gui_thread)
        qtbot.wait(150)
    assert watch.worst_ms >= 90, watch.describe()
    assert any("test_stalls.py:block_the_gui_thread" in w for s in watch.stalls for w in s.where), watch.describe()
    with watchdog.watch() as quiet:
        qtbot.wait(150)
    assert len(quiet.gaps_ms) >= 5  # it ticks while the loop is free


# slow: a 50 ms limit measured on the GUI thread holds only on a machine the test has to itself (not beside
# another pytest worker): `make test-slow` runs it serially
@pytest.mark.slow
@pytest.mark.parametrize("name", list(FLOWS))
def test_no_stall_over_50_ms_on_the_gui_thread(qtbot, window, watchdog, name):
    warm_up(qtbot, window)
    watch = measure(qtbot, watchdog, FLOWS[name](qtbot, window))
    print(f"{name}: {watch.describe()}")  # noqa: T201 (shown with -s / -rA: the worst gap is the result)
    assert watch.worst_ms <= LIMIT_MS, f"{name}: {watch.describe()}"
