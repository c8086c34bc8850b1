import json
import unicodedata
from collections import Counter
from datetime import date

import pytest

from counterapp.datafiles.catalogue import DEMO_CATALOGUE, demo_catalogue
from counterapp.datafiles.paths import resource
from counterapp.domain.duedate import DurationUnit
from counterapp.domain.procedure import ProcedureNotFound, ReturnOption


def test_at_least_30_procedures_over_many_sectors_marked_demo():
    catalogue = demo_catalogue()
    assert catalogue.demo is True
    assert len(catalogue.procedures) >= 30
    sectors = Counter(p.sector_code for p in catalogue.procedures)
    for sector in ("HOTICH", "CHUNGTHUC", "HKD", "DATDAI", "XAYDUNG"):
        assert sectors[sector] >= 1, sector
    assert len(sectors) >= 6


def test_every_string_in_the_file_is_nfc():
    def strings(node):
        if isinstance(node, str):
            yield node
        elif isinstance(node, dict):
            for value in node.values():
                yield from strings(value)
        elif isinstance(node, list):
            for value in node:
                yield from strings(value)

    raw = json.loads(resource(DEMO_CATALOGUE).read_text(encoding="utf-8"))
    assert all(unicodedata.is_normalized("NFC", s) for s in strings(raw))


def test_realistic_shapes():
    catalogue = demo_catalogue()
    birth = catalogue.get("1.001193")
    assert birth.name == "Đăng ký khai sinh"
    assert birth.cutoff is not None and birth.duration.value == 0
    assert any(c.required for c in birth.components)
    units = {p.duration.unit for p in catalogue.procedures}
    assert DurationUnit.WORKING_DAYS in units
    assert all(p.return_options and set(p.return_options) <= set(ReturnOption) for p in catalogue.procedures)
    assert all(p.is_valid_on(date(2026, 11, 28)) for p in catalogue.procedures)


def test_search_ignores_diacritics_and_case():
    catalogue = demo_catalogue()
    assert catalogue.search("dang ky khai sinh")[0].code == "1.001193"
    assert catalogue.search("KHAI SINH") == catalogue.search("khai sinh")
    assert {p.code for p in catalogue.search("chứng thực bản sao")} >= {"2.000815"}
    assert catalogue.search("1.001193")[0].code == "1.001193"
    assert catalogue.search("no such words here") == []


def test_unknown_code():
    with pytest.raises(ProcedureNotFound) as caught:
        demo_catalogue().get("9.999999")
    assert caught.value.code == "procedure.not_found"
