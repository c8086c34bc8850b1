"""Ranking the procedure catalogue as the clerk types (``rank_procedures``), on the demo catalogue: the
procedure the clerk means comes first, the filter is the picker's (every word, diacritics and case
ignored), and the order is deterministic."""

from __future__ import annotations

import dataclasses
import random

import pytest

from counterapp.datafiles.catalogue import demo_catalogue
from counterapp.domain.procedure import Procedure, rank_procedures
from counterapp.domain.text import search_key

CATALOGUE = demo_catalogue().procedures


def names(found: list[Procedure]) -> list[str]:
    return [p.name for p in found]


def picker_filter(query: str) -> set[str]:
    """The procedure picker's filter as it was before ranking (every word in code, name or sector)."""
    words = search_key(query).split()
    return {p.code for p in CATALOGUE if all(w in p.search_text for w in words)}


@pytest.mark.parametrize(
    "order",
    [
        pytest.param(CATALOGUE, id="catalogue"),
        pytest.param(sorted(CATALOGUE, key=lambda p: p.code), id="by-code"),  # the stored catalogue's order
        pytest.param(CATALOGUE[::-1], id="reversed"),
    ],
)
def test_khai_sinh_lists_the_exact_procedure_before_longer_ones_that_contain_it(order: list[Procedure]):
    found = names(rank_procedures(order, "khai sinh"))
    assert found == [
        "Đăng ký khai sinh",
        "Đăng ký lại khai sinh",
        "Đăng ký khai sinh có yếu tố nước ngoài",
        "Đăng ký khai sinh kết hợp đăng ký nhận cha, mẹ, con",
    ]


@pytest.mark.parametrize("query", ["dang ky khai sinh", "ĐĂNG KÝ KHAI SINH", "Dang Ky Khai Sinh", "  khai   sinh "])
def test_queries_without_diacritics_or_in_any_case_rank_the_same(query: str):
    found = rank_procedures(CATALOGUE[::-1], query)
    assert found[0].code == "1.001193"
    assert {p.code for p in found} == picker_filter(query)


def test_the_exact_name_comes_before_names_that_start_with_it():
    found = names(rank_procedures(CATALOGUE, "dang ky ket hon"))
    assert found == ["Đăng ký kết hôn", "Đăng ký kết hôn có yếu tố nước ngoài"]


@pytest.mark.parametrize("code", ["1.000689", "2.000815", "1.001193"])
def test_a_code_puts_that_procedure_first(code: str):
    found = rank_procedures(CATALOGUE, code)
    assert found[0].code == code


def test_the_exact_code_comes_before_a_name_match():
    """A procedure whose name happens to contain the code (a renamed act, say) still ranks below the code."""
    target = next(p for p in CATALOGUE if p.code == "2.000635")
    decoy = dataclasses.replace(CATALOGUE[0], code="9.999999", name="Thủ tục thay thế 2.000635")
    assert [p.code for p in rank_procedures([decoy, target], "2.000635")] == ["2.000635", "9.999999"]


def test_a_name_starting_with_the_query_comes_before_one_that_only_contains_it():
    found = names(rank_procedures(CATALOGUE, "chung thuc"))
    starting = [n for n in found if search_key(n).startswith("chung thuc")]
    assert found[: len(starting)] == starting and len(starting) == 4
    # AND within that group the shorter name comes first
    assert found[0] == "Chứng thực di chúc"


def test_the_query_as_a_phrase_beats_the_same_words_apart():
    # "ho tich" is the phrase in "Cấp bản sao Trích lục hộ tịch"; the other matches have it only as sector
    found = names(rank_procedures(CATALOGUE, "ho tich"))
    assert found[0] == "Cấp bản sao Trích lục hộ tịch"
    assert found.index("Đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch") < found.index("Đăng ký khai tử")


def test_the_last_word_may_still_be_being_typed():
    found = names(rank_procedures(CATALOGUE, "dang ky khai s"))
    assert found[0] == "Đăng ký khai sinh"
    assert found.index("Đăng ký khai sinh kết hợp đăng ký nhận cha, mẹ, con") < found.index("Đăng ký lại khai sinh")


def test_the_filter_is_unchanged_and_an_empty_query_keeps_the_catalogue_order():
    for query in ("khai sinh", "ho tich", "uy ban", "1.00", "no such words here", "đất đai"):
        assert {p.code for p in rank_procedures(CATALOGUE, query)} == picker_filter(query)
    assert rank_procedures(CATALOGUE, "   ") == list(CATALOGUE)
    assert rank_procedures(CATALOGUE, "no such words here") == []


def test_the_order_is_deterministic_and_ties_keep_the_given_order():
    shuffled = list(CATALOGUE)
    random.Random(7).shuffle(shuffled)
    assert rank_procedures(shuffled, "ho tich") == rank_procedures(shuffled, "ho tich")
    # two procedures equal in every respect but their code keep the order they were given in
    twin_a = dataclasses.replace(CATALOGUE[0], code="9.000001")
    twin_b = dataclasses.replace(CATALOGUE[0], code="9.000002")
    assert rank_procedures([twin_b, twin_a], "khai sinh") == [twin_b, twin_a]
    assert rank_procedures([twin_a, twin_b], "khai sinh") == [twin_a, twin_b]


def test_the_catalogue_search_uses_the_ranking():
    catalogue = demo_catalogue()
    assert catalogue.search("khai sinh")[0].name == "Đăng ký khai sinh"
    assert catalogue.search("khai sinh", limit=2) == rank_procedures(catalogue.procedures, "khai sinh")[:2]
