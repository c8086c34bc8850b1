"""The clerk's counter window: three tabs (Counter, Intake, Dossiers), the offline and clock banners over
them, the ticket at the counter on the tabs that do not show it, the status bar, and the menus that own
every key of the window (``window_keys.KEYS``: one owner per key, live on every tab).

The panels are written in their own modules; each is imported when the window is built, and one that
cannot be imported yet (or fails to build) becomes a placeholder tab, so the shell works on its own.

    window = MainWindow(workspace, languages=languages, sync=monitor, verify_password=verify,
                        settings=window_settings(data_dir))
    window.signed_out.connect(controller.on_signed_out)
    window.open()                                   # maximised the first time, then as the clerk left it
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, QSettings, Qt, Signal, Slot
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QMenu, QTabWidget, QVBoxLayout, QWidget

from counterapp.gui.about import HelpMenu
from counterapp.gui.i18n import LANGUAGES, LanguageManager, arg
from counterapp.gui.leave_guard import LeaveChoice, LeaveDialog
from counterapp.gui.lock import InactivityWatcher, LockDialog
from counterapp.gui.panel_scroll import PanelScroll
from counterapp.gui.queue_models import BUTTON_TEXT, Action, translate
from counterapp.gui.statusbar import StatusBar
from counterapp.gui.sync_worker import SyncMonitor
from counterapp.gui.ticket_strip import TicketStrip
from counterapp.gui.window_geometry import restore_or_maximise, save_geometry
from counterapp.gui.window_keys import KEYS, WindowKey
from counterapp.services.clock import centre_wall_time
from counterapp.services.staff import LOCK_MINUTES, StaffSession
from counterapp.services.workspace import Workspace
from counterapp.sync.credential_store import secrets_location

if TYPE_CHECKING:
    from counterapp.services.counter_view import CounterSnapshot
    from counterapp.services.online_codes import OnlineCodes
    from counterapp.services.printing import PrintJob
    from counterapp.sync.engine import SyncStatus

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
TAB_KEYS = (WindowKey.TAB_QUEUE, WindowKey.TAB_INTAKE, WindowKey.TAB_DOSSIERS)


class MainWindow(QMainWindow):
    signed_out = Signal()  # the clerk signed out (menu or lock dialog); the controller shows sign-in again
    locked = Signal()
    unlocked = Signal()
    reconnected = Signal()  # the server answers again after an offline sign-in: the controller signs in online
    reenroll_requested = Signal()  # an admin chose "Re-enroll this PC…": the controller opens the dialog

    def __init__(
        self,
        workspace: Workspace,
        *,
        languages: LanguageManager | None = None,
        sync: SyncMonitor | None = None,
        verify_password: Callable[[str], StaffSession] | None = None,
        lock_minutes: float = LOCK_MINUTES,
        counter_text: str = "",
        settings: QSettings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.languages = languages
        self.sync = sync
        self.counter_text = counter_text
        self.settings = settings
        self._verify_password = verify_password
        self._opened_at = centre_wall_time()  # an offline sign-in trusts only sync rounds after this
        self._queue_online: bool | None = None
        self._leaving: LeaveChoice | None = None  # a sign-out or close waiting for its ticket step
        self._closing_after = False  # the step settles a ticket before closing (not signing out)
        self._closing_approved = False
        self.lock_dialog: LockDialog | None = None
        self.leave_dialog: LeaveDialog | None = None

        self.status_bar = StatusBar(self)
        self.setStatusBar(self.status_bar)
        data_dir = getattr(workspace, "data_dir", None)
        if data_dir is not None:  # the keys in files where no OS keystore runs (counterapp.sync.credential_store)
            self.status_bar.set_secrets_in_file(secrets_location(data_dir) == "file")
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("panelTabs")
        self.panels: dict[str, QWidget] = {}
        for spec in PANELS:
            panel = self._make_panel(spec)
            self.panels[spec.key] = panel
            # every panel is laid out to fit 1366×768 in Vietnamese (tests hold it to that); on a smaller
            # screen it scrolls instead of pushing the window off-screen
            self.tabs.addTab(PanelScroll(panel, self.tabs), "")
        self.strip = TicketStrip(self)
        self.strip.hide()
        self.lock_cover = QLabel(self)  # shown instead of the tabs while locked: no personal data on view
        self.lock_cover.setProperty("role", "title")
        self.lock_cover.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.lock_cover.hide()
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.status_bar.offline_banner)
        layout.addWidget(self.status_bar.skew_banner)
        layout.addWidget(self.strip)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.lock_cover, 1)
        self.setCentralWidget(central)
        self.actions_by_key: dict[Action | WindowKey, QAction] = {}
        self._build_menus()

        queue = self.queue_panel
        if queue is not None:
            queue.snapshot_changed.connect(self.on_snapshot_changed)
        self._queue_online = self._online_for_queue(sync.status if sync else None)
        if queue is not None:
            queue.set_online(self._queue_online)
        if sync is not None:
            sync.status_changed.connect(self.status_bar.on_status_changed)
            sync.status_changed.connect(self.on_sync_status)
            if sync.status is not None:
                self.status_bar.on_status_changed(sync.status)
        intake = self.panels.get("intake")
        prints = getattr(intake, "prints_finished", None)
        if prints is not None:
            prints.connect(self.on_prints_finished)
        self.tabs.currentChanged.connect(self.on_tab_changed)
        if languages is not None:
            languages.language_changed.connect(self.on_language_changed)
        self.watcher = InactivityWatcher(lock_minutes if verify_password else 0, self)
        self.watcher.timed_out.connect(self.lock)
        self.resize(1280, 720)  # the restored size when shown without open(): fits 1366×768 with the taskbar
        self.retranslate_ui()

    # --- building ---

    @property
    def queue_panel(self) -> Any:
        panel = self.panels.get("queue")
        return panel if hasattr(panel, "perform") else None

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

    def _action(self, key: Action | WindowKey, slot: Callable[[], None]) -> QAction:
        action = QAction(self)
        action.setObjectName(f"key_{key.value}")
        action.setShortcut(QKeySequence(KEYS[key]))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)  # every tab, one owner
        action.triggered.connect(slot)
        self.addAction(action)  # live even when its menu is closed
        self.actions_by_key[key] = action
        return action

    def _build_menus(self) -> None:
        self.counter_menu = QMenu(self)
        self.sync_action = self._action(WindowKey.SYNC_NOW, self.on_sync_now)
        self.lock_action = self._action(WindowKey.LOCK, self.lock)
        self.lock_action.setEnabled(self._verify_password is not None)
        self.sign_out_action = QAction(self)
        self.sign_out_action.triggered.connect(self.sign_out)
        self.reenroll_action = QAction(self)  # admins only (retranslate_ui shows it): gui.reenroll_dialog
        self.reenroll_action.triggered.connect(self.reenroll_requested)
        self.counter_menu.addActions([self.sync_action, self.lock_action, self.reenroll_action])
        self.counter_menu.addSeparator()
        self.counter_menu.addAction(self.sign_out_action)
        self.menuBar().addMenu(self.counter_menu)

        self.queue_menu = QMenu(self)
        for step in Action:
            self.queue_menu.addAction(self._action(step, partial(self.on_queue_key, step)))
        self.queue_menu.addSeparator()
        self.queue_menu.addAction(self._action(WindowKey.UNDO_NO_SHOW, self.on_undo_no_show))
        self.menuBar().addMenu(self.queue_menu)

        self.go_menu = QMenu(self)
        for index, key in enumerate(TAB_KEYS):
            self.go_menu.addAction(self._action(key, partial(self.show_tab, index)))
        self.go_menu.addSeparator()
        for key, slot in ((WindowKey.NEW_INTAKE, self.on_new_intake), (WindowKey.SAVE_INTAKE, self.on_save_intake),
                          (WindowKey.FIND_DOSSIER, self.on_find_dossier)):  # fmt: skip
            self.go_menu.addAction(self._action(key, slot))
        self.menuBar().addMenu(self.go_menu)

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

        self.help_menu = HelpMenu(
            self, self.workspace, self._action(WindowKey.ABOUT, lambda: self.help_menu.show_about())
        )
        self.help_menu.bundler.saved.connect(self.status_bar.show_message)
        self.help_menu.bundler.failed.connect(self.status_bar.show_message)
        self.menuBar().addMenu(self.help_menu)

    def open(self) -> None:
        """Show the window where the clerk works: maximised on its screen the first time, then as left."""
        restore_or_maximise(self, self.settings)
        self.activateWindow()
        self.on_tab_changed(self.tabs.currentIndex())

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
            self.tabs.setTabToolTip(index, KEYS[TAB_KEYS[index]])
            panel = self.panels[spec.key]
            if isinstance(panel, QLabel) and panel.objectName().endswith("Placeholder"):
                panel.setText(arg(self.tr("“%1” is not available in this version yet."), self.tabs.tabText(index)))
            elif hasattr(panel, "retranslate_ui"):
                panel.retranslate_ui()
        self.counter_menu.setTitle(self.tr("&Counter"))
        self.lock_action.setText(self.tr("&Lock now"))
        self.sync_action.setText(self.tr("&Sync now"))
        self.sign_out_action.setText(self.tr("Sign &out"))
        self.reenroll_action.setText(self.tr("&Re-enroll this PC…"))
        self.reenroll_action.setVisible(user is not None and user.role == "admin")
        self.queue_menu.setTitle(self.tr("&Queue"))
        for step in Action:
            self.actions_by_key[step].setText(translate(BUTTON_TEXT[step]))
        self.actions_by_key[WindowKey.UNDO_NO_SHOW].setText(self.tr("Undo no-show"))
        self.go_menu.setTitle(self.tr("&Go to"))
        for index, key in enumerate(TAB_KEYS):
            self.actions_by_key[key].setText(QCoreApplication.translate("MainWindow", PANELS[index].title))
        self.actions_by_key[WindowKey.NEW_INTAKE].setText(self.tr("New intake form"))
        self.actions_by_key[WindowKey.SAVE_INTAKE].setText(self.tr("Save intake and print receipt"))
        self.actions_by_key[WindowKey.FIND_DOSSIER].setText(self.tr("Find a dossier"))
        self.language_menu.setTitle(self.tr("&Language"))
        self.help_menu.retranslate_ui()
        self.lock_cover.setText(self.tr("The counter is locked."))
        self.status_bar.retranslate_ui()
        self.strip.retranslate_ui()
        for dialog in (self.lock_dialog, self.leave_dialog):
            if dialog is not None:
                dialog.retranslate_ui()

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

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.watcher.watch_window(self.windowHandle())  # input counts even before the window takes focus

    def changeEvent(self, event: QEvent) -> None:
        # Without a LanguageManager (tests, embedding), Qt's own LanguageChange still retranslates.
        if event.type() == QEvent.Type.LanguageChange and self.languages is None:
            self.retranslate_ui()
        super().changeEvent(event)

    # --- online, the ticket at the counter ---

    def _online_for_queue(self, status: SyncStatus | None) -> bool:
        """Whether call-next may take the whole queue: only when the server answered. A standalone counter
        (no sync) is its own authority. After a sign-in without the server, a status saying "online" is
        believed only from a sync round that ended after the window opened: the one before may be stale."""
        if self.sync is None:
            return True
        if status is None or not status.online:
            return False
        user = self.workspace.user
        if user is not None and user.offline:
            return status.last_sync_at is not None and status.last_sync_at >= self._opened_at
        return True

    @Slot(object)
    def on_sync_status(self, status: SyncStatus) -> None:
        online = self._online_for_queue(status)
        if online == self._queue_online:
            return
        self._queue_online = online
        queue = self.queue_panel
        if queue is not None:
            queue.set_online(online)
        user = self.workspace.user
        if online and user is not None and user.offline:
            self.reconnected.emit()

    @property
    def server_online(self) -> bool:
        """The server answers (as the queue believes it): online dossier codes are asked only then."""
        return self.sync is not None and bool(self._queue_online)

    def set_online_codes(self, provider: Callable[[], OnlineCodes | None]) -> None:
        """Where the intake gets the server's dossier numbers from while the server answers."""
        intake = self.panels.get("intake")
        if intake is not None and hasattr(intake, "online_codes"):
            intake.online_codes = lambda: provider() if self.server_online else None

    def user_changed(self) -> None:
        """The controller replaced the signed-in user (an offline sign-in confirmed by the server)."""
        self.retranslate_ui()

    @Slot(object)
    def on_snapshot_changed(self, snapshot: CounterSnapshot) -> None:
        self.strip.set_snapshot(snapshot)
        set_ticket = getattr(self.panels.get("intake"), "set_ticket", None)
        if set_ticket is not None:
            set_ticket(snapshot.current)
        if self._leaving is not None and snapshot.current is None:  # the ticket was settled: now leave
            self._leave()

    @Slot(int)
    def on_tab_changed(self, index: int) -> None:
        """The queue tab shows the ticket itself; the others get the strip. Focus goes where typing starts."""
        self.strip.setVisible(index != 0 and self.queue_panel is not None and not self.lock_cover.isVisible())
        panel = self.panels[PANELS[index].key] if 0 <= index < len(PANELS) else None
        focus = getattr(panel, "focus_first", None)
        if callable(focus):
            focus()

    def show_tab(self, index: int) -> None:
        if self.lock_dialog is None:
            self.tabs.setCurrentIndex(index)

    # --- keys ---

    def on_queue_key(self, step: Action) -> None:
        queue = self.queue_panel
        if queue is not None and self.lock_dialog is None:
            queue.perform(step)

    @Slot()
    def on_undo_no_show(self) -> None:
        queue = self.queue_panel
        if queue is not None:
            queue.undo_no_show()

    @Slot()
    def on_new_intake(self) -> None:
        self.show_tab(1)
        request_new_form = getattr(self.panels.get("intake"), "request_new_form", None)
        if request_new_form is not None:
            request_new_form()

    @Slot()
    def on_save_intake(self) -> None:
        if self.tabs.currentIndex() != 1:  # Ctrl+S saves the form the clerk sees, never one out of sight
            self.show_tab(1)
            return
        save = getattr(self.panels.get("intake"), "save", None)
        if save is not None:
            save()

    @Slot()
    def on_find_dossier(self) -> None:
        self.show_tab(2)
        find = getattr(self.panels.get("dossiers"), "on_find_triggered", None)
        if find is not None:
            find()

    # --- actions ---

    @Slot(object)
    def on_prints_finished(self, jobs: list[PrintJob]) -> None:
        """The printer's state in the status bar, from the last receipt's jobs (the job keeps its error and
        is retried by a reprint; the clerk is never stopped by a printer)."""
        self.status_bar.set_print_jobs(jobs)

    @Slot(str)
    def on_panel_message(self, text: str) -> None:
        self.status_bar.show_message(text)

    @Slot()
    def on_sync_now(self) -> None:
        if self.sync is not None:
            self.sync.sync_now()
            self.sync.refresh()
            self.status_bar.show_message(self.tr("Syncing now…"))

    @Slot()
    def lock(self) -> None:
        """Cover the panels and ask the clerk's password again (nothing in the panels is touched)."""
        user = self.workspace.user
        if self.lock_dialog is not None or user is None or self._verify_password is None:
            return
        self.watcher.pause()
        self.tabs.hide()
        self.strip.hide()
        self.lock_cover.show()
        queue = self.queue_panel
        ticket = queue.current if queue is not None else None
        self.lock_dialog = LockDialog(user, self._verify_password, self, ticket=ticket)
        self.lock_dialog.finished.connect(self.on_lock_finished)
        self.lock_dialog.open()
        self.locked.emit()

    @Slot(int)
    def on_lock_finished(self, result: int) -> None:
        dialog, self.lock_dialog = self.lock_dialog, None
        if dialog is not None:
            dialog.deleteLater()
        self.lock_cover.hide()
        self.tabs.show()
        self.on_tab_changed(self.tabs.currentIndex())
        self.watcher.resume()
        self.unlocked.emit()
        if result == LockDialog.SIGN_OUT:
            self.sign_out()

    def _pending_ops(self) -> int:
        status = self.sync.status if self.sync is not None else None
        return status.pending_ops if status is not None else 0

    def _ask_before_leaving(self, *, closing: bool) -> bool:
        """Open the leave dialog if a ticket is at the counter or changes are unsent; True if it opened."""
        queue = self.queue_panel
        ticket = queue.current if queue is not None else None
        pending = self._pending_ops()
        if self.leave_dialog is not None or not LeaveDialog.needed(ticket, pending):
            return self.leave_dialog is not None
        dialog = LeaveDialog(ticket, pending, closing=closing, parent=self)
        dialog.finished.connect(self.on_leave_answered)
        self.leave_dialog = dialog
        dialog.open()
        return True

    @Slot()
    def on_leave_answered(self) -> None:
        dialog, self.leave_dialog = self.leave_dialog, None
        if dialog is None:
            return
        dialog.deleteLater()
        choice, queue = dialog.choice, self.queue_panel
        if choice is LeaveChoice.STAY:
            return
        self._leaving = choice
        self._closing_after = dialog.closing
        if choice is LeaveChoice.LEAVE or queue is None:
            self._leave()
            return
        step = Action.FINISH if choice is LeaveChoice.FINISH_AND_LEAVE else Action.HOLD
        if not queue.perform(step):  # not possible (any more): say so and stay
            self._leaving = None

    def _leave(self) -> None:
        self._leaving = None
        if self._closing_after:
            self._closing_approved = True
            self.close()
        else:
            self._sign_out_now()

    @Slot()
    def sign_out(self) -> None:
        if self._ask_before_leaving(closing=False):
            return
        self._sign_out_now()

    def _sign_out_now(self) -> None:
        self.watcher.uninstall()
        save_geometry(self, self.settings)
        self.workspace.user = None
        self.signed_out.emit()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._closing_approved and self.workspace.user is not None and self._ask_before_leaving(closing=True):
            event.ignore()
            return
        self.watcher.uninstall()
        save_geometry(self, self.settings)
        queue = self.queue_panel
        if queue is not None:
            queue.stop()
        super().closeEvent(event)
