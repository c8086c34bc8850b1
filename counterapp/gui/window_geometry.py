"""Where the counter window opens: maximised on the screen it starts on the first time (a clerk works in it
all day; a 1280×720 window on a 1920×1080 screen wastes a third of it), then as the clerk left it.

The geometry lives in ``window.ini`` in the counter's data directory (QSettings, INI format): it belongs to
this PC, never to a clerk or the server, and tests point it at a temporary folder.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow

__all__ = ["SETTINGS_FILE", "restore_or_maximise", "save_geometry", "window_settings"]

SETTINGS_FILE = "window.ini"
GEOMETRY_KEY = "counter_window/geometry"


def window_settings(data_dir: Path) -> QSettings:
    return QSettings(str(data_dir / SETTINGS_FILE), QSettings.Format.IniFormat)


def restore_or_maximise(window: QMainWindow, settings: QSettings | None) -> None:
    """Show ``window`` as it was last closed, or maximised when it never was (or the saved geometry no
    longer fits any screen: Qt then moves it onto one, and a window that was maximised stays so)."""
    saved = settings.value(GEOMETRY_KEY) if settings is not None else None
    if isinstance(saved, QByteArray) and not saved.isEmpty() and window.restoreGeometry(saved):
        window.show()
        return
    window.showMaximized()


def save_geometry(window: QMainWindow, settings: QSettings | None) -> None:
    if settings is None:
        return
    settings.setValue(GEOMETRY_KEY, window.saveGeometry())
    settings.sync()
