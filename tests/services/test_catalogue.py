from datetime import date

from counterapp.services.catalogue import find_procedures, get_procedure

from .conftest import NOW


def test_the_stored_catalogue_is_searched_without_diacritics(store):
    with store.read() as s:
        found = [p.code for p in find_procedures(s, "dang ky khai sinh", on=NOW.date())]
        assert "1.001193" in found and "1.000689" in found  # ordered by code
        assert find_procedures(s, "KHAI SINH") == find_procedures(s, "khai sinh")
        assert find_procedures(s, "no such words") == []
        assert find_procedures(s, "khai sinh", on=date(2025, 6, 30)) == []  # before the catalogue's validity
        assert len(find_procedures(s, "", limit=5)) == 5
        assert get_procedure(s, "1.001193").name == "Đăng ký khai sinh"
