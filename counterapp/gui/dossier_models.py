"""Qt models over dossier search results and the day's register (STYLE.md pattern 2), and the plain-words
texts for dossier statuses and service errors shared by the dossiers panel.

The models never query: the panel runs the service in a Job and hands the result to ``set_*``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QObject, QPersistentModelIndex, Qt, Slot
from PySide6.QtGui import QBrush, QColor

from counterapp.domain.dossier import DossierStatus
from counterapp.domain.errors import DomainError, ValidationFailed
from counterapp.services.dossiers import RegisterLine
from counterapp.services.search import DossierSummary

__all__ = ["DossierSearchModel", "RegisterModel", "error_text", "is_overdue", "status_text", "when"]

ModelIndex = QModelIndex | QPersistentModelIndex
_DISPLAY = Qt.ItemDataRole.DisplayRole
_ROOT = QModelIndex()  # the default parent; never mutated
# Only dossiers still being worked on can run late; "awaiting supplement" is counted apart (DOMAIN.md §4).
_OPEN = frozenset({DossierStatus.RECEIVED, DossierStatus.PROCESSING})
_OVERDUE_BRUSH = QBrush(QColor("#b00020"))


def status_text(status: DossierStatus) -> str:
    # Spelled out so lupdate sees each literal.
    texts = {
        DossierStatus.RECEIVED: QCoreApplication.translate("DossierTexts", "Received"),
        DossierStatus.PROCESSING: QCoreApplication.translate("DossierTexts", "Processing"),
        DossierStatus.SUPPLEMENT_REQUESTED: QCoreApplication.translate("DossierTexts", "Awaiting supplement"),
        DossierStatus.HAS_RESULT: QCoreApplication.translate("DossierTexts", "Result ready"),
        DossierStatus.RETURNED: QCoreApplication.translate("DossierTexts", "Result returned"),
        DossierStatus.WITHDRAWN: QCoreApplication.translate("DossierTexts", "Withdrawn"),
    }
    return texts.get(status, status.value)


def error_text(exc: BaseException) -> str:
    """A service error in plain words; unknown failures get a generic line (the details go to the log)."""
    code = getattr(exc, "code", None)
    if isinstance(exc, ValidationFailed) and exc.errors:
        code = exc.errors[0].code
    texts = {
        "not_found": QCoreApplication.translate("DossierTexts", "No dossier with this code on this counter."),
        "dossier.already_returned": QCoreApplication.translate(
            "DossierTexts", "The result of this dossier has already been handed over."
        ),
        "state.invalid": QCoreApplication.translate(
            "DossierTexts", "This cannot be done in the dossier's current status."
        ),
        "name.required": QCoreApplication.translate(
            "DossierTexts", "Enter the name of the person collecting the result."
        ),
        "name.too_long": QCoreApplication.translate("DossierTexts", "The name is too long."),
        "name.characters": QCoreApplication.translate(
            "DossierTexts", "The name may contain only letters, spaces and simple punctuation."
        ),
        "dossier_code.format": QCoreApplication.translate("DossierTexts", "This is not a valid dossier code."),
        "dossier_code.date": QCoreApplication.translate("DossierTexts", "The date in this dossier code is not valid."),
        "dossier_code.sequence_invalid": QCoreApplication.translate(
            "DossierTexts", "The number in this dossier code is not valid."
        ),
        "page.invalid": QCoreApplication.translate("DossierTexts", "The search could not be run. Try again."),
        "page_size.invalid": QCoreApplication.translate("DossierTexts", "The search could not be run. Try again."),
        "device.not_initialised": QCoreApplication.translate("DossierTexts", "This counter has not been set up yet."),
    }
    if code in texts:
        return texts[code]
    if isinstance(exc, DomainError):
        return QCoreApplication.translate("DossierTexts", "The request was refused (%1).").replace("%1", str(code))
    return QCoreApplication.translate("DossierTexts", "Something went wrong; the details were written to the log.")


def when(value: datetime | None, fmt: str = "%d/%m/%Y %H:%M") -> str:
    return value.strftime(fmt) if value else "—"


def is_overdue(status: DossierStatus, due_at: datetime | None, now: datetime) -> bool:
    return status in _OPEN and due_at is not None and due_at < now


class DossierSearchModel(QAbstractTableModel):
    """One row per dossier found; overdue rows carry a mark and a red status."""

    CodeRole = Qt.ItemDataRole.UserRole + 1
    OverdueRole = Qt.ItemDataRole.UserRole + 2
    CODE, NAME, PROCEDURE, RECEIVED, DUE, STATUS = range(6)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[DossierSummary] = []
        self._now = datetime.min

    def set_results(self, items: Sequence[DossierSummary], now: datetime) -> None:
        """``now`` is the legal time the query ran at, so the overdue mark matches the clock of the store."""
        self.beginResetModel()
        self._rows, self._now = list(items), now
        self.endResetModel()

    def replace(self, item: DossierSummary) -> None:
        """Refresh one row after a change (e.g. result returned) without searching again."""
        for row, old in enumerate(self._rows):
            if old.code == item.code:
                self._rows[row] = item
                self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))

    def summary(self, row: int) -> DossierSummary:
        return self._rows[row]

    def rowCount(self, parent: ModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else 6

    def data(self, index: ModelIndex, role: int = _DISPLAY) -> Any:
        if not index.isValid():
            return None
        s = self._rows[index.row()]
        overdue = is_overdue(s.status, s.due_at, self._now)
        column = index.column()
        if role == _DISPLAY:
            if column == self.STATUS:
                text = status_text(s.status)
                overdue_mark = self.tr("overdue")  # outside the f-string: lupdate does not look inside one
                return f"{text} ⚠ {overdue_mark}" if overdue else text
            return (s.code, s.applicant_name or "—", s.procedure_name, when(s.received_at), when(s.due_at))[column]
        if role == Qt.ItemDataRole.ToolTipRole and overdue:
            return self.tr("Past the due date and not yet finished")
        if role == Qt.ItemDataRole.ForegroundRole and overdue and column in (self.DUE, self.STATUS):
            return _OVERDUE_BRUSH
        if role == self.CodeRole:
            return s.code
        if role == self.OverdueRole:
            return overdue
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == _DISPLAY:
            return (
                self.tr("Code"),
                self.tr("Applicant"),
                self.tr("Procedure"),
                self.tr("Received"),
                self.tr("Due"),
                self.tr("Status"),
            )[section]
        return None

    @Slot()
    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, self.columnCount() - 1))


class RegisterModel(QAbstractTableModel):
    """The lines of the Sổ theo dõi hồ sơ for one day, in receipt order."""

    COLUMNS = 9

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[RegisterLine] = []

    def set_lines(self, lines: Sequence[RegisterLine]) -> None:
        self.beginResetModel()
        self._rows = list(lines)
        self.endResetModel()

    def line(self, row: int) -> RegisterLine:
        return self._rows[row]

    def rowCount(self, parent: ModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else self.COLUMNS

    def data(self, index: ModelIndex, role: int = _DISPLAY) -> Any:
        if not index.isValid() or role != _DISPLAY:
            return None
        r = self._rows[index.row()]
        returned = f"{when(r.returned_at)} — {r.returned_to or '—'}" if r.returned_at else ""
        return (
            str(r.line),
            r.code,
            r.owner_name or "—",
            r.procedure_name,
            str(r.sets),
            when(r.received_at, "%H:%M"),
            when(r.due_at),
            status_text(r.status),
            returned,
        )[index.column()]

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == _DISPLAY:
            return (
                self.tr("No."),
                self.tr("Code"),
                self.tr("Applicant / owner"),
                self.tr("Procedure"),
                self.tr("Sets"),
                self.tr("Received"),
                self.tr("Due"),
                self.tr("Status"),
                self.tr("Returned"),
            )[section]
        return None

    @Slot()
    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.COLUMNS - 1)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, self.COLUMNS - 1))
