"""Personal identification numbers: CCCD / personal ID (12 digits), old CMND (9 digits), passport.

The 12-digit number is ``PPP G YY NNNNNN`` (Circular 07/2016/TT-BCA Art. 7, DOMAIN.md §6): the
province of birth registration, a digit for sex and century, the last two digits of the birth year
and six random digits. There is no check digit, so validation checks the structure, and the birth
year and sex against the date of birth and sex when those were entered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from counterapp.domain.errors import FieldError

# Province codes of birth registration (the 63 provinces before the 2025 mergers; numbers already
# issued keep their code, so the list does not shrink).
PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn", "008": "Tuyên Quang",
    "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu", "014": "Sơn La", "015": "Yên Bái",
    "017": "Hòa Bình", "019": "Thái Nguyên", "020": "Lạng Sơn", "022": "Quảng Ninh",
    "024": "Bắc Giang", "025": "Phú Thọ", "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương",
    "031": "Hải Phòng", "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định",
    "037": "Ninh Bình", "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh", "044": "Quảng Bình",
    "045": "Quảng Trị", "046": "Thừa Thiên Huế", "048": "Đà Nẵng", "049": "Quảng Nam",
    "051": "Quảng Ngãi", "052": "Bình Định", "054": "Phú Yên", "056": "Khánh Hòa",
    "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum", "064": "Gia Lai", "066": "Đắk Lắk",
    "067": "Đắk Nông", "068": "Lâm Đồng", "070": "Bình Phước", "072": "Tây Ninh",
    "074": "Bình Dương", "075": "Đồng Nai", "077": "Bà Rịa - Vũng Tàu", "079": "Hồ Chí Minh",
    "080": "Long An", "082": "Tiền Giang", "083": "Bến Tre", "084": "Trà Vinh", "086": "Vĩnh Long",
    "087": "Đồng Tháp", "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ", "093": "Hậu Giang",
    "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}  # fmt: skip


class IdType(StrEnum):
    CCCD = "cccd"  # 12-digit personal ID number (thẻ căn cước / CCCD / số định danh)
    CMND = "cmnd"  # old 9-digit identity card
    PASSPORT = "passport"


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


@dataclass(frozen=True, slots=True)
class PersonalId:
    id_type: IdType
    number: str
    province_code: str | None = None
    sex: Sex | None = None
    birth_year: int | None = None


def _compact(value: str) -> str:
    return "".join(value.split()).replace(".", "").replace("-", "")


def check_cccd(
    value: str,
    field: str = "id_number",
    *,
    today: date,
    date_of_birth: date | None = None,
    sex: Sex | None = None,
) -> PersonalId | FieldError:
    """A parsed 12-digit number, or the first problem found with it."""
    number = _compact(value)
    if not number:
        return FieldError(field, "cccd.required")
    if not number.isascii() or not number.isdigit():
        return FieldError(field, "cccd.not_digits")
    if len(number) != 12:
        return FieldError(field, "cccd.length", {"expected": 12, "actual": len(number)})
    province = number[:3]
    if province not in PROVINCE_CODES:
        return FieldError(field, "cccd.province_unknown")
    gender_century = int(number[3])
    birth_year = 1900 + (gender_century // 2) * 100 + int(number[4:6])
    encoded_sex = Sex.MALE if gender_century % 2 == 0 else Sex.FEMALE
    if birth_year > today.year:
        return FieldError(field, "cccd.century_invalid")
    if date_of_birth is not None and date_of_birth.year != birth_year:
        return FieldError(field, "cccd.birth_year_mismatch")
    if sex is not None and sex is not encoded_sex:
        return FieldError(field, "cccd.sex_mismatch")
    return PersonalId(IdType.CCCD, number, province, encoded_sex, birth_year)


def check_cmnd(value: str, field: str = "id_number") -> PersonalId | FieldError:
    number = _compact(value)
    if not number:
        return FieldError(field, "cmnd.required")
    if not number.isascii() or not number.isdigit():
        return FieldError(field, "cmnd.not_digits")
    if len(number) != 9:
        return FieldError(field, "cmnd.length", {"expected": 9, "actual": len(number)})
    return PersonalId(IdType.CMND, number)


def check_passport(value: str, field: str = "id_number") -> PersonalId | FieldError:
    number = _compact(value).upper()
    if not number:
        return FieldError(field, "passport.required")
    if not (number.isascii() and number.isalnum() and 6 <= len(number) <= 20):
        return FieldError(field, "passport.format")
    return PersonalId(IdType.PASSPORT, number)


def check_id(
    id_type: IdType,
    value: str,
    field: str = "id_number",
    *,
    today: date,
    date_of_birth: date | None = None,
    sex: Sex | None = None,
) -> PersonalId | FieldError:
    if id_type is IdType.CCCD:
        return check_cccd(value, field, today=today, date_of_birth=date_of_birth, sex=sex)
    if id_type is IdType.CMND:
        return check_cmnd(value, field)
    return check_passport(value, field)
