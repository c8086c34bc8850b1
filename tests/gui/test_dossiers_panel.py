"""The dossiers panel over a real counter store: search, detail, return of results, the day's register."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before anything imports Qt

import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QDate, Qt, QTranslator
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from counterapp.domain.dossier import DossierStatus
from counterapp.domain.errors import ValidationFailed
from counterapp.gui import jobs
from counterapp.gui.dossier_models import DossierSearchModel, error_text, is_overdue
from counterapp.gui.dossiers_panel import DossiersPanel
from counterapp.gui.return_dialog import ReturnDialog
from counterapp.services.dossiers import show_dossier
from counterapp.services.errors import InvalidState, NotFound
from counterapp.services.search import DossierSummary
from tests.gui.dossierkit import NOW, Counter, make_counter

NHUNG = "Nguyễn Thị Hồng Nhung"
NHUNG_CCCD = "001195012347"


@pytest.fixture
def kit(tmp_path: Path) -> Iterator[Counter]:
    made = make_counter(tmp_path / "data")
    yield made
    jobs.wait_idle(15_000)  # no job may outlive the store it reads
    made.workspace.close()


@pytest.fixture
def panel(qtbot: QtBot, kit: Counter) -> DossiersPanel:
    widget = DossiersPanel(kit.workspace)
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def search(qtbot: QtBot, panel: DossiersPanel, text: str) -> list[str | None]:
    with qtbot.waitSignal(panel.search_finished, timeout=5000):
        panel.search_edit.setText(text)  # setText: the query may be Vietnamese (STYLE.md pitfall 15)
    return [panel.model.summary(row).applicant_name for row in range(panel.model.rowCount())]


def open_first(qtbot: QtBot, panel: DossiersPanel, text: str) -> None:
    search(qtbot, panel, text)
    with qtbot.waitSignal(panel.dossier_shown, timeout=5000):
        panel.open_first()


def dialog_of(panel: DossiersPanel) -> ReturnDialog:
    assert panel.return_dialog is not None, "the return dialog is not open"
    return panel.return_dialog


def history(panel: DossiersPanel) -> list[tuple[str, ...]]:
    table = panel.detail.history_table
    cell = table.item
    return [tuple(cell(r, c).text() for c in range(table.columnCount())) for r in range(table.rowCount())]  # type: ignore[union-attr]


def test_name_without_diacritics_finds_the_dossier_as_the_clerk_types(qtbot: QtBot, panel: DossiersPanel) -> None:
    # WHEN the clerk types an ASCII name fragment key by key THEN one debounced search answers
    with qtbot.waitSignal(panel.search_finished, timeout=5000) as done:
        qtbot.keyClicks(panel.search_edit, "nhung")
    assert done.args == [1]
    assert panel.model.summary(0).applicant_name == NHUNG
    # AND other spellings without accents find the same person
    assert search(qtbot, panel, "nguyen thi") == [NHUNG]
    assert search(qtbot, panel, "NGUYEN THI HONG NHUNG") == [NHUNG]
    assert search(qtbot, panel, NHUNG) == [NHUNG]


def test_search_by_code_cccd_and_phone(qtbot: QtBot, panel: DossiersPanel, kit: Counter) -> None:
    assert search(qtbot, panel, kit.codes[NHUNG]) == [NHUNG]
    assert search(qtbot, panel, NHUNG_CCCD) == [NHUNG]
    assert search(qtbot, panel, "0326 789 012") == ["Trần Văn Bình"]
    assert search(qtbot, panel, "khong co ai") == []
    # an emptied box clears the list without asking the database
    panel.search_edit.clear()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 0 and not panel._debounce.isActive())


def test_the_result_columns_and_the_overdue_mark(qtbot: QtBot, panel: DossiersPanel, kit: Counter) -> None:
    search(qtbot, panel, "nhung")
    model = panel.model
    row = [model.index(0, c).data() for c in range(model.columnCount())]
    assert row[:3] == [kit.codes[NHUNG], NHUNG, model.summary(0).procedure_name]
    assert row[3] == "16/03/2026 09:00" and row[4] == "19/03/2026 17:00"
    # due 19/03/2026 and still only received: overdue against the store's clock (it is later than that)
    assert model.index(0, 0).data(DossierSearchModel.OverdueRole) is True
    assert "overdue" in row[5]


def test_overdue_only_while_the_dossier_is_open() -> None:
    due = datetime(2026, 3, 19, 17)
    assert is_overdue(DossierStatus.PROCESSING, due, due + timedelta(minutes=1))
    assert not is_overdue(DossierStatus.PROCESSING, due, due)
    assert not is_overdue(DossierStatus.RETURNED, due, due + timedelta(days=9))
    assert not is_overdue(DossierStatus.RECEIVED, None, due)
    model = DossierSearchModel()
    item = DossierSummary("X", "P", "A", NOW, due, DossierStatus.RECEIVED)
    model.set_results([item], NOW)
    assert model.index(0, 5).data() == "Received"


def test_enter_opens_the_first_result_with_its_history(qtbot: QtBot, panel: DossiersPanel, kit: Counter) -> None:
    # GIVEN a query still inside its debounce  WHEN Enter is pressed  THEN the first hit opens
    panel.search_edit.setText("nguyen thi")
    with qtbot.waitSignal(panel.dossier_shown, timeout=5000) as shown:
        qtbot.keyClick(panel.search_edit, Qt.Key.Key_Return)
    assert shown.args == [kit.codes[NHUNG]]
    detail = panel.detail
    assert detail.values["applicant"].text() == NHUNG
    assert NHUNG_CCCD in detail.values["id_number"].text()
    assert detail.values["due"].text() == "19/03/2026 17:00"
    assert detail.documents_table.rowCount() > 0
    assert history(panel) == [("16/03/2026 09:00", "Received", "clerk-1", "")]
    assert panel.return_button.isEnabled()


def test_return_of_results_changes_the_status_and_adds_history(
    qtbot: QtBot, panel: DossiersPanel, kit: Counter
) -> None:
    code = kit.codes[NHUNG]
    open_first(qtbot, panel, code)
    # WHEN the clerk returns the result to a proxy
    qtbot.mouseClick(panel.return_button, Qt.MouseButton.LeftButton)
    dialog = dialog_of(panel)
    assert dialog.recipient == NHUNG  # the applicant is proposed
    dialog.recipient_edit.setText("Trần Văn Nam")
    dialog.note_edit.setText("nhận thay, có giấy ủy quyền")
    with qtbot.waitSignal(panel.dossier_returned, timeout=5000):
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    # THEN the panel shows it returned, with a new history line by the signed-in clerk
    assert "Result returned" in panel.detail.values["status"].text()
    assert "Trần Văn Nam" in panel.detail.values["returned"].text()
    assert [h[1:] for h in history(panel)] == [
        ("Received", "clerk-1", ""),
        ("Result returned", "clerk-7", "nhận thay, có giấy ủy quyền"),
    ]
    assert "Result returned" in panel.model.index(0, 5).data()
    assert not panel.return_button.isEnabled()
    qtbot.waitUntil(lambda: panel.return_dialog is None)
    # AND the service agrees
    with kit.workspace.reading() as (session, _now):
        stored = show_dossier(session, code)
    assert stored.status is DossierStatus.RETURNED and stored.returned_to == "Trần Văn Nam"
    assert [(h.status, h.user_id) for h in stored.history] == [
        (DossierStatus.RECEIVED, "clerk-1"),
        (DossierStatus.RETURNED, "clerk-7"),
    ]


def test_a_refused_return_is_explained_inside_the_dialog(qtbot: QtBot, panel: DossiersPanel, kit: Counter) -> None:
    open_first(qtbot, panel, kit.codes["Trần Văn Bình"])
    qtbot.mouseClick(panel.return_button, Qt.MouseButton.LeftButton)
    dialog = dialog_of(panel)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    dialog.recipient_edit.clear()
    assert not ok.isEnabled()  # nobody to hand it to
    dialog.recipient_edit.setText("Nam 123")  # digits are not a name: the service refuses it
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error_label.isVisible())
    assert dialog.error_label.text() == "The name may contain only letters, spaces and simple punctuation."
    assert dialog.isVisible() and ok.isEnabled()
    with kit.workspace.reading() as (session, _now):
        assert show_dossier(session, kit.codes["Trần Văn Bình"]).status is DossierStatus.RECEIVED


def test_the_days_register_lists_the_dossiers(qtbot: QtBot, panel: DossiersPanel, kit: Counter) -> None:
    register = panel.register
    assert register.date_edit.date() == QDate.currentDate()  # today by default
    with qtbot.waitSignal(register.register_loaded, timeout=5000):
        panel.tabs.setCurrentWidget(register)
    with qtbot.waitSignal(register.register_loaded, timeout=5000) as loaded:
        register.date_edit.setDate(QDate(NOW.year, NOW.month, NOW.day))
    assert loaded.args == [3]
    model = register.model
    assert [model.index(r, 1).data() for r in range(3)] == list(kit.codes.values())
    assert [model.index(r, 2).data() for r in range(3)] == list(kit.codes)
    assert register.summary_label.text() == "3 dossier(s) received on 16/03/2026"
    # a double-clicked line opens that dossier on the search tab
    index = model.index(1, 0)
    register.table.setCurrentIndex(index)
    with qtbot.waitSignal(panel.dossier_shown, timeout=5000) as shown:
        register.table.doubleClicked.emit(index)
    assert shown.args == [kit.codes["Trần Văn Bình"]]
    assert panel.tabs.currentWidget() is panel.search_tab


class _Shouting(QTranslator):
    """A stand-in for the Vietnamese catalogue: every panel string comes back in capitals."""

    def translate(self, context: str, source: str, disambiguation: str | None = None, n: int = -1) -> str | None:
        return source.upper() if context == "DossiersPanel" else None

    def isEmpty(self) -> bool:
        return False


def test_a_language_switch_retranslates_live(qtbot: QtBot, panel: DossiersPanel) -> None:
    translator = _Shouting()
    QCoreApplication.installTranslator(translator)
    try:
        qtbot.waitUntil(lambda: panel.tabs.tabText(1) == "DAY'S REGISTER")
        assert panel.return_button.text() == "RETURN &RESULT…"
    finally:
        QCoreApplication.removeTranslator(translator)
    qtbot.waitUntil(lambda: panel.tabs.tabText(1) == "Day's register")


def test_errors_in_plain_words() -> None:
    assert error_text(NotFound("x")) == "No dossier with this code on this counter."
    assert error_text(InvalidState("x", code="dossier.already_returned")).startswith("The result of this dossier")
    assert error_text(ValidationFailed.single("code", "dossier_code.format")) == "This is not a valid dossier code."
    assert "log" in error_text(RuntimeError("boom"))


def test_personal_data_never_reaches_the_log_or_status_bar(
    qtbot: QtBot, panel: DossiersPanel, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    messages: list[str] = []
    panel.message.connect(messages.append)
    open_first(qtbot, panel, NHUNG_CCCD)
    qtbot.mouseClick(panel.return_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(panel.dossier_returned, timeout=5000):
        dialog_of(panel).buttons.accepted.emit()
    shown = caplog.text + "\n".join(messages)
    for secret in (NHUNG, "Nhung", NHUNG_CCCD, "0868123456"):
        assert secret not in shown
    assert messages  # the status bar did hear about it, in plain words


def test_the_register_prints_as_a_pdf_and_exports_to_excel(
    qtbot: QtBot, panel: DossiersPanel, kit: Counter, tmp_path: Path
) -> None:
    from openpyxl import load_workbook
    from PySide6.QtWidgets import QFileDialog

    from tests.printing.pdf_text import pypdf_pages

    register = panel.register
    opened: list[str] = []
    register.open_url = lambda url: opened.append(url.toLocalFile()) or True
    with qtbot.waitSignal(register.register_loaded, timeout=5000):
        panel.tabs.setCurrentWidget(register)
    with qtbot.waitSignal(register.register_loaded, timeout=5000):
        register.date_edit.setDate(QDate(NOW.year, NOW.month, NOW.day))
    codes = [register.model.line(row).code for row in range(register.model.rowCount())]
    # WHEN "Print register" THEN the day's book is a PDF in the data directory, opened for printing
    with qtbot.waitSignal(register.printed, timeout=10_000) as printed:
        qtbot.mouseClick(register.print_button, Qt.MouseButton.LeftButton)
    pdf = printed.args[0]
    assert pdf == kit.workspace.data_dir / "registers" / "so-theo-doi-2026-03-16.pdf" and opened == [str(pdf)]
    text = "\n".join(pypdf_pages(pdf.read_bytes()))
    assert "SỔ THEO DÕI HỒ SƠ" in text and all(code.split("-")[-1] in text for code in codes)
    # WHEN "Export to Excel…" and a file is chosen THEN the workbook holds the same lines
    qtbot.mouseClick(register.export_button, Qt.MouseButton.LeftButton)
    dialog = register.export_dialog
    assert isinstance(dialog, QFileDialog) and dialog.selectedFiles()[0].endswith("so-theo-doi-2026-03-16.xlsx")
    target = tmp_path / "so.xlsx"
    with qtbot.waitSignal(register.exported, timeout=10_000):
        dialog.selectFile(str(target))
        dialog.accept()
    sheet = load_workbook(target).active
    assert sheet is not None
    values = [str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert all(code in values for code in codes) and NHUNG in values


def test_the_history_names_the_clerk_right_after_a_return(qtbot: QtBot, panel: DossiersPanel, kit: Counter) -> None:
    from counterapp.services import staff
    from tests.gui.dossierkit import CLERK

    # GIVEN the signed-in clerk's name recorded (as a sign-in online does)
    with kit.workspace.writing() as (session, _now):
        staff.name_staff(session, CLERK)
    open_first(qtbot, panel, kit.codes[NHUNG])
    # WHEN the result is returned
    qtbot.mouseClick(panel.return_button, Qt.MouseButton.LeftButton)
    dialog = dialog_of(panel)
    with qtbot.waitSignal(panel.dossier_returned, timeout=5000):
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    # THEN the new history line names the clerk, not their user id
    assert history(panel)[-1][1:3] == ("Result returned", "Phạm Thị Lan")
