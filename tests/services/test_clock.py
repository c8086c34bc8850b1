"""The legal time is the centre's wall time whatever zone the PC's operating system is set to."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from counterapp.domain.duedate import VIETNAM_TZ
from counterapp.services.clock import centre_wall_time, legal_now


@pytest.fixture(params=["UTC", "America/New_York", "Asia/Ho_Chi_Minh"])
def pc_zone(request: pytest.FixtureRequest) -> Iterator[str]:
    before = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    yield request.param
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.mark.usefixtures("pc_zone")
def test_the_centre_wall_time_does_not_follow_the_pcs_zone():
    # GIVEN a counter PC set to any zone  WHEN the counter reads its clock  THEN it reads Vietnamese time
    vietnam = datetime.now(VIETNAM_TZ).replace(tzinfo=None)
    assert abs(centre_wall_time() - vietnam) < timedelta(seconds=5)
    assert abs(legal_now(90_000) - vietnam - timedelta(seconds=90)) < timedelta(seconds=5)
