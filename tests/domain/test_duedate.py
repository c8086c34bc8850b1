"""Due dates: DOMAIN.md §3.4's worked examples on the bundled calendar, the edge rules, properties."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from counterapp.domain.calendar import CalendarNotCovered
from counterapp.domain.duedate import (
    VIETNAM_TZ,
    Duration,
    DurationUnit,
    StartAdjustment,
    compute_due,
)
from counterapp.domain.errors import ValidationFailed
from counterapp.domain.office_hours import DEFAULT_OFFICE_HOURS, OfficeHours

WD, H, CAL = DurationUnit.WORKING_DAYS, DurationUnit.WORKING_HOURS, DurationUnit.CALENDAR_DAYS
CUTOFF = time(15)


def due(cal, received, value, unit=WD, cutoff=None, hours=DEFAULT_OFFICE_HOURS):
    return compute_due(received, Duration.of(value, unit), cal, hours, cutoff)


# --- DOMAIN.md §3.4 table, row by row ----------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "unit", "value", "cutoff", "expected"),
    [
        # Fri 14/3/2025 15:30, 5 working days
        (datetime(2025, 3, 14, 15, 30), WD, 5, None, datetime(2025, 3, 21, 17)),
        (datetime(2025, 3, 14, 15, 30), WD, 5, CUTOFF, datetime(2025, 3, 24, 17)),
        (datetime(2025, 3, 14, 15, 30), H, 40, None, datetime(2025, 3, 21, 15, 30)),
        # Fri 25/4/2025 15:30: Sat 26/4 is a make-up working day, 30/4–4/5 off
        (datetime(2025, 4, 25, 15, 30), WD, 5, None, datetime(2025, 5, 6, 17)),
        (datetime(2025, 4, 25, 15, 30), WD, 5, CUTOFF, datetime(2025, 5, 7, 17)),
        (datetime(2025, 4, 25, 15, 30), H, 40, None, datetime(2025, 5, 6, 15, 30)),
        # Thu 12/2/2026 10:00 across Tết Bính Ngọ (16–20/2/2026)
        (datetime(2026, 2, 12, 10), WD, 5, None, datetime(2026, 2, 26, 17)),
        (datetime(2026, 2, 12, 10), WD, 5, CUTOFF, datetime(2026, 2, 26, 17)),
        (datetime(2026, 2, 12, 10), H, 40, None, datetime(2026, 2, 26, 10)),
        # half a day (4 working hours), lunch skipped, and across the night
        (datetime(2025, 3, 18, 10), H, 4, None, datetime(2025, 3, 18, 15)),
        (datetime(2025, 3, 18, 15, 30), H, 4, None, datetime(2025, 3, 19, 10, 30)),
    ],
)
def test_domain_worked_examples(vn_calendar, received, unit, value, cutoff, expected):
    assert due(vn_calendar, received, value, unit, cutoff).due_at == expected


def test_the_makeup_saturday_is_counted_and_reported(vn_calendar):
    result = due(vn_calendar, datetime(2025, 4, 25, 15, 30), 5)
    assert date(2025, 4, 26) in [e.day for e in result.makeup_days]
    skipped = {s.day: s.reason for s in result.skipped}
    assert skipped[date(2025, 4, 30)] == "holiday"
    assert skipped[date(2025, 5, 1)] == "holiday"
    assert skipped[date(2025, 5, 2)] == "swap"
    assert skipped[date(2025, 5, 3)] == "weekend"
    assert date(2025, 4, 26) not in skipped
    assert result.calendar_version == vn_calendar.version


def test_tet_2025(vn_calendar):
    # Fri 24/1/2025: Tết Ất Tỵ off Mon 27/1–Fri 31/1 (weekends around it)
    result = due(vn_calendar, datetime(2025, 1, 24, 10), 5)
    assert result.due_at == datetime(2025, 2, 7, 17)
    tet = [s.day for s in result.skipped if s.reason != "weekend"]
    assert tet == [date(2025, 1, d) for d in range(27, 32)]


def test_tet_2026_half_day_before_the_break(vn_calendar):
    # Fri 13/2/2026 15:00 + 4 working hours: 2 h on Friday, Tết week and two weekends, 2 h on Mon 23/2
    result = due(vn_calendar, datetime(2026, 2, 13, 15), 4, H)
    assert result.due_at == datetime(2026, 2, 23, 10)


def test_hours_mode_across_lunch_and_a_weekend(vn_calendar):
    # Fri 14/3/2025 11:00 + 8 h: 1 h before lunch, 4 h in the afternoon, 3 h on Monday
    result = due(vn_calendar, datetime(2025, 3, 14, 11), 8, H)
    assert result.due_at == datetime(2025, 3, 17, 11)
    assert [s.reason for s in result.skipped] == ["weekend", "weekend"]


def test_calendar_days_are_pushed_off_days_off(vn_calendar):
    # Fri 25/4/2025 + 5 calendar days = Wed 30/4, a holiday; 1/5, 2/5 and the weekend follow
    result = due(vn_calendar, datetime(2025, 4, 25, 10), 5, CAL)
    assert result.due_at == datetime(2025, 5, 5, 17)
    assert [s.day for s in result.skipped] == [date(2025, 4, 30) + timedelta(days=i) for i in range(5)]
    # a plain case: Mon 10/3/2025 + 7 → Mon 17/3
    assert due(vn_calendar, datetime(2025, 3, 10, 9), 7, CAL).due_at == datetime(2025, 3, 17, 17)


# --- the cut-off and receipt outside office hours ---------------------------------------------


def test_cutoff_is_at_or_after(vn_calendar):
    before = due(vn_calendar, datetime(2025, 3, 17, 14, 59), 0, WD, CUTOFF)
    at = due(vn_calendar, datetime(2025, 3, 17, 15, 0), 0, WD, CUTOFF)
    assert before.due_at == datetime(2025, 3, 17, 17) and before.adjustment is None
    assert at.due_at == datetime(2025, 3, 18, 17)
    assert at.adjustment is StartAdjustment.AFTER_CUTOFF
    assert at.counting_from == datetime(2025, 3, 18, 8)


@pytest.mark.parametrize(
    ("received", "adjustment", "counting_from"),
    [
        (datetime(2025, 3, 15, 9), StartAdjustment.NON_WORKING_DAY, datetime(2025, 3, 17, 8)),
        (datetime(2025, 3, 14, 17, 30), StartAdjustment.AFTER_CLOSING, datetime(2025, 3, 17, 8)),
        (datetime(2025, 3, 14, 17, 0), StartAdjustment.AFTER_CLOSING, datetime(2025, 3, 17, 8)),
        (datetime(2025, 3, 17, 7, 10), StartAdjustment.BEFORE_OPENING, datetime(2025, 3, 17, 8)),
        (datetime(2025, 3, 17, 12, 30), StartAdjustment.LUNCH_BREAK, datetime(2025, 3, 17, 13)),
        (datetime(2025, 3, 17, 12, 0), StartAdjustment.LUNCH_BREAK, datetime(2025, 3, 17, 13)),
        (datetime(2025, 3, 17, 10, 59), None, datetime(2025, 3, 17, 10, 59)),
    ],
)
def test_receipt_outside_office_hours_moves_the_start(vn_calendar, received, adjustment, counting_from):
    result = due(vn_calendar, received, 1, H)
    assert result.adjustment is adjustment
    assert result.counting_from == counting_from
    assert result.due_at == counting_from + timedelta(hours=1)


def test_receipt_on_a_day_off_counts_from_the_next_working_day(vn_calendar):
    # Sun 16/3/2025, 1 working day: counting starts Mon 17/3 (not counted) → Tue 18/3
    assert due(vn_calendar, datetime(2025, 3, 16, 10), 1).due_at == datetime(2025, 3, 18, 17)
    # received after closing on Friday: the same
    assert due(vn_calendar, datetime(2025, 3, 14, 18), 1).due_at == datetime(2025, 3, 18, 17)


def test_hours_ending_exactly_at_a_window_end_stay_there(vn_calendar):
    assert due(vn_calendar, datetime(2025, 3, 17, 8), 4, H).due_at == datetime(2025, 3, 17, 12)
    assert due(vn_calendar, datetime(2025, 3, 17, 8), 8, H).due_at == datetime(2025, 3, 17, 17)


def test_other_office_hours(vn_calendar):
    # TH-style hours 07:00–11:30 / 13:30–17:00 (8 h a day)
    hours = OfficeHours.parse("07:00-11:30,13:30-17:00")
    assert hours.day_length == timedelta(hours=8)
    result = due(vn_calendar, datetime(2025, 3, 18, 10), 4, H, hours=hours)
    assert result.due_at == datetime(2025, 3, 18, 16)
    assert due(vn_calendar, datetime(2025, 3, 18, 10), 1, hours=hours).due_at == datetime(2025, 3, 19, 17)


def test_aware_times_are_taken_in_vietnam_time(vn_calendar):

    utc = datetime(2025, 3, 14, 8, 30, tzinfo=UTC)  # 15:30 in Hà Nội
    assert due(vn_calendar, utc, 5, WD, CUTOFF).due_at == datetime(2025, 3, 24, 17)
    assert due(vn_calendar, utc.astimezone(VIETNAM_TZ), 5).due_at == datetime(2025, 3, 21, 17)


def test_bad_durations_name_the_field():
    with pytest.raises(ValidationFailed) as caught:
        Duration.of("-1", WD)
    assert caught.value.errors[0].field == "duration"
    with pytest.raises(ValidationFailed) as caught:
        Duration.of("0.5", WD)
    assert caught.value.errors[0].code == "duration.whole_days_required"
    with pytest.raises(ValidationFailed) as caught:
        Duration.of("3", "fortnights")
    assert caught.value.errors[0].code == "duration.unit_unknown"
    assert Duration.of("0.5", H).value == Decimal("0.5")


def test_due_dates_past_the_calendar_data_are_refused(vn_calendar):
    last_year = max(vn_calendar.years)
    with pytest.raises(CalendarNotCovered):
        due(vn_calendar, datetime(last_year, 12, 28, 9), 10)


# --- properties ---------------------------------------------------------------------------------

receipts = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2027, 9, 30, 23, 59))
durations = st.one_of(
    st.builds(lambda n: Duration.of(n, WD), st.integers(0, 30)),
    st.builds(lambda n: Duration.of(n, CAL), st.integers(0, 45)),
    st.builds(lambda halves: Duration.of(Decimal(halves) / 2, H), st.integers(0, 480)),
)
cutoffs = st.one_of(st.none(), st.sampled_from([time(15), time(11), time(16, 30)]))


@settings(max_examples=400)
@given(received=receipts, duration=durations, cutoff=cutoffs)
def test_a_due_date_is_a_working_day_within_office_hours(vn_calendar, received, duration, cutoff):
    result = compute_due(received, duration, vn_calendar, cutoff=cutoff)
    assert vn_calendar.is_working_day(result.due_at.date())
    assert DEFAULT_OFFICE_HOURS.contains(result.due_at)
    assert result.due_at >= result.counting_from >= received


@settings(max_examples=400)
@given(first=receipts, gap=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20)),
       duration=durations, cutoff=cutoffs)  # fmt: skip
def test_later_receipt_never_gives_an_earlier_due_date(vn_calendar, first, gap, duration, cutoff):
    earlier = compute_due(first, duration, vn_calendar, cutoff=cutoff)
    later = compute_due(first + gap, duration, vn_calendar, cutoff=cutoff)
    assert later.due_at >= earlier.due_at


def _working_minutes_between(cal, start: datetime, end: datetime) -> int:
    """Brute-force oracle: count office minutes one by one."""
    minutes, t = 0, start
    while t < end:
        if cal.is_working_day(t.date()) and DEFAULT_OFFICE_HOURS.window_at(t) is not None:
            minutes += 1
        t += timedelta(minutes=1)
    return minutes


@settings(max_examples=60)
@given(received=receipts.map(lambda d: d.replace(second=0, microsecond=0)), hours=st.integers(0, 24))
def test_hours_mode_counts_exactly_the_office_minutes(vn_calendar, received, hours):
    result = compute_due(received, Duration.of(hours, H), vn_calendar)
    assert _working_minutes_between(vn_calendar, received, result.due_at) == hours * 60
    if hours:  # and not a minute more: the due moment is the first one with enough time
        assert _working_minutes_between(vn_calendar, received, result.due_at - timedelta(minutes=1)) < hours * 60
