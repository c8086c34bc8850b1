"""The Qt binding itself: a refcount bug in PySide6 6.12.0 (on Python 3.11, where True and None are not
immortal) made every ``Signal.emit()`` drop a reference to ``True``; a counter window emits thousands of
signals an hour and the process aborted with ``bool_dealloc``. pyproject.toml excludes that release."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QObject, Signal


class Emitter(QObject):
    bare = Signal()
    carrying = Signal(object)


def test_emitting_signals_keeps_the_interpreter_constants_alive(qapp: object) -> None:
    assert qapp is not None
    emitter = Emitter()
    received = [0]  # a count: a list of the values would itself hold references to None

    def count(value: object) -> None:
        received[0] += value is None

    emitter.carrying.connect(count)
    true_before, none_before = sys.getrefcount(True), sys.getrefcount(None)
    for _ in range(500):
        emitter.bare.emit()
        emitter.carrying.emit(None)
    # a few references come and go with the interpreter's own work; 500 lost ones are the bug
    assert abs(sys.getrefcount(True) - true_before) < 50
    assert abs(sys.getrefcount(None) - none_before) < 50
    assert received == [500]
