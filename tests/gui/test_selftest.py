"""``counterapp selftest`` / ``--selftest`` from source, in-process (the frozen bundle runs the same code in
``make bundle``): every check passes here, one line each, and a failing check turns into a FAIL line and
exit status 1 without stopping the others."""

from __future__ import annotations

import functools
import io
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale
from PySide6.QtWidgets import QApplication

from counterapp.cli import selftest_cmd
from counterapp.cli.main import main
from counterapp.gui.startup_timing import process_age_s
from counterapp.store import cache_key, database
from tests.keystores import MemoryKeyring

CHECKS = ("version", "data files", "store", "receipt PDF", "thermal raster", "qt", "translations", "theme", "windows")


@pytest.fixture
def app_look(qapp: QApplication):
    """The theme check sets the application's font and style sheet: give the other tests theirs back."""
    font, sheet = qapp.font(), qapp.styleSheet()
    yield qapp
    qapp.setFont(font)
    qapp.setStyleSheet(sheet)


@pytest.mark.usefixtures("app_look")
def test_every_check_passes_with_one_line_each():
    out = io.StringIO()
    assert selftest_cmd.run_selftest(out=out) == 0, out.getvalue()
    lines = out.getvalue().splitlines()
    assert [line.split(":")[0].removeprefix("ok").strip() for line in lines[:-1]] == list(CHECKS)
    assert lines[-1].startswith("selftest: all checks passed")
    assert "print support (" in lines[5]
    assert "text extractable" in lines[3] and "Be Vietnam Pro" in lines[7] and "counterapp_vi.qm" in lines[6]
    # the tests have no OS keystore (COUNTERAPP_KEYSTORE=file): the key is a file in the temporary folder
    assert "store: encrypted (SQLCipher 4." in lines[2] and "key in file cache.key (0600)" in lines[2]


@pytest.mark.usefixtures("app_look")
def test_with_a_keystore_the_key_goes_there_and_is_deleted_afterwards(os_keystore: MemoryKeyring):
    """The store check proves the keystore works (the window check then reopens the store with that key),
    and leaves no entry behind: its temporary folder is gone."""
    out = io.StringIO()
    assert selftest_cmd.run_selftest(out=out) == 0, out.getvalue()
    store_line = out.getvalue().splitlines()[2]
    assert "key in OS keystore tests.keystores.MemoryKeyring" in store_line
    assert os_keystore.entries == {}


def test_a_cache_that_is_not_encrypted_fails_the_store_check(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(database, "open_store", functools.partial(database.open_store, encrypt=False))
    out = io.StringIO()
    assert selftest_cmd.run_selftest(gui=False, out=out) == 1
    assert out.getvalue().splitlines()[2].startswith("FAIL store: RuntimeError: the cache was opened without SQLCipher")


def test_a_plain_sqlite_file_fails_the_store_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The file's first 16 bytes decide, whatever the connection said."""
    real_open = database.open_store

    def opened_then_plain(data_dir: Path) -> database.Store:
        store = real_open(data_dir)
        monkeypatch.setattr(cache_key, "is_plaintext", lambda _path: True)  # as if the header read "SQLite format 3"
        return store

    monkeypatch.setattr(database, "open_store", opened_then_plain)
    with pytest.raises(RuntimeError, match="plain SQLite"):
        selftest_cmd.check_store(tmp_path / "counter")


@pytest.mark.usefixtures("app_look")
def test_the_windows_check_leaves_the_process_its_language_and_locale():
    """The windows check shows them in Vietnamese; a process that goes on afterwards (the test suite) keeps
    English texts and its locale: a later test of the status bar once read 'Cần cập nhật'."""
    locale = QLocale().name()
    assert selftest_cmd.run_selftest(out=io.StringIO()) == 0
    assert QCoreApplication.translate("StatusBar", "Update needed") == "Update needed"
    assert QLocale().name() == locale


def test_a_failing_check_is_reported_and_the_others_still_run(monkeypatch: pytest.MonkeyPatch):
    def broken() -> str:
        raise FileNotFoundError("capabilities.json")

    monkeypatch.setattr(selftest_cmd, "check_thermal", broken)
    out = io.StringIO()
    assert selftest_cmd.run_selftest(gui=False, out=out) == 1
    lines = out.getvalue().splitlines()
    assert lines[4].startswith("FAIL thermal raster: FileNotFoundError: capabilities.json")
    assert len(lines) == 6 and lines[-1].startswith("selftest: 1 check(s) failed")


@pytest.mark.parametrize("argv", [["--selftest"], ["selftest"], ["selftest", "--no-gui"]])
def test_the_option_and_the_command_run_it(monkeypatch: pytest.MonkeyPatch, argv: list[str]):
    seen: list[bool] = []

    def fake(*, gui: bool = True, out: object = None) -> int:  # noqa: ARG001
        seen.append(gui)
        return 1

    monkeypatch.setattr(selftest_cmd, "run_selftest", fake)
    if argv == ["--selftest"]:
        with pytest.raises(SystemExit) as exited:
            main(argv)
        assert exited.value.code == 1
    else:
        assert main(argv) == 1
    assert seen == [argv != ["selftest", "--no-gui"]]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc")
def test_the_start_timer_knows_how_old_this_process_is():
    age = process_age_s()
    assert age is not None and 0 < age < 24 * 3600
