"""Before a clerk signs out or closes the window: a ticket still at the counter would be inherited by the
next clerk as "being served", and changes not yet sent should not be a surprise. The question is asked only
then, with the way out in the buttons: settle the ticket (hold it, or finish it when it is being served)
and leave, leave anyway, or stay.

``LeaveDialog`` only asks; the main window does the step it names and leaves once the ticket is settled.
"""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QAbstractButton, QMessageBox, QPushButton, QWidget

from counterapp.domain.ticket import Ticket, TicketState

__all__ = ["LeaveChoice", "LeaveDialog"]


class LeaveChoice(Enum):
    STAY = "stay"
    LEAVE = "leave"
    HOLD_AND_LEAVE = "hold"
    FINISH_AND_LEAVE = "finish"


class LeaveDialog(QMessageBox):
    """Asks before leaving; ``choice`` holds the answer once ``finished`` is emitted."""

    def __init__(self, ticket: Ticket | None, pending: int, *, closing: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ticket = ticket
        self.pending = pending
        self.closing = closing
        self.choice = LeaveChoice.STAY
        self.setIcon(QMessageBox.Icon.Warning)
        self.choice_buttons: dict[LeaveChoice, QPushButton] = {}
        if ticket is not None and ticket.state is TicketState.SERVING:
            self.choice_buttons[LeaveChoice.FINISH_AND_LEAVE] = self.addButton("", QMessageBox.ButtonRole.AcceptRole)
        if ticket is not None:
            self.choice_buttons[LeaveChoice.HOLD_AND_LEAVE] = self.addButton("", QMessageBox.ButtonRole.AcceptRole)
        # a hand-over in the middle of a service is possible too: the next clerk then finishes the ticket
        self.choice_buttons[LeaveChoice.LEAVE] = self.addButton("", QMessageBox.ButtonRole.DestructiveRole)
        self.choice_buttons[LeaveChoice.STAY] = self.addButton("", QMessageBox.ButtonRole.RejectRole)
        self.setDefaultButton(self.choice_buttons[LeaveChoice.STAY])  # Enter must not sign anyone out by accident
        self.setEscapeButton(self.choice_buttons[LeaveChoice.STAY])
        self.buttonClicked.connect(self.on_button_clicked)
        self.setMinimumWidth(560)
        self.retranslate_ui()

    @staticmethod
    def needed(ticket: Ticket | None, pending: int) -> bool:
        return ticket is not None or pending > 0

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Close the counter window") if self.closing else self.tr("Sign out"))
        lines = []
        if self.ticket is not None:
            lines.append(self.tr("Ticket {number} is still at the counter. The next clerk would find it as theirs.")
                         .format(number=self.ticket.number))  # fmt: skip
        if self.pending:
            lines.append(self.tr(
                "%n change(s) have not reached the server yet. They are kept on this computer and sent as soon "
                "as it is connected: do not reinstall or wipe it until then.", "", self.pending))  # fmt: skip
        self.setText("\n\n".join(lines))
        leave = self.tr("Close anyway") if self.closing else self.tr("Sign out anyway")
        number = self.ticket.number if self.ticket is not None else ""
        texts = {
            LeaveChoice.FINISH_AND_LEAVE: self.tr("Finish {number} and leave").format(number=number),
            LeaveChoice.HOLD_AND_LEAVE: self.tr("Hold {number} and leave").format(number=number),
            LeaveChoice.LEAVE: leave,
            LeaveChoice.STAY: self.tr("Stay"),
        }
        for choice, button in self.choice_buttons.items():
            button.setText(texts[choice])

    @Slot(QAbstractButton)
    def on_button_clicked(self, button: QAbstractButton) -> None:
        self.choice = next((c for c, b in self.choice_buttons.items() if b is button), LeaveChoice.STAY)
