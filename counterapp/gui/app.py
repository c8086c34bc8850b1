"""Starting the counter window: the QApplication, fonts and theme, languages, the crash hook, then sign-in
→ main window, with the sync engine running in its own thread for as long as the app runs.

    run_counter_window(Path("~/counter-data"), prefill_username="lan.nt")   # blocks until the app quits
    main(["--data-dir", "/srv/counter", "--lang", "en"])                   # the same from arguments
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
import traceback
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThread, QTimer, Slot
from PySide6.QtWidgets import QApplication, QMessageBox

from counterapp.domain.errors import DomainError
from counterapp.gui import jobs
from counterapp.gui.collector import GuiThreadCollector
from counterapp.gui.gil import favour_gui_thread
from counterapp.gui.i18n import DEFAULT_LANGUAGE, LANGUAGES, LanguageManager, arg
from counterapp.gui.jobs import IO, Job, start
from counterapp.gui.login import LoginDialog
from counterapp.gui.mainwindow import MainWindow
from counterapp.gui.resources import load_theme
from counterapp.gui.startup_timing import exit_when_painted
from counterapp.gui.sync_worker import SyncMonitor
from counterapp.gui.window_geometry import window_settings
from counterapp.protocol.client import ServerClient
from counterapp.services import staff
from counterapp.services.device import get_device
from counterapp.services.logfiles import setup_file_logging
from counterapp.services.workspace import Workspace, open_workspace
from counterapp.sync.engine import SyncEngine
from counterapp.sync.enrollment import Credential, NotEnrolled, client_for, load_credential

if TYPE_CHECKING:
    from counterapp.services.online_codes import OnlineCodes

log = logging.getLogger(__name__)

__all__ = ["CounterApp", "first_start", "install_excepthook", "main", "run_counter_window", "setup_logging"]

SETTLE_AFTER_MS = 2000  # after sign-in, the collector's one full pass (~100 ms) once the window is up


# --- crashes ---

_showing_crash = False


def _excepthook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    """A bug: log it with its traceback, then tell the clerk (once at a time) instead of vanishing."""
    global _showing_crash
    log.critical("unexpected error", exc_info=(kind, value, tb))
    app = QApplication.instance()
    if app is None or _showing_crash or QThread.currentThread() is not app.thread():
        return
    _showing_crash = True
    try:
        box = QMessageBox(QMessageBox.Icon.Critical, app.translate("CrashDialog", "Unexpected error"),
                          app.translate("CrashDialog", "Something went wrong in counterapp. Your saved work is safe; "
                                        "the error was written to the log. If it happens again, call IT."))  # fmt: skip
        # the exception's type and where it happened; exception messages never carry personal data here
        box.setDetailedText("".join(traceback.format_exception(kind, value, tb, limit=15)))
        box.exec()
    finally:
        _showing_crash = False


def install_excepthook() -> None:
    sys.excepthook = _excepthook


def setup_logging(data_dir: Path) -> Path:
    """INFO and above to ``<data_dir>/logs/counterapp.log`` (rotated at midnight, the last 14 days kept) and
    to stderr, so a crash on a clerk's PC leaves a trace IT can collect (``counterapp support-bundle``). The
    log never holds passwords or personal data; tracebacks are written without exception messages."""
    return setup_file_logging(data_dir)


# --- the application ---


def counter_text(workspace: Workspace) -> str:
    with workspace.reading() as (session, _now):
        device = get_device(session)
    return arg(QApplication.translate("CounterApp", "Counter %1 — %2"), device.counter_number, device.agency_code)


class CounterApp(QObject):
    """Sign-in, the main window and sign-out, over one workspace and one sync engine."""

    def __init__(
        self,
        workspace: Workspace,
        credential: Credential | None,
        languages: LanguageManager,
        *,
        prefill_username: str | None = None,
        collector: GuiThreadCollector | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.languages = languages
        self.collector = collector
        self.prefill_username = prefill_username or ""
        # two clients: the engine's runs on the sync thread, the sign-in one on the IO pool
        self.login_client: ServerClient | None = client_for(credential) if credential else None
        engine = None
        if credential is not None:
            engine = SyncEngine(workspace.store, client_for(credential), centre_id=credential.centre_id)
        self.sync = SyncMonitor(workspace, engine, parent=self)
        self.counter_text = counter_text(workspace)
        with workspace.reading() as (session, _now):
            self.lock_minutes = staff.lock_minutes(session)
        self.login: LoginDialog | None = None
        self.window: MainWindow | None = None
        self.staff_session: staff.StaffSession | None = None  # its token, for staff endpoints (online only)
        # After a sign-in without the server, the password stays in memory (never on disk, never logged) until
        # the server answers again and confirms it: the clerk then gets a staff session without typing again.
        self._confirm_password: str | None = None
        self._confirming = False
        self.credential = credential
        self.moved_to: Path | None = None  # re-enrolled: run_counter_window starts again on this data directory

    def sign_in(self, username: str, password: str) -> staff.StaffSession:
        """Runs on the IO pool (blocking)."""
        session = staff.sign_in(self.workspace, self.login_client, username, password)
        if session.user.offline and self.login_client is not None:
            self._confirm_password = password
        return session

    def start(self) -> None:
        self.sync.start()  # sync needs no clerk: the device credential is enough
        self.show_login()

    def show_login(self, username: str | None = None) -> None:
        self.login = LoginDialog(
            self.sign_in,
            languages=self.languages,
            counter_text=self.counter_text,
            username=self.prefill_username if username is None else username,
        )
        self.login.signed_in.connect(self.on_signed_in)
        self.login.rejected.connect(self.on_login_cancelled)
        exit_when_painted(self.login)  # COUNTERAPP_EXIT_ON_LOGIN: timing the start (packaging/README.md)
        self.login.show()

    @Slot(object)
    def on_signed_in(self, session: staff.StaffSession) -> None:
        self.workspace.user = session.user
        self.staff_session = session
        user = session.user
        window = MainWindow(
            self.workspace,
            languages=self.languages,
            sync=self.sync,
            verify_password=partial(self.sign_in, user.username),
            lock_minutes=self.lock_minutes,
            counter_text=self.counter_text,
            settings=window_settings(self.workspace.data_dir),
        )
        window.signed_out.connect(self.on_signed_out)
        window.reconnected.connect(self.on_reconnected)
        window.reenroll_requested.connect(self.on_reenroll_requested)
        window.set_online_codes(self.online_codes)
        self.window = window
        if user.offline:
            self.sync.sync_now()  # the server did not answer the sign-in: let the status say so at once
        window.open()
        if self.login is not None:
            self.login.deleteLater()
            self.login = None
        if self.collector is not None:  # once the window is painted and the sign-in dialog gone
            QTimer.singleShot(SETTLE_AFTER_MS, self.collector.settle)

    def online_codes(self) -> OnlineCodes | None:
        """The server's dossier numbers for the clerk's staff session (none after an offline sign-in until
        the server confirms it; the intake then takes the offline lease's)."""
        session, client = self.staff_session, self.login_client
        if session is None or not session.token or client is None:
            return None
        from counterapp.services.online_codes import OnlineCodes

        return OnlineCodes(client, session.token)

    @Slot()
    def on_reconnected(self) -> None:
        """The server answers again after an offline sign-in: confirm the clerk there, off the GUI thread."""
        user, password = self.workspace.user, self._confirm_password
        if user is None or not user.offline or password is None or self.login_client is None or self._confirming:
            return
        self._confirming = True
        client, workspace, username = self.login_client, self.workspace, user.username
        job = Job(lambda: staff.sign_in(workspace, client, username, password), name="sign-in.confirm")
        job.signals.succeeded.connect(self.on_sign_in_confirmed)
        job.signals.failed.connect(self.on_sign_in_not_confirmed)
        start(IO, job)

    @Slot(object)
    def on_sign_in_confirmed(self, session: staff.StaffSession) -> None:
        self._confirming = False
        current = self.workspace.user
        if session.user.offline or current is None or current.user_id != session.user.user_id:
            return  # the server went away again (the next reconnect tries again), or someone else signed in
        self._confirm_password = None
        self.workspace.user = session.user
        self.staff_session = session
        log.info("user %s confirmed online after an offline sign-in", session.user.user_id)
        if self.window is not None:
            self.window.user_changed()

    @Slot(object)
    def on_sign_in_not_confirmed(self, exc: Exception) -> None:
        """The server refused the password (changed, or the account closed): no more tries; the clerk keeps
        working as signed in offline, and the next sign-in asks the server again."""
        self._confirming = False
        self._confirm_password = None
        log.info("the offline sign-in was not confirmed online: %s", getattr(exc, "code", type(exc).__name__))

    @Slot()
    def on_reenroll_requested(self) -> None:
        """An admin re-enrolls this PC (``gui.reenroll_dialog``); the menu shows the action to admins only."""
        from counterapp.gui.reenroll_dialog import ReenrollDialog

        user = self.workspace.user
        if self.window is None or user is None or user.role != "admin":
            return
        server_url = self.credential.server_url if self.credential is not None else ""
        dialog = ReenrollDialog(self.workspace, server_url=server_url, parent=self.window)
        dialog.reenrolled.connect(self.on_reenrolled)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    @Slot(object)
    def on_reenrolled(self, data_dir: Path) -> None:
        """The PC has a new identity in a new data directory: leave this one and start again there."""
        log.info("re-enrolled: restarting on the new data directory")
        self.moved_to = data_dir
        window, self.window = self.window, None
        if window is not None:
            window._closing_approved = True  # an admin's decision; the unsent work is safe (pushed or exported)
            window.close()
            window.deleteLater()
        QApplication.quit()

    @Slot()
    def on_login_cancelled(self) -> None:
        if self.window is None:
            QApplication.quit()

    @Slot()
    def on_signed_out(self) -> None:
        window, self.window = self.window, None
        self.staff_session = None
        self._confirm_password = None
        self.show_login(username="")  # shown before the window closes, so the app does not quit
        if window is not None:
            window.close()
            window.deleteLater()

    def shutdown(self) -> None:
        self.sync.stop()
        jobs.wait_idle()
        if self.login_client is not None:
            self.login_client.close()


TOO_NEW = "store.data_dir_too_new"  # counterapp.store.errors.DataDirectoryTooNew (the GUI never imports the store)


def too_new_text(exc: DomainError) -> str:
    """The one line for a data directory written by a newer counterapp, in the clerk's language."""
    schema, need = exc.params.get("schema", "?"), exc.params.get("need")
    number = str(int(schema)) if str(schema).isdigit() else str(schema)
    if need:
        text = QApplication.translate(
            "CounterApp",
            "This data directory was written by a newer counterapp (schema %1); install version %2 or later.",
        )
        return arg(text, number, need)
    text = QApplication.translate(
        "CounterApp", "This data directory was written by a newer counterapp (schema %1); install that version again."
    )
    return arg(text, number)


def _open(data_dir: Path, server_url: str | None) -> tuple[Workspace, Credential | None]:
    workspace = open_workspace(data_dir)
    try:
        credential: Credential | None = load_credential(data_dir)
    except NotEnrolled:
        credential = None  # standalone: the clerks who signed in here before can still sign in offline
    if credential is not None and server_url:
        credential = dataclasses.replace(credential, server_url=server_url.rstrip("/"))
    return workspace, credential


def first_start(data_dir: Path, languages: LanguageManager) -> bool:
    """A data directory that is not enrolled gets the first-start wizard (``gui.enroll_wizard``) before the
    sign-in; False when IT quits it before enrolling."""
    from counterapp.gui.enroll_wizard import EnrollWizard, needs_enrollment

    if not needs_enrollment(data_dir):
        return True
    wizard = EnrollWizard(data_dir, languages=languages)
    accepted = wizard.exec() == EnrollWizard.DialogCode.Accepted
    wizard.deleteLater()
    return accepted or not needs_enrollment(data_dir)  # quit on the printers page: enrolled all the same


def run_counter_window(
    data_dir: Path,
    server_url: str | None = None,
    prefill_username: str | None = None,
    *,
    language: str = DEFAULT_LANGUAGE,
) -> int:
    """Open the counter window on the data directory (the first-start wizard first when it is not enrolled)
    and run the event loop until the clerk quits. ``server_url`` overrides the enrolled one. Returns the exit status."""
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "counterapp"])
    assert isinstance(app, QApplication)
    app.setApplicationName("counterapp")
    app.setOrganizationName("counterapp")
    install_excepthook()
    favour_gui_thread()
    load_theme(app)
    languages = LanguageManager(parent=app)
    languages.set_language(language)
    collector = GuiThreadCollector(app)  # before any pool or sync thread starts allocating
    collector.start()
    try:
        while True:  # once more after a re-enrollment, on the new data directory
            try:
                workspace, credential = _open(data_dir, server_url)
            except DomainError as exc:
                if exc.code != TOO_NEW:
                    raise
                log.error("%s", exc)  # the same line as the CLI's, for IT reading the log
                QMessageBox.critical(None, "counterapp", too_new_text(exc))
                return 1
            if credential is None:  # opened first: a directory of a newer build is refused before the wizard
                workspace.close()
                if not first_start(data_dir, languages):
                    return 0  # IT quit the wizard: nothing to sign in to
                workspace, credential = _open(data_dir, server_url)
            try:
                try:
                    controller = CounterApp(
                        workspace, credential, languages, prefill_username=prefill_username, collector=collector
                    )
                except DomainError as exc:  # not initialised: say what to do rather than a traceback
                    QMessageBox.critical(None, "counterapp", f"{exc.code}: {exc}")
                    return 1
                controller.start()
                try:
                    status = int(app.exec())
                finally:
                    controller.shutdown()
            finally:
                workspace.close()
            if controller.moved_to is None:
                return status
            data_dir, server_url, prefill_username = controller.moved_to, None, None
    finally:
        collector.stop()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="counterapp-gui", description="the counter window")
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--server", metavar="URL", help="override the enrolled server address")
    parser.add_argument("--username", help="pre-fill the sign-in form")
    parser.add_argument("--lang", choices=sorted(LANGUAGES), default=DEFAULT_LANGUAGE)
    args = parser.parse_args(argv)
    setup_logging(args.data_dir)
    return run_counter_window(args.data_dir, args.server, args.username, language=args.lang)


if __name__ == "__main__":
    sys.exit(main())
