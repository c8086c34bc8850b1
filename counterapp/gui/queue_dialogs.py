"""Small dialogs of the queue panel: transfer to a service, call a given number, pause the counter.

They only collect input; the panel runs the service call. The panel opens them with ``open()`` (not
``exec()``), so the queue keeps refreshing behind them and tests can fill them in without a nested loop.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QRegularExpression, Qt, Slot
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counterapp.domain.counter import pause_reason_problem
from counterapp.domain.text import clean
from counterapp.gui.dialog_size import fit_width
from counterapp.services.counter_view import ServiceChoice

__all__ = ["CallSpecificDialog", "PauseDialog", "TransferDialog"]

# A prefix of 1-3 letters and 1-4 digits (A001, HT12); the service checks it exactly.
TICKET_PATTERN = r"[A-Za-z]{1,3}\d{1,4}"


class _FormDialog(QDialog):
    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)


class TransferDialog(_FormDialog):
    """Pick the service to move the current ticket to (it keeps its number); an optional reason."""

    def __init__(
        self, services: list[ServiceChoice], current_service: str, *, vietnamese: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.prompt = QLabel()
        self.service_list = QListWidget()
        for service in services:
            if service.code == current_service:
                continue  # a transfer names another service (the rules refuse the same one)
            name = service.name_vi if vietnamese else service.name_en
            item = QListWidgetItem(f"{service.code} — {name}")
            item.setData(Qt.ItemDataRole.UserRole, service.code)
            self.service_list.addItem(item)
        self.reason_edit = QLineEdit()
        self.reason_label = QLabel()
        self.reason_label.setBuddy(self.reason_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt)
        layout.addWidget(self.service_list)
        layout.addWidget(self.reason_label)
        layout.addWidget(self.reason_edit)
        layout.addWidget(self.buttons)
        self.service_list.currentItemChanged.connect(self.on_selection_changed)
        self.service_list.itemDoubleClicked.connect(self.on_item_double_clicked)
        self.on_selection_changed()
        self.retranslate_ui()
        fit_width(self, [self.service_list.item(i).text() for i in range(self.service_list.count())])

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Transfer ticket"))
        self.prompt.setText(self.tr("Move the ticket to this service (it keeps its number):"))
        self.reason_label.setText(self.tr("Reason (optional, no personal data):"))

    def select_service(self, code: str) -> None:
        for row in range(self.service_list.count()):
            if self.service_list.item(row).data(Qt.ItemDataRole.UserRole) == code:
                self.service_list.setCurrentRow(row)

    def chosen_service(self) -> str | None:
        item = self.service_list.currentItem()
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))

    def reason(self) -> str | None:
        return self.reason_edit.text().strip() or None

    @Slot()
    def on_selection_changed(self) -> None:
        self.ok_button().setEnabled(self.chosen_service() is not None)

    @Slot(QListWidgetItem)
    def on_item_double_clicked(self, _item: QListWidgetItem) -> None:
        self.accept()


class CallSpecificDialog(_FormDialog):
    """Type a ticket number to call it (a waiting or a held ticket)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.number_edit = QLineEdit()
        self.number_edit.setValidator(QRegularExpressionValidator(QRegularExpression(TICKET_PATTERN), self))
        self.number_label = QLabel()
        self.number_label.setBuddy(self.number_edit)
        form = QFormLayout(self)
        form.addRow(self.number_label, self.number_edit)
        form.addRow(self.buttons)
        self.number_edit.textChanged.connect(self.on_text_changed)
        self.on_text_changed("")
        self.retranslate_ui()
        fit_width(self, minimum=420)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Call a ticket"))
        self.number_label.setText(self.tr("Ticket number:"))
        self.number_edit.setPlaceholderText(self.tr("e.g. A012"))

    def number(self) -> str:
        return self.number_edit.text().strip().upper()

    @Slot(str)
    def on_text_changed(self, _text: str) -> None:
        self.ok_button().setEnabled(re.fullmatch(TICKET_PATTERN, self.number()) is not None)


PAUSE_REASON_ERRORS: dict[str, str] = {
    "text.required": str(QT_TRANSLATE_NOOP("PauseDialog", "Write a reason.")),
    "text.too_long": str(QT_TRANSLATE_NOOP("PauseDialog", "The reason is too long: at most 200 characters.")),
    "text.invalid_character": str(
        QT_TRANSLATE_NOOP("PauseDialog", "The reason holds a character that cannot be sent.")
    ),
    "text.personal_data": str(
        QT_TRANSLATE_NOOP("PauseDialog", "No phone or ID numbers here: the shift lead's board shows the reason.")
    ),
}


class PauseDialog(_FormDialog):
    """Why the counter stops calling for a while; the reason goes to the server (the lead sees it) and is
    shown in the panel until resumed. It is checked here by the same rule the service and the server use,
    so a refused reason stays in the box to be corrected."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reason_box = QComboBox()
        self.reason_box.setEditable(True)
        self.reason_label = QLabel()
        self.reason_label.setBuddy(self.reason_box)
        self.error_label = QLabel()
        self.error_label.setProperty("role", "error")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        form = QFormLayout(self)
        form.addRow(self.reason_label, self.reason_box)
        form.addRow(self.error_label)
        form.addRow(self.buttons)
        self.reason_box.editTextChanged.connect(self.on_text_changed)
        self.retranslate_ui()
        self.on_text_changed(self.reason_box.currentText())
        fit_width(self, minimum=480)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Pause the counter"))
        self.reason_label.setText(self.tr("Reason:"))
        typed = self.reason_box.currentText()
        self.reason_box.clear()
        self.reason_box.addItems([self.tr("Break"), self.tr("Meeting"), self.tr("Processing dossiers")])
        if typed:
            self.reason_box.setEditText(typed)

    def reason(self) -> str:
        return clean(self.reason_box.currentText())

    @Slot(str)
    def on_text_changed(self, _text: str) -> None:
        self.error_label.hide()
        self.ok_button().setEnabled(bool(self.reason()))

    def accept(self) -> None:
        problem = pause_reason_problem(self.reason())
        if problem is not None:
            self.error_label.setText(QCoreApplication.translate("PauseDialog", PAUSE_REASON_ERRORS[problem]))
            self.error_label.show()
            return
        super().accept()
