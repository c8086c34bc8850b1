"""The counter window's status bar and its banners: the last message of a panel, online or offline,
pending changes and the age of the oldest, the last sync, numbers left in the leases, the printer, and the
clock-skew warning.

It only displays a ``SyncStatus`` it is handed (``on_status_changed``) and the print jobs of the last
receipt; it never queries or blocks. Every text is rendered from those values, so a language switch
re-words all of it. The permanent fields are short (the details are in their tooltips) so that a panel's
message has room at 1366 px; a message longer than its room is elided, whole in its tooltip, and goes after
``MESSAGE_MS``. The two banners are separate widgets (``offline_banner``, ``skew_banner``) that the main
window places above its tabs, where a clerk sees them without looking down.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, Qt, QTimer, Slot
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QStatusBar, QWidget

from counterapp.gui.i18n import arg
from counterapp.services.clock import centre_wall_time

if TYPE_CHECKING:  # the sync package loads pydantic and httpx: not on the window's start-up path
    from counterapp.services.printing import PrintJob
    from counterapp.sync.engine import SyncStatus

__all__ = ["PRINTER_ERROR_TEXT", "VERSION_TEXT", "ElidedLabel", "StatusBar"]

MESSAGE_MS = 15_000

# PrinterError codes → the clerk's words (the job's own message is English, for IT and the log).
PRINTER_ERROR_TEXT: dict[str, str] = {
    "printer.unreachable": str(QT_TRANSLATE_NOOP("StatusBar", "the printer does not answer")),
    "printer.folder": str(QT_TRANSLATE_NOOP("StatusBar", "the PDF folder cannot be written")),
    "printer.unsupported": str(QT_TRANSLATE_NOOP("StatusBar", "this connection is not supported here")),
    "printer.wrong_kind": str(QT_TRANSLATE_NOOP("StatusBar", "wrong printer for this document")),
}

# A server that refuses this counter's sync protocol (SyncStatus.version_mismatch) → what the clerk reads.
VERSION_TEXT: dict[str, str] = {
    "counter_too_old": str(
        QT_TRANSLATE_NOOP(
            "StatusBar",
            "The server needs a newer version of the counter software — keep working as usual, "
            "call IT to update this computer; data will sync after the update",
        )
    ),
    "counter_too_new": str(
        QT_TRANSLATE_NOOP(
            "StatusBar",
            "The counter software is newer than the server — keep working as usual, call IT to update "
            "the server; data will sync after the update",
        )
    ),
}


class ElidedLabel(QLabel):
    """One line that ends in "…" when it does not fit, with the whole text in its tooltip."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self._elide()

    def full_text(self) -> str:
        return self._full

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = max(0, self.width() - 4)
        self.setText(self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, width))


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
        self.message_label = ElidedLabel(self)
        self.message_label.setObjectName("statusMessage")
        self.addWidget(self.message_label, 1)
        self._message_timer = QTimer(self)
        self._message_timer.setSingleShot(True)
        self._message_timer.setInterval(MESSAGE_MS)
        self._message_timer.timeout.connect(self.clear_message)
        self.connection_label = QLabel(self)
        self.pending_label = QLabel(self)
        self.last_sync_label = QLabel(self)
        self.leases_label = QLabel(self)
        self.printer_label = QLabel(self)
        # shown only where no OS keystore runs: IT should know the keys are in files of the data directory
        self.keystore_label = QLabel(self)
        self.keystore_label.setObjectName("keystoreNote")
        self.keystore_label.hide()
        for label in (self.connection_label, self.pending_label, self.last_sync_label, self.leases_label,
                      self.printer_label, self.keystore_label):  # fmt: skip
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
        self._print_jobs: list[PrintJob] = []
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
        self._print_jobs = []
        self._printer_state = state
        self.printer_label.setText(state)
        self.printer_label.setVisible(bool(state))

    def set_print_jobs(self, jobs: list[PrintJob]) -> None:
        """The printer's state from the last document's jobs, worded now and again on a language switch."""
        if jobs:
            self._print_jobs = list(jobs)
            self._render_printer()

    def set_secrets_in_file(self, in_file: bool) -> None:
        """The cache key and the device credential are in 0600 files (no OS keystore here): say so."""
        self.keystore_label.setVisible(in_file)

    @Slot(str)
    def show_message(self, text: str) -> None:
        self.message_label.set_full_text(text)
        self._message_timer.start()

    @Slot()
    def clear_message(self) -> None:
        self.message_label.set_full_text("")

    def message(self) -> str:
        return self.message_label.full_text()

    def _render_printer(self) -> None:
        jobs = self._print_jobs
        if not jobs:
            return
        failed = [job for job in jobs if job.status != "printed"]
        if failed:
            job = failed[0]
            source = PRINTER_ERROR_TEXT.get(getattr(job, "error_code", None) or "")
            reason = QCoreApplication.translate("StatusBar", source) if source else (job.last_error or "")
            state = arg(self.tr("Printer %1: not printed"), job.printer)
            self.printer_label.setToolTip(reason)
            if source:
                state += f" ({reason})"
        else:
            state = arg(self.tr("Printer %1: ready"), jobs[-1].printer)
            self.printer_label.setToolTip("")
        self._printer_state = state
        self.printer_label.setText(state)
        self.printer_label.setVisible(True)

    @property
    def online(self) -> bool | None:
        return None if self.status is None else self.status.online

    # --- rendering ---

    def retranslate_ui(self) -> None:
        self.offline_banner.setText(
            self.tr("Lost connection to the server — keep working as usual, data will sync later")
        )
        self.keystore_label.setText(self.tr("Keys in a file"))
        self.keystore_label.setToolTip(
            self.tr(
                "No OS keystore runs on this PC: the key of the local data and this counter's credential are kept "
                "in files of its data directory, readable by this account only. Tell IT."
            )
        )
        self._render()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def _render(self) -> None:
        status = self.status
        self._render_printer()
        self.printer_label.setVisible(bool(self._printer_state))
        if status is None:
            self.connection_label.setText(self.tr("Connecting…"))
            _restyle(self.connection_label, "")
            for label in (self.pending_label, self.last_sync_label, self.leases_label):
                label.clear()
            return
        offline = not status.online
        self.connection_label.setText(self.tr("Offline, retrying") if offline else self.tr("Online"))
        self.connection_label.setToolTip(self.tr("Ctrl+R: try now") if offline else "")
        _restyle(self.connection_label, "offline" if offline else "online")
        self._render_version(getattr(status, "version_mismatch", None) if offline else None)
        self.offline_banner.setVisible(offline)
        self.pending_label.setText(self._pending_text(status))
        _restyle(self.pending_label, "warning" if status.blocked else "")
        self.last_sync_label.setText(
            arg(self.tr("Synced %1"), status.last_sync_at.strftime("%H:%M"))
            if status.last_sync_at
            else self.tr("Not synced yet")
        )
        self.leases_label.setText(self._leases_text(status))
        details = [self.tr("Numbers left for offline work:")]
        details += [f"{kind}: {left}" for kind, left in sorted(status.leases_left.items())]
        self.leases_label.setToolTip("\n".join(details))
        if status.last_sync_at:
            when = status.last_sync_at.strftime("%d/%m/%Y %H:%M:%S")
            self.last_sync_label.setToolTip(arg(self.tr("Last sync: %1"), when))
        self._render_skew(status)

    def _render_version(self, mismatch: str | None) -> None:
        """The server refused this counter's version (``counterapp.sync.versions``): say who must be
        updated, in the banner and the connection field, instead of "lost connection"; work goes on."""
        source = VERSION_TEXT.get(mismatch or "")
        if source is None:
            self.offline_banner.setText(
                self.tr("Lost connection to the server — keep working as usual, data will sync later")
            )
            return
        text = QCoreApplication.translate("StatusBar", source)
        self.offline_banner.setText(text)
        self.connection_label.setText(self.tr("Update needed"))
        self.connection_label.setToolTip(text)
        _restyle(self.connection_label, "warning")

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
        return arg(self.tr("Left: %1 codes · %2 tickets"), codes, tickets)

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
