"""The documents checklist (thành phần hồ sơ) generated from the chosen procedure: one row per
document with how many were received of each form (bản chính / bản sao chứng thực / bản photo)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QCheckBox, QGridLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from counterapp.domain.errors import FieldError
from counterapp.domain.procedure import Component, Procedure
from counterapp.gui.applicant_form import error_text

__all__ = ["DocumentChecklist"]

FORMS = ("originals", "certified_copies", "photocopies")


class _NameLabel(QLabel):
    """The document's name, wrapped over lines (a checkbox's own text cannot wrap); a click ticks the box."""

    def __init__(self, text: str, check: QCheckBox) -> None:
        super().__init__(text)
        self._check = check
        self.setWordWrap(True)
        self.setToolTip(text)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._check.isEnabled():
            self._check.toggle()
        super().mouseReleaseEvent(event)


class _Row:
    def __init__(self, component: Component) -> None:
        self.component = component
        name = component.name + (" *" if component.required else "")
        self.check = QCheckBox()
        self.check.setAccessibleName(name)
        self.name = _NameLabel(name, self.check)
        self.spins = {form: QSpinBox() for form in FORMS}
        for spin in self.spins.values():
            spin.setRange(0, 99)
            spin.setMinimumWidth(72)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        self.error.hide()

    def expected(self) -> dict[str, int]:
        c = self.component
        return {"originals": c.originals, "certified_copies": c.certified_copies, "photocopies": c.photocopies}

    def counts(self) -> dict[str, int]:
        return {form: spin.value() for form, spin in self.spins.items()}


class DocumentChecklist(QWidget):
    """Required documents start ticked with the counts the procedure asks for; the clerk adjusts."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[_Row] = []
        self._grid = QGridLayout()
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setColumnStretch(1, 1)  # the name takes the width; the counts stay compact
        self._headers = [QLabel() for _ in range(4)]
        for column, header in enumerate(self._headers):
            header.setObjectName("checklistHeader")
            header.setWordWrap(True)
            header.setAlignment(Qt.AlignmentFlag.AlignBottom | (Qt.AlignmentFlag.AlignLeft if column == 0
                                                                 else Qt.AlignmentFlag.AlignHCenter))  # fmt: skip
            self._grid.addWidget(header, 0, column + (column > 0), 1, 1 + (column == 0))
        self.empty_label = QLabel()
        self._grid.addWidget(self.empty_label, 1, 0, 1, 5)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._grid)
        layout.addStretch(1)  # rows from the top, not spread over the box's height
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        for header, text in zip(
            self._headers,
            (self.tr("Document"), self.tr("Originals"), self.tr("Certified copies"), self.tr("Photocopies")),
            strict=True,
        ):
            header.setText(text)
        self.empty_label.setText(self.tr("Choose a procedure to see its documents."))

    def set_procedure(self, procedure: Procedure | None) -> None:
        # The old rows go at once: hidden and out of the layout now, deleted when the loop comes round
        # (deleteLater alone left them painted under the new rows while the clerk typed a search).
        for row in self.rows:
            for widget in (row.check, row.name, *row.spins.values(), row.error):
                widget.hide()
                self._grid.removeWidget(widget)
                widget.deleteLater()
        self.rows = []
        self.empty_label.setVisible(procedure is None)
        for component in procedure.components if procedure else ():
            row = _Row(component)
            line = 1 + 2 * len(self.rows)
            self._grid.addWidget(row.check, line, 0)
            self._grid.addWidget(row.name, line, 1)
            for column, form in enumerate(FORMS, start=2):
                self._grid.addWidget(row.spins[form], line, column)
            self._grid.addWidget(row.error, line + 1, 1, 1, 4)
            row.check.setChecked(component.required)
            if component.required:
                self._fill(row, row.expected())
            row.check.toggled.connect(self.on_row_toggled)
            self.rows.append(row)

    @staticmethod
    def _fill(row: _Row, counts: dict[str, int]) -> None:
        for form, spin in row.spins.items():
            spin.setValue(counts[form])

    @Slot(bool)
    def on_row_toggled(self, checked: bool) -> None:
        row = next((r for r in self.rows if r.check is self.sender()), None)
        if row is None:
            return
        if checked and not any(row.counts().values()):
            self._fill(row, row.expected())
        elif not checked:
            self._fill(row, dict.fromkeys(FORMS, 0))

    def tab_chain(self) -> list[QWidget]:
        return [w for row in self.rows for w in (row.check, *row.spins.values())]

    def documents(self) -> list[dict[str, Any]]:
        """The raw ``documents`` list of the intake form: ticked rows, in the procedure's order."""
        return [{"code": r.component.code, **r.counts()} for r in self.rows if r.check.isChecked()]

    def missing(self) -> list[Component]:
        """Documents not received: the default items of a supplement request (Mẫu 02)."""
        return [r.component for r in self.rows if not r.check.isChecked() or not any(r.counts().values())]

    def clear_errors(self) -> None:
        for row in self.rows:
            row.error.hide()

    def show_errors(self, errors: Iterable[FieldError], submitted: list[dict[str, Any]]) -> list[FieldError]:
        """Place ``documents[i].x`` (i into ``submitted``) and ``documents.CODE`` errors; return the rest."""
        by_code = {r.component.code: r for r in self.rows}
        rest: list[FieldError] = []
        for error in errors:
            code = None
            if error.field.startswith("documents."):
                code = error.field.split(".", 1)[1]
            elif error.field.startswith("documents["):
                index = int(error.field[len("documents[") : error.field.index("]")])
                code = submitted[index]["code"] if index < len(submitted) else None
            row = by_code.get(code or "")
            if row is None:
                rest.append(error)
                continue
            row.error.setText(error_text(error.code))
            row.error.show()
        return rest
