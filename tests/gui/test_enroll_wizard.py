"""The first-start wizard (``counterapp.gui.enroll_wizard``) driven by keys and clicks against a real
``counterapp-server`` process: each failure IT can meet gives its own plain sentence, a good code shows the
centre and counter, the printers print a test page, and the installer's config enrolls without a question."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from counterapp.gui import jobs
from counterapp.gui.enroll_wizard import PRINTER_PAGE, RESULT_PAGE, SERVER_PAGE, EnrollWizard, needs_enrollment
from counterapp.protocol import client as protocol_client
from counterapp.services import printing
from counterapp.services.workspace import open_workspace
from counterapp.sync import firstrun
from counterapp.sync.enrollment import load_credential
from tests.liveserver import LiveServer
from tests.sync.firstrunkit import NOWHERE, make_code, refused_url, silent_server, untrusted_tls_server

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

TIMEOUT = 20_000
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    made = LiveServer(tmp_path_factory.mktemp("server"))
    made.start()
    yield made
    made.close()


@pytest.fixture
def wizard_for(qtbot: QtBot, tmp_path: Path) -> Iterator[Callable[..., EnrollWizard]]:
    def make(**kwargs: object) -> EnrollWizard:
        kwargs.setdefault("read_config", False)
        wizard = EnrollWizard(tmp_path / "counter", **kwargs)  # type: ignore[arg-type]
        qtbot.addWidget(wizard)
        wizard.show()
        return wizard

    yield make
    jobs.wait_idle(15_000)


def type_in(qtbot: QtBot, wizard: EnrollWizard, server: str, code: str) -> None:
    """As IT does: click into each field and type (ASCII only: keyClicks cannot type Vietnamese)."""
    for edit, text in ((wizard.server_edit, server), (wizard.code_edit, code)):
        qtbot.mouseClick(edit, LEFT)
        edit.selectAll()
        qtbot.keyClicks(edit, text)


def enroll_fails(qtbot: QtBot, wizard: EnrollWizard) -> str:
    qtbot.mouseClick(wizard.next_button, LEFT)
    qtbot.waitUntil(lambda: wizard.message_label.isVisible() and wizard.next_button.isEnabled(), timeout=TIMEOUT)
    assert wizard.pages.currentIndex() == SERVER_PAGE
    return wizard.message_label.text()


def test_a_good_code_then_printers_then_sign_in(
    qtbot: QtBot, server: LiveServer, wizard_for: Callable[..., EnrollWizard], tmp_path: Path
) -> None:
    # GIVEN a PC with no data directory, and a code for counter 2
    wizard = wizard_for()
    assert needs_enrollment(wizard.data_dir)
    type_in(qtbot, wizard, server.url, make_code(server, number="2"))
    # WHEN IT tests the connection
    qtbot.mouseClick(wizard.test_button, LEFT)
    qtbot.waitUntil(lambda: wizard.message_label.isVisible(), timeout=TIMEOUT)
    # THEN the server answers, and no code was spent
    assert wizard.message_label.text().startswith("The server answers.")
    assert needs_enrollment(wizard.data_dir)
    # WHEN IT presses Enter (Enroll is the default button)
    qtbot.keyClick(wizard.code_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == RESULT_PAGE, timeout=TIMEOUT)
    # THEN the page says what the PC became
    assert wizard.became_label.text() == "This PC is now counter 2."
    assert "000.00.01.H26" in wizard.centre_value.text()
    assert wizard.counter_value.text().startswith("2")
    assert not wizard.warning_label.isVisible()
    assert load_credential(wizard.data_dir).server_url == server.url
    # WHEN IT goes on to the printers and prints a test page on each
    qtbot.mouseClick(wizard.next_button, LEFT)
    assert wizard.pages.currentIndex() == PRINTER_PAGE
    receipt, ticket = wizard.receipt_chooser, wizard.ticket_chooser
    receipt.folder_edit.setText(str(tmp_path / "Biên nhận"))
    qtbot.mouseClick(receipt.test_button, LEFT)
    qtbot.waitUntil(lambda: receipt.result_label.isVisible(), timeout=TIMEOUT)
    assert receipt.result_label.text().startswith("The test page was saved as ")
    assert (tmp_path / "Biên nhận" / "test-receipt.pdf").is_file()
    ticket.set_kind("file")
    qtbot.keyClicks(ticket.device_edit, str(tmp_path / "lp0"))
    qtbot.mouseClick(ticket.test_button, LEFT)
    qtbot.waitUntil(lambda: ticket.result_label.isVisible(), timeout=TIMEOUT)
    assert ticket.result_label.text().startswith("The test page was sent.")
    # and finishes
    with qtbot.waitSignal(wizard.accepted, timeout=TIMEOUT):
        qtbot.mouseClick(wizard.next_button, LEFT)
    # THEN the printers are saved under their roles
    workspace = open_workspace(wizard.data_dir)
    try:
        with workspace.reading() as (session, _now):
            configured = printing.printers(session)
    finally:
        workspace.close()
    assert set(configured) == {"receipt", "ticket"}
    assert configured["receipt"].folder == str(tmp_path / "Biên nhận")


def test_a_printer_without_its_address_names_the_field(qtbot: QtBot, wizard_for: Callable[..., EnrollWizard]) -> None:
    wizard = wizard_for()
    chooser = wizard.ticket_chooser
    chooser.set_kind("network")
    qtbot.mouseClick(chooser.test_button, LEFT)
    assert chooser.result_label.text() == "Missing or not valid: Address (IP)."


@pytest.mark.parametrize(
    ("code_of", "expected"),
    [
        (lambda s: "ZZZZ-ZZZZ-ZZZZ", "This code is wrong."),
        (lambda s: make_code(s, expired=True), "This code has expired."),
        (lambda s: make_code(s, number=None, kind="kiosk"), "This code is for a display screen or a kiosk"),
    ],
    ids=["wrong", "expired", "kiosk"],
)
def test_codes_the_server_refuses(
    qtbot: QtBot, server: LiveServer, wizard_for: Callable[..., EnrollWizard], code_of: object, expected: str
) -> None:
    assert callable(code_of)
    wizard = wizard_for()
    type_in(qtbot, wizard, server.url, code_of(server))
    assert enroll_fails(qtbot, wizard).startswith(expected)
    assert needs_enrollment(wizard.data_dir)


def test_a_used_code(qtbot: QtBot, server: LiveServer, wizard_for: Callable[..., EnrollWizard], tmp_path: Path) -> None:
    code = make_code(server)
    firstrun.enroll_counter(tmp_path / "other-pc", server.url, code)
    wizard = wizard_for()
    type_in(qtbot, wizard, server.url, code)
    assert enroll_fails(qtbot, wizard).startswith("This code was already used")


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("refused", "The server's computer answered, but nothing listens on that port."),
        ("dns", "The server's name is not known on this network (DNS)."),
        ("timeout", "The server did not answer in time."),
        ("tls", "The secure connection failed"),
        ("address", "Type the server's full address"),
    ],
)
def test_the_connection_failures_by_test_connection(
    qtbot: QtBot, wizard_for: Callable[..., EnrollWizard], tmp_path: Path, where: str, expected: str
) -> None:
    wizard = wizard_for()
    wizard.probe_timeout = 0.5
    with silent_server() as silent, untrusted_tls_server(tmp_path) as tls:
        url = {"refused": refused_url(), "dns": NOWHERE, "timeout": silent, "tls": tls, "address": "hcc.example"}
        type_in(qtbot, wizard, url[where], "AB12-CD34-EF56")
        qtbot.mouseClick(wizard.test_button, LEFT)
        qtbot.waitUntil(lambda: wizard.message_label.isVisible() and wizard.test_button.isEnabled(), timeout=TIMEOUT)
    assert wizard.message_label.text().startswith(expected), wizard.message_label.text()
    assert wizard.message_label.property("role") == "error"


@pytest.mark.parametrize("too", ["old", "new"])
def test_a_server_outside_the_protocol_range_is_said_after_enrolling(
    qtbot: QtBot,
    server: LiveServer,
    wizard_for: Callable[..., EnrollWizard],
    monkeypatch: pytest.MonkeyPatch,
    too: str,
) -> None:
    if too == "old":  # this app speaks only protocol 2; the server 1
        monkeypatch.setattr(protocol_client, "PROTOCOL_MAX", 2)
        monkeypatch.setattr(firstrun, "PROTOCOL_MIN", 2)
    else:  # this app is older than the server's min_app_version
        monkeypatch.setattr(firstrun, "APP_VERSION", "0.0.9")
    wizard = wizard_for()
    type_in(qtbot, wizard, server.url, make_code(server))
    qtbot.mouseClick(wizard.next_button, LEFT)
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == RESULT_PAGE, timeout=TIMEOUT)
    assert wizard.warning_label.isVisible()
    assert wizard.warning_label.text().startswith(f"The server is {too}er than this app")


def write_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    path = tmp_path / "counter.conf"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("COUNTERAPP_CONFIG", str(path))


def test_the_installers_config_enrolls_without_a_question(
    qtbot: QtBot,
    server: LiveServer,
    wizard_for: Callable[..., EnrollWizard],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # GIVEN what `counterapp-setup.exe /S /SERVER=… /CODE=… /COUNTER=5` wrote, with a code for counter 1
    write_config(tmp_path, monkeypatch, f"[enroll]\nserver = {server.url}/\ncode = {make_code(server)}\ncounter = 5\n")
    # WHEN the wizard opens, nobody touching anything
    wizard = wizard_for(read_config=True)
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == RESULT_PAGE, timeout=TIMEOUT)
    # THEN it enrolled, and says the code made it counter 1 where the installer said 5
    assert wizard.became_label.text() == "This PC is now counter 1."
    assert wizard.warning_label.text() == (
        "The installer's settings name counter 5, but the code made this PC counter 1. "
        "Check with the administrator which one is right."
    )


def test_a_broken_installer_config_is_named_and_the_values_can_be_typed(
    wizard_for: Callable[..., EnrollWizard], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(tmp_path, monkeypatch, "[enroll]\nserver = hcc.example\ncode = AB12\n")
    wizard = wizard_for(read_config=True)
    assert "wrong value for “server”" in wizard.message_label.text()
    assert wizard.pages.currentIndex() == SERVER_PAGE and wizard.server_edit.isEnabled()


def test_quitting_before_enrolling_leaves_nothing(qtbot: QtBot, wizard_for: Callable[..., EnrollWizard]) -> None:
    wizard = wizard_for()
    with qtbot.waitSignal(wizard.rejected):
        qtbot.mouseClick(wizard.quit_button, LEFT)
    assert not wizard.data_dir.exists()


@pytest.mark.slow  # a modal wizard, a full sign-in and the window: ~6 s
def test_the_first_start_ends_at_the_sign_in(
    qtbot: QtBot, server: LiveServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``gui.app.first_start`` as ``counterapp gui`` runs it (a modal wizard), then the sign-in on the new counter."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from counterapp.gui import app
    from counterapp.gui.app import CounterApp
    from counterapp.gui.i18n import LanguageManager
    from tests.liveserver import CLERK, PASSWORD

    # GIVEN the installer's config and a PC with no data directory
    write_config(tmp_path, monkeypatch, f"[enroll]\nserver = {server.url}\ncode = {make_code(server)}\n")
    data = tmp_path / "counter"
    clicked: list[int] = []

    def drive() -> None:  # IT's two clicks once the wizard enrolled by itself: Next, then Finish
        wizard = QApplication.activeModalWidget()
        if isinstance(wizard, EnrollWizard) and wizard.next_button.isEnabled():
            page = wizard.pages.currentIndex()
            if page in (RESULT_PAGE, PRINTER_PAGE) and page not in clicked:
                clicked.append(page)
                qtbot.mouseClick(wizard.next_button, LEFT)

    timer = QTimer()
    timer.timeout.connect(drive)
    timer.start(50)
    languages = LanguageManager()
    # WHEN the app starts on it
    assert app.first_start(data, languages)
    timer.stop()
    # THEN it is enrolled, and the sign-in opens; the clerk signs in online
    assert clicked == [RESULT_PAGE, PRINTER_PAGE] and not needs_enrollment(data)
    workspace, credential = app._open(data, None)
    controller = CounterApp(workspace, credential, languages)
    try:
        controller.start()
        login = controller.login
        assert login is not None and login.isVisible()
        login.username_edit.setText(CLERK)
        login.password_edit.setText(PASSWORD)
        qtbot.mouseClick(login.sign_in_button, LEFT)
        qtbot.waitUntil(lambda: controller.window is not None and controller.window.isVisible(), timeout=TIMEOUT)
        assert controller.workspace.user is not None and not controller.workspace.user.offline
    finally:
        if controller.window is not None:
            controller.window._closing_approved = True
            controller.window.close()
        controller.shutdown()
        workspace.close()


@pytest.mark.usefixtures("qapp")
def test_texts_for_a_throttled_pc_and_an_unknown_failure() -> None:
    from counterapp.domain.errors import DomainError
    from counterapp.gui.enroll_texts import failure_text

    assert failure_text(DomainError("x", code="auth.throttled", seconds=4)) == (
        "Too many wrong codes from this PC. Try again in 4 seconds."
    )
    assert failure_text(DomainError("x", code="something.new")) == "The enrollment failed (something.new)."


def test_quit_waits_while_the_code_is_being_spent(qtbot: QtBot, wizard_for: Callable[..., EnrollWizard]) -> None:
    wizard = wizard_for()
    wizard._set_busy("enroll")
    assert not wizard.quit_button.isEnabled()
    wizard.reject()  # Escape
    assert wizard.isVisible()
    wizard._set_busy("")
    with qtbot.waitSignal(wizard.rejected):
        wizard.reject()
