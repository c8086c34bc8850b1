"""The first start of a counter PC that is not enrolled: a three-page wizard for IT, Vietnamese first.

1. the server's address and the one-time code (filled from the installer's config, ``services.install_config``;
   when it holds both, the wizard enrolls at once without a question); "Test connection" checks the address
   without spending the code; "Enroll" spends it. Both run on the IO pool, and every failure is one plain
   sentence (``gui.enroll_texts``);
2. the centre and counter the PC became, with a warning when the server is too old or too new for this app,
   or when the installer's config named another counter;
3. the receipt and ticket printers (``gui.printer_chooser``), each with a test page; "Finish" saves them and
   the caller opens sign-in.

    wizard = EnrollWizard(data_dir, languages=languages)
    if wizard.exec() == QDialog.DialogCode.Accepted: ...   # enrolled; sign-in comes next
"""

from __future__ import annotations

import logging
import unicodedata
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from counterapp.domain.errors import ValidationFailed
from counterapp.gui import enroll_texts
from counterapp.gui.i18n import LANGUAGES, LanguageManager, arg
from counterapp.gui.jobs import DB, IO, Job, start
from counterapp.gui.printer_chooser import PrinterChooser
from counterapp.services import printer_setup
from counterapp.services.install_config import InstallConfig, InstallConfigError, read_install_config
from counterapp.services.receipt_queue import fallback_folder
from counterapp.sync import firstrun
from counterapp.sync.enrollment import credential_path

log = logging.getLogger(__name__)

__all__ = ["DEFAULT_SIZE", "EnrollWizard", "needs_enrollment"]

DEFAULT_SIZE = (1000, 640)  # fits a 1366×768 counter screen with the task bar
SERVER_PAGE, RESULT_PAGE, PRINTER_PAGE = range(3)


def needs_enrollment(data_dir: Path) -> bool:
    """No device credential in the data directory (a fresh PC, or one initialised without a server)."""
    return not credential_path(data_dir).is_file()


def _label(parent: QWidget, role: str = "") -> QLabel:
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)  # IT may copy it
    if role:
        label.setProperty("role", role)
    return label


class EnrollWizard(QDialog):
    enrolled = Signal(object)  # firstrun.Enrolled

    def __init__(
        self,
        data_dir: Path,
        *,
        languages: LanguageManager | None = None,
        install_config: InstallConfig | None = None,
        read_config: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.languages = languages
        self.result_info: firstrun.Enrolled | None = None
        self.probe_timeout = firstrun.PROBE_TIMEOUT_S
        self._busy = ""  # "", "probe", "enroll", "save"
        self._config_problem: Exception | None = None
        if install_config is None and read_config:
            try:
                install_config = read_install_config()
            except InstallConfigError as exc:  # broken file: say so, and let IT type the values
                log.warning("installer config: %s", exc)
                self._config_problem = exc
        self.install_config = install_config

        self.title_label = _label(self, "title")
        self.language_combo = QComboBox(self)
        for code, name in LANGUAGES.items():
            self.language_combo.addItem(name, code)
        if languages is not None and languages.language:
            self.language_combo.setCurrentIndex(self.language_combo.findData(languages.language))
        self.pages = QStackedWidget(self)
        self._build_server_page()
        self._build_result_page()
        self._build_printer_page()
        self.quit_button, self.back_button, self.next_button = QPushButton(self), QPushButton(self), QPushButton(self)
        self.next_button.setDefault(True)
        for button in (self.quit_button, self.back_button, self.test_button):
            button.setAutoDefault(False)  # Enter always means the main button, even after a click on these

        header = QHBoxLayout()
        header.addWidget(self.title_label, 1)
        header.addWidget(self.language_combo, 0, Qt.AlignmentFlag.AlignTop)
        buttons = QHBoxLayout()
        buttons.addWidget(self.quit_button)
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.pages, 1)
        layout.addLayout(buttons)
        self.resize(*DEFAULT_SIZE)

        self.quit_button.clicked.connect(self.reject)
        self.back_button.clicked.connect(self.on_back_clicked)
        self.next_button.clicked.connect(self.on_next_clicked)
        self.test_button.clicked.connect(self.on_test_clicked)
        self.language_combo.currentIndexChanged.connect(self.on_language_chosen)
        if languages is not None:
            languages.language_changed.connect(self.on_language_changed)
        if install_config is not None:
            self.server_edit.setText(install_config.server)
            self.code_edit.setText(install_config.code)
        self.retranslate_ui()
        if self._config_problem is not None:
            self._message(enroll_texts.install_config_text(self._config_problem), ok=False)
        if self.auto_enroll:
            QTimer.singleShot(0, self.on_next_clicked)  # once shown: "enrolls without questions"
        (self.code_edit if self.server_edit.text() else self.server_edit).setFocus()

    @property
    def auto_enroll(self) -> bool:
        return self.install_config is not None and self.install_config.complete

    # --- pages ---

    def _build_server_page(self) -> None:
        page = QWidget(self)
        self.intro_label = _label(page)
        self.server_label, self.code_label = QLabel(page), QLabel(page)
        self.server_edit = QLineEdit(page)
        self.server_edit.setPlaceholderText("https://hcc.example")
        self.server_edit.setMaxLength(300)
        self.code_edit = QLineEdit(page)
        self.code_edit.setPlaceholderText("K7QX-M2PD-9HTC")
        self.code_edit.setMaxLength(40)
        self.test_button = QPushButton(page)
        self.message_label = _label(page)
        self.message_label.hide()
        form = QFormLayout()
        form.addRow(self.server_label, self.server_edit)
        form.addRow(self.code_label, self.code_edit)
        row = QHBoxLayout()
        row.addWidget(self.test_button)
        row.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addWidget(self.intro_label)
        layout.addLayout(form)
        layout.addLayout(row)
        layout.addWidget(self.message_label)
        layout.addStretch(1)
        self.pages.addWidget(page)

    def _build_result_page(self) -> None:
        page = QWidget(self)
        self.became_label = _label(page)
        self.became_label.setProperty("role", "title")
        self.centre_label, self.counter_label, self.url_label = QLabel(page), QLabel(page), QLabel(page)
        self.centre_value, self.counter_value, self.url_value = _label(page), _label(page), _label(page)
        self.warning_label = _label(page, "warning")
        self.warning_label.hide()
        self.next_hint = _label(page, "muted")
        form = QFormLayout()
        form.addRow(self.centre_label, self.centre_value)
        form.addRow(self.counter_label, self.counter_value)
        form.addRow(self.url_label, self.url_value)
        layout = QVBoxLayout(page)
        layout.addWidget(self.became_label)
        layout.addLayout(form)
        layout.addWidget(self.warning_label)
        layout.addStretch(1)
        layout.addWidget(self.next_hint)
        self.pages.addWidget(page)

    def _build_printer_page(self) -> None:
        page = QWidget(self)
        self.printers_intro = _label(page)
        inner = QWidget(page)
        self.receipt_chooser = PrinterChooser(printer_setup.RECEIPT, default_folder=fallback_folder(self.data_dir),
                                              parent=inner)  # fmt: skip
        self.ticket_chooser = PrinterChooser(printer_setup.TICKET, default_folder=self.data_dir / "tickets",
                                             parent=inner)  # fmt: skip
        self.receipt_chooser.set_kind("pdf-folder")  # works on any PC; IT picks the real printer
        inner_layout = QHBoxLayout(inner)  # side by side: one above the other needs a scroll bar at 768 px
        inner_layout.setContentsMargins(0, 0, 0, 0)
        inner_layout.addWidget(self.receipt_chooser, 1, Qt.AlignmentFlag.AlignTop)
        inner_layout.addWidget(self.ticket_chooser, 1, Qt.AlignmentFlag.AlignTop)
        scroll = self.printers_scroll = QScrollArea(page)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(inner)
        self.save_error = _label(page, "error")
        self.save_error.hide()
        layout = QVBoxLayout(page)
        layout.addWidget(self.printers_intro)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.save_error)
        self.pages.addWidget(page)

    # --- i18n ---

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("First start — counterapp"))
        page = self.pages.currentIndex()
        self.title_label.setText(
            [self.tr("Connect this counter to the server"), self.tr("This PC is enrolled"),
             self.tr("Printers of this counter")][page]
        )  # fmt: skip
        if self.auto_enroll and self.result_info is None:
            self.intro_label.setText(
                arg(
                    self.tr("Enrolling with the server and code from the installer's settings (%1)…"),
                    self.install_config.path if self.install_config else "",
                )
            )
        else:
            self.intro_label.setText(
                self.tr(
                    "This PC is not connected to the centre's server yet. Type the server's address and the "
                    "one-time code the administrator created for this counter."
                )
            )
        self.server_label.setText(self.tr("Server address"))
        self.code_label.setText(self.tr("One-time code"))
        self.test_button.setText(self.tr("Testing…") if self._busy == "probe" else self.tr("Test connection"))
        self.centre_label.setText(self.tr("Centre"))
        self.counter_label.setText(self.tr("Counter"))
        self.url_label.setText(self.tr("Server"))
        self.next_hint.setText(self.tr("Next: choose the printers and print a test page on each."))
        self.printers_intro.setText(
            self.tr(
                "Choose where receipts and queue tickets are printed, and print a test page on each. "
                "They can be changed later with “counterapp printer”."
            )
        )
        self._show_result()
        self.quit_button.setText(self.tr("Quit"))
        self.back_button.setText(self.tr("< Back"))
        self.back_button.setVisible(page == PRINTER_PAGE)
        if page == SERVER_PAGE:
            self.next_button.setText(self.tr("Enrolling…") if self._busy == "enroll" else self.tr("Enroll"))
        elif page == RESULT_PAGE:
            self.next_button.setText(self.tr("Next >"))
        else:
            self.next_button.setText(self.tr("Saving…") if self._busy == "save" else self.tr("Finish and sign in"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    @Slot(int)
    def on_language_chosen(self, index: int) -> None:
        code = self.language_combo.itemData(index)
        if self.languages is not None and isinstance(code, str):
            self.languages.set_language(code)

    @Slot(str)
    def on_language_changed(self, language: str) -> None:
        index = self.language_combo.findData(language)
        if index >= 0 and index != self.language_combo.currentIndex():
            self.language_combo.setCurrentIndex(index)
        self.retranslate_ui()

    # --- helpers ---

    def _message(self, text: str, *, ok: bool) -> None:
        self.message_label.setText(text)
        self.message_label.setProperty("role", "muted" if ok else "error")
        self.message_label.style().unpolish(self.message_label)
        self.message_label.style().polish(self.message_label)
        self.message_label.show()

    def _set_busy(self, busy: str) -> None:
        self._busy = busy
        idle = not busy
        for widget in (self.server_edit, self.code_edit, self.test_button, self.next_button, self.back_button):
            widget.setEnabled(idle)
        self.quit_button.setEnabled(busy not in ("enroll", "save"))
        self.retranslate_ui()

    def _go(self, page: int) -> None:
        self.pages.setCurrentIndex(page)
        self.retranslate_ui()

    def _server(self) -> str:
        return unicodedata.normalize("NFC", self.server_edit.text()).strip()

    def _code(self) -> str:
        return unicodedata.normalize("NFC", self.code_edit.text()).strip()

    def reject(self) -> None:
        """Quit (or Escape) waits while the code is being spent or the printers saved: quitting then would
        leave IT not knowing whether the PC is enrolled."""
        if self._busy in ("enroll", "save"):
            return
        super().reject()

    # --- page 1: test and enroll ---

    @Slot()
    def on_test_clicked(self) -> None:
        if self._busy:
            return
        server, timeout = self._server(), self.probe_timeout
        self._set_busy("probe")
        self.message_label.hide()
        job = Job(lambda: firstrun.probe_server(server, timeout=timeout), name="first-start.probe")
        job.signals.succeeded.connect(self.on_probe_answered)
        job.signals.failed.connect(self.on_failed)
        start(IO, job)

    @Slot(object)
    def on_probe_answered(self, _none: object) -> None:
        self._set_busy("")
        self._message(self.tr("The server answers. Type the one-time code and press “Enroll”."), ok=True)
        self.code_edit.setFocus()

    @Slot(object)
    def on_failed(self, exc: Exception) -> None:
        self._set_busy("")
        self._message(enroll_texts.failure_text(exc), ok=False)

    def _enroll(self) -> None:
        server, code = self._server(), self._code()
        if not code:
            self._message(self.tr("Type the one-time code the administrator gave for this counter."), ok=False)
            self.code_edit.setFocus()
            return
        data_dir, timeout = self.data_dir, self.probe_timeout
        expected = self.install_config.counter if self.install_config is not None else ""
        self._set_busy("enroll")
        self.message_label.hide()
        job = Job(lambda: firstrun.enroll_counter(data_dir, server, code, expected_counter=expected,
                                                  probe_timeout=timeout), name="first-start.enroll")  # fmt: skip
        job.signals.succeeded.connect(self.on_enrolled)
        job.signals.failed.connect(self.on_failed)
        start(IO, job)

    @Slot(object)
    def on_enrolled(self, info: firstrun.Enrolled) -> None:
        self.result_info = info
        self._set_busy("")
        self.enrolled.emit(info)
        self._go(RESULT_PAGE)
        self.next_button.setFocus()

    def _show_result(self) -> None:
        info = self.result_info
        if info is None:
            return
        self.became_label.setText(arg(self.tr("This PC is now counter %1."), info.counter_number))
        self.centre_value.setText(f"{info.centre_name} ({info.agency_code})" if info.centre_name else info.agency_code)
        self.counter_value.setText(" — ".join(p for p in (info.counter_number, info.counter_name) if p))
        self.url_value.setText(info.server_url)
        expected = self.install_config.counter if self.install_config is not None else ""
        texts = [enroll_texts.warning_text(w, expected_counter=expected, counter=info.counter_number)
                 for w in info.warnings]  # fmt: skip
        self.warning_label.setText("\n\n".join(texts))
        self.warning_label.setVisible(bool(texts))

    # --- navigation and page 3 ---

    @Slot()
    def on_back_clicked(self) -> None:
        if not self._busy and self.pages.currentIndex() == PRINTER_PAGE:
            self._go(RESULT_PAGE)

    @Slot()
    def on_next_clicked(self) -> None:
        if self._busy:
            return
        page = self.pages.currentIndex()
        if page == SERVER_PAGE:
            self._enroll()
        elif page == RESULT_PAGE:
            self._go(PRINTER_PAGE)
        else:
            self._save_printers()

    def _save_printers(self) -> None:
        configs = {}
        for chooser in (self.receipt_chooser, self.ticket_chooser):
            try:
                configs[chooser.role] = chooser.config()
            except ValidationFailed as exc:
                chooser.show_invalid(exc)
                return
        data_dir = self.data_dir
        self._set_busy("save")
        self.save_error.hide()
        job = Job(lambda: printer_setup.save_in_data_dir(data_dir, configs), name="first-start.printers")
        job.signals.succeeded.connect(self.on_printers_saved)
        job.signals.failed.connect(self.on_printers_not_saved)
        start(DB, job)

    @Slot(object)
    def on_printers_saved(self, _none: object) -> None:
        self._set_busy("")
        self.accept()

    @Slot(object)
    def on_printers_not_saved(self, exc: Exception) -> None:
        self._set_busy("")
        self.save_error.setText(arg(self.tr("The printers were not saved: %1"), getattr(exc, "code", "") or exc))
        self.save_error.show()
