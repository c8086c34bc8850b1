from datetime import date

import pytest

from counterapp.domain.errors import FieldError
from counterapp.domain.identity import (
    PROVINCE_CODES,
    IdType,
    PersonalId,
    Sex,
    check_cccd,
    check_cmnd,
    check_passport,
)

TODAY = date(2026, 11, 28)


def test_a_valid_cccd_is_parsed_into_its_parts():
    # 001 = Hà Nội, 0 = male born 1900s, 90 = 1990
    result = check_cccd("001090012345", today=TODAY)
    assert result == PersonalId(IdType.CCCD, "001090012345", "001", Sex.MALE, 1990)
    # 079 = TP.HCM, 3 = female born 2000s, 05 = 2005; spaces and dots typed by the clerk are dropped
    assert check_cccd("079 305 012345", today=TODAY).birth_year == 2005
    assert check_cccd("079.305.012345", today=TODAY).sex is Sex.FEMALE


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "cccd.required"),
        ("00109001234", "cccd.length"),
        ("0010900123456", "cccd.length"),
        ("00109001234A", "cccd.not_digits"),
        ("００１０９００１２３４５", "cccd.not_digits"),  # full-width digits are not accepted silently
        ("003090012345", "cccd.province_unknown"),  # 003 is not a province code
        ("099090012345", "cccd.province_unknown"),
        ("001490012345", "cccd.century_invalid"),  # 4 = born in the 2100s
        ("001230012345", "cccd.century_invalid"),  # 2 + 30 = born 2030
    ],
)
def test_bad_cccd_numbers(value, code):
    result = check_cccd(value, "applicant.id_number", today=TODAY)
    assert isinstance(result, FieldError)
    assert result.code == code
    assert result.field == "applicant.id_number"


def test_cccd_is_checked_against_the_date_of_birth_and_sex():
    assert check_cccd("001090012345", today=TODAY, date_of_birth=date(1990, 5, 17)).birth_year == 1990
    mismatch = check_cccd("001090012345", today=TODAY, date_of_birth=date(1991, 5, 17))
    assert isinstance(mismatch, FieldError) and mismatch.code == "cccd.birth_year_mismatch"
    wrong_sex = check_cccd("001090012345", today=TODAY, sex=Sex.FEMALE)
    assert isinstance(wrong_sex, FieldError) and wrong_sex.code == "cccd.sex_mismatch"


def test_every_province_code_is_three_digits_and_there_are_63():
    assert len(PROVINCE_CODES) == 63
    assert all(len(c) == 3 and c.isdigit() for c in PROVINCE_CODES)
    assert PROVINCE_CODES["001"] == "Hà Nội" and PROVINCE_CODES["079"] == "Hồ Chí Minh"


def test_old_cmnd_is_a_separate_kind():
    assert check_cmnd("012345678") == PersonalId(IdType.CMND, "012345678")
    assert check_cmnd("0123456789").code == "cmnd.length"
    assert check_cmnd("01234567x").code == "cmnd.not_digits"
    # a 9-digit number is never a valid CCCD
    assert check_cccd("012345678", today=TODAY).code == "cccd.length"


def test_passport():
    assert check_passport("c1234567").number == "C1234567"
    assert check_passport("C12").code == "passport.format"
