from datetime import date, time

import pytest

from counterapp.domain.errors import ValidationFailed
from counterapp.domain.procedure import DocumentForm, catalogue_from_mapping, procedure_from_mapping

GOOD = {
    "code": "2.000635",
    "name": "Cấp bản sao Trích lục hộ tịch",
    "sector_code": "HOTICH",
    "sector": "Hộ tịch",
    "agency": "UBND cấp xã",
    "level": "xa",
    "duration": {"value": 0, "unit": "working_days"},
    "cutoff": "15:00",
    "components": [
        {"code": "TK", "name": "Tờ khai", "required": True, "originals": 1},
        {"code": "UQ", "name": "Văn bản ủy quyền", "required": False, "certified_copies": 1},
    ],
    "return_options": ["counter", "postal"],
    "valid_from": "2025-07-01",
    "valid_to": None,
}


def test_a_good_procedure():
    p = procedure_from_mapping(GOOD)
    assert p.cutoff == time(15)
    assert p.components[1].expected(DocumentForm.CERTIFIED_COPY) == 1
    assert p.components[0].expected(DocumentForm.PHOTOCOPY) == 0
    assert p.is_valid_on(date(2025, 7, 1)) and not p.is_valid_on(date(2025, 6, 30))


def test_every_problem_is_named():
    bad = {
        **GOOD,
        "code": "2.635",
        "duration": {"value": 1.5, "unit": "working_days"},
        "cutoff": "25:00",
        "components": [{"code": "X", "name": "", "originals": -1}],
        "return_options": ["drone"],
        "valid_to": "2025-13-01",
    }
    with pytest.raises(ValidationFailed) as caught:
        procedure_from_mapping(bad, "procedures[3]")
    assert [(e.field, e.code) for e in caught.value.errors] == [
        ("procedures[3].code", "procedure.code_invalid"),
        ("procedures[3].duration", "duration.whole_days_required"),
        ("procedures[3].cutoff", "time.invalid"),
        ("procedures[3].components[0].originals", "component.count_invalid"),
        ("procedures[3].components[0].name", "component.name_required"),
        ("procedures[3].components[0]", "component.no_copies"),
        ("procedures[3].return_options", "procedure.return_option_invalid"),
        ("procedures[3].valid_to", "date.invalid"),
    ]


def test_catalogue_rejects_duplicates_and_unknown_schema():
    with pytest.raises(ValidationFailed) as caught:
        catalogue_from_mapping({"schema": 1, "procedures": [GOOD, GOOD]})
    assert caught.value.errors[0].code == "procedure.code_duplicate"
    with pytest.raises(ValidationFailed):
        catalogue_from_mapping({"schema": 7, "procedures": []})
