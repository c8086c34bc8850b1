"""Switching the language live: Vietnamese (the default) to English, without reopening any window.

The real catalogues come from the translation step; this test compiles a small Vietnamese one with
``pyside6-lrelease`` so that it checks the mechanism itself: translators installed and replaced, and
every window re-setting its texts."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from counterapp.gui.i18n import LanguageManager
from counterapp.gui.login import LoginDialog
from counterapp.gui.mainwindow import MainWindow
from counterapp.services.staff import StaffSession
from counterapp.services.workspace import SignedIn, Workspace

CATALOGUE = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="vi_VN">
<context><name>MainWindow</name>
<message><source>Counter</source><translation>Quầy</translation></message>
<message><source>Intake</source><translation>Tiếp nhận</translation></message>
<message><source>Dossiers</source><translation>Hồ sơ</translation></message>
<message><source>&amp;Language</source><translation>&amp;Ngôn ngữ</translation></message>
</context>
<context><name>LoginDialog</name>
<message><source>Username</source><translation>Tên đăng nhập</translation></message>
</context>
<context><name>StatusBar</name>
<message><source>Lost connection to the server — keep working as usual, data will sync later</source>
<translation>Mất kết nối máy chủ — vẫn làm việc bình thường, dữ liệu sẽ đồng bộ sau</translation></message>
</context>
</TS>
"""


def lrelease() -> str:
    found = shutil.which("pyside6-lrelease") or str(Path(sys.executable).parent / "pyside6-lrelease")
    if not Path(found).exists():
        pytest.skip("pyside6-lrelease is not installed")
    return found


@pytest.fixture
def languages(qapp: QApplication, tmp_path: Path) -> Iterator[LanguageManager]:
    assert qapp is not None  # translators need the application
    source = tmp_path / "counterapp_vi.ts"
    source.write_text(CATALOGUE, encoding="utf-8")
    subprocess.run([lrelease(), str(source), "-qm", str(tmp_path / "counterapp_vi.qm")], check=True,
                   capture_output=True)  # fmt: skip
    manager = LanguageManager(tmp_path)
    manager.set_language("vi")
    yield manager
    manager.set_language("en")  # leave no translator installed for the next tests


def never(_username: str, _password: str) -> StaffSession:
    raise AssertionError("not signed in in this test")


def test_switching_vi_to_en_relabels_the_open_windows(qtbot: QtBot, workspace: Workspace, languages: LanguageManager):
    # GIVEN the window and the sign-in dialog open in Vietnamese
    workspace.user = SignedIn("u-1", "lan.nt", "Nguyễn Thị Lan", "clerk")
    window = MainWindow(workspace, languages=languages)
    qtbot.addWidget(window)
    login = LoginDialog(never, languages=languages)
    qtbot.addWidget(login)
    window.show()
    tabs = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert tabs == ["Quầy", "Tiếp nhận", "Hồ sơ"]
    assert window.language_menu.title() == "&Ngôn ngữ"
    assert window.status_bar.offline_banner.text().startswith("Mất kết nối máy chủ")
    assert login.username_label.text() == "Tên đăng nhập"
    assert login.language_combo.currentData() == "vi"
    # WHEN the clerk picks English in the menu
    with qtbot.waitSignal(languages.language_changed, timeout=1000):
        window.language_actions["en"].trigger()
    # THEN the visible labels change at once, in every open window
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == ["Counter", "Intake", "Dossiers"]
    assert window.language_menu.title() == "&Language"
    assert window.status_bar.offline_banner.text().startswith("Lost connection to the server")
    assert login.username_label.text() == "Username"
    assert login.language_combo.currentData() == "en"
    assert window.language_actions["en"].isChecked() and not window.language_actions["vi"].isChecked()
    # AND back from the sign-in dialog's own switch
    login.language_combo.setCurrentIndex(login.language_combo.findData("vi"))
    assert window.tabs.tabText(0) == "Quầy" and languages.language == "vi"
