"""The bundled calendar file: well-formed, complete for 2024–2027, and different from the `holidays`
package only where the government's notices say so (make-up Saturdays, late swaps)."""

import json
import unicodedata
from collections import Counter
from datetime import date, timedelta

import holidays
import pytest

from counterapp.datafiles.calendar import BUNDLED_CALENDAR, bundled_calendar
from counterapp.datafiles.paths import resource
from counterapp.domain.calendar import DayCategory, DayKind

RAW = json.loads(resource(BUNDLED_CALENDAR).read_text(encoding="utf-8"))


def test_covers_2024_to_2027_and_is_versioned():
    cal = bundled_calendar()
    assert {2024, 2025, 2026, 2027} <= cal.years
    assert cal.version == RAW["version"] and cal.version


def test_entries_are_sorted_unique_nfc_and_have_a_basis():
    dates = [d["date"] for d in RAW["days"]]
    assert dates == sorted(dates) and len(dates) == len(set(dates))
    for entry in RAW["days"]:
        for key in ("name_vi", "name_en", "basis"):
            assert entry[key].strip(), (entry["date"], key)
            assert unicodedata.is_normalized("NFC", entry[key]), (entry["date"], key)


def test_every_swap_has_a_makeup_day_in_the_same_year():
    cal = bundled_calendar()
    for year in sorted(cal.years):
        kinds = Counter(e.category for e in cal.year_entries(year))
        assert kinds[DayCategory.SWAP] == kinds[DayCategory.MAKEUP], year


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 4, 26), True),  # make-up Saturday for Fri 2/5/2025
        (date(2025, 5, 2), False),
        (date(2026, 8, 22), True),  # make-up Saturday for Mon 31/8/2026
        (date(2026, 8, 31), False),
        (date(2024, 5, 4), True),
        (date(2024, 4, 29), False),
        (date(2026, 1, 10), True),
        (date(2026, 1, 2), False),
        (date(2026, 4, 27), False),  # nghỉ bù: Giỗ Tổ fell on Sunday 26/4/2026
        (date(2025, 4, 7), False),  # Giỗ Tổ Hùng Vương 2025
        (date(2025, 9, 1), False),
        (date(2025, 9, 3), True),
    ],
)
def test_key_days(day, working):
    assert bundled_calendar().is_working_day(day) is working


@pytest.mark.parametrize(
    "tet_weekdays",
    [
        [date(2024, 2, d) for d in (8, 9, 12, 13, 14)],
        [date(2025, 1, d) for d in (27, 28, 29, 30, 31)],
        [date(2026, 2, d) for d in (16, 17, 18, 19, 20)],
    ],
    ids=["2024", "2025", "2026"],
)
def test_tet_weekdays_off(tet_weekdays):
    cal = bundled_calendar()
    for day in tet_weekdays:
        assert not cal.is_working_day(day), day
        assert "Tết" in cal.why_off(day).name_vi


# Every place where the file knowingly differs from `holidays` 0.109 on whether a day is worked.
KNOWN_DIFFERENCES = {
    date(2024, 5, 4): "makeup",
    date(2025, 4, 26): "makeup",
    date(2026, 1, 2): "swap",
    date(2026, 1, 10): "makeup",
    date(2026, 8, 22): "makeup",
}


def test_differences_from_the_holidays_package_are_exactly_the_documented_ones():
    assert holidays.__version__ == "0.109"  # the table above is for this release
    cal = bundled_calendar()
    package = holidays.country_holidays("VN", years=sorted(cal.years))
    day, differences = date(min(cal.years), 1, 1), {}
    while day.year <= max(cal.years):
        package_working = day.weekday() < 5 and day not in package
        if cal.is_working_day(day) != package_working:
            differences[day] = cal.special[day].category.value
        day += timedelta(days=1)
    assert differences == KNOWN_DIFFERENCES


def test_provisional_entries_are_only_in_years_without_a_notice():
    provisional = [e for e in bundled_calendar().special.values() if e.provisional]
    assert provisional, "2027 has no notice yet, so some entries must be marked provisional"
    assert {e.day.year for e in provisional} == {2027}
    assert all(e.kind is DayKind.OFF for e in provisional)
