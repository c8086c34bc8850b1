"""The day's register tab (Sổ theo dõi hồ sơ): ``daily_register`` for a chosen date, read on the DB pool."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from counterapp.gui import jobs
from counterapp.gui.dossier_models import RegisterModel, error_text
from counterapp.services.dossiers import RegisterLine, daily_register
from counterapp.services.workspace import Workspace

__all__ = ["RegisterView"]


class RegisterView(QWidget):
    message = Signal(str)
    register_loaded = Signal(int)  # number of lines shown; after every successful load
    code_activated = Signal(str)  # a line was double-clicked: the panel shows that dossier

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self._day: date | None = None
        self._request = 0  # only the latest load may fill the table (the date can change mid-load)
        self.date_label = QLabel()
        self.date_edit = QDateEdit(QDate.currentDate())
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("dd/MM/yyyy")
        self.date_label.setBuddy(self.date_edit)
        self.refresh_button = QPushButton()
        self.summary_label = QLabel()
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020")
        self.error_label.hide()
        self.model = RegisterModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)

        bar = QHBoxLayout()
        bar.addWidget(self.date_label)
        bar.addWidget(self.date_edit)
        bar.addWidget(self.refresh_button)
        bar.addStretch(1)
        bar.addWidget(self.summary_label)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.error_label)
        layout.addWidget(self.table, 1)

        self.date_edit.dateChanged.connect(self.on_date_changed)
        self.refresh_button.clicked.connect(self.refresh)
        self.table.doubleClicked.connect(self.on_row_double_clicked)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.date_label.setText(self.tr("&Date:"))
        self.refresh_button.setText(self.tr("&Refresh"))
        self.model.retranslate()
        self._show_summary()

    @property
    def day(self) -> date:
        picked = self.date_edit.date()
        return date(picked.year(), picked.month(), picked.day())

    @Slot()
    def refresh(self) -> None:
        self._request += 1
        request, day, workspace = self._request, self.day, self._workspace

        def load() -> tuple[int, date, list[RegisterLine]]:
            with workspace.reading() as (session, _now):
                return request, day, daily_register(session, day)

        job = jobs.Job(load, name="daily-register")
        job.signals.succeeded.connect(self.on_loaded)
        job.signals.failed.connect(self.on_failed)
        self.refresh_button.setEnabled(False)
        jobs.start(jobs.DB, job)

    @Slot(QDate)
    def on_date_changed(self, _day: QDate) -> None:
        self.refresh()

    @Slot(object)
    def on_loaded(self, result: tuple[int, date, list[RegisterLine]]) -> None:
        request, day, lines = result
        if request != self._request:
            return
        self.refresh_button.setEnabled(True)
        self.error_label.hide()
        self._day = day
        self.model.set_lines(lines)
        self._show_summary()
        self.register_loaded.emit(len(lines))

    @Slot(object)
    def on_failed(self, exc: BaseException) -> None:
        self.refresh_button.setEnabled(True)
        text = self.tr("The register could not be read: %1").replace("%1", error_text(exc))
        self.error_label.setText(text)
        self.error_label.show()
        self.message.emit(text)

    @Slot()
    def on_row_double_clicked(self) -> None:
        index = self.table.currentIndex()
        if index.isValid():
            self.code_activated.emit(self.model.line(index.row()).code)

    def _show_summary(self) -> None:
        if self._day is None:
            self.summary_label.clear()
            return
        count = self.model.rowCount()
        self.summary_label.setText(self.tr("%n dossier(s) received on %1", "", count).replace(
            "%1", self._day.strftime("%d/%m/%Y")))  # fmt: skip
