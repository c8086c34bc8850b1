"""The applicant (người nộp hồ sơ) and owner (chủ hồ sơ): validation of a whole form at once.

Every field is checked and every problem reported together, each naming its field, so a clerk fixes
the form in one pass and nothing typed is thrown away (the caller keeps the raw input).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from counterapp.domain.errors import FieldError, ValidationFailed
from counterapp.domain.identity import IdType, PersonalId, Sex, check_id
from counterapp.domain.phone import PhoneNumber, check_phone
from counterapp.domain.text import clean

MAX_NAME = 100
MAX_ADDRESS = 300
MAX_EMAIL = 254
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]{2,}")
_NAME_PUNCTUATION = frozenset(" '-.")


@dataclass(frozen=True, slots=True)
class Applicant:
    name: str
    personal_id: PersonalId | None
    address: str | None
    phone: PhoneNumber | None
    email: str | None = None
    date_of_birth: date | None = None
    sex: Sex | None = None


def check_name(value: object, field: str = "name") -> str | FieldError:
    name = clean(str(value or ""))
    if not name:
        return FieldError(field, "name.required")
    if len(name) > MAX_NAME:
        return FieldError(field, "name.too_long", {"max": MAX_NAME})
    if not all(ch.isalpha() or ch in _NAME_PUNCTUATION for ch in name):
        return FieldError(field, "name.characters")
    return name


def check_address(value: object, field: str = "address") -> str | FieldError:
    address = clean(str(value or ""))
    if not address:
        return FieldError(field, "address.required")
    if len(address) > MAX_ADDRESS:
        return FieldError(field, "address.too_long", {"max": MAX_ADDRESS})
    return address


def check_email(value: object, field: str = "email") -> str | FieldError | None:
    email = clean(str(value or ""))
    if not email:
        return None
    if len(email) > MAX_EMAIL or not _EMAIL.fullmatch(email):
        return FieldError(field, "email.invalid")
    return email.lower()


def parse_date_of_birth(value: object, field: str, today: date) -> date | FieldError | None:
    """ISO ``1990-05-17``, Vietnamese ``17/05/1990``, or the CCCD QR form ``17051990``."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        parsed = value
    else:
        text = str(value).strip()
        try:
            if "/" in text:
                dd, mm, yyyy = text.split("/")
                parsed = date(int(yyyy), int(mm), int(dd))
            elif len(text) == 8 and text.isdigit():
                parsed = date(int(text[4:]), int(text[2:4]), int(text[:2]))
            else:
                parsed = date.fromisoformat(text)
        except ValueError:
            return FieldError(field, "date_of_birth.invalid")
    if parsed > today:
        return FieldError(field, "date_of_birth.future")
    if parsed.year < 1900:
        return FieldError(field, "date_of_birth.too_old")
    return parsed


def _collect(errors: list[FieldError], result: Any) -> Any:
    if isinstance(result, FieldError):
        errors.append(result)
        return None
    return result


FULL = frozenset({"id_number", "address", "phone"})
NAME_ONLY: frozenset[str] = frozenset()


def validate_applicant(
    raw: Mapping[str, Any],
    *,
    today: date,
    prefix: str = "applicant",
    phone_required: bool = True,
    required: frozenset[str] = FULL,
) -> Applicant:
    """Validate a whole applicant mapping; raise :class:`ValidationFailed` listing every bad field.

    Keys: ``name, id_type (cccd|cmnd|passport; default cccd), id_number, date_of_birth, sex,
    address, phone, email``. Field names in errors are ``f"{prefix}.{key}"``. The name is always
    required; ``required`` says which of id_number, address and phone are too (a field that is not
    required is still checked when it was filled in).
    """
    if not phone_required:
        required = required - {"phone"}

    def f(key: str) -> str:
        return f"{prefix}.{key}" if prefix else key

    errors: list[FieldError] = []
    name = _collect(errors, check_name(raw.get("name"), f("name")))

    sex: Sex | None = None
    if raw.get("sex") not in (None, ""):
        try:
            sex = Sex(str(raw["sex"]).strip().lower())
        except ValueError:
            errors.append(FieldError(f("sex"), "sex.invalid"))
    dob = _collect(errors, parse_date_of_birth(raw.get("date_of_birth"), f("date_of_birth"), today))

    personal_id: PersonalId | None = None
    id_given = bool(str(raw.get("id_number") or "").strip())
    try:
        id_type = IdType(str(raw.get("id_type") or "cccd").strip().lower())
    except ValueError:  # without a known type the number cannot be judged; report the type only
        errors.append(FieldError(f("id_type"), "id_type.invalid"))
    else:
        if id_given or "id_number" in required:
            personal_id = _collect(
                errors,
                check_id(
                    id_type, str(raw.get("id_number") or ""), f("id_number"),
                    today=today, date_of_birth=dob, sex=sex,
                ),
            )  # fmt: skip

    address: str | None = None
    if "address" in required or str(raw.get("address") or "").strip():
        address = _collect(errors, check_address(raw.get("address"), f("address")))
    phone: PhoneNumber | None = None
    if "phone" in required or str(raw.get("phone") or "").strip():
        phone = _collect(errors, check_phone(str(raw.get("phone") or ""), f("phone")))
    email = _collect(errors, check_email(raw.get("email"), f("email")))

    if errors:
        raise ValidationFailed(errors)
    return Applicant(name, personal_id, address, phone, email, dob, sex)
