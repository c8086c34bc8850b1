import unicodedata
from datetime import date

import pytest

from counterapp.domain.applicant import validate_applicant
from counterapp.domain.errors import ValidationFailed
from counterapp.domain.identity import IdType, Sex

TODAY = date(2026, 11, 28)
GOOD = {
    "name": "  nguyễn   thị Tuyến ",
    "id_number": "001190012345",
    "date_of_birth": "17/05/1990",
    "sex": "female",
    "address": "Số 12,  ngõ 34 phố Hàng Bông,\nphường Hoàn Kiếm, Hà Nội",
    "phone": "0912 345 678",
    "email": "Tuyen.Nguyen@Example.vn",
}


def test_a_good_applicant_is_normalised():
    applicant = validate_applicant(GOOD, today=TODAY)
    assert applicant.name == "nguyễn thị Tuyến"  # NFC, spaces folded; case is the clerk's choice
    assert applicant.personal_id.id_type is IdType.CCCD
    assert applicant.date_of_birth == date(1990, 5, 17)
    assert applicant.sex is Sex.FEMALE
    assert applicant.address == "Số 12, ngõ 34 phố Hàng Bông, phường Hoàn Kiếm, Hà Nội"
    assert applicant.phone.national == "0912345678"
    assert applicant.email == "tuyen.nguyen@example.vn"


def test_nfd_input_is_stored_as_nfc():
    raw = {**GOOD, "name": unicodedata.normalize("NFD", "Đặng Hữu Phước")}
    assert validate_applicant(raw, today=TODAY).name == "Đặng Hữu Phước"


def test_every_bad_field_is_reported_at_once_and_named():
    raw = {
        "name": "Nguyễn Văn 3",
        "id_number": "00109001234",
        "date_of_birth": "31/02/1990",
        "sex": "x",
        "address": " ",
        "phone": "012",
        "email": "not-an-email",
    }
    with pytest.raises(ValidationFailed) as caught:
        validate_applicant(raw, today=TODAY, prefix="owner")
    assert [(e.field, e.code) for e in caught.value.errors] == [
        ("owner.name", "name.characters"),
        ("owner.sex", "sex.invalid"),
        ("owner.date_of_birth", "date_of_birth.invalid"),
        ("owner.id_number", "cccd.length"),
        ("owner.address", "address.required"),
        ("owner.phone", "phone.length"),
        ("owner.email", "email.invalid"),
    ]
    # the message names fields and codes but never echoes what was typed
    assert "00109001234" not in str(caught.value)
    assert "Nguyễn" not in str(caught.value)


def test_id_and_date_of_birth_must_agree():
    with pytest.raises(ValidationFailed) as caught:
        validate_applicant({**GOOD, "date_of_birth": "1991-05-17"}, today=TODAY)
    assert caught.value.errors[0].code == "cccd.birth_year_mismatch"


def test_other_id_types_and_optional_fields():
    raw = {"name": "Lê Văn Ánh", "id_type": "cmnd", "id_number": "012345678", "address": "Hà Nội"}
    applicant = validate_applicant(raw, today=TODAY, phone_required=False)
    assert applicant.personal_id.id_type is IdType.CMND
    assert applicant.phone is None and applicant.email is None and applicant.date_of_birth is None
    with pytest.raises(ValidationFailed) as caught:
        validate_applicant({**raw, "id_type": "driver"}, today=TODAY, phone_required=False)
    assert caught.value.fields == ("applicant.id_type",)


def test_date_of_birth_formats_and_limits():
    for text in ("1990-05-17", "17/05/1990", "17051990"):
        assert validate_applicant({**GOOD, "date_of_birth": text}, today=TODAY).date_of_birth == date(1990, 5, 17)
    with pytest.raises(ValidationFailed) as caught:
        validate_applicant({**GOOD, "id_number": "001327012345", "date_of_birth": "2027-01-01"}, today=TODAY)
    assert "date_of_birth.future" in [e.code for e in caught.value.errors]
