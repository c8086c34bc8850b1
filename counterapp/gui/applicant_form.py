"""The applicant part of the intake form: applicant, owner if different, return option, sets and note.

Every input keeps what was typed whatever the service says: errors are shown in a label under the field
they concern (``FieldError.field`` → label), never by clearing or rewriting the field.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from counterapp.domain.errors import DomainError, FieldError, ValidationFailed
from counterapp.services.cccd_qr import CccdQr, looks_like_qr, parse_cccd_qr

__all__ = ["ApplicantForm", "error_text", "nfc"]

# QT_TRANSLATE_NOOP marks the texts for pyside6-lupdate; error_text() translates them at run time.
_ERROR_TEXTS: dict[str, object] = {  # QT_TRANSLATE_NOOP is typed as returning object
    "name.required": QT_TRANSLATE_NOOP("IntakeErrors", "Enter the full name."),
    "name.too_long": QT_TRANSLATE_NOOP("IntakeErrors", "The name is too long."),
    "name.characters": QT_TRANSLATE_NOOP("IntakeErrors", "A name may only contain letters, spaces, ' - and ."),
    "cccd.required": QT_TRANSLATE_NOOP("IntakeErrors", "Enter the 12-digit ID number."),
    "cccd.not_digits": QT_TRANSLATE_NOOP("IntakeErrors", "The ID number may only contain digits."),
    "cccd.length": QT_TRANSLATE_NOOP("IntakeErrors", "The ID number must have 12 digits."),
    "cccd.province_unknown": QT_TRANSLATE_NOOP("IntakeErrors", "The first three digits are not a known province code."),
    "cccd.century_invalid": QT_TRANSLATE_NOOP("IntakeErrors", "The 4th digit (sex and century) is not possible."),
    "cccd.birth_year_mismatch": QT_TRANSLATE_NOOP("IntakeErrors", "The ID number does not match the year of birth."),
    "cccd.sex_mismatch": QT_TRANSLATE_NOOP("IntakeErrors", "The ID number does not match the sex."),
    "cmnd.length": QT_TRANSLATE_NOOP("IntakeErrors", "An old ID card number has 9 digits."),
    "date_of_birth.invalid": QT_TRANSLATE_NOOP("IntakeErrors", "Write the date as dd/mm/yyyy."),
    "date_of_birth.future": QT_TRANSLATE_NOOP("IntakeErrors", "The date of birth is in the future."),
    "date_of_birth.too_old": QT_TRANSLATE_NOOP("IntakeErrors", "The date of birth is before 1900."),
    "address.required": QT_TRANSLATE_NOOP("IntakeErrors", "Enter the address."),
    "address.too_long": QT_TRANSLATE_NOOP("IntakeErrors", "The address is too long."),
    "phone.required": QT_TRANSLATE_NOOP("IntakeErrors", "Enter a phone number."),
    "phone.not_digits": QT_TRANSLATE_NOOP("IntakeErrors", "The phone number may only contain digits."),
    "phone.format": QT_TRANSLATE_NOOP("IntakeErrors", "This is not a Vietnamese phone number."),
    "phone.length": QT_TRANSLATE_NOOP("IntakeErrors", "The phone number has the wrong number of digits."),
    "phone.prefix_unknown": QT_TRANSLATE_NOOP("IntakeErrors", "No network uses this prefix."),
    "phone.foreign": QT_TRANSLATE_NOOP("IntakeErrors", "Only Vietnamese numbers are accepted."),
    "email.invalid": QT_TRANSLATE_NOOP("IntakeErrors", "This is not an e-mail address."),
    "sets.invalid": QT_TRANSLATE_NOOP("IntakeErrors", "The number of sets must be from 1 to 99."),
    "return_mode.not_offered": QT_TRANSLATE_NOOP("IntakeErrors", "This procedure does not return results by post."),
    "note.too_long": QT_TRANSLATE_NOOP("IntakeErrors", "The note is too long."),
    "document.required_missing": QT_TRANSLATE_NOOP("IntakeErrors", "This document is required."),
    "document.count_invalid": QT_TRANSLATE_NOOP("IntakeErrors", "Counts must be from 0 to 99."),
    "procedure.required": QT_TRANSLATE_NOOP("IntakeErrors", "Choose a procedure."),
    "procedure.not_found": QT_TRANSLATE_NOOP("IntakeErrors", "This procedure is not in the catalogue."),
    "procedure.not_in_force": QT_TRANSLATE_NOOP("IntakeErrors", "This procedure is not in force today."),
    "reason.required": QT_TRANSLATE_NOOP("IntakeErrors", "Enter the reason."),
    "reason.too_long": QT_TRANSLATE_NOOP("IntakeErrors", "The reason is too long."),
    "items.required": QT_TRANSLATE_NOOP("IntakeErrors", "Tick at least one document."),
    "cccd_qr.invalid": QT_TRANSLATE_NOOP("IntakeErrors", "The scanned code is not a CCCD QR code."),
    "clock.skewed": QT_TRANSLATE_NOOP(
        "IntakeErrors", "This computer's clock is wrong: fix the date and time, then sync."
    ),
    "lease.missing": QT_TRANSLATE_NOOP(
        "IntakeErrors", "No dossier numbers for today: connect to the server to get some."
    ),
    "lease.wrong_date": QT_TRANSLATE_NOOP(
        "IntakeErrors", "The dossier numbers held are for another day: connect to the server."
    ),
    "lease.exhausted": QT_TRANSLATE_NOOP("IntakeErrors", "Today's dossier numbers are used up: connect to the server."),
    "printer.failed": QT_TRANSLATE_NOOP("IntakeErrors", "The printer did not take the job; it stays queued."),
    "ticket.unknown": QT_TRANSLATE_NOOP("IntakeErrors", "The queue ticket is not known at this counter today."),
    "auth.device_revoked": QT_TRANSLATE_NOOP(
        "IntakeErrors", "The server no longer accepts this computer: nothing was saved. Call IT."
    ),
    "auth.forbidden": QT_TRANSLATE_NOOP("IntakeErrors", "Your account may not take in dossiers: nothing was saved."),
}


def error_text(code: str) -> str:
    """The translated text for a stable error code (the code itself when none is written yet)."""
    source = _ERROR_TEXTS.get(code)
    if source is None:
        return QCoreApplication.translate("IntakeErrors", "Invalid value ({code}).").format(code=code)
    return QCoreApplication.translate("IntakeErrors", str(source))


def describe(exc: BaseException) -> str:
    if isinstance(exc, DomainError) and exc.code in _ERROR_TEXTS:
        return error_text(exc.code)
    if isinstance(exc, DomainError):
        return QCoreApplication.translate("IntakeErrors", "Not done: {reason}").format(reason=str(exc))
    return QCoreApplication.translate("IntakeErrors", "Unexpected error: {reason}").format(reason=str(exc))


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def _error_label() -> QLabel:
    label = QLabel()
    label.setObjectName("fieldError")
    label.setStyleSheet("color: #b00020;")
    label.setWordWrap(True)
    label.hide()
    return label


class ApplicantForm(QWidget):
    """Applicant fields; ``values()`` gives the raw form keys the intake service reads."""

    qr_scanned = Signal(object)  # CccdQr, after the fields were filled from it

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.qr_edit = QLineEdit()  # a keyboard-wedge scanner "types" the payload here, then Enter
        self.name_edit = QLineEdit()
        self.id_edit = QLineEdit()
        self.dob_edit = QLineEdit()
        self.dob_edit.setPlaceholderText("dd/mm/yyyy")
        self.sex_combo = QComboBox()
        self.phone_edit = QLineEdit()
        self.email_edit = QLineEdit()
        self.address_edit = QLineEdit()
        self.owner_box = QGroupBox()
        self.owner_box.setObjectName("ownerBox")
        self.owner_box.setCheckable(True)
        self.owner_box.setChecked(False)
        self.owner_name_edit = QLineEdit()
        self.owner_id_edit = QLineEdit()
        self.owner_address_edit = QLineEdit()
        self.postal_check = QCheckBox()
        self.postal_address_edit = QLineEdit()
        self.postal_address_edit.setEnabled(False)
        self.sets_spin = QSpinBox()
        self.sets_spin.setRange(1, 99)
        self.note_edit = QLineEdit()
        # a birth date and a phone number are read whole, never scrolled inside their field
        for edit, sample in ((self.dob_edit, "00/00/0000"), (self.phone_edit, "0912 345 678")):
            edit.setMinimumWidth(edit.fontMetrics().horizontalAdvance(sample) + 32)
        self.errors: dict[str, QLabel] = {}
        self._labels: dict[str, QLabel] = {}

        owner_fields = QWidget()  # shown only when ticked: the usual case keeps the column short
        owner_fields.setVisible(False)
        self.owner_box.toggled.connect(owner_fields.setVisible)
        QVBoxLayout(self.owner_box).addWidget(owner_fields)
        owner_grid = QGridLayout(owner_fields)
        owner_grid.setContentsMargins(0, 0, 0, 0)
        self._cell(owner_grid, 0, 0, "owner.name", self.owner_name_edit, span=3)
        self._cell(owner_grid, 1, 0, "owner.id_number", self.owner_id_edit)
        self._cell(owner_grid, 2, 0, "owner.address", self.owner_address_edit, span=3)
        # Two fields to a row where they are short (ID and birth date, sex and phone), so the whole form
        # fits beside the procedure at 1366×768 in Vietnamese, the longer language, without scrolling.
        grid = QGridLayout()
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(3, 2)
        self._cell(grid, 0, 0, "qr", self.qr_edit, span=3)
        self._cell(grid, 1, 0, "applicant.name", self.name_edit, span=3)
        self._cell(grid, 2, 0, "applicant.id_number", self.id_edit)
        self._cell(grid, 2, 2, "applicant.date_of_birth", self.dob_edit)
        self._cell(grid, 3, 0, "applicant.sex", self.sex_combo)
        self._cell(grid, 3, 2, "applicant.phone", self.phone_edit)
        self._cell(grid, 4, 0, "applicant.email", self.email_edit, span=3)
        self._cell(grid, 5, 0, "applicant.address", self.address_edit, span=3)
        grid.addWidget(self.owner_box, 6, 0, 1, 4)
        self._cell(grid, 7, 0, "return_mode", self.postal_check, span=3)
        self._cell(grid, 8, 0, "postal_address", self.postal_address_edit, span=3)
        self._cell(grid, 9, 0, "note", self.note_edit)
        self._cell(grid, 9, 2, "sets", self.sets_spin)
        self._postal_row = (self._labels["postal_address"], self.postal_address_edit.parentWidget())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(grid)
        layout.addStretch(1)

        self.qr_edit.returnPressed.connect(self.on_qr_entered)
        self.id_edit.returnPressed.connect(self.on_id_entered)  # a scan into the ID field works too
        self.postal_check.toggled.connect(self.on_postal_toggled)
        self.on_postal_toggled(False)
        self.retranslate_ui()

    def _cell(self, grid: QGridLayout, row: int, column: int, field: str, widget: QWidget, span: int = 1) -> None:
        """A label and its field (with the field's error line under it) at ``row``/``column`` of ``grid``."""
        box = QWidget()
        stack = QVBoxLayout(box)
        stack.setContentsMargins(0, 0, 0, 0)
        stack.setSpacing(1)
        stack.addWidget(widget)
        self.errors[field] = _error_label()
        stack.addWidget(self.errors[field])
        self._labels[field] = QLabel()
        self._labels[field].setBuddy(widget)
        grid.addWidget(self._labels[field], row, column, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        grid.addWidget(box, row, column + 1, 1, span)

    @Slot(bool)
    def on_postal_toggled(self, postal: bool) -> None:
        """The postal address is asked only for a result sent by post (its row is hidden otherwise)."""
        self.postal_address_edit.setEnabled(postal)
        for widget in self._postal_row:
            if widget is not None:
                widget.setVisible(postal)

    def retranslate_ui(self) -> None:
        texts = {
            "qr": self.tr("Scan CCC&D QR"), "applicant.name": self.tr("&Full name"),
            "applicant.id_number": self.tr("CCCD / &ID number"), "applicant.date_of_birth": self.tr("Date of &birth"),
            "applicant.sex": self.tr("Se&x"), "applicant.phone": self.tr("&Phone"),
            "applicant.email": self.tr("&E-mail"),
            "applicant.address": self.tr("&Address"), "owner.name": self.tr("Owner's name"),
            "owner.id_number": self.tr("Owner's ID number"), "owner.address": self.tr("Owner's address"),
            "return_mode": self.tr("Return"), "postal_address": self.tr("Postal address"),
            "sets": self.tr("Sets"), "note": self.tr("Note"),
        }  # fmt: skip
        for field, text in texts.items():
            self._labels[field].setText(text)
        self.qr_edit.setPlaceholderText(self.tr("Click here, then scan the card"))
        self.postal_address_edit.setPlaceholderText(self.tr("Empty: the applicant's address"))
        self.owner_box.setTitle(self.tr("Dossier owner differs from the applicant"))
        self.postal_check.setText(self.tr("Send the result by post"))
        current = self.sex_combo.currentIndex()
        self.sex_combo.clear()
        self.sex_combo.addItem("", "")
        self.sex_combo.addItem(self.tr("Male"), "male")
        self.sex_combo.addItem(self.tr("Female"), "female")
        self.sex_combo.setCurrentIndex(max(current, 0))

    def tab_chain(self) -> list[QWidget]:
        """Focusable widgets in the order a clerk fills them (the panel links them to its other parts)."""
        return [self.qr_edit, self.name_edit, self.id_edit, self.dob_edit, self.sex_combo, self.phone_edit,
                self.email_edit, self.address_edit, self.owner_box, self.owner_name_edit, self.owner_id_edit,
                self.owner_address_edit, self.postal_check, self.postal_address_edit, self.sets_spin,
                self.note_edit]  # fmt: skip

    # --- values ---------------------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        applicant = {
            "name": nfc(self.name_edit.text()),
            "id_type": "cccd" if len(nfc(self.id_edit.text())) != 9 else "cmnd",
            "id_number": nfc(self.id_edit.text()),
            "date_of_birth": nfc(self.dob_edit.text()),
            "sex": self.sex_combo.currentData() or "",
            "phone": nfc(self.phone_edit.text()),
            "email": nfc(self.email_edit.text()),
            "address": nfc(self.address_edit.text()),
        }
        owner = None
        if self.owner_box.isChecked():
            owner = {"name": nfc(self.owner_name_edit.text()), "id_number": nfc(self.owner_id_edit.text()),
                     "address": nfc(self.owner_address_edit.text())}  # fmt: skip
        postal = self.postal_check.isChecked()
        return {
            "applicant": applicant,
            "owner": owner,
            "return_mode": "postal" if postal else "counter",
            "postal_address": nfc(self.postal_address_edit.text()) if postal else "",
            "sets": self.sets_spin.value(),
            "note": nfc(self.note_edit.text()),
        }

    def clear(self) -> None:
        for edit in self.findChildren(QLineEdit):
            edit.clear()
        self.sex_combo.setCurrentIndex(0)
        self.owner_box.setChecked(False)
        self.postal_check.setChecked(False)
        self.sets_spin.setValue(1)
        self.clear_errors()

    # --- errors ---------------------------------------------------------------------------------

    def clear_errors(self) -> None:
        for label in self.errors.values():
            label.clear()
            label.hide()

    def show_error(self, field: str, text: str) -> bool:
        label = self.errors.get("applicant.id_number" if field == "applicant.id_type" else field)
        if label is None:
            return False
        label.setText(text)
        label.show()
        return True

    def show_errors(self, errors: Iterable[FieldError]) -> list[FieldError]:
        """Show each error under its field; return those that belong to no field here."""
        return [e for e in errors if not self.show_error(e.field, error_text(e.code))]

    # --- QR scan --------------------------------------------------------------------------------

    @Slot()
    def on_qr_entered(self) -> None:
        self._scan(self.qr_edit.text())
        self.qr_edit.clear()  # ready for the next card; the parsed values are in their fields

    @Slot()
    def on_id_entered(self) -> None:
        if looks_like_qr(self.id_edit.text()):
            self._scan(self.id_edit.text())

    def _scan(self, text: str) -> None:
        self.errors["qr"].hide()
        try:
            qr = parse_cccd_qr(text)
        except ValidationFailed as exc:
            self.show_errors(exc.errors)
            return
        self.fill_from_qr(qr)
        self.qr_scanned.emit(qr)

    def fill_from_qr(self, qr: CccdQr) -> None:
        self.name_edit.setText(qr.name)
        self.id_edit.setText(qr.id_number)
        self.dob_edit.setText(qr.date_of_birth.strftime("%d/%m/%Y") if qr.date_of_birth else "")
        self.sex_combo.setCurrentIndex(max(self.sex_combo.findData(qr.sex.value if qr.sex else ""), 0))
        self.address_edit.setText(qr.address)
        self.phone_edit.setFocus()  # the card has no phone: the next thing to ask
