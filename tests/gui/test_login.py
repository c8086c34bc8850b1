"""The sign-in dialog against a real server process (online, wrong password, then offline with the cached
verifier), the auto-lock, and ``counterapp gui`` on a machine without a display."""

from __future__ import annotations

from functools import partial

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLineEdit
from pytestqt.qtbot import QtBot

from counterapp.cli import gui_cmd
from counterapp.cli.main import main as counterapp
from counterapp.gui.login import LoginDialog
from counterapp.gui.mainwindow import MainWindow
from counterapp.protocol.client import ServerClient
from counterapp.services import staff
from counterapp.services.workspace import SignedIn, Workspace
from tests.liveserver import CLERK, PASSWORD, Counter, LiveServer


def dialog_for(qtbot: QtBot, workspace: Workspace, client: ServerClient | None) -> LoginDialog:
    dialog = LoginDialog(partial(staff.sign_in, workspace, client), counter_text="Quầy 1")
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def submit(qtbot: QtBot, dialog: LoginDialog, username: str, password: str) -> None:
    dialog.username_edit.setText(username)
    dialog.password_edit.setText(password)  # Vietnamese: setText, never keyClicks
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)


def test_online_sign_in_then_wrong_password_then_offline(
    qtbot: QtBot, live_server: LiveServer, counter: Counter, client_of
):
    client = client_of(counter)
    # GIVEN the server answers  WHEN the clerk signs in
    dialog = dialog_for(qtbot, counter.workspace, client)
    assert dialog.counter_label.text() == "Quầy 1"
    with qtbot.waitSignal(dialog.signed_in, timeout=15_000) as blocker:
        submit(qtbot, dialog, CLERK, PASSWORD)
        assert not dialog.sign_in_button.isEnabled()  # busy: the work runs on the IO pool
    # THEN the session is online and the dialog accepted
    session = blocker.args[0]
    assert session.token and not session.user.offline and session.user.username == CLERK
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.password_edit.text() == ""

    # WHEN a wrong password is typed THEN the error shows under the password field
    wrong = dialog_for(qtbot, counter.workspace, client)
    submit(qtbot, wrong, CLERK, "wrong password 1")
    qtbot.waitUntil(lambda: not wrong.password_error.isHidden(), timeout=15_000)
    assert wrong.password_error.text() == "Wrong username or password."
    assert wrong.username_error.isHidden() and wrong.password_edit.property("invalid") is True
    assert wrong.result() != QDialog.DialogCode.Accepted

    # WHEN the server is gone THEN the same clerk signs in offline with the cached verifier
    live_server.stop()
    offline = dialog_for(qtbot, counter.workspace, client)
    with qtbot.waitSignal(offline.signed_in, timeout=15_000) as blocker:
        submit(qtbot, offline, CLERK, PASSWORD)
    assert blocker.args[0].user.offline and blocker.args[0].user.user_id == session.user.user_id
    # and an unknown user is told why, on the username field
    unknown = dialog_for(qtbot, counter.workspace, client)
    submit(qtbot, unknown, "nobody", PASSWORD)
    qtbot.waitUntil(lambda: not unknown.username_error.isHidden(), timeout=15_000)
    assert "has not signed in on this counter before" in unknown.username_error.text()


def test_empty_fields_are_named_without_asking_the_server(qtbot: QtBot, workspace: Workspace):
    dialog = dialog_for(qtbot, workspace, None)
    submit(qtbot, dialog, "  ", "")
    assert dialog.username_error.text() == "Enter your username." and dialog.password_error.isHidden()
    submit(qtbot, dialog, "lan.nt", "")
    assert dialog.password_error.text() == "Enter your password." and dialog.username_error.isHidden()


def test_inactivity_locks_the_window_and_keeps_what_was_typed(qtbot: QtBot, workspace: Workspace):
    # GIVEN a clerk signed in (a verifier cached) and something typed in a panel
    user = SignedIn("u-1", "lan.nt", "Nguyễn Thị Lan", "clerk")
    with workspace.writing() as (session, now):
        staff.remember(session, user, "lan.nt", "mật khẩu đủ dài", now=now)
    workspace.user = user
    window = MainWindow(
        workspace, verify_password=partial(staff.sign_in, workspace, None, "lan.nt"), lock_minutes=0.005
    )  # 0.3 s
    qtbot.addWidget(window)
    window.show()
    typed = window.findChildren(QLineEdit)
    for edit in typed:
        edit.setText("Nguyễn Văn Bình")
    before = [edit.text() for edit in typed]  # as each field took it (some have validators)
    assert "Nguyễn Văn Bình" in before
    # WHEN nobody touches it THEN it locks: panels covered, the lock dialog asks the password
    with qtbot.waitSignal(window.locked, timeout=5_000):
        pass
    assert window.lock_dialog is not None and window.tabs.isHidden() and not window.lock_cover.isHidden()
    lock = window.lock_dialog
    lock.password_edit.setText("wrong one")
    qtbot.mouseClick(lock.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not lock.password_error.isHidden(), timeout=5_000)
    assert lock.password_error.text() == "Wrong password."
    with qtbot.waitSignal(window.unlocked, timeout=5_000):
        lock.password_edit.setText("mật khẩu đủ dài")
        qtbot.mouseClick(lock.unlock_button, Qt.MouseButton.LeftButton)
    # THEN the panels are back with what was typed
    assert not window.tabs.isHidden() and window.lock_dialog is None
    assert [edit.text() for edit in typed] == before
    window.watcher.pause()


def test_gui_command_without_a_display_says_how_to_run_it(monkeypatch: pytest.MonkeyPatch, capsys):
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(gui_cmd.sys, "platform", "linux")
    assert counterapp(["gui", "--data-dir", "/nonexistent"]) == 1
    assert "xvfb-run -a counterapp gui" in capsys.readouterr().err
    assert gui_cmd.has_display({"QT_QPA_PLATFORM": "offscreen"}, "linux")
    assert gui_cmd.has_display({}, "win32")


@pytest.mark.usefixtures("live_server")
def test_the_app_signs_in_opens_the_window_and_signs_out(
    qtbot: QtBot, counter: Counter, monkeypatch: pytest.MonkeyPatch
):
    from counterapp.gui import app
    from counterapp.gui.app import CounterApp
    from counterapp.gui.collector import GuiThreadCollector
    from counterapp.gui.i18n import LanguageManager

    settled: list[bool] = []
    collector = GuiThreadCollector()
    monkeypatch.setattr(collector, "settle", lambda: settled.append(True))
    monkeypatch.setattr(app, "SETTLE_AFTER_MS", 10)
    # GIVEN the app started on an enrolled counter: the sign-in dialog shows which counter this is
    controller = CounterApp(
        counter.workspace, counter.credential, LanguageManager(), prefill_username=CLERK, collector=collector
    )
    controller.start()
    try:
        login = controller.login
        assert login is not None and login.isVisible()
        assert login.counter_label.text() == "Counter 1 — 000.00.01.H26" and login.username_edit.text() == CLERK
        # WHEN the clerk signs in THEN the main window opens for them
        login.password_edit.setText(PASSWORD)
        qtbot.mouseClick(login.sign_in_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: controller.window is not None and controller.window.isVisible(), timeout=15_000)
        window = controller.window
        assert window is not None and counter.workspace.user is not None
        assert "Nguyễn Thị Lan" in window.windowTitle()
        qtbot.waitUntil(lambda: settled == [True], timeout=5_000)  # the heap settles once the window is up
        # WHEN they sign out THEN the sign-in dialog is back, empty, and nobody is signed in
        window.sign_out_action.trigger()
        assert controller.window is None and counter.workspace.user is None
        assert controller.login is not None and controller.login.isVisible()
        assert controller.login.username_edit.text() == ""
        controller.login.hide()  # not close(): that is "Quit" (the app would quit)
    finally:
        controller.shutdown()


@pytest.mark.usefixtures("qapp")
def test_a_bug_is_logged_and_shown_in_a_crash_dialog(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture):
    from PySide6.QtWidgets import QMessageBox

    from counterapp.gui import app

    shown: list[str] = []

    def fake_exec(box: QMessageBox) -> int:
        shown.append(box.detailedText())
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    try:
        raise ValueError("boom")
    except ValueError as exc:
        with caplog.at_level("CRITICAL", logger="counterapp.gui.app"):
            app._excepthook(ValueError, exc, exc.__traceback__)
    assert "unexpected error" in caplog.text
    assert len(shown) == 1 and "ValueError: boom" in shown[0]


def test_a_throttled_sign_in_says_how_long_to_wait():
    from counterapp.gui.login import sign_in_error_text
    from counterapp.services.staff import SignInFailed

    throttled = SignInFailed("auth.throttled", None, "too many failed sign-ins", seconds=8)
    assert sign_in_error_text(throttled) == "Too many wrong passwords. Try again in 8 seconds."
