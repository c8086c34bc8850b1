"""The day's register (Sổ theo dõi hồ sơ) as files: the printable A4 landscape PDF and an XLSX workbook
for the centre's office, both from the same :class:`RegisterData` so they list the same lines in the
same columns. Qt-free: the window, the CLI and a script call the same two functions.

The workbook holds values, not text pictures of them: dates are Excel date-times (shown dd/mm/yyyy
hh:mm), line numbers and set counts are numbers, and a phone number stays text so its leading 0 is
kept. Every text cell is written as a string even when it starts with "=", so a value typed at the
counter can never become a formula in the office's spreadsheet."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from sqlalchemy.orm import Session

from counterapp.domain.dossier import DossierStatus
from counterapp.domain.text import nfc
from counterapp.printing.register_model import COLUMNS, RegisterData, RegisterEntry
from counterapp.services.dossiers import RegisterLine, daily_register
from counterapp.services.printing import centre_profile

DATE_FORMAT = "dd/mm/yyyy hh:mm"
# Column widths in characters (Excel's unit), in COLUMNS order: wide enough for a code, a date-time and
# a phone number on one line; the free-text columns wrap.
XLSX_WIDTHS = (6, 27, 45, 7, 26, 45, 13, 32, 17, 17, 17, 17, 17, 24, 30)
_WRAPPED = {"Tên TTHC", "Chủ hồ sơ", "Địa chỉ", "Cơ quan giải quyết", "Người nhận (ký)", "Ghi chú"}


WITHDRAWN_NOTE = "Đã rút hồ sơ"


def _note(line: RegisterLine) -> str:
    """Ghi chú: the intake note, after "Đã rút hồ sơ" for a withdrawn dossier. Its line stays in the book
    (codes and line numbers are never reused), so the book must say it is not being processed."""
    parts = [WITHDRAWN_NOTE] if line.status is DossierStatus.WITHDRAWN else []
    return "; ".join([*parts, *([line.note] if line.note else [])])


def _entry(line: RegisterLine) -> RegisterEntry:
    return RegisterEntry(
        line=line.line,
        code=line.code,
        procedure_name=line.procedure_name,
        sets=line.sets,
        owner_name=line.owner_name or "",
        address=line.address or "",
        phone=line.phone or "",
        agency=line.agency or "",
        received_at=line.received_at,
        due_at=line.due_at,
        transferred_at=line.transferred_at,
        result_received_at=line.result_received_at,
        returned_at=line.returned_at,
        returned_to=line.returned_to or "",
        note=_note(line),
    )


def register_data(session: Session, day: date) -> RegisterData:
    """What both files show: the centre's names (configured, else the demo centre's) and the day's lines."""
    lines = daily_register(session, day)
    return RegisterData(centre=centre_profile(session), day=day, entries=tuple(_entry(line) for line in lines))


def register_pdf(session: Session, day: date) -> bytes:
    """Sổ theo dõi hồ sơ of ``day`` as an A4 landscape PDF."""
    from counterapp.printing.register_pdf import register_pdf as render

    return render(register_data(session, day))


def sheet_title(day: date) -> str:
    """The worksheet's name: the day as written in Vietnam ("16-03-2026"; a sheet name may not hold "/")."""
    return f"{day:%d-%m-%Y}"


def register_xlsx(session: Session, day: date) -> bytes:
    """Sổ theo dõi hồ sơ of ``day`` as an XLSX workbook: one sheet named by the day, a bold header row
    that stays in view when scrolling (frozen) and filters, then one row per dossier."""
    return workbook_bytes(register_data(session, day))


def workbook_bytes(data: RegisterData) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has its first sheet
    sheet.title = sheet_title(data.day)
    book.properties.creator = "counterapp"
    book.properties.title = f"Sổ theo dõi hồ sơ ngày {data.day:%d/%m/%Y} – {nfc(data.centre.centre_name)}"
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    for column, head in enumerate(COLUMNS, start=1):
        head_cell = sheet.cell(row=1, column=column, value=head)
        head_cell.font = bold
        head_cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        sheet.column_dimensions[get_column_letter(column)].width = XLSX_WIDTHS[column - 1]
    for row, entry in enumerate(data.entries, start=2):
        for column, (head, value) in enumerate(zip(COLUMNS, entry.cells(), strict=True), start=1):
            cell = sheet.cell(row=row, column=column)
            if isinstance(value, str):
                text = ILLEGAL_CHARACTERS_RE.sub("", nfc(value))
                if text:  # an unknown value stays an empty cell, not an empty string
                    cell.value = text
                    cell.data_type = "s"  # never a formula, whatever the text starts with
            else:
                cell.value = value
            if value is not None and not isinstance(value, str | int):
                cell.number_format = DATE_FORMAT
            cell.alignment = wrap if head in _WRAPPED else Alignment(vertical="top")
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{max(1, len(data.entries) + 1)}"
    out = BytesIO()
    book.save(out)
    return out.getvalue()
