from datetime import date

import pytest

from counterapp.domain.calendar import (
    CalendarDataError,
    CalendarNotCovered,
    DayCategory,
    DayKind,
    calendar_from_mapping,
    override_from_mapping,
)


def _day(d, kind="off", category="holiday", name="Ngày lễ"):
    return {
        "date": d,
        "kind": kind,
        "category": category,
        "name_vi": name,
        "name_en": "Holiday",
        "basis": "test",
    }


BASE = {
    "schema": 1,
    "version": "t1",
    "years": [2030],
    "weekend": [5, 6],
    "days": [
        _day("2030-01-01"),  # Tuesday
        _day("2030-05-03", category="swap", name="Nghỉ hoán đổi"),  # Friday
        _day("2030-05-11", kind="workday", category="makeup", name="Làm bù"),  # Saturday
    ],
}


def test_weekends_holidays_swaps_and_makeup_days():
    cal = calendar_from_mapping(BASE)
    assert cal.is_working_day(date(2030, 1, 2))  # plain Wednesday
    assert not cal.is_working_day(date(2030, 1, 1))  # holiday
    assert not cal.is_working_day(date(2030, 1, 5))  # plain Saturday
    assert not cal.is_working_day(date(2030, 5, 3))  # swapped Friday
    assert cal.is_working_day(date(2030, 5, 11))  # make-up Saturday IS worked
    assert cal.why_off(date(2030, 5, 3)).category is DayCategory.SWAP
    assert cal.why_off(date(2030, 1, 5)) is None  # plain weekend: no entry


def test_add_working_days_does_not_count_the_start_day():
    cal = calendar_from_mapping(BASE)
    # Thu 2/5/2030 + 1 → Fri 3/5 is off, weekend 4–5, so Mon 6/5
    assert cal.add_working_days(date(2030, 5, 2), 1) == date(2030, 5, 6)
    # Fri 10/5 + 1 → Sat 11/5, a make-up day
    assert cal.add_working_days(date(2030, 5, 10), 1) == date(2030, 5, 11)
    assert cal.add_working_days(date(2030, 5, 10), 0) == date(2030, 5, 10)


def test_days_outside_the_data_raise_instead_of_guessing():
    cal = calendar_from_mapping(BASE)
    with pytest.raises(CalendarNotCovered) as caught:
        cal.is_working_day(date(2031, 1, 2))
    assert caught.value.code == "calendar.not_covered"
    assert caught.value.params["year"] == 2031
    # counting across the year end also stops at the edge
    with pytest.raises(CalendarNotCovered):
        cal.add_working_days(date(2030, 12, 30), 5)


def test_override_adds_removes_and_extends_coverage_and_version():
    cal = calendar_from_mapping(BASE)
    override = override_from_mapping(
        {
            "schema": 1,
            "version": "hn-1",
            "years": [2031],
            "remove": ["2030-05-03", "2030-05-11"],
            "add": [_day("2030-06-03", category="local", name="Nghỉ đột xuất")],
        }
    )
    merged = cal.with_override(override)
    assert merged.version == "t1+hn-1"
    assert merged.is_working_day(date(2030, 5, 3))  # the swap was withdrawn
    assert not merged.is_working_day(date(2030, 5, 11))  # so the Saturday is a weekend again
    assert not merged.is_working_day(date(2030, 6, 3))
    assert merged.is_working_day(date(2031, 1, 2))
    # the base calendar is unchanged
    assert not cal.is_working_day(date(2030, 5, 3))


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(schema=2), "schema"),
        (lambda d: d["days"].append(_day("2030-01-01")), "twice"),
        (lambda d: d["days"].append(_day("2029-12-31")), "outside"),
        (lambda d: d["days"].append(_day("2030-01-09", kind="workday", category="makeup")), "not a weekend"),
        (lambda d: d["days"].append(_day("2030-01-12", kind="workday", category="holiday")), "make-up"),
        (lambda d: d["days"].append(_day("2030-02-30")), "bad date"),
        (lambda d: d["days"].append({"date": "2030-03-03", "kind": "off"}), "missing"),
        (lambda d: d["days"].append(_day("2030-03-04", kind="sometimes")), "sometimes"),
    ],
)
def test_bad_calendar_data_is_rejected_with_a_reason(mutate, message):
    data = {**BASE, "days": list(BASE["days"])}
    mutate(data)
    with pytest.raises(CalendarDataError, match=message):
        calendar_from_mapping(data)


def test_entries_keep_their_names_and_basis():
    cal = calendar_from_mapping(BASE)
    entries = cal.year_entries(2030)
    assert [e.day for e in entries] == [date(2030, 1, 1), date(2030, 5, 3), date(2030, 5, 11)]
    assert entries[2].kind is DayKind.WORKDAY and entries[2].name("vi") == "Làm bù"
    assert entries[0].name("en") == "Holiday"
