from datetime import date

import pytest

from counterapp.domain.codes import (
    DossierCode,
    SequenceExhausted,
    build_dossier_code,
    build_ticket_number,
    is_valid_dossier_code,
    parse_dossier_code,
    parse_ticket_number,
)
from counterapp.domain.errors import ValidationFailed

AGENCY = "000.00.01.H26"


def test_build_and_format_a_dossier_code():
    code = build_dossier_code(AGENCY, date(2025, 3, 14), 12)
    assert str(code) == "000.00.01.H26-250314-0012"
    assert str(build_dossier_code("000.a0.01.h26", date(2021, 2, 12), 9090)) == "000.A0.01.H26-210212-9090"


def test_parse_round_trips_and_tolerates_case_and_spaces():
    code = parse_dossier_code("  000.00.01.h26-260930-0012 ")
    assert code == DossierCode(AGENCY, date(2026, 9, 30), 12)
    assert parse_dossier_code(str(code)) == code


def test_sequence_9999_is_the_last_and_past_it_is_an_explicit_error():
    assert str(build_dossier_code(AGENCY, date(2025, 3, 14), 9999)).endswith("-9999")
    with pytest.raises(SequenceExhausted) as caught:
        build_dossier_code(AGENCY, date(2025, 3, 14), 10_000)
    assert caught.value.code == "code.sequence_exhausted"
    assert caught.value.params == {"kind": "dossier", "day": "2025-03-14", "limit": 9999}


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("000.00.01.H26-250314-12", "dossier_code.format"),  # sequence not 4 digits
        ("000.00.01.H26-250314-12345", "dossier_code.format"),  # five digits never exist
        ("000.00.01-250314-0012", "dossier_code.format"),  # agency code incomplete
        ("000.00.01.H26-250231-0012", "dossier_code.date"),  # 31 February
        ("000.00.01.H26-250314-0000", "dossier_code.sequence_invalid"),
        ("", "dossier_code.format"),
    ],
)
def test_bad_dossier_codes_name_the_problem(text, error):
    with pytest.raises(ValidationFailed) as caught:
        parse_dossier_code(text)
    assert caught.value.errors[0].field == "dossier_code"
    assert caught.value.errors[0].code == error
    assert not is_valid_dossier_code(text)


def test_bad_agency_code_and_sequence_on_build():
    with pytest.raises(ValidationFailed) as caught:
        build_dossier_code("H26", date(2025, 1, 2), 1)
    assert caught.value.errors[0].code == "agency_code.invalid"
    with pytest.raises(ValidationFailed):
        build_dossier_code(AGENCY, date(2025, 1, 2), 0)


def test_codes_sort_by_agency_date_then_sequence():
    a = build_dossier_code(AGENCY, date(2025, 1, 2), 2)
    b = build_dossier_code(AGENCY, date(2025, 1, 2), 10)
    c = build_dossier_code(AGENCY, date(2025, 1, 3), 1)
    assert sorted([c, b, a]) == [a, b, c]


def test_ticket_numbers():
    assert str(build_ticket_number("a", 15)) == "A015"
    assert str(build_ticket_number("HT", 1234)) == "HT1234"
    assert parse_ticket_number("a015") == build_ticket_number("A", 15)
    assert parse_ticket_number("B1000").number == 1000
    with pytest.raises(SequenceExhausted):
        build_ticket_number("A", 10_000)
    for bad in ("015", "A15", "A0015", "A000", "ABCD001", "A-015", ""):
        with pytest.raises(ValidationFailed):
            parse_ticket_number(bad)
    with pytest.raises(ValidationFailed) as caught:
        build_ticket_number("1", 1)
    assert caught.value.errors[0].code == "ticket.prefix_invalid"
