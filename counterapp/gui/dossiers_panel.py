"""The dossiers panel (issue 7 item 5): find a dossier, see it, hand its result over, and read the day's
register. Every service call runs as a Job on the DB pool, so typing and clicking never wait on SQLite.

Personal data (names, ID and phone numbers) is shown on screen only: ``message`` carries counts and
dossier codes, never a name, and nothing here logs.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QEvent, QModelIndex, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from counterapp.domain.dossier import Dossier, DossierStatus
from counterapp.gui import jobs
from counterapp.gui.dossier_detail import DossierDetail
from counterapp.gui.dossier_models import DossierSearchModel, error_text
from counterapp.gui.register_view import RegisterView
from counterapp.gui.return_dialog import ReturnDialog
from counterapp.gui.void_dossier import VoidFlow
from counterapp.services.device import setting
from counterapp.services.dossiers import return_result, show_dossier
from counterapp.services.search import DossierSummary, SearchPage, search_dossiers
from counterapp.services.workspace import Workspace

__all__ = ["DossiersPanel"]

DEBOUNCE_MS = 250  # long enough to skip most keystrokes, short enough to feel live
PAGE_SIZE = 50
_CLOSED = (DossierStatus.RETURNED, DossierStatus.WITHDRAWN)


def summary_of(dossier: Dossier) -> DossierSummary:
    """The results table's row of a dossier just changed here (returned, voided)."""
    return DossierSummary(dossier.code, dossier.procedure_name, dossier.applicant_name, dossier.received_at,
                          dossier.due_at, dossier.status)  # fmt: skip


class DossiersPanel(QWidget):
    message = Signal(str)  # for the status bar
    search_finished = Signal(int)  # rows shown
    dossier_shown = Signal(str)  # code of the dossier now in the detail view
    dossier_returned = Signal(str)  # code

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._workspace = workspace
        # Sequence numbers: a late answer to an older query or selection must not overwrite a newer one.
        self._search_seq = 0
        self._detail_seq = 0
        self._searching = False
        self._open_first_pending = False
        self.return_dialog: ReturnDialog | None = None
        self._staff_names: dict[str, str] = {}  # user id → full name, for the history after a return

        self.search_label = QLabel()
        self.search_edit = QLineEdit()
        self.search_edit.setClearButtonEnabled(True)
        self.search_label.setBuddy(self.search_edit)
        self.state_label = QLabel()
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020")
        self.error_label.hide()
        self.model = DossierSearchModel(self)
        self.results = QTableView()
        self.results.setModel(self.model)
        self.results.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results.verticalHeader().setVisible(False)
        self.results.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.results.horizontalHeader().setStretchLastSection(True)
        self.detail = DossierDetail()
        self.return_button = QPushButton()
        self.return_button.setEnabled(False)
        self.void_button = QPushButton()  # a dossier received by mistake today, at this counter
        self.void_button.setEnabled(False)
        self.voids = VoidFlow(workspace, self)
        self.register = RegisterView(workspace)

        search_bar = QHBoxLayout()
        search_bar.addWidget(self.search_label)
        search_bar.addWidget(self.search_edit, 1)
        search_bar.addWidget(self.state_label)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.detail, 1)
        actions = QHBoxLayout()
        actions.addStretch(1)
        actions.addWidget(self.void_button)
        actions.addWidget(self.return_button)
        right_layout.addLayout(actions)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.results)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 1)  # the detail's long procedure names and addresses need the width
        splitter.setStretchFactor(1, 1)
        self.search_tab = QWidget()
        search_layout = QVBoxLayout(self.search_tab)
        search_layout.addLayout(search_bar)
        search_layout.addWidget(self.error_label)
        search_layout.addWidget(splitter, 1)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.search_tab, "")
        self.tabs.addTab(self.register, "")
        QVBoxLayout(self).addWidget(self.tabs)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)

        self._debounce.timeout.connect(self.run_search)
        self.search_edit.textChanged.connect(self.on_search_text_changed)
        self.search_edit.returnPressed.connect(self.on_search_return_pressed)
        self.results.selectionModel().currentRowChanged.connect(self.on_current_row_changed)
        self.return_button.clicked.connect(self.on_return_clicked)
        self.void_button.clicked.connect(self.on_void_clicked)
        self.voids.voided.connect(self.on_voided)
        self.voids.message.connect(self.message)
        self.register.message.connect(self.message)
        self.register.code_activated.connect(self.on_register_code_activated)
        self.tabs.currentChanged.connect(self.on_tab_changed)
        self.retranslate_ui()

    # ---- language -----------------------------------------------------------------------------------

    def retranslate_ui(self) -> None:
        self.search_label.setText(self.tr("&Find:"))
        self.search_edit.setPlaceholderText(self.tr("Dossier code, ID number, phone, or name (accents optional)"))
        self.return_button.setText(self.tr("Return &result…"))
        self.void_button.setText(self.tr("Void…"))
        self.void_button.setToolTip(self.tr("Received by mistake today: withdraw this dossier"))
        self.voids.retranslate_ui()
        self.tabs.setTabText(0, self.tr("Dossiers"))
        self.tabs.setTabText(1, self.tr("Day's register"))
        self.model.retranslate()
        self.detail.retranslate_ui()
        self.register.retranslate_ui()
        if self.return_dialog is not None:
            self.return_dialog.retranslate_ui()
        self._show_state()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    # ---- search -------------------------------------------------------------------------------------

    @Slot(str)
    def on_search_text_changed(self, _text: str) -> None:
        self._debounce.start()

    @Slot()
    def run_search(self) -> None:
        self._debounce.stop()
        query = self.search_edit.text().strip()
        self._search_seq += 1
        if not query:
            self._searching = False
            self._open_first_pending = False
            self.model.set_results([], datetime.min)
            self.error_label.hide()
            self._show_state()
            return
        seq, workspace = self._search_seq, self._workspace

        def search() -> tuple[int, SearchPage, datetime]:
            with workspace.reading() as (session, now):
                return seq, search_dossiers(session, query, page_size=PAGE_SIZE), now

        self._searching = True
        self._show_state()
        job = jobs.Job(search, name="dossier-search")
        job.signals.succeeded.connect(self.on_search_succeeded)
        job.signals.failed.connect(self.on_search_failed)
        jobs.start(jobs.DB, job)

    @Slot(object)
    def on_search_succeeded(self, result: tuple[int, SearchPage, datetime]) -> None:
        seq, page, now = result
        if seq != self._search_seq:
            return
        self._searching = False
        self.error_label.hide()
        self.model.set_results(page.items, now)
        self.detail.clear()
        self._update_return_button()
        count = len(page.items)
        self._show_state(more=page.has_more)
        self.message.emit(self.tr("%n dossier(s) found", "", count))
        self.search_finished.emit(count)
        if self._open_first_pending:
            self._open_first_pending = False
            self.open_first()

    @Slot(object)
    def on_search_failed(self, exc: BaseException) -> None:
        self._searching = False
        self._open_first_pending = False
        self._show_state()
        self._show_error(error_text(exc))

    @Slot()
    def on_search_return_pressed(self) -> None:
        if self._debounce.isActive() or self._searching:
            self._open_first_pending = True  # open it as soon as the answer arrives
            if self._debounce.isActive():
                self.run_search()
        else:
            self.open_first()

    @Slot()
    def open_first(self) -> None:
        if self.model.rowCount() == 0:
            return
        first = self.model.index(0, 0)
        if self.results.currentIndex().row() == 0:
            self.load_detail(self.model.summary(0).code)  # already current: no rowChanged to rely on
        else:
            self.results.setCurrentIndex(first)
        self.results.setFocus()

    def focus_first(self) -> None:
        """Where typing starts on this tab (Ctrl+3 or a click on the tab): the search field."""
        if self.tabs.currentWidget() is self.search_tab:
            self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)

    @Slot()
    def on_find_triggered(self) -> None:
        """Ctrl+F from any tab (the main window owns the key): the search field, its text selected."""
        self.tabs.setCurrentWidget(self.search_tab)
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    # ---- detail -------------------------------------------------------------------------------------

    @Slot(QModelIndex, QModelIndex)
    def on_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.load_detail(self.model.summary(current.row()).code)

    def load_detail(self, code: str) -> None:
        self._detail_seq += 1
        seq, workspace = self._detail_seq, self._workspace

        def load() -> tuple[int, Dossier, datetime, dict[str, str]]:
            with workspace.reading() as (session, now):
                return seq, show_dossier(session, code), now, dict(setting(session, "staff_names") or {})

        job = jobs.Job(load, name="dossier-show")
        job.signals.succeeded.connect(self.on_detail_loaded)
        job.signals.failed.connect(self.on_detail_failed)
        jobs.start(jobs.DB, job)

    @Slot(object)
    def on_detail_loaded(self, result: tuple[int, Dossier, datetime, dict[str, str]]) -> None:
        seq, dossier, now, staff_names = result
        if seq != self._detail_seq:
            return
        self._staff_names = staff_names
        self.error_label.hide()
        self.detail.show_dossier(dossier, now, staff_names)
        self._update_return_button()
        self.dossier_shown.emit(dossier.code)

    @Slot(object)
    def on_detail_failed(self, exc: BaseException) -> None:
        self.detail.clear()
        self._update_return_button()
        self._show_error(error_text(exc))

    @Slot(str)
    def on_register_code_activated(self, code: str) -> None:
        self.tabs.setCurrentWidget(self.search_tab)
        self.search_edit.setText(code)
        self._open_first_pending = True
        self.run_search()

    @Slot(int)
    def on_tab_changed(self, index: int) -> None:
        # The register is read when first shown and again on every visit: returns may have changed it.
        if self.tabs.widget(index) is self.register:
            self.register.refresh()

    # ---- return of results --------------------------------------------------------------------------

    @Slot()
    def on_return_clicked(self) -> None:
        dossier = self.detail.dossier
        if dossier is None or dossier.status in _CLOSED:
            return
        dialog = ReturnDialog(dossier.code, dossier.applicant_name or "", self)
        dialog.return_requested.connect(self.on_return_requested)
        dialog.finished.connect(self.on_return_dialog_finished)
        self.return_dialog = dialog
        dialog.open()  # window-modal without a nested event loop: jobs keep reporting meanwhile

    @Slot(str, str)
    def on_return_requested(self, recipient: str, note: str) -> None:
        dialog = self.return_dialog
        if dialog is None:
            return
        code, workspace = dialog.code, self._workspace

        def give() -> tuple[Dossier, datetime]:
            with workspace.writing() as (session, now):
                dossier = return_result(
                    session, code, collected_by=recipient, now=now, user_id=workspace.user_id, note=note or None
                )
            return dossier, now

        job = jobs.Job(give, name="dossier-return")
        job.signals.succeeded.connect(self.on_return_succeeded)
        job.signals.failed.connect(self.on_return_failed)
        jobs.start(jobs.DB, job)

    @Slot(object)
    def on_return_succeeded(self, result: tuple[Dossier, datetime]) -> None:
        dossier, now = result
        if self.return_dialog is not None:
            self.return_dialog.accept()
        if self.detail.dossier is not None and self.detail.dossier.code == dossier.code:
            self.detail.show_dossier(dossier, now, self._staff_names)
        self.model.replace(summary_of(dossier))
        self._update_return_button()
        self.message.emit(self.tr("Result of dossier %1 returned.").replace("%1", dossier.code))
        self.dossier_returned.emit(dossier.code)

    @Slot(object)
    def on_return_failed(self, exc: BaseException) -> None:
        if self.return_dialog is not None:
            self.return_dialog.show_error(error_text(exc))
        else:
            self._show_error(error_text(exc))

    @Slot(int)
    def on_return_dialog_finished(self, _result: int) -> None:
        if self.return_dialog is not None:
            self.return_dialog.deleteLater()
            self.return_dialog = None

    # ---- helpers ------------------------------------------------------------------------------------

    def _update_return_button(self) -> None:
        dossier = self.detail.dossier
        self.return_button.setEnabled(dossier is not None and dossier.status not in _CLOSED)
        self.void_button.setEnabled(dossier is not None and dossier.status is DossierStatus.RECEIVED)

    @Slot()
    def on_void_clicked(self) -> None:
        dossier = self.detail.dossier
        if dossier is not None and dossier.status is DossierStatus.RECEIVED:
            self.voids.start(dossier.code)

    @Slot(object)
    def on_voided(self, dossier: Dossier) -> None:
        if self.detail.dossier is not None and self.detail.dossier.code == dossier.code:
            self.load_detail(dossier.code)  # the history with the void and its reason, and the names
        self.model.replace(summary_of(dossier))
        self._update_return_button()

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()
        self.message.emit(text)

    def _show_state(self, *, more: bool = False) -> None:
        if self._searching:
            self.state_label.setText(self.tr("Searching…"))
        elif more:
            self.state_label.setText(self.tr("First %n shown; refine the search", "", self.model.rowCount()))
        else:
            self.state_label.clear()
