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
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices, QFont
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from counterapp.domain.dossier import Dossier
from counterapp.domain.duedate import DueDate, compute_due
from counterapp.domain.errors import ValidationFailed
from counterapp.domain.procedure import Procedure
from counterapp.domain.ticket import Ticket
from counterapp.gui import jobs
from counterapp.gui.applicant_form import ApplicantForm, describe, error_text
from counterapp.gui.checklist import DocumentChecklist
from counterapp.gui.intake_dialogs import RefusalDialog, SupplementDialog
from counterapp.gui.procedure_picker import ProcedurePicker
from counterapp.gui.statusbar import PRINTER_ERROR_TEXT
from counterapp.gui.void_dossier import VoidFlow
from counterapp.gui.window_keys import KEYS, WindowKey
from counterapp.services import intake_desk
from counterapp.services.clock import legal_now
from counterapp.services.intake import IntakeResult
from counterapp.services.intake_desk import IntakeContext, Queued, Reserved, SavedIntake
from counterapp.services.printing import Document, PrintJob
from counterapp.services.workspace import Workspace

if TYPE_CHECKING:  # the HTTP client loads httpx: not on the window's start-up path
    from counterapp.services.online_codes import OnlineCodes

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
        self._ticket: Ticket | None = None  # the ticket this dossier is linked to (the one at the counter)
        self._at_counter: Ticket | None = None
        self.discard_box: QMessageBox | None = None
        self.preview_box: QMessageBox | None = None
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
        self.ticket_label = QLabel()
        self.ticket_label.setObjectName("intakeTicket")
        self.ticket_label.setWordWrap(True)
        self.save_button, self.new_button = QPushButton(), QPushButton()
        self.preview_button, self.reprint_button = QPushButton(), QPushButton()
        self.supplement_button, self.refuse_button = QPushButton(), QPushButton()
        self.void_button = QPushButton()
        self.voids = VoidFlow(workspace, self)
        self.voids.voided.connect(self.on_voided)
        self.voids.message.connect(self._status)
        self.online_codes: Callable[[], OnlineCodes | None] = lambda: None  # the window's, when signed in online
        self._online_save = False
        self._pending: tuple[dict[str, Any], OnlineCodes | None] = ({}, None)  # the form while its number comes
        self._procedure_box, self._documents_box, self._applicant_box = QGroupBox(), QGroupBox(), QGroupBox()
        self._build_layout()

        self.picker.procedure_changed.connect(self.on_procedure_changed)
        self.picker.accepted.connect(self.on_procedure_accepted)
        self.save_button.clicked.connect(self.save)
        self.new_button.clicked.connect(self.request_new_form)
        self.preview_button.clicked.connect(self.preview)
        self.reprint_button.clicked.connect(self.reprint)
        self.supplement_button.clicked.connect(self.open_supplement)
        self.refuse_button.clicked.connect(self.open_refusal)
        self.void_button.clicked.connect(self.open_void)
        # Ctrl+S and Ctrl+N belong to the main window (one owner per key, every tab); shown here
        self.save_button.setToolTip(KEYS[WindowKey.SAVE_INTAKE])
        self.new_button.setToolTip(KEYS[WindowKey.NEW_INTAKE])
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
        """Fits 1366×768 in Vietnamese without scrolling: procedure, documents, appointment and actions on
        the left, the ticket and the applicant on the right (the buttons and the appointment are always on
        screen). On a larger screen the procedure list and the documents get the extra height."""
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
        for index, button in enumerate((self.save_button, self.preview_button, self.reprint_button, self.void_button,
                                        self.new_button, self.supplement_button, self.refuse_button)):  # fmt: skip
            buttons.addWidget(button, index // 4, index % 4)
        self.save_button.setProperty("primary", True)
        left = QVBoxLayout()
        left.addWidget(self._procedure_box, 2)
        left.addWidget(self._documents_box, 3)
        left.addLayout(appointment)
        left.addWidget(self.status_label)
        left.addLayout(buttons)
        QVBoxLayout(self._applicant_box).addWidget(self.applicant)
        right = QVBoxLayout()
        right.addWidget(self.ticket_label)
        right.addWidget(self._applicant_box, 1)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 1)
        layout.addLayout(right, 1)

    def retranslate_ui(self) -> None:
        self._procedure_box.setTitle(self.tr("Procedure"))
        self._documents_box.setTitle(self.tr("Documents received"))
        self._applicant_box.setTitle(self.tr("Applicant"))
        self.save_button.setText(self.tr("&Save and print receipt"))
        self.new_button.setText(self.tr("&New form"))
        self.preview_button.setText(self.tr("Pre&view"))
        self.preview_button.setToolTip(self.tr("Open the receipt as a PDF"))
        self.reprint_button.setText(self.tr("&Reprint"))
        self.supplement_button.setText(self.tr("Supplement (form 02)…"))
        self.supplement_button.setToolTip(self.tr("Ask for missing documents: form 02, printed for the applicant"))
        self.refuse_button.setText(self.tr("Refuse (form 03)…"))
        self.refuse_button.setToolTip(self.tr("Refuse the dossier with a reason: form 03"))
        self.void_button.setText(self.tr("Void…"))
        self.void_button.setToolTip(self.tr("Received by mistake (e.g. the wrong procedure): withdraw this dossier"))
        self.voids.retranslate_ui()
        self.picker.retranslate_ui()
        self.checklist.retranslate_ui()
        self.applicant.retranslate_ui()
        self._show_due()
        self._show_ticket()
        if self.discard_box is not None:
            self._word_discard_box(self.discard_box)

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

    # --- the ticket at the counter -------------------------------------------------------------------

    @Slot(object)
    def set_ticket(self, ticket: Ticket | None) -> None:
        """The ticket at the counter now (from the queue). The form is linked to the latest one seen while
        it is being filled, so finishing the ticket before saving does not lose the link."""
        self._at_counter = ticket
        if ticket is not None and self.last_result is None:
            self._ticket = ticket
        self._show_ticket()

    @property
    def linked_ticket(self) -> Ticket | None:
        return self._ticket

    def _show_ticket(self) -> None:
        ticket = self._ticket
        if ticket is None:
            self.ticket_label.setText(self.tr("No queue ticket: the dossier is taken without one."))
        elif self.last_result is not None:
            self.ticket_label.setText(self.tr("Ticket {number}: this dossier is linked to it.").format(
                number=ticket.number))  # fmt: skip
        else:
            self.ticket_label.setText(self.tr("Ticket {number}: the dossier will be linked to it.").format(
                number=ticket.number))  # fmt: skip

    def focus_first(self) -> None:
        """Where typing starts on this tab: the procedure search on a fresh form, else the applicant."""
        if self.picker.current is None:
            self.picker.query_edit.setFocus()
        elif self.last_result is None:
            self.applicant.name_edit.setFocus()

    @Slot()
    def on_procedure_accepted(self) -> None:
        chain = self.checklist.tab_chain()
        (chain[0] if chain else self.applicant.qr_edit).setFocus()

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
        form = {"procedure_code": procedure.code if procedure else "", "documents": self._submitted_documents,
                **self.applicant.values()}  # fmt: skip
        if self._ticket is not None:
            form["ticket"] = self._ticket.number  # today's number: the intake links the dossier to it
        return form

    def has_unsaved_input(self) -> bool:
        """Something typed or chosen that a new form would throw away."""
        if self.last_result is not None:
            return False
        applicant = self.applicant.values()
        typed = any(v for v in applicant["applicant"].values() if v not in ("cccd", "cmnd"))
        return typed or self.picker.current is not None or bool(applicant["note"])

    @Slot()
    def save(self) -> None:
        """Ctrl+S: online, the form is checked and the server's next number asked on the IO pool (the
        database's thread never waits on the network), then written on the DB pool; offline, written at
        once with the offline lease's number."""
        if not self.save_button.isEnabled():
            return  # already saved (or saving): Ctrl+S twice must not take two codes
        self._clear_errors()
        raw, workspace, online = self.form(), self.workspace, self.online_codes()
        self.save_button.setEnabled(False)
        self._status(self.tr("Saving…"))
        self._online_save = online is not None
        if online is None:
            self._write(raw, None, None)
            return
        self._pending = (raw, online)
        job = jobs.Job(lambda: intake_desk.reserve_number(workspace, raw, online), name="intake.number")
        job.signals.succeeded.connect(self.on_number_reserved)
        job.signals.failed.connect(self.on_save_failed)
        jobs.start(jobs.IO, job)

    @Slot(object)
    def on_number_reserved(self, reserved: Reserved) -> None:
        raw, online = self._pending
        self._write(raw, online, reserved)

    def _write(self, raw: dict[str, Any], online: OnlineCodes | None, reserved: Reserved | None) -> None:
        workspace = self.workspace
        job = jobs.Job(lambda: intake_desk.save_intake(workspace, raw, online, reserved), name="intake.save")
        job.signals.succeeded.connect(self.on_saved)
        job.signals.failed.connect(self.on_save_failed)
        jobs.start(jobs.DB, job)

    @Slot(object)
    def on_saved(self, saved: SavedIntake) -> None:
        self.last_result = saved.result
        self.code_label.setText(saved.result.dossier.code)
        self._set_saved(True)
        self._show_due()
        self._show_ticket()
        self._status(self.tr("Dossier {code} received.").format(code=saved.result.dossier.code))
        if self._online_save and saved.source == "lease":  # the server was slow or gone: still a valid code
            self._status(self.tr("The server did not answer in time: the code is from this counter's offline range."))
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
        self.void_button.setEnabled(saved)
        self.supplement_button.setEnabled(True)
        self.refuse_button.setEnabled(not saved)

    @Slot()
    def open_void(self) -> None:
        if self.last_result is not None:
            self.voids.start(self.last_result.dossier.code)

    @Slot(object)
    def on_voided(self, dossier: Dossier) -> None:
        """The saved dossier was voided: the form stays as typed, ready to be saved under the right procedure."""
        self.last_result, self.last_jobs = None, ()
        self.code_label.clear()
        self._set_saved(False)
        self._update_due()
        self._show_ticket()
        self.picker.query_edit.setFocus()

    @Slot()
    def request_new_form(self) -> None:
        """Ctrl+N, "New form": a fresh form, after asking when it would throw away what was typed."""
        if not self.has_unsaved_input():
            self.new_form()
            return
        if self.discard_box is not None:
            return
        box = QMessageBox(QMessageBox.Icon.Question, "", "", QMessageBox.StandardButton.NoButton, self)
        box.addButton(QMessageBox.StandardButton.Discard)
        keep = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(keep)  # Enter keeps what was typed
        self._word_discard_box(box)
        box.finished.connect(self.on_discard_answered)
        self.discard_box = box
        box.open()

    def _word_discard_box(self, box: QMessageBox) -> None:
        box.setWindowTitle(self.tr("New form"))
        box.setText(self.tr("This form has not been saved. Start a new one and discard what was typed?"))
        box.button(QMessageBox.StandardButton.Discard).setText(self.tr("Discard and start a new form"))
        box.button(QMessageBox.StandardButton.Cancel).setText(self.tr("Keep this form"))

    @Slot()
    def on_discard_answered(self) -> None:
        box, self.discard_box = self.discard_box, None
        if box is None:
            return
        box.deleteLater()
        if box.clickedButton() is box.button(QMessageBox.StandardButton.Discard):
            self.new_form()

    @Slot()
    def new_form(self) -> None:
        self.last_result, self.last_jobs = None, ()
        self._ticket = self._at_counter  # a new citizen: the ticket at the counter now, if any
        self.applicant.clear()
        self.picker.clear_choice()
        self.code_label.clear()
        self.status_label.clear()
        self._clear_errors()
        self._set_saved(False)
        self._update_due()
        self._show_ticket()
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
                source = PRINTER_ERROR_TEXT.get(job.error_code or "")
                reason = QCoreApplication.translate("StatusBar", source) if source else job.last_error or ""
                self._status(self.tr("Not printed on {printer} (the job stays queued): {reason}").format(
                    printer=job.printer, reason=reason))  # fmt: skip
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
        if not self.open_url(QUrl.fromLocalFile(str(path))):  # no PDF viewer on this PC: say where it is
            box = QMessageBox(QMessageBox.Icon.Information, self.tr("Preview receipt"), "",
                              QMessageBox.StandardButton.Ok, self)  # fmt: skip
            box.setText(self.tr("No program on this computer opens PDF files. The receipt is saved here:"))
            box.setInformativeText(str(path))
            box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.preview_box = box
            box.open()
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
