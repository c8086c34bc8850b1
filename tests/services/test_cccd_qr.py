from datetime import date

import pytest

from counterapp.domain.errors import ValidationFailed
from counterapp.domain.identity import Sex
from counterapp.services.cccd_qr import looks_like_qr, parse_cccd_qr

PAYLOAD = "001190012345|012345678|Nguyễn Thị Tuyến|17051990|Nữ|Số 12 Hàng Bông, Hoàn Kiếm, Hà Nội|01072021"


def test_full_payload_is_parsed():
    qr = parse_cccd_qr(PAYLOAD)
    assert qr.id_number == "001190012345" and qr.old_id_number == "012345678"
    assert qr.name == "Nguyễn Thị Tuyến"
    assert qr.date_of_birth == date(1990, 5, 17) and qr.issued_on == date(2021, 7, 1)
    assert qr.sex is Sex.FEMALE
    assert qr.address == "Số 12 Hàng Bông, Hoàn Kiếm, Hà Nội"


def test_empty_old_id_missing_issue_date_and_decomposed_text():
    # GIVEN a scanner that sends NFD text, no old CMND and no issue date
    qr = parse_cccd_qr("079090001234||Tra\u0302\u0300n Va\u0306n Nam|01011990|Nam|TP HCM")
    assert qr.old_id_number is None and qr.issued_on is None
    assert qr.name == "Trần Văn Nam" and qr.sex is Sex.MALE


@pytest.mark.parametrize(
    "text", ["001190012345", "a|b|c|d|e|f", "00119001234|x|Tên|17051990|Nam|HN", "001190012345||  |17051990|Nam|HN"]
)
def test_not_a_payload(text):
    with pytest.raises(ValidationFailed) as caught:
        parse_cccd_qr(text)
    assert caught.value.fields == ("qr",)


def test_bad_date_is_left_empty_and_detection():
    assert parse_cccd_qr("001190012345||Tên|31021990|?|HN").date_of_birth is None
    assert looks_like_qr(PAYLOAD) and not looks_like_qr("Nguyễn | Văn")
