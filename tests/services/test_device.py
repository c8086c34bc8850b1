from datetime import date

import pytest

from counterapp.domain.errors import ValidationFailed
from counterapp.services import device
from counterapp.services.errors import AlreadyInitialised, NotInitialised
from counterapp.store.database import open_store
from counterapp.store.reference_models import CalendarOverrideRow

from .conftest import AGENCY, NOW


def test_a_data_directory_is_initialised_once(store):
    with store.read() as s:
        me = device.get_device(s)
    assert (me.agency_code, me.counter_number, me.last_client_seq) == (AGENCY, "5", 0)
    with pytest.raises(AlreadyInitialised), store.write() as s:
        device.init_device(s, agency_code=AGENCY, counter_number="6", now=NOW)


def test_a_fresh_directory_says_it_is_not_initialised(tmp_path):
    fresh = open_store(tmp_path / "new")
    with fresh.read() as s, pytest.raises(NotInitialised):
        device.get_device(s)
    with fresh.write() as s, pytest.raises(ValidationFailed) as caught:
        device.init_device(s, agency_code="H26", counter_number="5", now=NOW)
    assert caught.value.fields == ("agency_code",)
    with fresh.write() as s, pytest.raises(ValidationFailed) as caught:
        device.init_device(s, agency_code=AGENCY, counter_number="quầy 5", now=NOW)
    assert caught.value.fields == ("counter",)
    fresh.close()


def test_settings_have_defaults_and_reject_unknown_keys(store):
    with store.write() as s:
        assert device.office_hours(s).format() == "08:00-12:00,13:00-17:00"
        assert device.recall_limit(s) is None
        device.set_setting(s, "office_hours", "07:30-11:30,13:30-17:30")
        device.set_setting(s, "recall_limit", 2)
        with pytest.raises(ValidationFailed):
            device.set_setting(s, "colour", "red")
    with store.read() as s:
        assert device.office_hours(s).closing.hour == 17 and device.recall_limit(s) == 2


def test_synced_calendar_overrides_apply_on_top_of_the_bundled_file(store):
    closure = date(2026, 3, 18)
    with store.write() as s:
        s.add(CalendarOverrideRow(day=closure, removed=False, kind="off", category="local",
                                  name_vi="Nghỉ đột xuất", name_en="Closure", basis="QĐ của Giám đốc",
                                  version="srv-7", received_at=NOW))  # fmt: skip
        s.add(CalendarOverrideRow(day=date(2026, 1, 2), removed=True, version="srv-7", received_at=NOW))
        device.set_setting(s, "calendar_years", [2028])
    with store.read() as s:
        calendar = device.work_calendar(s)
    assert not calendar.is_working_day(closure)
    assert calendar.is_working_day(date(2026, 1, 2))  # a swap withdrawn by the override
    assert calendar.covers(date(2028, 6, 1))
    assert calendar.version.endswith("+srv-7")
