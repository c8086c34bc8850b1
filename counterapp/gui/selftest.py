"""The Qt half of ``counterapp selftest`` (counterapp/cli/selftest_cmd.py): Qt starts offscreen, every
compiled translation loads, the bundled fonts and theme apply, and the sign-in dialog and the main window
are built over the self-test's temporary counter and closed again. Cheap on purpose: no event loop runs
longer than it takes to show the windows once.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

__all__ = ["checks"]

# A message every Vietnamese catalogue must translate (the sign-in form's label).
PROBE = ("LoginDialog", "Password")


def _app() -> object:
    # Offscreen whatever the session has: the self-test must pass on a PC with no display (CI, SSH) and must
    # not flash a window on a clerk's screen.
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(["counterapp-selftest"])
    return app


def check_qt() -> str:
    from PySide6.QtCore import qVersion
    from PySide6.QtGui import QGuiApplication

    from counterapp.gui.printer_chooser import system_printers

    _app()
    # the printer chooser's list of system queues: QtPrintSupport must be in the bundle (the spec once
    # excluded it, and choosing a printer queue in the frozen app would have failed on the import)
    printers = len(system_printers())
    return f"Qt {qVersion()}, platform {QGuiApplication.platformName()}, print support ({printers} system printers)"


def check_translations() -> str:
    from PySide6.QtCore import QTranslator

    from counterapp.gui.resources import i18n_dir

    _app()
    files = sorted(i18n_dir().glob("*.qm"))
    if not files:
        raise RuntimeError(f"no compiled translations (.qm) in {i18n_dir()}")
    for path in files:
        translator = QTranslator()
        if not translator.load(str(path)):  # (counterapp_en may be empty: the source strings are English)
            raise RuntimeError(f"{path.name} does not load")
        if path.name == "counterapp_vi.qm" and not translator.translate(*PROBE):
            raise RuntimeError(f"{path.name} has no Vietnamese for {PROBE[1]!r}")
    return ", ".join(path.name for path in files)


def check_theme() -> str:
    from PySide6.QtWidgets import QApplication

    from counterapp.gui.resources import FONT_FAMILY, load_theme

    app = _app()
    assert isinstance(app, QApplication)
    load_theme(app)
    if app.font().family() != FONT_FAMILY:
        raise RuntimeError(f"font {app.font().family()!r} instead of {FONT_FAMILY!r}")
    if not app.styleSheet():
        raise RuntimeError("the QSS theme is empty or missing")
    return f"{FONT_FAMILY}, theme.qss ({len(app.styleSheet()):,} characters)"


def check_windows(data_dir: Path) -> str:
    """The first-start wizard, the sign-in dialog and the main window (its panels included), each shown
    offscreen once and closed."""
    from PySide6.QtCore import QLocale
    from PySide6.QtWidgets import QApplication

    from counterapp.gui import jobs
    from counterapp.gui.enroll_wizard import EnrollWizard
    from counterapp.gui.i18n import LanguageManager
    from counterapp.gui.login import LoginDialog
    from counterapp.gui.mainwindow import MainWindow
    from counterapp.gui.window_geometry import window_settings
    from counterapp.services.workspace import open_workspace

    app = _app()
    assert isinstance(app, QApplication)
    locale = QLocale()
    languages = LanguageManager(parent=app)
    languages.set_language("vi")

    def no_sign_in(_username: str, _password: str) -> object:
        raise RuntimeError("the self-test does not sign in")

    # not the installer's config: with one in place, the wizard would enroll (and spend its code) at once
    wizard = EnrollWizard(data_dir.parent / "wizard", languages=languages, read_config=False)
    wizard.show()
    app.processEvents()
    wizard.close()
    wizard.deleteLater()
    login = LoginDialog(no_sign_in, languages=languages, counter_text="selftest")  # type: ignore[arg-type]
    login.show()
    app.processEvents()
    title = login.windowTitle()
    login.close()
    login.deleteLater()
    workspace = open_workspace(data_dir)
    try:
        window = MainWindow(workspace, languages=languages, settings=window_settings(data_dir))
        window.show()
        app.processEvents()
        panels = sorted(key for key, panel in window.panels.items() if not key.endswith("Placeholder"))
        missing = [key for key, panel in window.panels.items() if panel.objectName().endswith("Placeholder")]
        window._closing_approved = True  # nothing to leave: no ticket, no unsaved intake
        queue = window.queue_panel
        if queue is not None:
            queue.stop()
        jobs.wait_idle(10_000)
        window.close()
        window.deleteLater()
        app.processEvents()
    finally:
        workspace.close()
    languages.remove()  # the process may go on (tests): leave it the language and locale it had
    QLocale.setDefault(locale)
    languages.deleteLater()
    if missing:
        raise RuntimeError(f"panels not available: {', '.join(missing)} (see the log)")
    return f"first-start wizard, sign-in ({title or 'untitled'}), main window with {', '.join(panels)}"


def checks(data_dir: Path) -> list[tuple[str, Callable[[], str]]]:
    """In order: the window check needs the store the CLI's store check made in ``data_dir``."""
    return [
        ("qt", check_qt),
        ("translations", check_translations),
        ("theme", check_theme),
        ("windows", lambda: check_windows(data_dir)),
    ]
