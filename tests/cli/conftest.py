"""A counter's data directory driven through the real command line, in-process."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from contextlib import redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from counterapp.cli.main import main
from tests.counter import legal_today

AGENCY = "000.00.01.H26"
APPLICANT = {
    "name": "Nguyễn Thị Tuyến",
    "id_number": "001190012345",
    "address": "Số 1 Tràng Tiền, Hoàn Kiếm, Hà Nội",
    "phone": "0912345678",
}


def good_form(**overrides: Any) -> dict[str, Any]:
    """A valid intake form for 1.004873 (only TK, the declaration, is required)."""
    form: dict[str, Any] = {
        "procedure_code": "1.004873",
        "applicant": dict(APPLICANT),
        "documents": [{"code": "TK", "originals": 1}, {"code": "LH", "certified_copies": 1}],
    }
    return form | overrides


def today_code(number: int) -> str:
    return f"{AGENCY}-{legal_today():%y%m%d}-{number:04d}"


@dataclass
class Counter:
    """``cli(...)`` runs ``counterapp ARGS --data-dir DIR`` and returns (exit status, stdout, stderr)."""

    data_dir: Path
    capsys: pytest.CaptureFixture[str]
    tmp_path: Path

    def cli(self, *args: str, data_dir: Path | None = None) -> tuple[int, str, str]:
        self.capsys.readouterr()
        try:
            code = main([*args, "--data-dir", str(data_dir or self.data_dir)])
        except SystemExit as exc:  # argparse exits on bad arguments
            code = int(exc.code or 0)
        out, err = self.capsys.readouterr()
        return code, out, err

    def main_without_data_dir(self, *args: str) -> int:
        """Run with the data directory taken from the environment."""
        self.capsys.readouterr()
        code = main(list(args))
        self.capsys.readouterr()
        return code

    def ok(self, *args: str) -> str:
        code, out, err = self.cli(*args)
        assert (code, err) == (0, ""), err
        return out

    def json(self, *args: str) -> Any:
        return json.loads(self.ok(*args, "--json"))

    def form(self, data: Any, name: str = "form.json") -> str:
        path = self.tmp_path / name
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        return str(path)

    def pending(self) -> int:
        return int(self.ok("outbox", "count"))

    def grant_today(self) -> None:
        today = legal_today().isoformat()
        self.ok("lease", "grant", "--kind", "dossier-code", "--date", today, "--from", "1", "--to", "50")
        self.ok("lease", "grant", "--kind", "ticket", "--date", today, "--from", "1", "--to", "999", "--prefix", "A")
        self.ok("lease", "grant", "--kind", "ticket", "--date", today, "--from", "1", "--to", "999", "--prefix", "B")


def _make(path: Path, *, leases: bool) -> Path:
    with redirect_stdout(io.StringIO()):
        assert main(["init", "--agency-code", AGENCY, "--counter", "5", "--data-dir", str(path)]) == 0
        today = legal_today().isoformat()
        grants = [["dossier-code", "1", "50", None], ["ticket", "1", "999", "A"], ["ticket", "1", "999", "B"]]
        for kind, start, end, prefix in grants if leases else []:
            extra = ["--prefix", prefix] if prefix else []
            args = ["lease", "grant", "--kind", kind, "--date", today, "--from", start, "--to", end, *extra]
            assert main([*args, "--data-dir", str(path)]) == 0
    return path


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Initialised data directories made once per session through the CLI; each test gets a copy."""
    root = tmp_path_factory.mktemp("templates")
    return {"bare": _make(root / "bare", leases=False), "counter": _make(root / "counter", leases=True)}


def _counter(kind: str, templates: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Counter:
    shutil.copytree(templates[kind], tmp_path / "data")
    return Counter(tmp_path / "data", capsys, tmp_path)


@pytest.fixture(autouse=True)
def _no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COUNTERAPP_DATA_DIR", raising=False)
    monkeypatch.delenv("COUNTERAPP_USER", raising=False)


@pytest.fixture
def bare(templates: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Counter:
    """An initialised counter without any lease."""
    return _counter("bare", templates, tmp_path, capsys)


@pytest.fixture
def counter(templates: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Counter:
    """An initialised counter with today's dossier-code lease (1–50) and ticket leases for A and B."""
    return _counter("counter", templates, tmp_path, capsys)


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "counterapp", *args], capture_output=True, text=True, timeout=60, check=False, env=env
    )
