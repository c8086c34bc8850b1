"""Re-enrolling a counter PC from the window (``gui.reenroll_dialog``), against a real server process: only an
admin sees the action; the unsent work goes to the server first, or — with the server away — to an exported
file, and the new code is refused until one of them happened; the old data directory is never touched."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from counterapp.gui import jobs
from counterapp.gui.reenroll_dialog import ReenrollDialog
from counterapp.protocol import ops
from counterapp.services.configured_counter import configured_counter
from counterapp.services.workspace import SignedIn, Workspace
from counterapp.store import outbox
from counterapp.sync.enrollment import credential_path, load_credential
from counterapp.sync.reenroll import unsent
from tests.gui.windowkit import make_window, window_workspace
from tests.liveserver import Counter, LiveServer
from tests.sync.firstrunkit import make_code

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

TIMEOUT = 20_000
LEFT = Qt.MouseButton.LeftButton


def add_unsent(workspace: Workspace, count: int = 2) -> None:
    with workspace.writing() as (session, now):
        for number in range(count):
            payload = {"job_id": f"j{number}", "document": "ticket", "reference": f"A00{number}", "printer": "receipt",
                       "reprint_of": None, "printed_at": now.isoformat()}  # fmt: skip
            outbox.enqueue(session, ops.RECEIPT_PRINTED, payload, now=now, user_id=None)


def open_dialog(qtbot: QtBot, counter: Counter) -> ReenrollDialog:
    dialog = ReenrollDialog(counter.workspace, server_url=counter.credential.server_url)
    qtbot.addWidget(dialog, before_close_func=lambda _d: jobs.wait_idle(15_000))
    dialog.show()
    qtbot.waitUntil(lambda: dialog.left is not None and not dialog._busy, timeout=TIMEOUT)
    return dialog


def type_code_and_reenroll(qtbot: QtBot, dialog: ReenrollDialog, code: str) -> Path:
    qtbot.mouseClick(dialog.code_edit, LEFT)
    qtbot.keyClicks(dialog.code_edit, code)
    with qtbot.waitSignal(dialog.reenrolled, timeout=TIMEOUT) as moved:
        qtbot.mouseClick(dialog.reenroll_button, LEFT)
    path = moved.args[0]
    assert isinstance(path, Path)
    return path


def test_the_unsent_work_is_sent_then_the_pc_re_enrolled(
    qtbot: QtBot, live_server: LiveServer, counter: Counter
) -> None:
    # GIVEN counter 1 with two changes the sync has not sent yet
    add_unsent(counter.workspace)
    before = load_credential(counter.path)
    # WHEN the admin opens the dialog: it sends them at once
    dialog = open_dialog(qtbot, counter)
    # THEN they are on the server and the new code may be typed
    assert dialog.state_label.text() == "All the work of this counter is on the server."
    assert unsent(counter.workspace.store).count == 0
    assert dialog.reenroll_button.isEnabled() and not dialog.export_button.isEnabled()
    # WHEN the admin types a new device's code for counter 2
    target = type_code_and_reenroll(qtbot, dialog, make_code(live_server, number="2"))
    # THEN the PC is counter 2 in a new data directory, and the old one is as it was
    assert configured_counter() == target and load_credential(target).device_id != before.device_id
    assert load_credential(counter.path) == before


@pytest.mark.slow  # stops and restarts the server process: ~20 s on a loaded machine
def test_with_the_server_away_the_work_is_exported_first(
    qtbot: QtBot, live_server: LiveServer, counter: Counter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN two unsent changes and the server stopped
    add_unsent(counter.workspace)
    live_server.stop()
    dialog = open_dialog(qtbot, counter)
    # THEN the dialog says they could not be sent, and refuses a code until they are exported
    assert dialog.state_label.text().startswith("2 changes could not be sent to the server.")
    assert not dialog.reenroll_button.isEnabled() and dialog.export_button.isEnabled()
    # WHEN the admin exports them
    target_file = tmp_path / "unsent.json"
    monkeypatch.setattr(dialog, "export_path", lambda: target_file)
    qtbot.mouseClick(dialog.export_button, LEFT)
    qtbot.waitUntil(lambda: dialog.exported is not None and not dialog._busy, timeout=TIMEOUT)
    # THEN the file holds them and the code may be typed
    assert target_file.is_file()
    assert dialog.state_label.text().startswith(f"2 unsent changes were exported to {target_file}.")
    assert dialog.reenroll_button.isEnabled()
    # WHEN the server is back and the admin re-enrolls
    live_server.start()
    target = type_code_and_reenroll(qtbot, dialog, make_code(live_server, number="2"))
    # THEN the old directory still holds the two changes (the file goes to counterapp-server import)
    assert configured_counter() == target
    assert unsent(counter.workspace.store).count == 2 and credential_path(counter.path).is_file()


@pytest.mark.usefixtures("live_server")
def test_a_wrong_code_says_so_and_stays(qtbot: QtBot, counter: Counter) -> None:
    dialog = open_dialog(qtbot, counter)
    qtbot.keyClicks(dialog.code_edit, "ZZZZ-ZZZZ-ZZZZ")
    qtbot.mouseClick(dialog.reenroll_button, LEFT)
    qtbot.waitUntil(lambda: dialog.error_label.isVisible(), timeout=TIMEOUT)
    assert dialog.error_label.text().startswith("This code is wrong.")
    assert dialog.isVisible() and configured_counter() is None
    assert [p.name for p in counter.path.parent.iterdir() if p.name.startswith("counter")] == ["counter"]


@pytest.mark.parametrize(("role", "shown"), [("admin", True), ("lead", False), ("clerk", False)])
def test_only_an_admin_sees_the_action(qtbot: QtBot, tmp_path: Path, role: str, shown: bool) -> None:
    workspace = window_workspace(tmp_path / "counter")
    try:
        workspace.user = SignedIn("u-1", "it.admin", "Quản trị", role)
        window = make_window(qtbot, workspace, tmp_path / "settings")
        assert window.reenroll_action.isVisible() is shown
        assert window.reenroll_action in window.counter_menu.actions()
        window.close()
    finally:
        jobs.wait_idle(15_000)
        workspace.close()


@pytest.mark.slow  # a sign-in, the window and a re-enrollment over a live server: ~8 s
def test_from_the_menu_to_a_restart_on_the_new_directory(
    qtbot: QtBot, live_server: LiveServer, counter: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dataclasses

    from PySide6.QtWidgets import QApplication

    from counterapp.gui.app import CounterApp
    from counterapp.gui.i18n import LanguageManager
    from tests.liveserver import CLERK, PASSWORD

    quits: list[bool] = []
    monkeypatch.setattr(QApplication, "quit", lambda: quits.append(True))  # run_counter_window's loop restarts
    controller = CounterApp(counter.workspace, counter.credential, LanguageManager())
    try:
        controller.start()
        login = controller.login
        assert login is not None
        login.username_edit.setText(CLERK)
        login.password_edit.setText(PASSWORD)
        qtbot.mouseClick(login.sign_in_button, LEFT)
        qtbot.waitUntil(lambda: controller.window is not None and controller.window.isVisible(), timeout=TIMEOUT)
        window = controller.window
        assert window is not None and not window.reenroll_action.isVisible()  # a clerk: no such action
        # GIVEN an admin at the counter (the demo centre has no admin account: the role is what matters)
        user = controller.workspace.user
        assert user is not None
        controller.workspace.user = dataclasses.replace(user, role="admin")
        window.user_changed()
        assert window.reenroll_action.isVisible()
        # WHEN the admin chooses Counter ▸ Re-enroll this PC… and types a new code
        window.reenroll_action.trigger()
        dialog = window.findChild(ReenrollDialog)
        assert dialog is not None
        qtbot.waitUntil(lambda: dialog.reenroll_button.isEnabled(), timeout=TIMEOUT)
        target = type_code_and_reenroll(qtbot, dialog, make_code(live_server, number="2"))
        # THEN the window closes and the app is asked to start again there
        assert controller.moved_to == target and controller.window is None and quits == [True]
    finally:
        if controller.window is not None:
            controller.window._closing_approved = True
            controller.window.close()
        controller.shutdown()
