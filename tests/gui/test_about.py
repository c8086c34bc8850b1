"""The Help menu (issue 17 point 8): F1 opens "About" from any tab, in Vietnamese by default, with the version,
the same facts as the support bundle in short and the data directory; its button (and the menu's item)
writes the support bundle off the GUI thread. And the window's one line for a data directory written by a
newer counterapp (point 6)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from counterapp import __version__
from counterapp.gui import app as gui_app
from counterapp.gui.about import AboutDialog
from counterapp.gui.i18n import LanguageManager
from counterapp.gui.mainwindow import MainWindow
from counterapp.services.workspace import SignedIn, Workspace
from counterapp.store.database import HEAD_REVISION
from tests.counter import counter_store
from tests.gui.windowkit import TIMEOUT, make_window, press, window_workspace
from tests.store.test_schema_guard import bump_to_future

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def vietnamese(qapp: QApplication, tmp_path: Path) -> Iterator[LanguageManager]:
    """The shipped Vietnamese catalogue, compiled from the committed .ts (whatever ``make`` built last)."""
    found = shutil.which("pyside6-lrelease") or str(Path(sys.executable).parent / "pyside6-lrelease")
    if not Path(found).exists():
        pytest.skip("pyside6-lrelease is not installed")
    folder = tmp_path / "i18n"
    folder.mkdir()
    for name in ("counterapp_vi", "qtbase_vi"):
        subprocess.run([found, str(ROOT / "resources" / "i18n" / f"{name}.ts"), "-qm", str(folder / f"{name}.qm")],
                       check=True, capture_output=True)  # fmt: skip
    manager = LanguageManager(folder, parent=qapp)
    manager.set_language("vi")
    yield manager
    manager.set_language("en")


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path, vietnamese: LanguageManager) -> Iterator[MainWindow]:
    workspace = window_workspace(tmp_path / "counter")
    workspace.user = SignedIn("clerk-1", "lan.nt", "Nguyễn Thị Lan", "clerk")
    try:
        yield make_window(qtbot, workspace, tmp_path, languages=vietnamese)
    finally:
        workspace.close()


def about_of(window: MainWindow) -> AboutDialog:
    dialog = window.help_menu.about_dialog
    assert dialog is not None
    return dialog


def test_f1_opens_about_in_vietnamese_with_the_facts_and_writes_the_bundle(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
):
    # GIVEN the window on the intake tab, in Vietnamese (the default language)
    window.show_tab(1)
    assert window.help_menu.title() == "T&rợ giúp"  # Alt+R: the one letter free in sight
    assert [a.text() for a in window.help_menu.actions() if a.text()] == ["Tạo gói hỗ trợ…", "Giới thiệu"]
    # WHEN the clerk presses F1
    press(qtbot, window, Qt.Key.Key_F1)
    # THEN About opens with the version and the data directory at once, the rest once read off the GUI thread
    qtbot.waitUntil(lambda: window.help_menu.about_dialog is not None and about_of(window).isVisible(),
                    timeout=TIMEOUT)  # fmt: skip
    dialog = about_of(window)
    assert dialog.windowTitle() == "Giới thiệu counterapp"
    assert dialog.values["version"].text() == __version__
    assert dialog.values["data_dir"].text() == str(window.workspace.data_dir)
    assert dialog.bundle_button.text() == "Tạo gói hỗ trợ…"
    qtbot.waitUntil(lambda: dialog.facts is not None, timeout=TIMEOUT)
    assert dialog.values["schema"].text() == f"{HEAD_REVISION} (phiên bản này: {HEAD_REVISION})"
    assert dialog.values["server"].text() == "chưa đăng ký với máy chủ (chạy độc lập)"
    # WHEN IT clicks "Create support bundle…" and picks a file
    target = tmp_path / "ho-tro.zip"
    window.help_menu.bundler.ask_path = lambda _parent: target
    with qtbot.waitSignal(window.help_menu.bundler.finished, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.bundle_button, Qt.MouseButton.LeftButton)
    # THEN the zip is written and both the dialog and the status bar say where
    with zipfile.ZipFile(target) as bundle:
        assert {"versions.json", "settings.json", "sync.json", "printers.json", "data_dir.json"} <= set(
            bundle.namelist()
        )
        assert '"qt": "6.' in bundle.read("versions.json").decode("utf-8")  # the running Qt's version
    assert dialog.result_label.text().startswith("Đã lưu gói hỗ trợ: ") and str(target) in dialog.result_label.text()
    assert str(target) in window.status_bar.message()
    assert dialog.bundle_button.isEnabled()
    # AND Escape closes the dialog, the window is back
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.help_menu.about_dialog is None, timeout=TIMEOUT)


def test_the_menu_item_writes_the_bundle_and_a_cancelled_save_writes_nothing(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
):
    bundler = window.help_menu.bundler
    bundler.ask_path = lambda _parent: None  # the clerk cancels the save dialog
    window.help_menu.bundle_action.trigger()
    assert not bundler.busy and list(tmp_path.glob("*.zip")) == []
    target = tmp_path / "menu.zip"
    bundler.ask_path = lambda _parent: target
    with qtbot.waitSignal(bundler.saved, timeout=TIMEOUT):
        window.help_menu.bundle_action.trigger()
    assert target.is_file()


def test_the_window_refuses_a_data_directory_of_a_newer_build_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, vietnamese: LanguageManager
):
    counter_store(tmp_path).close()
    future = f"{int(HEAD_REVISION) + 1:04d}"
    bump_to_future(tmp_path)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, _title, text: shown.append(text))
    monkeypatch.setattr(gui_app, "LanguageManager", lambda parent=None: vietnamese)  # the compiled catalogue
    monkeypatch.setattr(gui_app, "load_theme", lambda _app: None)  # the shared test application keeps its style
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    assert gui_app.run_counter_window(tmp_path, language="vi") == 1
    assert shown == [
        f"Thư mục dữ liệu này do phiên bản counterapp mới hơn ghi (lược đồ {int(future)}); "
        "hãy cài phiên bản 9.4.2 trở lên."
    ]


def test_about_reads_nothing_on_the_gui_thread(qtbot: QtBot, workspace: Workspace):
    """The dialog is built without the database (its facts come from a DB-pool job)."""
    from counterapp.gui.about import SupportBundler

    calls: list[str] = []
    original = workspace.store.read

    def watched():  # type: ignore[no-untyped-def]
        import threading

        calls.append(threading.current_thread().name)
        return original()

    workspace.store.read = watched  # type: ignore[method-assign]
    dialog = AboutDialog(workspace, SupportBundler(workspace))
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.facts is not None, timeout=TIMEOUT)
    assert calls and "MainThread" not in calls
