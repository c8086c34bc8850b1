"""Thermal printer profiles: paper width in dots and what the firmware can do.

``escpos_profile`` names an escpos-printer-db profile (python-escpos ``capabilities.json``); it decides
which commands python-escpos is willing to send (cutting, native QR). Text is never sent in text mode:
every line is a GS v 0 raster image (PRINTING_PACKAGING.md §1), so the code pages do not matter.
"""

from __future__ import annotations

from dataclasses import dataclass

from counterapp.domain.errors import ValidationFailed


@dataclass(frozen=True)
class PrinterProfile:
    name: str
    escpos_profile: str
    width_px: int  # printable dots per line (203 dpi: 576 on 80 mm paper, 384 on 58 mm)
    native_qr: bool  # GS ( k; otherwise the QR code is drawn into the raster image
    cut: bool = True  # GS V after every copy; otherwise the paper is fed for tearing off
    partial_cut: bool = False


PROFILES: dict[str, PrinterProfile] = {
    p.name: p
    for p in (
        # Epson TM-T20II and compatibles: 576 dots, GS ( k QR, full and partial cut.
        PrinterProfile("80mm", "TM-T20II", 576, native_qr=True),
        # 80 mm printers whose firmware lacks GS ( k (many clones): the QR code travels as an image.
        # TH230 is the escpos-printer-db profile with 576 dots, cutter and no QR support.
        PrinterProfile("80mm-noqr", "TH230", 576, native_qr=False),
        # 58 mm "POS-5890" class (Xprinter XP-58 and clones): 384 dots, no QR command, no cutter.
        PrinterProfile("58mm", "POS-5890", 384, native_qr=False, cut=False),
    )
}


def profile(name: str) -> PrinterProfile:
    """The profile called ``name``; ``ValidationFailed`` (printer.profile_unknown) for any other name."""
    try:
        return PROFILES[name]
    except KeyError:
        raise ValidationFailed.single("printer.profile", "printer.profile_unknown", name=name) from None
