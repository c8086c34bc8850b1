"""The status bar says whether the last receipt printed (the intake panel reports its print jobs)."""

from __future__ import annotations

from datetime import datetime

from counterapp.gui.mainwindow import MainWindow
from counterapp.services.printing import Document, PrintJob
from counterapp.services.workspace import Workspace


def job(status: str, printer: str = "quay-1-a4") -> PrintJob:
    at = datetime(2026, 11, 28, 9, 0)
    return PrintJob(id="j1", document=Document.RECEIPT, reference="000.00.01.H26-261128-0001", printer=printer,
                    status=status, attempts=1, last_error=None if status == "printed" else "paper out",
                    reprint_of=None, created_at=at, printed_at=at if status == "printed" else None)  # fmt: skip


def test_the_printer_state_follows_the_last_receipt(qtbot, workspace: Workspace):
    window = MainWindow(workspace)
    qtbot.addWidget(window)
    intake = window.panels["intake"]
    # WHEN the receipt printed  THEN the status bar says the printer is ready
    intake.prints_finished.emit([job("printed")])
    assert window.status_bar.printer_label.text() == "Printer quay-1-a4: ready"
    # WHEN it did not  THEN it says so, naming the printer; the clerk is not stopped
    intake.prints_finished.emit([job("pending", "quay-1-nhiet")])
    assert window.status_bar.printer_label.text() == "Printer quay-1-nhiet: not printed"
    assert not window.status_bar.printer_label.isHidden()
