"""Procedure picker: a line edit and the list filtered as the clerk types, ignoring diacritics and case
over code, name and sector (the same ``search_key`` the catalogue service uses). The catalogue is
loaded once by the panel on the DB pool; filtering a few hundred entries in memory takes well under a
millisecond, so it runs on every keystroke on the GUI thread.

Nothing is chosen until the clerk chooses: a click, Up/Down from the search field, Enter (the first
match), or a query that names one procedure (its full code, or words only it matches). A fresh form never
carries a procedure over, because a dossier saved under a procedure nobody
picked gets a real code and a receipt for the wrong thing."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from counterapp.domain.procedure import Procedure, rank_procedures
from counterapp.domain.text import search_key
from counterapp.gui.applicant_form import nfc

__all__ = ["ProcedurePicker"]


class ProcedurePicker(QWidget):
    procedure_changed = Signal(object)  # Procedure | None
    accepted = Signal()  # Enter in the search field chose a procedure

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.query_edit = QLineEdit()
        self.list = QListWidget()
        self.list.setMinimumHeight(72)  # three matches at least; a taller screen shows more
        # long names wrap rather than scroll sideways: "…khai sinh" and "…khai sinh kết hợp…" must both be read
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        self.error.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.query_edit)
        layout.addWidget(self.list)
        layout.addWidget(self.error)
        self._procedures: list[Procedure] = []
        self._current: Procedure | None = None
        self.query_edit.textChanged.connect(self.on_query_changed)
        self.list.currentRowChanged.connect(self.on_row_changed)
        self.query_edit.installEventFilter(self)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.query_edit.setPlaceholderText(self.tr("Type a procedure code or name (no accents needed)"))

    @property
    def current(self) -> Procedure | None:
        return self._current

    def set_procedures(self, procedures: Sequence[Procedure]) -> None:
        self._procedures = list(procedures)
        self.on_query_changed(self.query_edit.text())

    def matches(self, query: str) -> list[Procedure]:
        """Every procedure the query's words match, the exact one first (``rank_procedures``)."""
        return rank_procedures(self._procedures, nfc(query))

    @Slot(str)
    def on_query_changed(self, query: str) -> None:
        keep = self._current
        self.list.blockSignals(True)  # the rebuild must not flicker the choice through every row
        self.list.clear()
        row_to_select = -1  # none: typing filters; it chooses only what the clerk typed exactly (below)
        found = self.matches(query)
        typed = search_key(nfc(query))
        for index, procedure in enumerate(found):
            item = QListWidgetItem(f"{procedure.code}  {procedure.name}")
            item.setData(Qt.ItemDataRole.UserRole, procedure.code)
            item.setToolTip(procedure.name)
            self.list.addItem(item)
            if keep is not None and procedure.code == keep.code:
                row_to_select = index
        if typed and row_to_select < 0:  # a code typed in full, or a query only one procedure matches
            exact = [i for i, p in enumerate(found) if search_key(p.code) == typed]
            row_to_select = exact[0] if exact else (0 if len(found) == 1 else -1)
        self.list.setCurrentRow(row_to_select)
        self.list.blockSignals(False)
        self.on_row_changed(row_to_select)

    def clear_choice(self) -> None:
        """A fresh form: no procedure, the whole catalogue listed."""
        self._current = None
        self.query_edit.clear()
        self.on_query_changed("")
        self.procedure_changed.emit(None)

    @Slot(int)
    def on_row_changed(self, row: int) -> None:
        item = self.list.item(row) if row >= 0 else None
        code = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        chosen = next((p for p in self._procedures if p.code == code), None)
        if chosen == self._current:
            return
        self._current = chosen
        self.error.hide()
        self.procedure_changed.emit(chosen)

    def choose(self, code: str) -> None:
        """Select a procedure by code (e.g. a dossier reopened for reprint)."""
        self.query_edit.setText(code)
        for row in range(self.list.count()):
            if self.list.item(row).data(Qt.ItemDataRole.UserRole) == code:
                self.list.setCurrentRow(row)
                return

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Up/Down in the line edit move through the list, so the hands stay on the keyboard."""
        if watched is self.query_edit and isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress:
            key = Qt.Key(event.key())
            step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1}.get(key, 0)
            if step and self.list.count():
                self.list.setCurrentRow(max(0, min(self.list.count() - 1, self.list.currentRow() + step)))
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.list.count():
                if self.list.currentRow() < 0:  # Enter takes the best match, as the clerk sees it first
                    self.list.setCurrentRow(0)
                self.accepted.emit()  # the panel moves on to the documents
                return True
        return super().eventFilter(watched, event)
