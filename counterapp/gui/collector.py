"""Python's cycle collector, run on the GUI thread only.

Left automatic, the collector runs on whichever thread happens to allocate when a threshold is crossed: a
pool thread, the sync thread or the demo's kiosk thread. If the garbage it finds holds a QObject the GUI thread
owns (a closed dialog in a reference cycle), that object's C++ side is destroyed on the wrong thread, and
Qt may crash the GUI thread's event loop. So automatic collection is switched off while the window runs,
and a timer on the GUI thread collects the generations whose thresholds were crossed, as the automatic
collector would (the same pattern as other long-running Qt applications in Python).

A full pass over the window's heap takes ~100 ms on a 2-core office PC: a stall the clerk would feel. So once
the window is up, ``settle`` collects once and freezes what is left (``gc.freeze``): the long-lived objects
(modules, widgets, the catalogue) are no longer scanned, and a full pass then takes well under 1 ms.
"""

from __future__ import annotations

import gc
import logging
import time

from PySide6.QtCore import QObject, QTimer, Slot

log = logging.getLogger(__name__)

__all__ = ["CHECK_MS", "GuiThreadCollector"]

CHECK_MS = 500  # garbage waits at most this long; a young-generation pass costs well under 1 ms
SLOW_MS = 25.0  # a pass longer than this is logged: it is felt at the counter


class GuiThreadCollector(QObject):
    """Switch automatic collection off on ``start`` and collect from a GUI-thread timer until ``stop``."""

    def __init__(self, parent: QObject | None = None, *, check_ms: int = CHECK_MS) -> None:
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        self.passes = 0
        self._was_enabled = gc.isenabled()
        self._timer = QTimer(self)
        self._timer.setInterval(check_ms)
        self._timer.timeout.connect(self.check)

    def start(self) -> None:
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        """Collect what is left here, on the GUI thread, and give collection back to Python."""
        self._timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()

    @Slot()
    def settle(self) -> None:
        """Collect everything once and leave what survives out of later passes (after sign-in: the
        window's one-off pause hides in its opening). Again at the next sign-in, the last window's
        frozen objects are released first."""
        gc.unfreeze()
        gc.collect()
        gc.freeze()

    @Slot()
    def check(self) -> None:
        """Collect the oldest generation whose count passed its threshold (and those younger)."""
        counts = gc.get_count()
        generation = -1
        for gen in range(3):
            if counts[gen] <= self.thresholds[gen]:
                break
            generation = gen
        if generation < 0:
            return
        began = time.perf_counter()
        gc.collect(generation)
        self.passes += 1
        took_ms = (time.perf_counter() - began) * 1000
        if took_ms > SLOW_MS:
            log.info("garbage collection of generation %d took %.1f ms", generation, took_ms)
