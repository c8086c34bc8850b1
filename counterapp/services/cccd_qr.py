"""The QR code on a chip CCCD / căn cước card (DOMAIN.md §6), as a keyboard-wedge scanner types it:

    ``ID|OldCMND|Full name|DDMMYYYY (birth)|Sex|Permanent address|DDMMYYYY (issued)``

The old-CMND field is often empty and some cards omit the issue date, so six or more fields are
accepted. Pure and Qt-free: the intake form calls it when a scan ends with Enter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from counterapp.domain.errors import ValidationFailed
from counterapp.domain.identity import Sex
from counterapp.domain.text import clean, search_key

__all__ = ["CccdQr", "looks_like_qr", "parse_cccd_qr"]

_SEXES = {"nam": Sex.MALE, "male": Sex.MALE, "m": Sex.MALE, "nu": Sex.FEMALE, "female": Sex.FEMALE, "f": Sex.FEMALE}


@dataclass(frozen=True, slots=True)
class CccdQr:
    id_number: str
    old_id_number: str | None
    name: str
    date_of_birth: date | None
    sex: Sex | None
    address: str
    issued_on: date | None


def looks_like_qr(text: str) -> bool:
    """A CCCD QR payload has at least five separators; typed numbers and names have none."""
    return text.count("|") >= 5


def _ddmmyyyy(value: str) -> date | None:
    digits = value.strip()
    if len(digits) != 8 or not digits.isdigit():
        return None
    try:
        return date(int(digits[4:]), int(digits[2:4]), int(digits[:2]))
    except ValueError:
        return None


def parse_cccd_qr(text: str) -> CccdQr:
    """Parse a scanned payload; raise ``ValidationFailed`` on field ``qr`` if it is not one."""
    parts = [clean(p) for p in text.strip().split("|")]
    if len(parts) < 6:
        raise ValidationFailed.single("qr", "cccd_qr.invalid")
    id_number, old_id, name, dob, sex, address = parts[:6]
    if not (id_number.isascii() and id_number.isdigit() and len(id_number) == 12) or not name:
        raise ValidationFailed.single("qr", "cccd_qr.invalid")
    return CccdQr(
        id_number=id_number,
        old_id_number=old_id or None,
        name=name,
        date_of_birth=_ddmmyyyy(dob),
        sex=_SEXES.get(search_key(sex)),
        address=address,
        issued_on=_ddmmyyyy(parts[6]) if len(parts) > 6 else None,
    )
