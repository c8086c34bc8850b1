from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from argon2 import PasswordHasher
from hypothesis import HealthCheck, settings

from counterapp.datafiles.calendar import bundled_calendar
from counterapp.domain.calendar import WorkCalendar
from counterapp.server import security

if TYPE_CHECKING:
    from tests.keystores import MemoryKeyring

pytest_plugins = ["tests.liveserver"]  # live_server, counter, client_of

# Hypothesis's 200 ms deadline and its too-slow check measure time, which the tests cannot own: pytest -n runs
# two workers on two cores, often beside other jobs (a 276 ms example that took 124 ms when replayed failed a
# parallel run). What an example computes is still checked; a test that must be fast says so itself.
settings.register_profile("counterapp", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("counterapp")

PRODUCTION_HASHER = security._HASHER  # kept for the test that pins the production parameters (test_auth.py)
# argon2id still, at its lowest cost: the production parameters (64 MiB, 3 passes, 4 lanes) take 50-600 ms a
# hash on the 2-core machine, and the tests make and check several hundred passwords.
TEST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashes() -> Iterator[None]:
    """Passwords hashed and checked in the test process (``make_user``, sign-ins over ``TestClient``) cost
    about a millisecond. Server subprocesses keep the production parameters: a hash made here is checked
    there at its own cost (argon2 hashes carry their parameters) and upgraded on the first sign-in, which
    is the rehash path of ``sessions.sign_in``."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(security, "_HASHER", TEST_HASHER)
        patch.setattr(security, "_DUMMY_HASH", TEST_HASHER.hash("not a real password, only for timing"))
        yield


@pytest.fixture(scope="session", autouse=True)
def _session_user_config_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The same for session fixtures (tests/cli's templates run ``init``), set up before any of them. The user
    cache directory too, one per pytest process: python-escpos writes its capabilities pickle there
    (``printing/escpos_env.py``) without an atomic rename, and a worker reading it while another wrote it
    failed with ``EOFError``; nor should tests touch the developer's own cache."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("session-user-config")))
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("user-cache")))
        patch.delenv("ESCPOS_CAPABILITIES_PICKLE_DIR", raising=False)
        # secrets in 0600 files of each test's data directory, never in the developer's real OS keystore
        # (tests/store/test_keystore.py and tests/sync/test_credential_store.py lift it with a keystore of their own)
        patch.setenv("COUNTERAPP_KEYSTORE", "file")
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


@pytest.fixture
def os_keystore(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    """A working OS keystore for one test: a ``keyring`` backend of our own, set with ``keyring.set_keyring``
    (the same call a PC's keyring configuration makes), so the real keyring API is exercised."""
    import keyring

    from tests.keystores import MemoryKeyring

    monkeypatch.delenv("COUNTERAPP_KEYSTORE", raising=False)
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)
