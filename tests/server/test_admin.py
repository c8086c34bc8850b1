"""``counterapp-server admin …`` on SQLite and PostgreSQL: the demo seed is idempotent, passwords come from
stdin only, a printed enrollment code enrolls over the API, and refusals are one line with exit 1 or 2."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from counterapp.server import cli, security
from counterapp.server.admin import DEMO_AGENCY_CODE, DEMO_CENTRE_NAME
from counterapp.server.models.auth import Device, EnrollmentCode, StaffSession, User
from counterapp.server.models.org import Assignment, Centre, Counter, QueueService
from tests.server.authkit import CENTRE_A, CENTRE_B, PASSWORD, Enrolled, enroll, login, make_centre, problem

SERVER = [str(Path(sys.executable).parent / "counterapp-server")]
if not Path(SERVER[0]).exists():  # the package is not installed with its entry point: run the module
    SERVER = [sys.executable, "-c", "import sys; from counterapp.server.cli import main; sys.exit(main())"]


def admin(url: str, *args: str) -> int:
    return cli.main(["admin", *args, "--database-url", url])


def counts(sessions: sessionmaker[Session]) -> dict[str, int]:
    with sessions() as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Centre, QueueService, Counter, Assignment, User, Device, EnrollmentCode)
        }


def field(output: str, name: str) -> str:
    match = re.search(rf"^{name}: (\S+)$", output, re.MULTILINE)
    assert match is not None, output
    return match.group(1)


def test_seed_demo_twice_creates_everything_once(
    server_db: str, server_sessions: sessionmaker[Session], client: TestClient, capsys: pytest.CaptureFixture[str]
):
    # WHEN the demo is seeded
    assert admin(server_db, "seed-demo") == 0
    first = capsys.readouterr().out
    # THEN the demo centre has the bundled services, six counters each serving something, three users, a device
    assert counts(server_sessions) == {
        "centres": 1,
        "queue_services": 5,
        "counters": 6,
        "assignments": 6,
        "users": 3,
        "devices": 1,
        "enrollment_codes": 1,
    }
    with server_sessions() as session:
        centre = session.scalars(select(Centre)).one()
        assert (centre.agency_code, centre.name) == (DEMO_AGENCY_CODE, DEMO_CENTRE_NAME)
        roles = dict(session.execute(select(User.username, User.role)).all())
        assert roles == {"demo.clerk": "clerk", "demo.lead": "lead", "demo.admin": "admin"}
        epochs = dict(session.execute(select(Counter.number, Counter.epoch)).all())
        assert sorted(epochs) == ["1", "2", "3", "4", "5", "6"]
    password = re.search(r"^DEMO password .*: (\S+)$", first, re.MULTILINE)
    assert password is not None, first
    # AND the printed code enrolls the counter device and the printed demo password logs in
    device = enroll(client, field(first, "enrollment_code"))
    login(client, device, "demo.lead", password.group(1))
    # WHEN it runs again THEN nothing is duplicated, nothing reassigned, and no password is printed again
    before = counts(server_sessions)
    assert admin(server_db, "seed-demo") == 0
    second = capsys.readouterr().out
    assert counts(server_sessions) == before
    with server_sessions() as session:
        assert dict(session.execute(select(Counter.number, Counter.epoch)).all()) == epochs
    assert password.group(1) not in second
    assert "enrollment_code" not in second
    assert "exists" in second


def test_create_user_reads_the_password_from_stdin(
    server_db: str,
    server_sessions: sessionmaker[Session],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
):
    make_centre(server_sessions, CENTRE_A)
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert (
        admin(server_db, "create-user", "--username", "lan.nt", "--full-name", "Nguyễn Thị Lan", "--role", "clerk",
              "--centre", CENTRE_A, "--password-stdin")
        == 0
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert "lan.nt" in out and err == ""
    assert PASSWORD not in out
    with server_sessions() as session:
        user = session.scalars(select(User)).one()
        assert security.verify_password(user.password_hash, PASSWORD)
        assert not security.verify_password(user.password_hash, PASSWORD + "\n")
    # a password given as an argument is not an option at all
    with pytest.raises(SystemExit) as caught:
        cli.main(["admin", "create-user", "--username", "x.y", "--full-name", "X", "--role", "clerk",
                  "--password", PASSWORD, "--database-url", server_db])  # fmt: skip
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "--password-stdin" in err and PASSWORD not in err
    # and a short password from stdin is refused in one line, exit 1, creating nothing
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    assert admin(server_db, "create-user", "--username", "x.y", "--full-name", "X", "--role", "clerk",
                 "--centre", CENTRE_A, "--password-stdin") == 1  # fmt: skip
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "password.too_short" in err
    assert counts(server_sessions)["users"] == 1


def test_create_user_in_a_real_process_with_the_password_piped_in(
    server_db: str, server_sessions: sessionmaker[Session]
):
    make_centre(server_sessions, CENTRE_A)
    result = subprocess.run(
        [*SERVER, "admin", "create-user", "--username", "minh.lead", "--full-name", "Trần Văn Minh", "--role", "lead",
         "--centre", CENTRE_A, "--password-stdin", "--database-url", server_db],
        input=PASSWORD + "\n", capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert PASSWORD not in result.stdout + result.stderr
    assert admin(server_db, "create-device", "--centre", CENTRE_A, "--kind", "counter", "--counter", "1") == 0


def test_create_device_prints_a_code_that_enrolls_over_the_api(
    server_db: str, server_sessions: sessionmaker[Session], client: TestClient, capsys: pytest.CaptureFixture[str]
):
    make_centre(server_sessions, CENTRE_A)
    assert admin(server_db, "create-device", "--centre", CENTRE_A, "--kind", "counter", "--counter", "2",
                 "--name", "Quầy 2") == 0  # fmt: skip
    out = capsys.readouterr().out
    assert re.fullmatch(r"\S{4}-\S{4}-\S{4}", field(out, "enrollment_code"))
    assert field(out, "expires_at")
    response = client.post("/v1/devices/enroll", json={"code": field(out, "enrollment_code")})
    assert response.status_code == 200, response.text
    assert response.json()["device_id"] == field(out, "device_id")
    assert response.json()["centre"]["agency_code"] == CENTRE_A
    assert response.json()["counter"]["number"] == "2"
    device = Enrolled(field(out, "device_id"), response.json()["credential"])
    # list-devices shows it enrolled, without any secret
    assert admin(server_db, "list-devices", "--centre", CENTRE_A) == 0
    listing = capsys.readouterr().out
    assert f"{device.device_id}\tcounter\t2\tenrolled\t-\tQuầy 2" in listing
    assert device.credential not in listing and field(out, "enrollment_code") not in listing
    # revoke-device: the API then refuses it
    assert client.get("/v1/me", headers=device.headers).status_code == 200
    assert admin(server_db, "revoke-device", device.device_id) == 0
    assert problem(client.get("/v1/me", headers=device.headers)) == (403, "auth.device_revoked")
    assert admin(server_db, "list-devices", "--centre", CENTRE_A) == 0
    assert "\trevoked\t" in capsys.readouterr().out


def test_reissue_code_replaces_the_pending_one(
    server_db: str, server_sessions: sessionmaker[Session], client: TestClient, capsys: pytest.CaptureFixture[str]
):
    make_centre(server_sessions, CENTRE_A)
    assert admin(server_db, "create-device", "--centre", CENTRE_A, "--kind", "kiosk") == 0
    first = capsys.readouterr().out
    assert admin(server_db, "reissue-code", field(first, "device_id")) == 0
    second = capsys.readouterr().out
    assert field(second, "enrollment_code") != field(first, "enrollment_code")
    response = client.post("/v1/devices/enroll", json={"code": field(first, "enrollment_code")})
    assert problem(response) == (401, "enrollment.code_expired")
    enrolled = enroll(client, field(second, "enrollment_code"))
    assert enrolled.device_id == field(first, "device_id")


def test_org_commands_and_their_refusals(
    server_db: str, server_sessions: sessionmaker[Session], capsys: pytest.CaptureFixture[str], tmp_path: Path
):
    assert admin(server_db, "create-centre", "--agency-code", "000.00.03.h26", "--name", "Trung tâm  số 3") == 0
    assert admin(server_db, "add-service", "--centre", "000.00.03.H26", "--code", "htct", "--prefix", "a",
                 "--name", "Hộ tịch") == 0  # fmt: skip
    assert admin(server_db, "add-service", "--centre", "000.00.03.H26", "--code", "KD", "--prefix", "C",
                 "--name", "Kinh doanh") == 0  # fmt: skip
    assert admin(server_db, "add-counter", "--centre", "000.00.03.H26", "--number", "7") == 0
    assert admin(server_db, "assign", "--centre", "000.00.03.H26", "--counter", "7", "--services", "HTCT,KD") == 0
    assert admin(server_db, "assign", "--centre", "000.00.03.H26", "--counter", "7", "--services", "KD") == 0
    capsys.readouterr()
    with server_sessions() as session:
        centre = session.scalars(select(Centre)).one()
        assert (centre.agency_code, centre.name) == ("000.00.03.H26", "Trung tâm số 3")
        counter = session.scalars(select(Counter)).one()
        assert counter.epoch == 2
        served = session.scalars(
            select(QueueService.code).join(Assignment, Assignment.service_id == QueueService.id)
        ).all()
        assert served == ["KD"]

    refusals = [
        (("create-centre", "--agency-code", "000.00.03.H26", "--name", "again"), "centre.exists"),
        (("create-centre", "--agency-code", "not-a-code", "--name", "x"), "agency_code.invalid"),
        (("add-service", "--centre", "000.00.09.H26", "--code", "X", "--prefix", "X", "--name", "x"),
         "centre.not_found"),
        (("add-service", "--centre", "000.00.03.H26", "--code", "X", "--prefix", "A", "--name", "x"), "service.exists"),
        (("add-service", "--centre", "000.00.03.H26", "--code", "X", "--prefix", "12", "--name", "x"),
         "ticket.prefix_invalid"),
        (("add-counter", "--centre", "000.00.03.H26", "--number", "7"), "counter.exists"),
        (("assign", "--centre", "000.00.03.H26", "--counter", "8", "--services", "KD"), "counter.not_found"),
        (("assign", "--centre", "000.00.03.H26", "--counter", "7", "--services", "KD,NOPE"), "service.not_found"),
        (("revoke-device", "no-such-device"), "device.not_found"),
    ]  # fmt: skip
    for args, code in refusals:
        assert admin(server_db, *args) == 1, args
        out, err = capsys.readouterr()
        assert err.count("\n") == 1 and code in err, (args, err)
        assert out == ""
    with server_sessions() as session:
        assert session.scalars(select(Counter.epoch)).one() == 2  # the refused assign changed nothing

    for args in [
        ("create-device", "--centre", "000.00.03.H26", "--kind", "tv"),
        ("create-user", "--username", "a.b", "--full-name", "A", "--role", "clerk"),  # no --password-stdin
        ("assign", "--centre", "000.00.03.H26", "--counter", "7", "--services", ","),
        ("no-such-command",),
    ]:
        with pytest.raises(SystemExit) as caught:
            admin(server_db, *args)
        assert caught.value.code == 2, args
        assert capsys.readouterr().err.count("\n") == 1

    # an unmigrated database is refused in one line
    assert admin(f"sqlite:///{tmp_path / 'empty.sqlite3'}", "seed-demo") == 1
    assert "counterapp-server migrate" in capsys.readouterr().err


def test_seeded_demo_users_see_their_roles_through_the_api(
    server_db: str, client: TestClient, server_sessions: sessionmaker[Session], capsys: pytest.CaptureFixture[str]
):
    assert admin(server_db, "seed-demo") == 0
    out = capsys.readouterr().out
    password = re.search(r"^DEMO password .*: (\S+)$", out, re.MULTILINE)
    assert password is not None
    device = enroll(client, field(out, "enrollment_code"))
    clerk = device.staff(login(client, device, "demo.clerk", password.group(1)))
    lead = device.staff(login(client, device, "demo.lead", password.group(1)))
    counters = client.get("/v1/centre/counters", headers=clerk).json()
    assert [(c["number"], [s["code"] for s in c["services"]]) for c in counters] == [
        ("1", ["HTCT"]), ("2", ["HTCT"]), ("3", ["DDXD"]), ("4", ["KD"]), ("5", ["LDXH"]), ("6", ["TKQ"]),
    ]  # fmt: skip
    body = {"services": ["TKQ", "HTCT"]}
    assert problem(client.put("/v1/centre/counters/6/services", json=body, headers=clerk)) == (403, "auth.forbidden")
    assert client.put("/v1/centre/counters/6/services", json=body, headers=lead).json()["epoch"] == 2
    with server_sessions() as session:
        assert len(session.scalars(select(StaffSession)).all()) == 2


def test_priority_rule_role_changes_and_deactivation_from_the_command_line(
    server_db: str, server_sessions: sessionmaker[Session], capsys: pytest.CaptureFixture[str]
):
    make_centre(server_sessions, CENTRE_A)
    assert admin(server_db, "set-priority", "--centre", CENTRE_A, "--rule", "interleave", "--every", "2") == 0
    assert "interleave rule, one priority ticket after every 2 regular" in capsys.readouterr().out
    assert admin(server_db, "set-priority", "--centre", CENTRE_A, "--rule", "interleave", "--every", "0") == 1
    assert "every" in capsys.readouterr().err
    with server_sessions() as session:
        centre = session.scalars(select(Centre)).one()
        assert (centre.priority_rule, centre.priority_every) == ("interleave", 2)
    with server_sessions.begin() as session:
        from counterapp.server.services import org, users

        users.create_user(session, username="mai.tran", full_name="Trần Thị Mai", role="clerk", password=PASSWORD,
                          centre=org.centre_by_code(session, CENTRE_A), now=datetime.now(UTC))  # fmt: skip
    assert admin(server_db, "change-role", "--username", "mai.tran", "--role", "lead") == 0
    assert admin(server_db, "deactivate-user", "--username", "mai.tran") == 0
    assert admin(server_db, "change-role", "--username", "nobody", "--role", "lead") == 1
    assert "user.not_found" in capsys.readouterr().err
    with server_sessions() as session:
        user = session.scalars(select(User).where(User.username == "mai.tran")).one()
        assert (user.role, user.active, user.deactivated_at is not None) == ("lead", False, True)


def test_seed_demo_refuses_a_database_with_other_centres_unless_forced(
    server_db: str, server_sessions: sessionmaker[Session], capsys: pytest.CaptureFixture[str]
):
    # GIVEN a production database: a real centre, not the demo's
    make_centre(server_sessions, CENTRE_B)
    before = counts(server_sessions)
    # WHEN the demo is seeded into it by mistake
    assert admin(server_db, "seed-demo") == 1
    # THEN it is refused in one line that says how to insist, and nothing is created (no demo users)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "seed.not_demo" in err and CENTRE_B in err and "--force" in err, err
    assert counts(server_sessions) == before
    # WHEN the admin insists
    assert admin(server_db, "seed-demo", "--force") == 0
    assert "DEMO password" in capsys.readouterr().out
    with server_sessions() as session:
        assert session.scalars(select(Centre.agency_code).order_by(Centre.agency_code)).all() == [
            DEMO_AGENCY_CODE,
            CENTRE_B,
        ]
