"""The inactivity watcher: real input on any of the app's windows keeps the counter unlocked, and the
widgets' own events (paints, layouts) never reach its Python filter, so it costs the GUI thread nothing
while the DB and print threads hold the GIL (tests/gui/test_stalls.py measured 45 ms pauses with an
application-wide filter)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from counterapp.gui.lock import InactivityWatcher


class CountingWatcher(InactivityWatcher):
    def __init__(self, minutes: float, parent: QObject | None = None) -> None:
        self.seen: list[QEvent.Type] = []
        super().__init__(minutes, parent)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        self.seen.append(event.type())
        return super().eventFilter(watched, event)


def make_window(qtbot: QtBot) -> tuple[QWidget, QLineEdit, QLabel]:
    window = QWidget()
    qtbot.addWidget(window)
    layout = QVBoxLayout(window)
    edit, label = QLineEdit(window), QLabel("A015", window)
    layout.addWidget(edit)
    layout.addWidget(label)
    window.resize(400, 200)
    return window, edit, label


def test_a_key_on_the_window_or_on_a_dialog_restarts_the_timer(qtbot: QtBot):
    window, edit, _ = make_window(qtbot)
    watcher = CountingWatcher(10, window)
    window.show()
    window.activateWindow()
    qtbot.waitActive(window)  # the platform's focusWindowChanged: the watcher takes the window
    edit.setFocus()
    watcher._timer.stop()
    # a key as the platform delivers it: to the QWindow first, then to the focused widget
    qtbot.keyClick(window.windowHandle(), Qt.Key.Key_A)
    assert watcher._timer.isActive() and edit.text() == "a"
    # a dialog is a window of its own: watched once it shows
    dialog = QDialog(window)
    QVBoxLayout(dialog).addWidget(QLineEdit(dialog))
    dialog.show()
    dialog.activateWindow()
    qtbot.waitActive(dialog)
    watcher._timer.stop()
    qtbot.keyClick(dialog.windowHandle(), Qt.Key.Key_B)
    assert watcher._timer.isActive()
    watcher.uninstall()
    watcher.uninstall()  # twice, as a close after a sign-out does
    watcher._timer.stop()
    qtbot.keyClick(window.windowHandle(), Qt.Key.Key_C)
    assert not watcher._timer.isActive()  # uninstalled: nothing restarts it


def test_widget_paints_never_reach_the_filter(qtbot: QtBot):
    window, _, label = make_window(qtbot)
    watcher = CountingWatcher(10, window)
    window.show()
    qtbot.waitExposed(window)
    watcher.watch_window(window.windowHandle())
    watcher.seen.clear()
    for text in ("A016", "A017", "A018"):
        label.setText(text)
        label.repaint()  # a synchronous paint of a child widget
    assert QEvent.Type.Paint not in watcher.seen, watcher.seen
    assert len(watcher.seen) < 5, watcher.seen
