"""Mẫu 01 receipts and queue ticket slips for ESC/POS thermal printers.

Every text line is rasterised (:mod:`counterapp.printing.raster`) and sent as GS v 0 images; the QR code
goes as GS ( k when the printer supports it, else it is drawn into the image. ``receipt_images`` /
``ticket_images`` return exactly the images that ``receipt_escpos`` / ``ticket_escpos`` send.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image

from counterapp.printing.escpos_env import dummy_printer, escpos_constants, quiet
from counterapp.printing.fonts import Weight
from counterapp.printing.model import ReceiptData, TicketSlipData, vn_datetime
from counterapp.printing.profiles import PrinterProfile
from counterapp.printing.raster import Cell, Sheet, Style, fragments, qr_image, text_width

QUIET_MODULES = 4  # white space above and below a QR code (the QR specification's quiet zone)
FRAGMENT_ROWS = 960  # python-escpos splits taller GS v 0 images itself; we split first so tests can compare


@dataclass(frozen=True, slots=True)
class Sizes:
    """Type sizes in pixels (203 dpi: 24 px ≈ 3 mm)."""

    small: int
    body: int
    title: int
    code: int
    huge: int  # the ticket number
    qr_module: int  # dots per QR module


SIZES_80MM = Sizes(small=20, body=24, title=28, code=30, huge=170, qr_module=6)
SIZES_58MM = Sizes(small=18, body=20, title=22, code=22, huge=120, qr_module=5)


def sizes_for(width_px: int) -> Sizes:
    return SIZES_80MM if width_px >= 500 else SIZES_58MM


@dataclass(frozen=True, slots=True)
class Qr:
    """A QR code the printer draws itself (GS ( k), between two images."""

    payload: str
    module_px: int


Part = Image.Image | Qr


def _qr(sheet: Sheet, parts: list[Part], payload: str, module_px: int, native: bool) -> Sheet:
    """Put the QR code here: into the sheet, or (native) close the sheet, queue a ``Qr`` and start a new one."""
    if not payload:
        return sheet
    quiet_zone = QUIET_MODULES * module_px
    sheet.space(quiet_zone)
    if not native:
        sheet.picture(qr_image(payload, module_px))
        sheet.space(quiet_zone)
        return sheet
    parts.extend(fragments(sheet.render(), FRAGMENT_ROWS))
    parts.append(Qr(payload, module_px))
    after = Sheet(sheet.width, sheet.margin)
    after.space(quiet_zone)
    return after


def _finish(sheet: Sheet, parts: list[Part]) -> list[Part]:
    if sheet.y:
        parts.extend(fragments(sheet.render(), FRAGMENT_ROWS))
    return parts


def _header(sheet: Sheet, governing_body: str, centre_name: str, branch: str, s: Sizes) -> None:
    body = Style(s.body)
    if governing_body:
        sheet.text(governing_body, Style(s.small, Weight.SEMIBOLD), "center", balance=True)
    sheet.text(centre_name, body.bold, "center", balance=True)
    if branch:
        sheet.text(branch, Style(s.small), "center", balance=True)


# --- Mẫu 01 ---------------------------------------------------------------------------------------------

TITLE = "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"
DOC_HEADER = ("TT", "Tên giấy tờ", "BC", "BSCT", "BP")
DOC_LEGEND = "BC: bản chính; BSCT: bản sao có chứng thực; BP: bản photo"


def _documents_table(sheet: Sheet, data: ReceiptData, s: Sizes) -> None:
    """TT | name | BC | BSCT | BP; on narrow paper the three counts share one "BC/BSCT/BP" column
    ("1/–/–") so that the names keep room for several words a line."""
    body, small = Style(s.body), Style(s.small)
    padding = 3

    def count(n: int) -> str:
        return str(n) if n else "–"

    number_w = round(text_width("00", small)) + 2 * padding + 4
    if sheet.inner >= 480:
        heads = list(DOC_HEADER[2:])
        count_w = round(max(text_width(h, small.bold) for h in heads)) + 2 * padding + 4
        widths = [number_w, sheet.inner - number_w - 3 * count_w, count_w, count_w, count_w]
        counts = [[count(d.originals), count(d.certified_copies), count(d.photocopies)] for d in data.documents]
        head_style = small.bold
    else:
        heads, head_style = ["/".join(DOC_HEADER[2:])], Style(s.small - 4, Weight.BOLD)
        count_w = round(text_width(heads[0], head_style)) + 2 * padding + 4
        widths = [number_w, sheet.inner - number_w - count_w, count_w]
        counts = [[f"{count(d.originals)}/{count(d.certified_copies)}/{count(d.photocopies)}"] for d in data.documents]
    header = [Cell.of(DOC_HEADER[0], small.bold, "center"), Cell.of(DOC_HEADER[1], small.bold)]
    header += [Cell.of(h, head_style, "center") for h in heads]
    rows = [
        [Cell.of(str(i), small, "center"), Cell.of(doc.name, small), *(Cell.of(c, small, "center") for c in row)]
        for i, (doc, row) in enumerate(zip(data.documents, counts, strict=True), 1)
    ]
    sheet.text("Thành phần hồ sơ nộp gồm:", body.bold)
    sheet.table(header, rows, widths, padding=padding)
    sheet.text(DOC_LEGEND, Style(s.small - 2, Weight.ITALIC))


def _receipt_parts(data: ReceiptData, profile: PrinterProfile, copy: str) -> list[Part]:
    s = sizes_for(profile.width_px)
    body, small = Style(s.body), Style(s.small)
    centre = data.centre
    parts: list[Part] = []
    sheet = Sheet(profile.width_px)
    _header(sheet, centre.governing_body, centre.centre_name, centre.branch_name, s)
    sheet.rule(2, gap=10)
    sheet.text(TITLE, Style(s.title, Weight.BOLD), "center", balance=True)
    sheet.space(4)
    sheet.text("Mã hồ sơ:", body, "center")
    sheet.text(data.code, Style(s.code, Weight.BOLD), "center")
    if copy:
        sheet.text(f"({copy})", Style(s.small, Weight.ITALIC), "center")
    sheet.rule(2, gap=10)

    def field(label: str, value: str) -> None:
        if value:
            sheet.label_value(label, value, body)

    field("Tiếp nhận hồ sơ của (Ông/Bà):", data.applicant_name)
    field("Địa chỉ:", data.address)
    field("Số điện thoại:", data.phone)
    field("Email:", data.email)
    field("Số CCCD/Hộ chiếu:", data.id_number)
    field("Chủ hồ sơ:", data.owner_name)
    field("Nội dung yêu cầu giải quyết:", data.request)
    field("Phí, lệ phí:", data.fee_text)
    sheet.space(4)
    if data.documents:
        _documents_table(sheet, data, s)
        sheet.space(4)
    field("Số lượng hồ sơ:", f"{data.sets:02d} (bộ)")
    field("Thời gian giải quyết theo quy định:", data.duration_text)
    field("Thời gian nhận hồ sơ:", vn_datetime(data.received_at))
    if data.due_at is not None:
        field("Thời gian trả kết quả:", vn_datetime(data.due_at))
    field("Đăng ký nhận kết quả tại:", data.return_place)
    if data.register_book or data.register_line:
        field("Vào Sổ theo dõi hồ sơ:", f"Quyển số {data.register_book}, số thứ tự {data.register_line}")
    field("Người tiếp nhận hồ sơ:", data.clerk_name)
    sheet = _qr(sheet, parts, data.qr_payload, s.qr_module, profile.native_qr)
    if data.qr_payload:
        sheet.text("Quét mã để tra cứu tiến độ hồ sơ", small, "center")
    _footer(sheet, centre.footer, centre.hotline, s)
    return _finish(sheet, parts)


def _footer(sheet: Sheet, footer: str, hotline: str, s: Sizes) -> None:
    if footer or hotline:
        sheet.rule(1, gap=10)
    if footer:
        sheet.text(footer, Style(s.small, Weight.ITALIC), "center", balance=True)
    if hotline:
        sheet.text(f"Đường dây nóng: {hotline}", Style(s.small), "center")
    sheet.space(4)


def _copies(data: ReceiptData, copy: str | None) -> tuple[str, ...]:
    if copy is not None:
        return (copy,)
    return data.copies or ("",)


def receipt_images(data: ReceiptData, profile: PrinterProfile, copy: str | None = None) -> list[Image.Image]:
    """The GS v 0 images of one copy (``copy`` is its label, default the first of ``data.copies``), in order."""
    label = _copies(data, None)[0] if copy is None else copy
    return [p for p in _receipt_parts(data, profile, label) if isinstance(p, Image.Image)]


def receipt_escpos(data: ReceiptData, profile: PrinterProfile, *, copy: str | None = None) -> bytes:
    """ESC/POS bytes for every copy in ``data.copies`` (or just ``copy``), each ending with a cut."""
    return _escpos([_receipt_parts(data, profile, label) for label in _copies(data, copy)], profile)


# --- Ticket slip ----------------------------------------------------------------------------------------


def _ticket_parts(data: TicketSlipData, profile: PrinterProfile) -> list[Part]:
    s = sizes_for(profile.width_px)
    body, small = Style(s.body), Style(s.small)
    parts: list[Part] = []
    sheet = Sheet(profile.width_px)
    _header(sheet, "", data.centre.centre_name, data.centre.branch_name, s)
    sheet.rule(2, gap=10)
    sheet.text(data.service_name, Style(s.title, Weight.BOLD), "center", balance=True)
    sheet.space(s.huge // 6)
    sheet.text(data.number, Style(s.huge, Weight.BOLD), "center", tight=True)
    sheet.space(s.huge // 6)
    if data.priority_label:
        sheet.text(f"ƯU TIÊN: {data.priority_label.upper()}", Style(s.body, Weight.BOLD), "center")
    sheet.space(6)
    sheet.paragraph([("Số người chờ trước: ", body), (str(data.people_ahead), body.bold)], "center")
    if data.counters:
        sheet.text(f"Quầy phục vụ: {', '.join(data.counters)}", body, "center")
    sheet.text(f"Lấy số lúc {vn_datetime(data.issued_at)}", small, "center", balance=True)
    sheet = _qr(sheet, parts, data.qr_payload, s.qr_module, profile.native_qr)
    if data.qr_payload:
        sheet.text("Quét mã để theo dõi lượt gọi", small, "center")
    _footer(sheet, "", data.centre.hotline, s)
    return _finish(sheet, parts)


def ticket_images(data: TicketSlipData, profile: PrinterProfile) -> list[Image.Image]:
    """The GS v 0 images of the ticket slip, in order."""
    return [p for p in _ticket_parts(data, profile) if isinstance(p, Image.Image)]


def ticket_escpos(data: TicketSlipData, profile: PrinterProfile) -> bytes:
    return _escpos([_ticket_parts(data, profile)], profile)


# --- ESC/POS ---------------------------------------------------------------------------------------------

_INVERT = bytes(255 - i for i in range(256))


def raster_command(image: Image.Image) -> bytes:
    """GS v 0 for a 1-bit image whose width is a multiple of 8: byte for byte what python-escpos'
    ``image(img, impl="bitImageRaster")`` sends (a test compares them), without the four whole-image
    colour conversions it makes first (≈ 7 ms per 960-row strip, more than the rest of a receipt)."""
    if image.mode != "1" or image.width % 8:
        raise ValueError(f"needs a 1-bit image with a width divisible by 8, got {image.mode} {image.size}")
    size = (image.width // 8).to_bytes(2, "little") + image.height.to_bytes(2, "little")
    return b"\x1dv0\x00" + size + image.tobytes().translate(_INVERT)  # Pillow: 1 = white; ESC/POS: 1 = ink


def _escpos(jobs: Sequence[Sequence[Part]], profile: PrinterProfile) -> bytes:
    """Initialise, then per job its images and native QR codes, then a cut (or a tear-off feed)."""
    printer = dummy_printer(profile.escpos_profile)
    ec_m = escpos_constants().QR_ECLEVEL_M
    with quiet():
        printer.hw("INIT")
        for parts in jobs:
            for part in parts:
                if isinstance(part, Qr):
                    printer.set(align="center")
                    printer.qr(part.payload, ec=ec_m, size=part.module_px, native=True)
                    printer.set(align="left")
                elif part.width > profile.width_px:
                    raise ValueError(f"image {part.width} px wide on {profile.width_px} px paper")
                elif part.mode == "1" and part.width % 8 == 0:
                    printer._raw(raster_command(part))
                else:
                    printer.image(part, impl="bitImageRaster", fragment_height=FRAGMENT_ROWS)
            if profile.cut:
                printer.cut(mode="PART" if profile.partial_cut else "FULL")
            else:
                printer.print_and_feed(4)
    output: bytes = printer.output
    return output


def warm_up(profile: PrinterProfile) -> None:
    """Render a sample receipt and ticket once, so the glyph caches are filled before the first citizen's
    receipt (the first render in a process takes ~0.2 s; later ones ~20 ms). Run it on the printing
    thread at start-up."""
    from counterapp.printing.samples import sample_receipt, sample_ticket

    receipt_images(sample_receipt(), profile)
    ticket_images(sample_ticket(), profile)
