"""Signing in while the server is away, over a real ``counterapp-server`` process: the window must act
offline from its first second (a hint, only the hand dealt to this counter listed and called, never the
whole queue), then become online by itself when the server answers again — the queue, the title and the
clerk's staff session. Before, the queue started "online" whatever the sign-in found, listed every ticket
and F2 called six in a row beyond the dealt hand."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator

import httpx2
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from counterapp.gui.app import CounterApp
from counterapp.gui.i18n import LanguageManager
from counterapp.gui.mainwindow import MainWindow
from counterapp.gui.queue_models import Action
from counterapp.protocol.client import ServerClient
from counterapp.server.services import lead, org
from tests.gui.windowkit import fill_applicant, queue_of
from tests.liveserver import CLERK, PASSWORD, Counter, LiveServer
from tests.server.authkit import CENTRE_A

pytestmark = [pytest.mark.slow, pytest.mark.qt_log_ignore("propagateSizeHints")]

TIMEOUT = 30_000
KIOSK_TICKETS = 6
HAND = 3  # counterapp.sync.engine.HAND_SIZE


def open_counter(server: LiveServer, number: str = "1") -> None:
    """What the shift lead does at the start of the day: the counter is open, so it is dealt a hand."""
    with server.sessions.begin() as session:
        centre = org.centre_by_code(session, CENTRE_A)
        lead.set_counter_status(org.counter_by_number(session, centre.id, number), lead.OPEN)


def kiosk_tickets(server: LiveServer, client: ServerClient, count: int) -> list[str]:
    """Tickets issued on the server (the clerk's session on the device stands in for the kiosk)."""
    token = client.login(CLERK, PASSWORD)["token"]
    numbers = []
    for _ in range(count):
        response = httpx2.post(f"{server.url}/v1/tickets", json={"service": "HTCT"},
                               headers={**client._auth, "X-Staff-Session": token}, timeout=10)  # fmt: skip
        assert response.status_code == 201, response.text
        numbers.append(response.json()["number"])
    return numbers


@pytest.fixture
def controller(counter: Counter) -> Iterator[CounterApp]:
    app = CounterApp(counter.workspace, counter.credential, LanguageManager(), prefill_username=CLERK)
    app.start()
    yield app
    if app.window is not None:
        app.window._closing_approved = True
        app.window.close()
    if app.login is not None:
        app.login.hide()
    app.shutdown()


def sign_in(qtbot: QtBot, controller: CounterApp) -> MainWindow:
    login = controller.login
    assert login is not None
    login.username_edit.setText(CLERK)  # empty after a sign-out
    login.password_edit.setText(PASSWORD)  # Vietnamese: setText, never keyClicks
    qtbot.mouseClick(login.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: controller.window is not None and controller.window.isVisible(), timeout=TIMEOUT)
    window = controller.window
    assert window is not None
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=TIMEOUT)
    return window


def key(qtbot: QtBot, window: MainWindow, pressed: Qt.Key) -> None:
    qtbot.keyClick(QApplication.focusWidget() or window, pressed)


def test_offline_sign_in_calls_only_the_dealt_hand_until_the_server_answers(
    qtbot: QtBot, live_server: LiveServer, counter: Counter, client_of, controller: CounterApp
):
    # GIVEN counter 1 open, six kiosk tickets on the server, and the clerk signed in once online (the
    # counter keeps their offline verifier), the hand of three dealt and synced
    open_counter(live_server)
    issued = kiosk_tickets(live_server, client_of(counter), KIOSK_TICKETS)
    window = sign_in(qtbot, controller)
    queue = queue_of(window)
    qtbot.waitUntil(lambda: len(queue.model.numbers()) == KIOSK_TICKETS, timeout=TIMEOUT)
    hand = set(issued[:HAND])
    with qtbot.waitSignal(window.signed_out, timeout=TIMEOUT):
        window.sign_out_action.trigger()

    # WHEN the server goes away and the clerk signs in again
    live_server.stop()
    window = sign_in(qtbot, controller)
    queue = queue_of(window)
    # THEN the window is offline from the start: the hint, the title, and only the hand listed
    assert not queue.online and not queue.offline_label.isHidden()
    assert "(signed in offline)" in window.windowTitle()
    qtbot.waitUntil(lambda: set(queue.model.numbers()) == hand, timeout=TIMEOUT)
    # WHEN the clerk calls with F2 (and settles each ticket with F4, F5) until nothing is left
    called = []
    for _ in range(HAND):
        key(qtbot, window, Qt.Key.Key_F2)
        qtbot.waitUntil(lambda: queue.current is not None and not queue.busy, timeout=TIMEOUT)
        called.append(queue.current.number)  # type: ignore[union-attr]
        for step in (Qt.Key.Key_F4, Qt.Key.Key_F5):
            key(qtbot, window, step)
            qtbot.waitUntil(lambda: not queue.busy and not queue._refreshing, timeout=TIMEOUT)
        qtbot.waitUntil(lambda: queue.current is None, timeout=TIMEOUT)
    with qtbot.waitSignal(queue.message, timeout=TIMEOUT) as said:
        key(qtbot, window, Qt.Key.Key_F2)
    # THEN only the hand was called, and the fourth call found nobody (not a ticket of another counter)
    assert set(called) == hand
    assert said.args[0] == "No one is waiting for your services right now."

    # WHEN the server is back THEN the window goes online by itself: the queue lists the rest, the title
    # drops "(signed in offline)", and the clerk has a staff session without typing the password again
    live_server.start()
    qtbot.waitUntil(lambda: queue.online, timeout=60_000)
    rest = set(issued[HAND:])
    qtbot.waitUntil(lambda: set(queue.model.numbers()) == rest, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: "(signed in offline)" not in window.windowTitle(), timeout=TIMEOUT)
    assert controller.staff_session is not None and controller.staff_session.token
    assert counter.workspace.user is not None and not counter.workspace.user.offline
    assert queue.offline_label.isHidden()
    queue.perform(Action.CALL_NEXT)
    qtbot.waitUntil(lambda: queue.current is not None and queue.current.number in rest, timeout=TIMEOUT)


def test_online_intake_takes_the_servers_first_code_and_links_the_called_ticket(
    qtbot: QtBot, live_server: LiveServer, counter: Counter, client_of, controller: CounterApp
):
    from sqlalchemy import select

    from counterapp.gui.intake_panel import IntakePanel
    from counterapp.server.models.queue import Ticket as ServerTicket
    from counterapp.server.models.sync import Dossier as ServerDossier

    # GIVEN the counter open, a kiosk ticket, the clerk signed in online and the ticket called and started
    open_counter(live_server)
    (number,) = kiosk_tickets(live_server, client_of(counter), 1)
    window = sign_in(qtbot, controller)
    queue = queue_of(window)
    qtbot.waitUntil(lambda: queue.online and queue.model.numbers() == [number], timeout=TIMEOUT)
    for pressed in (Qt.Key.Key_F2, Qt.Key.Key_F4):
        key(qtbot, window, pressed)
        qtbot.waitUntil(lambda: queue.current is not None and not queue.busy and not queue._refreshing,
                        timeout=TIMEOUT)  # fmt: skip
    # WHEN Ctrl+N, the procedure by its code, the applicant, Ctrl+S
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    intake = window.panels["intake"]
    assert isinstance(intake, IntakePanel)
    qtbot.keyClicks(intake.picker.query_edit, "1.004873")
    fill_applicant(intake)
    with qtbot.waitSignal(intake.dossier_saved, timeout=TIMEOUT) as saved:
        qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    # THEN the code is the day's first of the server's online range (not the offline reserve's 7000…)
    code = saved.args[0].dossier.code
    assert code.endswith("-0001") and saved.args[0].dossier.register_line == 1

    # and once synced, the server's dossier is linked to the server's ticket
    def linked() -> bool:
        with live_server.sessions() as session:
            dossier = session.scalars(select(ServerDossier).where(ServerDossier.code == code)).first()
            ticket = session.scalars(select(ServerTicket).where(ServerTicket.number == number)).first()
            return dossier is not None and ticket is not None and dossier.data.get("ticket_id") == ticket.id

    qtbot.waitUntil(linked, timeout=TIMEOUT)
