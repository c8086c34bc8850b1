"""The status bar says whether the last receipt printed (the intake panel reports its print jobs)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

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


def test_a_printer_failure_is_told_in_the_clerks_language_and_rewords_on_a_switch(qtbot, workspace: Workspace):
    from dataclasses import replace

    from PySide6.QtCore import QCoreApplication, QTranslator

    class Vietnamese(QTranslator):
        """A stand-in for the catalogue: the status bar's texts as counterapp_vi.ts has them."""

        TEXTS: ClassVar[dict[str, str]] = {"Printer %1: not printed": "Máy in %1: chưa in được",
                 "the printer does not answer": "máy in không phản hồi"}  # fmt: skip

        def translate(self, context, source, disambiguation=None, n=-1):  # type: ignore[no-untyped-def]
            return self.TEXTS.get(source) if context == "StatusBar" else None

        def isEmpty(self) -> bool:
            return False

    window = MainWindow(workspace)
    qtbot.addWidget(window)
    failed = replace(job("pending", "quay-1-nhiet"), last_error="printer 'quay-1-nhiet' did not take the job: "
                     "[Errno 111] Connection refused", error_code="printer.unreachable")  # fmt: skip
    # GIVEN a failure (its own message is English, for IT)  WHEN shown in English THEN in plain English
    window.panels["intake"].prints_finished.emit([failed])
    label = window.status_bar.printer_label
    assert label.text() == "Printer quay-1-nhiet: not printed (the printer does not answer)"
    # WHEN the window switches to Vietnamese THEN the same state is worded in Vietnamese, not left in English
    translator = Vietnamese()
    QCoreApplication.installTranslator(translator)
    try:
        window.retranslate_ui()
        assert label.text() == "Máy in quay-1-nhiet: chưa in được (máy in không phản hồi)"
        assert "Errno" not in label.text()
    finally:
        QCoreApplication.removeTranslator(translator)
