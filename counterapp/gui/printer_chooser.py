"""One printer of the first start (receipt or ticket): its kind, the fields that kind needs, and a test page
printed off the GUI thread with a plain result. The kinds are the project's (``printing.printers``); the
system's print queues (Windows printers, CUPS) are listed through ``QPrinterInfo`` and may be typed too.

    chooser = PrinterChooser(printer_setup.RECEIPT, default_folder=data_dir / "receipts")
    chooser.config()          # None ("no printer") or a validated PrinterConfig; ValidationFailed names fields
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from counterapp.domain.errors import ValidationFailed
from counterapp.gui.i18n import arg
from counterapp.gui.jobs import IO, Job, start
from counterapp.printing.printers import PrinterConfig, PrinterKind
from counterapp.services import printer_setup

__all__ = ["PrinterChooser", "system_printers"]

NO_PRINTER = ""
_KIND_NAMES: dict[str, str] = {
    NO_PRINTER: str(QT_TRANSLATE_NOOP("PrinterChooser", "No printer")),
    PrinterKind.PDF_FOLDER: str(QT_TRANSLATE_NOOP("PrinterChooser", "PDF files in a folder")),
    PrinterKind.NETWORK: str(QT_TRANSLATE_NOOP("PrinterChooser", "Thermal printer on the network (port 9100)")),
    PrinterKind.WIN32RAW: str(QT_TRANSLATE_NOOP("PrinterChooser", "Thermal printer installed in Windows")),
    PrinterKind.CUPS: str(QT_TRANSLATE_NOOP("PrinterChooser", "Thermal printer installed in CUPS")),
    PrinterKind.PDF_SYSTEM: str(QT_TRANSLATE_NOOP("PrinterChooser", "Office printer (PDF through the system)")),
    PrinterKind.USB: str(QT_TRANSLATE_NOOP("PrinterChooser", "Thermal printer on USB")),
    PrinterKind.SERIAL: str(QT_TRANSLATE_NOOP("PrinterChooser", "Thermal printer on a serial port")),
    PrinterKind.FILE: str(QT_TRANSLATE_NOOP("PrinterChooser", "Thermal printer device file")),
}
# which rows each kind shows; "queue" lists the system's printers
_ROWS: dict[str, tuple[str, ...]] = {
    NO_PRINTER: (),
    PrinterKind.PDF_FOLDER: ("folder", "paper"),
    PrinterKind.NETWORK: ("host", "port", "profile"),
    PrinterKind.WIN32RAW: ("queue", "profile"),
    PrinterKind.CUPS: ("queue", "profile"),
    PrinterKind.PDF_SYSTEM: ("queue", "paper"),
    PrinterKind.USB: ("usb_vendor", "usb_product", "profile"),
    PrinterKind.SERIAL: ("device", "profile"),
    PrinterKind.FILE: ("device", "profile"),
}


def system_printers() -> list[str]:
    """The print queues the system knows (Windows printers, CUPS); none when Qt cannot list them."""
    from PySide6.QtPrintSupport import QPrinterInfo

    return sorted(QPrinterInfo.availablePrinterNames())


class PrinterChooser(QGroupBox):
    def __init__(self, role: str, *, default_folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.role = role
        self._testing = False
        self.kind_combo = QComboBox(self)
        for kind in (NO_PRINTER, *printer_setup.kinds_for(sys.platform)):
            self.kind_combo.addItem("", str(kind))
        self.folder_edit = QLineEdit(str(default_folder), self)
        self.browse_button = QPushButton(self)
        self.browse_button.setAutoDefault(False)
        folder_row = QWidget(self)
        row = QHBoxLayout(folder_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.folder_edit, 1)
        row.addWidget(self.browse_button)
        self.host_edit = QLineEdit(self)
        self.host_edit.setPlaceholderText("192.168.1.50")
        self.port_spin = QSpinBox(self)
        self.port_spin.setRange(1, 65535)
        self.port_spin.setValue(9100)
        self.queue_combo = QComboBox(self)
        self.queue_combo.setEditable(True)  # a queue Qt cannot see (another driver) can still be typed
        self._queues_listed = False  # listed when a kind that needs one is chosen (Windows may take a moment)
        self.device_edit = QLineEdit(self)
        self.device_edit.setPlaceholderText("COM3" if sys.platform == "win32" else "/dev/usb/lp0")
        self.vendor_edit, self.product_edit = QLineEdit(self), QLineEdit(self)
        self.vendor_edit.setPlaceholderText("0x04b8")
        self.product_edit.setPlaceholderText("0x0e15")
        self.profile_combo = QComboBox(self)
        self.profile_combo.addItems(printer_setup.thermal_profiles())
        self.paper_combo = QComboBox(self)
        self.paper_combo.addItem("A4", "a4")
        self.paper_combo.addItem("A5", "a5")
        self.test_button = QPushButton(self)
        self.test_button.setAutoDefault(False)  # Enter finishes the wizard, it does not print again
        self.result_label = QLabel(self)
        self.result_label.setWordWrap(True)
        self.result_label.hide()

        self.form = QFormLayout()
        self.kind_label = QLabel(self)
        self.form.addRow(self.kind_label, self.kind_combo)
        self._fields: dict[str, tuple[QLabel, QWidget]] = {}
        for key, widget in (("folder", folder_row), ("host", self.host_edit), ("port", self.port_spin),
                            ("queue", self.queue_combo), ("device", self.device_edit),
                            ("usb_vendor", self.vendor_edit), ("usb_product", self.product_edit),
                            ("profile", self.profile_combo), ("paper", self.paper_combo)):  # fmt: skip
            label = QLabel(self)
            self.form.addRow(label, widget)
            self._fields[key] = (label, widget)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        buttons = QHBoxLayout()
        buttons.addWidget(self.test_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addWidget(self.result_label)

        self.kind_combo.currentIndexChanged.connect(self.on_kind_changed)
        self.browse_button.clicked.connect(self.on_browse_clicked)
        self.test_button.clicked.connect(self.on_test_clicked)
        self.retranslate_ui()
        self.on_kind_changed()

    # --- i18n ---

    def retranslate_ui(self) -> None:
        if self.role == printer_setup.RECEIPT:
            self.setTitle(self.tr("Receipt printer (form 01 and the other forms)"))
        else:
            self.setTitle(self.tr("Ticket printer (queue slips)"))
        for index in range(self.kind_combo.count()):
            kind = str(self.kind_combo.itemData(index))
            self.kind_combo.setItemText(index, QCoreApplication.translate("PrinterChooser", _KIND_NAMES[kind]))
        self.kind_label.setText(self.tr("Printer"))
        names = {
            "folder": self.tr("Folder"),
            "host": self.tr("Address (IP)"),
            "port": self.tr("Port"),
            "queue": self.tr("System printer"),
            "device": self.tr("Device"),
            "usb_vendor": self.tr("USB vendor id"),
            "usb_product": self.tr("USB product id"),
            "profile": self.tr("Paper roll"),
            "paper": self.tr("Paper size"),
        }
        for key, (label, _widget) in self._fields.items():
            label.setText(names[key])
        self.browse_button.setText(self.tr("Browse…"))
        self.test_button.setText(self.tr("Printing…") if self._testing else self.tr("Print a test page"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    # --- the fields ---

    def kind(self) -> str:
        return str(self.kind_combo.currentData())

    def set_kind(self, kind: str) -> None:
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(kind))

    @Slot()
    def on_kind_changed(self) -> None:
        shown = _ROWS[self.kind()]
        if "queue" in shown and not self._queues_listed:
            self._queues_listed = True
            self.queue_combo.addItems(system_printers())
        for key, (label, widget) in self._fields.items():
            label.setVisible(key in shown)
            widget.setVisible(key in shown)
        self.test_button.setEnabled(bool(shown) and not self._testing)
        self.result_label.hide()

    @Slot()
    def on_browse_clicked(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, self.tr("Folder for the PDF files"), self.folder_edit.text())
        if chosen:
            self.folder_edit.setText(chosen)

    def raw(self) -> dict[str, Any]:
        kind = self.kind()
        values: dict[str, Any] = {"kind": kind}
        shown = _ROWS[kind]
        if "folder" in shown:
            values["folder"] = self.folder_edit.text().strip()
        if "host" in shown:
            values["host"] = self.host_edit.text().strip()
            values["port"] = self.port_spin.value()
        if "queue" in shown:
            values["queue"] = self.queue_combo.currentText().strip()
        if "device" in shown:
            values["device"] = self.device_edit.text().strip()
        if "usb_vendor" in shown:
            values["usb_vendor"] = self.vendor_edit.text().strip()
            values["usb_product"] = self.product_edit.text().strip()
        if "profile" in shown:
            values["profile"] = self.profile_combo.currentText()
        if "paper" in shown:
            values["paper"] = self.paper_combo.currentData()
        return values

    def config(self) -> PrinterConfig | None:
        """The chosen printer, validated (``ValidationFailed``), or None for "no printer"."""
        if self.kind() == NO_PRINTER:
            return None
        return printer_setup.role_printer(self.role, self.raw())

    def show_invalid(self, exc: ValidationFailed) -> None:
        """Name the fields at fault with their labels, as IT sees them."""
        names = []
        for error in exc.errors:
            key = error.field.removeprefix("printer.")
            names.append(self._fields[key][0].text() if key in self._fields else key)
        self._result(arg(self.tr("Missing or not valid: %1."), ", ".join(dict.fromkeys(names))), ok=False)

    def _result(self, text: str, *, ok: bool) -> None:
        self.result_label.setText(text)
        self.result_label.setProperty("role", "muted" if ok else "error")
        self.result_label.style().unpolish(self.result_label)
        self.result_label.style().polish(self.result_label)
        self.result_label.show()

    # --- the test page ---

    @Slot()
    def on_test_clicked(self) -> None:
        try:
            config = self.config()
        except ValidationFailed as exc:
            self.show_invalid(exc)
            return
        if config is None or self._testing:
            return
        self._testing = True
        self.test_button.setEnabled(False)
        self.retranslate_ui()
        role = self.role
        job = Job(lambda: printer_setup.print_test_page(role, config), name="first-start.test-print")
        job.signals.succeeded.connect(self.on_test_printed)
        job.signals.failed.connect(self.on_test_failed)
        start(IO, job)

    def _test_done(self) -> None:
        self._testing = False
        self.test_button.setEnabled(bool(_ROWS[self.kind()]))
        self.retranslate_ui()

    @Slot(object)
    def on_test_printed(self, where: Path | None) -> None:
        self._test_done()
        if where is None:
            self._result(self.tr("The test page was sent. Check that it came out of the printer."), ok=True)
        else:
            self._result(arg(self.tr("The test page was saved as %1."), where), ok=True)

    @Slot(object)
    def on_test_failed(self, exc: Exception) -> None:
        self._test_done()
        reason = str(getattr(exc, "params", {}).get("reason") or exc)
        self._result(arg(self.tr("The printer did not print: %1"), reason), ok=False)
