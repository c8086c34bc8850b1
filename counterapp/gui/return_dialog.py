"""Trả kết quả: asks who collects the result and an optional note.

The dialog does not call the service itself: it emits ``return_requested`` and waits, so the panel can
run ``return_result`` as a Job and either ``accept()`` it or show the refusal inline with ``show_error``.
"""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from counterapp.domain.applicant import MAX_NAME
from counterapp.domain.dossier import MAX_NOTE
from counterapp.gui.dialog_size import fit_width

__all__ = ["ReturnDialog"]


class ReturnDialog(QDialog):
    return_requested = Signal(str, str)  # recipient, note ("" for none)

    def __init__(self, code: str, recipient: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.code = code
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.recipient_label, self.note_label = QLabel(), QLabel()
        self.recipient_edit = QLineEdit(recipient)  # the applicant by default; the clerk overwrites for a proxy
        self.recipient_edit.setMaxLength(MAX_NAME)
        self.note_edit = QLineEdit()
        self.note_edit.setMaxLength(MAX_NOTE)
        self.recipient_label.setBuddy(self.recipient_edit)
        self.note_label.setBuddy(self.note_edit)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020")
        self.error_label.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)

        form = QFormLayout()
        form.addRow(self.recipient_label, self.recipient_edit)
        form.addRow(self.note_label, self.note_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

        self.buttons.accepted.connect(self.on_ok_clicked)
        self.buttons.rejected.connect(self.reject)
        self.recipient_edit.textChanged.connect(self.on_input_changed)
        self.note_edit.textChanged.connect(self.on_input_changed)
        self.retranslate_ui()
        self.on_input_changed()
        fit_width(self, [self.note_edit.placeholderText()])

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Return result"))
        self.intro.setText(self.tr("Hand over the result of dossier %1.").replace("%1", self.code))
        self.recipient_label.setText(self.tr("&Collected by:"))
        self.note_label.setText(self.tr("&Note:"))
        self.note_edit.setPlaceholderText(self.tr("e.g. collected on behalf, with a letter of authorisation"))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Return result"))

    @property
    def recipient(self) -> str:
        return self.recipient_edit.text().strip()

    @property
    def note(self) -> str:
        return self.note_edit.text().strip()

    def set_busy(self, busy: bool) -> None:
        self.recipient_edit.setReadOnly(busy)
        self.note_edit.setReadOnly(busy)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not busy and bool(self.recipient))

    def show_error(self, text: str) -> None:
        self.set_busy(False)
        self.error_label.setText(text)
        self.error_label.show()
        self.recipient_edit.setFocus()

    @Slot()
    def on_input_changed(self) -> None:
        self.error_label.hide()
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.recipient))

    @Slot()
    def on_ok_clicked(self) -> None:
        if not self.recipient:
            return
        self.set_busy(True)
        self.return_requested.emit(self.recipient, self.note)
