"""The day's register tab (Sổ theo dõi hồ sơ): ``daily_register`` for a chosen date, read on the DB pool;
printed as the A4 landscape book (a PDF saved in the data directory and opened in the PDF viewer, where the
clerk prints it) and exported to XLSX for the office's own spreadsheets. Rendering runs on the DB pool."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, QStandardPaths, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from counterapp.gui import jobs
from counterapp.gui.dossier_models import RegisterModel, error_text
from counterapp.services import register_export
from counterapp.services.dossiers import RegisterLine, daily_register
from counterapp.services.workspace import Workspace

REGISTER_FOLDER = "registers"  # in the data directory: the printed books of the days, as PDF

__all__ = ["RegisterView"]


class RegisterView(QWidget):
    message = Signal(str)
    register_loaded = Signal(int)  # number of lines shown; after every successful load
    code_activated = Signal(str)  # a line was double-clicked: the panel shows that dossier
    printed = Signal(object)  # Path of the register's PDF
    exported = Signal(object)  # Path of the XLSX written

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
        self.print_button = QPushButton()
        self.export_button = QPushButton()
        self.export_dialog: QFileDialog | None = None
        self.notice: QMessageBox | None = None
        self.open_url = QDesktopServices.openUrl  # replaced in tests: no desktop viewer there
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
        bar.addWidget(self.print_button)
        bar.addWidget(self.export_button)
        bar.addStretch(1)
        bar.addWidget(self.summary_label)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.error_label)
        layout.addWidget(self.table, 1)

        self.date_edit.dateChanged.connect(self.on_date_changed)
        self.refresh_button.clicked.connect(self.refresh)
        self.print_button.clicked.connect(self.print_register)
        self.export_button.clicked.connect(self.ask_export_path)
        self.table.doubleClicked.connect(self.on_row_double_clicked)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.date_label.setText(self.tr("&Date:"))
        self.refresh_button.setText(self.tr("&Refresh"))
        self.print_button.setText(self.tr("&Print register"))
        self.print_button.setToolTip(self.tr("The day's register on A4 landscape, opened as a PDF to print"))
        self.export_button.setText(self.tr("E&xport to Excel…"))
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

    # --- print and export -------------------------------------------------------------------------------

    def _file_stem(self) -> str:
        return f"so-theo-doi-{self.day.isoformat()}"

    @Slot()
    def print_register(self) -> None:
        """Render the day's book as a PDF in ``<data dir>/registers`` and open it for printing."""
        day, workspace = self.day, self._workspace
        target = workspace.data_dir / REGISTER_FOLDER / f"{self._file_stem()}.pdf"

        def render() -> Path:
            with workspace.reading() as (session, _now):
                pdf = register_export.register_pdf(session, day)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(pdf)
            return target

        self._run(render, "register.print", self.on_printed)

    @Slot(object)
    def on_printed(self, path: Path) -> None:
        self._set_files_enabled(True)
        self.message.emit(self.tr("The register is saved as %1").replace("%1", str(path)))
        self.printed.emit(path)
        if not self.open_url(QUrl.fromLocalFile(str(path))):  # no PDF viewer: say where the file is
            self._notice(self.tr("No program on this computer opens PDF files. The register is saved here:"), path)

    @Slot()
    def ask_export_path(self) -> None:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        dialog = QFileDialog(self, self.tr("Export the register"), str(Path(folder) / f"{self._file_stem()}.xlsx"))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter(self.tr("Excel workbook (*.xlsx)"))
        dialog.setDefaultSuffix("xlsx")
        dialog.fileSelected.connect(self.export_to)
        dialog.finished.connect(self.on_export_dialog_finished)
        self.export_dialog = dialog
        dialog.open()

    @Slot(int)
    def on_export_dialog_finished(self, _result: int) -> None:
        if self.export_dialog is not None:
            self.export_dialog.deleteLater()
            self.export_dialog = None

    @Slot(str)
    def export_to(self, filename: str) -> None:
        day, workspace, target = self.day, self._workspace, Path(filename)

        def render() -> Path:
            with workspace.reading() as (session, _now):
                workbook = register_export.register_xlsx(session, day)
            target.write_bytes(workbook)
            return target

        self._run(render, "register.export", self.on_exported)

    @Slot(object)
    def on_exported(self, path: Path) -> None:
        self._set_files_enabled(True)
        self.message.emit(self.tr("The register is exported to %1").replace("%1", str(path)))
        self.exported.emit(path)

    def _run(self, work: Callable[[], Path], name: str, done: Callable[[Path], None]) -> None:
        job = jobs.Job(work, name=name)
        job.signals.succeeded.connect(done)
        job.signals.failed.connect(self.on_file_failed)
        self._set_files_enabled(False)  # one file at a time
        jobs.start(jobs.DB, job)

    def _set_files_enabled(self, enabled: bool) -> None:
        self.print_button.setEnabled(enabled)
        self.export_button.setEnabled(enabled)

    @Slot(object)
    def on_file_failed(self, exc: BaseException) -> None:
        self._set_files_enabled(True)
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else error_text(exc)
        text = self.tr("The register could not be written: %1").replace("%1", reason)
        self.error_label.setText(text)
        self.error_label.show()
        self.message.emit(text)

    def _notice(self, text: str, path: Path) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, self.tr("Day's register"), text,
                          QMessageBox.StandardButton.Ok, self)  # fmt: skip
        box.setInformativeText(str(path))
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.notice = box
        box.open()
