"""Vietnamese telephone numbers: 10-digit mobiles and 11-digit landlines (DOMAIN.md §6)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from counterapp.domain.errors import FieldError

# Mobile network prefixes after the 2018 renumbering (Viettel, VinaPhone, MobiFone, Vietnamobile,
# Gmobile, iTel). Kept as data so a new prefix is a one-line change, not a new rule.
MOBILE_PREFIXES: frozenset[str] = frozenset(
    {
        *("032", "033", "034", "035", "036", "037", "038", "039"),
        *("052", "055", "056", "058", "059"),
        *("070", "076", "077", "078", "079"),
        *("081", "082", "083", "084", "085", "086", "087", "088", "089"),
        *("090", "091", "092", "093", "094", "096", "097", "098", "099"),
    }
)
_SEPARATORS = re.compile(r"[\s.\-()]")


class PhoneKind(StrEnum):
    MOBILE = "mobile"
    LANDLINE = "landline"


@dataclass(frozen=True, slots=True)
class PhoneNumber:
    national: str  # 0912345678
    kind: PhoneKind

    @property
    def e164(self) -> str:
        return "+84" + self.national[1:]

    def __str__(self) -> str:
        return self.national


def check_phone(
    value: str, field: str = "phone", *, prefixes: frozenset[str] = MOBILE_PREFIXES
) -> PhoneNumber | FieldError:
    """Accepts ``0912 345 678``, ``0912.345.678``, ``+84912345678``, ``84912345678``, ``024 3825 1234``."""
    digits = _SEPARATORS.sub("", value)
    if not digits:
        return FieldError(field, "phone.required")
    if digits.startswith("+"):
        digits = digits[1:]
        if not digits.startswith("84"):
            return FieldError(field, "phone.foreign")
    if not digits.isascii() or not digits.isdigit():
        return FieldError(field, "phone.not_digits")
    if digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    if not digits.startswith("0"):
        return FieldError(field, "phone.format")
    if digits.startswith("02"):
        if len(digits) != 11:
            return FieldError(field, "phone.length", {"expected": 11, "actual": len(digits)})
        return PhoneNumber(digits, PhoneKind.LANDLINE)
    if len(digits) != 10:
        return FieldError(field, "phone.length", {"expected": 10, "actual": len(digits)})
    if digits[:3] not in prefixes:
        return FieldError(field, "phone.prefix_unknown")
    return PhoneNumber(digits, PhoneKind.MOBILE)
