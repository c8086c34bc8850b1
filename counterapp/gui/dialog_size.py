"""Dialogs wide enough to read: Qt sizes a dialog to its widgets' hints, which for a list of long Vietnamese
document names or a form with one line edit is far too narrow (the supplement dialog opened 367 px wide with
the names cut, the return dialog 296 px). A dialog gets the width its longest line needs, at least a sensible
minimum, never more than most of the screen; lists wrap what is still longer."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QListWidget

__all__ = ["READABLE_WIDTH", "fit_width"]

READABLE_WIDTH = 560  # a one-field form at the theme's 12 pt: the field holds a full Vietnamese name
MARGIN = 96  # the dialog's margins, a list's frame, its check box and scroll bar


def fit_width(dialog: QDialog, texts: Iterable[str] = (), *, minimum: int = READABLE_WIDTH) -> int:
    """Set ``dialog``'s minimum width for ``texts`` (each on one line if the screen allows); returns it."""
    metrics = dialog.fontMetrics()
    widest = max((metrics.horizontalAdvance(text) for text in texts), default=0) + MARGIN
    screen = dialog.screen() or QGuiApplication.primaryScreen()
    limit = int(screen.availableGeometry().width() * 0.8) if screen is not None else 1000
    width = max(minimum, min(widest, limit))
    dialog.setMinimumWidth(min(width, limit))
    for view in dialog.findChildren(QListWidget):
        view.setWordWrap(True)  # longer than the screen allows: wrapped, never cut
    return width
