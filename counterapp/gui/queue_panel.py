"""The queue panel of the clerk's counter window: the ticket at the counter (large), the waiting list in
call order, the tickets on hold, and one button per step of a ticket.

The F-keys belong to the main window (one owner per key, live on every tab); it calls :meth:`perform`,
which does what the button does, or says why the step is not possible now. Every service call is a
:class:`~counterapp.gui.jobs.Job` on the DB pool, so the window never waits on SQLite. A refresh reads one
:func:`counterapp.services.counter_view.snapshot` every few seconds and after each action. Errors become a
banner in plain words (``ERROR_TEXT``), never a traceback; a step's error goes away by itself after
``ERROR_SHOWN_MS`` or with the next step that works, while a sync conflict stays until it is dismissed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QLocale, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from counterapp.domain.ticket import EventKind, Ticket, TicketState
from counterapp.gui import jobs
from counterapp.gui.held_list import HeldList
from counterapp.gui.queue_dialogs import CallSpecificDialog, PauseDialog, TransferDialog
from counterapp.gui.queue_models import (
    STATE_TEXT,
    TICKET_STEPS,
    Action,
    WaitingTicketsModel,
    button_text,
    conflict_text,
    current_texts,
    error_text,
    legal_actions,
    not_now_text,
    translate,
)
from counterapp.services import counter_status, counter_view, queue, queue_undo
from counterapp.services.counter_view import CounterSnapshot
from counterapp.services.workspace import Workspace

__all__ = ["QueuePanel"]

log = logging.getLogger(__name__)
REFRESH_MS = 5_000  # other counters' calls and new kiosk tickets show up within this
ERROR_SHOWN_MS = 20_000  # a refused step's banner goes by itself: the clerk has read it or moved on
UNDO_MS = 120_000  # how long "Undo" stays offered after a no-show (the citizen was just out of earshot)

# What a finished step leaves at the counter, and the outcome word said in the status bar.
_AT_COUNTER = (TicketState.CALLED, TicketState.SERVING)


class QueuePanel(QWidget):
    """Queue calling at this counter. ``message`` carries status-bar text after each step;
    ``snapshot_changed`` the counter's state (the main window shows the ticket on the other tabs, and the
    intake links a dossier to it)."""

    message = Signal(str)
    refreshed = Signal()  # a snapshot was shown (tests and the window wait on it)
    snapshot_changed = Signal(object)  # CounterSnapshot

    def __init__(self, workspace: Workspace, parent: QWidget | None = None, *, online: bool = True) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self._online = online
        self._snapshot: CounterSnapshot | None = None
        self._error: BaseException | None = None  # kept, not its text: a language switch re-words it
        self._undo_number: str | None = None  # the last no-show, while it can be undone
        self._busy = False
        self._refreshing = False
        self._refresh_again = False
        self.dialog: QDialog | None = None  # the open transfer/call/pause dialog (tests fill it in)
        self._dialog_ticket: str | None = None
        self._build()
        self.retranslate_ui()
        self._update_buttons()
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        self._error_timer = QTimer(self)
        self._error_timer.setSingleShot(True)
        self._error_timer.setInterval(ERROR_SHOWN_MS)
        self._error_timer.timeout.connect(self.on_error_expired)
        self._undo_timer = QTimer(self)
        self._undo_timer.setSingleShot(True)
        self._undo_timer.setInterval(UNDO_MS)
        self._undo_timer.timeout.connect(self.on_undo_expired)
        self.refresh()

    def _build(self) -> None:
        self.banner = QFrame()
        self.banner.setObjectName("queueBanner")
        self.banner_label = QLabel()
        self.banner_label.setWordWrap(True)
        self.dismiss_button = QPushButton()
        self.dismiss_button.clicked.connect(self.on_dismiss_clicked)
        banner_row = QHBoxLayout(self.banner)
        banner_row.setContentsMargins(8, 4, 8, 4)
        banner_row.addWidget(self.banner_label, 1)
        banner_row.addWidget(self.dismiss_button)
        self.banner.hide()

        self.undo_bar = QFrame()
        self.undo_bar.setObjectName("undoBar")
        self.undo_label = QLabel()
        self.undo_button = QPushButton()
        self.undo_button.setObjectName("queue_undo_no_show")
        self.undo_button.clicked.connect(self.undo_no_show)
        undo_row = QHBoxLayout(self.undo_bar)
        undo_row.setContentsMargins(8, 2, 8, 2)
        undo_row.addWidget(self.undo_label, 1)
        undo_row.addWidget(self.undo_button)
        self.undo_bar.hide()

        self.offline_label, self.paused_label = QLabel(), QLabel()
        for notice in (self.offline_label, self.paused_label):
            notice.setObjectName("queueNotice")
            notice.setWordWrap(True)
            notice.hide()
        self.offline_label.setVisible(not self._online)

        # Sizes are in ui/theme.qss by object name (the theme's font rules win over setFont); the point
        # size set here is the look without the theme. The number is read from the citizen's side too.
        self.current_title = QLabel()
        self.current_title.setObjectName("ticketTitle")
        self.number_label, self.service_label, self.state_label, self.waited_label = (QLabel() for _ in range(4))
        for label, name in ((self.number_label, "ticketNumber"), (self.service_label, "ticketService"),
                            (self.state_label, "ticketState"), (self.waited_label, "ticketWaited")):  # fmt: skip
            label.setObjectName(name)
            label.setWordWrap(label is not self.number_label)
        self.number_label.setFont(QFont(self.number_label.font().family(), 48, QFont.Weight.Bold))
        self.number_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.current_card = QFrame()
        self.current_card.setObjectName("currentTicket")
        number_column, details, card = QVBoxLayout(), QVBoxLayout(), QHBoxLayout(self.current_card)
        for column, widgets in ((number_column, (self.current_title, self.number_label)),
                                (details, (self.service_label, self.state_label, self.waited_label))):  # fmt: skip
            for label in widgets:
                column.addWidget(label)
        card.addLayout(number_column, 2)
        card.addLayout(details, 3)

        self.waiting_title = QLabel()
        self.model = WaitingTicketsModel(self)
        self.table = QTableView()
        self.table.setObjectName("waitingTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(38)  # rows fit the theme's larger table type
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.held = HeldList()
        self.held.call_requested.connect(self.call_held)

        self.buttons: dict[Action, QPushButton] = {}
        grid = QGridLayout()
        handlers: dict[Action, Callable[[], None]] = {
            Action.CALL_NEXT: self.on_call_next_clicked,
            Action.TRANSFER: self.on_transfer_clicked,
            Action.CALL_SPECIFIC: self.on_call_specific_clicked,
            Action.PAUSE: self.on_pause_clicked,
        }
        for position, action in enumerate(Action):
            button = QPushButton()
            button.setObjectName(f"queue_{action.value}")
            button.clicked.connect(handlers.get(action, self.on_step_clicked))
            self.buttons[action] = button
            grid.addWidget(button, position // 3, position % 3)

        waiting = QVBoxLayout()
        waiting.addWidget(self.waiting_title)
        waiting.addWidget(self.table, 1)
        lists = QHBoxLayout()
        lists.addLayout(waiting, 3)
        lists.addWidget(self.held, 1)
        layout = QVBoxLayout(self)
        for widget in (self.banner, self.undo_bar, self.offline_label, self.paused_label, self.current_card):
            layout.addWidget(widget)
        layout.addLayout(grid)
        layout.addLayout(lists, 1)

    def _label_button(self, action: Action) -> None:
        button = self.buttons[action]
        button.setText(button_text(action, paused=self.paused_reason is not None))

    @Slot()
    def retranslate_ui(self) -> None:
        """Re-set every visible text (live language switch)."""
        for action in self.buttons:
            self._label_button(action)
        self.dismiss_button.setText(self.tr("Dismiss"))
        self.undo_button.setText(self.tr("Undo no-show"))
        self.current_title.setText(self.tr("At the counter"))
        self.offline_label.setText(self.tr("Offline: Call next takes only tickets dealt to this counter and walk-ins."))
        self.model.retranslate()
        self.held.retranslate_ui()
        self._show_snapshot()
        self._show_banner()
        self._show_pause()
        self._show_undo()
        if self.dialog is not None and hasattr(self.dialog, "retranslate_ui"):
            self.dialog.retranslate_ui()

    # --- public API -----------------------------------------------------------------------------------

    @property
    def online(self) -> bool:
        return self._online

    @property
    def snapshot(self) -> CounterSnapshot | None:
        return self._snapshot

    @property
    def current(self) -> Ticket | None:
        return self._snapshot.current if self._snapshot else None

    @property
    def paused_reason(self) -> str | None:
        snap = self._snapshot
        return snap.pause_reason or "" if snap is not None and snap.status == "paused" else None

    @property
    def busy(self) -> bool:
        return self._busy

    @Slot(bool)
    def set_online(self, online: bool) -> None:
        if online == self._online:
            return
        self._online = online
        self.offline_label.setVisible(not online)
        self.refresh()  # the waiting list differs offline: only what call-next may take

    def focus_first(self) -> None:
        """The waiting list takes the focus on this tab, so arrow keys browse it (the F-keys work anywhere)."""
        self.table.setFocus()

    def stop(self) -> None:
        """Stop refreshing (the window is closing); jobs in flight still report."""
        self.timer.stop()
        self._error_timer.stop()
        self._undo_timer.stop()

    def legal(self) -> set[Action]:
        return set() if self._busy else legal_actions(self.current, paused=self.paused_reason is not None)

    def perform(self, action: Action) -> bool:
        """What a key of the main window does: the button's step when it is possible now; otherwise the
        status bar says why and what to press instead. Returns whether the step was started."""
        if self._busy:
            return False  # a step is running: a second press must not start another
        if action not in self.legal():
            self.message.emit(not_now_text(action, self.current, paused=self.paused_reason is not None))
            return False
        self.buttons[action].click()
        return True

    # --- refresh --------------------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        if self._refreshing:  # one read at a time; an action's refresh is not lost, only folded
            self._refresh_again = True
            return
        self._refreshing = True
        workspace, only_hand = self._workspace, not self._online

        def read() -> CounterSnapshot:
            with workspace.reading() as (session, now):
                return counter_view.snapshot(session, now=now, only_hand=only_hand)

        job = jobs.Job(read, name="queue.refresh")
        job.signals.succeeded.connect(self.on_snapshot_read)
        job.signals.failed.connect(self.on_snapshot_failed)
        jobs.start(jobs.DB, job)

    @Slot(object)
    def on_snapshot_read(self, snapshot: CounterSnapshot) -> None:
        self._refreshing = False
        if self._refresh_again:  # a step changed things while this was read: the next read shows it
            self._refresh_again = False
            self.refresh()
            return
        self._snapshot = snapshot
        self._show_snapshot()
        self._show_banner()
        self._show_pause()
        self._update_buttons()
        self.snapshot_changed.emit(snapshot)
        self.refreshed.emit()

    @Slot(object)
    def on_snapshot_failed(self, exc: BaseException) -> None:
        self._refreshing = False
        self._error = exc
        self._show_banner()
        if self._refresh_again:
            self._refresh_again = False
            self.refresh()

    def _vietnamese(self) -> bool:
        return QLocale().language() == QLocale.Language.Vietnamese  # LanguageManager sets the default locale

    def _show_snapshot(self) -> None:
        snap, vietnamese = self._snapshot, self._vietnamese()
        labels = (self.number_label, self.service_label, self.state_label, self.waited_label)
        for label, text in zip(labels, current_texts(snap, vietnamese=vietnamese), strict=True):
            label.setText(text)
        if snap is None:
            self.waiting_title.setText(self.tr("Waiting"))
            return
        names = {code: vi if vietnamese else en for code, (vi, en) in snap.priority_names.items()}
        self.model.set_tickets(snap.waiting, snap.now, names)
        self.held.set_tickets(snap.held, snap.now)
        self.waiting_title.setText(self.tr("Waiting: %n ticket(s)", "", len(snap.waiting)))

    def _show_banner(self) -> None:
        lines = [error_text(self._error)] if self._error is not None else []
        conflicts = self._snapshot.conflicts if self._snapshot else []
        lines += [conflict_text(c) for c in conflicts]
        self.banner_label.setText("\n".join(lines))
        self.banner_label.setToolTip("\n".join(c.reason for c in conflicts))
        self.banner.setVisible(bool(lines))

    def _show_pause(self) -> None:
        reason = self.paused_reason
        self.paused_label.setText(self.tr("Paused: {reason}").format(reason=reason or ""))
        self.paused_label.setVisible(reason is not None)
        self._label_button(Action.PAUSE)

    def _show_undo(self) -> None:
        number = self._undo_number
        self.undo_label.setText(self.tr("Ticket {number} was marked as a no-show.").format(number=number or ""))
        self.undo_bar.setVisible(number is not None)

    def banner_text(self) -> str:
        return self.banner_label.text() if self.banner.isVisible() else ""

    def _update_buttons(self) -> None:
        legal = self.legal()  # one step at a time while a job runs: a double press must not call two tickets
        for action, button in self.buttons.items():
            button.setEnabled(action in legal)
        self.held.set_allowed(Action.CALL_SPECIFIC in legal)
        self.undo_button.setEnabled(not self._busy and self.current is None)

    # --- actions --------------------------------------------------------------------------------------

    def _run(self, action: str, work: Callable[[Any, Any], Ticket | None]) -> None:
        """Run ``work(session, now)`` in one write transaction on the DB pool."""
        workspace = self._workspace

        def write() -> tuple[str, Ticket | None]:
            with workspace.writing() as (session, now):
                return action, work(session, now)

        self._busy = True
        self._update_buttons()
        job = jobs.Job(write, name=f"queue.{action}")
        job.signals.succeeded.connect(self.on_action_succeeded)
        job.signals.failed.connect(self.on_action_failed)
        jobs.start(jobs.DB, job)

    def _step(self, action: Action, number: str | None = None, **options: str | None) -> None:
        user_id, kind = self._workspace.user_id, TICKET_STEPS.get(action, EventKind.CALLED)

        def work(session: Any, now: Any) -> Ticket:
            return queue.act(session, kind, number, now=now, user_id=user_id, **options)

        self._run(action.value, work)

    @Slot()
    def on_call_next_clicked(self) -> None:
        user_id, only_hand = self._workspace.user_id, not self._online

        def work(session: Any, now: Any) -> Ticket:
            return queue.call_next(session, now=now, user_id=user_id, only_hand=only_hand)

        self._run(Action.CALL_NEXT.value, work)

    @Slot()
    def on_step_clicked(self) -> None:
        """Recall, start, finish, no-show, hold: a step on the ticket at the counter, by the button pressed."""
        action = next((a for a, b in self.buttons.items() if b is self.sender()), None)
        if action in TICKET_STEPS:
            self._step(action)

    @Slot(str)
    def call_held(self, number: str) -> None:
        """Call a ticket this counter put on hold back to the counter (the held list's button)."""
        if Action.CALL_SPECIFIC in self.legal():
            self._step(Action.CALL_SPECIFIC, number)

    @Slot()
    def undo_no_show(self) -> None:
        """The citizen marked as a no-show came after all: reactivated and called back to this counter."""
        number, user_id = self._undo_number, self._workspace.user_id
        if number is None or self._busy or self.current is not None:
            return

        def work(session: Any, now: Any) -> Ticket:
            return queue_undo.undo_no_show(session, number, now=now, user_id=user_id)

        self._run("undo_no_show", work)

    @Slot()
    def on_transfer_clicked(self) -> None:
        snap = self._snapshot
        if snap is None or snap.current is None:
            return
        self._dialog_ticket = snap.current.number  # the ticket shown when the clerk chose to move it
        dialog = TransferDialog(snap.services, snap.current.service, vietnamese=self._vietnamese(), parent=self)
        self._open_dialog(dialog, self.on_transfer_accepted)

    @Slot()
    def on_transfer_accepted(self) -> None:
        dialog = self._take_dialog()
        if isinstance(dialog, TransferDialog) and dialog.chosen_service():
            self._step(Action.TRANSFER, self._dialog_ticket, to_service=dialog.chosen_service(), reason=dialog.reason())

    @Slot()
    def on_call_specific_clicked(self) -> None:
        self._open_dialog(CallSpecificDialog(self), self.on_call_specific_accepted)

    @Slot()
    def on_call_specific_accepted(self) -> None:
        dialog = self._take_dialog()
        if isinstance(dialog, CallSpecificDialog) and dialog.number():
            self._step(Action.CALL_SPECIFIC, dialog.number())

    @Slot()
    def on_pause_clicked(self) -> None:
        if self.paused_reason is not None:  # the same button resumes
            user_id = self._workspace.user_id

            def resume(session: Any, now: Any) -> None:
                counter_status.resume_counter(session, now=now, user_id=user_id)

            self._run("resume", resume)
            return
        self._open_dialog(PauseDialog(self), self.on_pause_accepted)

    @Slot()
    def on_pause_accepted(self) -> None:
        dialog = self._take_dialog()
        if not isinstance(dialog, PauseDialog) or not dialog.reason():
            return
        reason, user_id = dialog.reason(), self._workspace.user_id

        def pause(session: Any, now: Any) -> None:
            # an op like the other steps: the server stops dealing to this counter and the lead sees why
            counter_status.pause_counter(session, reason, now=now, user_id=user_id)

        self._run("pause", pause)

    def _open_dialog(self, dialog: QDialog, on_accepted: Callable[[], None]) -> None:
        self.dialog = dialog
        dialog.accepted.connect(on_accepted)
        dialog.rejected.connect(self.on_dialog_rejected)
        dialog.open()

    def _take_dialog(self) -> QDialog | None:
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            dialog.deleteLater()
        return dialog

    @Slot()
    def on_dialog_rejected(self) -> None:
        self._take_dialog()

    @Slot(object)
    def on_action_succeeded(self, result: tuple[str, Ticket | None]) -> None:
        action, ticket = result
        if ticket is None:  # pause or resume: the refresh shows the counter's new state
            said = self.tr("Counter resumed.") if action == "resume" else self.tr("Counter paused.")
            self._finish_step(None, said)
            return
        log.info("queue step %s on %s", action, ticket.number)
        if self._snapshot is not None:  # show the ticket now; the refresh below brings the waiting list
            at_counter = ticket.state in _AT_COUNTER
            waiting = [t for t in self._snapshot.waiting if t.number != ticket.number]
            held = [t for t in self._snapshot.held if t.number != ticket.number]
            self._snapshot = replace(self._snapshot, current=ticket if at_counter else None, waiting=waiting, held=held)
            self._show_snapshot()
        self._set_undo(ticket.number if ticket.state is TicketState.NO_SHOW else None)
        state = translate(STATE_TEXT[ticket.state])
        if action == Action.RECALL.value:
            said = self.tr("Ticket {number} called again ({count}×).")
            said = said.format(number=ticket.number, count=ticket.recalls)
        else:
            said = self.tr("Ticket {number}: {state}").format(number=ticket.number, state=state)
        self._finish_step(None, said)

    @Slot(object)
    def on_action_failed(self, exc: BaseException) -> None:
        self._finish_step(exc, error_text(exc))

    def _finish_step(self, error: BaseException | None, text: str) -> None:
        self._busy, self._error = False, error
        if error is None:
            self._error_timer.stop()
        else:
            self._error_timer.start()
        self._show_banner()
        self.message.emit(text)
        self._update_buttons()
        self.refresh()

    def _set_undo(self, number: str | None) -> None:
        self._undo_number = number
        if number is None:
            self._undo_timer.stop()
        else:
            self._undo_timer.start()
        self._show_undo()

    @Slot()
    def on_undo_expired(self) -> None:
        self._set_undo(None)

    @Slot()
    def on_error_expired(self) -> None:
        self._error = None
        self._show_banner()

    @Slot()
    def on_dismiss_clicked(self) -> None:
        self._error = None
        self._error_timer.stop()
        ids = [c.id for c in self._snapshot.conflicts] if self._snapshot else []
        self._show_banner()
        if not ids:
            return
        workspace = self._workspace

        def write() -> int:
            with workspace.writing() as (session, now):
                return counter_view.mark_conflicts_seen(session, ids, now=now)

        job = jobs.Job(write, name="queue.conflicts_seen")
        job.signals.finished.connect(self.refresh)
        jobs.start(jobs.DB, job)
