"""The clerk's counter window: three tabs (Counter, Intake, Dossiers), the offline and clock banners over
them, the status bar, a Counter menu (lock, sign out) and a Language menu that switches live.

The panels are written in their own modules; each is imported when the window is built, and one that
cannot be imported yet (or fails to build) becomes a placeholder tab, so the shell works on its own.

    window = MainWindow(workspace, languages=languages, sync=monitor, verify_password=verify)
    window.signed_out.connect(controller.on_signed_out)
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, Signal, Slot
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QFrame, QLabel, QMainWindow, QMenu, QScrollArea, QTabWidget, QVBoxLayout, QWidget

from counterapp.gui.i18n import LANGUAGES, LanguageManager, arg
from counterapp.gui.lock import InactivityWatcher, LockDialog
from counterapp.gui.statusbar import StatusBar
from counterapp.gui.sync_worker import SyncMonitor
from counterapp.services.staff import LOCK_MINUTES, StaffSession
from counterapp.services.workspace import Workspace

if TYPE_CHECKING:
    from counterapp.services.printing import PrintJob

log = logging.getLogger(__name__)

__all__ = ["PANELS", "MainWindow", "PanelSpec"]


@dataclass(frozen=True)
class PanelSpec:
    key: str
    module: str
    cls: str
    title: str  # English source text, context "MainWindow"


PANELS = (
    PanelSpec("queue", "counterapp.gui.queue_panel", "QueuePanel", str(QT_TRANSLATE_NOOP("MainWindow", "Counter"))),
    PanelSpec("intake", "counterapp.gui.intake_panel", "IntakePanel", str(QT_TRANSLATE_NOOP("MainWindow", "Intake"))),
    PanelSpec(
        "dossiers", "counterapp.gui.dossiers_panel", "DossiersPanel", str(QT_TRANSLATE_NOOP("MainWindow", "Dossiers"))
    ),
)


class MainWindow(QMainWindow):
    signed_out = Signal()  # the clerk signed out (menu or lock dialog); the controller shows sign-in again
    locked = Signal()
    unlocked = Signal()

    def __init__(
        self,
        workspace: Workspace,
        *,
        languages: LanguageManager | None = None,
        sync: SyncMonitor | None = None,
        verify_password: Callable[[str], StaffSession] | None = None,
        lock_minutes: float = LOCK_MINUTES,
        counter_text: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.languages = languages
        self.sync = sync
        self.counter_text = counter_text
        self._verify_password = verify_password
        self.lock_dialog: LockDialog | None = None

        self.status_bar = StatusBar(self)
        self.setStatusBar(self.status_bar)
        self.tabs = QTabWidget(self)
        self.panels: dict[str, QWidget] = {}
        for spec in PANELS:
            panel = self._make_panel(spec)
            self.panels[spec.key] = panel
            # scrollable: a panel taller than a 1366×768 screen (the intake form) must not push the
            # window off-screen; a panel that fits looks the same
            scroll = QScrollArea(self.tabs)
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            scroll.setWidget(panel)
            self.tabs.addTab(scroll, "")
        self.lock_cover = QLabel(self)  # shown instead of the tabs while locked: no personal data on view
        self.lock_cover.setProperty("role", "title")
        self.lock_cover.hide()
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.status_bar.offline_banner)
        layout.addWidget(self.status_bar.skew_banner)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.lock_cover, 1)
        self.setCentralWidget(central)
        self._build_menus()

        if sync is not None:
            sync.status_changed.connect(self.status_bar.on_status_changed)
            queue = self.panels.get("queue")
            if queue is not None and hasattr(queue, "set_online"):
                sync.online_changed.connect(queue.set_online)
            if sync.status is not None:
                self.status_bar.on_status_changed(sync.status)
        intake = self.panels.get("intake")
        prints = getattr(intake, "prints_finished", None)
        if prints is not None:
            prints.connect(self.on_prints_finished)
        if languages is not None:
            languages.language_changed.connect(self.on_language_changed)
        self.watcher = InactivityWatcher(lock_minutes if verify_password else 0, self)
        self.watcher.timed_out.connect(self.lock)
        self.resize(1280, 720)  # fits 1366×768 with the taskbar
        self.retranslate_ui()

    # --- building ---

    def _make_panel(self, spec: PanelSpec) -> QWidget:
        try:
            module = importlib.import_module(spec.module)
            panel: QWidget = getattr(module, spec.cls)(self.workspace, self)
        except Exception:  # a panel still being written must not take the whole window down
            log.exception("panel %s not available", spec.key)
            placeholder = QLabel(self)
            placeholder.setObjectName(f"{spec.key}Placeholder")
            placeholder.setWordWrap(True)
            return placeholder
        message = getattr(panel, "message", None)
        if message is not None:
            message.connect(self.on_panel_message)
        return panel

    @Slot(object)
    def on_prints_finished(self, jobs: list[PrintJob]) -> None:
        """The printer's state in the status bar, from the last receipt's jobs (the job keeps its error and
        is retried by a reprint; the clerk is never stopped by a printer)."""
        failed = [job for job in jobs if job.status != "printed"]
        if failed:
            state = arg(self.tr("Printer %1: not printed"), failed[0].printer)
        elif jobs:
            state = arg(self.tr("Printer %1: ready"), jobs[-1].printer)
        else:
            return
        self.status_bar.set_printer_state(state)

    def _build_menus(self) -> None:
        self.counter_menu = QMenu(self)
        self.lock_action = QAction(self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(self.lock)
        self.lock_action.setEnabled(self._verify_password is not None)
        self.sync_action = QAction(self)
        self.sync_action.setShortcut(QKeySequence("F5"))
        self.sync_action.triggered.connect(self.on_sync_now)
        self.sign_out_action = QAction(self)
        self.sign_out_action.triggered.connect(self.sign_out)
        self.counter_menu.addActions([self.sync_action, self.lock_action])
        self.counter_menu.addSeparator()
        self.counter_menu.addAction(self.sign_out_action)
        self.menuBar().addMenu(self.counter_menu)

        self.language_menu = QMenu(self)
        self.language_group = QActionGroup(self)
        self.language_group.setExclusive(True)
        self.language_actions: dict[str, QAction] = {}
        for code, name in LANGUAGES.items():
            action = QAction(name, self)  # each language named in itself: never translated
            action.setCheckable(True)
            action.setData(code)
            action.setChecked(self.languages is not None and self.languages.language == code)
            self.language_group.addAction(action)
            self.language_menu.addAction(action)
            self.language_actions[code] = action
        self.language_group.triggered.connect(self.on_language_action)
        self.menuBar().addMenu(self.language_menu)

    # --- i18n ---

    def retranslate_ui(self) -> None:
        user = self.workspace.user
        title = self.tr("counterapp — one-stop counter")
        if self.counter_text:
            title += f" — {self.counter_text}"
        if user is not None:
            title += f" — {user.full_name}"
            if user.offline:
                title += " " + self.tr("(signed in offline)")
        self.setWindowTitle(title)
        for index, spec in enumerate(PANELS):
            self.tabs.setTabText(index, QCoreApplication.translate("MainWindow", spec.title))
            panel = self.panels[spec.key]
            if isinstance(panel, QLabel) and panel.objectName().endswith("Placeholder"):
                panel.setText(arg(self.tr("“%1” is not available in this version yet."), self.tabs.tabText(index)))
            elif hasattr(panel, "retranslate_ui"):
                panel.retranslate_ui()
        self.counter_menu.setTitle(self.tr("&Counter"))
        self.lock_action.setText(self.tr("&Lock now"))
        self.sync_action.setText(self.tr("&Sync now"))
        self.sign_out_action.setText(self.tr("Sign &out"))
        self.language_menu.setTitle(self.tr("&Language"))
        self.lock_cover.setText(self.tr("The counter is locked."))
        self.status_bar.retranslate_ui()
        if self.lock_dialog is not None:
            self.lock_dialog.retranslate_ui()

    @Slot(str)
    def on_language_changed(self, language: str) -> None:
        action = self.language_actions.get(language)
        if action is not None and not action.isChecked():
            action.setChecked(True)
        self.retranslate_ui()

    @Slot(QAction)
    def on_language_action(self, action: QAction) -> None:
        code = action.data()
        if self.languages is not None and isinstance(code, str):
            self.languages.set_language(code)

    def changeEvent(self, event: QEvent) -> None:
        # Without a LanguageManager (tests, embedding), Qt's own LanguageChange still retranslates.
        if event.type() == QEvent.Type.LanguageChange and self.languages is None:
            self.retranslate_ui()
        super().changeEvent(event)

    # --- actions ---

    @Slot(str)
    def on_panel_message(self, text: str) -> None:
        self.status_bar.showMessage(text, 10_000)

    @Slot()
    def on_sync_now(self) -> None:
        if self.sync is not None:
            self.sync.sync_now()
            self.sync.refresh()

    @Slot()
    def lock(self) -> None:
        """Cover the panels and ask the clerk's password again (nothing in the panels is touched)."""
        user = self.workspace.user
        if self.lock_dialog is not None or user is None or self._verify_password is None:
            return
        self.watcher.pause()
        self.tabs.hide()
        self.lock_cover.show()
        self.lock_dialog = LockDialog(user, self._verify_password, self)
        self.lock_dialog.finished.connect(self.on_lock_finished)
        self.lock_dialog.open()
        self.locked.emit()

    @Slot(int)
    def on_lock_finished(self, result: int) -> None:
        dialog, self.lock_dialog = self.lock_dialog, None
        if dialog is not None:
            dialog.deleteLater()
        if result == LockDialog.SIGN_OUT:
            self.sign_out()
            return
        self.lock_cover.hide()
        self.tabs.show()
        self.watcher.resume()
        self.unlocked.emit()

    @Slot()
    def sign_out(self) -> None:
        self.watcher.uninstall()
        self.workspace.user = None
        self.signed_out.emit()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.watcher.uninstall()
        super().closeEvent(event)
