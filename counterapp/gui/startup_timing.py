"""``COUNTERAPP_EXIT_ON_LOGIN``: how the start of the (frozen) app is timed. When the variable is set, the app
quits as soon as the sign-in dialog has been painted once, after printing how long after the process
started that was (read from ``/proc`` on Linux; elsewhere only the quit happens, to be timed from outside).
The process start is the kernel's, so the time holds everything before Python too (PyInstaller's bootloader,
loading the libraries). Used by packaging/test-deb.sh and described in packaging/README.md."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

__all__ = ["EXIT_ON_LOGIN_ENV", "exit_when_painted", "process_age_s"]

EXIT_ON_LOGIN_ENV = "COUNTERAPP_EXIT_ON_LOGIN"


def process_age_s() -> float | None:
    """Seconds since this process started (10 ms resolution), or None where /proc is not there."""
    try:
        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22, starttime, in clock ticks after boot
        return float(Path("/proc/uptime").read_text().split()[0]) - started
    except (OSError, ValueError, IndexError):
        return None


class _QuitWhenPainted(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            age = process_age_s()
            if age is not None:
                sys.stderr.write(f"counterapp: sign-in window painted {age:.2f} s after the process started\n")
            QTimer.singleShot(0, QApplication.quit)
        return False


def exit_when_painted(window: QWidget) -> None:
    """If ``COUNTERAPP_EXIT_ON_LOGIN`` is set: quit once ``window`` has been painted."""
    if os.environ.get(EXIT_ON_LOGIN_ENV):
        window.installEventFilter(_QuitWhenPainted(window))
