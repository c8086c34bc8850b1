"""A real, initialised data directory on disk for each test (see tests/counter.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from counterapp.store.database import Store
from tests.counter import AGENCY, DEMO_SERVICES, NOW, counter_store, intake_form

__all__ = ["AGENCY", "DEMO_SERVICES", "NOW", "intake_form"]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = counter_store(tmp_path / "data")
    yield opened
    opened.close()
