from __future__ import annotations

from collections.abc import Iterator

import pytest

from counterapp.datafiles.calendar import bundled_calendar
from counterapp.domain.calendar import WorkCalendar

pytest_plugins = ["tests.liveserver"]  # live_server, counter, client_of


@pytest.fixture(scope="session", autouse=True)
def _session_user_config_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The same for session fixtures (tests/cli's templates run ``init``), set up before any of them."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("session-user-config")))
        yield


@pytest.fixture(autouse=True)
def _own_user_config_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test (and every process it starts) gets an empty user configuration directory of its own:
    ``init``, ``enroll`` and the demo record this PC's counter there (counterapp.services.configured_counter),
    so no test writes to the developer's real one, nor reads a counter configured there."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("user-config")))


@pytest.fixture(scope="session")
def vn_calendar() -> WorkCalendar:
    """The bundled Vietnamese calendar, exactly as the application loads it."""
    return bundled_calendar()
