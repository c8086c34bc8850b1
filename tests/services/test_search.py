"""Search at the counter: diacritic- and case-insensitive names, codes, ID and phone numbers."""

import unicodedata
from datetime import timedelta

import pytest

from counterapp.domain.errors import ValidationFailed
from counterapp.services import intake, leases
from counterapp.services.search import search_dossiers

from .conftest import AGENCY, NOW, intake_form

# Names with every tone (ngang, huyền, sắc, hỏi, ngã, nặng), đ/Đ and ư/ơ.
PEOPLE = [
    ("Nguyễn Thị Tuyến", "001190012345", "0912345678"),  # ngã, nặng, sắc
    ("Đặng Hữu Phước", "001090012346", "0987654321"),  # Đ, ư, ơ
    ("Trần Văn Bình", "079085123456", "0326789012"),  # huyền, ngang
    ("Phạm Thị Hồng Nhung", "001195012347", "0868123456"),
    ("Lê Thị Thủy", "038300123456", "0708123456"),  # hỏi
    ("Đỗ Quang Đạt", "001088012348", "0521234567"),
    ("Nguyễn Văn Tuấn", "001092012349", "02438251234"),  # landline
]


@pytest.fixture
def filled(store):
    with store.write() as s:
        leases.grant_lease(s, kind=leases.LeaseKind.DOSSIER_CODE, scope=AGENCY, day=NOW.date(), start=1, end=99,
                           now=NOW)  # fmt: skip
    codes = {}
    for minute, (name, id_number, phone) in enumerate(PEOPLE):
        form = intake_form()
        form["applicant"] = form["applicant"] | {"name": name, "id_number": id_number, "phone": phone,
                                                 "date_of_birth": None, "sex": None}  # fmt: skip
        with store.write() as s:
            result = intake.receive_dossier(s, form, now=NOW + timedelta(minutes=minute), user_id="c")
        codes[name] = result.dossier.code
    return codes


def names(store, query, **kw):
    with store.read() as s:
        return [item.applicant_name for item in search_dossiers(s, query, **kw).items]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("nguyen thi tuyen", ["Nguyễn Thị Tuyến"]),
        ("NGUYEN THI TUYEN", ["Nguyễn Thị Tuyến"]),
        ("Nguyễn Thị Tuyến", ["Nguyễn Thị Tuyến"]),
        ("dang huu phuoc", ["Đặng Hữu Phước"]),
        ("phuoc", ["Đặng Hữu Phước"]),
        ("do quang dat", ["Đỗ Quang Đạt"]),
        ("le thi thuy", ["Lê Thị Thủy"]),
        ("tran van binh", ["Trần Văn Bình"]),
        ("hong nhung", ["Phạm Thị Hồng Nhung"]),
        ("nguyen tu", ["Nguyễn Văn Tuấn", "Nguyễn Thị Tuyến"]),  # last word as a prefix, newest first
        ("nguyen", ["Nguyễn Văn Tuấn", "Nguyễn Thị Tuyến"]),
        ("nguyen binh", []),
    ],
)
@pytest.mark.usefixtures("filled")
def test_names_without_diacritics_or_case(store, query, expected):
    assert names(store, query) == expected


@pytest.mark.usefixtures("filled")
def test_nfd_typed_query_finds_the_same(store):
    assert names(store, unicodedata.normalize("NFD", "Đặng Hữu Phước")) == ["Đặng Hữu Phước"]


def test_by_code_cccd_and_phone_in_any_usual_format(store, filled):
    code = filled["Trần Văn Bình"]
    assert names(store, code) == ["Trần Văn Bình"]
    assert names(store, code.lower()) == ["Trần Văn Bình"]
    assert names(store, "079085123456") == ["Trần Văn Bình"]
    assert names(store, "079 085 123 456") == ["Trần Văn Bình"]
    assert names(store, "0326 789 012") == ["Trần Văn Bình"]
    assert names(store, "+84 326 789 012") == ["Trần Văn Bình"]
    assert names(store, "024 3825 1234") == ["Nguyễn Văn Tuấn"]
    assert names(store, code.split("-")[-1]) == ["Trần Văn Bình"]  # the sequence part alone


@pytest.mark.usefixtures("filled")
def test_newest_first_and_paged(store):
    with store.read() as s:
        first = search_dossiers(s, "thi", page=1, page_size=2)
        second = search_dossiers(s, "thi", page=2, page_size=2)
    assert [i.applicant_name for i in first.items] == ["Lê Thị Thủy", "Phạm Thị Hồng Nhung"]
    assert first.has_more
    assert [i.applicant_name for i in second.items] == ["Nguyễn Thị Tuyến"]
    assert not second.has_more
    with store.read() as s, pytest.raises(ValidationFailed):
        search_dossiers(s, "thi", page=0)
    with store.read() as s, pytest.raises(ValidationFailed):
        search_dossiers(s, "thi", page_size=1000)


def test_an_amended_name_is_found_under_the_new_name_only(store, filled):
    form = intake_form()
    form["applicant"] = form["applicant"] | {"name": "Vũ Thị Ánh", "date_of_birth": None, "sex": None}
    with store.write() as s:
        intake.amend_dossier(s, filled["Nguyễn Thị Tuyến"], form, now=NOW, user_id="c")
    assert names(store, "vu thi anh") == ["Vũ Thị Ánh"]
    assert names(store, "tuyen") == []


@pytest.mark.usefixtures("filled")
def test_nothing_to_search(store):
    assert names(store, "   ") == []
    assert names(store, "!!!") == []
