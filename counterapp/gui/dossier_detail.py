"""Read-only view of one dossier: applicant, procedure, documents, due date and status history.

It only displays a ``Dossier`` handed to it; loading is the panel's job. Personal data is put on screen
only, never into logs or the status bar.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from counterapp.domain.dossier import Dossier
from counterapp.gui.dossier_models import is_overdue, status_text, when

__all__ = ["DossierDetail"]


def _table(columns: int) -> QTableWidget:
    table = QTableWidget(0, columns)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    table.setMinimumHeight(110)  # the header and two rows at least, whatever the form above takes
    return table


class DossierDetail(QWidget):
    # Form rows, in display order; the labels are set in retranslate_ui.
    ROWS = ("procedure", "applicant", "id_number", "phone", "address", "owner", "received", "due", "status", "returned")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._dossier: Dossier | None = None
        self._now = datetime.min
        self._staff_names: dict[str, str] = {}
        self.title = QLabel()
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.title.setFont(font)
        self.placeholder = QLabel()
        self.form = QFormLayout()
        self.form.setVerticalSpacing(2)
        self.labels: dict[str, QLabel] = {}
        self.values: dict[str, QLabel] = {}
        for key in self.ROWS:
            self.labels[key], self.values[key] = QLabel(), QLabel()
            self.values[key].setWordWrap(True)
            # Clerks copy codes and numbers from here into other systems.
            self.values[key].setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.form.addRow(self.labels[key], self.values[key])
        self.documents_box = QGroupBox()
        self.documents_table = _table(4)
        # the document's name takes the width left by the counts: no sideways scrolling for a long name
        self.documents_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        QVBoxLayout(self.documents_box).addWidget(self.documents_table)
        self.history_box = QGroupBox()
        self.history_table = _table(4)
        QVBoxLayout(self.history_box).addWidget(self.history_table)

        layout = QVBoxLayout(self)
        layout.addWidget(self.placeholder)
        layout.addWidget(self.title)
        layout.addLayout(self.form)
        layout.addWidget(self.documents_box, 1)
        layout.addWidget(self.history_box, 1)
        self.retranslate_ui()
        self.clear()

    @property
    def dossier(self) -> Dossier | None:
        return self._dossier

    def clear(self) -> None:
        self._dossier = None
        self._render()

    def show_dossier(self, dossier: Dossier, now: datetime, staff_names: dict[str, str] | None = None) -> None:
        """``staff_names``: user id → full name, for the history's "done by" (the id where none is known)."""
        self._dossier, self._now, self._staff_names = dossier, now, staff_names or {}
        self._render()

    def retranslate_ui(self) -> None:
        names = {
            "procedure": self.tr("Procedure:"),
            "applicant": self.tr("Applicant:"),
            "id_number": self.tr("ID number:"),
            "phone": self.tr("Phone:"),
            "address": self.tr("Address:"),
            "owner": self.tr("Dossier owner:"),
            "received": self.tr("Received:"),
            "due": self.tr("Due:"),
            "status": self.tr("Status:"),
            "returned": self.tr("Returned:"),
        }
        for key, text in names.items():
            self.labels[key].setText(text)
        self.placeholder.setText(self.tr("Select a dossier to see its details."))
        self.documents_box.setTitle(self.tr("Documents received"))
        self.documents_table.setHorizontalHeaderLabels(
            [self.tr("Document"), self.tr("Originals"), self.tr("Certified copies"), self.tr("Photocopies")]
        )
        self.history_box.setTitle(self.tr("Status history"))
        self.history_table.setHorizontalHeaderLabels(
            [self.tr("Time"), self.tr("Status"), self.tr("By"), self.tr("Note")]
        )
        self._render()

    def _render(self) -> None:
        d = self._dossier
        self.placeholder.setVisible(d is None)
        for widget in (self.title, self.documents_box, self.history_box):
            widget.setVisible(d is not None)
        for key in self.ROWS:
            self.labels[key].setVisible(d is not None)
            self.values[key].setVisible(d is not None)
        if d is None:
            return
        self.title.setText(d.code)
        status = status_text(d.status)
        if is_overdue(d.status, d.due_at, self._now):
            status = self.tr("%1 — overdue").replace("%1", status)
        if d.purged:
            applicant = self.tr("(personal data removed after the retention period)")
        else:
            applicant = d.applicant_name or "—"
        returned = ""
        if d.returned_at:
            returned = self.tr("%1 to %2").replace("%1", when(d.returned_at)).replace("%2", d.returned_to or "—")
        id_text = f"{d.applicant_id_number} ({d.applicant_id_type})" if d.applicant_id_number else "—"
        texts = {
            "procedure": f"{d.procedure_name} ({d.procedure_code})",
            "applicant": applicant,
            "id_number": id_text,
            "phone": d.applicant_phone or "—",
            "address": d.applicant_address or "—",
            "owner": d.owner_name or "—",
            "received": when(d.received_at),
            "due": when(d.due_at),
            "status": status,
            "returned": returned or "—",
        }
        for key, text in texts.items():
            self.values[key].setText(text)
        self.labels["owner"].setVisible(bool(d.owner_name))
        self.values["owner"].setVisible(bool(d.owner_name))

        self.documents_table.setRowCount(len(d.documents))
        for row, doc in enumerate(d.documents):
            cells = (doc.name, str(doc.originals), str(doc.certified_copies), str(doc.photocopies))
            for column, text in enumerate(cells):
                self.documents_table.setItem(row, column, QTableWidgetItem(text))
        self.history_table.setRowCount(len(d.history))
        for row, change in enumerate(d.history):
            who = self._staff_names.get(change.user_id or "", change.user_id or "—")
            cells = (when(change.at), status_text(change.status), who, change.note or "")
            for column, text in enumerate(cells):
                self.history_table.setItem(row, column, QTableWidgetItem(text))
