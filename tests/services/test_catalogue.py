from datetime import date

from counterapp.services.catalogue import find_procedures, get_procedure

from .conftest import NOW


def test_the_stored_catalogue_is_searched_without_diacritics(store):
    with store.read() as s:
        found = [p.code for p in find_procedures(s, "dang ky khai sinh", on=NOW.date())]
        # the exact name first, though 1.000689 ("… khai sinh kết hợp …") comes first by code
        assert found[0] == "1.001193" and "1.000689" in found
        assert [p.code for p in find_procedures(s, "1.000689")] == ["1.000689"]
        assert find_procedures(s, "khai sinh", limit=1)[0].name == "Đăng ký khai sinh"
        assert find_procedures(s, "KHAI SINH") == find_procedures(s, "khai sinh")
        assert find_procedures(s, "no such words") == []
        assert find_procedures(s, "khai sinh", on=date(2025, 6, 30)) == []  # before the catalogue's validity
        assert len(find_procedures(s, "", limit=5)) == 5
        assert get_procedure(s, "1.001193").name == "Đăng ký khai sinh"
