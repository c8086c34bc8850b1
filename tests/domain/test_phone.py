import pytest

from counterapp.domain.errors import FieldError
from counterapp.domain.phone import PhoneKind, check_phone


@pytest.mark.parametrize(
    ("value", "national"),
    [
        ("0912345678", "0912345678"),  # VinaPhone
        ("0912 345 678", "0912345678"),
        ("0912.345.678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("84912345678", "0912345678"),
        ("0326789012", "0326789012"),  # Viettel 032
        ("0868123456", "0868123456"),  # Viettel 086
        ("0708123456", "0708123456"),  # MobiFone 070
        ("0521234567", "0521234567"),  # Vietnamobile 052
        ("0991234567", "0991234567"),  # Gmobile 099
        ("0871234567", "0871234567"),  # iTel 087
    ],
)
def test_mobile_numbers(value, national):
    result = check_phone(value)
    assert not isinstance(result, FieldError), result
    assert result.national == national
    assert result.kind is PhoneKind.MOBILE
    assert result.e164 == "+84" + national[1:]


def test_landlines():
    hanoi = check_phone("024 3825 1234")
    assert hanoi.national == "02438251234" and hanoi.kind is PhoneKind.LANDLINE
    assert check_phone("(0203) 382 5123").kind is PhoneKind.LANDLINE


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "phone.required"),
        ("091234567", "phone.length"),
        ("09123456789", "phone.length"),
        ("0243825123", "phone.length"),  # landline one digit short
        ("0112345678", "phone.prefix_unknown"),
        ("0951234567", "phone.prefix_unknown"),  # 095 is not in service
        ("09l2345678", "phone.not_digits"),
        ("+1 212 555 0100", "phone.foreign"),
        ("912345678", "phone.format"),
    ],
)
def test_bad_numbers(value, code):
    result = check_phone(value, "applicant.phone")
    assert isinstance(result, FieldError)
    assert (result.field, result.code) == ("applicant.phone", code)
