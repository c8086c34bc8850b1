"""The sign-in dialog: username, password, the language, and which counter this PC is.

The sign-in itself (network, then ~50 ms of scrypt) runs on the IO pool, so the window never freezes; an
error is shown under the field it concerns. Input is NFC-normalised here, at the boundary.

    dialog = LoginDialog(partial(staff.sign_in, workspace, client), languages=languages, counter_text="Quầy 5")
    dialog.signed_in.connect(controller.on_signed_in)      # StaffSession
    dialog.open()
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counterapp.gui.i18n import LANGUAGES, LanguageManager, arg
from counterapp.gui.jobs import IO, Job, start
from counterapp.services.staff import SignInFailed, StaffSession

__all__ = ["LoginDialog", "sign_in_error_text"]


# QT_TRANSLATE_NOOP marks the texts for lupdate; they are translated when shown (``sign_in_error_text``)
_ERROR_TEXTS: dict[str, str] = {
    "staff.username_required": str(QT_TRANSLATE_NOOP("LoginDialog", "Enter your username.")),
    "staff.password_required": str(QT_TRANSLATE_NOOP("LoginDialog", "Enter your password.")),
    "auth.invalid_credentials": str(QT_TRANSLATE_NOOP("LoginDialog", "Wrong username or password.")),
    "staff.wrong_password": str(QT_TRANSLATE_NOOP("LoginDialog", "Wrong password.")),
    "auth.user_inactive": str(
        QT_TRANSLATE_NOOP("LoginDialog", "This account is deactivated. Ask the centre's administrator.")
    ),
    "auth.wrong_centre": str(QT_TRANSLATE_NOOP("LoginDialog", "This account belongs to another centre.")),
    "staff.offline_unknown": str(
        QT_TRANSLATE_NOOP(
            "LoginDialog",
            "The server cannot be reached, and this user has not signed in on this counter before. "
            "Sign in once while connected.",
        )
    ),
    "staff.offline_expired": str(
        QT_TRANSLATE_NOOP("LoginDialog", "The server cannot be reached, and the offline sign-in has expired.")
    ),
    "staff.device_refused": str(
        QT_TRANSLATE_NOOP("LoginDialog", "The server refused this computer. Call IT to enrol it again.")
    ),
    "auth.throttled": str(QT_TRANSLATE_NOOP("LoginDialog", "Too many wrong passwords. Try again in %1 seconds.")),
}


def sign_in_error_text(exc: BaseException) -> str:
    """The clerk-facing text for a failed sign-in (stable codes → translated sentences)."""
    code = str(getattr(exc, "code", "") or "")
    text = _ERROR_TEXTS.get(code)
    if text is None:
        return arg(QCoreApplication.translate("LoginDialog", "Sign-in failed (%1)."), code or type(exc).__name__)
    if code == "auth.throttled":  # the server's wait, rounded up to whole seconds
        return arg(QCoreApplication.translate("LoginDialog", text), getattr(exc, "params", {}).get("seconds", "?"))
    return QCoreApplication.translate("LoginDialog", text)


def _error_label(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setProperty("role", "error")
    label.setWordWrap(True)
    label.hide()
    return label


class LoginDialog(QDialog):
    signed_in = Signal(object)  # StaffSession

    def __init__(
        self,
        sign_in: Callable[[str, str], StaffSession],
        *,
        languages: LanguageManager | None = None,
        counter_text: str = "",
        username: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._sign_in = sign_in
        self.languages = languages
        self.session: StaffSession | None = None
        self._busy = False

        self.title_label = QLabel(self)
        self.title_label.setProperty("role", "title")
        self.counter_label = QLabel(counter_text, self)
        self.counter_label.setProperty("role", "muted")
        self.username_label = QLabel(self)
        self.username_edit = QLineEdit(username, self)
        self.username_edit.setMaxLength(60)
        self.username_error = _error_label(self)
        self.password_label = QLabel(self)
        self.password_edit = QLineEdit(self)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setMaxLength(1024)
        self.password_error = _error_label(self)
        self.language_label = QLabel(self)
        self.language_combo = QComboBox(self)
        for code, name in LANGUAGES.items():
            self.language_combo.addItem(name, code)
        if languages is not None and languages.language:
            self.language_combo.setCurrentIndex(self.language_combo.findData(languages.language))
        self.error_label = _error_label(self)
        self.buttons = QDialogButtonBox(self)
        self.sign_in_button = QPushButton(self)
        self.sign_in_button.setDefault(True)
        self.buttons.addButton(self.sign_in_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.quit_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)

        form = QFormLayout()
        form.addRow(self.username_label, self.username_edit)
        form.addRow("", self.username_error)
        form.addRow(self.password_label, self.password_edit)
        form.addRow("", self.password_error)
        form.addRow(self.language_label, self.language_combo)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addWidget(self.counter_label)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(480)

        self.buttons.accepted.connect(self.on_sign_in_clicked)
        self.buttons.rejected.connect(self.reject)
        self.language_combo.currentIndexChanged.connect(self.on_language_chosen)
        if languages is not None:
            languages.language_changed.connect(self.on_language_changed)
        self.retranslate_ui()
        (self.password_edit if username else self.username_edit).setFocus()

    # --- i18n ---

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Sign in — counterapp"))
        self.title_label.setText(self.tr("Sign in to the counter"))
        self.username_label.setText(self.tr("Username"))
        self.password_label.setText(self.tr("Password"))
        self.language_label.setText(self.tr("Language"))
        self.sign_in_button.setText(self.tr("Signing in…") if self._busy else self.tr("Sign in"))
        self.quit_button.setText(self.tr("Quit"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    @Slot(int)
    def on_language_chosen(self, index: int) -> None:
        code = self.language_combo.itemData(index)
        if self.languages is not None and isinstance(code, str):
            self.languages.set_language(code)

    @Slot(str)
    def on_language_changed(self, language: str) -> None:
        index = self.language_combo.findData(language)
        if index >= 0 and index != self.language_combo.currentIndex():
            self.language_combo.setCurrentIndex(index)
        self.retranslate_ui()

    # --- signing in ---

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for widget in (self.username_edit, self.password_edit, self.sign_in_button, self.language_combo):
            widget.setEnabled(not busy)
        self.retranslate_ui()

    def _clear_errors(self) -> None:
        for label in (self.username_error, self.password_error, self.error_label):
            label.clear()
            label.hide()
        for edit in (self.username_edit, self.password_edit):
            edit.setProperty("invalid", False)
            edit.style().unpolish(edit)
            edit.style().polish(edit)

    def show_error(self, field: str | None, text: str) -> None:
        """``text`` under ``field`` (``username``/``password``), or under the form if ``None``."""
        label = {"username": self.username_error, "password": self.password_error}.get(field or "", self.error_label)
        label.setText(text)
        label.show()
        edit = {"username": self.username_edit, "password": self.password_edit}.get(field or "")
        if edit is not None:
            edit.setProperty("invalid", True)
            edit.style().unpolish(edit)
            edit.style().polish(edit)
            edit.setFocus()
            edit.selectAll()

    @Slot()
    def on_sign_in_clicked(self) -> None:
        if self._busy:
            return
        self._clear_errors()
        username = unicodedata.normalize("NFC", self.username_edit.text()).strip()
        password = unicodedata.normalize("NFC", self.password_edit.text())
        if not username:
            self.show_error("username", sign_in_error_text(SignInFailed("staff.username_required", "username")))
            return
        if not password:
            self.show_error("password", sign_in_error_text(SignInFailed("staff.password_required", "password")))
            return
        self._set_busy(True)
        sign_in = self._sign_in
        job = Job(lambda: sign_in(username, password), name="sign-in")
        job.signals.succeeded.connect(self.on_sign_in_succeeded)
        job.signals.failed.connect(self.on_sign_in_failed)
        start(IO, job)

    @Slot(object)
    def on_sign_in_succeeded(self, session: StaffSession) -> None:
        self._set_busy(False)
        self.session = session
        self.password_edit.clear()  # not kept in memory longer than needed
        self.signed_in.emit(session)
        self.accept()

    @Slot(object)
    def on_sign_in_failed(self, exc: Exception) -> None:
        self._set_busy(False)
        field = exc.field if isinstance(exc, SignInFailed) else None
        if field == "password":
            self.password_edit.clear()
        self.show_error(field, sign_in_error_text(exc))
