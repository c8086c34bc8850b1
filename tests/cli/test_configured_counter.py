"""Which data directory a client command uses without ``--data-dir``: ``$COUNTERAPP_DATA_DIR``, else the
counter configured on this PC (recorded by ``init``, ``enroll`` and the demo in the user configuration
directory), else the user data directory. Every test runs with its own XDG directories (tests/conftest.py
and the ``dirs`` fixture): nothing is read from or written to the real ones."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from counterapp.cli.client import default_data_dir
from counterapp.cli.main import main
from counterapp.services.configured_counter import config_path, configured_counter, remember_counter

from .conftest import AGENCY


@pytest.fixture
def dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """A temporary HOME with its own XDG config and data directories."""
    home = tmp_path / "home"
    found = {"home": home, "config": home / ".config", "data": home / ".local" / "share"}
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(found["config"]))
    monkeypatch.setenv("XDG_DATA_HOME", str(found["data"]))
    monkeypatch.delenv("COUNTERAPP_DATA_DIR", raising=False)
    return found


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_without_a_configured_counter_the_user_data_dir_is_the_default(dirs):
    assert config_path() == dirs["config"] / "counterapp" / "counter.json"
    assert configured_counter() is None
    assert default_data_dir() == dirs["data"] / "counterapp"


@pytest.mark.usefixtures("dirs")
def test_init_records_the_counter_and_status_then_finds_it_without_being_told(tmp_path, capsys):
    counter = tmp_path / "somewhere" / "counter"
    # GIVEN a counter initialised in a directory of its own
    assert run(capsys, "init", "--agency-code", AGENCY, "--counter", "5", "--data-dir", str(counter))[0] == 0
    # THEN it is recorded as this PC's counter, as an absolute path
    assert json.loads(config_path().read_text(encoding="utf-8")) == {"schema": 1, "data_dir": str(counter.resolve())}
    assert default_data_dir() == counter.resolve()
    # AND `counterapp status` (any client command) without --data-dir reads that counter
    code, out, err = run(capsys, "status", "--json")
    assert (code, err) == (0, "")
    assert json.loads(out)["pending_ops"] == 0 and not json.loads(out)["online"]
    code, out, _ = run(capsys, "register", "--date", "2025-07-01")
    assert code == 0 and "không có hồ sơ" in out


@pytest.mark.usefixtures("dirs")
def test_init_from_a_relative_path_records_it_absolute(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "init", "--agency-code", AGENCY, "--counter", "2", "--data-dir", "rel/counter")[0] == 0
    assert configured_counter() == tmp_path / "rel" / "counter"


@pytest.mark.usefixtures("dirs")
def test_the_environment_variable_wins_and_the_option_wins_over_both(tmp_path, capsys, monkeypatch):
    configured, from_env, given = tmp_path / "configured", tmp_path / "env", tmp_path / "given"
    for path, number in ((given, "8"), (configured, "6")):  # the last one initialised is the configured one
        assert run(capsys, "init", "--agency-code", AGENCY, "--counter", number, "--data-dir", str(path))[0] == 0
    assert configured_counter() == configured.resolve()
    # GIVEN $COUNTERAPP_DATA_DIR naming a directory that is not a counter's
    monkeypatch.setenv("COUNTERAPP_DATA_DIR", str(from_env))
    assert default_data_dir() == from_env
    # THEN a command without --data-dir speaks about that one, not the configured counter
    code, out, err = run(capsys, "status", "--json")
    assert (code, out) == (1, "") and str(from_env) in err and "counterapp init" in err
    # AND --data-dir wins over both
    assert run(capsys, "status", "--json", "--data-dir", str(given))[0] == 0
    monkeypatch.delenv("COUNTERAPP_DATA_DIR")
    assert run(capsys, "status", "--json")[0] == 0 and default_data_dir() == configured.resolve()


@pytest.mark.usefixtures("dirs")
def test_a_child_process_finds_the_configured_counter_too(tmp_path, capsys):
    counter = tmp_path / "counter"
    assert run(capsys, "init", "--agency-code", AGENCY, "--counter", "5", "--data-dir", str(counter))[0] == 0
    done = subprocess.run([sys.executable, "-m", "counterapp", "status", "--json"], capture_output=True, text=True,
                          timeout=60, check=False, env=dict(os.environ))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["pending_ops"] == 0


@pytest.mark.parametrize(
    "content", ["{not json", "[]", '{"schema": 2, "data_dir": "/x"}', '{"schema": 1}', '{"schema": 1, "data_dir": " "}']
)
def test_a_broken_config_file_reads_as_none_configured(dirs, content):
    config_path().parent.mkdir(parents=True)
    config_path().write_text(content, encoding="utf-8")
    assert configured_counter() is None
    assert default_data_dir() == dirs["data"] / "counterapp"


def test_a_config_dir_that_cannot_be_written_does_not_fail_init(dirs, tmp_path, capsys):
    dirs["config"].parent.mkdir(parents=True)
    dirs["config"].write_text("a file where the directory should be", encoding="utf-8")
    code, _, err = run(capsys, "init", "--agency-code", AGENCY, "--counter", "5", "--data-dir", str(tmp_path / "c"))
    assert (code, err) == (0, "")  # the counter is set up; only the default is not remembered
    assert configured_counter() is None


@pytest.mark.usefixtures("dirs")
def test_the_demo_does_not_take_over_from_a_real_counter_but_from_a_stale_one(tmp_path, capsys):
    real, demo = tmp_path / "real", tmp_path / "demo" / "counter"
    assert run(capsys, "init", "--agency-code", AGENCY, "--counter", "5", "--data-dir", str(real))[0] == 0
    # a real counter is configured: the demo leaves it
    assert remember_counter(demo, replace=False) is False
    assert configured_counter() == real.resolve()
    # the real counter's directory is gone: the demo takes over
    (real / "counter.sqlite3").unlink()
    assert remember_counter(demo, replace=False) is True
    assert configured_counter() == demo.resolve()
    # init/enroll always record theirs
    assert remember_counter(real) is True and configured_counter() == real.resolve()
