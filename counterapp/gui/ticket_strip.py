"""The ticket at the counter, in one line above the Intake and Dossiers tabs: the queue's keys work on every
tab, so the clerk must see on every tab which ticket F5 would finish."""

from __future__ import annotations

from PySide6.QtCore import QLocale, Slot
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

from counterapp.domain.ticket import TicketState
from counterapp.gui.queue_models import STATE_TEXT, translate
from counterapp.services.counter_view import CounterSnapshot

__all__ = ["TicketStrip"]


class TicketStrip(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ticketStrip")
        self.label = QLabel()
        self.label.setObjectName("ticketStripText")
        self.keys = QLabel()
        self.keys.setObjectName("ticketStripKeys")
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 3, 10, 3)
        row.addWidget(self.label, 1)
        row.addWidget(self.keys)
        self._snapshot: CounterSnapshot | None = None
        self.retranslate_ui()

    @Slot(object)
    def set_snapshot(self, snapshot: CounterSnapshot | None) -> None:
        self._snapshot = snapshot
        self.retranslate_ui()

    def text(self) -> str:
        return self.label.text()

    def retranslate_ui(self) -> None:
        snap = self._snapshot
        ticket = snap.current if snap is not None else None
        if snap is not None and snap.status == "paused":
            self.label.setText(self.tr("The counter is paused."))
            self.keys.setText(self.tr("F12 resume"))
            return
        if ticket is None:
            waiting = len(snap.waiting) if snap is not None else 0
            self.label.setText(self.tr("No ticket at the counter · %n waiting", "", waiting))
            self.keys.setText(self.tr("F2 call next · Ctrl+1 queue"))
            return
        vietnamese = QLocale().language() == QLocale.Language.Vietnamese
        service = next((s for s in snap.services if s.code == ticket.service), None) if snap else None
        name = (service.name_vi if vietnamese else service.name_en) if service else ticket.service
        self.label.setText(self.tr("At the counter: {number} · {service} · {state}").format(
            number=ticket.number, service=name, state=translate(STATE_TEXT[ticket.state])))  # fmt: skip
        if ticket.state is TicketState.SERVING:
            self.keys.setText(self.tr("F5 finish · F7 hold · F8 transfer"))
        else:
            self.keys.setText(self.tr("F4 start · F3 recall · F6 no-show"))
