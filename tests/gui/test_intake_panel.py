import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from counterapp.domain.duedate import compute_due
from counterapp.gui import jobs
from counterapp.gui.intake_panel import IntakePanel
from counterapp.services import catalogue, device, printing, receipt_queue
from counterapp.services.dossiers import show_dossier
from counterapp.services.workspace import Workspace
from counterapp.store.dossier_models import RefusalRow, SupplementRequestRow
from tests.counter import AGENCY

from .intakekit import make_workspace, pdf_text

# The offscreen platform warns on every shown top-level window; not ours to fix, and harmless.
pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

QR = "001190012345|012345678|Nguyễn Thị Tuyến|17051990|Nữ|Số 12 ngõ 34 phố Hàng Bông, Hoàn Kiếm, Hà Nội|01072021"


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    opened = make_workspace(tmp_path / "data")
    yield opened
    jobs.wait_idle()
    opened.close()


@pytest.fixture
def panel(qtbot, workspace) -> Iterator[IntakePanel]:
    widget = IntakePanel(workspace)
    widget.opened: list[str] = []  # type: ignore[attr-defined]
    widget.open_url = lambda url: widget.opened.append(url.toLocalFile()) or True  # type: ignore[attr-defined]
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: widget.picker.list.count() > 0, timeout=5000)
    yield widget
    jobs.wait_idle()


def pick(qtbot, panel: IntakePanel, query: str, code: str) -> None:
    """Type ``query`` (ASCII only: keyClicks aborts on Vietnamese) and, unless it named one procedure, take
    the first match with Enter, as a clerk does."""
    qtbot.keyClicks(panel.picker.query_edit, query)
    if panel.picker.current is None:
        qtbot.keyClick(panel.picker.query_edit, Qt.Key.Key_Return)
    assert panel.picker.current is not None and panel.picker.current.code == code


def fill_applicant(panel: IntakePanel, id_number: str) -> None:
    a = panel.applicant
    a.name_edit.setText("Nguyễn Thị Tuyến")
    a.id_edit.setText(id_number)
    a.dob_edit.setText("17/05/1990")
    a.phone_edit.setText("0912345678")
    a.email_edit.setText("tuyen@example.vn")
    a.address_edit.setText("Số 12 ngõ 34 phố Hàng Bông, Hoàn Kiếm, Hà Nội")


def texts(panel: IntakePanel) -> list[str]:
    a = panel.applicant
    return [e.text() for e in (a.name_edit, a.dob_edit, a.phone_edit, a.email_edit, a.address_edit)]


def test_a_fresh_form_has_no_procedure_until_the_clerk_chooses_one(qtbot, panel):
    # GIVEN a fresh form: the whole catalogue listed, nothing chosen, no documents, no appointment
    assert panel.picker.list.count() > 5 and panel.picker.current is None
    assert panel.picker.list.currentRow() == -1 and panel.checklist.rows == []
    assert panel.due_label.text() == "Appointment: –"
    # WHEN the clerk types an accent-free query THEN the matches are listed, still nothing chosen
    qtbot.keyClicks(panel.picker.query_edit, "khai sinh")
    shown = [panel.picker.list.item(i).text() for i in range(panel.picker.list.count())]
    assert len(shown) > 1 and all("khai sinh" in s.lower() for s in shown)
    assert panel.picker.current is None
    # WHEN Enter THEN the first match is chosen, with its documents checklist, and the focus moves on to them
    qtbot.keyClick(panel.picker.query_edit, Qt.Key.Key_Return)
    assert panel.picker.current is not None and "khai sinh" in panel.picker.current.name.lower()
    assert [r.component.code for r in panel.checklist.rows] == [c.code for c in panel.picker.current.components]
    # WHEN the full code is typed THEN that one procedure is chosen at once
    panel.picker.query_edit.clear()
    qtbot.keyClicks(panel.picker.query_edit, "1.004873")
    assert panel.picker.list.count() == 1 and panel.picker.current is not None
    assert panel.picker.current.code == "1.004873"


def test_saving_without_a_chosen_procedure_names_the_field_and_takes_no_code(qtbot, panel, workspace):
    # GIVEN the applicant filled in but no procedure chosen (only typed, several matches)
    qtbot.keyClicks(panel.picker.query_edit, "khai sinh")
    fill_applicant(panel, "001190012345")
    # WHEN saving THEN the procedure field says so, nothing typed is lost and no code was taken
    with qtbot.waitSignal(panel.message, timeout=5000, check_params_cb=lambda m: "highlighted" in m):
        qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    assert panel.picker.error.isVisible() and panel.picker.error.text() == "Choose a procedure."
    assert panel.code_label.text() == "" and panel.applicant.name_edit.text() == "Nguyễn Thị Tuyến"
    with workspace.reading() as (s, _now):
        assert printing.jobs(s) == []


def test_invalid_cccd_keeps_the_form_then_save_issues_code_due_date_and_receipt(qtbot, panel, workspace):
    # GIVEN a procedure chosen by an ASCII query and a form with a CCCD one digit short
    pick(qtbot, panel, "xac nhan tinh trang hon nhan", "1.004873")
    assert panel.due_label.text() != "" and panel.last_due is not None  # live appointment already shown
    fill_applicant(panel, "00119001234")
    before = texts(panel)
    # WHEN saving
    with qtbot.waitSignal(panel.message, timeout=5000, check_params_cb=lambda m: "highlighted" in m):
        qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    # THEN the message sits on the CCCD field, every other field keeps its text and no code was issued
    assert panel.applicant.errors["applicant.id_number"].isVisible()
    assert "12 digits" in panel.applicant.errors["applicant.id_number"].text()
    assert not panel.applicant.errors["applicant.name"].isVisible()
    assert texts(panel) == before and panel.applicant.id_edit.text() == "00119001234"
    assert panel.code_label.text() == "" and panel.save_button.isEnabled()

    # WHEN the CCCD is corrected and the form saved again
    panel.applicant.id_edit.setText("001190012345")
    with qtbot.waitSignal(panel.prints_finished, timeout=10000) as printed:
        qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    result = panel.last_result
    assert result is not None
    # THEN the code is shown large, in the agency-YYMMDD-NNNN format, dated the day of receipt
    code = panel.code_label.text()
    assert re.fullmatch(rf"{re.escape(AGENCY)}-\d{{6}}-\d{{4}}", code) and code == result.dossier.code
    assert code.split("-")[-2] == result.dossier.received_at.strftime("%y%m%d")
    assert not panel.applicant.errors["applicant.id_number"].isVisible()
    # and the appointment shown is the domain computation for that receipt time
    with workspace.reading() as (s, _now):
        procedure = catalogue.get_procedure(s, "1.004873")
        expected = compute_due(result.dossier.received_at, procedure.duration, device.work_calendar(s),
                               device.office_hours(s), procedure.cutoff).due_at  # fmt: skip
        stored = show_dossier(s, code)
        queued = printing.jobs(s)
    assert expected == result.dossier.due_at == stored.due_at
    assert expected.strftime("%d/%m/%Y %H:%M") in panel.due_label.text()
    # and a receipt print job was queued (no printer configured: a PDF in the data dir) and printed
    assert [(j.document, j.reference, j.printer, j.status) for j in queued] == [
        (printing.Document.RECEIPT, code, receipt_queue.FALLBACK_PRINTER, "printed")
    ]
    assert [j.status for j in printed.args[0]] == ["printed"]
    folder = receipt_queue.fallback_folder(workspace.data_dir)
    assert str(folder) in panel.status_label.text() or "Printed" in panel.status_label.text()
    pdfs = list(folder.glob("*.pdf"))
    assert len(pdfs) == 1 and code in pdf_text(pdfs[0])
    # and a second save (Ctrl+S calls the same slot) does not take a second code
    panel.save()
    assert not panel.save_button.isEnabled() and panel.last_result is result

    # WHEN reprinting and previewing
    with qtbot.waitSignal(panel.prints_finished, timeout=10000):
        qtbot.mouseClick(panel.reprint_button, Qt.MouseButton.LeftButton)
    with workspace.reading() as (s, _now):
        assert [j.reprint_of for j in printing.jobs(s)] == [queued[0].id, None]
    with qtbot.waitSignal(panel.preview_ready, timeout=10000) as previewed:
        qtbot.mouseClick(panel.preview_button, Qt.MouseButton.LeftButton)
    assert code in pdf_text(previewed.args[0]) and panel.opened == [str(previewed.args[0])]

    # WHEN "New form" starts a new form (saved: nothing to ask) THEN everything is empty, no procedure
    # carried over, and Save is back
    qtbot.mouseClick(panel.new_button, Qt.MouseButton.LeftButton)
    assert panel.discard_box is None
    assert panel.code_label.text() == "" and panel.applicant.name_edit.text() == ""
    assert panel.save_button.isEnabled() and panel.picker.query_edit.text() == ""
    assert panel.picker.current is None and panel.checklist.rows == []


def test_missing_required_document_is_shown_on_its_row(qtbot, panel):
    pick(qtbot, panel, "1.004873", "1.004873")
    fill_applicant(panel, "001190012345")
    panel.checklist.rows[0].check.setChecked(False)  # TK, required
    with qtbot.waitSignal(panel.message, timeout=5000, check_params_cb=lambda m: "highlighted" in m):
        qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    assert panel.checklist.rows[0].error.isVisible()
    assert panel.applicant.name_edit.text() == "Nguyễn Thị Tuyến"


def test_qr_scan_fills_name_dob_address_and_id(qtbot, panel):
    # WHEN a keyboard-wedge scanner enters the card's QR payload followed by Enter
    panel.applicant.qr_edit.setFocus()
    panel.applicant.qr_edit.setText(QR)  # the payload is Vietnamese: setText, not keyClicks
    with qtbot.waitSignal(panel.applicant.qr_scanned, timeout=1000):
        qtbot.keyClick(panel.applicant.qr_edit, Qt.Key.Key_Return)
    a = panel.applicant
    assert (a.name_edit.text(), a.id_edit.text(), a.dob_edit.text()) == (
        "Nguyễn Thị Tuyến",
        "001190012345",
        "17/05/1990",
    )
    assert a.address_edit.text().startswith("Số 12") and a.sex_combo.currentData() == "female"
    assert a.qr_edit.text() == ""
    # and garbage is reported on the scan field without touching the filled fields
    a.qr_edit.setText("x|y|z|1|2|3")
    qtbot.keyClick(a.qr_edit, Qt.Key.Key_Return)
    assert a.errors["qr"].isVisible() and a.name_edit.text() == "Nguyễn Thị Tuyến"


def _ok(panel: IntakePanel):
    assert panel.dialog is not None
    return panel.dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)


def test_supplement_and_refusal_dialogs_record_their_forms(qtbot, panel, workspace):
    pick(qtbot, panel, "1.004873", "1.004873")
    panel.applicant.name_edit.setText("Trần Văn Nam")
    panel.checklist.rows[1].check.setChecked(False)
    # WHEN the clerk requests a supplement, with the unticked documents proposed
    qtbot.mouseClick(panel.supplement_button, Qt.MouseButton.LeftButton)
    panel.dialog.reason_edit.setPlainText("Thiếu bản sao giấy chứng nhận kết hôn")
    with qtbot.waitSignal(panel.supplement_recorded, timeout=5000) as recorded:
        qtbot.mouseClick(_ok(panel), Qt.MouseButton.LeftButton)
    assert recorded.args[0].reason == "Thiếu bản sao giấy chứng nhận kết hôn"
    assert {i["name"] for i in recorded.args[0].items} >= {panel.checklist.rows[1].component.name}
    # WHEN refusing, an empty reason is refused in the dialog itself
    qtbot.mouseClick(panel.refuse_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(_ok(panel), Qt.MouseButton.LeftButton)
    assert panel.dialog.error_label.isVisible()
    panel.dialog.reason_edit.setPlainText("Không thuộc thẩm quyền")
    with qtbot.waitSignal(panel.refusal_recorded, timeout=5000) as refused:
        qtbot.mouseClick(_ok(panel), Qt.MouseButton.LeftButton)
    jobs.wait_idle()
    with workspace.reading() as (s, _now):
        assert s.get(SupplementRequestRow, recorded.args[0].id).applicant["name"] == "Trần Văn Nam"
        assert s.get(RefusalRow, refused.args[0].id).reason == "Không thuộc thẩm quyền"
        assert {j.document for j in printing.jobs(s)} == {printing.Document.SUPPLEMENT, printing.Document.REFUSAL}


@pytest.mark.slow  # a 5 ms limit measured: serially, in `make test-slow`, not beside another pytest worker
def test_live_due_date_is_cheap_on_the_gui_thread(qtbot, panel):
    pick(qtbot, panel, "dat dai lan dau", "1.013978")  # 20 working days: the longest walk in the demo
    started = time.perf_counter()
    for _ in range(100):
        panel.on_clock_tick()
    per_call_ms = (time.perf_counter() - started) * 10
    assert panel.last_due_ms < 5 and per_call_ms < 5


def test_new_form_asks_before_discarding_what_was_typed(qtbot, panel):
    # GIVEN a form being filled, not saved
    pick(qtbot, panel, "1.004873", "1.004873")
    fill_applicant(panel, "001190012345")
    # WHEN "New form" THEN the clerk is asked, and keeping the form (the default) keeps every field
    qtbot.mouseClick(panel.new_button, Qt.MouseButton.LeftButton)
    box = panel.discard_box
    assert box is not None and box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    assert "not been saved" in box.text()
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.discard_box is None, timeout=5000)
    assert panel.applicant.name_edit.text() == "Nguyễn Thị Tuyến" and panel.picker.current is not None
    # WHEN asked again and the clerk discards THEN the form is fresh, with no procedure
    qtbot.mouseClick(panel.new_button, Qt.MouseButton.LeftButton)
    box = panel.discard_box
    assert box is not None
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Discard), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.discard_box is None, timeout=5000)
    assert panel.applicant.name_edit.text() == "" and panel.picker.current is None


def test_preview_without_a_pdf_viewer_says_where_the_file_is(qtbot, panel):
    # GIVEN a saved dossier on a PC where nothing opens PDF files (openUrl answers False)
    panel.open_url = lambda _url: False
    pick(qtbot, panel, "1.004873", "1.004873")
    fill_applicant(panel, "001190012345")
    with qtbot.waitSignal(panel.prints_finished, timeout=10000):
        qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    # WHEN previewing THEN a message names the file instead of nothing happening
    with qtbot.waitSignal(panel.preview_ready, timeout=10000) as previewed:
        qtbot.mouseClick(panel.preview_button, Qt.MouseButton.LeftButton)
    box = panel.preview_box
    assert box is not None and box.isVisible()
    assert "No program on this computer opens PDF files" in box.text()
    assert box.informativeText() == str(previewed.args[0]) and previewed.args[0].is_file()
    box.close()


def test_search_lists_the_exact_procedure_first(qtbot, panel):
    # WHEN the clerk types the name of a procedure that others contain THEN it comes first, and Enter takes it
    qtbot.keyClicks(panel.picker.query_edit, "dang ky khai sinh")
    first = panel.picker.list.item(0).text()
    assert first.endswith("  Đăng ký khai sinh"), first
    assert any("kết hợp" in panel.picker.list.item(i).text() for i in range(1, panel.picker.list.count()))
    qtbot.keyClick(panel.picker.query_edit, Qt.Key.Key_Return)
    assert panel.picker.current is not None and panel.picker.current.name == "Đăng ký khai sinh"


def test_a_dossier_saved_by_mistake_is_voided_and_taken_again(qtbot, panel, workspace):
    from counterapp.domain.dossier import DossierStatus
    from counterapp.gui.void_dossier import VoidDialog

    # GIVEN a dossier saved under the wrong procedure (a receipt printed for it)
    pick(qtbot, panel, "1.004873", "1.004873")
    fill_applicant(panel, "001190012345")
    with qtbot.waitSignal(panel.prints_finished, timeout=10000):
        qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    first = panel.code_label.text()
    assert panel.void_button.isEnabled()
    # WHEN the clerk voids it without a reason THEN the dialog asks for one and nothing happens
    qtbot.mouseClick(panel.void_button, Qt.MouseButton.LeftButton)
    dialog = panel.voids.dialog
    assert isinstance(dialog, VoidDialog) and first in dialog.intro.text()
    dialog.on_void_clicked()
    assert dialog.error_label.text() == "Write why the dossier is voided."
    # WHEN a reason is given THEN the dossier is withdrawn (its code kept), the form keeps what was typed
    dialog.reason_edit.setPlainText("Chọn nhầm thủ tục")
    with qtbot.waitSignal(panel.voids.voided, timeout=10000):
        qtbot.mouseClick(dialog.void_button, Qt.MouseButton.LeftButton)
    with workspace.reading() as (s, _now):
        voided = show_dossier(s, first)
    assert voided.status is DossierStatus.WITHDRAWN and voided.code == first
    assert panel.code_label.text() == "" and panel.save_button.isEnabled()
    assert panel.applicant.name_edit.text() == "Nguyễn Thị Tuyến"
    # WHEN saved again (under the right procedure) THEN a new code, never the voided one
    panel.picker.query_edit.clear()
    pick(qtbot, panel, "1.004873", "1.004873")
    with qtbot.waitSignal(panel.prints_finished, timeout=10000):
        qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    assert panel.code_label.text() not in ("", first)
