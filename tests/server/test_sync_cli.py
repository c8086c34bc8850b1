"""The counter's sync commands against a real ``counterapp-server`` process on loopback (SQLite and
PostgreSQL): enrol, sync, status; the server stopped → the counter keeps working and says it is offline;
its outbox exported to a signed file and imported on the server twice without double effects; the server
back → the counter drains to zero pending."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from counterapp.cli.main import main as counterapp
from counterapp.server import cli as server_cli
from counterapp.server.models.sync import Dossier, OpLogEntry
from counterapp.services import intake, queue
from counterapp.services.configured_counter import configured_counter
from counterapp.store.database import open_store
from counterapp.sync.engine import local_now
from counterapp.sync.enrollment import client_for, load_credential
from tests.counter import intake_form
from tests.server.authkit import CENTRE_A, PASSWORD, make_device
from tests.server.processes import server_process
from tests.server.synckit import CLERK, setup_centre


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = counterapp(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def status(capsys: pytest.CaptureFixture[str], data: Path) -> dict[str, Any]:
    code, out, _ = run(capsys, "status", "--json", "--data-dir", str(data))
    assert code == 0
    body: dict[str, Any] = json.loads(out)
    return body


def work(data: Path, dossiers: int = 1, walkins: int = 2) -> None:
    store = open_store(data)
    try:
        with store.write() as s:
            for _ in range(walkins):
                queue.issue_walkin(s, service_code="HTCT", now=local_now(), user_id=CLERK)
            for _ in range(dossiers):
                intake.receive_dossier(s, intake_form(), now=local_now(), user_id=CLERK)
    finally:
        store.close()


def sign_in(data: Path) -> None:
    client = client_for(load_credential(data))
    try:
        client.login(CLERK, PASSWORD)
    finally:
        client.close()


def count(sessions: sessionmaker[Session], model: type) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_enrol_sync_go_offline_export_import_and_drain(
    server_db: str, server_sessions: sessionmaker[Session], tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    setup_centre(server_sessions)
    _device, enrolment = make_device(server_sessions, CENTRE_A, "1")
    data = tmp_path / "counter"
    with server_process(server_db, tmp_path / "server-1.log") as base:
        code, out, err = run(capsys, "enroll", "--server", base, "--code", enrolment, "--data-dir", str(data))
        assert code == 0, err
        assert CENTRE_A in out
        assert configured_counter() == data.resolve()  # this PC's counter: found without --data-dir
        sign_in(data)  # its clerk signs in, as in the counter window: its sync then leases offline numbers
        code, _, err = run(capsys, "sync", "--data-dir", str(data))
        assert code == 0, err
        first = status(capsys, data)
        assert first["online"] and first["pending_ops"] == 0 and first["leases_left"][f"dossier_code:{CENTRE_A}"] == 50
        work(data)
        code, out, err = run(capsys, "sync", "--data-dir", str(data))
        assert code == 0, err
        assert "Đã gửi 3" in out
    # the server is gone: the counter keeps working, and says so
    work(data, dossiers=2, walkins=1)
    code, _, err = run(capsys, "sync", "--data-dir", str(data))
    assert code == 1 and "changes are kept" in err
    offline = status(capsys, data)
    assert not offline["online"] and offline["pending_ops"] == 3 and offline["last_error"]
    code, out, _ = run(capsys, "status", "--data-dir", str(data))
    assert "ngoại tuyến" in out and "Thay đổi chờ gửi: 3" in out
    # the PC is taken away: its outbox goes to the server on a USB stick, twice by mistake
    export = tmp_path / "outbox.json"
    code, out, err = run(capsys, "outbox", "export", str(export), "--data-dir", str(data))
    assert code == 0, err
    assert "Nguyễn" not in out  # the file holds personal data; the console does not
    assert oct(export.stat().st_mode)[-3:] == "600"
    assert server_cli.main(["import", str(export), "--database-url", server_db]) == 0
    assert "applied 3" in capsys.readouterr().out
    assert server_cli.main(["import", str(export), "--database-url", server_db]) == 0
    assert "applied 3" in capsys.readouterr().out  # the stored results again, nothing applied twice
    assert (count(server_sessions, OpLogEntry), count(server_sessions, Dossier)) == (6, 3)
    # an altered file is refused
    document = json.loads(export.read_text(encoding="utf-8"))
    document["body"]["ops"][0]["payload"]["number"] = "A999"
    export.write_text(json.dumps(document), encoding="utf-8")
    assert server_cli.main(["import", str(export), "--database-url", server_db]) == 1
    assert "signature does not match" in capsys.readouterr().err
    # the server is back: the counter's pending ops get their stored results, nothing is applied twice
    with server_process(server_db, tmp_path / "server-3.log") as base:
        _reconfigure(data, base)
        code, _, err = run(capsys, "sync", "--data-dir", str(data))
        assert code == 0, err
    drained = status(capsys, data)
    assert drained["online"] and drained["pending_ops"] == 0
    assert (count(server_sessions, OpLogEntry), count(server_sessions, Dossier)) == (6, 3)


def _reconfigure(data: Path, base: str) -> None:
    """The server came back on another port (tests take a free one each time): point the counter at it."""
    path = data / "sync-credential.json"
    credential = json.loads(path.read_text(encoding="utf-8"))
    credential["server_url"] = base
    path.write_text(json.dumps(credential), encoding="utf-8")


def test_sync_before_enrolment_says_what_to_do(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    data = tmp_path / "fresh"
    assert run(capsys, "init", "--agency-code", CENTRE_A, "--counter", "1", "--data-dir", str(data))[0] == 0
    code, _, err = run(capsys, "sync", "--data-dir", str(data))
    assert code == 1 and "sync.not_enrolled" in err and "counterapp enroll" in err
