"""Fixtures for the counter window's tests (pytest-qt, offscreen). The live server and the enrolled
counter come from ``tests/liveserver.py`` (a plugin of the root conftest)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before anything imports Qt: no display in CI

from collections.abc import Iterator
from pathlib import Path

import pytest

from counterapp.services.workspace import Workspace, open_workspace
from tests.counter import counter_store
from tests.liveserver import drain_jobs

SLOW_FILES = {"test_statusbar.py"}  # stops and restarts a server process: ~10-30 s


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.name in SLOW_FILES and item.path.parent == Path(__file__).parent:
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    """A real initialised counter (demo catalogue, leases), not enrolled: for tests without a server."""
    counter_store(tmp_path / "standalone").close()
    opened = open_workspace(tmp_path / "standalone")
    yield opened
    drain_jobs()
    opened.close()
