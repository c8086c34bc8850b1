"""``make run`` on a fresh machine: it installs what running needs (the package with its ``server`` extra,
the demo embeds the server), not the test and lint tools, says so before pip's long step, and lets pip show
its progress (it once installed ``.[dev]`` quietly and said nothing for ~100 s). Read from ``make -n``:
nothing is run."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def dry_run(target: str, tmp_path: Path) -> list[str]:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    venv = tmp_path / "fresh-venv"  # never created: -n only prints
    # as from a shell: under `make test` the environment says it is a sub-make (it would print its directory)
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    done = subprocess.run(["make", "--no-print-directory", "-n", target, f"VENV={venv}"], cwd=ROOT, env=env,
                          check=True, capture_output=True, text=True)  # fmt: skip
    return done.stdout.splitlines()


def test_make_run_installs_only_what_running_needs_and_says_so(tmp_path: Path):
    lines = dry_run("run", tmp_path)
    installs = [line for line in lines if "pip install" in line and "--upgrade pip" not in line]
    assert installs == [line for line in installs if "-e '.[server]'" in line] and len(installs) == 1
    assert "--quiet" not in installs[0]  # pip's progress is shown
    said = [i for i, line in enumerate(lines) if line.startswith("echo") and "Installing counterapp" in line]
    assert said and said[0] < lines.index(installs[0])  # the clerk-facing message comes first
    assert lines[-1].endswith("counterapp demo")


def test_make_test_adds_the_developer_tools(tmp_path: Path):
    lines = dry_run("test", tmp_path)
    assert any("-e '.[dev]'" in line for line in lines) and any("pytest" in line for line in lines)


def pytest_command(lines: list[str]) -> str:
    [command] = [line for line in lines if "/bin/pytest" in line]
    return command


def test_make_test_runs_the_suite_in_parallel_without_the_slow_tests_with_the_coverage_gate(tmp_path: Path):
    lines = dry_run("test", tmp_path)
    assert any("ruff check" in line for line in lines) and any("mypy" in line for line in lines)
    command = pytest_command(lines)
    assert "-n auto" in command and '-m "not slow"' in command and "--cov-fail-under=90" in command


def test_make_test_slow_runs_the_slow_tests_one_at_a_time(tmp_path: Path):
    command = pytest_command(dry_run("test-slow", tmp_path))
    assert "-m slow" in command and " -n " not in command


def test_make_test_fast_is_the_parallel_suite_alone(tmp_path: Path):
    lines = dry_run("test-fast", tmp_path)
    assert not any("ruff" in line or "mypy" in line for line in lines)
    command = pytest_command(lines)
    assert "-n auto" in command and '-m "not slow"' in command and "--cov" not in command


def test_ci_runs_make_test_then_make_test_slow():
    steps = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines() if line.startswith("make ")]
    assert steps == ["make test", "make test-slow"]


def test_make_package_builds_the_bundle_tests_it_then_makes_the_deb(tmp_path: Path):
    lines = dry_run("package", tmp_path)
    assert any("-e '.[package]'" in line for line in lines)  # PyInstaller comes with the package extra
    lrelease = max(i for i, line in enumerate(lines) if "pyside6-lrelease" in line)
    freezes = [i for i, line in enumerate(lines) if "/bin/pyinstaller" in line]  # the client's, then the server's
    [freeze] = [i for i in freezes if "packaging/counterapp.spec" in " ".join(lines[i : i + 2])]
    assert any("packaging/server/counterapp-server.spec" in " ".join(lines[i : i + 2]) for i in freezes)
    [selftest] = [i for i, line in enumerate(lines) if line == "dist/counterapp/counterapp --selftest"]
    [deb] = [i for i, line in enumerate(lines) if line.startswith("packaging/build-deb.sh")]
    assert lrelease < freeze < selftest < deb  # the spec needs the .qm; a bundle that fails its self-test stops
    assert "packaging/counterapp.spec" in lines[freeze + 1] or "packaging/counterapp.spec" in lines[freeze]
