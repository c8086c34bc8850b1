"""Small dialogs of the intake screen: supplement request (Mẫu 02) and refusal (Mẫu 03).

They only collect the input and build the raw mapping ``services.forms`` reads; the panel runs the
service as a Job and either ``accept()``s the dialog or shows the error in it, so nothing typed is lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from counterapp.domain.procedure import Component, Procedure
from counterapp.gui.applicant_form import nfc
from counterapp.gui.dialog_size import fit_width

__all__ = ["RefusalDialog", "SupplementDialog"]


class _ReasonDialog(QDialog):
    submitted = Signal(dict)  # the raw mapping for services.forms

    def __init__(self, procedure: Procedure, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.procedure = procedure
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.reason_label = QLabel()
        self.reason_edit = QPlainTextEdit()
        self.reason_edit.setTabChangesFocus(True)
        self.reason_label.setBuddy(self.reason_edit)
        self.error_label = QLabel()
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.on_ok_clicked)
        self.buttons.rejected.connect(self.reject)
        self.body = QVBoxLayout(self)
        self.body.addWidget(self.intro)

    def _finish_layout(self) -> None:
        self.body.addWidget(self.reason_label)
        self.body.addWidget(self.reason_edit)
        self.body.addWidget(self.error_label)
        self.body.addWidget(self.buttons)

    def reason(self) -> str:
        return nfc(self.reason_edit.toPlainText())

    def raw(self) -> dict[str, Any]:
        raise NotImplementedError

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()
        self.buttons.setEnabled(True)

    @Slot()
    def on_ok_clicked(self) -> None:
        if not self.reason():
            self.show_error(self.tr("Enter the reason."))
            return
        self.error_label.hide()
        self.buttons.setEnabled(False)  # until the panel reports the outcome
        self.submitted.emit(self.raw())


class SupplementDialog(_ReasonDialog):
    """Everything missing, told in one go: the documents to bring and why."""

    def __init__(
        self, procedure: Procedure, missing: Sequence[Component], applicant: dict[str, Any],
        parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(procedure, parent)
        self.applicant = applicant
        self.items = QListWidget()
        wanted = {c.code for c in missing}
        for component in procedure.components:
            item = QListWidgetItem(component.name)
            item.setData(Qt.ItemDataRole.UserRole, component)
            item.setCheckState(Qt.CheckState.Checked if component.code in wanted else Qt.CheckState.Unchecked)
            self.items.addItem(item)
        self.body.addWidget(self.items)
        self._finish_layout()
        self.retranslate_ui()
        fit_width(self, [c.name for c in procedure.components], minimum=640)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Request a supplement (form 02)"))
        self.intro.setText(self.tr("Tick every document the applicant must bring or complete:"))
        self.reason_label.setText(self.tr("&Reason / guidance"))

    def raw(self) -> dict[str, Any]:
        items = []
        for row in range(self.items.count()):
            item = self.items.item(row)
            if item.checkState() is Qt.CheckState.Checked:
                c: Component = item.data(Qt.ItemDataRole.UserRole)
                items.append({"name": c.name, "originals": c.originals, "certified_copies": c.certified_copies,
                              "photocopies": c.photocopies})  # fmt: skip
        return {"procedure_code": self.procedure.code, "applicant": self.applicant, "items": items,
                "reason": self.reason()}  # fmt: skip

    @Slot()
    def on_ok_clicked(self) -> None:
        if not self.raw()["items"]:
            self.show_error(self.tr("Tick at least one document."))
            return
        super().on_ok_clicked()


class RefusalDialog(_ReasonDialog):
    """The dossier is not accepted: the reason, and the legal basis (the procedure's by default)."""

    def __init__(self, procedure: Procedure, applicant: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(procedure, parent)
        self.applicant = applicant
        self.basis_label = QLabel()
        self.basis_edit = QLineEdit(procedure.legal_basis)
        self.basis_label.setBuddy(self.basis_edit)
        self._finish_layout()
        self.body.insertWidget(self.body.indexOf(self.buttons), self.basis_label)
        self.body.insertWidget(self.body.indexOf(self.buttons), self.basis_edit)
        self.retranslate_ui()
        fit_width(self, [procedure.name, procedure.legal_basis], minimum=640)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Refuse the dossier (form 03)"))
        self.intro.setText(self.tr("Procedure: {name}").format(name=self.procedure.name))
        self.reason_label.setText(self.tr("&Reason for refusal"))
        self.basis_label.setText(self.tr("&Legal basis"))

    def raw(self) -> dict[str, Any]:
        return {"procedure_code": self.procedure.code, "applicant": self.applicant, "reason": self.reason(),
                "legal_basis": nfc(self.basis_edit.text())}  # fmt: skip
