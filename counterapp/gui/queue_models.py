"""What the queue panel shows, apart from its widgets: the waiting-list model (STYLE.md pattern 2: rows come
from a service snapshot, the model never queries), the panel's actions with their keys and legality, and
the one table of error and conflict codes → translated words."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QObject, QPersistentModelIndex, Qt, Slot

from counterapp.domain.ticket import TRANSITIONS, EventKind, Ticket, TicketState, kpis
from counterapp.gui.i18n import arg
from counterapp.services.counter_view import CounterSnapshot, OpenConflict

__all__ = [
    "CONFLICT_TEXT",
    "ERROR_TEXT",
    "SHORTCUTS",
    "STATE_TEXT",
    "TICKET_STEPS",
    "Action",
    "WaitingTicketsModel",
    "button_text",
    "conflict_text",
    "current_texts",
    "error_text",
    "legal_actions",
    "minutes_between",
    "not_now_text",
    "translate",
]

_Index = QModelIndex | QPersistentModelIndex
PRIORITY_MARK = "★"


def minutes_between(start: datetime, end: datetime) -> int:
    """Whole minutes waited; never negative (a clock corrected backwards must not show -1)."""
    return max(0, int((end - start).total_seconds() // 60))


class WaitingTicketsModel(QAbstractTableModel):
    """Today's waiting tickets for this counter, in call order: number, service, priority, minutes waited."""

    NumberRole = Qt.ItemDataRole.UserRole + 1
    COLUMNS = 4

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Ticket] = []
        self._now = datetime.min
        self._priority_names: dict[str, str] = {}

    def set_tickets(self, tickets: list[Ticket], now: datetime, priority_names: dict[str, str]) -> None:
        """Replace every row; ``priority_names`` maps a class code to the label the clerk reads."""
        self.beginResetModel()
        self._rows = list(tickets)
        self._now = now
        self._priority_names = dict(priority_names)
        self.endResetModel()

    @Slot()
    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.COLUMNS - 1)

    def numbers(self) -> list[str]:
        return [t.number for t in self._rows]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.COLUMNS

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        ticket = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return ticket.number
            if column == 1:
                return ticket.service
            if column == 2:
                return self._priority_text(ticket)
            return minutes_between(ticket.issued_at, self._now)
        if role == Qt.ItemDataRole.ToolTipRole and column == 2 and ticket.priority:
            return self._priority_names.get(ticket.priority, ticket.priority)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == self.NumberRole:
            return ticket.number
        return None

    def _priority_text(self, ticket: Ticket) -> str:
        if not ticket.priority:
            return ""
        return f"{PRIORITY_MARK} {self._priority_names.get(ticket.priority, ticket.priority)}"

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        titles = (self.tr("Number"), self.tr("Service"), self.tr("Priority"), self.tr("Waited (min)"))
        return titles[section] if 0 <= section < len(titles) else None


if TYPE_CHECKING:  # PySide6 types it as returning object; the name must stay as is for lupdate

    def QT_TRANSLATE_NOOP(context: str, text: str) -> str: ...
else:
    from PySide6.QtCore import QT_TRANSLATE_NOOP

CONTEXT = "QueuePanel"  # the context of the texts below (each spells it out: lupdate reads only literals)


class Action(StrEnum):
    CALL_NEXT = "call_next"
    RECALL = "recall"
    START = "start"
    FINISH = "finish"
    NO_SHOW = "no_show"
    HOLD = "hold"
    TRANSFER = "transfer"
    CALL_SPECIFIC = "call_specific"
    PAUSE = "pause"


SHORTCUTS: dict[Action, str] = {
    Action.CALL_NEXT: "F2",
    Action.RECALL: "F3",
    Action.START: "F4",
    Action.FINISH: "F5",
    Action.NO_SHOW: "F6",
    Action.HOLD: "F7",
    Action.TRANSFER: "F8",
    Action.CALL_SPECIFIC: "F9",
    Action.PAUSE: "F12",  # not F10 (opens the menu bar on Windows) nor F11 (full screen)
}

BUTTON_TEXT: dict[Action, str] = {
    Action.CALL_NEXT: QT_TRANSLATE_NOOP("QueuePanel", "Call next"),
    Action.RECALL: QT_TRANSLATE_NOOP("QueuePanel", "Recall"),
    Action.START: QT_TRANSLATE_NOOP("QueuePanel", "Start"),
    Action.FINISH: QT_TRANSLATE_NOOP("QueuePanel", "Finish"),
    Action.NO_SHOW: QT_TRANSLATE_NOOP("QueuePanel", "No-show"),
    Action.HOLD: QT_TRANSLATE_NOOP("QueuePanel", "Hold"),
    Action.TRANSFER: QT_TRANSLATE_NOOP("QueuePanel", "Transfer…"),
    Action.CALL_SPECIFIC: QT_TRANSLATE_NOOP("QueuePanel", "Call number…"),
    Action.PAUSE: QT_TRANSLATE_NOOP("QueuePanel", "Pause…"),
}
RESUME_TEXT = QT_TRANSLATE_NOOP("QueuePanel", "Resume")


def button_text(action: Action, *, paused: bool) -> str:
    """The key first, so the clerk learns it: "F2  Call next" (the pause button reads Resume while paused)."""
    text = RESUME_TEXT if paused and action is Action.PAUSE else BUTTON_TEXT[action]
    return f"{SHORTCUTS[action]}  {translate(text)}"


# The steps taken on the ticket at the counter; legal when the state machine has the transition.
TICKET_STEPS: dict[Action, EventKind] = {
    Action.RECALL: EventKind.RECALLED,
    Action.START: EventKind.STARTED,
    Action.FINISH: EventKind.FINISHED,
    Action.NO_SHOW: EventKind.NO_SHOW,
    Action.HOLD: EventKind.HELD,
    Action.TRANSFER: EventKind.TRANSFERRED,
}

# DomainError.code → what the clerk reads (translated at display time, so a language switch applies).
ERROR_TEXT: dict[str, str] = {
    "queue.empty": QT_TRANSLATE_NOOP("QueuePanel", "No one is waiting for your services right now."),
    "queue.busy": QT_TRANSLATE_NOOP("QueuePanel", "Other counters were calling at the same moment. Please try again."),
    "not_found": QT_TRANSLATE_NOOP("QueuePanel", "There is no such ticket today."),
    "ticket.not_found": QT_TRANSLATE_NOOP("QueuePanel", "There is no such ticket today."),
    "ticket.format": QT_TRANSLATE_NOOP("QueuePanel", "That is not a ticket number. Type it as printed, e.g. A012."),
    "validation.failed": QT_TRANSLATE_NOOP("QueuePanel", "That is not a ticket number. Type it as printed, e.g. A012."),
    "ticket.illegal_transition": QT_TRANSLATE_NOOP(
        "QueuePanel", "This step is not possible for the ticket as it is now."
    ),
    "ticket.recall_limit": QT_TRANSLATE_NOOP("QueuePanel", "The ticket was recalled too often. Mark it as no-show."),
    "ticket.event_invalid": QT_TRANSLATE_NOOP("QueuePanel", "Choose a different service to transfer to."),
    "ticket.other_counter": QT_TRANSLATE_NOOP("QueuePanel", "This ticket is being served at another counter."),
    "ticket.not_at_counter": QT_TRANSLATE_NOOP("QueuePanel", "This ticket is being served at another counter."),
    "ticket.already_called": QT_TRANSLATE_NOOP("QueuePanel", "Another counter has already called this ticket."),
    "ticket.dealt_elsewhere": QT_TRANSLATE_NOOP("QueuePanel", "This ticket belongs to another counter's list."),
    "service.not_assigned": QT_TRANSLATE_NOOP("QueuePanel", "This counter does not serve that service."),
    "state.invalid": QT_TRANSLATE_NOOP("QueuePanel", "This step is not possible for the ticket as it is now."),
    "device.not_initialised": QT_TRANSLATE_NOOP("QueuePanel", "This counter is not set up yet. Ask the administrator."),
    "lease.missing": QT_TRANSLATE_NOOP("QueuePanel", "This counter has no ticket numbers for today. Connect to sync."),
    "counter.closed": QT_TRANSLATE_NOOP("QueuePanel", "The shift lead has closed this counter."),
    "ticket.undo_not_possible": QT_TRANSLATE_NOOP(
        "QueuePanel", "The no-show can no longer be undone: call the ticket by its number (F9)."
    ),
    "lease.exhausted": QT_TRANSLATE_NOOP(
        "QueuePanel", "This counter has used all its ticket numbers. Connect to sync."
    ),
}
NO_TICKET = QT_TRANSLATE_NOOP("QueuePanel", "No ticket at the counter")
UNKNOWN_REFUSAL = QT_TRANSLATE_NOOP("QueuePanel", "The step was refused ({code}).")
UNEXPECTED = QT_TRANSLATE_NOOP("QueuePanel", "Something went wrong and the step was not done. Details are in the log.")

# Sync conflicts pulled from the server (SyncConflictRow.code) about this counter's tickets.
CONFLICT_TEXT: dict[str, str] = {
    "ticket.already_called": QT_TRANSLATE_NOOP("QueuePanel", "Ticket {number}: another counter called it first."),
    "ticket.dealt_elsewhere": QT_TRANSLATE_NOOP("QueuePanel", "Ticket {number}: it was in another counter's list."),
    "ticket.not_at_counter": QT_TRANSLATE_NOOP("QueuePanel", "Ticket {number}: the server had it at another counter."),
    "service.not_assigned": QT_TRANSLATE_NOOP(
        "QueuePanel", "Ticket {number}: this counter does not serve its service."
    ),
}
CONFLICT_OTHER = QT_TRANSLATE_NOOP("QueuePanel", "{number}: the server did not accept a step ({code}).")

STATE_TEXT: dict[TicketState, str] = {
    TicketState.WAITING: QT_TRANSLATE_NOOP("QueuePanel", "Waiting"),
    TicketState.CALLED: QT_TRANSLATE_NOOP("QueuePanel", "Called, waiting for the citizen"),
    TicketState.SERVING: QT_TRANSLATE_NOOP("QueuePanel", "Serving"),
    TicketState.DONE: QT_TRANSLATE_NOOP("QueuePanel", "Done"),
    TicketState.NO_SHOW: QT_TRANSLATE_NOOP("QueuePanel", "No-show"),
    TicketState.HELD: QT_TRANSLATE_NOOP("QueuePanel", "On hold"),
    TicketState.CANCELLED: QT_TRANSLATE_NOOP("QueuePanel", "Cancelled"),
}


def translate(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def error_text(exc: BaseException) -> str:
    """Plain words for a failed step; an unknown code is named, a bug is not described."""
    code = getattr(exc, "code", None)
    if isinstance(code, str) and code:
        field_codes = [e.code for e in getattr(exc, "errors", ())]  # ValidationFailed: the field's own code
        code = next((c for c in field_codes if c in ERROR_TEXT), code)
        known = ERROR_TEXT.get(code)
        return translate(known) if known else translate(UNKNOWN_REFUSAL).format(code=code)
    return translate(UNEXPECTED)


def conflict_text(conflict: OpenConflict) -> str:
    known = CONFLICT_TEXT.get(conflict.code)
    if known:
        return translate(known).format(number=conflict.subject)
    return translate(CONFLICT_OTHER).format(number=conflict.subject, code=conflict.code)


# Why a key did nothing: the clerk pressed it at the wrong moment, so say what to press instead.
NOT_NOW_PAUSED = QT_TRANSLATE_NOOP("QueuePanel", "The counter is paused: press F12 to resume first.")
NOT_NOW_NO_TICKET = QT_TRANSLATE_NOOP("QueuePanel", "No ticket at the counter: press F2 to call the next one.")
NOT_NOW_SETTLE = QT_TRANSLATE_NOOP(
    "QueuePanel", "Ticket {number} is still at the counter: finish it (F5), mark a no-show (F6) or hold it (F7) first."
)
NOT_NOW_START = QT_TRANSLATE_NOOP(
    "QueuePanel", "Ticket {number} has not been started: press F4 when the citizen sits down."
)
NOT_NOW_OTHER = QT_TRANSLATE_NOOP("QueuePanel", "{step} is not possible for ticket {number} now ({state}).")


def not_now_text(action: Action, current: Ticket | None, *, paused: bool) -> str:
    """What to do instead of ``action``, which ``legal_actions`` does not allow now."""
    step = translate(BUTTON_TEXT[action]).rstrip("…")
    if current is None:
        return translate(NOT_NOW_PAUSED if paused else NOT_NOW_NO_TICKET)
    if action in (Action.CALL_NEXT, Action.CALL_SPECIFIC, Action.PAUSE):
        return translate(NOT_NOW_SETTLE).format(number=current.number)
    if action is Action.FINISH and current.state is TicketState.CALLED:
        return translate(NOT_NOW_START).format(number=current.number)
    state = translate(STATE_TEXT[current.state])
    return translate(NOT_NOW_OTHER).format(step=step, number=current.number, state=state)


def legal_actions(current: Ticket | None, *, paused: bool) -> set[Action]:
    """The buttons to enable: a step on the ticket at the counter when the state machine allows it;
    a new call only once that ticket is settled (finished, no-show, held or moved) and not paused."""
    if current is None:
        return {Action.PAUSE} if paused else {Action.CALL_NEXT, Action.CALL_SPECIFIC, Action.PAUSE}
    return {action for action, kind in TICKET_STEPS.items() if (current.state, kind) in TRANSITIONS}


def current_texts(snap: CounterSnapshot | None, *, vietnamese: bool) -> tuple[str, str, str, str]:
    """The ticket at the counter as the panel prints it: number (large), service, state, time waited."""
    ticket = None if snap is None else snap.current
    if snap is None or ticket is None:
        return "—", "", translate(NO_TICKET) if snap is not None else "", ""
    service = next((s for s in snap.services if s.code == ticket.service), None)
    name = "" if service is None else (service.name_vi if vietnamese else service.name_en)
    state = translate(STATE_TEXT[ticket.state])
    if ticket.state is TicketState.CALLED and ticket.recalls:  # the clerk sees the recall was made
        state += " — " + arg(QCoreApplication.translate("QueuePanel", "called again (%1×)"), ticket.recalls)
    if ticket.priority:
        vi, en = snap.priority_names.get(ticket.priority, (ticket.priority, ticket.priority))
        state += f"  {PRIORITY_MARK} {vi if vietnamese else en}"
    first_wait = kpis(ticket, snap.now).first_wait
    waited = 0 if first_wait is None else minutes_between(ticket.issued_at, ticket.issued_at + first_wait)
    # %1, not %n: lupdate reads no plural from translate() (and "min" needs none in either language)
    waited_text = arg(QCoreApplication.translate("QueuePanel", "Waited %1 min before the call"), waited)
    return ticket.number, f"{ticket.service} — {name}" if name else ticket.service, state, waited_text
