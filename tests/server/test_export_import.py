"""Outbox exports signed by a key the server does not hold (issue 15 §7) and imports that refuse a malformed
file in one line (§8), through the real commands (``counterapp outbox export``, ``counterapp-server
import``) on SQLite and PostgreSQL: a real export round-trips; a file forged with what the server stores
(the credential digest) is refused; a revoked device's export needs ``--force-revoked --reason``, which is
logged; a counter enrolled before device keys gets a key pair at its next sync and cannot export before;
a correctly signed but malformed file names what is wrong, exits 1 and applies nothing."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from counterapp.cli.main import main as counterapp
from counterapp.protocol import device_key, ops
from counterapp.protocol.canonical import canonical_json
from counterapp.protocol.export_file import signed
from counterapp.server import cli as server_cli
from counterapp.server.models.auth import Device
from counterapp.server.models.sync import OpLogEntry
from counterapp.store.database import Store, open_store
from counterapp.store.outbox import enqueue
from counterapp.sync.engine import SyncEngine, local_now
from counterapp.sync.enrollment import client_for, credential_path, enroll_store, load_credential
from tests.server.authkit import CENTRE_A, Enrolled, login, make_device, problem
from tests.server.synckit import CLERK, dossier, setup_centre


@dataclass
class CounterDir:
    data: Path
    store: Store
    device_id: str


@pytest.fixture
def counter(client: TestClient, server_sessions: sessionmaker[Session], tmp_path: Path) -> Iterator[CounterDir]:
    """A counter data directory enrolled with the in-process server, with two ops waiting in its outbox (its
    clerk signed in on it first, as she would have)."""
    setup_centre(server_sessions)
    data = tmp_path / "counter"
    store = open_store(data)
    _device_id, code = make_device(server_sessions, CENTRE_A, "1")
    credential = enroll_store(store, data, "http://testserver", code, now=local_now(), http=client)
    login(client, Enrolled(credential.device_id, credential.credential), CLERK)
    with store.write() as session:
        for number in (1, 2):
            enqueue(session, ops.DOSSIER_CREATE, dossier(number, local_now()), now=local_now(), user_id=CLERK)
    yield CounterDir(data, store, credential.device_id)
    store.close()


def export(data: Path, path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = counterapp(["outbox", "export", str(path), "--data-dir", str(data)])
    out, err = capsys.readouterr()
    return code, out + err


def server_import(url: str, path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    code = server_cli.main(["import", str(path), "--database-url", url, *extra])
    out, err = capsys.readouterr()
    return code, out, err


def logged_ops(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(OpLogEntry)) or 0)


def test_a_real_export_is_signed_by_the_counters_own_key_and_round_trips(
    counter: CounterDir,
    server_db: str,
    server_sessions: sessionmaker[Session],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
):
    # GIVEN the counter's private key, kept with its credential (0600), and the server's copy of the public key
    credential = load_credential(counter.data)
    assert credential.signing_key is not None
    assert oct(os.stat(credential_path(counter.data)).st_mode)[-3:] == "600"
    with server_sessions() as session:
        device = session.get_one(Device, counter.device_id)
        assert device.public_key == device_key.public_key_of(credential.signing_key)
        assert credential.signing_key not in {device.public_key, device.secret_hash}
    # WHEN its outbox is exported and imported, twice
    path = tmp_path / "outbox.json"
    assert export(counter.data, path, capsys)[0] == 0
    assert json.loads(path.read_text(encoding="utf-8"))["format"] == "counterapp-outbox/2"
    code, out, err = server_import(server_db, path, capsys)
    assert code == 0, err
    assert f"imported the outbox of device {counter.device_id}" in out and "(op 2)" in out
    assert server_import(server_db, path, capsys)[0] == 0
    # THEN each op reached the server once
    assert logged_ops(server_sessions) == 2


def test_a_file_forged_with_what_the_server_stores_is_refused(
    counter: CounterDir,
    server_db: str,
    server_sessions: sessionmaker[Session],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
):
    # GIVEN someone who read the devices table: the credential digest and the public key
    with server_sessions() as session:
        device = session.get_one(Device, counter.device_id)
        digest, public_key = device.secret_hash, device.public_key
    assert digest is not None and public_key is not None
    body = json.loads(_exported(counter, tmp_path, capsys).read_text(encoding="utf-8"))["body"]
    body["ops"][0]["payload"]["procedure_code"] = "1.000001"
    forged = tmp_path / "forged.json"
    # WHEN they sign a file with the digest, as format 1 was (and as format 2, and with a key of their own)
    for document in (
        {"format": "counterapp-outbox/1", "body": body, "signature": _hmac(body, digest)},
        {"format": "counterapp-outbox/2", "body": body, "signature": _hmac(body, digest)},
        signed(body, device_key.new_private_key()),
    ):
        forged.write_text(json.dumps(document), encoding="utf-8")
        code, _out, err = server_import(server_db, forged, capsys)
        # THEN each is refused in one line, and nothing is applied
        assert code == 1 and err.count("\n") == 1, err
        assert "old format" in err or "signature does not match" in err, err
    assert logged_ops(server_sessions) == 0


def _hmac(body: dict[str, Any], key: str) -> str:
    return hmac.new(key.encode(), canonical_json(body), hashlib.sha256).hexdigest()


def _exported(counter: CounterDir, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "outbox.json"
    code, output = export(counter.data, path, capsys)
    assert code == 0, output
    return path


def test_a_revoked_devices_export_needs_an_admin_to_force_it_with_a_logged_reason(
    counter: CounterDir,
    server_db: str,
    server_sessions: sessionmaker[Session],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
):
    path = _exported(counter, tmp_path, capsys)
    assert server_cli.main(["admin", "revoke-device", counter.device_id, "--database-url", server_db]) == 0
    capsys.readouterr()
    # WHEN the revoked device's export is imported as usual: refused, nothing applied
    code, _out, err = server_import(server_db, path, capsys)
    assert code == 1 and err.count("\n") == 1 and "is revoked" in err and "--force-revoked" in err, err
    assert logged_ops(server_sessions) == 0
    # a force without a reason is a bad argument
    assert server_import(server_db, path, capsys, "--force-revoked")[0] == 2
    # WHEN an admin forces it, with a reason: applied, and the reason is logged
    reason = "PC recovered by IT after the theft, ticket 4711"
    with caplog.at_level(logging.WARNING, logger="counterapp.server.importing"):
        code, out, err = server_import(server_db, path, capsys, "--force-revoked", "--reason", reason)
    assert code == 0, err
    assert reason in out
    assert logged_ops(server_sessions) == 2
    assert [r.getMessage() for r in caplog.records if reason in r.getMessage() and counter.device_id in r.getMessage()]


def test_a_counter_enrolled_before_device_keys_gets_one_at_its_next_sync_and_cannot_export_before(
    counter: CounterDir,
    client: TestClient,
    server_db: str,
    server_sessions: sessionmaker[Session],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
):
    # GIVEN a counter as enrolled by the previous release: no private key, none registered on the server
    path = credential_path(counter.data)
    old = json.loads(path.read_text(encoding="utf-8"))
    del old["signing_key"]
    path.write_text(json.dumps(old), encoding="utf-8")
    with server_sessions.begin() as session:
        session.execute(update(Device).where(Device.id == counter.device_id).values(public_key=None))
    # THEN it cannot export (the server could not verify the file), and says what to do
    code, output = export(counter.data, tmp_path / "early.json", capsys)
    assert code == 1 and "sync.no_signing_key" in output and "counterapp sync" in output, output
    assert not (tmp_path / "early.json").exists()
    # WHEN it syncs (its hello learns that the server holds no key for it)
    credential = load_credential(counter.data)
    SyncEngine(counter.store, client_for(credential, http=client), centre_id=credential.centre_id).hello()
    # THEN it made a key pair, kept the private key in its credential file (0600) and registered the public key
    renewed = load_credential(counter.data)
    assert renewed.signing_key is not None
    assert oct(os.stat(path).st_mode)[-3:] == "600"
    with server_sessions() as session:
        assert session.get_one(Device, counter.device_id).public_key == device_key.public_key_of(renewed.signing_key)
    # AND its export now imports
    code, _out, err = server_import(server_db, _exported(counter, tmp_path, capsys), capsys)
    assert code == 0, err
    assert logged_ops(server_sessions) == 2
    # AND the server refuses to have that key replaced by the device's credential alone
    other = device_key.public_key_of(device_key.new_private_key())
    headers = {"Authorization": f"Device {credential.device_id}.{credential.credential}"}
    assert problem(client.put("/v1/devices/key", json={"public_key": other}, headers=headers)) == (
        409,
        "device.key_exists",
    )
    same = client.put("/v1/devices/key", json={"public_key": device_key.public_key_of(renewed.signing_key)},
                      headers=headers)  # fmt: skip
    assert same.status_code == 200
    assert problem(client.put("/v1/devices/key", json={"public_key": "x" * 43}, headers=headers))[0] == 422
    assert problem(client.put("/v1/devices/key", json={"public_key": other}))[0] == 401


def test_the_server_refuses_an_export_it_holds_no_key_for(
    counter: CounterDir,
    server_db: str,
    server_sessions: sessionmaker[Session],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
):
    path = _exported(counter, tmp_path, capsys)
    with server_sessions.begin() as session:
        session.execute(update(Device).where(Device.id == counter.device_id).values(public_key=None))
    code, _out, err = server_import(server_db, path, capsys)
    assert code == 1 and "holds no public key" in err and err.count("\n") == 1, err


# --- malformed but correctly signed files -----------------------------------------------------------------


def _ops(counter: CounterDir, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(_exported(counter, tmp_path, capsys).read_text(encoding="utf-8"))["body"]
    return body


MALFORMED: list[tuple[str, Any, str]] = [
    ("an op that is a number", lambda ops: [ops[0], 1], "op 2 of 2 is not an object"),
    ("an op without wall_time", lambda ops: [ops[0], {k: v for k, v in ops[1].items() if k != "wall_time"}],
     "op 2 of 2 (client_seq 2): wall_time is missing"),
    ("a NUL in a user_id", lambda ops: [ops[0], ops[1] | {"user_id": "clerk\x00lan"}],
     "op 2 of 2 (client_seq 2): user_id holds a NUL character"),
    ("a NUL in a payload key", lambda ops: [ops[0], ops[1] | {"payload": {**ops[1]["payload"], "x\x00": 1}}],
     "op 2 of 2 (client_seq 2): a key of payload holds a NUL character"),
    ("an epoch beyond 32 bits", lambda ops: [ops[0], ops[1] | {"epoch": 2**31}], "op 2 of 2 (client_seq 2): epoch"),
    ("a time that overflows in UTC", lambda ops: [ops[0], ops[1] | {"corrected_time": "9999-12-31T23:59:59-12:00"}],
     "op 2 of 2 (client_seq 2): corrected_time"),
    ("a payload that is a list", lambda ops: [ops[0], ops[1] | {"payload": [1]}], "op 2 of 2 (client_seq 2): payload"),
    ("ops out of order", lambda ops: [ops[1], ops[0]], "ops from client_seq 2"),
]  # fmt: skip


@pytest.mark.parametrize(("what", "change", "message"), MALFORMED, ids=[case[0] for case in MALFORMED])
def test_a_correctly_signed_malformed_file_is_refused_in_one_line_and_nothing_is_applied(
    what: str,
    change: Any,
    message: str,
    counter: CounterDir,
    server_db: str,
    server_sessions: sessionmaker[Session],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
):
    # GIVEN a file signed with the counter's own key, whose second op is malformed
    body = _ops(counter, tmp_path, capsys)
    body["ops"] = change(body["ops"])
    key = load_credential(counter.data).signing_key
    assert key is not None
    path = tmp_path / "malformed.json"
    path.write_text(json.dumps(signed(body, key)), encoding="utf-8")
    # WHEN it is imported
    code, out, err = server_import(server_db, path, capsys)
    # THEN one line names what is wrong (never the database), exit 1, and the valid first op is not applied
    assert code == 1, (what, out, err)
    assert err.count("\n") == 1 and err.startswith("counterapp-server: error: "), err
    assert message in err, (what, err)
    assert "database" not in err and "Traceback" not in err
    assert logged_ops(server_sessions) == 0
