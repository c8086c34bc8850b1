"""Re-enrolling this PC (an admin's action in the Counter menu): the unsent work is sent first, or exported to
a signed file when the server cannot take it; only then is the new code accepted. The new identity gets a new
data directory and the old one is kept as it is (``counterapp.sync.reenroll``). Every step runs off the GUI
thread; the dialog says where it stands in one line.

    dialog = ReenrollDialog(workspace, server_url=credential.server_url, parent=window)
    dialog.reenrolled.connect(controller.on_reenrolled)     # Path of the new data directory
    dialog.open()
"""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counterapp.gui import enroll_texts
from counterapp.gui.dialog_size import fit_width
from counterapp.gui.i18n import arg
from counterapp.gui.jobs import DB, IO, Job, start
from counterapp.services.workspace import Workspace
from counterapp.sync import reenroll
from counterapp.sync.firstrun import Enrolled
from counterapp.sync.outbox_export import Exported, export_pending

__all__ = ["ReenrollDialog"]


def _label(parent: QWidget, role: str = "") -> QLabel:
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if role:
        label.setProperty("role", role)
    return label


class ReenrollDialog(QDialog):
    reenrolled = Signal(object)  # Path: the new data directory, this PC's counter from now on

    def __init__(self, workspace: Workspace, *, server_url: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.left: reenroll.Unsent | None = None  # what is still unsent, once counted
        self.exported: Exported | None = None
        self.moved_to: Path | None = None
        self._busy = ""
        self._push_failed = False
        self.intro_label = _label(self)
        self.state_label = _label(self)
        self.send_button, self.export_button = QPushButton(self), QPushButton(self)
        for button in (self.send_button, self.export_button):
            button.setAutoDefault(False)
        self.server_label, self.code_label = QLabel(self), QLabel(self)
        self.server_edit = QLineEdit(server_url, self)
        self.code_edit = QLineEdit(self)
        self.code_edit.setPlaceholderText("K7QX-M2PD-9HTC")
        self.code_edit.setMaxLength(40)
        self.error_label = _label(self, "error")
        self.error_label.hide()
        self.buttons = QDialogButtonBox(self)
        self.reenroll_button = QPushButton(self)
        self.reenroll_button.setDefault(True)
        self.buttons.addButton(self.reenroll_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setAutoDefault(False)  # never the highlighted button, even while Re-enroll waits

        row = QHBoxLayout()
        row.addWidget(self.send_button)
        row.addWidget(self.export_button)
        row.addStretch(1)
        form = QFormLayout()
        form.addRow(self.server_label, self.server_edit)
        form.addRow(self.code_label, self.code_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro_label)
        layout.addSpacing(8)
        layout.addWidget(self.state_label)
        layout.addLayout(row)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        # wrapped labels get their height only from spare room (Qt sizes a dialog by its width hints): a size
        # that holds the longest state in Vietnamese at 1366×768 (tests/gui/test_enroll_wizard_fits.py)
        self.resize(fit_width(self, minimum=760), 520)

        self.send_button.clicked.connect(self.on_send_clicked)
        self.export_button.clicked.connect(self.on_export_clicked)
        self.buttons.accepted.connect(self.on_reenroll_clicked)
        self.buttons.rejected.connect(self.reject)
        self.retranslate_ui()
        self._update()
        QTimer.singleShot(0, self.on_send_clicked)  # first of all: try to get the work onto the server

    # --- i18n and state ---

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Re-enroll this PC"))
        self.intro_label.setText(arg(
            self.tr("Use this when this PC replaces another counter's PC or moves to another counter. Ask the "
                    "administrator for a new device code (counterapp-server admin create-device --kind counter "
                    "--counter N). The unsent work is sent first, or exported to a file; nothing on this PC is "
                    "deleted: the current data stay in %1."),
            self.workspace.data_dir))  # fmt: skip
        self.send_button.setText(self.tr("Sending…") if self._busy == "push" else self.tr("Send unsent work now"))
        self.export_button.setText(self.tr("Export unsent work to a file…"))
        self.server_label.setText(self.tr("Server address"))
        self.code_label.setText(self.tr("New one-time code"))
        self.reenroll_button.setText(self.tr("Enrolling…") if self._busy == "enroll" else self.tr("Re-enroll"))
        self._show_state()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    @property
    def work_is_safe(self) -> bool:
        """Every unsent op is on the server or in the exported file (what ``reenroll`` checks again)."""
        if self.left is None:
            return False
        return self.left.count == 0 or (self.exported is not None and self.left.op_ids <= self.exported.op_ids)

    def _show_state(self) -> None:
        left = self.left
        if self._busy == "push":
            text = self.tr("Sending the unsent work to the server…")
        elif left is None:
            text = self.tr("Counting the unsent work…")
        elif left.count == 0:
            text = self.tr("All the work of this counter is on the server.")
        elif self.exported is not None and self.work_is_safe:
            text = arg(self.tr("%1 unsent changes were exported to %2. Import that file on the server "
                               "(counterapp-server import) before removing this PC's old data."),
                       self.exported.count, self.exported.path)  # fmt: skip
        elif self._push_failed:
            text = arg(self.tr("%1 changes could not be sent to the server. Export them to a file; it will be "
                               "imported on the server."), left.count)  # fmt: skip
        else:
            text = arg(self.tr("%1 changes are not on the server yet."), left.count)
        self.state_label.setText(text)
        role = "warning" if left is not None and left.count and not self.work_is_safe else "muted"
        if self.state_label.property("role") != role:
            self.state_label.setProperty("role", role)
            self.state_label.style().unpolish(self.state_label)
            self.state_label.style().polish(self.state_label)

    def _update(self) -> None:
        idle = not self._busy
        pending = self.left is not None and self.left.count > 0
        self.send_button.setEnabled(idle and pending)
        self.export_button.setEnabled(idle and pending)
        self.reenroll_button.setEnabled(idle and self.work_is_safe)
        for widget in (self.server_edit, self.code_edit):
            widget.setEnabled(idle)
        self.retranslate_ui()

    def _set_busy(self, busy: str) -> None:
        self._busy = busy
        self.error_label.hide()
        self._update()

    def _error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()

    # --- 1. send ---

    @Slot()
    def on_send_clicked(self) -> None:
        if self._busy:
            return
        store, data_dir = self.workspace.store, self.workspace.data_dir
        self._set_busy("push")

        def push() -> reenroll.Unsent:
            if not reenroll.unsent(store).count:
                return reenroll.unsent(store)
            return reenroll.push_unsent(store, data_dir)

        job = Job(push, name="reenroll.push")
        job.signals.succeeded.connect(self.on_pushed)
        job.signals.failed.connect(self.on_push_failed)
        start(IO, job)

    @Slot(object)
    def on_pushed(self, left: reenroll.Unsent) -> None:
        self.left, self._push_failed = left, left.count > 0  # still pending: rejected by a blocked sync
        self._set_busy("")

    @Slot(object)
    def on_push_failed(self, exc: Exception) -> None:
        self._push_failed = True
        store = self.workspace.store
        job = Job(lambda: reenroll.unsent(store), name="reenroll.count")
        job.signals.succeeded.connect(self.on_pushed_counted)
        job.signals.failed.connect(self.on_export_failed)
        start(DB, job)
        self._busy = "count"

    @Slot(object)
    def on_pushed_counted(self, left: reenroll.Unsent) -> None:
        self.left = left
        self._set_busy("")

    # --- 2. export ---

    def export_path(self) -> Path | None:
        suggested = Path.home() / f"counterapp-unsent-{date.today():%Y%m%d}.json"
        chosen, _filter = QFileDialog.getSaveFileName(self, self.tr("Export unsent work"), str(suggested),
                                                      self.tr("counterapp export (*.json)"))  # fmt: skip
        return Path(chosen) if chosen else None

    @Slot()
    def on_export_clicked(self) -> None:
        path = self.export_path()
        if path is None or self._busy:
            return
        store, data_dir = self.workspace.store, self.workspace.data_dir
        self._set_busy("export")
        job = Job(lambda: export_pending(store, data_dir, path), name="reenroll.export")
        job.signals.succeeded.connect(self.on_exported)
        job.signals.failed.connect(self.on_export_failed)
        start(DB, job)

    @Slot(object)
    def on_exported(self, exported: Exported) -> None:
        self.exported = exported
        self._set_busy("")
        if not self.work_is_safe:  # the sync engine pushed some meanwhile: fine; new ones: export again
            self.on_send_clicked()

    @Slot(object)
    def on_export_failed(self, exc: Exception) -> None:
        self._set_busy("")
        self._error(arg(self.tr("The export failed: %1"), getattr(exc, "code", "") or exc))

    # --- 3. re-enroll ---

    @Slot()
    def on_reenroll_clicked(self) -> None:
        if self._busy or not self.work_is_safe:
            return
        server = unicodedata.normalize("NFC", self.server_edit.text()).strip()
        code = unicodedata.normalize("NFC", self.code_edit.text()).strip()
        if not code:
            self._error(self.tr("Type the new one-time code."))
            self.code_edit.setFocus()
            return
        store, data_dir, exported = self.workspace.store, self.workspace.data_dir, self.exported
        self._set_busy("enroll")
        job = Job(lambda: reenroll.reenroll(store, data_dir, server, code, exported=exported), name="reenroll")
        job.signals.succeeded.connect(self.on_reenrolled)
        job.signals.failed.connect(self.on_reenroll_failed)
        start(IO, job)

    @Slot(object)
    def on_reenrolled(self, result: tuple[Path, Enrolled]) -> None:
        self._busy = ""
        self.moved_to, _enrolled = result
        self.accept()
        self.reenrolled.emit(self.moved_to)  # last: the controller closes the window this dialog belongs to

    @Slot(object)
    def on_reenroll_failed(self, exc: Exception) -> None:
        self._set_busy("")
        if isinstance(exc, reenroll.UnsentWork):
            self._error(arg(self.tr("%1 changes are neither sent nor exported."), exc.params.get("count", "?")))
            self.on_send_clicked()
            return
        self._error(enroll_texts.failure_text(exc))
