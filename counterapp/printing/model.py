"""What is printed, as plain data: Mẫu 01 (receipt), Mẫu 02 (supplement request), Mẫu 03 (refusal)
and the queue ticket slip. Built from domain values by the functions below; every layout (PDF, thermal)
renders these and nothing else, so the two never disagree. All text is NFC."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from counterapp.domain.dossier import Dossier
from counterapp.domain.duedate import Duration, DurationUnit
from counterapp.domain.procedure import Procedure, ReturnOption
from counterapp.domain.text import clean
from counterapp.printing.centre import CentreProfile

COPIES = ("Liên 1: Lưu", "Liên 2: Giao khách hàng")
POSTAL_RETURN = "Qua dịch vụ bưu chính công ích"


@dataclass(frozen=True, slots=True)
class DocumentLine:
    name: str
    originals: int = 0
    certified_copies: int = 0
    photocopies: int = 0


@dataclass(frozen=True, slots=True)
class ReceiptData:
    """Mẫu 01 — Giấy tiếp nhận hồ sơ và hẹn trả kết quả (DOMAIN.md §1.2, field by field)."""

    centre: CentreProfile
    code: str  # T2
    qr_payload: str  # T2: the lookup link with the code
    applicant_name: str  # B2
    address: str  # B3
    phone: str  # B4
    email: str  # B4
    id_number: str  # B5
    request: str  # B6: the procedure's name
    owner_name: str  # B7 (empty when the applicant is the owner)
    owner_address: str
    fee_text: str  # B7
    documents: tuple[DocumentLine, ...]  # 1
    sets: int  # 2
    duration_text: str  # 3
    received_at: datetime  # 4
    due_at: datetime | None  # 5 (None: no appointment, settled on the spot)
    return_place: str  # 6
    register_book: str  # F1
    register_line: int  # F1
    clerk_name: str  # S
    copies: tuple[str, ...] = COPIES  # T3: one page set per copy


@dataclass(frozen=True, slots=True)
class SupplementData:
    """Mẫu 02 — Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ."""

    centre: CentreProfile
    reference: str  # "Số: <code>/HDHS", or empty before a dossier is accepted
    applicant_name: str
    address: str
    phone: str
    email: str
    request: str
    items: tuple[DocumentLine, ...]
    reason: str
    clerk_name: str  # NGƯỜI HƯỚNG DẪN
    created_at: datetime


@dataclass(frozen=True, slots=True)
class RefusalData:
    """Mẫu 03 — Phiếu từ chối tiếp nhận giải quyết hồ sơ."""

    centre: CentreProfile
    applicant_name: str
    address: str
    phone: str
    request: str
    reason: str
    legal_basis: str
    clerk_name: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class TicketSlipData:
    centre: CentreProfile
    number: str
    service_name: str
    issued_at: datetime
    people_ahead: int
    qr_payload: str
    priority_label: str = ""
    counters: tuple[str, ...] = field(default_factory=tuple)  # where this service is served, if known


def _pad2(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text.zfill(2) if "." not in text else text


def duration_text(duration: Duration, cutoff_text: str = "") -> str:
    """How the legal duration is printed: "05 ngày làm việc", "04 giờ làm việc", "15 ngày", "Trong ngày"."""
    value = duration.value
    if duration.unit is DurationUnit.WORKING_DAYS:
        text = "Trong ngày" if value == 0 else f"{_pad2(value)} ngày làm việc"
    elif duration.unit is DurationUnit.WORKING_HOURS:
        text = f"{_pad2(value)} giờ làm việc"
    else:
        text = f"{_pad2(value)} ngày"
    return f"{text} {cutoff_text}".strip()


def vn_datetime(moment: datetime) -> str:
    """ "15 giờ 30 phút, ngày 14 tháng 03 năm 2025" — the form's wording for receipt and appointment."""
    return f"{moment:%H} giờ {moment:%M} phút, ngày {moment:%d} tháng {moment:%m} năm {moment:%Y}"


def vn_place_date(place: str, moment: datetime) -> str:
    """ "Hà Nội, ngày 14 tháng 03 năm 2025"."""
    return f"{place}, ngày {moment:%d} tháng {moment:%m} năm {moment:%Y}"


def receipt_from_dossier(
    dossier: Dossier,
    procedure: Procedure | None,
    centre: CentreProfile,
    *,
    clerk_name: str,
    counter_label: str = "",
) -> ReceiptData:
    """The Mẫu 01 of a stored dossier. ``procedure`` (the catalogue entry) supplies the fee text and the
    cut-off wording; without it the stored duration is printed as it is."""
    if dossier.return_mode is ReturnOption.POSTAL:
        return_place = POSTAL_RETURN + (f" ({dossier.postal_address})" if dossier.postal_address else "")
    else:
        return_place = clean(f"{centre.receiving_unit} {counter_label}")
    cutoff = f"(nhận sau {procedure.cutoff:%H} giờ {procedure.cutoff:%M} trả ngày làm việc tiếp theo)" if (
        procedure is not None and procedure.cutoff is not None
    ) else ""  # fmt: skip
    duration = procedure.duration if procedure is not None else None
    return ReceiptData(
        centre=centre,
        code=dossier.code,
        qr_payload=centre.lookup_link(dossier.code),
        applicant_name=dossier.applicant_name or "",
        address=dossier.applicant_address or "",
        phone=dossier.applicant_phone or "",
        email=dossier.applicant_email or "",
        id_number=dossier.applicant_id_number or "",
        request=dossier.procedure_name,
        owner_name=dossier.owner_name or "",
        owner_address="",
        fee_text=procedure.fee_text if procedure is not None else "",
        documents=tuple(
            DocumentLine(d.name, d.originals, d.certified_copies, d.photocopies) for d in dossier.documents
        ),
        sets=dossier.sets,
        duration_text=duration_text(duration, cutoff) if duration is not None else "",
        received_at=dossier.received_at,
        due_at=dossier.due_at,
        return_place=return_place,
        register_book=dossier.register_book,
        register_line=dossier.register_line,
        clerk_name=clean(clerk_name),
    )
