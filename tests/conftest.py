from __future__ import annotations

import pytest

from counterapp.datafiles.calendar import bundled_calendar
from counterapp.domain.calendar import WorkCalendar

pytest_plugins = ["tests.liveserver"]  # live_server, counter, client_of


@pytest.fixture(scope="session")
def vn_calendar() -> WorkCalendar:
    """The bundled Vietnamese calendar, exactly as the application loads it."""
    return bundled_calendar()
