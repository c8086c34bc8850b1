"""Fixtures for the counter window's tests (pytest-qt, offscreen). The live server and the enrolled
counter come from ``tests/liveserver.py`` (a plugin of the root conftest)."""

from __future__ import annotations

import gc
import os
import shutil
import subprocess
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before anything imports Qt: no display in CI

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from counterapp.gui.collector import GuiThreadCollector
from counterapp.gui.gil import favour_gui_thread
from counterapp.gui.i18n import LanguageManager
from counterapp.gui.resources import load_theme
from counterapp.services.workspace import Workspace, open_workspace
from tests.counter import counter_store
from tests.liveserver import drain_jobs

SLOW_FILES = {"test_statusbar.py", "test_offline_sign_in.py"}  # stop and restart a server process: ~10-30 s


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.name in SLOW_FILES and item.path.parent == Path(__file__).parent:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def gui_thread_first() -> Iterator[None]:
    """As in the running app: the GIL is handed to the GUI thread within 1 ms (``gui/gil.py``)."""
    previous = favour_gui_thread()
    yield
    sys.setswitchinterval(previous)


@pytest.fixture(autouse=True)
def gui_thread_collector(request: pytest.FixtureRequest) -> Iterator[None]:
    """As in the running app: Python's cycle collector runs on the GUI thread only, so a test's widget in
    a reference cycle is never freed by a pool thread (``gui/collector.py``). The heap is settled (frozen)
    as the app does after sign-in, so the full pass after each test costs milliseconds, not ~150."""
    if request.node.get_closest_marker("automatic_gc"):
        yield
        return
    request.getfixturevalue("qapp")  # the timer needs the application
    collector = GuiThreadCollector()
    if gc.get_freeze_count() == 0:
        collector.settle()
    collector.start()
    yield
    collector.stop()


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    """A real initialised counter (demo catalogue, leases), not enrolled: for tests without a server."""
    counter_store(tmp_path / "standalone").close()
    opened = open_workspace(tmp_path / "standalone")
    yield opened
    drain_jobs()
    opened.close()


@pytest.fixture(scope="session")
def vietnamese_qm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed Vietnamese catalogues, compiled now (whatever ``make`` built last)."""
    out = tmp_path_factory.mktemp("qm")
    lrelease = shutil.which("pyside6-lrelease") or str(Path(sys.executable).parent / "pyside6-lrelease")
    for name in ("counterapp_vi", "qtbase_vi"):
        ts = Path(__file__).resolve().parents[2] / "resources" / "i18n" / f"{name}.ts"
        subprocess.run([lrelease, str(ts), "-qm", str(out / f"{name}.qm")], check=True, capture_output=True)
    return out


@pytest.fixture
def themed(qapp: QApplication, vietnamese_qm: Path) -> Iterator[LanguageManager]:
    """The app as a clerk runs it: theme, fonts, Vietnamese; undone afterwards for the other tests."""
    font, sheet = QFont(qapp.font()), qapp.styleSheet()
    load_theme(qapp)
    languages = LanguageManager(vietnamese_qm)
    languages.set_language("vi")
    yield languages
    languages.set_language("en")
    qapp.setStyleSheet(sheet)
    qapp.setFont(font)
