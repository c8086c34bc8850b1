"""The intake screen (tiếp nhận hồ sơ): procedure, applicant, documents checklist, live appointment,
Save → code + receipt print job, Preview/Reprint, and Mẫu 02/03 from the same place.

Every service call runs as a Job (DB pool for the store, IO pool for printers). The appointment shown
while typing is the pure ``compute_due`` on the GUI thread: with the calendar loaded once it takes
well under a millisecond (``last_due_ms`` keeps the latest measurement). The saved appointment shown
afterwards is the service's own, so the two can only differ if the clock crossed a boundary meanwhile.
"""

from __future__ import annotations

import itertools
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from counterapp.domain.duedate import DueDate, compute_due
from counterapp.domain.errors import ValidationFailed
from counterapp.domain.procedure import Procedure
from counterapp.gui import jobs
from counterapp.gui.applicant_form import ApplicantForm, describe, error_text
from counterapp.gui.checklist import DocumentChecklist
from counterapp.gui.intake_dialogs import RefusalDialog, SupplementDialog
from counterapp.gui.procedure_picker import ProcedurePicker
from counterapp.services import intake_desk
from counterapp.services.clock import legal_now
from counterapp.services.intake import IntakeResult
from counterapp.services.intake_desk import IntakeContext, Queued, SavedIntake
from counterapp.services.printing import Document, PrintJob
from counterapp.services.workspace import Workspace

__all__ = ["IntakePanel"]

WHEN = "%d/%m/%Y %H:%M"


class IntakePanel(QWidget):
    message = Signal(str)
    dossier_saved = Signal(object)  # IntakeResult
    prints_finished = Signal(object)  # list[PrintJob]
    supplement_recorded = Signal(object)  # forms.SupplementRequest
    refusal_recorded = Signal(object)  # forms.Refusal
    preview_ready = Signal(object)  # Path of the rendered receipt

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self._context: IntakeContext | None = None
        self.last_result: IntakeResult | None = None
        self.last_jobs: tuple[PrintJob, ...] = ()
        self.last_due: DueDate | None = None
        self.last_due_ms = 0.0
        self.dialog: SupplementDialog | RefusalDialog | None = None
        self._submitted_documents: list[dict[str, Any]] = []
        self.open_url = QDesktopServices.openUrl  # replaced in tests: no desktop viewer there

        self.picker = ProcedurePicker()
        self.checklist = DocumentChecklist()
        self.applicant = ApplicantForm()
        self.received_label = QLabel()
        self.received_label.setObjectName("receivedAt")
        self.due_label = QLabel()
        self.due_label.setObjectName("dueDate")
        self.code_label = QLabel()
        self.code_label.setObjectName("dossierCode")
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        big = QFont(self.code_label.font())
        big.setPointSize(max(big.pointSize(), 9) * 2)
        big.setBold(True)
        self.code_label.setFont(big)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.save_button, self.new_button = QPushButton(), QPushButton()
        self.preview_button, self.reprint_button = QPushButton(), QPushButton()
        self.supplement_button, self.refuse_button = QPushButton(), QPushButton()
        self._procedure_box, self._documents_box, self._applicant_box = QGroupBox(), QGroupBox(), QGroupBox()
        self._build_layout()

        self.picker.procedure_changed.connect(self.on_procedure_changed)
        self.save_button.clicked.connect(self.save)
        self.new_button.clicked.connect(self.new_form)
        self.preview_button.clicked.connect(self.preview)
        self.reprint_button.clicked.connect(self.reprint)
        self.supplement_button.clicked.connect(self.open_supplement)
        self.refuse_button.clicked.connect(self.open_refusal)
        for keys, slot in ((QKeySequence.StandardKey.Save, self.save), (QKeySequence.StandardKey.New, self.new_form)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        for button, keys in ((self.save_button, QKeySequence.StandardKey.Save),
                             (self.new_button, QKeySequence.StandardKey.New)):  # fmt: skip
            button.setToolTip(QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText))
        self._clock = QTimer(self)
        self._clock.setInterval(30_000)  # the appointment moves with receipt time (cut-off, closing)
        self._clock.timeout.connect(self.on_clock_tick)
        self._clock.start()

        self.retranslate_ui()
        self._set_saved(False)
        job = jobs.Job(lambda: intake_desk.load_context(workspace), name="intake.context")
        job.signals.succeeded.connect(self.on_context_loaded)
        job.signals.failed.connect(self.on_job_failed)
        jobs.start(jobs.DB, job)

    def _build_layout(self) -> None:
        """Fits 1366×768 without scrolling: procedure, documents, appointment and actions on the left, the
        applicant on the right (the buttons and the appointment are always on screen)."""
        QVBoxLayout(self._procedure_box).addWidget(self.picker)
        documents = QScrollArea()  # a procedure with many documents scrolls here, not the whole screen
        documents.setWidgetResizable(True)
        documents.setFrameShape(QFrame.Shape.NoFrame)
        documents.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        documents.setWidget(self.checklist)
        QVBoxLayout(self._documents_box).addWidget(documents)
        dates = QVBoxLayout()
        dates.addWidget(self.received_label)
        dates.addWidget(self.due_label)
        appointment = QHBoxLayout()
        appointment.addLayout(dates, 1)
        appointment.addWidget(self.code_label, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        # after-save actions on the first row, a fresh form and the forms 02/03 on the second
        buttons = QGridLayout()
        for index, button in enumerate((self.save_button, self.preview_button, self.reprint_button,
                                        self.new_button, self.supplement_button, self.refuse_button)):  # fmt: skip
            buttons.addWidget(button, index // 3, index % 3)
        self.save_button.setProperty("primary", True)
        left = QVBoxLayout()
        left.addWidget(self._procedure_box)
        left.addWidget(self._documents_box, 1)
        left.addLayout(appointment)
        left.addWidget(self.status_label)
        left.addLayout(buttons)
        QVBoxLayout(self._applicant_box).addWidget(self.applicant)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 3)
        layout.addWidget(self._applicant_box, 2)

    def retranslate_ui(self) -> None:
        self._procedure_box.setTitle(self.tr("Procedure"))
        self._documents_box.setTitle(self.tr("Documents received"))
        self._applicant_box.setTitle(self.tr("Applicant"))
        self.save_button.setText(self.tr("&Save and print receipt"))
        self.new_button.setText(self.tr("&New form"))
        self.preview_button.setText(self.tr("Pre&view receipt"))
        self.reprint_button.setText(self.tr("&Reprint"))
        self.supplement_button.setText(self.tr("Request supplement (form 02)…"))
        self.refuse_button.setText(self.tr("Refuse (form 03)…"))
        self.picker.retranslate_ui()
        self.checklist.retranslate_ui()
        self.applicant.retranslate_ui()
        self._show_due()

    def receipt_time(self) -> datetime:
        offset = self._context.clock_offset_ms if self._context else 0
        return legal_now(offset).replace(second=0, microsecond=0)

    def _update_due(self) -> None:
        procedure, context = self.picker.current, self._context
        if procedure is None or context is None or self.last_result is not None:
            self._show_due()
            return
        started = time.perf_counter()
        self.last_due = compute_due(self.receipt_time(), procedure.duration, context.calendar, context.hours,
                                    procedure.cutoff)  # fmt: skip
        self.last_due_ms = (time.perf_counter() - started) * 1000
        self._show_due()

    def _show_due(self) -> None:
        if self.last_result is not None:
            due, received = self.last_result.dossier.due_at, self.last_result.dossier.received_at
        elif self.last_due is not None and self.picker.current is not None:
            due, received = self.last_due.due_at, self.last_due.received_at
        else:
            self.received_label.setText(self.tr("Received at: –"))
            self.due_label.setText(self.tr("Appointment: –"))
            return
        self.received_label.setText(self.tr("Received at: {when}").format(when=received.strftime(WHEN)))
        self.due_label.setText(self.tr("Appointment: {when}").format(when=due.strftime(WHEN) if due else "–"))

    @Slot()
    def on_clock_tick(self) -> None:
        self._update_due()

    @Slot(object)
    def on_context_loaded(self, context: IntakeContext) -> None:
        self._context = context
        self.picker.set_procedures(context.procedures)
        self._update_due()

    @Slot(object)
    def on_procedure_changed(self, procedure: Procedure | None) -> None:
        self.checklist.set_procedure(procedure)
        self.applicant.postal_check.setEnabled(procedure is None or "postal" in procedure.return_options)
        self._link_tab_order()
        self._update_due()

    def _link_tab_order(self) -> None:
        chain: list[QWidget] = [self.picker.query_edit, self.picker.list, *self.checklist.tab_chain(),
                                *self.applicant.tab_chain(), self.save_button, self.new_button]  # fmt: skip
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def form(self) -> dict[str, Any]:
        """The raw intake form, as ``receive_dossier`` and the CLI's JSON read it."""
        procedure = self.picker.current
        self._submitted_documents = self.checklist.documents()
        return {"procedure_code": procedure.code if procedure else "", "documents": self._submitted_documents,
                **self.applicant.values()}  # fmt: skip

    @Slot()
    def save(self) -> None:
        if not self.save_button.isEnabled():
            return  # already saved (or saving): Ctrl+S twice must not take two codes
        self._clear_errors()
        raw, workspace = self.form(), self.workspace
        self.save_button.setEnabled(False)
        self._status(self.tr("Saving…"))
        job = jobs.Job(lambda: intake_desk.save_intake(workspace, raw), name="intake.save")
        job.signals.succeeded.connect(self.on_saved)
        job.signals.failed.connect(self.on_save_failed)
        jobs.start(jobs.DB, job)

    @Slot(object)
    def on_saved(self, saved: SavedIntake) -> None:
        self.last_result = saved.result
        self.code_label.setText(saved.result.dossier.code)
        self._set_saved(True)
        self._show_due()
        self._status(self.tr("Dossier {code} received.").format(code=saved.result.dossier.code))
        self.dossier_saved.emit(saved.result)
        self._start_prints(saved.queued)

    @Slot(object)
    def on_save_failed(self, exc: Exception) -> None:
        self.save_button.setEnabled(True)  # everything typed is still there: fix and save again
        if isinstance(exc, ValidationFailed):
            self._show_field_errors(exc)
            self._status(self.tr("Check the highlighted fields."))
        else:
            self._status(describe(exc))

    def _show_field_errors(self, exc: ValidationFailed) -> None:
        rest = self.applicant.show_errors(exc.errors)
        rest = self.checklist.show_errors(rest, self._submitted_documents)
        for error in rest:
            if error.field == "procedure_code":
                self.picker.show_error(error_text(error.code))
            else:
                self.applicant.show_error("note", f"{error.field}: {error_text(error.code)}")

    def _clear_errors(self) -> None:
        self.applicant.clear_errors()
        self.checklist.clear_errors()
        self.picker.error.hide()

    def _set_saved(self, saved: bool) -> None:
        self.save_button.setEnabled(not saved)
        self.preview_button.setEnabled(saved)
        self.reprint_button.setEnabled(saved)
        self.supplement_button.setEnabled(True)
        self.refuse_button.setEnabled(not saved)

    @Slot()
    def new_form(self) -> None:
        self.last_result, self.last_jobs = None, ()
        self.applicant.clear()
        self.picker.query_edit.clear()
        self.code_label.clear()
        self._clear_errors()
        self._set_saved(False)
        self._update_due()
        self.picker.query_edit.setFocus()

    def _start_prints(self, queued: Queued) -> None:
        if queued.error is not None:
            self._status(self.tr("Recorded, but not queued for printing: {reason}").format(
                reason=describe(queued.error)))  # fmt: skip
            return
        if queued.document is Document.RECEIPT:
            self.last_jobs = queued.jobs
        for folder in queued.folders:
            self._status(self.tr("The PDF is saved in {folder}").format(folder=str(folder)))
        ids, workspace = [j.id for j in queued.jobs], self.workspace
        job = jobs.Job(lambda: intake_desk.run_prints(workspace, ids), name="intake.print")
        job.signals.succeeded.connect(self.on_printed)
        job.signals.failed.connect(self.on_job_failed)
        jobs.start(jobs.IO, job)

    @Slot(object)
    def on_printed(self, done: list[PrintJob]) -> None:
        for job in done:
            if job.status == "printed":
                self._status(self.tr("Printed on {printer}.").format(printer=job.printer))
            else:
                self._status(self.tr("Not printed on {printer} (the job stays queued): {reason}").format(
                    printer=job.printer, reason=job.last_error or ""))  # fmt: skip
        self.prints_finished.emit(done)

    @Slot()
    def reprint(self) -> None:
        if not self.last_jobs:
            return
        originals, workspace = [j.id for j in self.last_jobs], self.workspace
        job = jobs.Job(lambda: intake_desk.reprint(workspace, originals), name="intake.reprint")
        job.signals.succeeded.connect(self.on_reprint_queued)
        job.signals.failed.connect(self.on_job_failed)
        jobs.start(jobs.DB, job)

    @Slot(object)
    def on_reprint_queued(self, queued: Queued) -> None:
        self._start_prints(queued)

    @Slot()
    def preview(self) -> None:
        if self.last_result is None:
            return
        code, workspace = self.last_result.dossier.code, self.workspace
        job = jobs.Job(lambda: intake_desk.render_preview(workspace, code), name="intake.preview")
        job.signals.succeeded.connect(self.on_preview_ready)
        job.signals.failed.connect(self.on_job_failed)
        jobs.start(jobs.DB, job)

    @Slot(object)
    def on_preview_ready(self, path: Path) -> None:
        self._status(self.tr("Preview: {path}").format(path=str(path)))
        self.open_url(QUrl.fromLocalFile(str(path)))
        self.preview_ready.emit(path)

    def _applicant_for_forms(self) -> dict[str, Any]:
        a = self.applicant.values()["applicant"]
        return {k: a[k] for k in ("name", "id_number", "address", "phone", "email", "date_of_birth", "sex") if a[k]}

    @Slot()
    def open_supplement(self) -> None:
        if self.picker.current is None:
            self.picker.show_error(error_text("procedure.required"))
            return
        dialog = SupplementDialog(self.picker.current, self.checklist.missing(), self._applicant_for_forms(), self)
        dialog.submitted.connect(self.on_supplement_submitted)
        self._open(dialog)

    @Slot()
    def open_refusal(self) -> None:
        if self.picker.current is None:
            self.picker.show_error(error_text("procedure.required"))
            return
        dialog = RefusalDialog(self.picker.current, self._applicant_for_forms(), self)
        dialog.submitted.connect(self.on_refusal_submitted)
        self._open(dialog)

    def _open(self, dialog: SupplementDialog | RefusalDialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.open()

    @Slot(dict)
    def on_supplement_submitted(self, raw: dict[str, Any]) -> None:
        if self.last_result is not None:  # after intake, the request concerns the received dossier
            raw = {k: v for k, v in raw.items() if k != "procedure_code"} | {
                "dossier_code": self.last_result.dossier.code
            }
        self._record_form(raw, Document.SUPPLEMENT)

    @Slot(dict)
    def on_refusal_submitted(self, raw: dict[str, Any]) -> None:
        self._record_form(raw, Document.REFUSAL)

    def _record_form(self, raw: dict[str, Any], document: Document) -> None:
        workspace = self.workspace
        job = jobs.Job(lambda: intake_desk.record_form(workspace, raw, document), name=document.value)
        job.signals.succeeded.connect(self.on_form_recorded)
        job.signals.failed.connect(self.on_form_failed)
        jobs.start(jobs.DB, job)

    @Slot(object)
    def on_form_recorded(self, outcome: tuple[Any, Queued]) -> None:
        record, queued = outcome
        if self.dialog is not None:
            self.dialog.accept()
            self.dialog = None
        if queued.document is Document.SUPPLEMENT:
            self._status(self.tr("Supplement request recorded."))
            self.supplement_recorded.emit(record)
        else:
            self._status(self.tr("Refusal recorded."))
            self.refusal_recorded.emit(record)
        self._start_prints(queued)

    @Slot(object)
    def on_form_failed(self, exc: Exception) -> None:
        errors = exc.errors if isinstance(exc, ValidationFailed) else ()
        text = "\n".join(error_text(e.code) for e in errors) or describe(exc)
        if self.dialog is not None:
            self.dialog.show_error(text)
        self._status(text)

    @Slot(object)
    def on_job_failed(self, exc: Exception) -> None:
        self._status(describe(exc))

    def _status(self, text: str) -> None:
        self.status_label.setText(text)
        self.message.emit(text)
