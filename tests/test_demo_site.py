"""``counterapp demo`` / ``make run`` without the window: a real server process, a real enrolled counter and
a real kiosk; then everything stopped, and a second start reusing the home."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx2
import pytest

from counterapp.cli import demo_cmd
from counterapp.cli.demo_cmd import has_display
from counterapp.cli.main import main as counterapp
from counterapp.demo_site import (
    DEMO_PASSWORD,
    DEMO_USERNAME,
    SERVER_DB,
    DemoError,
    DemoSite,
    _wait_healthy,
    prepare_demo,
    reset_home,
)
from counterapp.services import queue, staff
from counterapp.services.configured_counter import configured_counter
from counterapp.services.workspace import open_workspace
from counterapp.sync.engine import SyncEngine
from counterapp.sync.enrollment import client_for, load_credential


def waiting_tickets(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    """Sync the counter as the clerk's machine would, then list its waiting tickets: both through the CLI."""
    capsys.readouterr()
    assert counterapp(["sync", "--data-dir", str(data_dir)]) == 0, capsys.readouterr().err
    capsys.readouterr()
    assert counterapp(["ticket", "list", "--json", "--data-dir", str(data_dir)]) == 0
    tickets: list[dict[str, Any]] = json.loads(capsys.readouterr().out)["tickets"]
    return tickets


def log_in(site: DemoSite) -> httpx2.Response:
    credential = load_credential(site.data_dir)
    return httpx2.post(
        f"{site.server_url}/v1/sessions",
        headers={"Authorization": f"Device {credential.device_id}.{credential.credential}"},
        json={"username": site.username, "password": site.password},
        timeout=10,
    )


def assert_stopped(site: DemoSite, server_url: str, pid: int) -> None:
    assert site.process is None and site.kiosk is None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # reaped, not a zombie: no process of ours is left
    with pytest.raises(httpx2.TransportError):
        httpx2.get(f"{server_url}/healthz", timeout=1)
    assert not [t for t in threading.enumerate() if t.name == "demo-kiosk"]


@pytest.mark.slow  # real server processes: three starts, 10–20 s
def test_the_demo_starts_serves_a_clerk_stops_and_starts_again_faster(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    home = tmp_path / "demo"
    started = time.monotonic()
    site = prepare_demo(home, kiosk_interval=(0.1, 0.2))
    first_start = time.monotonic() - started
    with site:
        assert site.process is not None and site.first_run
        pid, first_url = site.process.pid, site.server_url
        assert httpx2.get(f"{site.server_url}/healthz", timeout=5).status_code == 200
        assert load_credential(site.data_dir).device_id == site.device_id
        # `counterapp status` without --data-dir speaks about the demo counter: it is this PC's counter
        assert configured_counter() == site.data_dir
        monkeypatch.delenv("COUNTERAPP_DATA_DIR", raising=False)
        capsys.readouterr()
        assert counterapp(["status", "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["online"]
        with pytest.raises(DemoError, match="Another demo is running"):
            prepare_demo(home)  # one demo per home: a second server would fight over the same database
        tickets = waiting_tickets(site.data_dir, capsys)
        assert len(tickets) >= 8
        assert {t["number"][0] for t in tickets} == {"A"}  # counter 1 serves HTCT: the clerk can call them all
        assert any(t["priority"] for t in tickets)
        # the demo counter is open, so it was dealt a hand it can still call while the server is away
        capsys.readouterr()
        assert counterapp(["ticket", "list", "--offline", "--json", "--data-dir", str(site.data_dir)]) == 0
        assert json.loads(capsys.readouterr().out)["tickets"]

        login = log_in(site)
        assert login.status_code in (200, 201), login.text
        assert login.json()["token"]
        assert (site.username, site.password) == (DEMO_USERNAME, DEMO_PASSWORD)
        # the clerk signed in on the counter calls a ticket, and the server accepts the call (its time is
        # the centre's whatever zone this machine is set to: a call dated 7 h early was refused)
        workspace = open_workspace(site.data_dir)
        credential = load_credential(site.data_dir)
        login_client, sync_client = client_for(credential), client_for(credential)
        try:
            workspace.user = staff.sign_in(workspace, login_client, site.username, site.password).user
            with workspace.writing() as (session, now):
                queue.call_next(session, now=now, user_id=workspace.user_id)
            report = SyncEngine(workspace.store, sync_client, centre_id=credential.centre_id).run_once()
            assert (report.pushed, report.rejected) == (1, 0)
        finally:
            login_client.close()
            sync_client.close()
            workspace.close()

        deadline = time.monotonic() + 10  # the kiosk keeps issuing (here every 0.1–0.2 s)
        while site.kiosk is not None and site.kiosk.issued < 10 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert site.kiosk is not None and site.kiosk.issued >= 10
    assert_stopped(site, first_url, pid)
    site.stop()  # idempotent

    # Second start: the saved port is taken meanwhile, so the counter must follow the server to a new one.
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", int(first_url.rsplit(":", 1)[1])))
        started = time.monotonic()
        with prepare_demo(home) as again:
            second_start = time.monotonic() - started
            assert again.process is not None
            assert not again.first_run and again.device_id == site.device_id  # reused, not enrolled again
            assert again.server_url != first_url
            assert load_credential(again.data_dir).server_url == again.server_url
            tickets = waiting_tickets(again.data_dir, capsys)
            assert len(tickets) >= 8  # topped up, not doubled: the earlier ones are still waiting
            assert log_in(again).status_code in (200, 201)
            pid, url = again.process.pid, again.server_url
        assert_stopped(again, url, pid)
    # No enrolment, no password hashing the second time; the margin is for a loaded CI machine.
    assert second_start < first_start + 1.0, f"first start {first_start:.1f} s, second {second_start:.1f} s"

    # --reset starts over: a new counter identity
    with prepare_demo(home, reset=True, tickets=1) as fresh:
        assert fresh.first_run and fresh.device_id != site.device_id


@pytest.mark.slow
def test_the_cli_serves_until_ctrl_c_and_leaves_nothing_behind(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    home = tmp_path / "demo"

    def interrupt_when_ready() -> None:
        deadline = time.monotonic() + 60
        while not any(t.name == "demo-kiosk" for t in threading.enumerate()) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # into the serving loop
        os.kill(os.getpid(), signal.SIGINT)

    previous = signal.getsignal(signal.SIGINT)
    trigger = threading.Thread(target=interrupt_when_ready)
    trigger.start()
    try:
        code = counterapp(["demo", "--no-window", "--home", str(home)])
    finally:
        trigger.join()
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Starting the server" in out and "Đang khởi động máy chủ" in out
    assert f"{DEMO_USERNAME} / {DEMO_PASSWORD}" in out
    assert "The demo has stopped" in out
    assert signal.getsignal(signal.SIGINT) is previous
    url = next(line.split()[3] for line in out.splitlines() if "Server:" in line)
    with pytest.raises(httpx2.TransportError):
        httpx2.get(f"{url}/healthz", timeout=1)


def test_a_server_that_exits_is_reported_with_its_log(tmp_path: Path):
    log_path = tmp_path / "server.log"
    process = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    try:
        with pytest.raises(DemoError, match=f"status 3.*{log_path}"):
            _wait_healthy(process, "http://127.0.0.1:9", log_path)
    finally:
        process.wait(timeout=10)


@pytest.mark.parametrize(
    ("env", "expected"),
    [({}, False), ({"DISPLAY": ":0"}, True), ({"WAYLAND_DISPLAY": "wayland-0"}, True),
     ({"QT_QPA_PLATFORM": "offscreen"}, True)],
)  # fmt: skip
def test_a_display_is_needed_for_the_window_on_linux(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: bool
):
    monkeypatch.setattr(sys, "platform", "linux")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert has_display() is expected


def test_reset_removes_only_the_demo_files(tmp_path: Path):
    (tmp_path / SERVER_DB).write_text("x")
    (tmp_path / "counter").mkdir()
    (tmp_path / "counter" / "counter.sqlite3").write_text("x")
    (tmp_path / "notes.txt").write_text("mine")
    reset_home(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_a_counter_whose_server_is_gone_asks_for_reset(tmp_path: Path):
    (tmp_path / "counter").mkdir()
    (tmp_path / "counter" / "sync-credential.json").write_text("{}")
    with pytest.raises(DemoError, match="--reset"):
        prepare_demo(tmp_path)


FAKE_WINDOW = """
import httpx2

calls = []


def run_counter_window(data_dir, server_url, prefill_username=None):
    calls.append((data_dir, server_url, prefill_username, httpx2.get(server_url + "/healthz").status_code))
    return 3
"""


def window_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, text: str) -> None:
    """A stand-in for ``counterapp.gui.app`` (written by another issue): the call the demo makes to it."""
    (tmp_path / f"{name}.py").write_text(text, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(demo_cmd, "WINDOW_MODULE", name)


@pytest.mark.slow
def test_the_cli_opens_the_window_on_the_running_demo_and_stops_it_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    window_module(tmp_path, monkeypatch, "demo_window_ok", FAKE_WINDOW)
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    home = tmp_path / "demo"
    assert counterapp(["demo", "--home", str(home)]) == 3  # the window's exit status
    import demo_window_ok  # type: ignore[import-not-found]

    [(data_dir, server_url, username, health)] = demo_window_ok.calls
    assert (data_dir, username, health) == (home.resolve() / "counter", DEMO_USERNAME, 200)
    assert "Opening the counter window" in capsys.readouterr().out
    with pytest.raises(httpx2.TransportError):
        httpx2.get(f"{server_url}/healthz", timeout=1)


def test_without_a_display_the_cli_says_how_to_run_headless(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    window_module(tmp_path, monkeypatch, "demo_window_headless", FAKE_WINDOW)
    monkeypatch.setattr(sys, "platform", "linux")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    assert counterapp(["demo", "--home", str(tmp_path / "demo")]) == 1
    err = capsys.readouterr().err
    assert "xvfb-run -a make run" in err and "Không tìm thấy màn hình" in err
    assert not (tmp_path / "demo").exists()  # nothing started


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("demo_window_missing", None, "The counter window is not in this version yet"),
        ("demo_window_empty", "", "The counter window is not in this version yet"),
        ("demo_window_no_qt", "import no_such_qt_binding\n", "The GUI library no_such_qt_binding is missing"),
    ],
)
def test_without_the_window_the_cli_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], name, text, expected
):
    window_module(tmp_path, monkeypatch, name, text if text is not None else "")
    if text is None:
        (tmp_path / f"{name}.py").unlink()
    assert demo_cmd.find_window() is None
    assert expected in capsys.readouterr().out


def test_the_cli_reports_a_demo_that_cannot_start(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    (tmp_path / "counter").mkdir()
    (tmp_path / "counter" / "sync-credential.json").write_text("{}")
    assert counterapp(["demo", "--no-window", "--home", str(tmp_path)]) == 1
    assert "--reset" in capsys.readouterr().err
