"""A tab's panel inside a scroll area that scrolls only when the panel truly does not fit.

``QScrollArea.setWidgetResizable(True)`` asks a panel with word-wrapped labels for its height *for the
width* — its preferred height, not its minimum — and shows a scroll bar long before anything is cut
(the queue panel scrolled its held list's button out of view at 1366×768 while it fit). Here the panel gets
the viewport's size, never less than its minimum size: a scroll bar means something would be cut off.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QScrollArea, QStyle, QWidget

__all__ = ["PanelScroll"]


class PanelScroll(QScrollArea):
    def __init__(self, panel: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(False)
        self.setWidget(panel)
        panel.installEventFilter(self)  # its minimum changes when errors or rows appear

    def minimum_panel_size(self) -> QSize:
        panel = self.widget()
        return QSize() if panel is None else panel.minimumSizeHint().expandedTo(panel.minimumSize())

    def fits(self) -> bool:
        """Whether the panel is shown whole, without scrolling (what the layout tests hold to)."""
        minimum, room = self.minimum_panel_size(), self.maximumViewportSize()
        return minimum.width() <= room.width() and minimum.height() <= room.height()

    def _fit(self) -> None:
        panel = self.widget()
        if panel is None:
            return
        minimum, room = self.minimum_panel_size(), self.maximumViewportSize()
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        width, height = room.width(), room.height()
        if minimum.height() > height:
            width -= bar  # the vertical bar takes its room from the width
        if minimum.width() > width:
            height -= bar
        size = QSize(max(width, minimum.width()), max(height, minimum.height()))
        if panel.size() != size:  # nothing else: every layout request of the panel comes here
            panel.resize(size)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self._fit()
        return super().eventFilter(watched, event)
