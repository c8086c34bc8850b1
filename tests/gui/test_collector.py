"""The cycle collector runs on the GUI thread only while the window is up (``gui/collector.py``)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import gc
import threading
from collections.abc import Iterator
from typing import ClassVar

import pytest

from counterapp.gui.collector import GuiThreadCollector


class Cyclic:
    """Garbage only the cycle collector can free; records the thread that freed it."""

    freed_on: ClassVar[list[int]] = []

    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        Cyclic.freed_on.append(threading.get_ident())


def allocate_on_a_worker() -> list[list[int]]:
    """What a pool thread does all day: allocate container objects that outlive the call (a query's
    rows), crossing the collector's threshold."""
    kept: list[list[int]] = []

    def load() -> None:
        kept.extend([i] for i in range(5 * gc.get_threshold()[0]))

    worker = threading.Thread(target=load)
    worker.start()
    worker.join()
    return kept


@pytest.fixture
def garbage() -> Iterator[None]:
    gc.collect()
    Cyclic.freed_on.clear()
    Cyclic()  # unreachable at once, kept by its cycle
    yield
    gc.enable()
    gc.collect()


@pytest.mark.automatic_gc
@pytest.mark.usefixtures("garbage")
def test_without_it_a_worker_thread_frees_the_cycle():
    # the hazard itself: automatic collection runs on the thread that allocates
    assert gc.isenabled()
    rows = allocate_on_a_worker()
    assert rows and Cyclic.freed_on and Cyclic.freed_on[0] != threading.get_ident()


@pytest.mark.automatic_gc
@pytest.mark.usefixtures("garbage")
def test_with_it_the_gui_thread_frees_the_cycle(qtbot):
    collector = GuiThreadCollector(check_ms=10)
    collector.start()
    try:
        assert not gc.isenabled()
        rows = allocate_on_a_worker()
        assert Cyclic.freed_on == []  # the worker did not collect
        qtbot.waitUntil(lambda: bool(Cyclic.freed_on), timeout=5_000)
        assert len(rows) > gc.get_threshold()[0]
        assert Cyclic.freed_on == [threading.get_ident()]
        assert collector.passes >= 1
    finally:
        collector.stop()
    assert gc.isenabled()  # given back


@pytest.mark.automatic_gc
@pytest.mark.usefixtures("garbage", "qapp")
def test_a_quiet_timer_tick_collects_nothing():
    collector = GuiThreadCollector(check_ms=10)
    gc.collect()  # counts back to zero
    collector.start()
    try:
        collector.check()
        assert collector.passes == 0
    finally:
        collector.stop()


@pytest.mark.automatic_gc
@pytest.mark.usefixtures("garbage")
def test_settle_freezes_the_survivors_and_frees_the_garbage():
    GuiThreadCollector().settle()
    assert Cyclic.freed_on == [threading.get_ident()]
    assert gc.get_freeze_count() > 1000  # the modules and classes already loaded
    Cyclic()
    assert gc.collect() >= 1  # garbage made after settling is still found
