"""The counter window's status bar and its banners: online or offline, pending changes and the age of
the oldest, the last sync, numbers left in the leases, the printer, and the clock-skew warning.

It only displays a ``SyncStatus`` it is handed (``on_status_changed``); it never queries or blocks. The
two banners are separate widgets (``offline_banner``, ``skew_banner``) that the main window places above
its tabs, where a clerk sees them without looking down.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, Slot
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from counterapp.gui.i18n import arg
from counterapp.services.clock import centre_wall_time

if TYPE_CHECKING:  # the sync package loads pydantic and httpx: not on the window's start-up path
    from counterapp.sync.engine import SyncStatus

__all__ = ["StatusBar"]


def _restyle(label: QLabel, state: str) -> None:
    """A dynamic property read by the QSS: re-polish so the new colour applies."""
    if label.property("state") != state:
        label.setProperty("state", state)
        label.style().unpolish(label)
        label.style().polish(label)


class StatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizeGripEnabled(False)
        self.connection_label = QLabel(self)
        self.pending_label = QLabel(self)
        self.last_sync_label = QLabel(self)
        self.leases_label = QLabel(self)
        self.printer_label = QLabel(self)
        for label in (self.connection_label, self.pending_label, self.last_sync_label, self.leases_label,
                      self.printer_label):  # fmt: skip
            self.addPermanentWidget(label)
        self.offline_banner = QLabel()
        self.offline_banner.setObjectName("offlineBanner")
        self.offline_banner.setWordWrap(True)
        self.offline_banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.offline_banner.hide()
        self.skew_banner = QLabel()
        self.skew_banner.setObjectName("skewBanner")
        self.skew_banner.setWordWrap(True)
        self.skew_banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.skew_banner.hide()
        self.status: SyncStatus | None = None
        self._printer_state = ""
        self.retranslate_ui()

    # --- inputs ---

    @Slot(object)
    def on_status_changed(self, status: SyncStatus) -> None:
        self.status = status
        self._render()

    @Slot(str)
    def set_printer_state(self, state: str) -> None:
        """Free text from the printing side (already translated), e.g. "Printer: out of paper"."""
        self._printer_state = state
        self.printer_label.setText(state)
        self.printer_label.setVisible(bool(state))

    @property
    def online(self) -> bool | None:
        return None if self.status is None else self.status.online

    # --- rendering ---

    def retranslate_ui(self) -> None:
        self.offline_banner.setText(
            self.tr("Lost connection to the server — keep working as usual, data will sync later")
        )
        self._render()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def _render(self) -> None:
        status = self.status
        self.printer_label.setVisible(bool(self._printer_state))
        if status is None:
            self.connection_label.setText(self.tr("Connecting…"))
            _restyle(self.connection_label, "")
            for label in (self.pending_label, self.last_sync_label, self.leases_label):
                label.clear()
            return
        offline = not status.online
        self.connection_label.setText(self.tr("Offline") if offline else self.tr("Online"))
        _restyle(self.connection_label, "offline" if offline else "online")
        self.offline_banner.setVisible(offline)
        self.pending_label.setText(self._pending_text(status))
        _restyle(self.pending_label, "warning" if status.blocked else "")
        self.last_sync_label.setText(
            arg(self.tr("Last sync: %1"), status.last_sync_at.strftime("%H:%M:%S"))
            if status.last_sync_at
            else self.tr("Not synced yet")
        )
        self.leases_label.setText(self._leases_text(status))
        self.leases_label.setToolTip("\n".join(f"{kind}: {left}" for kind, left in sorted(status.leases_left.items())))
        self._render_skew(status)

    def _pending_text(self, status: SyncStatus) -> str:
        if status.blocked:
            return arg(self.tr("Sync stopped (%1): call IT"), status.blocked)
        if not status.pending_ops:
            return self.tr("Nothing to send")
        text = self.tr("%n change(s) to send", "", status.pending_ops)
        if status.oldest_pending_at is not None:
            # wall_time is this PC's own clock (not corrected), so compare with the same clock
            text += " " + arg(self.tr("(oldest %1)"), _age(status.oldest_pending_at, centre_wall_time()))
        return text

    def _leases_text(self, status: SyncStatus) -> str:
        codes = sum(v for k, v in status.leases_left.items() if k.startswith("dossier_code:"))
        tickets = sum(v for k, v in status.leases_left.items() if k.startswith("ticket:"))
        return arg(self.tr("Numbers left: %1 dossier codes, %2 tickets"), codes, tickets)

    def _render_skew(self, status: SyncStatus) -> None:
        if status.codes_blocked:
            seconds = status.clock_offset_ms / 1000
            text = self.tr(
                "This computer's clock is %1 s off the server's: dossier codes and receipts are blocked "
                "until the clock is corrected"
            )
            self.skew_banner.setText(arg(text, f"{seconds:+.0f}"))
        self.skew_banner.setVisible(status.codes_blocked)


def _age(oldest: datetime, now: datetime) -> str:
    """A short, language-neutral age: 45 s, 12 min, 3 h 5 min."""
    seconds = max(0, int((now - oldest).total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"
