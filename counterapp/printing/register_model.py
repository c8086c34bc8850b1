"""The day's register (Sổ theo dõi hồ sơ, DOMAIN.md §1.3) as plain data: the columns in their printed
order and one entry per dossier. The PDF (``register_pdf``) and the spreadsheet export both render this
and nothing else, so the printed book and the file a centre sends upward never disagree. Neither
reportlab nor openpyxl is imported here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from counterapp.printing.centre import CentreProfile

REGISTER_TITLE = "SỔ THEO DÕI HỒ SƠ"

# The columns of the form, in order (DOMAIN.md §1.3).
COLUMNS: tuple[str, ...] = (
    "STT",
    "Mã hồ sơ",
    "Tên TTHC",
    "Số bộ",
    "Chủ hồ sơ",
    "Địa chỉ",
    "SĐT",
    "Cơ quan giải quyết",
    "Ngày nhận",
    "Ngày hẹn trả",
    "Ngày chuyển",
    "Ngày nhận kết quả",
    "Ngày trả",
    "Người nhận (ký)",
    "Ghi chú",
)

Cell = str | int | datetime | None


@dataclass(frozen=True, slots=True)
class RegisterEntry:
    """One line of the book. Text is NFC; a value the counter does not know yet (the result has not come
    back, the dossier was not forwarded) is ``None`` or empty and prints as an empty cell."""

    line: int  # STT: the number printed on the receipt (Số thứ tự)
    code: str
    procedure_name: str
    sets: int
    owner_name: str
    address: str
    phone: str
    agency: str  # cơ quan giải quyết, from the catalogue
    received_at: datetime
    due_at: datetime | None
    transferred_at: datetime | None  # ngày chuyển: handed to the deciding agency
    result_received_at: datetime | None  # ngày nhận kết quả: the result came back to the counter
    returned_at: datetime | None
    returned_to: str  # người nhận: who collected the result (the signature goes beside the name)
    note: str

    def cells(self) -> tuple[Cell, ...]:
        """The values in :data:`COLUMNS` order, typed (numbers as ``int``, dates as ``datetime``)."""
        return (
            self.line,
            self.code,
            self.procedure_name,
            self.sets,
            self.owner_name,
            self.address,
            self.phone,
            self.agency,
            self.received_at,
            self.due_at,
            self.transferred_at,
            self.result_received_at,
            self.returned_at,
            self.returned_to,
            self.note,
        )


@dataclass(frozen=True, slots=True)
class RegisterData:
    """The book's page for one day at one centre."""

    centre: CentreProfile
    day: date
    entries: tuple[RegisterEntry, ...]


def register_date(moment: datetime) -> str:
    """How a date-time is written in the book: "16/03/2026 09:00"."""
    return f"{moment:%d/%m/%Y %H:%M}"
