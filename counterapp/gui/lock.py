"""Auto-lock after inactivity: an event filter on the application's windows restarts a timer on every key,
click or wheel; when it runs out the main window covers its panels and asks the same clerk's password again.

The panels are only hidden, never rebuilt, so nothing typed in them is lost. "Sign out" from the lock
dialog lets another clerk take the counter (the main window then closes)."""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QEvent, QObject, QTimer, Signal, Slot
from PySide6.QtGui import QGuiApplication, QWindow
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counterapp.domain.ticket import Ticket
from counterapp.gui.i18n import arg
from counterapp.gui.jobs import IO, Job, start
from counterapp.gui.login import sign_in_error_text
from counterapp.services.staff import SignInFailed, StaffSession, normalise
from counterapp.services.workspace import SignedIn

__all__ = ["InactivityWatcher", "LockDialog"]

_ACTIVITY = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease,  # a window's very first press can reach only its widget, never its release
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)


class InactivityWatcher(QObject):
    """Emits ``timed_out`` after ``minutes`` without input anywhere in the application (0: never).

    The filter sits on the top-level QWindows, not on the QApplication: every key, click and wheel reaches
    the window before its widgets, but the paints and layouts of the widgets do not. An application-wide
    filter in Python ran for every event of every widget, each call taking the GIL from the DB and print
    threads while a dossier was saved, and stretched the GUI thread's pauses past 50 ms on a slow PC."""

    timed_out = Signal()

    def __init__(self, minutes: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(max(1, int(minutes * 60_000)))
        self._timer.timeout.connect(self.timed_out)
        self._enabled = minutes > 0
        self._windows: list[QWindow] = []
        self._app = QApplication.instance()
        if isinstance(self._app, QGuiApplication):
            self._app.focusWindowChanged.connect(self.watch_window)  # dialogs and menus are windows of their own
            for window in self._app.topLevelWindows():
                self.watch_window(window)
        self.resume()

    @Slot(QWindow)
    def watch_window(self, window: QWindow | None) -> None:
        self._windows = [w for w in self._windows if shiboken6.isValid(w)]  # closed dialogs and menus
        if window is None or any(w is window for w in self._windows):
            return
        window.installEventFilter(self)
        self._windows.append(window)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._enabled and event.type() in _ACTIVITY:
            self._timer.start()  # restart: cheap, and keeps the filter free of per-event allocation
        return False

    @Slot()
    def pause(self) -> None:
        self._timer.stop()

    @Slot()
    def resume(self) -> None:
        if self._enabled:
            self._timer.start()

    def uninstall(self) -> None:
        self._timer.stop()
        if isinstance(self._app, QGuiApplication):
            self._app.focusWindowChanged.disconnect(self.watch_window)
            self._app = None  # once: a close after a sign-out uninstalls again
        for window in self._windows:
            if shiboken6.isValid(window):
                window.removeEventFilter(self)
        self._windows = []


class LockDialog(QDialog):
    """Asks ``user``'s password; accepted when ``verify(password)`` signs in the same user. Finishes with
    ``SIGN_OUT`` when the clerk chooses to sign out instead."""

    SIGN_OUT = 2

    def __init__(
        self,
        user: SignedIn,
        verify: Callable[[str], StaffSession],
        parent: QWidget | None = None,
        *,
        ticket: Ticket | None = None,
    ) -> None:
        super().__init__(parent)
        self.user = user
        self.ticket = ticket  # at the counter when it locked: whoever signs out here should know
        self._verify = verify
        self._busy = False
        self.title_label = QLabel(self)
        self.title_label.setProperty("role", "title")
        self.user_label = QLabel(self)
        self.ticket_label = QLabel(self)
        self.ticket_label.setProperty("role", "warning")
        self.ticket_label.setWordWrap(True)
        self.ticket_label.setVisible(ticket is not None)
        self.password_label = QLabel(self)
        self.password_edit = QLineEdit(self)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_error = QLabel(self)
        self.password_error.setProperty("role", "error")
        self.password_error.setWordWrap(True)
        self.password_error.hide()
        self.buttons = QDialogButtonBox(self)
        self.unlock_button = QPushButton(self)
        self.unlock_button.setDefault(True)
        self.buttons.addButton(self.unlock_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.sign_out_button = QPushButton(self)
        self.buttons.addButton(self.sign_out_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        layout = QVBoxLayout(self)
        for widget in (self.title_label, self.user_label, self.ticket_label, self.password_label,
                       self.password_edit, self.password_error, self.buttons):  # fmt: skip
            layout.addWidget(widget)
        self.setMinimumWidth(520)
        self.buttons.accepted.connect(self.on_unlock_clicked)
        self.sign_out_button.clicked.connect(self.on_sign_out_clicked)
        self.retranslate_ui()
        self.password_edit.setFocus()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Counter locked"))
        self.title_label.setText(self.tr("The counter is locked"))
        self.user_label.setText(arg(self.tr("Signed in: %1 (%2)"), self.user.full_name, self.user.username))
        if self.ticket is not None:
            self.ticket_label.setText(self.tr("Ticket {number} is still at the counter.").format(
                number=self.ticket.number))  # fmt: skip
        self.password_label.setText(self.tr("Enter your password to continue"))
        self.unlock_button.setText(self.tr("Unlocking…") if self._busy else self.tr("Unlock"))
        self.sign_out_button.setText(self.tr("Sign out"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def reject(self) -> None:
        """Escape must not unlock: the dialog only closes by unlocking or signing out."""

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.password_edit.setEnabled(not busy)
        self.unlock_button.setEnabled(not busy)
        self.retranslate_ui()

    @Slot()
    def on_unlock_clicked(self) -> None:
        if self._busy:
            return
        self.password_error.hide()
        password = normalise(self.password_edit.text())
        if not password:
            self._show_error(SignInFailed("staff.password_required", "password"))
            return
        self._set_busy(True)
        verify = self._verify
        job = Job(lambda: verify(password), name="unlock")
        job.signals.succeeded.connect(self.on_unlock_succeeded)
        job.signals.failed.connect(self.on_unlock_failed)
        start(IO, job)

    @Slot(object)
    def on_unlock_succeeded(self, session: StaffSession) -> None:
        self._set_busy(False)
        self.password_edit.clear()
        if session.user.user_id != self.user.user_id:  # the same clerk only: another one signs out first
            self._show_error(SignInFailed("staff.wrong_password", "password"))
            return
        self.accept()

    @Slot(object)
    def on_unlock_failed(self, exc: Exception) -> None:
        self._set_busy(False)
        self.password_edit.clear()
        self._show_error(exc)

    def _show_error(self, exc: BaseException) -> None:
        self.password_error.setText(sign_in_error_text(exc))
        self.password_error.show()
        self.password_edit.setFocus()

    @Slot()
    def on_sign_out_clicked(self) -> None:
        self.done(self.SIGN_OUT)
