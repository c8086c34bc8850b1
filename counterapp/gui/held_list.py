"""The tickets this counter put on hold (the citizen went to fetch a paper, to photocopy, to pay…), listed
beside the waiting queue so none is forgotten, each called back with one click, a double-click or Enter.

A held ticket keeps its number and its place; calling it back is the ``called`` step on that number, which
the panel runs like any other step."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from counterapp.domain.ticket import EventKind, Ticket
from counterapp.gui.i18n import arg
from counterapp.gui.queue_models import minutes_between

__all__ = ["HeldList", "held_since"]


def held_since(ticket: Ticket) -> datetime:
    """When the ticket was put on hold (its last ``held`` event; the issue time if the history is not loaded)."""
    held = [event.at for event in ticket.events if event.kind is EventKind.HELD]
    return held[-1] if held else ticket.issued_at


class HeldList(QWidget):
    """``call_requested(number)`` when the clerk asks to call a held ticket back."""

    call_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.list = QListWidget()
        self.list.setObjectName("heldList")
        self.call_button = QPushButton()
        self.call_button.setObjectName("queue_call_held")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.call_button)
        self._tickets: list[Ticket] = []
        self._now = datetime.min
        self._allowed = True
        self.call_button.clicked.connect(self.on_call_clicked)
        self.list.itemActivated.connect(self.on_item_activated)  # double-click or Enter
        self.list.currentRowChanged.connect(self._update_button)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.title.setText(self.tr("On hold: %n", "", len(self._tickets)))
        self.call_button.setText(self.tr("Call back"))
        self.call_button.setToolTip(self.tr("Call the selected held ticket back to the counter (double-click, Enter)"))
        self._fill()

    def set_tickets(self, tickets: list[Ticket], now: datetime) -> None:
        chosen = self.chosen()
        self._tickets, self._now = list(tickets), now
        self._fill(keep=chosen)
        self.title.setText(self.tr("On hold: %n", "", len(self._tickets)))

    def set_allowed(self, allowed: bool) -> None:
        """Whether a call is possible now (no ticket at the counter, not paused, no step running)."""
        self._allowed = allowed
        self._update_button()

    def numbers(self) -> list[str]:
        return [ticket.number for ticket in self._tickets]

    def chosen(self) -> str | None:
        item = self.list.currentItem()
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))

    def _fill(self, keep: str | None = None) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for ticket in self._tickets:
            minutes = minutes_between(held_since(ticket), self._now)
            item = QListWidgetItem(f"{ticket.number}   {ticket.service}   " + arg(self.tr("%1 min"), minutes))
            item.setData(Qt.ItemDataRole.UserRole, ticket.number)
            self.list.addItem(item)
            if ticket.number == keep:
                self.list.setCurrentItem(item)
        if self.list.currentRow() < 0 and self.list.count():
            self.list.setCurrentRow(0)
        self.list.blockSignals(False)
        self._update_button()

    @Slot()
    def _update_button(self) -> None:
        self.call_button.setEnabled(self._allowed and self.chosen() is not None)

    @Slot()
    def on_call_clicked(self) -> None:
        number = self.chosen()
        if number is not None and self._allowed:
            self.call_requested.emit(number)

    @Slot(QListWidgetItem)
    def on_item_activated(self, item: QListWidgetItem) -> None:
        if self._allowed:
            self.call_requested.emit(str(item.data(Qt.ItemDataRole.UserRole)))
