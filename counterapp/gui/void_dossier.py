"""Voiding a dossier received by mistake (the wrong procedure chosen, a receipt printed for it): the way out
the window lacked. Codes are final: the dossier keeps its code and register line, marked withdrawn with the
clerk's reason, and the code is never given again. The service allows it the same day, at the counter that
received it, while the dossier is still "received"; the server confirms it (or refuses it as too late).

``VoidFlow`` is used by the intake screen (right after saving) and by the dossiers tab (the detail)."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counterapp.domain.dossier import Dossier
from counterapp.domain.text import clean
from counterapp.gui import jobs
from counterapp.services import intake_desk
from counterapp.services.workspace import Workspace

__all__ = ["VOID_ERROR_TEXT", "VoidDialog", "VoidFlow", "void_error_text"]

VOID_ERROR_TEXT: dict[str, str] = {
    "reason.required": str(QT_TRANSLATE_NOOP("VoidDialog", "Write why the dossier is voided.")),
    "reason.too_long": str(QT_TRANSLATE_NOOP("VoidDialog", "The reason is too long: at most 500 characters.")),
    "dossier.already_withdrawn": str(QT_TRANSLATE_NOOP("VoidDialog", "This dossier is already withdrawn.")),
    "dossier.void_not_received": str(
        QT_TRANSLATE_NOOP("VoidDialog", "Only a dossier still waiting to be processed can be voided here.")
    ),
    "dossier.void_not_today": str(
        QT_TRANSLATE_NOOP("VoidDialog", "Only a dossier received today can be voided here; ask the back office.")
    ),
    "dossier.void_other_counter": str(
        QT_TRANSLATE_NOOP("VoidDialog", "Only the counter that received the dossier can void it.")
    ),
    "not_found": str(QT_TRANSLATE_NOOP("VoidDialog", "There is no such dossier on this counter.")),
}
VOID_OTHER = QT_TRANSLATE_NOOP("VoidDialog", "The dossier was not voided ({code}).")


def void_error_text(exc: BaseException) -> str:
    code = getattr(exc, "code", "") or ""
    fields = [e.code for e in getattr(exc, "errors", ())]
    code = next((c for c in fields if c in VOID_ERROR_TEXT), code)
    known = VOID_ERROR_TEXT.get(code)
    return QCoreApplication.translate("VoidDialog", known or str(VOID_OTHER)).format(code=code or type(exc).__name__)


class VoidDialog(QDialog):
    """Asks the reason; emits ``void_requested(reason)`` and waits for the flow to accept it or show why not."""

    void_requested = Signal(str)

    def __init__(self, code: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.code = code
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.reason_label = QLabel()
        self.reason_edit = QPlainTextEdit()
        self.reason_edit.setTabChangesFocus(True)
        self.reason_edit.setMaximumHeight(90)
        self.reason_label.setBuddy(self.reason_edit)
        self.error_label = QLabel()
        self.error_label.setProperty("role", "error")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.void_button = QPushButton()
        self.buttons.addButton(self.void_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setDefault(True)  # Enter does not void
        layout = QVBoxLayout(self)
        for widget in (self.intro, self.reason_label, self.reason_edit, self.error_label, self.buttons):
            layout.addWidget(widget)
        self.buttons.accepted.connect(self.on_void_clicked)
        self.buttons.rejected.connect(self.reject)
        self.setMinimumWidth(600)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Void a dossier received by mistake"))
        self.intro.setText(self.tr(
            "Dossier {code} will be withdrawn. Its code is never given again and the register keeps the line "
            "as withdrawn. Take the dossier in again under the right procedure.").format(code=self.code))  # fmt: skip
        self.reason_label.setText(self.tr("&Reason"))
        self.reason_edit.setPlaceholderText(self.tr("e.g. wrong procedure chosen"))
        self.void_button.setText(self.tr("Void the dossier"))

    def reason(self) -> str:
        return clean(self.reason_edit.toPlainText())

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()
        self.void_button.setEnabled(True)

    @Slot()
    def on_void_clicked(self) -> None:
        if not self.reason():
            self.show_error(QCoreApplication.translate("VoidDialog", VOID_ERROR_TEXT["reason.required"]))
            return
        self.error_label.hide()
        self.void_button.setEnabled(False)  # until the flow reports
        self.void_requested.emit(self.reason())


class VoidFlow(QObject):
    """Open the dialog for a code, run the void as a job on the DB pool, report. ``voided(Dossier)``."""

    voided = Signal(object)
    message = Signal(str)

    def __init__(self, workspace: Workspace, parent: QWidget) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self._parent = parent
        self.dialog: VoidDialog | None = None

    def start(self, code: str) -> None:
        if self.dialog is not None:
            return
        dialog = VoidDialog(code, self._parent)
        dialog.void_requested.connect(self.on_void_requested)
        dialog.finished.connect(self.on_dialog_finished)
        self.dialog = dialog
        dialog.open()

    def retranslate_ui(self) -> None:
        if self.dialog is not None:
            self.dialog.retranslate_ui()

    @Slot(str)
    def on_void_requested(self, reason: str) -> None:
        if self.dialog is None:
            return
        code, workspace = self.dialog.code, self._workspace
        job = jobs.Job(lambda: intake_desk.void_received(workspace, code, reason), name="dossier.void")
        job.signals.succeeded.connect(self.on_voided)
        job.signals.failed.connect(self.on_failed)
        jobs.start(jobs.DB, job)

    @Slot(object)
    def on_voided(self, dossier: Dossier) -> None:
        if self.dialog is not None:
            self.dialog.accept()
        text = QCoreApplication.translate("VoidDialog", "Dossier {code} is voided (withdrawn); its code is not reused.")
        self.message.emit(text.format(code=dossier.code))
        self.voided.emit(dossier)

    @Slot(object)
    def on_failed(self, exc: BaseException) -> None:
        text = void_error_text(exc)
        if self.dialog is not None:
            self.dialog.show_error(text)
        self.message.emit(text)

    @Slot(int)
    def on_dialog_finished(self, _result: int) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
            self.dialog = None
