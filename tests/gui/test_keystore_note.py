"""The status bar says when the keys are kept in files (no OS keystore runs on this PC), in the clerk's
language, and says nothing where the keystore holds them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from counterapp.gui.i18n import LanguageManager
from counterapp.gui.mainwindow import MainWindow
from counterapp.gui.statusbar import StatusBar
from counterapp.services.workspace import SignedIn, Workspace, open_workspace
from tests.counter import counter_store
from tests.keystores import MemoryKeyring


@pytest.fixture
def vietnamese(qapp: QApplication) -> Iterator[LanguageManager]:
    assert qapp is not None
    manager = LanguageManager()  # the app's own compiled catalogue
    manager.set_language("vi")
    yield manager
    manager.set_language("en")


def _window(qtbot: QtBot, workspace: Workspace) -> MainWindow:
    workspace.user = SignedIn("u-1", "lan.nt", "Nguyễn Thị Lan", "clerk")
    window = MainWindow(workspace)
    qtbot.addWidget(window)
    return window


def test_keys_in_files_are_said_in_the_status_bar(qtbot: QtBot, workspace: Workspace) -> None:
    window = _window(qtbot, workspace)  # the tests run without a keystore: the keys are in files
    note = window.status_bar.keystore_label
    assert not note.isHidden()
    assert note.text() == "Keys in a file" and "Tell IT" in note.toolTip()


def test_keys_in_the_keystore_need_no_note(qtbot: QtBot, tmp_path: Path, os_keystore: MemoryKeyring) -> None:
    counter_store(tmp_path / "counter").close()
    workspace = open_workspace(tmp_path / "counter")
    try:
        assert os_keystore.entries  # the cache key went there
        assert _window(qtbot, workspace).status_bar.keystore_label.isHidden()
    finally:
        workspace.store.close()


def test_the_note_is_vietnamese_by_default(qtbot: QtBot, vietnamese: LanguageManager) -> None:
    bar = StatusBar()
    qtbot.addWidget(bar)
    bar.set_secrets_in_file(True)
    assert vietnamese.language == "vi"
    assert bar.keystore_label.text() == "Khóa ở tệp"
    assert bar.keystore_label.toolTip().startswith("Máy này không có kho khóa của hệ điều hành")
