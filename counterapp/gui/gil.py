"""The GUI thread gets the GIL back within 1 ms, not Python's default 5 ms.

Every event the window handles runs some Python (the idle-lock event filter sees each one, slots run on
it), and each time the GUI thread must take the GIL from whichever pool thread is busy in Python: saving a
dossier, rendering a receipt PDF. A running thread gives the GIL up only when the switch interval has
passed, so a few dozen handovers of up to 5 ms each made the intake save stall the window for 20–50 ms
(``tests/gui/test_stalls.py``); at 1 ms the same flow's worst gap was 11–19 ms. The interval matters
only while two threads want the GIL, so a pool thread working alone loses nothing.
"""

from __future__ import annotations

import sys

__all__ = ["SWITCH_INTERVAL_S", "favour_gui_thread"]

SWITCH_INTERVAL_S = 0.001


def favour_gui_thread() -> float:
    """Shorten the switch interval for this process; returns the previous one (to restore in tests)."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    return previous
